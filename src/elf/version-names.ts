/**
 * Symbol-version names as DT_VERNEED / DT_VERDEF spell them (`GLIBCXX_3.4.32`, `GLIBC_2.38`):
 * a family and dotted numbers. glibc's loader compares names only for equality; the order here is
 * the libraries' own convention (a later number is a later release), used to say "up to X".
 */

export interface ParsedVersion {
  family: string;
  numbers: number[];
}

/** `GLIBCXX_3.4.32` -> { family: 'GLIBCXX', numbers: [3, 4, 32] }; null for `Base` names. */
export function parseVersionName(name: string): ParsedVersion | null {
  const m = /^([A-Za-z][A-Za-z0-9_]*?)_([0-9]+(?:\.[0-9]+)*)$/.exec(name);
  if (!m) return null;
  return { family: m[1]!, numbers: m[2]!.split('.').map(Number) };
}

export function compareNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
