/**
 * The local index built from nix-locate output, stored so that loading it costs one header read,
 * whatever its size (a full nix-locate dump has about a million library hits):
 * nothing is parsed per entry at load time; lookups binary-search the sorted name table through
 * positioned reads.
 *
 * Layout (little endian; every section starts 4-byte aligned):
 *   "NIXPYIDX" u32 version=1 u32 headerLength  header JSON (utf8)  pad
 *   sections, in header.sections order, each a UTF-8 string blob or an Int32Array.
 * Tables: names (sorted file names), attrs, outputs, dirs (directory inside the output).
 * rows: 4 int32 per hit, grouped by name: attr index, output index, dir index, flags
 * (bit 0: top-level, bits 1-2: file type r/x/s/d). nameRows[i]..nameRows[i+1] are the rows of
 * names[i]. Optional (files written before they existed still load): stores (store names without
 * the hash, `libjpeg-turbo-3.0.4`) and rowStores, one int32 per row indexing it, for ranking.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { InputError, ioError } from '../errors.js';
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
  /** Store name without the hash (`zlib-1.3.1`), when the index recorded it. */
  storeName?: string;
}

/** `/nix/store/<hash>-zlib-1.3.1` → `zlib-1.3.1`. */
export function storeNameOf(storePath: string): string {
  return storePath.replace(/^\/nix\/store\/[0-9a-z]{32}-/, '');
}

/** Byte source of an index: the file through positioned reads, or a buffer (tests, build). */
export interface Reader {
  size: number;
  read(pos: number, len: number): Buffer;
  close?(): void;
}

export function bufferReader(buf: Buffer): Reader {
  return { size: buf.length, read: (pos, len) => buf.subarray(pos, pos + len) };
}

/**
 * Positioned reads on an open descriptor. Loading reads only the header; each lookup then reads
 * about forty small pieces (a binary search over the name table plus its rows), so the cost of a
 * command does not grow with the index (docs/design.md, "Qualities").
 */
