import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nixParseFile } from '../helpers/nix.js';
import { dirsOfVar, evalShells, libraryDirsOf } from '../helpers/nix-eval.js';
import { describeWithTool } from '../helpers/tools.js';
import { copyDemo, demoPicks, ERRORS, run } from './harness.js';

const P = demoPicks();
const ADD = [P.libGL, P.libX11, P.libstdcxx];
const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The story the README tells, end to end on a private copy of the demo project: check fails,
 * doctor explains and --fix patches the flake (evaluated against the stub nixpkgs: the
 * attributes really reach LD_LIBRARY_PATH), check passes, a second --fix changes nothing.
 */
describeWithTool('nix-instantiate', 'demo project: check, doctor --fix, check', () => {
  let dir: string;
  let cleanup: () => void;
  let flake: string;
  let original: string;

  beforeAll(() => {
    ({ dir, cleanup } = copyDemo());
    flake = join(dir, 'flake.nix');
    original = readFileSync(flake, 'utf8');
  });
  afterAll(() => cleanup());

  it('check fails on the seed flake and says what to add', async () => {
    const r = await run(['check', '--project', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    for (const s of ['libGL.so.1', 'libX11.so.6', 'libstdc++.so.6', 'libcuda.so.1', 'libacme.so.2']) expect(r.out).toContain(s);
    expect(r.out).not.toContain('libz.so.1'); // the seed flake has zlib
    expect(r.out).not.toContain('libcudart.so.12'); // shipped in the venv: not the Nix file's business
    expect(r.out).toContain(`add ${P.libstdcxx}`);
    expect(r.out).toContain(`Fix: nixpy fix --project ${dir}`);

    const j = await run(['check', '--project', dir, '--json']);
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.out);
    expect(doc.ok).toBe(false);
    expect(doc.add).toEqual(ADD);
    expect(doc.driverPath).toBe(true);
    expect(doc.unknown).toEqual(['libacme.so.2']);
  });

  it('doctor explains by distribution and shows the diff without touching the file', async () => {
    const r = await run(['doctor', '--project', dir]);
    expect(r.code).toBe(1);
    expect(readFileSync(flake, 'utf8')).toBe(original);
    expect(r.out).toMatch(/Missing libraries: \d+, needed by \d+ distributions:/);
    expect(r.out).toMatch(new RegExp(`fastzip 1\\.2\\.0\\n\\s+libstdc\\+\\+\\.so\\.6\\s+add ${re(P.libstdcxx)}`));
    expect(r.out).toMatch(new RegExp(`libz\\.so\\.1\\s+covered by ${re(P.zlib)}`));
    expect(r.out).toMatch(/acme-sensor 2\.1\.0\n\s+libacme\.so\.2\s+unknown/);
    expect(r.out).toContain('nix-locate --top-level --whole-name lib/libacme.so.2');
    expect(r.out).toContain('nixpy index build');
    expect(r.out).toMatch(/libcuda\.so\.1\s+GPU driver/);
    expect(r.out).toMatch(/libcudart\.so\.12\s+in the venv at nvidia\/cuda_runtime\/lib\/libcudart\.so\.12, off the search path/);
    expect(r.out).toMatch(new RegExp(`^\\+\\s+pkgs\\.${re(P.libGL)}$`, 'm'));
    expect(r.out).toContain(`Apply it with nixpy doctor --project ${dir} --fix, then enter the shell with \`nix develop\`.`);
    expect(r.out).toContain('5 problems found. Apply it with');
    expect(r.out).toContain('in the venv: another wheel ships it, but not on the search path of what needs it');

    const j = JSON.parse((await run(['doctor', '--project', dir, '--json'])).out);
    expect(j.input.source).toBe('scan');
    expect(j.results.map((g: { name: string }) => g.name)).toEqual(['acme-sensor', 'fastzip', 'imgview', 'tinygpu']);
    expect(j.patch).toMatchObject({ applied: false, changed: true, driverPath: true });
    expect(j.patch.add).toEqual(ADD);
    expect(j.scan.objects).toBe(6);
    expect(j.nix.attrs).toEqual(['zlib']);
  });

  it('doctor --fix patches the flake so the libraries reach LD_LIBRARY_PATH', async () => {
    const before = dirsOfVar(evalShells(flake).default!, 'LD_LIBRARY_PATH');
    const r = await run(['doctor', '--project', dir, '--fix']);
    // libacme.so.2 stays unknown: still a problem.
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`Updated \\S*flake\\.nix: added ${re(ADD.join(', '))}, the driver path\\.`));
    expect(r.out).toContain('Now enter the shell with `nix develop` so the shell picks it up.');
    expect(r.out).toContain('1 problem left.');
    const text = readFileSync(flake, 'utf8');
    expect(text).not.toBe(original);
    expect(nixParseFile(flake).ok).toBe(true);
    const after = dirsOfVar(evalShells(flake).default!, 'LD_LIBRARY_PATH');
    expect(before).toEqual(libraryDirsOf([P.zlib]));
    for (const d of libraryDirsOf([P.zlib, ...ADD])) expect(after).toContain(d);
    expect(after).toContain('/run/opengl-driver/lib');
  });

  it('check then fails only on the unknown soname, and passes once it is ignored', async () => {
    const r = await run(['check', '--project', dir]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('libacme.so.2');
    expect(r.out).not.toMatch(/libGL|libX11|libstdc|libcuda/);
    const pyproject = join(dir, 'pyproject.toml');
    writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace('ignore = []', 'ignore = ["libacme.so.2"]'));
    const ok = await run(['check', '--project', dir]);
    expect(ok).toEqual({ code: 0, out: '', err: '' });
    const j = JSON.parse((await run(['check', '--project', dir, '--json'])).out);
    expect(j).toMatchObject({ ok: true, missing: [], add: [], ignored: ['libacme.so.2'], command: null });
  });

  it('a second doctor --fix changes nothing and reports nothing left', async () => {
    const before = readFileSync(flake, 'utf8');
    const r = await run(['doctor', '--project', dir, '--fix']);
    expect(readFileSync(flake, 'utf8')).toBe(before);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Nothing left to fix.');
    expect(r.out).toContain('in the venv: another wheel ships it, but not on the search path');
    expect(r.out).not.toContain('Updated');
  });

  it('inside a dev shell it says to reload; with an .envrc, direnv reload', async () => {
    const stdin = 'OSError: libsndfile.so.1: cannot open shared object file: No such file or directory\n';
    const inShell = await run(['doctor', '--project', dir], { stdin, env: { IN_NIX_SHELL: 'impure' } });
    expect(inShell.out).toContain('In a Nix dev shell on another Linux.');
    expect(inShell.out).toContain('then leave the shell and run `nix develop` again.');
    writeFileSync(join(dir, '.envrc'), 'use flake\n');
    try {
      const direnv = await run(['doctor', '--project', dir], { stdin, env: { IN_NIX_SHELL: 'impure', DIRENV_DIR: `-${dir}` } });
      expect(direnv.out).toContain('In a Nix dev shell (direnv) on another Linux.');
      expect(direnv.out).toContain('then run `direnv reload`.');
    } finally {
      rmSync(join(dir, '.envrc'));
    }
  });

  it('a pasted error about a dlopen-only library adds it too', async () => {
    const r = await run(['doctor', '--project', dir, '--json'], {
      stdin: 'OSError: libsndfile.so.1: cannot open shared object file: No such file or directory\n',
    });
    const doc = JSON.parse(r.out);
    expect(r.code).toBe(1);
    expect(doc.input.source).toBe('stdin');
    expect(doc.libraries[0]).toMatchObject({ soname: 'libsndfile.so.1', fromError: true, notInScan: true, pick: 'libsndfile' });
    expect(doc.results[0].name).toBe('(loaded at run time)');
    expect(doc.patch.add).toEqual(['libsndfile']);
  });
});

