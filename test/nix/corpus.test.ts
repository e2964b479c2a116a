import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithTool } from '../helpers/tools.js';
import { nixParseFile, nixParseText } from '../helpers/nix.js';
import { dirsOfVar, evalShells, evalShellsWithDirs, libraryVarsOf, type ShellEval } from '../helpers/nix-eval.js';
import { bare, listRegions, loadCorpus, type CorpusCase } from '../helpers/nix-corpus.js';
import { runCli } from '../helpers/fix-cli.js';
import { parseNix, patchLibraryList, type PatchOutcome } from '../../src/nix/index.js';
import { changedLines } from '../../src/nix/diff.js';
import { attrCovers } from '../../src/nixpkgs/attrs.js';

/**
 * The corpus end to end: for each real-shaped Nix file, patch it (in-process and through the
 * CLI), then let Nix itself judge the result — the text parses, and evaluated against the stub
 * nixpkgs the shell's library path gains the new packages and keeps every old directory.
 */

const DRIVER_DIR = '/run/opengl-driver/lib';
const corpus = loadCorpus();

function patch(c: CorpusCase, source = c.source): PatchOutcome {
  return patchLibraryList(source, c.fileName, {
    add: c.spec.add.map(bare),
    driverPath: c.spec.driverPath ?? false,
    attrCovers: (existing, wanted) => attrCovers(existing, wanted),
  });
}

/** The original's shells, evaluated once per case (two tests need them). */
const originals = new Map<string, Record<string, ShellEval>>();
function evalOriginal(c: CorpusCase): Record<string, ShellEval> {
  let s = originals.get(c.name);
  if (s === undefined) originals.set(c.name, (s = evalShells(c.path)));
  return s;
}

/**
 * Evaluates text as the case's file (in a scratch dir, so relative imports behave the same),
 * together with the directories `attrs` stand for.
 */
