import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { NixSyntaxError, parseNix, unboundVariables } from '../../src/nix/index.js';
import { nixParseText } from '../helpers/nix.js';
import { describeWithTool } from '../helpers/tools.js';

const ROOT = join(import.meta.dirname, '..', '..');

type Verdict = { ok: true } | { ok: false; unbound: string } | { ok: false; unbound: undefined; reason: string };

/** Nix's verdict: accepted, refused for an undefined variable only, or refused as syntax. */
function nixVerdict(source: string): Verdict {
  const r = nixParseText(source);
  if (r.ok) return { ok: true };
  const m = /undefined variable '(.*)'$/m.exec(r.stderr);
  if (m) return { ok: false, unbound: m[1]! };
  return { ok: false, unbound: undefined, reason: r.stderr.split('\n')[0] ?? '' };
}

/** Our verdict in the same terms. */
function ourVerdict(source: string): { syntax: 'ok' | string; unbound: string[] } {
  try {
    const f = parseNix(source, 'input.nix');
    return { syntax: 'ok', unbound: unboundVariables(f.root).map((u) => u.name) };
  } catch (e) {
    if (e instanceof NixSyntaxError) return { syntax: e.message, unbound: [] };
    throw e;
  }
}

function agree(source: string): { agrees: boolean; nix: Verdict; ours: ReturnType<typeof ourVerdict> } {
  const nix = nixVerdict(source);
  const ours = ourVerdict(source);
  let agrees: boolean;
  if (nix.ok) agrees = ours.syntax === 'ok' && ours.unbound.length === 0;
  else if (nix.unbound !== undefined) agrees = ours.syntax === 'ok' && ours.unbound.includes(nix.unbound);
  else agrees = ours.syntax !== 'ok';
  return { agrees, nix, ours };
}

const corpus = fg.sync(['test/nix/parse-corpus/**/*.nix', 'fixtures/nix/**/*.nix'], { cwd: ROOT }).sort();

describeWithTool('nix-instantiate', 'parser accepts exactly what nix-instantiate --parse accepts', () => {
  it('has a corpus with both accepted and refused files', () => {
    const own = corpus.filter((f) => f.startsWith('test/nix/parse-corpus/'));
    expect(own.length).toBeGreaterThanOrEqual(80);
    const verdicts = own.map((f) => nixVerdict(readFileSync(join(ROOT, f), 'utf8')).ok);
    expect(verdicts.filter((v) => v).length).toBeGreaterThan(30);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(30);
  });

  it.each(corpus)('%s', (file) => {
    const source = readFileSync(join(ROOT, file), 'utf8');
    const r = agree(source);
    expect(r, JSON.stringify({ nix: r.nix, ours: r.ours })).toMatchObject({ agrees: true });
  });

  // Nix-ish texts assembled from fragments that stress the lexer's modes and the grammar.
  const FRAGMENTS = [
    'a', 'b', 'x', 'or', 'in', 'let', 'rec', 'with', 'inherit', 'if', 'then', 'else', 'assert',
    '{', '}', '[', ']', '(', ')', '=', ';', ':', '@', ',', '.', '?', '...', '!', '-', '+', '*',
    '/', '//', '++', '==', '<', '->', '&&', '"', '"a"', '"${', '${', "''", "'''", "''$", "''\\n",
    '$', '$$', '\\', './p', './p/', '~/h', '<n>', 'u:v', '1', '1.5', '.5', '#c\n', '/*c*/', '/*',
    ' ', ' ', ' ', '\n', '\t', 'a.b', 'x: ', '{ a, b ? 1, ... }: ', 'let a = 1; in ', 'with a; ',
  ];
  const text = fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 14 }).map((xs) => xs.join(''));
  // Closed templates with holes: most samples are nearly valid, so acceptance is exercised too.
  const TEMPLATES = [
    (h: string) => `let a = 1; b = [ ]; in ${h}`,
    (h: string) => `{ a = ${h}; }`,
    (h: string) => `a: b: [ ${h} ]`,
    (h: string) => `x: "${h}"`,
    (h: string) => `x: ''\n  ${h}\n''`,
    (h: string) => `{ a ? 1, b }: ${h}`,
    (h: string) => `rec { a = ${h}; b = a; }`,
    (h: string) => h,
  ];
  const templated = fc.tuple(fc.constantFrom(...TEMPLATES), text).map(([t, h]) => t(h));

  it('agrees on generated texts', () => {
    let accepted = 0;
    fc.assert(
      fc.property(templated, (src) => {
        const r = agree(src);
        if (r.nix.ok) accepted++;
        if (!r.agrees) throw new Error(`disagree on ${JSON.stringify(src)}: ${JSON.stringify(r)}`);
      }),
      { numRuns: Number(process.env.NIXPY_FUZZ_RUNS ?? 300) },
    );
    // The generator must produce accepted texts too, or the property only tests rejection.
    expect(accepted).toBeGreaterThan(10);
  }, 900_000);
});
