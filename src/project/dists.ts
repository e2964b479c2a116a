import { posix } from 'node:path';

/**
 * Which Python distribution installed a file: from the `*.dist-info/RECORD` files installers
 * write (the authoritative answer), or from the older `*.egg-info` metadata (setuptools'
 * `setup.py install`, Debian's python3-* packages: `PKG-INFO` for name and version,
 * `installed-files.txt` when pip wrote one, `top_level.txt` for the import names), falling back
 * to the top-level package directory under site-packages. Pure functions over texts; the
 * reading is in dists-io.ts.
 */

export interface DistRecord {
  /** Venv-relative path of the `.dist-info` directory (or of the `.egg-info` one). */
  distInfo: string;
  /** The distribution's name as its METADATA spells it (`Name:`), else from the directory name. */
  name: string;
  version: string | null;
  /** Venv-relative, normalised paths the RECORD lists. */
  files: string[];
  /** Venv-relative top-level package paths (`site-packages/PIL`) an egg-info's top_level.txt names. */
  topLevel?: string[];
}

/** Maps a venv-relative file path to its distribution name. */
export interface DistIndex {
  byFile: ReadonlyMap<string, DistRecord>;
  records: readonly DistRecord[];
}

/** The first CSV field of each RECORD line (paths may be quoted, with "" for a quote). */
export function parseRecordPaths(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trimEnd();
    if (line === '') continue;
    let field: string;
    if (line.startsWith('"')) {
      let i = 1;
      let acc = '';
      while (i < line.length) {
        const c = line[i]!;
        if (c === '"') {
          if (line[i + 1] === '"') {
            acc += '"';
            i += 2;
            continue;
          }
          break;
        }
        acc += c;
        i++;
      }
      field = acc;
    } else {
      const comma = line.indexOf(',');
      field = comma < 0 ? line : line.slice(0, comma);
    }
    if (field !== '') out.push(field);
  }
  return out;
}

/** `Name:` and `Version:` from METADATA (RFC 822 style headers; the body is ignored). */
export function parseMetadata(text: string): { name: string | null; version: string | null } {
  let name: string | null = null;
  let version: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    const m = /^(Name|Version):\s*(.+?)\s*$/i.exec(line);
    if (!m) continue;
    if (m[1]!.toLowerCase() === 'name') name ??= m[2]!;
    else version ??= m[2]!;
  }
  return { name, version };
}

/** `foo_bar-1.2.3.dist-info` -> name `foo_bar`, version `1.2.3`. */
export function parseDistInfoDirName(dir: string): { name: string; version: string | null } {
  const base = posix.basename(dir).replace(/\.dist-info$/, '');
  const dash = base.indexOf('-');
  return dash < 0 ? { name: base, version: null } : { name: base.slice(0, dash), version: base.slice(dash + 1) };
}

export interface RecordInput {
  /** Venv-relative path of the `.dist-info` directory. */
  distInfo: string;
  record: string;
  metadata: string | null;
}

/** An `.egg-info` directory's files (or, for a single-file `.egg-info`, its text as pkgInfo). */
export interface EggInfoInput {
  /** Venv-relative path of the `.egg-info` directory or file. */
  eggInfo: string;
  pkgInfo: string | null;
  /** pip's `installed-files.txt`: paths relative to the egg-info directory. */
  installedFiles: string | null;
  /** `top_level.txt`: one import name per line. */
  topLevel: string | null;
}

/** `Pillow-9.4.0.egg-info`, `Pillow-9.4.0-py3.11.egg-info` -> name `Pillow`, version `9.4.0`. */
export function parseEggInfoName(path: string): { name: string; version: string | null } {
  const base = posix.basename(path).replace(/\.egg-info$/, '');
  const [name, version] = base.split('-');
  return { name: name ?? base, version: version ?? null };
}

function eggRecord(input: EggInfoInput): DistRecord {
  const base = posix.dirname(input.eggInfo);
  const fromName = parseEggInfoName(input.eggInfo);
  const meta = input.pkgInfo ? parseMetadata(input.pkgInfo) : { name: null, version: null };
  const lines = (text: string | null): string[] => (text ?? '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  return {
    distInfo: input.eggInfo,
    name: meta.name ?? fromName.name,
    version: meta.version ?? fromName.version,
    files: lines(input.installedFiles)
      .map((p) => posix.normalize(posix.join(input.eggInfo, p)))
      .filter((p) => !p.startsWith('../')),
    topLevel: lines(input.topLevel).map((t) => posix.join(base, t.replace(/\./g, '/'))),
  };
}

