import { readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { namesIn, siteDirs } from '../scan/site-dirs.js';
import { buildDistIndex, type DistIndex, type EggInfoInput, type RecordInput } from './dists.js';

const readOrNull = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/**
 * The venv-relative path of every entry of a site directory whose name ends in `suffix`. Plain
 * listings and synchronous reads: a venv has a few hundred distributions, and a glob library's
 * walk or a promise per file cost more than the reading (90 ms -> 4 ms on the bench venv).
 */
function siteEntries(venvRoot: string, suffix: string): string[] {
  const out: string[] = [];
  // Every site directory, Debian's included; a `lib64 -> lib` venv names each distribution under
  // both paths, as the installers' own globs would.
  for (const dir of siteDirs(venvRoot, ['site-packages', 'dist-packages'])) {
    for (const name of namesIn(`${venvRoot}/${dir}`)) if (name.endsWith(suffix)) out.push(`${dir}/${name}`);
  }
  return out.sort();
}

/** An `.egg-info` directory's PKG-INFO, installed-files.txt and top_level.txt; or the file itself. */
function readEggInfo(venvRoot: string, rel: string): EggInfoInput | null {
  const abs = posix.join(venvRoot, rel);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (st === undefined) return null;
  if (st.isFile()) return { eggInfo: rel, pkgInfo: readOrNull(abs), installedFiles: null, topLevel: null };
  if (!st.isDirectory()) return null;
  return {
    eggInfo: rel,
    pkgInfo: readOrNull(posix.join(abs, 'PKG-INFO')),
    installedFiles: readOrNull(posix.join(abs, 'installed-files.txt')),
    topLevel: readOrNull(posix.join(abs, 'top_level.txt')),
  };
}

/** Reads every RECORD (and METADATA) and egg-info in the venv; unreadable ones are left out, not fatal. */
export function readDistIndex(venvRoot: string): DistIndex {
  const inputs: RecordInput[] = [];
  for (const distInfo of siteEntries(venvRoot, '.dist-info')) {
    // A RECORD that is missing, a directory, or unreadable leaves the distribution out.
    const record = readOrNull(posix.join(venvRoot, distInfo, 'RECORD'));
    if (record === null) continue;
    inputs.push({ distInfo, record, metadata: readOrNull(posix.join(venvRoot, distInfo, 'METADATA')) });
  }
  const eggs: EggInfoInput[] = [];
  for (const rel of siteEntries(venvRoot, '.egg-info')) {
    const egg = readEggInfo(venvRoot, rel);
    if (egg !== null) eggs.push(egg);
  }
  return buildDistIndex(inputs, eggs);
}
