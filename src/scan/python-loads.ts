/**
 * Libraries a venv's Python code opens itself, found without running anything: literal names in
 * `ctypes.CDLL("…")`, `ctypes.cdll.LoadLibrary("…")`, `ctypes.util.find_library("…")` and cffi's
 * `ffi.dlopen("…")`. The matcher is pure (source text in, calls out); the walker reads files
 * under fixed bounds so a venv of tens of thousands of files cannot make it slow or hang.
 */

export type LoadKind = 'ctypes' | 'cffi' | 'find_library';

/** One literal library name handed to a loading call. */
export interface LoadCall {
  kind: LoadKind;
  /** The string literal as written (`libfoo.so.1`, `foo`, `/usr/lib/libfoo.so`). */
  name: string;
  /** 1-based line of the call. */
  line: number;
}

/**
 * Cheap substrings every matched call contains: a file without any of them is not matched at
 * all, which is what keeps the pass fast (few .py files in a venv load libraries).
 */
export const TRIGGERS: readonly string[] = ['CDLL', 'PyDLL', 'LoadLibrary', 'find_library', 'dlopen'];

/** Longest line looked at: generated or minified lines past this are skipped whole. */
const MAX_LINE = 4000;

// Each pattern is anchored on a fixed token and reads one bounded literal right after the
// opening parenthesis; nothing can backtrack over more than a line of at most MAX_LINE chars.
const LITERAL = String.raw`\(\s*[rRbBuU]?(['"])([^'"\\\n]{1,256})\1`;
const PATTERNS: ReadonlyArray<{ kind: LoadKind; re: RegExp }> = [
  // ctypes.CDLL("x"), CDLL("x"), ct.CDLL("x"), ctypes.PyDLL("x")
  { kind: 'ctypes', re: new RegExp(String.raw`\b(?:CDLL|PyDLL)\s*` + LITERAL, 'g') },
  // ctypes.cdll.LoadLibrary("x"), cdll.LoadLibrary("x")
  { kind: 'ctypes', re: new RegExp(String.raw`\b(?:cdll|pydll)\s*\.\s*LoadLibrary\s*` + LITERAL, 'g') },
  // ctypes.util.find_library("x"), util.find_library("x"), _find_library("x") (an alias of it)
  { kind: 'find_library', re: new RegExp(String.raw`\b_?find_library\s*` + LITERAL, 'g') },
  // ffi.dlopen("x"), _ffi.dlopen("x"): cffi's loader (an attribute call named dlopen)
  { kind: 'cffi', re: new RegExp(String.raw`\.\s*dlopen\s*` + LITERAL, 'g') },
];

/**
 * Whether position `at` of a line is code: not after a `#` that starts a comment, not inside a
 * string literal opened on this line. (A call inside a multi-line docstring still counts: it is
 * rare, and an example in a docstring names a library the package does load.)
 */
function isCode(line: string, at: number): boolean {
  let quote: string | null = null;
  for (let i = 0; i < at; i++) {
    const c = line[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return false;
  }
  return quote === null;
}

/** Every literal library name passed to a loading call in `source`, in source order. */
export function findLoadCalls(source: string): LoadCall[] {
  if (!TRIGGERS.some((t) => source.includes(t))) return [];
  const out: LoadCall[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > MAX_LINE || !TRIGGERS.some((t) => line.includes(t))) continue;
    const found: { at: number; call: LoadCall }[] = [];
    for (const { kind, re } of PATTERNS) {
      re.lastIndex = 0;
      for (let m = re.exec(line); m !== null; m = re.exec(line)) {
        if (!isCode(line, m.index)) continue;
        found.push({ at: m.index, call: { kind, name: m[2]!, line: i + 1 } });
      }
    }
    out.push(...found.sort((a, b) => a.at - b.at).map((f) => f.call));
  }
  return out;
}

/** Names other platforms load: nothing to find on Linux. */
const FOREIGN_SUFFIX = /\.(dll|dylib|pyd)$|\.framework\b/i;
const SO_NAME = /^[^/\s]+\.so(\.[0-9A-Za-z_.+-]+)?$/;

/**
 * The soname a call makes the loader look for, or null when the name is not one a Linux loader
 * would look up (a Windows DLL, a macOS dylib, a path to another platform's file).
 * - a path (`/usr/lib/x86_64-linux-gnu/libzbar.so.0`): its file name;
 * - a shared-object name: itself;
 * - a bare name (`sndfile`) through find_library, or through cffi's dlopen, which hands names
 *   without a '.' or '/' to find_library (python-cffi/cffi src/cffi/api.py, _load_backend_lib):
 *   `lib<name>.so` (the caller maps it to a versioned soname it knows).
 */
export function sonameOfCall(call: LoadCall): { soname: string; bare: boolean } | null {
  const name = call.name.trim();
  if (name === '' || FOREIGN_SUFFIX.test(name)) return null;
  if (name.includes('/')) {
    const base = name.slice(name.lastIndexOf('/') + 1);
    return SO_NAME.test(base) ? { soname: base, bare: false } : null;
  }
  if (SO_NAME.test(name)) return { soname: name, bare: false };
  if (call.kind === 'ctypes') return null; // CDLL("foo") is dlopen("foo"): no such file on Linux
  if (!/^[A-Za-z0-9_+.-]+$/.test(name) || (call.kind === 'cffi' && name.includes('.'))) return null;
  const stem = name.startsWith('lib') ? name.slice(3) : name;
  return { soname: `lib${stem}.so`, bare: true };
}
