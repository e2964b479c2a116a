import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import fg from 'fast-glob';
import { buildDistIndex, type DistIndex, type RecordInput } from './dists.js';

/** Where installers put dist-info directories inside a venv (CPython and PyPy layouts). */
const RECORD_GLOBS = [
  'lib/python*/site-packages/*.dist-info/RECORD',
  'lib64/python*/site-packages/*.dist-info/RECORD',
  'lib/pypy*/site-packages/*.dist-info/RECORD',
];

/** Reads every RECORD (and METADATA) in the venv; unreadable ones are left out, not fatal. */
export async function loadDistIndex(venvRoot: string): Promise<DistIndex> {
  const records = await fg(RECORD_GLOBS, { cwd: venvRoot, onlyFiles: true, followSymbolicLinks: true, dot: true });
  const inputs: RecordInput[] = [];
  for (const rel of records.sort()) {
    const distInfo = posix.dirname(rel);
    let record: string;
    try {
      record = await readFile(posix.join(venvRoot, rel), 'utf8');
    } catch {
      continue;
    }
    const metadata = await readFile(posix.join(venvRoot, distInfo, 'METADATA'), 'utf8').catch(() => null);
    inputs.push({ distInfo, record, metadata });
  }
  return buildDistIndex(inputs);
}
