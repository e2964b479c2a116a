import type { Category, ScanResult } from '../scan/types.js';
import type { Candidate as IndexCandidate, Resolution as IndexResolution } from '../nixpkgs/index.js';
import type { EnvName } from '../loader/types.js';
import type { Release } from '../nixpkgs/releases.js';
import type { LibraryPathSource, PatchOutcome as NixPatchOutcome } from '../nix/index.js';
import type { SinkVia } from '../nix/library-path.js';

/**
 * What doctor, check and init need from the other stages (scanner, resolver, Nix patcher), as
 * one narrow interface. The commands get the real one (engine-real.ts); the logic in
 * analysis.ts depends only on this shape.
 */

/** The resolver's candidate, with only what doctor reads required (fakes in tests give less). */
export type Candidate = Pick<IndexCandidate, 'attr' | 'why'> & Partial<Pick<IndexCandidate, 'output' | 'path' | 'source'>>;

export type Resolution = Pick<IndexResolution, 'soname' | 'category' | 'note'> & { candidates: Candidate[] };

export interface NixLists {
  /** Attribute paths (after `pkgs.`) in the list(s) that feed the library path. */
  readonly attrs: readonly string[];
  /** The GPU driver directory is on the library path. */
  readonly driverPath: boolean;
  /** The shell sets a library path at all. */
  readonly hasLibraryPath: boolean;
}

/**
 * The patcher's outcome as the plan reads it: the driver directory reported apart
 * (`driverAdded`), not among the attributes; `sources` optional for fakes in tests.
 */
export type PatchOutcome = Omit<NixPatchOutcome, 'sources'> & { driverAdded: boolean; sources?: LibraryPathSource[] };

export interface ScanRequest {
  env: EnvName;
  ldLibraryPath?: string;
  /** e_machine of the venv's interpreter (plan/runtime.ts); default x86-64. */
  machine?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface Engine {
  scan(root: string, req: ScanRequest): Promise<PlanScan>;
  /** Ranked candidates for a soname; `preferAttrs` are attributes already in the Nix file. */
  resolve(soname: string, opts: { venvProviders: readonly string[]; preferAttrs: readonly string[]; release?: Release }): Resolution;
  /**
   * Sonames from one upstream with versioned attributes (FFmpeg, ICU, CUDA, ...), chosen together
   * per object: the attribute each soname's family fixes, or why no version provides them all.
   */
  families?(missing: readonly { soname: string; neededBy: readonly string[] }[], release?: Release): { picks: Map<string, string>; conflicts: Map<string, string> };
  /** Category of a soname that the scan did not report (one named in a pasted error). */
  classify(soname: string, venvProviders: readonly string[]): Category;
  /** The library lists of a Nix file; throws InputError when it does not parse. */
  lists(source: string, file: string, sinks?: readonly SinkVia[]): NixLists;
  /** `sinks`: the variables the venv's loader reads (plan/runtime.ts sinksFor); default both. */
  patch(source: string, file: string, add: readonly string[], driverPath: boolean, sinks?: readonly SinkVia[]): PatchOutcome;
  /** Does `existing` (in the Nix file) put the same library on the path as `wanted`? */
  covers(existing: string, wanted: string, soname?: string): boolean;
  /** DT_VERDEF names of a library file, or null when it cannot be read as ELF. */
  definedVersions(path: string): string[] | null;
}

/**
 * What the plan reads of a scan: the scan document, each object's venv path and DT_SONAME (for
 * the libraries an error names that the venv ships), and the versions each refusing library
 * defines. Never the loader's own types.
 */
export interface PlanScan {
  result: ScanResult;
  /** `glibc`: the highest GLIBC_2.x the object's DT_VERNEED asks for (weak needs left out). */
  objects: { path: string; soname: string | null; glibc: string | null }[];
  versionDefinitions: ReadonlyMap<string, readonly string[]>;
}

export type { ScanResult };
