import { readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import fg from 'fast-glob';
import { buildDistIndex, type DistIndex, type EggInfoInput, type RecordInput } from './dists.js';

/** Where installers put distribution metadata inside a venv (CPython, Debian and PyPy layouts). */
const SITE_DIRS = ['lib/python*/site-packages', 'lib64/python*/site-packages', 'lib/pypy*/site-packages', 'lib/python*/dist-packages'];
const RECORD_GLOBS = SITE_DIRS.map((d) => `${d}/*.dist-info/RECORD`);
const EGG_GLOBS = SITE_DIRS.map((d) => `${d}/*.egg-info`);

const readOrNull = (path: string): Promise<string | null> => readFile(path, 'utf8').catch(() => null);

/** An `.egg-info` directory's PKG-INFO, installed-files.txt and top_level.txt; or the file itself. */
async function readEggInfo(venvRoot: string, rel: string): Promise<EggInfoInput | null> {
  const abs = posix.join(venvRoot, rel);
  const st = await stat(abs).catch(() => null);
  if (st === null) return null;
  if (st.isFile()) return { eggInfo: rel, pkgInfo: await readOrNull(abs), installedFiles: null, topLevel: null };
  if (!st.isDirectory()) return null;
  return {
    eggInfo: rel,
    pkgInfo: await readOrNull(posix.join(abs, 'PKG-INFO')),
    installedFiles: await readOrNull(posix.join(abs, 'installed-files.txt')),
    topLevel: await readOrNull(posix.join(abs, 'top_level.txt')),
  };
}

/** Reads every RECORD (and METADATA) and egg-info in the venv; unreadable ones are left out, not fatal. */
export async function loadDistIndex(venvRoot: string): Promise<DistIndex> {
  const records = await fg(RECORD_GLOBS, { cwd: venvRoot, onlyFiles: true, followSymbolicLinks: true, dot: true });
  const inputs: RecordInput[] = [];
  for (const rel of records.sort()) {
    const distInfo = posix.dirname(rel);
    const record = await readOrNull(posix.join(venvRoot, rel));
    if (record === null) continue;
    const metadata = await readOrNull(posix.join(venvRoot, distInfo, 'METADATA'));
    inputs.push({ distInfo, record, metadata });
  }
  const eggPaths = await fg(EGG_GLOBS, { cwd: venvRoot, onlyFiles: false, followSymbolicLinks: true, dot: true });
  const eggs: EggInfoInput[] = [];
  for (const rel of eggPaths.sort()) {
    const egg = await readEggInfo(venvRoot, rel);
    if (egg !== null) eggs.push(egg);
  }
  return buildDistIndex(inputs, eggs);
}
