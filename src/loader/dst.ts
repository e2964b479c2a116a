/*
 * Dynamic string tokens and search-path lists, as glibc's elf/dl-load.c handles them
 * (_dl_dst_substitute, fillin_rpath). Pure string functions: no filesystem access.
 */

export interface DstValues {
  /** Directory of the object the string belongs to, or null when unknown. */
  origin: string | null;
  lib: string;
  platform: string;
}

/** Length of a DST name at `s[at]` ("ORIGIN" or "{ORIGIN}"), 0 when it is not that token. */
function dstLength(s: string, at: number, ref: string): number {
  const curly = s[at] === '{';
  const start = curly ? at + 1 : at;
  if (!s.startsWith(ref, start)) return 0;
  const next = s[start + ref.length] ?? '';
  if (curly) return next === '}' ? ref.length + 2 : 0;
  if (/[A-Za-z0-9_]/.test(next)) return 0;
  return ref.length;
}

/**
 * Expands $ORIGIN, $LIB, $PLATFORM (bare or in braces). Returns null when a known token has no
 * value (glibc then drops the whole element). Unknown tokens stay as written.
 */
export function expandDst(s: string, v: DstValues): string | null {
  if (!s.includes('$')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    i++;
    let len: number;
    let repl: string | null;
    if ((len = dstLength(s, i, 'ORIGIN')) !== 0) repl = v.origin;
    else if ((len = dstLength(s, i, 'PLATFORM')) !== 0) repl = v.platform;
    else if ((len = dstLength(s, i, 'LIB')) !== 0) repl = v.lib;
    else {
      out += '$';
      continue;
    }
    if (repl === null) return null;
    out += repl;
    i += len;
  }
  return out;
}

/**
 * Splits a search path into directory prefixes ready to prepend to a file name: each ends with
 * "/", except "" which stands for the current directory (an empty element). Trailing slashes are
 * reduced as glibc does; nothing else is normalised. Elements that expand to nothing are dropped,
 * and a repeated directory is kept once.
 */
export function splitSearchPath(list: string, separators: RegExp, v: DstValues): string[] {
  const out: string[] = [];
  for (const raw of list.split(separators)) {
    let dir: string;
    if (raw === '') {
      dir = '';
    } else {
      const expanded = expandDst(raw, v);
      if (expanded === null || expanded === '') continue;
      let end = expanded.length;
      while (end > 1 && expanded[end - 1] === '/') end--;
      dir = expanded.slice(0, end);
      if (!dir.endsWith('/')) dir += '/';
    }
    if (!out.includes(dir)) out.push(dir);
  }
  return out;
}

/** Directory part of a path the way glibc computes l_origin: cwd-prefixed, never normalised. */
export function originOf(loadedAs: string, cwd: string): string {
  const abs = loadedAs.startsWith('/') ? loadedAs : (cwd.endsWith('/') ? cwd : cwd + '/') + loadedAs;
  const slash = abs.lastIndexOf('/');
  return slash <= 0 ? '/' : abs.slice(0, slash);
}

export const RPATH_SEPARATORS = /:/;
export const LD_LIBRARY_PATH_SEPARATORS = /[:;]/;
