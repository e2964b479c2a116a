import type { LibraryPathSource } from '../nix/index.js';
import type { ScanResult } from '../scan/types.js';
import type { Analysis, LibraryItem } from './analysis.js';
import { distributionOf, shortPath, versionOf, type DistIndex } from '../project/dists.js';
import type { Environment } from '../project/environment.js';
import type { LoaderFinding } from './error-text.js';
import type { VersionProblem } from './symbol-versions.js';
import type { AbiAdvice } from './abi-advice.js';
import type { RuntimeLoad, TypelibNeed } from './runtime-loads.js';
import type { InterpreterReport } from './runtime.js';

/**
 * The doctor's report: one model (DoctorReport, also the --json document). The CLI renders it
 * for people (src/cli/render/doctor.ts).
 */

export type InputSource = 'scan' | 'stdin' | 'command';

export interface PatchReport {
  /** The Nix file the patch is for (absolute). */
  file: string;
  /** Attributes the patch adds, in order. */
  add: string[];
  /** The patch puts the driver directory on the library path. */
  driverPath: boolean;
  /** Unified diff; '' when nothing changes. */
  diff: string;
  changed: boolean;
  /** --fix wrote it. */
  applied: boolean;
  /** What the patcher could not place, and why (no list found and none could be created, ...). */
  unplaced: { attr: string; reason: string }[];
  /** The patch creates LD_LIBRARY_PATH in a shell that had none. */
  createdLibraryPath: boolean;
  /** Every library-path source of the Nix file, what the patch did with it, and why. */
  sources: LibraryPathSource[];
}

export interface DistributionGroup {
  name: string;
  version: string | null;
  libraries: { soname: string; category: LibraryItem['category']; files: string[] }[];
}

/** `nixpy doctor --json` (documented in docs/json.md). Fields may be added, never renamed. */
export interface DoctorReport {
  /** The nixpkgs release the picks are spelled for, where it was read and why (issue 8). */
  nixpkgs: { release: string; source: string; reason: string };
  project: string;
  venv: string;
  nixFile: string | null;
  config: string | null;
  environment: Environment & { summary: string };
  input: {
    source: InputSource;
    command: string[] | null;
    exitCode: number | null;
    findings: LoaderFinding[];
  };
  /** For each library the error names: what to do about it, in one sentence. */
  /** `abi` is present for a symbol-version error: abiAdvice's data behind the verdict. */
  focus: { soname: string; verdict: string; abi?: AbiAdvice }[];
  /** Missing libraries grouped by the Python distribution whose files need them. */
  results: DistributionGroup[];
  /**
   * Every missing library once, with its candidates, pick and whether the Nix file covers it;
   * `fixedBy`: the attribute of the patched file that covers it (may differ from `pick` when
   * another addition already ships it); `onShellPath`: the shell's own LD_LIBRARY_PATH has a
   * file of that name.
   */
  libraries: (LibraryItem & { fixedBy: string | null; onShellPath: boolean })[];
  ignored: string[];
  /** [tool.nixpy] ignore entries that match nothing missing. */
  ignoreUnused: string[];
  unknown: { soname: string; nixLocate: string }[];
  versionProblems: VersionProblem[];
  nix: { file: string; attrs: string[]; driverPath: boolean; hasLibraryPath: boolean; covers: { attr: string; sonames: string[] }[] } | null;
  patch: PatchReport | null;
  /** How to reload the shell after the Nix file changed, or null. */
  reload: string | null;
  /** The command that applies the patch (`nixpy doctor ... --fix`). */
  fixCommand: string;
  /** Number of problems found; the exit code is 1 when it is not 0. */
  problems: number;
  scan: ScanResult;
  /** The venv's interpreter: which loader and which variable (`sink`) its libraries come from. */
  interpreter: InterpreterReport;
  /** Libraries the venv's Python code opens itself (ctypes, cffi), known or found in its sources. */
  runtime: RuntimeLoad[];
  /** Distributions that need GObject-introspection typelibs (GI_TYPELIB_PATH, not a library). */
  typelibs: TypelibNeed[];
}

