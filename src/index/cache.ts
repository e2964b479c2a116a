/**
 * The local index built from nix-locate output, stored so that loading it costs a file read and
 * a few typed-array views, whatever its size (a full nix-locate dump has about a million library
 * hits): nothing is parsed or allocated per entry at load time; lookups binary-search the sorted
 * name table.
 *
 * Layout (little endian; every section starts 4-byte aligned):
 *   "NIXPYIDX" u32 version=1 u32 headerLength  header JSON (utf8)  pad
 *   sections, in header.sections order, each a latin1 string blob or an Int32Array.
 * Tables: names (sorted file names), attrs, outputs, dirs (directory inside the output).
 * rows: 4 int32 per hit, grouped by name: attr index, output index, dir index, flags
 * (bit 0: top-level, bits 1-2: file type r/x/s/d). nameRows[i]..nameRows[i+1] are the rows of
 * names[i].
 */
import { readFileSync, renameSync, writeFileSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import type { FileType, LocateHit } from './nix-locate.js';
import { sonameOfPath } from './nix-locate.js';

const MAGIC = 'NIXPYIDX';
const VERSION = 1;
const TYPES: readonly FileType[] = ['r', 'x', 's', 'd'];

export interface Provenance {
  /** ISO date the index was built. */
  date: string;
  /** `nix-locate` or the dump file it was read from. */
  source: string;
  /** Number of library hits stored. */
  entries: number;
}

export interface LocalHit {
  attr: string;
  output: string;
  /** Path inside the output, e.g. `lib/libz.so.1`. */
  path: string;
  topLevel: boolean;
  type: FileType;
}

interface StringTable {
  blob: string;
  offsets: Int32Array;
}

function tableGet(t: StringTable, i: number): string {
  return t.blob.slice(t.offsets[i]!, t.offsets[i + 1]!);
}

function tableSize(t: StringTable): number {
  return t.offsets.length - 1;
}

export class LocalIndex {
  constructor(
    readonly provenance: Provenance,
    private readonly names: StringTable,
    private readonly attrs: StringTable,
    private readonly outputs: StringTable,
    private readonly dirs: StringTable,
    private readonly nameRows: Int32Array,
    private readonly rows: Int32Array,
  ) {}

  get size(): number {
    return tableSize(this.names);
  }

  private findName(name: string): number {
    const key = Buffer.from(name, 'utf8').toString('latin1');
    let lo = 0;
    let hi = tableSize(this.names) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = tableGet(this.names, mid);
      if (v === key) return mid;
      if (v < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  lookup(soname: string): LocalHit[] {
    const i = this.findName(soname);
    if (i < 0) return [];
    const out: LocalHit[] = [];
    for (let r = this.nameRows[i]!; r < this.nameRows[i + 1]!; r++) {
      const b = r * 4;
      const flags = this.rows[b + 3]!;
      const dir = tableGet(this.dirs, this.rows[b + 2]!);
      out.push({
        attr: tableGet(this.attrs, this.rows[b]!),
        output: tableGet(this.outputs, this.rows[b + 1]!),
        path: dir === '' ? soname : `${dir}/${soname}`,
        topLevel: (flags & 1) === 1,
        type: TYPES[(flags >> 1) & 3]!,
      });
    }
    return out;
  }
}

function latin1(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

class Interner {
  readonly list: string[] = [];
  private readonly map = new Map<string, number>();
  id(s: string): number {
    let i = this.map.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.map.set(s, i);
    }
    return i;
  }
}

/** Serialises hits (only shared-object file names are kept) into the on-disk format. */
export function encodeIndex(hits: Iterable<LocateHit>, source: string, date: Date = new Date()): Buffer {
  const attrs = new Interner();
  const outputs = new Interner();
  const dirs = new Interner();
  const byName = new Map<string, number[]>();
  const seen = new Set<string>();
  let entries = 0;
  for (const h of hits) {
    if (h.type === 'd') continue;
    const name = sonameOfPath(h.path);
    if (name === null) continue;
    const dir = h.path.slice(0, h.path.length - name.length).replace(/\/$/, '');
    const key = `${h.attr}\0${h.output}\0${h.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const row = [attrs.id(latin1(h.attr)), outputs.id(latin1(h.output)), dirs.id(latin1(dir)), (h.topLevel ? 1 : 0) | (TYPES.indexOf(h.type) << 1)];
    const k = latin1(name);
    let list = byName.get(k);
    if (list === undefined) byName.set(k, (list = []));
    list.push(...row);
    entries++;
  }
  const names = [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const nameRows = new Int32Array(names.length + 1);
  const rows = new Int32Array(entries * 4);
  let r = 0;
  names.forEach((n, i) => {
    nameRows[i] = r;
    const list = byName.get(n)!;
    rows.set(list, r * 4);
    r += list.length / 4;
  });
  nameRows[names.length] = r;

  const provenance: Provenance = { date: date.toISOString(), source, entries };
  const sections: Buffer[] = [];
  const sectionNames: string[] = [];
  const addTable = (label: string, list: readonly string[]): void => {
    const offsets = new Int32Array(list.length + 1);
    let pos = 0;
    list.forEach((s, i) => {
      offsets[i] = pos;
      pos += s.length;
    });
    offsets[list.length] = pos;
    sections.push(Buffer.from(list.join(''), 'latin1'));
    sectionNames.push(`${label}.blob`);
    sections.push(Buffer.from(offsets.buffer, offsets.byteOffset, offsets.byteLength));
    sectionNames.push(`${label}.offsets`);
  };
  addTable('names', names);
  addTable('attrs', attrs.list);
  addTable('outputs', outputs.list);
  addTable('dirs', dirs.list);
  sections.push(Buffer.from(nameRows.buffer), Buffer.from(rows.buffer));
  sectionNames.push('nameRows', 'rows');

  const header = Buffer.from(
    JSON.stringify({ provenance, sections: sectionNames.map((name, i) => ({ name, bytes: sections[i]!.length })) }),
    'utf8',
  );
  const parts: Buffer[] = [];
  const pre = Buffer.alloc(16);
  pre.write(MAGIC, 0, 'latin1');
  pre.writeUInt32LE(VERSION, 8);
  pre.writeUInt32LE(header.length, 12);
  parts.push(pre, header);
  let len = 16 + header.length;
  const pad = (): void => {
    const p = (4 - (len % 4)) % 4;
    if (p) {
      parts.push(Buffer.alloc(p));
      len += p;
    }
  };
  pad();
  for (const s of sections) {
    parts.push(s);
    len += s.length;
    pad();
  }
  return Buffer.concat(parts, len);
}

/** Parses the on-disk format; any inconsistency is an InputError naming the file. */
export function decodeIndex(buf: Buffer, file: string): LocalIndex {
  const bad = (why: string): InputError =>
    new InputError(`${file}: corrupt index (${why}); rebuild it with \`nixpy index build\` or delete it`);
  if (buf.length < 16 || buf.toString('latin1', 0, 8) !== MAGIC) throw bad('not a nixpy index file');
  if (buf.readUInt32LE(8) !== VERSION) throw bad(`unsupported version ${buf.readUInt32LE(8)}`);
  const headerLen = buf.readUInt32LE(12);
  if (16 + headerLen > buf.length) throw bad('truncated header');
  let header: { provenance: Provenance; sections: { name: string; bytes: number }[] };
  try {
    header = JSON.parse(buf.toString('utf8', 16, 16 + headerLen)) as typeof header;
  } catch {
    throw bad('unreadable header');
  }
  if (!header || typeof header !== 'object' || !Array.isArray(header.sections) || typeof header.provenance !== 'object') {
    throw bad('malformed header');
  }
  // Int32Array views need 4-byte alignment of the underlying memory.
  const data = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
  let pos = 16 + headerLen;
  pos += (4 - (pos % 4)) % 4;
  const got = new Map<string, { start: number; bytes: number }>();
  for (const s of header.sections) {
    if (typeof s?.name !== 'string' || !Number.isInteger(s.bytes) || s.bytes < 0) throw bad('malformed section table');
    if (pos + s.bytes > data.length) throw bad('truncated');
    got.set(s.name, { start: pos, bytes: s.bytes });
    pos += s.bytes;
    pos += (4 - (pos % 4)) % 4;
  }
  if (pos !== data.length) throw bad('trailing bytes');
  const ints = (name: string): Int32Array => {
    const s = got.get(name);
    if (s === undefined || s.bytes % 4 !== 0) throw bad(`missing section ${name}`);
    return new Int32Array(data.buffer, data.byteOffset + s.start, s.bytes / 4);
  };
  const table = (label: string): StringTable => {
    const s = got.get(`${label}.blob`);
    if (s === undefined) throw bad(`missing section ${label}`);
    const offsets = ints(`${label}.offsets`);
    if (offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== s.bytes) throw bad(`bad ${label} table`);
    return { blob: data.toString('latin1', s.start, s.start + s.bytes), offsets };
  };
  const names = table('names');
  const attrs = table('attrs');
  const outputs = table('outputs');
  const dirs = table('dirs');
  const nameRows = ints('nameRows');
  const rows = ints('rows');
  if (nameRows.length !== tableSize(names) + 1 || nameRows[nameRows.length - 1]! * 4 !== rows.length) throw bad('row table mismatch');
  // Bounds of row fields are checked once here (a linear pass over typed memory: cheap) so that
  // lookups can never read past a table.
  const na = tableSize(attrs);
  const no = tableSize(outputs);
  const nd = tableSize(dirs);
  for (let i = 0; i < rows.length; i += 4) {
    if (rows[i]! >>> 0 >= na || rows[i + 1]! >>> 0 >= no || rows[i + 2]! >>> 0 >= nd) throw bad('row out of range');
  }
  return new LocalIndex(header.provenance, names, attrs, outputs, dirs, nameRows, rows);
}

export function readIndexFile(file: string): LocalIndex {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: cannot read index (${code ?? String(err)})`);
  }
  return decodeIndex(buf, file);
}

/** Writes atomically: a reader never sees a half-written index. */
export function writeIndexFile(file: string, data: Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    throw err;
  }
}
