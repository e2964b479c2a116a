import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO, ERRORS, REPO } from './harness.js';

/** The built CLI as a user runs it (needs `npm run build`, which `npm test` does first). */
const BIN = join(REPO, 'bin/nixpy.js');

function nixpy(args: string[], input?: string): { code: number | null; out: string; err: string } {
  const env = { ...process.env };
  delete env.VIRTUAL_ENV;
  delete env.LD_LIBRARY_PATH;
  delete env.IN_NIX_SHELL;
  env.XDG_CACHE_HOME = join(tmpdir(), 'nixpy-test-no-cache');
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, env, input: input ?? '', encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the built CLI on the demo project', () => {
  it('is built', () => {
    expect(existsSync(join(REPO, 'dist/bundle/main.js')), 'run `npm run build` first').toBe(true);
  });

  it("runs the README's first command: doctor on the demo, exit 1, no colour when piped", () => {
    const r = nixpy(['doctor', '--project', 'fixtures/demo']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(''); // no spinner on a non-TTY
    expect(r.out).not.toMatch(/\u001b\[/);
    expect(r.out).toMatch(/Missing libraries: \d+, needed by \d+ distributions:/);
    expect(r.out).toContain('The change to fixtures/demo/flake.nix:');
    expect(r.out).toContain('Apply it with nixpy doctor --project fixtures/demo --fix');
  });

  it('reads a pasted error from a pipe', () => {
    const r = nixpy(['doctor', '--project', 'fixtures/demo', '--json'], readFileSync(join(ERRORS, 'cv2-libgl.txt'), 'utf8'));
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.input.source).toBe('stdin');
    expect(doc.libraries[0]).toMatchObject({ soname: 'libGL.so.1', fromError: true, pick: 'libGL' });
  });

  it('runs `doctor -- CMD` through a real shell', () => {
    const r = nixpy([
      'doctor', '--project', 'fixtures/demo', '--json', '--',
      'sh', '-c', `echo "ImportError: libstdc++.so.6: cannot open shared object file: No such file or directory" 1>&2; exit 1`,
    ]);
    const doc = JSON.parse(r.out);
    expect(doc.input).toMatchObject({ source: 'command', exitCode: 1 });
    expect(doc.libraries[0]).toMatchObject({ soname: 'libstdc++.so.6', fromError: true, pick: 'stdenv.cc.cc.lib' });
  });

  it('check: exit 1 with the list; bad input: exit 2 in one line', () => {
    const r = nixpy(['check', '--project', 'fixtures/demo']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('libGL.so.1');
    const bad = nixpy(['check', '--project', 'fixtures/no-such-project']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('nixpy: fixtures/no-such-project: no such directory\n');
  });

  it('leaves the bundled demo untouched', () => {
    expect(readFileSync(join(DEMO, 'flake.nix'), 'utf8')).toContain('libs = [\n        pkgs.zlib\n      ];');
  });
});
