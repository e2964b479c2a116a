/**
 * Error texts of libraries that Python code opens itself (ctypes, cffi, cuDNN's loader, PyOpenGL,
 * PyGObject), in the words each prints them. error-text.ts calls this for every pasted line;
 * each rule is anchored on a fixed phrase and reads a bounded window after it, never a pattern
 * over the whole line (a pasted log can hold megabyte-long lines).
 */
import { sonameOfLinkName } from '../nixpkgs/runtime.js';

/** A library named by a runtime loader's message. */
export interface RuntimeLibraryHit {
  kind: 'library';
  soname: string;
  /** The name as the message gives it, when that is not the soname (`cairo-2`, `sndfile`). */
  name?: string;
  at: number;
}

/** `ValueError: Namespace Gtk not available [for version 3.0]` (gi/__init__.py, require_version). */
export interface TypelibHit {
  kind: 'typelib';
  namespace: string;
  version: string | null;
  at: number;
}

export type RuntimeHit = RuntimeLibraryHit | TypelibHit;

/** Phrases that make a line worth reading here. */
export const RUNTIME_ANCHORS = [
  'Unable to load any of {',
  'Could not load library ',
  'cannot load library ',
  'no library called ',
  'did not manage to locate a library called ',
  ' library',
  'Namespace ',
];

