import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/fix-cli.js';
import { recordingIo } from '../helpers/io.js';
import { main } from '../../src/cli/main.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const SHELL = [
  '{ pkgs ? import <nixpkgs> { } }:',
  'pkgs.mkShell {',
  '  packages = [ pkgs.uv ];',
  '  NIX_LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ];',
  '}',
  '',
].join('\n');
const NIX_LD_ENV = { NIX_LD: '/run/current-system/sw/share/nix-ld/lib/ld.so', NIX_LD_LIBRARY_PATH: '/nix/store/x-zlib/lib' };

/** A project whose .venv holds the runtime fixture's distributions and the given python. */
function project(python: 'python-foreign-x86_64' | 'python-nix-x86_64' | 'python-nix-aarch64', home: string, pyproject?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nixpy-runtime-cli-'));
  cpSync(join(FIXTURES, 'runtime/venv'), join(dir, '.venv'), { recursive: true });
  writeFileSync(join(dir, '.venv/pyvenv.cfg'), `home = ${home}\nversion = 3.12.7\n`);
  cpSync(join(FIXTURES, 'interpreter/bin', python), join(dir, '.venv/bin/python'), { recursive: false });
  writeFileSync(join(dir, 'shell.nix'), SHELL);
  if (pyproject !== undefined) writeFileSync(join(dir, 'pyproject.toml'), pyproject);
  return dir;
}
const UV_HOME = '/home/alice/.local/share/uv/python/cpython-3.12.7-linux-x86_64-gnu/bin';
const NIX_HOME = '/nix/store/0f9lzyk7v1hbcl2bmw8hqlxh3kcibl6a-python3-3.12.7/bin';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const make = (...a: Parameters<typeof project>): string => {
  const d = project(...a);
  dirs.push(d);
  return d;
};

