import { LIBRARY_PATH_VARS } from './expr.js';
import type { AttrInfo } from './types.js';

/** Reading what Nix answered: pure functions over its JSON and its error text. */

export interface EvalAnswer {
  /** The library path's directories, in search order, each once. */
  libraryPath: string[];
  /** Store paths to realise: `DRV!OUTPUT` for derivation outputs, plain paths for sources. */
  realise: string[];
  attrs: AttrInfo[];
}

type Context = Record<string, { outputs?: string[]; path?: boolean; allOutputs?: boolean }>;

interface RawAnswer {
  vars: Record<string, string | null>;
  context: Context[];
  /** `store`, not `outPath`: Nix prints an attribute set with an outPath as that path. */
  attrs: ({ store: string; name: string | null } | null)[];
}

function isRawAnswer(v: unknown): v is RawAnswer {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.vars === 'object' && o.vars !== null && Array.isArray(o.context) && Array.isArray(o.attrs);
}

/**
 * ld.so splits LD_LIBRARY_PATH at `:` and `;` and ignores empty entries (elf/dl-load.c,
 * fillin_rpath); the variables are searched in LIBRARY_PATH_VARS order.
 */
export function libraryPathOf(vars: Readonly<Record<string, string | null>>): string[] {
  const dirs: string[] = [];
  for (const name of LIBRARY_PATH_VARS) {
    for (const d of (vars[name] ?? '').split(/[:;]/)) if (d !== '' && !dirs.includes(d)) dirs.push(d);
  }
  return dirs;
}

/** The realisation targets of a set of string contexts (builtins.getContext), sorted. */
export function realiseTargets(contexts: readonly Context[]): string[] {
  const out = new Set<string>();
  for (const ctx of contexts) {
    for (const [path, what] of Object.entries(ctx)) {
      if (what.outputs) for (const o of what.outputs) out.add(`${path}!${o}`);
      else if (what.path) out.add(path);
    }
  }
  return [...out].sort();
}

/** Parses `nix eval --json` output of verifyExpr; `attrs` are the attributes asked for, in order. */
export function parseEvalAnswer(stdout: string, attrs: readonly string[]): EvalAnswer {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    throw new Error(`nix printed no JSON: ${stdout.slice(0, 200)}`);
  }
  if (!isRawAnswer(raw)) throw new Error('nix printed JSON of an unexpected shape');
  return {
    libraryPath: libraryPathOf(raw.vars),
    realise: realiseTargets(raw.context),
    attrs: attrs.map((attr, i) => ({ attr, outPath: raw.attrs[i]?.store ?? null, name: raw.attrs[i]?.name ?? null })),
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/**
 * The first lines of Nix's error, as Nix printed them: from the first `error:` line on (warnings
 * before it dropped), trailing blank lines and the `--show-trace` hint removed.
 */
export function nixErrorExcerpt(stderr: string, maxLines = 8): string {
  const lines = stderr.replace(ANSI, '').split('\n');
  const start = lines.findIndex((l) => l.startsWith('error:'));
  const body = (start >= 0 ? lines.slice(start) : lines.filter((l) => !l.startsWith('warning:')))
    .filter((l) => !l.includes("use '--show-trace'"));
  while (body.length > 0 && body[body.length - 1]!.trim() === '') body.pop();
  const kept = body.slice(0, maxLines);
  if (body.length > maxLines) kept.push('…');
  return kept.join('\n').trim() || '(nix printed no message)';
}

/** `error: attribute 'foo' missing` -> `foo`: the last path element Nix could not select. */
export function missingAttributeOf(stderr: string): string | null {
  const m = /attribute '([^']+)' missing/.exec(stderr.replace(ANSI, ''));
  return m ? m[1]! : null;
}

/** `/nix/store/<hash>-zlib-1.3.1/lib` -> `zlib-1.3.1`; null outside the store. */
export function storeName(path: string): string | null {
  const m = /^\/nix\/store\/[0-9a-z]{32}-([^/]+)/.exec(path);
  return m ? m[1]! : null;
}
