export { readElf, readElfFile } from './read.js';
export { bufferSource, fdSource, type ByteSource, type FileSource } from './source.js';
export { hasElfMagic } from './header.js';
export { ElfError, DF_1_NODEFLIB, DF_1_PIE, type ElfInfo, type ElfErrorCode, type VersionNeed } from './types.js';
export { describeMachine, hostMachine, EM_X86_64, EM_386, EM_AARCH64 } from './machine.js';