export function buildDistIndex(inputs: readonly RecordInput[], eggs: readonly EggInfoInput[] = []): DistIndex {
  const byFile = new Map<string, DistRecord>();
  const records: DistRecord[] = [];
  // Sorted so that a file claimed by two RECORDs (it happens after a broken upgrade) always
  // maps to the same one.
  const sorted = [...inputs].sort((a, b) => (a.distInfo < b.distInfo ? -1 : a.distInfo > b.distInfo ? 1 : 0));
  for (const input of sorted) {
    const base = posix.dirname(input.distInfo);
    const fromDir = parseDistInfoDirName(input.distInfo);
    const meta = input.metadata ? parseMetadata(input.metadata) : { name: null, version: null };
    const files = parseRecordPaths(input.record)
      .map((p) => posix.normalize(posix.join(base, p)))
      // Entries that climb out of the venv (`../../../bin/x` from a weird layout) say nothing.
      .filter((p) => !p.startsWith('../'));
    const rec: DistRecord = {
      distInfo: input.distInfo,
      name: meta.name ?? fromDir.name,
      version: meta.version ?? fromDir.version,
      files,
    };
    records.push(rec);
    for (const f of files) if (!byFile.has(f)) byFile.set(f, rec);
  }
  // After the dist-info records: a RECORD is the better witness for a file both claim.
  for (const egg of [...eggs].sort((a, b) => (a.eggInfo < b.eggInfo ? -1 : a.eggInfo > b.eggInfo ? 1 : 0))) {
    const rec = eggRecord(egg);
    records.push(rec);
    for (const f of rec.files) if (!byFile.has(f)) byFile.set(f, rec);
  }
  return { byFile, records };
}

/** The egg-info record whose top_level.txt names the package `path` lies in. */
function topLevelOwner(path: string, index: DistIndex): DistRecord | undefined {
  return index.records.find((r) => r.topLevel?.some((t) => path === t || path.startsWith(`${t}/`) || path.startsWith(`${t}.`)));
}

const SITE_PACKAGES = /^(.*?\/(?:site|dist)-packages)\/(.+)$/;

/**
 * The distribution a venv-relative path belongs to: its RECORD owner, else the top-level entry
 * under site-packages (`foo.libs` and `foo-1.0.data` count as `foo`), else `(venv)` for files
 * outside site-packages.
 */
export function distributionOf(path: string, index: DistIndex): string {
  const norm = posix.normalize(path);
  const owner = index.byFile.get(norm) ?? topLevelOwner(norm, index);
  if (owner) return owner.name;
  const m = SITE_PACKAGES.exec(norm);
  if (!m) return '(venv)';
  const top = m[2]!.split('/')[0]!;
  if (!m[2]!.includes('/')) {
    // A module file directly in site-packages: `_cffi_backend.cpython-312-x86_64-linux-gnu.so`.
    return top.replace(/\.(cpython|pypy|abi3)[^/]*$/, '').replace(/\.so(\.[0-9.]+)?$/, '').replace(/\.py$/, '');
  }
  return top.replace(/\.libs$/, '').replace(/-[^-]+\.data$/, '');
}

/** Paths grouped by distribution; groups and paths sorted for stable output. */
export function groupByDistribution(paths: readonly string[], index: DistIndex): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const p of paths) {
    const d = distributionOf(p, index);
    const list = groups.get(d);
    if (list) {
      if (!list.includes(p)) list.push(p);
    } else groups.set(d, [p]);
  }
  for (const list of groups.values()) list.sort();
  return new Map([...groups.entries()].sort(([a], [b]) => a.toLowerCase().localeCompare(b.toLowerCase())));
}

/** A distribution's version, when known from its RECORD's dist-info. */
export function versionOf(name: string, index: DistIndex): string | null {
  return index.records.find((r) => r.name === name)?.version ?? null;
}

const SITE_PACKAGES_PREFIX = /^lib(?:64)?\/(?:python|pypy)[^/]*\/(?:site|dist)-packages\//;

/** Venv-relative paths as people read them: without the `lib/python3.X/site-packages/` part. */
export function shortPath(p: string): string {
  return p.replace(SITE_PACKAGES_PREFIX, '');
}