function evalText(c: CorpusCase, text: string, attrs: string[]): { shells: Record<string, ShellEval>; dirs: string[] } {
  const dir = mkdtempSync(join(tmpdir(), `nixpy-eval-${c.name}-`));
  try {
    const f = join(dir, c.fileName);
    writeFileSync(f, text);
    return evalShellsWithDirs(f, attrs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectSuperset(after: string[], before: string[], what: string): void {
  const missing = before.filter((d) => !after.includes(d));
  expect(missing, what).toEqual([]);
}

describeWithTool('nix-instantiate', 'Nix corpus', () => {
  it('has 30+ cases, each with a nix file and a case.json', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    const kinds = new Set(corpus.map((c) => c.fileName));
    expect([...kinds].sort()).toEqual(['default.nix', 'devenv.nix', 'flake.nix', 'shell.nix']);
  });

  for (const c of corpus) {
    describe(c.name, () => {
      it('is valid Nix to both nix-instantiate and parseNix, and evaluates against the stub', () => {
        const r = nixParseFile(c.path);
        expect(r.ok, r.stderr).toBe(true);
        expect(() => parseNix(c.source, c.fileName)).not.toThrow();
        const shells = evalOriginal(c);
        for (const name of Object.keys(c.spec.shells)) expect(Object.keys(shells)).toContain(name);
      });

      it('patches in-process: Nix parses it, the path gains the additions and keeps the old ones', () => {
        const out = patch(c);
        expect(out.unplaced).toEqual([]);

        const want = c.spec.add.map(bare);
        const present = c.spec.present ?? [];
        for (const p of present) expect(out.present.map(bare), `${p} reported present`).toContain(p);
        for (const a of out.added) expect(present, `${a} was already there`).not.toContain(bare(a));
        for (const a of want) expect([...out.added, ...out.present].map(bare), `${a} accounted for`).toContain(a);
        expect(out.createdLibraryPath).toBe(c.spec.createsLibraryPath ?? false);
        const wantsChange = want.some((a) => !present.includes(a)) || (c.spec.driverPath ?? false);
        if (!wantsChange) {
          expect(out.changed).toBe(false);
          expect(out.text).toBe(c.source);
        }

        const parsed = nixParseText(out.text);
        expect(parsed.ok, parsed.stderr + '\n' + out.text).toBe(true);

        const before = evalOriginal(c);
        const { shells: after, dirs: wantDirs } = evalText(c, out.text, want);
        expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());

        // Every directory any shell had on any library variable is still there.
        for (const [name, shell] of Object.entries(before)) {
          for (const v of libraryVarsOf(shell)) {
            expectSuperset(dirsOfVar(after[name]!, v), dirsOfVar(shell, v), `${name}.${v} kept its old dirs`);
          }
        }
        // The named shells carry every requested library (and the driver dir when asked).
        const expected = [...wantDirs, ...(c.spec.driverPath ? [DRIVER_DIR] : [])];
        for (const [name, vars] of Object.entries(c.spec.shells)) {
          for (const v of vars) {
            expectSuperset(dirsOfVar(after[name]!, v), expected, `${name}.${v} has the additions\n${out.text}`);
          }
        }
      });

      it('is idempotent: a second patch changes nothing', () => {
        const once = patch(c);
        const twice = patch(c, once.text);
        expect(twice.changed).toBe(false);
        expect(twice.added).toEqual([]);
        expect(twice.text).toBe(once.text);
      });

      it('touches only the list (or inserts one library-path binding)', () => {
        const out = patch(c);
        const { removed, insertedAfter } = changedLines(c.source, out.text);
        if (c.spec.createsLibraryPath) {
          expect(removed.length).toBeLessThanOrEqual(1);
          expect(new Set(insertedAfter).size).toBeLessThanOrEqual(1);
          expect(out.text).toMatch(/LD_LIBRARY_PATH/);
          return;
        }
        const regions = listRegions(c.source, c.fileName);
        const inside = (l: number): boolean => regions.some(([s, e]) => l >= s && l <= e);
        for (const l of removed) expect(inside(l), `changed line ${l} outside ${JSON.stringify(regions)}`).toBe(true);
        for (const l of insertedAfter) {
          expect(inside(l) || inside(l + 1), `insertion after ${l} outside ${JSON.stringify(regions)}`).toBe(true);
        }
        if (!c.source.endsWith('\n')) expect(out.text.endsWith('\n')).toBe(false);
        if (c.source.endsWith('\n')) expect(out.text.endsWith('\n')).toBe(true);
        if (c.source.includes('\r\n')) expect(out.text.replace(/\r\n/g, ''), 'CRLF kept').not.toContain('\n');
        if (c.spec.indent !== undefined && out.changed) {
          const added = out.text.split('\n').filter((l) => !c.source.split('\n').includes(l));
          for (const l of added) expect(l.startsWith(c.spec.indent), JSON.stringify(l)).toBe(true);
        }
      });

      it('through the CLI: writes the same text, reports it, and a second run is a no-op', async () => {
        const dir = mkdtempSync(join(tmpdir(), `nixpy-fix-${c.name}-`));
        try {
          cpSync(c.path, join(dir, c.fileName));
          const f = join(dir, c.fileName);
          const mode = statSync(f).mode;
          const args = ['fix', '--flake', c.fileName, '--json', ...c.spec.add.flatMap((a) => ['--add', a])];
          if (c.spec.driverPath) args.push('--driver');

          const first = await runCli(args, dir);
          expect(first.stderr).toBe('');
          expect(first.code).toBe(0);
          const doc = JSON.parse(first.stdout) as { file: string; changed: boolean; written: boolean; added: string[]; unplaced: unknown[] };
          const expectedText = patch(c).text;
          expect(readFileSync(f, 'utf8')).toBe(expectedText);
          expect(doc.file).toBe(f);
          expect(doc.changed).toBe(expectedText !== c.source);
          expect(doc.written).toBe(doc.changed);
          expect(doc.unplaced).toEqual([]);
          expect(statSync(f).mode).toBe(mode);
          expect(readdirSync(dir)).toEqual([c.fileName]);

          const second = await runCli(args, dir);
          expect(second.code).toBe(0);
          const doc2 = JSON.parse(second.stdout) as { changed: boolean; added: string[] };
          expect(doc2.changed).toBe(false);
          expect(doc2.added).toEqual([]);
          expect(readFileSync(f, 'utf8')).toBe(expectedText);
          expect(readdirSync(dir)).toEqual([c.fileName]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }
});
