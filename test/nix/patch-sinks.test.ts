import { describe, expect, it } from 'vitest';
import { findLibraryLists, patchLibraryList } from '../../src/nix/index.js';
import { nixParseText } from '../helpers/nix.js';
import { describeWithTool } from '../helpers/tools.js';

const L = (...lines: string[]): string => lines.join('\n');

/** A shell whose only library path is nix-ld's: right for a uv Python, invisible to a Nix one. */
const NIX_LD_ONLY = L(
  '{ pkgs ? import <nixpkgs> { } }:',
  'pkgs.mkShell {',
  '  packages = [ pkgs.uv ];',
  '  NIX_LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ];',
  '}',
  '',
);
const NONE = L('{ pkgs ? import <nixpkgs> { } }:', 'pkgs.mkShell {', '  packages = [ pkgs.uv ];', '}', '');

const NIX_PYTHON = ['LD_LIBRARY_PATH'] as const;
const FOREIGN_NIX_LD = ['NIX_LD_LIBRARY_PATH', 'LD_LIBRARY_PATH'] as const;

describe('the fix goes where the interpreter reads', () => {
  it('a Nix-store Python does not read NIX_LD_LIBRARY_PATH: its list covers nothing, LD_LIBRARY_PATH is made', () => {
    expect(findLibraryLists(NIX_LD_ONLY, 'shell.nix', NIX_PYTHON)).toMatchObject({ attrs: [], hasLibraryPath: false });
    const r = patchLibraryList(NIX_LD_ONLY, 'shell.nix', { add: ['zlib', 'libsndfile'], sinks: NIX_PYTHON });
    expect(r.createdLibraryPath).toBe(true);
    expect(r.added).toEqual(['zlib', 'libsndfile']);
    expect(r.text).toMatch(/LD_LIBRARY_PATH = pkgs\.lib\.makeLibraryPath \[[^\]]*pkgs\.zlib[^\]]*pkgs\.libsndfile/);
    expect(r.text).toContain('NIX_LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ];');
  });

  it("a foreign Python under nix-ld reads it: the nix-ld list is extended", () => {
    expect(findLibraryLists(NIX_LD_ONLY, 'shell.nix', FOREIGN_NIX_LD)).toMatchObject({ attrs: ['zlib'], hasLibraryPath: true });
    const r = patchLibraryList(NIX_LD_ONLY, 'shell.nix', { add: ['zlib', 'libsndfile'], sinks: FOREIGN_NIX_LD });
    expect(r.createdLibraryPath).toBe(false);
    expect(r.added).toEqual(['libsndfile']);
    expect(r.present).toEqual(['zlib']);
    expect(r.text).toContain('NIX_LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib pkgs.libsndfile ];');
  });

  it('with no library path at all, a foreign Python gets NIX_LD_LIBRARY_PATH', () => {
    const r = patchLibraryList(NONE, 'shell.nix', { add: ['portaudio'], sinks: FOREIGN_NIX_LD });
    expect(r.createdLibraryPath).toBe(true);
    expect(r.text).toMatch(/^ {2}NIX_LD_LIBRARY_PATH = pkgs\.lib\.makeLibraryPath \[\s+pkgs\.portaudio\s+\];$/m);
    expect(r.text).not.toMatch(/^ {2}LD_LIBRARY_PATH/m);
    // Idempotent under the same interpreter.
    expect(patchLibraryList(r.text, 'shell.nix', { add: ['portaudio'], sinks: FOREIGN_NIX_LD }).changed).toBe(false);
  });

  it('without an interpreter given, both variables count as before', () => {
    expect(findLibraryLists(NIX_LD_ONLY, 'shell.nix').attrs).toEqual(['zlib']);
    expect(patchLibraryList(NIX_LD_ONLY, 'shell.nix', { add: ['zlib'] }).changed).toBe(false);
  });
});

describeWithTool('nix-instantiate', 'patched shells parse with nix-instantiate', () => {
  it('both sinks', () => {
    for (const [src, sinks] of [[NIX_LD_ONLY, NIX_PYTHON], [NIX_LD_ONLY, FOREIGN_NIX_LD], [NONE, FOREIGN_NIX_LD]] as const) {
      const r = patchLibraryList(src, 'shell.nix', { add: ['libsndfile'], sinks });
      expect(r.changed).toBe(true);
      const run = nixParseText(r.text);
      expect(run.ok, run.stderr).toBe(true);
    }
  });
});
