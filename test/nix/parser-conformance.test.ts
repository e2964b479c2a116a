import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { NixSyntaxError, parseNix, unboundVariables } from '../../src/nix/index.js';
import { nixParseText } from '../helpers/nix.js';
import { describeWithTool } from '../helpers/tools.js';

const ROOT = join(import.meta.dirname, '..', '..');

type Verdict =
  | { ok: true }
  | { ok: false; unbound: string }
  | { ok: false; unbound: undefined; reason: string; position: string | undefined };

/** Nix's verdict: accepted, refused for an undefined variable only, or refused as syntax. */
function nixVerdict(source: string): Verdict {
  const r = nixParseText(source);
  if (r.ok) return { ok: true };
  const m = /undefined variable '(.*)'$/m.exec(r.stderr);
  if (m) return { ok: false, unbound: m[1]! };
  // The error's own position is the last `:LINE:COL` (a duplicate attribute names two).
  const positions = [...r.stderr.matchAll(/:(\d+):(\d+)/g)];
  const last = positions[positions.length - 1];
  return { ok: false, unbound: undefined, reason: r.stderr.split('\n')[0] ?? '', position: last ? `${last[1]}:${last[2]}` : undefined };
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

  // Nix places `./a//b`'s PATH_END error at the path's start; we report the token it is about.
  const POSITION_QUIRKS = new Set(['test/nix/parse-corpus/046-path-double-slash.nix']);

  it.each(corpus)('%s', (file) => {
    const source = readFileSync(join(ROOT, file), 'utf8');
    const r = agree(source);
    expect(r, JSON.stringify({ nix: r.nix, ours: r.ours })).toMatchObject({ agrees: true });
    // A refusal is reported at the same line and column as Nix reports it.
    if (!r.nix.ok && r.nix.unbound === undefined && !POSITION_QUIRKS.has(file)) {
      expect(/^input\.nix:(\d+:\d+):/.exec(r.ours.syntax)?.[1]).toBe(r.nix.position);
    }
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
      { numRuns: Number(process.env.NIXPY_FUZZ_RUNS ?? 200) },
    );
    // The generator must produce accepted texts too, or the property only tests rejection.
    expect(accepted).toBeGreaterThan(10);
  }, 900_000);
  // Random well-formed programs (printed with random layout), then mutated by one edit: near
  // misses are where a parser is most likely to accept what Nix refuses, or the reverse.
  const ws = fc.constantFrom(' ', '  ', '\n', '\t', ' # c\n', ' /* c */ ');
  const ident = fc.constantFrom('a', 'b', 'x', 'builtins', 'true', 'null', 'map');
  const { expr } = fc.letrec<{ expr: string; atom: string }>((tie) => ({
    atom: fc.oneof(
      { depthSize: 'small' },
      ident,
      fc.constantFrom('1', '2.5', '.5', '"s"', '"a${x}b"', '"$${x}"', "''\n  i ''$ ''' ${x}\n''", './p', './p${x}/q', '<nixpkgs>', 'http://h/p', '__curPos'),
      fc.tuple(tie('expr'), ws).map(([e, w]) => `(${w}${e}${w})`),
      fc.array(fc.tuple(ws, tie('atom')), { maxLength: 3 }).map((xs) => `[${xs.map(([w, e]) => w + e).join('')} ]`),
      fc.array(fc.tuple(fc.constantFrom('p', 'q', '"r s"', 'or', 't.u', '${"v"}'), tie('expr')), { maxLength: 3 })
        .map((bs) => `{ ${bs.map(([k, v], i) => `${k}${i} = ${v};`).join(' ')} }`),
      fc.tuple(tie('atom'), fc.constantFrom('.a', '.a.b', '.${x}', '."c d"', '.a or 1')).map(([e, s]) => `${e}${s}`),
    ),
    expr: fc.oneof(
      { depthSize: 'small' },
      tie('atom'),
      fc.tuple(tie('atom'), ws, tie('atom')).map(([f, w, a]) => `${f}${w}${a}`),
      fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '++', '//', '==', '<', '&&', '||', '->', '?'), tie('atom'))
        .map(([l, o, r]) => (o === '?' ? `${l} ? a` : `${l} ${o} ${r}`)),
      fc.tuple(fc.constantFrom('!', '-'), tie('atom')).map(([o, e]) => `${o}${e}`),
      fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, t, e]) => `if ${c} then ${t} else ${e}`),
      fc.tuple(tie('expr'), tie('expr')).map(([v, b]) => `let a = ${v}; inherit (x) c; in ${b}`),
      fc.tuple(tie('expr'), tie('expr')).map(([s, b]) => `with ${s}; ${b}`),
      fc.tuple(tie('expr'), tie('expr')).map(([c, b]) => `assert ${c}; ${b}`),
      fc.tuple(fc.constantFrom('y: ', '{ y, z ? 1, ... }: ', 'y@{ z }: ', '{ }: '), tie('expr')).map(([p, b]) => `${p}${b}`),
    ),
  }));
  const program = expr.map((e) => `a: b: x: ${e}`);
  const MUTATIONS = ['', '}', '{', ';', '"', "''", '$', '${', '.', ':', '/', '#', '/*', ' ', 'or', 'in', ']', ')'];
  const mutated = fc.tuple(program, fc.nat(), fc.nat(2), fc.constantFrom(...MUTATIONS)).map(([src, at, del, ins]) => {
    const i = at % (src.length + 1);
    return src.slice(0, i) + ins + src.slice(i + del);
  });

  it('agrees on generated programs and their one-edit mutations', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.oneof(program, mutated), (src) => {
        const r = agree(src);
        if (r.nix.ok) accepted++;
        else refused++;
        if (!r.agrees) throw new Error(`disagree on ${JSON.stringify(src)}: ${JSON.stringify(r)}`);
      }),
      { numRuns: Number(process.env.NIXPY_FUZZ_RUNS ?? 120) },
    );
    expect(accepted).toBeGreaterThan(15);
    expect(refused).toBeGreaterThan(15);
  }, 900_000);
});