export function nixLocateCommand(soname: string): string {
  return `nix-locate --top-level --whole-name lib/${soname}`;
}

const NOT_IN_SCAN = '(loaded at run time)';

export function groupResults(items: readonly LibraryItem[], dists: DistIndex): DistributionGroup[] {
  const groups = new Map<string, DistributionGroup>();
  const groupFor = (name: string): DistributionGroup => {
    let g = groups.get(name);
    if (!g) {
      g = { name, version: name === NOT_IN_SCAN ? null : versionOf(name, dists), libraries: [] };
      groups.set(name, g);
    }
    return g;
  };
  for (const it of items) {
    if (it.neededBy.length === 0 || (it.notInScan && it.distributions.length > 0)) {
      // A run-time load names the distributions that open it (the curated table names no file).
      for (const d of it.distributions.length > 0 ? it.distributions : [NOT_IN_SCAN]) {
        groupFor(d).libraries.push({ soname: it.soname, category: it.category, files: it.neededBy.filter((f) => distributionOf(f, dists) === d) });
      }
      continue;
    }
    const byDist = new Map<string, string[]>();
    for (const f of it.neededBy) {
      const d = distributionOf(f, dists);
      byDist.set(d, [...(byDist.get(d) ?? []), f]);
    }
    for (const [d, files] of byDist) groupFor(d).libraries.push({ soname: it.soname, category: it.category, files: files.sort() });
  }
  const out = [...groups.values()];
  for (const g of out) g.libraries.sort((a, b) => a.soname.localeCompare(b.soname));
  // Distributions with an error-named library first, then alphabetical; run-time loads last.
  const focus = new Set(items.filter((i) => i.fromError).map((i) => i.soname));
  const rank = (g: DistributionGroup): number => (g.libraries.some((l) => focus.has(l.soname)) ? 0 : g.name === NOT_IN_SCAN ? 2 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}

/** Problems that make the exit code 1 (see docs/json.md): what the user must still act on. */
export function countProblems(a: Analysis, coveredAfterFix: (it: LibraryItem) => boolean): number {
  let n = 0;
  for (const it of a.items) {
    if (it.category === 'package' || it.category === 'driver') {
      if (!coveredAfterFix(it)) n++;
    } else if (it.category === 'unknown') n++;
    else if (it.category === 'venv' && it.fromError) n++;
  }
  return n + a.versionProblems.length;
}

/** One sentence on what to do about a library the error names (the "focus" of the report). */
export function verdictFor(it: LibraryItem, nixFileName: string | null, reload: string | null): string {
  const file = nixFileName ?? 'the Nix file';
  if (it.errorPath) {
    // ld.so names the path itself only when that file cannot be opened: it is not there.
    return `the program asked for the exact path ${it.errorPath}, and no file is there: the package that should ship it is incomplete or was built for another setup; reinstall it (\`uv sync --reinstall\`).`;
  }
  switch (it.category) {
    case 'package':
      if (it.covered) return `${file} already has ${it.coveredBy}, but this shell has not loaded it: ${reload ?? 'reload the shell'}.`;
      if (!it.pick) return 'no attribute known for it.';
      return nixFileName ? `ships in \`pkgs.${it.pick}\`, which ${file} does not list yet: the change is below.` : `ships in \`pkgs.${it.pick}\`; there is no Nix file yet (\`nixpy init\`).`;
    case 'driver':
      return it.covered
        ? `a GPU driver library; ${file} has the driver path, so the driver itself is missing: enable it on the NixOS host (hardware.graphics, hardware.nvidia).`
        : `a GPU driver library: it comes from /run/opengl-driver/lib, which ${file} does not put on the library path yet: the change is below.`;
    case 'venv':
      return `shipped inside the venv (${(it.providedBy ?? []).map(shortPath).join(', ')}) but not on the search path of what loads it: import the package that ships it first, or put its directory on LD_LIBRARY_PATH.`;
    case 'unknown':
      return `nixpy knows no nixpkgs attribute for it: try \`${nixLocateCommand(it.soname)}\`.`;
    case 'glibc':
      return it.note ?? 'provided by glibc.';
  }
}