describeWithTool('nix-instantiate', 'doctor on pasted errors and commands', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = copyDemo()));
  afterAll(() => cleanup());

  it('focuses on the library a pasted traceback names', async () => {
    const r = await run(['doctor', '--project', dir], { stdin: readFileSync(join(ERRORS, 'pytest-ansi-libgl.txt'), 'utf8') });
    expect(r.code).toBe(1);
    expect(r.out).toContain('From the pasted text:');
    expect(r.out).toContain('ImportError: libX11.so.6: cannot open shared object file');
    // The distribution whose file needs libX11 comes first.
    expect(r.out.indexOf('imgview 0.3.1')).toBeLessThan(r.out.indexOf('fastzip 1.2.0'));
    const j = JSON.parse((await run(['doctor', '--project', dir, '--json'], { stdin: readFileSync(join(ERRORS, 'pytest-ansi-libgl.txt'), 'utf8') })).out);
    expect(j.libraries[0]).toMatchObject({ soname: 'libX11.so.6', fromError: true, notInScan: false, distributions: ['imgview'] });
  });

  it('opens with a one-line verdict for each library the error names', async () => {
    const text = [
      'ImportError: libz.so.1: cannot open shared object file: No such file or directory',
      'OSError: libcuda.so.1: cannot open shared object file: No such file or directory',
      'OSError: libacme.so.2: cannot open shared object file: No such file or directory',
      readFileSync(join(ERRORS, 'dlopen-path.txt'), 'utf8'),
    ].join('\n');
    const r = await run(['doctor', '--project', dir], { stdin: text });
    expect(r.out).toMatch(new RegExp(`→ libz\\.so\\.1: \\S*flake\\.nix already has ${re(P.zlib)}, but this shell has not loaded it: enter the shell with \`nix develop\`\\.`));
    expect(r.out).toContain('→ libcuda.so.1: a GPU driver library: it comes from /run/opengl-driver/lib');
    expect(r.out).toContain('→ libacme.so.2: nixpy knows no nixpkgs attribute for it: try `nix-locate --top-level --whole-name lib/libacme.so.2`.');
    expect(r.out).toContain('→ libonnxruntime_providers_cuda.so: the program asked for the exact path /home/alice/proj/.venv/');
    const doc = JSON.parse((await run(['doctor', '--project', dir, '--json'], { stdin: text })).out);
    expect(doc.focus.map((f: { soname: string }) => f.soname)).toEqual([
      'libacme.so.2',
      'libcuda.so.1',
      'libonnxruntime_providers_cuda.so',
      'libz.so.1',
    ]);
    expect(doc.libraries.find((l: { soname: string }) => l.soname === 'libonnxruntime_providers_cuda.so').errorPath).toMatch(/^\/home\/alice\//);
  });

  it('runs `doctor -- CMD` and reads the error it prints', async () => {
    const cmd = `printf '%s\\n' "OSError: libcuda.so.1: cannot open shared object file: No such file or directory" >&2; exit 3`;
    const r = await run(['doctor', '--project', dir, '--json', '--', 'sh', '-c', cmd]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.input).toMatchObject({ source: 'command', command: ['sh', '-c', cmd], exitCode: 3 });
    expect(j.input.findings).toEqual([expect.objectContaining({ kind: 'missing-library', soname: 'libcuda.so.1' })]);
    expect(j.libraries[0]).toMatchObject({ soname: 'libcuda.so.1', category: 'driver', fromError: true });
  });

  it('passes the user environment to the command', async () => {
    const r = await run(['doctor', '--project', dir, '--json', '--', 'sh', '-c', 'echo "$NIXPY_TEST_VALUE: cannot open shared object file" >&2'], {
      env: { NIXPY_TEST_VALUE: 'libmarker.so.7' },
    });
    expect(JSON.parse(r.out).input.findings[0].soname).toBe('libmarker.so.7');
  });

  it('a command that cannot start is bad input', async () => {
    const r = await run(['doctor', '--project', dir, '--', 'nixpy-no-such-command-xyz']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^nixpy: doctor --: cannot run nixpy-no-such-command-xyz: command not found\n$/);
  });

  it('stdin without a loader error falls back to the whole venv', async () => {
    const r = await run(['doctor', '--project', dir], { stdin: 'Traceback...\nValueError: nope\n' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('No loader error found in the pasted text');
    expect(r.out).toMatch(/Missing libraries: \d+, needed by \d+ distributions:/);
  });
});
