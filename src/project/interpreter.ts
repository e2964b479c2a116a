import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine, ElfError, hostMachine, readElfFile } from '../elf/index.js';
import type { SinkVia } from '../nix/sink.js';

/**
 * Which Python runs the venv decides which loader opens its libraries, and so where a fix must go:
 * - a Python from /nix/store runs with nixpkgs' glibc, whose ld.so reads LD_LIBRARY_PATH;
 * - a foreign Python (uv's python-build-standalone, pyenv, conda, a distribution's /usr/bin
 *   python) asks for /lib64/ld-linux-x86-64.so.2, which NixOS provides only through nix-ld. nix-ld
 *   starts nixpkgs' ld.so ($NIX_LD) and hands it NIX_LD_LIBRARY_PATH appended to LD_LIBRARY_PATH
 *   (nix-community/nix-ld README, "Seen by ld.so"; the NixOS module sets NIX_LD_LIBRARY_PATH to
 *   /run/current-system/sw/share/nix-ld/lib, modules/nix-ld.nix:82-83 at 588fa76375f9).
 */

export type InterpreterKind = 'nix' | 'foreign' | 'unknown';

/** The `interpreter` JSON field. */
export interface Interpreter {
  kind: InterpreterKind;
  /** pyvenv.cfg's `home`, or null when the venv has no pyvenv.cfg or no home line. */
  home: string | null;
  /** How a foreign Python runs on NixOS: through nix-ld, or (null) not at all / not on NixOS. */
  via: 'nix-ld' | null;
  /** The interpreter's machine as ld.so names it (`x86_64`, `aarch64`). */
  machine: string;
}

/** Everything the judgement needs, gathered by readInterpreterFacts (or given by a test). */
export interface InterpreterFacts {
  /** pyvenv.cfg's text, null when absent. */
  pyvenvCfg: string | null;
  /** bin/python as the kernel would start it: its real path, ELF machine, class and PT_INTERP. */
  python: { realPath: string; machine: number; elfClass: 32 | 64; interp: string | null } | null;
  /** The host's e_machine (Node's process.arch), used when bin/python cannot be read. */
  hostMachine: number | null;
  nixos: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** /run/current-system/sw/share/nix-ld/lib exists (programs.nix-ld.enable). */
  nixLdProfile: boolean;
}

export interface InterpreterJudgement {
  interpreter: Interpreter;
  /** e_machine and ELF class the venv loads (the loader model to use). */
  target: { machine: number; elfClass: 32 | 64; from: 'python' | 'host' };
  /** Where python came from, when the path says so. */
  flavour: 'nix' | 'uv' | 'pyenv' | 'conda' | 'system' | 'other' | null;
  /** The variable this interpreter's loader reads libraries from: where a fix goes. */
  sink: SinkVia;
  /** The library path the model should use (split like ld.so, empty entries dropped). */
  libraryPath: string[];
  /** nix-ld's own part of it (NIX_LD_LIBRARY_PATH or its default), empty when not under nix-ld. */
  nixLdPath: string[];
  warnings: string[];
}

export const NIX_LD_PROFILE_LIB = '/run/current-system/sw/share/nix-ld/lib';

/** `home = /path` (PEP 405: `key = value` lines; CPython's site.py matches keys case-insensitively). */
export function pyvenvHome(cfg: string): string | null {
  for (const line of cfg.split(/\r?\n/)) {
    const m = /^\s*home\s*=\s*(.*?)\s*$/i.exec(line);
    if (m) return m[1] === '' ? null : m[1]!;
  }
  return null;
}

