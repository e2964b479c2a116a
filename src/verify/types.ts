import type { ScanReport } from '../scan/index.js';

/** What verify reads of a scan: the document and the versions each refusing library defines. */
export type JudgedScan = Pick<ScanReport, 'result' | 'versionDefinitions'>;

/** `verify` object of `doctor --verify --json` / `check --verify --json` (docs/json.md). */
export type VerifyStatus = 'verified' | 'failed' | 'unavailable';

export interface VerifyFailure {
  /** Venv-relative path of the extension module that would not load, or the Nix file itself
   * when the shell did not evaluate or build. */
  file: string;
  soname?: string;
  reason: string;
}

export interface VerifyResult {
  status: VerifyStatus;
  /** The library path of the shell with the change applied: realised directories, in order. */
  libraryPath: string[];
  failures: VerifyFailure[];
  /** Extension modules the loader model judged against that path (0 when it never ran). */
  objects: number;
}

/** What nixpy expects each added attribute to bring: the explanation of a failure names it. */
export interface Expectation {
  soname: string;
  /** Attribute path after `pkgs.`, e.g. `stdenv.cc.cc.lib`. */
  attr: string;
}

/** What the user's nixpkgs says about one expected attribute (null parts: it has none). */
export interface AttrInfo {
  attr: string;
  /** The output `lib.getLib` selects, as a store path, or null when the attribute is missing. */
  outPath: string | null;
  /** `name` of the package (pname-version), when it has one. */
  name: string | null;
}

/**
 * How the plan judges a venv, rerun by verify against the shell's realised library path. The
 * caller (the CLI, from the plan's engine) supplies it: classification and the symbol-version
 * advice are nixpkgs knowledge, which this module does not depend on.
 */
export interface VenvJudge {
  /** The scan under NixOS's loader model with this LD_LIBRARY_PATH (classification included). */
  scan(venv: string, ldLibraryPath: string): Promise<JudgedScan>;
  /** Modules ld.so would refuse for a symbol version their resolved library does not define,
   * each with its reason (versions needed, what the library provides, the way out). */
  versionFailures(report: JudgedScan): { file: string; soname: string; reason: string }[];
}
