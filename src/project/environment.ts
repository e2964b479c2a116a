import { readFileSync, existsSync } from 'node:fs';
import type { EnvName } from '../loader/types.js';

/**
 * Where doctor runs, and therefore what it can say: on NixOS the loader has no /usr/lib and no
 * ld.so cache; inside a Nix dev shell LD_LIBRARY_PATH is what the flake exported; elsewhere
 * nixpy models a NixOS loader so that the answer holds for the NixOS machine the project is for.
 */
export interface HostFacts {
  /** /etc/NIXOS exists. */
  nixosMarker: boolean;
  /** Contents of /etc/os-release, or null. */
  osRelease: string | null;
  env: Readonly<Record<string, string | undefined>>;
}

export interface Environment {
  nixos: boolean;
  /** IN_NIX_SHELL's value (`impure` for `nix develop`, `pure` for `--pure`), else null. */
  nixShell: 'pure' | 'impure' | null;
  /** direnv has loaded an .envrc (DIRENV_DIR set). */
  direnv: boolean;
  /** The LD_LIBRARY_PATH the model uses, split as ld.so splits it (empty entries dropped). */
  ldLibraryPath: string[];
  /** How many of those entries point into /nix/store (a dev shell's library path). */
  storeEntries: number;
  /** The loader model in use. */
  model: EnvName;
}

export function readHostFacts(env: Readonly<Record<string, string | undefined>>): HostFacts {
  let osRelease: string | null = null;
  try {
    osRelease = readFileSync('/etc/os-release', 'utf8');
  } catch {
    osRelease = null;
  }
  return { nixosMarker: existsSync('/etc/NIXOS'), osRelease, env };
}

/** `ID=nixos` (quoted or not) in os-release. */
export function osReleaseIsNixos(osRelease: string | null): boolean {
  if (!osRelease) return false;
  return /^ID=["']?nixos["']?\s*$/m.test(osRelease);
}

export function splitLdLibraryPath(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(/[:;]/).filter((e) => e !== '');
}

/** This machine runs NixOS: /etc/NIXOS, or os-release says so. */
export function hostIsNixos(facts: HostFacts): boolean {
  return facts.nixosMarker || osReleaseIsNixos(facts.osRelease);
}

export function detectEnvironment(facts: HostFacts, model: EnvName, ldLibraryPath: string | undefined): Environment {
  const shell = facts.env.IN_NIX_SHELL;
  const entries = splitLdLibraryPath(ldLibraryPath);
  return {
    nixos: hostIsNixos(facts),
    nixShell: shell === 'pure' ? 'pure' : shell !== undefined && shell !== '' ? 'impure' : null,
    direnv: Boolean(facts.env.DIRENV_DIR),
    ldLibraryPath: entries,
    storeEntries: entries.filter((e) => e.startsWith('/nix/store/')).length,
    model,
  };
}

/** Two short sentences: where nixpy runs, and the loader model it applies. */
export function describeEnvironment(e: Environment): string {
  const direnv = e.direnv ? ' (direnv)' : '';
  const where = e.nixos
    ? e.nixShell
      ? `On NixOS, inside a Nix dev shell${direnv}.`
      : 'On NixOS, outside a Nix dev shell.'
    : e.nixShell
      ? `In a Nix dev shell${direnv} on another Linux.`
      : 'Not on NixOS and not in a Nix dev shell.';
  const model =
    e.model === 'nixos'
      ? "NixOS's loader (no /usr/lib, no ld.so cache: only glibc's own libraries by default)"
      : "this machine's loader (its ld.so cache and default directories)";
  const path =
    e.ldLibraryPath.length === 0
      ? 'no LD_LIBRARY_PATH'
      : `LD_LIBRARY_PATH with ${e.ldLibraryPath.length} ${e.ldLibraryPath.length === 1 ? 'entry' : 'entries'}` +
        (e.storeEntries > 0 ? ` (${e.storeEntries} in /nix/store)` : '');
  return `${where} Model: ${model}, ${path}.`;
}
