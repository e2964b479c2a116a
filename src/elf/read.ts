import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { readDynamic } from './dynamic.js';
import { readHeader } from './header.js';
import { PT_DYNAMIC, PT_INTERP, PT_LOAD, readProgramHeaders, vaddrToOffset, type ProgramHeader } from './program-headers.js';
import { fdSource, type ByteSource } from './source.js';
import { readCString, readTableString, type StringTable } from './strings.js';
import { ElfError, type ElfInfo } from './types.js';
import { readVerdef, readVerneed } from './versions.js';

/** Parses what nixpy needs of one object. Throws ElfError (with a one-line reason) on bad input. */
export function readElf(src: ByteSource): ElfInfo {
  const h = readHeader(src);
  const phdrs = readProgramHeaders(src, h);
  // One pass over the program headers (a scan reads thousands of objects, mostly in code V8 has
  // not optimised): the PT_LOADs, the first PT_INTERP, the last PT_DYNAMIC and whether any
  // PT_DYNAMIC is empty.
  const loads: ProgramHeader[] = [];
  let interpSeg: ProgramHeader | undefined;
  let dynSeg: ProgramHeader | undefined;
  let emptyDynamic = false;
  for (let i = 0; i < phdrs.length; i++) {
    const p = phdrs[i]!;
    if (p.type === PT_LOAD) loads.push(p);
    else if (p.type === PT_INTERP) interpSeg ??= p;
    else if (p.type === PT_DYNAMIC) {
      dynSeg = p;
      if (p.filesz === 0) emptyDynamic = true;
    }
  }

  let interp: string | null = null;
  if (interpSeg !== undefined) {
    interp = readCString(src, interpSeg.offset, interpSeg.offset + interpSeg.filesz, 'PT_INTERP');
  }

  const info: ElfInfo = {
    elfClass: h.is64 ? 64 : 32,
    endian: h.le ? 'little' : 'big',
    machine: h.machine,
    osabi: h.osabi,
    type: h.type,
    interp,
    dynamic: false,
    needed: [],
    soname: null,
    rpath: null,
    runpath: null,
    flags: 0,
    flags1: 0,
    verneed: [],
    verdef: [],
  };

  // ld.so takes the last PT_DYNAMIC when there are several. One that is empty in the file (a
  // separate debuginfo file, `objcopy --only-keep-debug`) makes the object one without a dynamic
  // section for ld.so (dl-load.c: empty_dynamic), so it does for nixpy too.
  if (dynSeg === undefined || emptyDynamic) return info;
  info.dynamic = true;
  const d = readDynamic(src, h, dynSeg);
  info.flags = d.flags;
  info.flags1 = d.flags1;

  const usesStrings =
    d.needed.length > 0 || d.soname !== null || d.rpath !== null || d.runpath !== null || d.verneed !== null || d.verdef !== null;
  if (!usesStrings) return info;
  if (d.strtab === null) throw new ElfError('corrupt', 'dynamic section has names but no DT_STRTAB');
  const strtabOffset = vaddrToOffset(loads, d.strtab, 'DT_STRTAB');
  // Without DT_STRSZ the table is bounded only by the file (each string read is still capped).
  const strings: StringTable = { offset: strtabOffset, size: d.strsz ?? Math.max(0, src.size - strtabOffset) };
  const str = (index: number, what: string): string => readTableString(src, strings, index, what);

  info.needed = d.needed.map((i) => str(i, 'DT_NEEDED'));
  if (d.soname !== null) info.soname = str(d.soname, 'DT_SONAME');
  if (d.rpath !== null) info.rpath = str(d.rpath, 'DT_RPATH');
  if (d.runpath !== null) info.runpath = str(d.runpath, 'DT_RUNPATH');
  if (d.verneed !== null) {
    info.verneed = readVerneed(src, h.le, vaddrToOffset(loads, d.verneed, 'DT_VERNEED'), d.verneednum, strings);
  }
  if (d.verdef !== null) {
    info.verdef = readVerdef(src, h.le, vaddrToOffset(loads, d.verdef, 'DT_VERDEF'), d.verdefnum, strings);
  }
  return info;
}

/**
 * Opens `path`, reads it through positioned reads, closes it. Throws ElfError. A caller that has
 * just stat'ed the path and found a regular file passes its size, which saves an fstat per file.
 */
export function readElfFile(path: string, knownSize?: number): ElfInfo {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO under a library's name must not block the open (it is then refused as
    // not a regular file); for regular files the flag changes nothing.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw ioError(err, 'cannot open');
  }
  try {
    let size: number;
    if (knownSize !== undefined) {
      size = knownSize;
    } else {
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) throw new ElfError('io', 'not a regular file');
        size = st.size;
      } catch (err) {
        if (err instanceof ElfError) throw err;
        throw ioError(err, 'cannot stat');
      }
    }
    const src = fdSource(fd, size);
    try {
      // Every string in the result is a copy, so the block buffers can go back to the pool.
      return readElf(src);
    } finally {
      src.release();
    }
  } finally {
    closeSync(fd);
  }
}

function ioError(err: unknown, what: string): ElfError {
  const e = err as NodeJS.ErrnoException;
  return new ElfError('io', `${what}: ${e.code ?? e.message}`);
}
