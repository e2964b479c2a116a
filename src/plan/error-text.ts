/**
 * Recognises the dynamic loader's complaints inside whatever a user pastes: a Python traceback,
 * ctypes' OSError, an executable's "error while loading shared libraries", uv's or pytest's
 * captured output, and the messages of libraries Python code opens itself (runtime-error-text.ts).
 * Text in, findings out, in the order they first appear; the only thing read is the shipped
 * soname index (to turn `sndfile` or `libsndfile.so` into libsndfile.so.1).
 */

import { RUNTIME_ANCHORS, runtimeHits, sonameForLibraryName } from './runtime-error-text.js';

/** `libGL.so.1: cannot open shared object file` (a soname, or a path given to dlopen). */
export interface MissingLibraryFinding {
  kind: 'missing-library';
  /** The file name the loader looked for (basename when the message names a path). */
  soname: string;
  /** The path as written when the message names one (`/abs/libfoo.so`), else null. */
  path: string | null;
  /** The line of the input that says it, trimmed. */
  line: string;
  /**
   * The library as a runtime loader's message names it when that is not the soname: a
   * find_library name (`sndfile`, `cairo-2`) or a link-time name (`libsndfile.so`). Absent
   * when the message gives the soname itself.
   */
  name?: string;
}

/** ``/x/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /y.so)``. */
export interface MissingVersionFinding {
  kind: 'missing-version';
  /** e.g. `GLIBCXX_3.4.32`. */
  version: string;
  /** The library that lacks it, as the message names it (often an absolute path), or null. */
  library: string | null;
  /** Its soname: the basename of `library`, or inferred from the version's family. */
  soname: string | null;
  /** The object that needs the version, or null when the message does not say. */
  requiredBy: string | null;
  /** GCC version of the library's store path (`/nix/store/…-gcc-12.3.0-lib/…` -> `12.3.0`), or null. */
  gccVersion: string | null;
  /** glibc version of the library's store path (`/nix/store/…-glibc-2.37-45/…` -> `2.37`), or null. */
  glibcVersion: string | null;
  line: string;
}

/**
 * PyGObject's `Namespace Gtk not available`: a GObject-introspection typelib is not on
 * GI_TYPELIB_PATH. No library path fixes it, so it names no soname.
 */
export interface MissingTypelibFinding {
  kind: 'missing-typelib';
  namespace: string;
  /** `for version 3.0`, when the message says it. */
  version: string | null;
  soname: null;
  line: string;
}

export type LoaderFinding = MissingLibraryFinding | MissingVersionFinding | MissingTypelibFinding;

