import { readdirSync } from 'node:fs';

/**
 * Where Python installs packages inside a venv, the one home of that layout: site-packages under
 * lib/python3.X, lib64/python3.X (CPython) and lib/pypy3.X (PyPy), and Debian's dist-packages
 * under lib/python3.X.
 */
const SITE_DIRS: readonly { lib: string; interpreter: RegExp; site: SiteKind }[] = [
  { lib: 'lib', interpreter: /^python/, site: 'site-packages' },
  { lib: 'lib64', interpreter: /^python/, site: 'site-packages' },
  { lib: 'lib', interpreter: /^pypy/, site: 'site-packages' },
  { lib: 'lib', interpreter: /^python/, site: 'dist-packages' },
];

export type SiteKind = 'site-packages' | 'dist-packages';

/**
 * The venv-relative site directories of these kinds that the venv's lib directories name, not
 * checked to exist. Links are followed, so a `lib64 -> lib` venv names each under both paths.
 */
export function siteDirs(root: string, kinds: readonly SiteKind[]): string[] {
  const out: string[] = [];
  for (const { lib, interpreter, site } of SITE_DIRS) {
    if (!kinds.includes(site)) continue;
    for (const name of namesIn(`${root}/${lib}`).filter((n) => interpreter.test(n)).sort()) out.push(`${lib}/${name}/${site}`);
  }
  return out;
}

/** A directory's entry names; none when it cannot be listed. */
export function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
