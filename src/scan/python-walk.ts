import { closeSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { findLoadCalls, TRIGGERS, type LoadCall } from './python-loads.js';
import { namesIn, siteDirs } from './site-dirs.js';
import { fileName, SO_NAME } from './walk.js';

/**
 * Reads a venv's Python files for library-loading calls (python-loads.ts), within fixed bounds:
 * a venv of tens of thousands of files can neither make the pass slow nor hang it. Text only:
 * nothing is imported or run. What the calls mean (which package, which nixpkgs attribute) is
 * judged by the plan.
 */

/** One call found, where it sits (venv-relative file). */
export interface FoundCall {
  file: string;
  call: LoadCall;
}

export interface PythonWalk {
  calls: FoundCall[];
  /** Shared-object files of site-packages by file name (libfoo.so.1 -> its venv-relative paths). */
  soFiles: ReadonlyMap<string, readonly string[]>;
  /** What the pass read, and why it stopped early (null when it read everything). */
  pass: { files: number; bytes: number; truncated: string | null };
}

export interface PythonWalkOptions {
  /** Files not to read (a distribution turned off in [tool.nixpy]). */
  skip?: (rel: string) => boolean;
  maxFiles?: number;
  maxBytes?: number;
  maxFileBytes?: number;
  /** Milliseconds; the pass stops (and says so) once this much time has gone by. */
  timeBudgetMs?: number;
  now?: () => number;
}

/**
 * The venv's site-packages directories (site-dirs.ts), each real directory once: `python -m
 * venv` links lib64 to lib, and reading both would count every file twice.
 */
function sitePackagesDirs(root: string): string[] {
  const seen = new Set<string>();
  return siteDirs(root, ['site-packages']).filter((rel) => {
    let real: string;
    try {
      real = realpathSync.native(`${root}/${rel}`);
    } catch {
      return false;
    }
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

/**
 * The .py and shared-object files under one site-packages, venv-relative, without following
 * links. Test suites are left out (they are not what the program loads, and may open
 * anything), and so is __pycache__ (bytecode only). A plain readdir walk: the directory
 * listing gives each entry's type, so no file is stat'ed to be listed.
 */
function listSources(root: string, sp: string): string[] {
  const out: string[] = [];
  const dirs = [sp];
  for (let i = 0; i < dirs.length; i++) {
    const dir = dirs[i]!;
    let entries: Dirent[];
    try {
      entries = readdirSync(`${root}/${dir}`, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (e.name !== 'tests' && e.name !== 'test' && e.name !== '__pycache__') dirs.push(`${dir}/${e.name}`);
      } else if (e.isFile() && (e.name.endsWith('.py') || SO_NAME.test(e.name))) {
        out.push(`${dir}/${e.name}`);
      }
    }
  }
  return out;
}
/** Enough for a venv with torch, tensorflow and jax (about 30 000 .py files, 400 MB). */
const DEFAULTS = { maxFiles: 60_000, maxBytes: 512 * 1024 * 1024, maxFileBytes: 2 * 1024 * 1024, timeBudgetMs: 20_000 };

/**
 * Code for other platforms inside a package (pyglet/libs/darwin/, pyglet/libs/win32/): what it
 * loads (AppKit, CoreFoundation, user32) is never looked for on Linux.
 */
const OTHER_PLATFORM_DIR = /\/(?:darwin|macos|macosx|osx|cocoa[a-z]*|win32|win64|windows|wgl|uwp)\//i;

/**
 * One buffer for every file's first read: most source files fit in it, so a file costs an open,
 * one read and a close, with no fstat and no allocation (17,442 files on the bench venv).
 */
const HEAD = Buffer.allocUnsafe(64 * 1024);

/**
 * Reads at most `max` bytes of a file; null when unreadable. `text` is '' when no trigger word
 * occurs in the bytes: most files have none, and decoding them would be the pass's main cost.
 */
function readHead(abs: string, max: number): { text: string; bytes: number } | null {
  let fd: number | null = null;
  try {
    fd = openSync(abs, 'r');
    let view = HEAD.subarray(0, readFrom(fd, HEAD.subarray(0, Math.min(max, HEAD.length)), 0));
    if (view.length === HEAD.length && max > HEAD.length) {
      // Larger than the shared buffer: the rest, up to `max`, into a buffer of its own.
      const whole = Buffer.allocUnsafe(Math.min(fstatSync(fd).size, max));
      view.copy(whole);
      view = whole.subarray(0, view.length + readFrom(fd, whole.subarray(view.length), view.length));
    }
    return { text: TRIGGERS.some((t) => view.includes(t)) ? view.toString('utf8') : '', bytes: view.length };
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Fills `into` from `position` on, short only at the end of the file; the bytes read. */
function readFrom(fd: number, into: Buffer, position: number): number {
  let got = 0;
  while (got < into.length) {
    const r = readSync(fd, into, got, into.length - got, position + got);
    if (r === 0) break;
    got += r;
  }
  return got;
}

/** The files the pass reads, and the shared objects beside them. */
export interface PythonSources {
  /** Venv-relative .py files of every site-packages, sorted: the order the pass reads them in. */
  py: string[];
  soFiles: Map<string, string[]>;
}

export function listPythonSources(venvRoot: string): PythonSources {
  const files = sitePackagesDirs(venvRoot)
    .flatMap((sp) => listSources(venvRoot, sp))
    .sort();
  const py: string[] = [];
  const soFiles = new Map<string, string[]>();
  for (const f of files) {
    if (f.endsWith('.py')) py.push(f);
    else {
      const base = fileName(f);
      soFiles.set(base, [...(soFiles.get(base) ?? []), f]);
    }
  }
  return { py, soFiles };
}

/**
 * Where a pass over one list stands, in an Int32Array that every thread reading the list shares
 * (over a SharedArrayBuffer when two take part): the next index nobody has claimed, the files
 * and bytes read so far, and whether a bound has stopped the pass.
 */
const NEXT = 0;
const FILES = 1;
const BYTES = 2;
const STOPPED = 3;
export const PASS_STATE_BYTES = 4 * Int32Array.BYTES_PER_ELEMENT;

/** Files claimed at a time: few enough that two threads finish close together. */
const BATCH = 16;

/** A call found, with its file's index in the list: threads read out of order, the index restores it. */
export interface IndexedCall {
  index: number;
  call: LoadCall;
}

/** What one thread found, how many files it read, and the bound that stopped it (null when none did). */
export interface PassPart {
  calls: IndexedCall[];
  files: number;
  truncated: string | null;
}

/**
 * Reads the files of `py` this thread claims, BATCH at a time, until none is left or a bound is
 * reached; the bounds count what every thread has read. One thread alone reads the list in
 * order and stops where a plain loop would.
 */
export function readClaimed(venvRoot: string, py: readonly string[], state: Int32Array, opts: PythonWalkOptions = {}): PassPart {
  // Bytes are counted in an Int32: a bound past 1 GiB would be past what the counter holds.
  const bounds = { ...DEFAULTS, ...opts, maxBytes: Math.min(opts.maxBytes ?? DEFAULTS.maxBytes, 2 ** 30) };
  const now = opts.now ?? (() => performance.now());
  const start = now();
  const calls: IndexedCall[] = [];
  let files = 0;
  for (let first = Atomics.add(state, NEXT, BATCH); first < py.length; first = Atomics.add(state, NEXT, BATCH)) {
    for (let i = first; i < Math.min(first + BATCH, py.length); i++) {
      const truncated = Atomics.load(state, STOPPED) === 1 ? '' : boundReached(state, bounds, now() - start);
      if (truncated !== null) {
        Atomics.store(state, STOPPED, 1);
        return { calls, files, truncated: truncated === '' ? null : truncated };
      }
      const rel = py[i] as string;
      if (OTHER_PLATFORM_DIR.test(rel) || opts.skip?.(rel)) continue;
      const head = readHead(`${venvRoot}/${rel}`, Math.min(bounds.maxFileBytes, bounds.maxBytes - Atomics.load(state, BYTES)));
      Atomics.add(state, FILES, 1);
      files++;
      if (head === null) continue;
      Atomics.add(state, BYTES, head.bytes);
      for (const call of findLoadCalls(head.text)) calls.push({ index: i, call });
    }
  }
  return { calls, files, truncated: null };
}

function boundReached(state: Int32Array, b: typeof DEFAULTS, elapsed: number): string | null {
  const read = Atomics.load(state, FILES);
  const bytes = Atomics.load(state, BYTES);
  if (read >= b.maxFiles) return `stopped after ${read} files (limit ${b.maxFiles})`;
  if (bytes >= b.maxBytes) return `stopped after ${bytes} bytes (limit ${b.maxBytes})`;
  if (elapsed > b.timeBudgetMs) return `stopped after ${read} files: time budget of ${b.timeBudgetMs} ms spent`;
  return null;
}

/** The parts of one pass as one walk: every call in the list's order, the totals, the first bound met. */
export function joinParts(sources: PythonSources, parts: readonly PassPart[], state: Int32Array): PythonWalk {
  // A stable sort: each file is read whole by one thread, so its calls keep their order.
  const calls = parts
    .flatMap((p) => p.calls)
    .sort((a, b) => a.index - b.index)
    .map(({ index, call }) => ({ file: sources.py[index] as string, call }));
  const truncated = parts.find((p) => p.truncated !== null)?.truncated ?? null;
  return { calls, soFiles: sources.soFiles, pass: { files: Atomics.load(state, FILES), bytes: Atomics.load(state, BYTES), truncated } };
}

/** The pass in this thread alone. */
export function walkPythonLoads(venvRoot: string, opts: PythonWalkOptions = {}): PythonWalk {
  const sources = listPythonSources(venvRoot);
  const state = new Int32Array(PASS_STATE_BYTES / Int32Array.BYTES_PER_ELEMENT);
  return joinParts(sources, [readClaimed(venvRoot, sources.py, state, opts)], state);
}

/**
 * Whether a file matching `glob` exists under one of the venv's site-packages. The globs are the
 * runtime table's `bundled` column: a path whose last part may hold `*` (any characters but
 * `/`, a leading dot included) and `?`; other glob syntax, or a wildcard in a directory, is
 * refused as a table error. Links are followed, as the loader would.
 */
export function sitePackagesHas(venvRoot: string, glob: string): boolean {
  const slash = glob.lastIndexOf('/');
  const dir = glob.slice(0, slash + 1);
  if (/[*?]/.test(dir) || /[[\]{}]/.test(glob)) throw new Error(`${glob}: only \`*\` and \`?\`, and only in the file name, are supported`);
  const name = new RegExp(`^${[...glob.slice(slash + 1)].map(globChar).join('')}$`);
  return sitePackagesDirs(venvRoot).some((sp) => {
    const at = `${venvRoot}/${sp}/${dir}`;
    return namesIn(at).some((n) => name.test(n) && statSync(at + n, { throwIfNoEntry: false })?.isFile() === true);
  });
}

const globChar = (c: string): string => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'));