// Parsing works outward from fixed anchors ("cannot open shared object file", "not found")
// over bounded windows, never with an unanchored pattern over the whole text: a pasted log can
// hold megabyte-long lines (minified JSON, base64) on which a backtracking regex would hang.
const CANNOT_OPEN = 'cannot open shared object file';
const NOT_FOUND = 'not found';
/** Longest file name or path considered (PATH_MAX). */
const MAX_NAME = 4096;
/** Characters that end a file name when reading backwards from the loader's colon. */
const NAME_STOP = new Set([' ', '\t', ':', "'", '"', '`', '‘', '’', '(', ')', '[', ']', '{', '}', '<', '>', ',', ';', '=']);
/** Quotes and brackets around a version name: `X', 'X', ‘X’, (X. */
const QUOTES = /^[`'‘’"([]+|[`'‘’")\]:,]+$/g;
const VERSION_NAME = /^[A-Za-z][A-Za-z0-9_]*_[0-9]+(?:\.[0-9]+)*$/;
const SO_SUFFIX = /^(?:\.[0-9A-Za-z_+-]+)*$/;

/** Does `name` look like a shared object file name (`libfoo.so`, `libfoo.so.1.2`, `/x/libfoo.so.6`)? */
function isSharedObjectName(name: string): boolean {
  for (let i = name.indexOf('.so'); i >= 0; i = name.indexOf('.so', i + 1)) {
    if (i > 0 && SO_SUFFIX.test(name.slice(i + 3))) return true;
  }
  return false;
}

/** The whitespace-free word that ends at `end` (exclusive) in `line`, at most `max` long. */
function wordBefore(line: string, end: number, max: number): { word: string; start: number } {
  let start = end;
  while (start > 0 && end - start < max && !/\s/.test(line[start - 1]!)) start--;
  return { word: line.slice(start, end), start };
}

function skipSpacesBack(line: string, i: number): number {
  while (i > 0 && (line[i - 1] === ' ' || line[i - 1] === '\t')) i--;
  return i;
}

/** The library a symbol-version family belongs to, when the message does not name one. */
export function sonameForVersionFamily(version: string): string | null {
  if (/^GLIBCXX_|^CXXABI_/.test(version)) return 'libstdc++.so.6';
  if (/^GLIBC_/.test(version)) return 'libc.so.6';
  if (/^GCC_/.test(version)) return 'libgcc_s.so.1';
  return null;
}

// nixpkgs' store names for gcc's runtime outputs (`gcc-12.3.0-lib`, `gcc-14.2.1.20250322-lib`,
// `xgcc-13.2.0-libgcc`) and for glibc (`glibc-2.37-45`, `glibc-2.31`): the name is
// `<pname>-<version>[-<output>]` after the 32-character hash (Nix's store path rule). People
// shorten the hash when they paste (`/nix/store/…-gcc-12.3.0-lib/`), so `…` and `...` stand for it.
const STORE_GCC = /^\/nix\/store\/(?:[0-9a-z]{32}|…|\.\.\.)-x?gcc-([0-9]+\.[0-9]+\.[0-9]+)(?:\.[0-9]+)?-lib(?:gcc)?\//;
const STORE_GLIBC = /^\/nix\/store\/(?:[0-9a-z]{32}|…|\.\.\.)-glibc-(2\.[0-9]+)(?:-[0-9]+)?(?:-[a-z]+)?\//;

/** The GCC version a store path names (`…-gcc-12.3.0-lib/lib/libstdc++.so.6` -> `12.3.0`). */
export function gccVersionOfPath(path: string | null): string | null {
  return path ? (STORE_GCC.exec(path)?.[1] ?? null) : null;
}

/** The glibc version a store path names (`…-glibc-2.37-45/lib/libc.so.6` -> `2.37`). */
export function glibcVersionOfPath(path: string | null): string | null {
  return path ? (STORE_GLIBC.exec(path)?.[1] ?? null) : null;
}

// A terminal or a pager can break `not found` across lines (`not foun│` / `d (required by …)`).
const BOX = /[│┃|]\s*$/;

/** Joins lines a terminal broke inside `not found`; only a few characters either side are read. */
function unwrapLines(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    while (i + 1 < lines.length && !line.includes(NOT_FOUND)) {
      // Bounded windows: the last 24 characters of this line, the first 16 of the next.
      const tail = line.slice(-24).replace(/\r$/, '').replace(BOX, '');
      // A wrapped line goes on in the first column (a pane border may precede it): keep its spaces.
      const rest = lines[i + 1]!.replace(/^[│┃|]/, '');
      const next = rest.slice(0, 16);
      if (!(tail.slice(-16) + next.slice(0, 16)).includes(NOT_FOUND)) break;
      if (!/version|GLIBC|CXXABI|GCC_/.test(line.slice(-200))) break;
      line = line.slice(0, Math.max(0, line.length - 24)) + tail + rest;
      i++;
    }
    out.push(line);
  }
  return out;
}

/**
 * All loader findings in `text`, deduplicated (a traceback often repeats the message), in the
 * order they first appear.
 */
