/**
 * Recognises the dynamic loader's complaints inside whatever a user pastes: a Python traceback,
 * ctypes' OSError, an executable's "error while loading shared libraries", uv's or pytest's
 * captured output. Pure: text in, findings out, in the order they first appear.
 */

/** `libGL.so.1: cannot open shared object file` (a soname, or a path given to dlopen). */
export interface MissingLibraryFinding {
  kind: 'missing-library';
  /** The file name the loader looked for (basename when the message names a path). */
  soname: string;
  /** The path as written when the message names one (`/abs/libfoo.so`), else null. */
  path: string | null;
  /** The line of the input that says it, trimmed. */
  line: string;
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
  line: string;
}

export type LoaderFinding = MissingLibraryFinding | MissingVersionFinding;

// A file name as ld.so prints it: no whitespace, no quotes, no colon; ends in .so or .so.N...
const LIB_NAME = String.raw`[^\s:'"\`‘’()]*\.so(?:\.[0-9A-Za-z_+-]+)*`;
const CANNOT_OPEN = new RegExp(String.raw`(${LIB_NAME})\s*:\s*cannot open shared object file`, 'g');
// glibc quotes the version `like this' (older releases) or 'like this' (newer ones); some
// wrappers re-quote with typographic quotes or none at all.
const VERSION = String.raw`[A-Za-z][A-Za-z0-9_]*_[0-9][0-9.]*[0-9]|[A-Za-z][A-Za-z0-9_]*_[0-9]+`;
const VERSION_NOT_FOUND = new RegExp(
  String.raw`(?:(\S+?):\s+)?version\s+[\`'‘"]?(${VERSION})[\`'’"]?\s+not found(?:\s*\(required by\s+([^)\s]+)\s*\))?`,
  'g',
);
// Bare forms: "GLIBC_2.38 not found", "GLIBCXX_3.4.32' not found".
const BARE_VERSION_NOT_FOUND = new RegExp(String.raw`\b(${VERSION})[\`'’"]?\s+not found`, 'g');

/** The library a symbol-version family belongs to, when the message does not name one. */
export function sonameForVersionFamily(version: string): string | null {
  if (/^GLIBCXX_|^CXXABI_/.test(version)) return 'libstdc++.so.6';
  if (/^GLIBC_/.test(version)) return 'libc.so.6';
  if (/^GCC_/.test(version)) return 'libgcc_s.so.1';
  return null;
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

function lineAt(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end < 0 ? text.length : end).trim();
}

/** Strips a trailing ':' or '.' that sentence punctuation may glue to a path. */
function cleanPath(p: string): string {
  return p.replace(/[.:,;]+$/, '');
}

/**
 * All loader findings in `text`, deduplicated (a traceback often repeats the message), in the
 * order they first appear.
 */
export function parseLoaderErrors(text: string): LoaderFinding[] {
  // ANSI colour codes (pytest, rich tracebacks) would split names.
  const clean = text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/\r\n?/g, '\n');
  const found: { at: number; finding: LoaderFinding }[] = [];
  const seen = new Set<string>();
  const add = (at: number, key: string, finding: LoaderFinding): void => {
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ at, finding });
  };

  for (const m of clean.matchAll(CANNOT_OPEN)) {
    const raw = m[1] ?? '';
    if (raw === '' || raw === '.so') continue;
    const isPath = raw.includes('/');
    const soname = basename(raw);
    add(m.index, `lib:${raw}`, {
      kind: 'missing-library',
      soname,
      path: isPath ? raw : null,
      line: lineAt(clean, m.index),
    });
  }

  const versionSpans: [number, number][] = [];
  for (const m of clean.matchAll(VERSION_NOT_FOUND)) {
    const version = m[2] ?? '';
    const rawLib = m[1] ? cleanPath(m[1]) : null;
    // "ImportError: version ..." has no library: the captured word is the exception name.
    const library = rawLib && /\.so\b|\//.test(rawLib) ? rawLib : null;
    const requiredBy = m[3] ? cleanPath(m[3]) : null;
    versionSpans.push([m.index, m.index + m[0].length]);
    add(m.index, `ver:${version}:${library ?? ''}:${requiredBy ?? ''}`, {
      kind: 'missing-version',
      version,
      library,
      soname: library ? basename(library) : sonameForVersionFamily(version),
      requiredBy,
      line: lineAt(clean, m.index),
    });
  }
  for (const m of clean.matchAll(BARE_VERSION_NOT_FOUND)) {
    const at = m.index;
    if (versionSpans.some(([s, e]) => at >= s && at < e)) continue;
    const version = m[1] ?? '';
    // A bare mention repeats a full message seen elsewhere: keep the detailed one only.
    if (found.some((f) => f.finding.kind === 'missing-version' && f.finding.version === version)) continue;
    add(at, `ver:${version}::`, {
      kind: 'missing-version',
      version,
      library: null,
      soname: sonameForVersionFamily(version),
      requiredBy: null,
      line: lineAt(clean, at),
    });
  }

  return found.sort((a, b) => a.at - b.at).map((f) => f.finding);
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
