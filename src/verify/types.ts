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