function flavourOf(path: string): InterpreterJudgement['flavour'] {
  if (path.startsWith('/nix/store/')) return 'nix';
  if (/\/uv\/python\//.test(path)) return 'uv';
  if (/\/\.pyenv\/versions\//.test(path)) return 'pyenv';
  if (/\/(?:ana|mini)conda[^/]*\/|\/(?:mini|mamba)forge[^/]*\/|\/conda\/|\/envs\/[^/]+\/bin$/.test(path)) return 'conda';
  if (/^\/usr\/(?:local\/)?bin\/?$/.test(path)) return 'system';
  return 'other';
}

/** `x86_64_linux` as nix-ld spells the system in NIX_LD_LIBRARY_PATH_{system}. */
function nixSystem(machine: string): string {
  return `${machine}_linux`;
}

function split(value: string | undefined): string[] {
  return value ? value.split(':').filter((e) => e !== '') : [];
}

/** Judges the venv's interpreter from gathered facts: pure. */
export function judgeInterpreter(f: InterpreterFacts): InterpreterJudgement {
  const home = f.pyvenvCfg === null ? null : pyvenvHome(f.pyvenvCfg);
  const machineCode = f.python?.machine ?? f.hostMachine;
  const machine = machineCode === null ? 'unknown' : describeMachine(machineCode);
  const target = f.python
    ? { machine: f.python.machine, elfClass: f.python.elfClass, from: 'python' as const }
    : { machine: f.hostMachine ?? 0, elfClass: 64 as const, from: 'host' as const };
  // The program interpreter is what the kernel starts: the loader itself. It outranks `home`
  // (a venv created from a Nix Python has home in /nix/store and a store ld.so as PT_INTERP).
  const interp = f.python?.interp ?? null;
  // Where the interpreter lives: pyvenv.cfg says it; bin/python's real path says it too when
  // there is no pyvenv.cfg (a venv's bin/python is a link to, or a copy of, that interpreter).
  const where = home ?? f.python?.realPath ?? null;
  let kind: InterpreterKind;
  if (interp !== null) kind = interp.startsWith('/nix/store/') ? 'nix' : 'foreign';
  else if (where !== null) kind = where.startsWith('/nix/store/') ? 'nix' : 'foreign';
  else kind = 'unknown';

  const nixLd = f.env.NIX_LD !== undefined && f.env.NIX_LD !== '' ? true : f.nixLdProfile || f.env[`NIX_LD_${nixSystem(machine)}`] !== undefined;
  const via = kind === 'foreign' && f.nixos && nixLd ? ('nix-ld' as const) : null;
  const ld = split(f.env.LD_LIBRARY_PATH);
  let nixLdPath: string[] = [];
  const warnings: string[] = [];
  if (via === 'nix-ld') {
    const own = f.env[`NIX_LD_LIBRARY_PATH_${nixSystem(machine)}`] ?? f.env.NIX_LD_LIBRARY_PATH;
    nixLdPath = own === undefined ? [NIX_LD_PROFILE_LIB] : split(own);
  } else if (kind === 'foreign' && f.nixos) {
    warnings.push(
      `${where ?? 'the venv\'s python'} is not from /nix/store: its loader ${interp ?? '/lib64/ld-linux-x86-64.so.2'} exists on NixOS only ` +
        'through nix-ld (programs.nix-ld.enable = true), which is not set up here; without it this Python cannot start',
    );
  }
  if (f.python === null) warnings.push(`bin/python could not be read: assuming this machine's ${machine}`);
  return {
    interpreter: { kind, home, via, machine },
    target,
    flavour: where === null ? null : flavourOf(where),
    sink: via === 'nix-ld' ? 'NIX_LD_LIBRARY_PATH' : 'LD_LIBRARY_PATH',
    libraryPath: [...ld, ...nixLdPath],
    nixLdPath,
    warnings,
  };
}

/** Reads pyvenv.cfg and bin/python's ELF header; never runs the interpreter. */
export function readInterpreterFacts(
  venvRoot: string,
  env: Readonly<Record<string, string | undefined>>,
  nixos: boolean,
): InterpreterFacts {
  let pyvenvCfg: string | null = null;
  try {
    pyvenvCfg = readFileSync(join(venvRoot, 'pyvenv.cfg'), 'utf8');
  } catch {
    pyvenvCfg = null;
  }
  let python: InterpreterFacts['python'] = null;
  for (const name of ['bin/python', 'bin/python3']) {
    const p = join(venvRoot, name);
    try {
      const elf = readElfFile(p);
      python = { realPath: realpathSync.native(p), machine: elf.machine, elfClass: elf.elfClass, interp: elf.interp };
      break;
    } catch (err) {
      if (!(err instanceof ElfError) && (err as NodeJS.ErrnoException).code === undefined) throw err;
    }
  }
  return { pyvenvCfg, python, hostMachine: hostMachine(), nixos, env, nixLdProfile: existsSync(NIX_LD_PROFILE_LIB) };
}
