import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EM_AARCH64, EM_X86_64 } from '../../src/elf/index.js';
import { judgeInterpreter, pyvenvHome, readInterpreterFacts, NIX_LD_PROFILE_LIB, type InterpreterFacts } from '../../src/project/interpreter.js';

const VENVS = join(import.meta.dirname, '../../fixtures/interpreter/venvs');

/** Facts read from a fixture venv, on a host described by `host`. */
function facts(venv: string, host: { nixos: boolean; env?: Record<string, string>; nixLdProfile?: boolean }): InterpreterFacts {
  const f = readInterpreterFacts(join(VENVS, venv), host.env ?? {}, host.nixos);
  return { ...f, hostMachine: EM_X86_64, nixLdProfile: host.nixLdProfile ?? false };
}

describe('pyvenv.cfg', () => {
  it('reads home as CPython does: key = value, any case, spaces around', () => {
    expect(pyvenvHome('home = /usr/bin\nversion = 3.12.1\n')).toBe('/usr/bin');
    expect(pyvenvHome('include-system-site-packages = false\r\nHome=/opt/py/bin  \r\n')).toBe('/opt/py/bin');
    expect(pyvenvHome('version = 3.12\n')).toBeNull();
    expect(pyvenvHome('home =\n')).toBeNull();
  });
});

describe('the interpreter decides the loader', () => {
  it('a Python from /nix/store: nixpkgs glibc and LD_LIBRARY_PATH', () => {
    const j = judgeInterpreter(facts('nix', { nixos: true, env: { LD_LIBRARY_PATH: '/nix/store/x-zlib/lib' } }));
    expect(j.interpreter).toEqual({ kind: 'nix', home: '/nix/store/0f9lzyk7v1hbcl2bmw8hqlxh3kcibl6a-python3-3.12.7/bin', via: null, machine: 'x86_64' });
    expect(j.sink).toBe('LD_LIBRARY_PATH');
    expect(j.libraryPath).toEqual(['/nix/store/x-zlib/lib']);
    expect(j.flavour).toBe('nix');
    expect(j.warnings).toEqual([]);
  });

  it("uv's python-build-standalone on NixOS with nix-ld: NIX_LD_LIBRARY_PATH after LD_LIBRARY_PATH", () => {
    const env = { NIX_LD: '/run/current-system/sw/share/nix-ld/lib/ld.so', NIX_LD_LIBRARY_PATH: '/nix/store/a-zlib/lib:/nix/store/b-gcc-lib/lib', LD_LIBRARY_PATH: '/some/lib' };
    const j = judgeInterpreter(facts('uv', { nixos: true, env }));
    expect(j.interpreter).toEqual({
      kind: 'foreign',
      home: '/home/alice/.local/share/uv/python/cpython-3.12.7-linux-x86_64-gnu/bin',
      via: 'nix-ld',
      machine: 'x86_64',
    });
    expect(j.flavour).toBe('uv');
    expect(j.sink).toBe('NIX_LD_LIBRARY_PATH');
    expect(j.libraryPath).toEqual(['/some/lib', '/nix/store/a-zlib/lib', '/nix/store/b-gcc-lib/lib']);
  });

  it('nix-ld from the NixOS module alone: its profile directory is the library path', () => {
    const j = judgeInterpreter(facts('pyenv', { nixos: true, nixLdProfile: true }));
    expect(j.interpreter.via).toBe('nix-ld');
    expect(j.flavour).toBe('pyenv');
    expect(j.libraryPath).toEqual([NIX_LD_PROFILE_LIB]);
    // The per-system variable wins over the plain one (nix-ld README, "Usage").
    const sys = judgeInterpreter(facts('pyenv', { nixos: true, nixLdProfile: true, env: { NIX_LD_LIBRARY_PATH: '/a', NIX_LD_LIBRARY_PATH_x86_64_linux: '/b' } }));
    expect(sys.libraryPath).toEqual(['/b']);
  });

  it('a foreign Python on NixOS without nix-ld: warned, not modelled as working', () => {
    const j = judgeInterpreter(facts('conda', { nixos: true }));
    expect(j.interpreter).toMatchObject({ kind: 'foreign', via: null });
    expect(j.flavour).toBe('conda');
    expect(j.warnings).toEqual([expect.stringMatching(/\/lib64\/ld-linux-x86-64\.so\.2 exists on NixOS only through nix-ld/)]);
  });

  it('a foreign Python elsewhere runs with the host loader: no nix-ld, no warning', () => {
    const j = judgeInterpreter(facts('uv', { nixos: false, env: { NIX_LD: '/x' } }));
    expect(j.interpreter.via).toBeNull();
    expect(j.warnings).toEqual([]);
  });

  it("bin/python's PT_INTERP outranks pyvenv.cfg (and stands in where there is none)", () => {
    const j = judgeInterpreter(facts('no-cfg', { nixos: false }));
    expect(j.interpreter).toEqual({ kind: 'foreign', home: null, via: null, machine: 'x86_64' });
    expect(j.target).toEqual({ machine: EM_X86_64, elfClass: 64, from: 'python' });
  });

  it("the machine comes from bin/python's ELF header: an aarch64 venv is aarch64", () => {
    const j = judgeInterpreter(facts('nix-aarch64', { nixos: true }));
    expect(j.interpreter).toMatchObject({ kind: 'nix', machine: 'aarch64' });
    expect(j.target).toEqual({ machine: EM_AARCH64, elfClass: 64, from: 'python' });
    const uv = judgeInterpreter(facts('uv-aarch64', { nixos: true, env: { NIX_LD_aarch64_linux: '/x', NIX_LD_LIBRARY_PATH_aarch64_linux: '/y' } }));
    expect(uv.interpreter).toMatchObject({ kind: 'foreign', via: 'nix-ld', machine: 'aarch64' });
    expect(uv.libraryPath).toEqual(['/y']);
  });

  it('without bin/python: home decides the kind, the host the machine, and it says so', () => {
    const j = judgeInterpreter(facts('cfg-only', { nixos: false }));
    expect(j.interpreter).toEqual({ kind: 'foreign', home: '/home/alice/.pyenv/versions/3.11.9/bin', via: null, machine: 'x86_64' });
    expect(j.target.from).toBe('host');
    expect(j.warnings).toEqual([expect.stringMatching(/bin\/python could not be read/)]);
  });

  it('nothing to go on: unknown', () => {
    const j = judgeInterpreter({ pyvenvCfg: null, python: null, hostMachine: EM_X86_64, nixos: true, env: {}, nixLdProfile: false });
    expect(j.interpreter).toEqual({ kind: 'unknown', home: null, via: null, machine: 'x86_64' });
  });
});
