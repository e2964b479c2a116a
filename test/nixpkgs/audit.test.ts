import { describe, expect, it } from 'vitest';
import { embeddedIndex } from '../../src/nixpkgs/embedded.js';

// Rows fixed against nixpkgs' own files (issue 8); the evidence is beside each row in sonames.tsv.
describe('table audit', () => {
  const e = (s: string) => embeddedIndex().get(s);

  it('drops sonames only a Debian patch produces', () => {
    expect(e('libomp.so.5')).toBeUndefined();
    expect(e('libomp.so')?.attr).toBe('llvmPackages.openmp');
  });

  it('does not map SuiteSparse 7 sonames to the 5.x attribute', () => {
    for (const s of ['libcholmod.so.5', 'libumfpack.so.6', 'libamd.so.3', 'libcolamd.so.3', 'libspqr.so.4', 'libsuitesparseconfig.so.7']) {
      expect(e(s)?.attr, s).not.toBe('suitesparse');
    }
  });

  it('names the output that holds the library', () => {
    expect(e('liblz4.so.1')?.output).toBe('lib');
  });

  it('follows a GnuPG library whose major moved on', () => {
    expect(e('libassuan.so.9')?.attr).toBe('libassuan');
    expect(e('libassuan.so.0')).toBeUndefined();
  });

  it('says which sonames follow the package version', () => {
    for (const s of ['libFLAC.so.14', 'libtinyxml2.so.11', 'libx265.so.215', 'libSvtAv1Enc.so.3', 'librocksdb.so.9', 'libgdal.so.37', 'libgdal.so.38']) {
      expect(e(s)?.note, s).toMatch(/soname tracks/);
    }
  });

  it('picks the newest spelling of renamed packages (spelled back for older releases)', () => {
    expect(e('libodbc.so.2')?.attr).toBe('unixodbc');
    expect(e('libtbb.so.12')?.attr).toBe('onetbb');
    expect(e('libdnnl.so.3')?.attr).toBe('onednn');
  });
});
