import type { VersionNeed } from '../elf/types.js';
import type { LinkMap } from './link-maps.js';
import type { VersionError } from './types.js';

/*
 * ld.so's symbol-version check (elf/dl-version.c _dl_check_map_versions), run once every object
 * is mapped: for each object in load order, each DT_VERNEED entry names a loaded file (matched
 * by name as find_needed does) and versions it must define in its DT_VERDEF. A version missing
 * there is "version `V' not found (required by X)": fatal for dlopen, listed by ldd. Not checked,
 * as ld.so does not check or only warns: a need on a file that was not found (ldd's trace mode
 * skips its stub), a library without DT_VERDEF ("no version information available"), and weak
 * needs (VER_FLG_WEAK). Libraries the model does not read (the virtual nixpkgs glibc, ld.so,
 * the vDSO) give no evidence either way.
 */

/** What a needed file provides: its path and the versions it defines. */
export interface Provider {
  path: string;
  verdef: readonly string[];
}

/** Name -> provider, for every name that reached a mapped file with version definitions. */
export function providersOf(maps: readonly LinkMap[]): Map<string, Provider> {
  const out = new Map<string, Provider>();
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i]!;
    if (m.info === null || m.info.verdef.length === 0) continue;
    const p: Provider = { path: m.name, verdef: m.info.verdef };
    for (const n of m.names) if (!out.has(n)) out.set(n, p);
    if (m.soname !== null && !out.has(m.soname)) out.set(m.soname, p);
  }
  return out;
}

/** The versions `neededBy`'s DT_VERNEED asks for that the providers lack, in file order (added
 * to `out`, which is returned). */
export function versionErrorsOf(
  neededBy: string,
  verneed: readonly VersionNeed[],
  providers: ReadonlyMap<string, Provider>,
  out: VersionError[] = [],
): VersionError[] {
  // Indexed loops: thousands of calls per scan, and a for-of in code V8 has not optimised (most
  // of a nixpy run: src/cli/tiering.ts) allocates an iterator (and a result per step).
  for (let i = 0; i < verneed.length; i++) {
    const need = verneed[i]!;
    const p = providers.get(need.file);
    if (p === undefined) continue;
    const missing = lacking(need, p.verdef);
    for (let j = 0; j < missing.length; j++) {
      out.push({ soname: need.file, version: missing[j]!, neededBy, path: p.path, defined: p.verdef });
    }
  }
  return out;
}

/**
 * Parsed objects are shared by every path that reaches the same file, so one need (libfoo's
 * need of libc.so.6) meets the same definitions (libc's) in thousands of closures: the last
 * answer is kept with each need, and nearly always asked again.
 */
const lastAnswer = new WeakMap<VersionNeed, { verdef: readonly string[]; lacking: readonly string[] }>();

/** The versions of `need`, in file order, that `verdef` lacks and that are not weak. */
function lacking(need: VersionNeed, verdef: readonly string[]): readonly string[] {
  const last = lastAnswer.get(need);
  if (last !== undefined && last.verdef === verdef) return last.lacking;
  const out = need.versions.filter((v) => !need.weak?.includes(v) && !verdef.includes(v));
  lastAnswer.set(need, { verdef, lacking: out });
  return out;
}