export function parseLoaderErrors(text: string): LoaderFinding[] {
  const found: LoaderFinding[] = [];
  const seen = new Set<string>();
  const add = (key: string, finding: LoaderFinding): void => {
    if (seen.has(key)) return;
    seen.add(key);
    found.push(finding);
  };
  const bare: { version: string; line: string; order: number }[] = [];

  for (const rawLine of unwrapLines(text.split('\n'))) {
    if (!rawLine.includes(CANNOT_OPEN) && !rawLine.includes(NOT_FOUND) && !RUNTIME_ANCHORS.some((a) => rawLine.includes(a))) continue;
    // ANSI colour codes (pytest, rich tracebacks) would split names; \r from CRLF input.
    const line = rawLine.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
    const shown = line.trim();
    const events: { at: number; run: () => void }[] = [];

    for (let k = line.indexOf(CANNOT_OPEN); k >= 0; k = line.indexOf(CANNOT_OPEN, k + 1)) {
      // `<name>: cannot open shared object file`: back over the colon to the name.
      let j = skipSpacesBack(line, k);
      if (j === 0 || line[j - 1] !== ':') continue;
      j = skipSpacesBack(line, j - 1);
      let start = j;
      while (start > 0 && j - start < MAX_NAME && !NAME_STOP.has(line[start - 1]!)) start--;
      const raw = line.slice(start, j);
      if (!isSharedObjectName(raw)) continue;
      const file = raw.slice(raw.lastIndexOf('/') + 1);
      // A link-time name (cffi's dlopen('libsndfile.so')) stands for the versioned soname.
      const soname = /\.so$/.test(file) ? sonameForLibraryName(file.slice(0, -3)) : file;
      const finding: MissingLibraryFinding = { kind: 'missing-library', soname, path: raw.includes('/') ? raw : null, line: shown };
      if (soname !== file) finding.name = file;
      events.push({ at: k, run: () => add(raw.includes('/') ? `lib:${raw}` : `lib:${soname}`, finding) });
    }

    for (const hit of runtimeHits(line)) {
      if (hit.kind === 'typelib') {
        const { namespace, version } = hit;
        events.push({
          at: hit.at,
          run: () => add(`gi:${namespace}`, { kind: 'missing-typelib', namespace, version, soname: null, line: shown }),
        });
        continue;
      }
      const finding: MissingLibraryFinding = { kind: 'missing-library', soname: hit.soname, path: null, line: shown };
      if (hit.name !== undefined) finding.name = hit.name;
      events.push({ at: hit.at, run: () => add(`lib:${hit.soname}`, finding) });
    }

    for (let k = line.indexOf(NOT_FOUND); k >= 0; k = line.indexOf(NOT_FOUND, k + 1)) {
      // `... version `X' not found (required by Y)` or a bare `X not found`.
      const v = wordBefore(line, skipSpacesBack(line, k), 200);
      const version = v.word.replace(QUOTES, '');
      if (!VERSION_NAME.test(version)) continue;
      const kw = wordBefore(line, skipSpacesBack(line, v.start), 16);
      let library: string | null = null;
      if (kw.word === 'version') {
        const lib = wordBefore(line, skipSpacesBack(line, kw.start), MAX_NAME);
        const candidate = lib.word.endsWith(':') ? lib.word.slice(0, -1) : '';
        // "ImportError: version ..." names no library: the word is the exception's name.
        if (candidate.includes('/') || isSharedObjectName(candidate)) library = candidate;
      }
      // `(required by X)`; Solaris' ld.so.1 says `(required by file X)`; a paste may lose the `)`.
      const tail = /^\s*\(required by\s+(?:file\s+)?([^)\s]+)\s*(?:\)|$)/.exec(line.slice(k + NOT_FOUND.length, k + NOT_FOUND.length + MAX_NAME + 32));
      const requiredBy = tail ? tail[1]!.replace(/[.:,;]+$/, '') : null;
      if (kw.word !== 'version' && library === null && requiredBy === null) {
        bare.push({ version, line: shown, order: found.length });
        continue;
      }
      events.push({
        at: k,
        run: () =>
          add(`ver:${version}:${library ?? ''}:${requiredBy ?? ''}`, {
            kind: 'missing-version',
            version,
            library,
            soname: library ? library.slice(library.lastIndexOf('/') + 1) : sonameForVersionFamily(version),
            requiredBy,
            gccVersion: gccVersionOfPath(library),
            glibcVersion: glibcVersionOfPath(library),
            line: shown,
          }),
      });
    }
    for (const e of events.sort((a, b) => a.at - b.at)) e.run();
    // Bare mentions are kept in place, unless a detailed message names the same version.
    for (const b of bare.splice(0)) {
      if (found.some((f) => f.kind === 'missing-version' && f.version === b.version)) continue;
      add(`ver:${b.version}::`, {
        kind: 'missing-version',
        version: b.version,
        library: null,
        soname: sonameForVersionFamily(b.version),
        requiredBy: null,
        gccVersion: null,
        glibcVersion: null,
        line: b.line,
      });
    }
  }
  // A bare echo seen before its detailed message: drop it now that the detail is known.
  return found.filter(
    (f, i) =>
      !(
        f.kind === 'missing-version' &&
        f.library === null &&
        f.requiredBy === null &&
        found.some((g, j) => j !== i && g.kind === 'missing-version' && g.version === f.version && (g.library !== null || g.requiredBy !== null))
      ),
  );
}

/** The sonames a set of findings is about, once each, in order. */
export function focusSonames(findings: readonly LoaderFinding[]): string[] {
  const out: string[] = [];
  for (const f of findings) {
    const s = f.soname;
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}