export function fileReader(fd: number, size: number): Reader {
  return {
    size,
    read(pos, len) {
      const b = Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) {
        const n = readSync(fd, b, got, len - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      return got === len ? b : b.subarray(0, got);
    },
    close: () => closeSync(fd),
  };
}

/** Thrown by lookups that meet damage the load-time checks do not cover; made an InputError by the caller. */
export class CorruptIndex extends Error {}

interface Section {
  start: number;
  bytes: number;
}

/** UTF-8 strings back to back (blob section) with int32 byte offsets (offsets section). */
interface StringTable {
  blob: Section;
  offsets: Section;
  count: number;
}

export class LocalIndex {
  constructor(
    readonly file: string,
    readonly provenance: Provenance,
    private readonly reader: Reader,
    private readonly names: StringTable,
    private readonly attrs: StringTable,
    private readonly outputs: StringTable,
    private readonly dirs: StringTable,
    private readonly nameRows: Section,
    private readonly rows: Section,
    private readonly stores: StringTable | null = null,
    private readonly rowStores: Section | null = null,
  ) {}

  /** Releases the file descriptor (the CLI never needs to: it exits). */
  close(): void {
    this.reader.close?.();
  }

  /** Number of distinct file names. */
  get size(): number {
    return this.names.count;
  }

  private int(sec: Section, i: number): number {
    if (i < 0 || (i + 1) * 4 > sec.bytes) throw new CorruptIndex('index out of range');
    const b = this.reader.read(sec.start + i * 4, 4);
    if (b.length !== 4) throw new CorruptIndex('truncated');
    return b.readInt32LE(0);
  }

  /** Byte range of string i of a table, checked against the blob. */
  private range(t: StringTable, i: number): [number, number] {
    if (i < 0 || i >= t.count) throw new CorruptIndex('string index out of range');
    const b = this.reader.read(t.offsets.start + i * 4, 8);
    if (b.length !== 8) throw new CorruptIndex('truncated');
    const start = b.readInt32LE(0);
    const end = b.readInt32LE(4);
    if (start < 0 || end < start || end > t.blob.bytes) throw new CorruptIndex('string table out of range');
    return [t.blob.start + start, t.blob.start + end];
  }

  private str(t: StringTable, i: number): string {
    const [a, b] = this.range(t, i);
    return this.reader.read(a, b - a).toString('utf8');
  }

  /** Binary search over the sorted names (sorted by UTF-8 bytes when built). */
  private findName(name: string): number {
    const key = Buffer.from(name, 'utf8');
    let lo = 0;
    let hi = this.names.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const [a, b] = this.range(this.names, mid);
      const c = Buffer.compare(this.reader.read(a, b - a), key);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The hits for a file name; a damaged file surfaces here as an InputError naming it. */
  lookup(soname: string): LocalHit[] {
    try {
      return this.lookupUnchecked(soname);
    } catch (err) {
      if (err instanceof CorruptIndex) {
        throw new InputError(`${this.file}: corrupt index (${err.message}); rebuild it with \`nixpy index build\` or delete it`);
      }
      throw err;
    }
  }

  private lookupUnchecked(soname: string): LocalHit[] {
    const i = this.findName(soname);
    if (i < 0) return [];
    const first = this.int(this.nameRows, i);
    const end = this.int(this.nameRows, i + 1);
    if (first < 0 || end < first || end * 16 > this.rows.bytes) throw new CorruptIndex('row table out of range');
    const rows = this.reader.read(this.rows.start + first * 16, (end - first) * 16);
    if (rows.length !== (end - first) * 16) throw new CorruptIndex('truncated');
    const out: LocalHit[] = [];
    for (let r = 0; r < end - first; r++) {
      const flags = rows.readInt32LE(r * 16 + 12);
      const dir = this.str(this.dirs, rows.readInt32LE(r * 16 + 8));
      const hit: LocalHit = {
        attr: this.str(this.attrs, rows.readInt32LE(r * 16)),
        output: this.str(this.outputs, rows.readInt32LE(r * 16 + 4)),
        path: dir === '' ? soname : `${dir}/${soname}`,
        topLevel: (flags & 1) === 1,
        type: TYPES[(flags >> 1) & 3]!,
      };
      if (this.stores !== null && this.rowStores !== null) hit.storeName = this.str(this.stores, this.int(this.rowStores, first + r));
      out.push(hit);
    }
    return out;
  }
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
  const nameIds = new Interner();
  const attrs = new Interner();
  const outputs = new Interner();
  const dirs = new Interner();
  const stores = new Interner();
  // One flat int32 record per hit (name, attr, output, dir, flags, store): a million hits must
  // not become a million small arrays for the garbage collector.
  const W = 6;
  let rec = new Int32Array(W * 4096);
  let entries = 0;
  for (const h of hits) {
    if (h.type === 'd') continue;
    const name = sonameOfPath(h.path);
    if (name === null) continue;
    const dir = h.path.slice(0, h.path.length - name.length).replace(/\/$/, '');
    if ((entries + 1) * W > rec.length) {
      const bigger = new Int32Array(rec.length * 2);
      bigger.set(rec);
      rec = bigger;
    }
    const o = entries * W;
    rec[o] = nameIds.id(name);
    rec[o + 1] = attrs.id(h.attr);
    rec[o + 2] = outputs.id(h.output);
    rec[o + 3] = dirs.id(dir);
    rec[o + 4] = (h.topLevel ? 1 : 0) | (TYPES.indexOf(h.type) << 1);
    rec[o + 5] = stores.id(storeNameOf(h.storePath));
    entries++;
  }
  // Names sorted by UTF-8 bytes, the order the loader's binary search compares in (each name is
  // encoded once, not once per comparison); rows grouped by name with a counting sort.
  const order = nameIds.list
    .map((n, id) => ({ id, b: Buffer.from(n, 'utf8') }))
    .sort((x, y) => Buffer.compare(x.b, y.b));
  const names = order.map((x) => nameIds.list[x.id]!);
  const rankOf = new Int32Array(names.length);
  order.forEach((x, rank) => (rankOf[x.id] = rank));
  const nameRows = new Int32Array(names.length + 1);
  for (let e = 0; e < entries; e++) nameRows[rankOf[rec[e * W]!]! + 1]!++;
  for (let i = 0; i < names.length; i++) nameRows[i + 1]! += nameRows[i]!;
  const fill = nameRows.slice(0, names.length);
  const rows = new Int32Array(entries * 4);
  const rowStores = new Int32Array(Math.max(entries, 1));
  for (let e = 0; e < entries; e++) {
    const slot = fill[rankOf[rec[e * W]!]!]!++;
    const at = slot * 4;
    rows[at] = rec[e * W + 1]!;
    rows[at + 1] = rec[e * W + 2]!;
    rows[at + 2] = rec[e * W + 3]!;
    rows[at + 3] = rec[e * W + 4]!;
    rowStores[slot] = rec[e * W + 5]!;
  }

  const provenance: Provenance = { date: date.toISOString(), source, entries };
  const sections: Buffer[] = [];
  const sectionNames: string[] = [];
  const addTable = (label: string, list: readonly string[]): void => {
    const offsets = new Int32Array(list.length + 1);
    const bufs = list.map((s) => Buffer.from(s, 'utf8'));
    let pos = 0;
    bufs.forEach((b, i) => {
      offsets[i] = pos;
      pos += b.length;
    });
    offsets[list.length] = pos;
    sections.push(Buffer.concat(bufs, pos));
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
  addTable('stores', stores.list);
  sections.push(Buffer.from(rowStores.buffer));
  sectionNames.push('rowStores');

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
  return openIndex(bufferReader(buf), file);
}

/** Validates the header and section layout (cheap, size-independent) and returns the index. */
export function openIndex(reader: Reader, file: string): LocalIndex {
  const bad = (why: string): InputError =>
    new InputError(`${file}: corrupt index (${why}); rebuild it with \`nixpy index build\` or delete it`);
  const pre = reader.read(0, 16);
  if (pre.length < 16 || pre.toString('latin1', 0, 8) !== MAGIC) throw bad('not a nixpy index file');
  if (pre.readUInt32LE(8) !== VERSION) throw bad(`unsupported version ${pre.readUInt32LE(8)}`);
  const headerLen = pre.readUInt32LE(12);
  if (16 + headerLen > reader.size) throw bad('truncated header');
  let header: { provenance: Provenance; sections: { name: string; bytes: number }[] };
  try {
    header = JSON.parse(reader.read(16, headerLen).toString('utf8')) as typeof header;
  } catch {
    throw bad('unreadable header');
  }
  if (!header || typeof header !== 'object' || !Array.isArray(header.sections) || !header.provenance || typeof header.provenance !== 'object') {
    throw bad('malformed header');
  }
  let pos = 16 + headerLen;
  pos += (4 - (pos % 4)) % 4;
  const got = new Map<string, Section>();
  for (const s of header.sections) {
    if (typeof s?.name !== 'string' || !Number.isInteger(s.bytes) || s.bytes < 0) throw bad('malformed section table');
    if (pos + s.bytes > reader.size) throw bad('truncated');
    got.set(s.name, { start: pos, bytes: s.bytes });
    pos += s.bytes;
    pos += (4 - (pos % 4)) % 4;
  }
  if (pos !== reader.size) throw bad('trailing bytes');
  const section = (name: string, ints: boolean): Section => {
    const s = got.get(name);
    if (s === undefined || (ints && (s.bytes % 4 !== 0 || s.bytes < 4))) throw bad(`missing section ${name}`);
    return s;
  };
  const intAt = (s: Section, i: number): number => reader.read(s.start + i * 4, 4).readInt32LE(0);
  const table = (label: string): StringTable => {
    const blob = section(`${label}.blob`, false);
    const offsets = section(`${label}.offsets`, true);
    const count = offsets.bytes / 4 - 1;
    if (intAt(offsets, 0) !== 0 || intAt(offsets, count) !== blob.bytes) throw bad(`bad ${label} table`);
    return { blob, offsets, count };
  };
  const names = table('names');
  const attrs = table('attrs');
  const outputs = table('outputs');
  const dirs = table('dirs');
  const nameRows = section('nameRows', true);
  const rows = section('rows', false);
  if (rows.bytes % 16 !== 0 || nameRows.bytes / 4 !== names.count + 1) throw bad('row table mismatch');
  if (intAt(nameRows, 0) !== 0 || intAt(nameRows, names.count) * 16 !== rows.bytes) throw bad('row table mismatch');
  // Store names are optional: an index written before they were recorded still loads.
  let stores: StringTable | null = null;
  let rowStores: Section | null = null;
  if (got.has('stores.blob') || got.has('rowStores')) {
    stores = table('stores');
    rowStores = section('rowStores', true);
    if (rowStores.bytes < (rows.bytes / 16) * 4) throw bad('store table mismatch');
  }
  // Everything else (offsets inside tables, row fields) is checked by the lookup that reads it.
  return new LocalIndex(file, header.provenance, reader, names, attrs, outputs, dirs, nameRows, rows, stores, rowStores);
}

export function readIndexFile(file: string): LocalIndex {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw ioError(file, 'read', err);
  }
  // The descriptor stays open for the life of the process: lookups read through it, and an
  // atomic rebuild (rename) leaves this inode intact underneath.
  try {
    return openIndex(fileReader(fd, fstatSync(fd).size), file);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Writes atomically (fsync'ed, renamed into place): a reader never sees a half-written index. */
export function writeIndexFile(file: string, data: Buffer): void {
  writeFileAtomic(file, data, { create: true });
}
