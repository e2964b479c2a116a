import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * When the patched text would not parse (a patcher bug), the user hears "nothing written" with
 * exit 2 and the file stays as it was; never "internal error: internal error", exit 70.
 * The parser is made to refuse any text that contains the new element.
 */
vi.mock('../../src/nix/parser.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/nix/parser.js')>();
  const { NixSyntaxError } = await import('../../src/nix/errors.js');
  return {
    ...orig,
    parse: (source: string, file: string) => {
      if (source.includes('pkgs.zlib')) throw new NixSyntaxError(file, 3, 5, 'syntax error, injected by the test');
      return orig.parse(source, file);
    },
  };
});

const { runCli } = await import('../helpers/fix-cli.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nixpy-reparse-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

it('a re-parse failure after patching is "nothing written", exit 2, file untouched', async () => {
  const src = '{ pkgs ? import <nixpkgs> { } }:\npkgs.mkShell {\n  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.libGL ];\n}\n';
  writeFileSync(join(dir, 'shell.nix'), src);
  const r = await runCli(['fix', '--flake', 'shell.nix', '--add', 'zlib'], dir);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/would not parse .*nothing written/);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(readFileSync(join(dir, 'shell.nix'), 'utf8')).toBe(src);
  expect(readdirSync(dir)).toEqual(['shell.nix']);
});