const CANNOT_OPEN = 'cannot open shared object file';
const WINDOW = 4096;
const SO_NAME = /^[^\s/'"]+\.so(\.[0-9A-Za-z_+-]+)*$/;
const FOREIGN = /\.(dll|dylib)$/i;

/** The file name of a shared object named by a message, or null (another platform's file). */
function soFile(raw: string): string | null {
  const name = raw.slice(raw.lastIndexOf('/') + 1).replace(/[.,;:]+$/, '');
  return SO_NAME.test(name) && !FOREIGN.test(name) ? name : null;
}

/**
 * The soname behind a library name as find_library and cairocffi take it: `sndfile` ->
 * libsndfile.so.1 (the one version the index knows), `cairo-2` or `libcairo-2` -> libcairo.so.2
 * (the MinGW spelling carries the soname's version), `GL` -> libGL.so.1. Unknown names keep the
 * link-time form `lib<name>.so`.
 */
export function sonameForLibraryName(name: string): string {
  const file = soFile(name);
  if (file !== null) return file;
  const stem = name.replace(/^lib/, '');
  const versioned = /^(.+?)-([0-9]+)$/.exec(stem);
  if (versioned) return `lib${versioned[1]}.so.${versioned[2]}`;
  const link = `lib${stem}.so`;
  return sonameOfLinkName(link) ?? link;
}

/** The text between `open` and `close` after `from`, within the window; null when absent. */
function between(line: string, from: number, open: string, close: string): { text: string; end: number } | null {
  const a = line.indexOf(open, from);
  if (a < 0 || a - from > WINDOW) return null;
  const b = line.indexOf(close, a + open.length);
  if (b < 0 || b - a > WINDOW) return null;
  return { text: line.slice(a + open.length, b), end: b };
}

function library(name: string, at: number): RuntimeLibraryHit {
  const soname = sonameForLibraryName(name);
  return soname === name ? { kind: 'library', soname, at } : { kind: 'library', soname, name, at };
}

/** cuDNN 9: `Unable to load any of {libcudnn_cnn.so.9.1.0, libcudnn_cnn.so.9.1, libcudnn_cnn.so.9, libcudnn_cnn.so}`. */
function anyOf(line: string, out: RuntimeHit[]): void {
  const anchor = 'Unable to load any of {';
  for (let k = line.indexOf(anchor); k >= 0; k = line.indexOf(anchor, k + 1)) {
    const list = between(line, k, '{', '}');
    if (list === null) continue;
    const names = list.text.split(',').map((s) => s.trim()).filter((s) => soFile(s) !== null);
    // The soname is the name with exactly one version number (what DT_SONAME says).
    const soname = names.find((n) => /\.so\.[0-9]+$/.test(n)) ?? names[0];
    if (soname !== undefined) out.push({ kind: 'library', soname, at: k });
  }
}

/**
 * cuDNN 8: `Could not load library libcudnn_ops_infer.so.8. Error: <dlerror>`. When the dlerror
 * names a file that cannot be opened, that file is what is missing (the generic rule reports
 * it); the named library itself counts only when the line says nothing more.
 */
function couldNotLoad(line: string, out: RuntimeHit[]): void {
  if (line.includes(CANNOT_OPEN)) return;
  const anchor = 'Could not load library ';
  for (let k = line.indexOf(anchor); k >= 0; k = line.indexOf(anchor, k + 1)) {
    const start = k + anchor.length;
    const word = line.slice(start, start + 512).split(/\s/)[0] ?? '';
    const file = soFile(word);
    if (file !== null) out.push({ kind: 'library', soname: file, at: k });
  }
}

/** cffi: `cannot load library 'X': <reason>`, when the reason is not a file it could not open. */
function cffiCannotLoad(line: string, out: RuntimeHit[]): void {
  const anchor = 'cannot load library ';
  for (let k = line.indexOf(anchor); k >= 0; k = line.indexOf(anchor, k + 1)) {
    const quoted = between(line, k + anchor.length - 1, "'", "'");
    if (quoted === null || quoted.end - k > WINDOW) continue;
    const reason = line.slice(quoted.end, quoted.end + WINDOW);
    if (reason.includes(CANNOT_OPEN) || reason.includes('undefined symbol') || reason.includes('version `')) continue;
    const file = soFile(quoted.text);
    if (file !== null) out.push({ kind: 'library', soname: file, at: k });
  }
}

/** cairocffi: `no library called "cairo-2" was found`; cffi: `... locate a library called 'sndfile'`. */
function calledName(line: string, out: RuntimeHit[]): void {
  for (const [anchor, quote] of [
    ['no library called ', '"'],
    ['did not manage to locate a library called ', "'"],
  ] as const) {
    for (let k = line.indexOf(anchor); k >= 0; k = line.indexOf(anchor, k + 1)) {
      const q = between(line, k + anchor.length - 1, quote, quote);
      if (q === null || q.end - k > anchor.length + 300) continue;
      if (FOREIGN.test(q.text) || q.text === '') continue;
      out.push(library(q.text, k));
    }
  }
}

/** PyOpenGL's platform names -> the library name its loader turns into lib<name>.so.N. */
const PYOPENGL_LIBRARY: Readonly<Record<string, string>> = { OpenGL: 'GL', GL: 'GL', EGL: 'EGL', GLU: 'GLU', GLUT: 'glut', GLES2: 'GLESv2', GLES1: 'GLESv1_CM' };

/**
 * PyOpenGL (and pyzbar's wording alike): `ImportError: ('Unable to load OpenGL library', 'OSMesa: cannot open shared object
 * file: ...', 'OSMesa', None)` names the library without its lib prefix and .so suffix; `Unable
 * to find an OpenGL or GL library` (3.1.7+) names none: libGL then.
 */
function pyopengl(line: string, out: RuntimeHit[]): void {
  const m = /Unable to (?:load|find an?) ([A-Za-z0-9_-]{1,32})(?: or [A-Za-z0-9]{1,16})?( shared)? library/.exec(line.slice(0, WINDOW * 4));
  if (m === null) return;
  // pyzbar: `Unable to find zbar shared library` (pyzbar/zbar_library.py) names a find_library name.
  if (m[2] !== undefined) {
    out.push(library(m[1]!, m.index));
    return;
  }
  const named = /'([A-Za-z][A-Za-z0-9_]{0,32}): cannot open shared object file/.exec(line.slice(m.index, m.index + WINDOW));
  if (named !== null) {
    out.push(library(named[1]!, m.index));
    return;
  }
  const name = PYOPENGL_LIBRARY[m[1]!];
  if (name !== undefined) out.push(library(name, m.index));
}

/** PyGObject: `Namespace Gtk not available` / `Namespace Gtk not available for version 3.0`. */
function namespace(line: string, out: RuntimeHit[]): void {
  const m = /\bNamespace ([A-Za-z][A-Za-z0-9_]{0,64}) not available(?: for version ([0-9][0-9A-Za-z._-]{0,16}))?/.exec(line.slice(0, WINDOW * 4));
  if (m !== null) out.push({ kind: 'typelib', namespace: m[1]!, version: m[2] ?? null, at: m.index });
}

/** Every runtime-loader complaint on one line (ANSI codes and \r already removed). */
export function runtimeHits(line: string): RuntimeHit[] {
  if (!RUNTIME_ANCHORS.some((a) => line.includes(a))) return [];
  const out: RuntimeHit[] = [];
  anyOf(line, out);
  couldNotLoad(line, out);
  cffiCannotLoad(line, out);
  calledName(line, out);
  pyopengl(line, out);
  namespace(line, out);
  return out.sort((a, b) => a.at - b.at);
}