describe('run-time loads and the interpreter, through the commands', () => {
  it('doctor: a uv Python under nix-ld gets its libraries in NIX_LD_LIBRARY_PATH', async () => {
    const dir = make('python-foreign-x86_64', UV_HOME, '[tool.nixpy]\nruntime-ignore = ["acme-scanner"]\n');
    const r = await runCli(['doctor', '--json'], dir, NIX_LD_ENV);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.interpreter).toMatchObject({ kind: 'foreign', home: UV_HOME, via: 'nix-ld', machine: 'x86_64', sink: 'NIX_LD_LIBRARY_PATH' });
    expect(doc.runtime.map((x: { dist: string; soname: string }) => `${x.dist} ${x.soname}`)).toContain('soundfile libsndfile.so.1');
    const snd = doc.libraries.find((l: { soname: string }) => l.soname === 'libsndfile.so.1');
    expect(snd).toMatchObject({ category: 'package', pick: 'libsndfile', distributions: ['soundfile'], notInScan: true });
    expect(doc.results.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['soundfile', 'pyzbar', 'pynvml']));
    expect(doc.patch.diff).toMatch(/NIX_LD_LIBRARY_PATH = pkgs\.lib\.makeLibraryPath \[[^\]]*pkgs\.libsndfile/);
    expect(doc.patch.createdLibraryPath).toBe(false);
    expect(doc.typelibs.map((t: { dist: string }) => t.dist)).toEqual(['PyGObject']);
    // The human report says where the libraries come from and what find_library needs.
    const human = (await runCli(['doctor', '--no-color'], dir, NIX_LD_ENV)).stdout.replace(/\s+/g, ' ');
    expect(human).toContain('through nix-ld: its libraries come from NIX_LD_LIBRARY_PATH');
    expect(human).toMatch(/pyzbar finds libzbar\.so\.0 only through ctypes\.util\.find_library/);
    expect(human).toContain('PyGObject needs GObject-introspection typelibs');
    expect(human).toContain('loaded at run time: no file lists it in DT_NEEDED');
  });

  it('doctor: the same shell does nothing for a Nix-store Python: LD_LIBRARY_PATH is made', async () => {
    const dir = make('python-nix-x86_64', NIX_HOME, '[tool.nixpy]\nruntime-ignore = ["acme-scanner"]\n');
    const doc = JSON.parse((await runCli(['doctor', '--json'], dir, NIX_LD_ENV)).stdout);
    expect(doc.interpreter).toMatchObject({ kind: 'nix', via: null, sink: 'LD_LIBRARY_PATH' });
    expect(doc.patch.createdLibraryPath).toBe(true);
    expect(doc.patch.diff).toMatch(/\+ {2}LD_LIBRARY_PATH = pkgs\.lib\.makeLibraryPath \[/);
  });

  it('a foreign Python without nix-ld is warned about', async () => {
    const dir = make('python-foreign-x86_64', UV_HOME);
    const doc = JSON.parse((await runCli(['doctor', '--json'], dir, {})).stdout);
    expect(doc.interpreter.via).toBeNull();
    expect(doc.interpreter.warnings).toEqual([expect.stringMatching(/only through nix-ld/)]);
  });

  it('check counts required run-time loads; runtime-ignore turns a distribution off', async () => {
    const dir = make('python-foreign-x86_64', UV_HOME, '[tool.nixpy]\nruntime-ignore = ["acme-scanner"]\n');
    const r = await runCli(['check', '--json'], dir, NIX_LD_ENV);
    expect(r.code).toBe(1);
    const missing = JSON.parse(r.stdout).missing.map((m: { soname: string; attr: string | null }) => `${m.soname} ${m.attr}`);
    expect(missing).toEqual(expect.arrayContaining(['libsndfile.so.1 libsndfile', 'libzbar.so.0 zbar', 'libnvidia-ml.so.1 null']));
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.nixpy]\nruntime-ignore = ["acme-scanner", "soundfile"]\n');
    const off = JSON.parse((await runCli(['check', '--json'], dir, NIX_LD_ENV)).stdout);
    expect(off.missing.some((m: { soname: string }) => m.soname === 'libsndfile.so.1')).toBe(false);
    expect(off.runtime.some((x: { dist: string }) => x.dist === 'soundfile')).toBe(false);
  });

  it('fix writes the run-time libraries where the interpreter reads them', async () => {
    const dir = make('python-foreign-x86_64', UV_HOME, '[tool.nixpy]\nruntime-ignore = ["acme-scanner"]\n');
    const r = await runCli(['fix', '--json'], dir, NIX_LD_ENV);
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, 'shell.nix'), 'utf8');
    expect(text).toMatch(/NIX_LD_LIBRARY_PATH = pkgs\.lib\.makeLibraryPath \[[^\]]*pkgs\.libsndfile[^\]]*\]/);
    expect(text).not.toMatch(/^ {2}LD_LIBRARY_PATH/m);
  });

  it("init writes the flake for the venv's machine: an aarch64 Python gets aarch64-linux", async () => {
    const dir = make('python-nix-aarch64', NIX_HOME, '[tool.nixpy]\nruntime-ignore = ["acme-scanner"]\n');
    rmSync(join(dir, 'shell.nix'));
    const r = await runCli(['init', '--dry-run', '--json'], dir, {});
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.text).toContain('system = "aarch64-linux";');
    // The run-time loads go into the new flake too.
    expect(doc.attrs).toEqual(expect.arrayContaining(['libsndfile', 'zbar', 'file']));
  });

  it("a pasted PyGObject error is answered with GI_TYPELIB_PATH, not a library", async () => {
    const dir = make('python-nix-x86_64', NIX_HOME, '[tool.nixpy]\nruntime-ignore = ["acme-scanner"]\n');
    const text = readFileSync(join(FIXTURES, 'doctor/errors/gi-namespace-version.txt'), 'utf8');
    const io = recordingIo({ env: { PATH: process.env.PATH }, cwd: dir, readStdin: async () => text });
    await main(['doctor', '--no-color'], io);
    const out = io.out.replace(/\s+/g, ' ');
    expect(out).toContain('ValueError: Namespace Gtk not available for version 3.0');
    expect(out).toContain('→ Gtk: a GObject-introspection typelib, found through GI_TYPELIB_PATH, not the library path');
    expect(out).toContain('nix-locate --whole-name Gtk-3.0.typelib');
  });
});
