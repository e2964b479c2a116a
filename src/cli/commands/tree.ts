import type { ChalkInstance } from 'chalk';
import { InputError } from '../../errors.js';
import { createLoaderEnv, createObjectCache, loadClosure, RootObjectError } from '../../loader/index.js';
import type { Closure, LibraryResult, LoadedLibrary, LoaderEnv, ObjectCache, TreeResult } from '../../loader/types.js';
import { ldLibraryPathOf, type Command } from '../common.js';
import { printJson } from '../io.js';

interface TreeArgs {
  files: string[];
}

/**
 * An absolute spelling of a path the loader used. Only "." segments are dropped: folding ".."
 * lexically could change the file meant when a directory on the way is a symlink.
 */
export function absolutePath(cwd: string, p: string): string {
  const abs = p.startsWith('/') ? p : `${cwd.replace(/\/+$/, '')}/${p}`;
  return abs.replace(/\/\.(?=\/|$)/g, '').replace(/\/{2,}/g, '/') || '/';
}

/** A FILE that cannot be the root object: `{ path, error }` in the JSON array. */
export interface TreeFailure {
  path: string;
  error: string;
}

/** `tree --json` for one FILE, with the additions the contract allows. */
export type TreeDocument = TreeResult & {
  libraries: (LibraryResult & { error?: string; notFoundFor?: string[] })[];
  /** ld.so stops at the library with `error`: what it would load after that is not listed. */
  truncated?: true;
  versionErrors?: { soname: string; version: string; neededBy: string }[];
};

/**
 * The contract document for one FILE. Added fields, only when they apply: `error` where ld.so
 * would stop (and `truncated` on the document), `notFoundFor` when a name was missing for some
 * objects and found for a later one, `versionErrors` when a found library lacks a needed version.
 */
export function treeDocument(c: Closure, cwd: string): TreeDocument {
  const doc: TreeDocument = {
    path: absolutePath(cwd, c.path),
    libraries: c.libraries.map((l) => {
      const out: TreeDocument['libraries'][number] = {
        soname: l.soname,
        path: l.path === null ? null : absolutePath(cwd, l.path),
        via: l.via,
      };
      if (l.error !== undefined) out.error = l.error;
      if (l.notFoundFor !== undefined) out.notFoundFor = l.notFoundFor;
      return out;
    }),
  };
  if (c.error !== undefined) doc.truncated = true;
  if (c.versionErrors !== undefined) {
    doc.versionErrors = c.versionErrors.map((v) => ({ soname: v.soname, version: v.version, neededBy: absolutePath(cwd, v.neededBy) }));
  }
  return doc;
}

/**
 * The closure as an indented tree: each library under the object that first needed it, as
 * ld.so met it. A name satisfied by an object loaded earlier is shown once, not expanded again.
 */
export function formatTree(c: Closure, cwd: string, ch: ChalkInstance): string {
  const children = new Map<string, LoadedLibrary[]>();
  for (const l of c.libraries) {
    const list = children.get(l.requiredBy);
    if (list) list.push(l);
    else children.set(l.requiredBy, [l]);
  }
  const lines = [ch.bold(absolutePath(cwd, c.path))];
  const walk = (parent: string, prefix: string, seen: Set<string>) => {
    const kids = children.get(parent) ?? [];
    kids.forEach((l, i) => {
      const last = i === kids.length - 1;
      lines.push(prefix + (last ? '└── ' : '├── ') + describe(l, cwd, ch));
      const expand = l.path !== null && l.via !== 'loaded' && !l.error && !seen.has(l.path);
      if (expand) {
        seen.add(l.path as string);
        walk(l.path as string, prefix + (last ? '    ' : '│   '), seen);
      }
    });
  };
  walk(c.path, '', new Set([c.path]));
  if (c.libraries.length === 0) lines.push(ch.dim('    (no dependencies)'));
  if (c.error !== undefined) {
    lines.push(ch.red(`truncated: ld.so stops at ${c.error.soname} (${c.error.message}); what it would load next is not listed`));
  }
  for (const v of c.versionErrors ?? []) {
    const lib = absolutePath(cwd, v.path);
    lines.push(ch.red(`${lib}: version \`${v.version}' not found (required by ${absolutePath(cwd, v.neededBy)})`));
  }
  return lines.join('\n');
}

function describe(l: LoadedLibrary, cwd: string, ch: ChalkInstance): string {
  const path = l.path === null ? null : absolutePath(cwd, l.path);
  if (l.error) return `${l.soname} => ${path ?? '?'} ${ch.red(`error: ${l.error}`)} ${ch.dim(`[${l.via}]`)}`;
  if (path === null) return `${l.soname} => ${ch.red('not found')}`;
  const late = l.notFoundFor ? ' ' + ch.red(`(not found for ${l.notFoundFor.join(', ')})`) : '';
  if (l.via === 'loaded') return ch.dim(`${l.soname} => ${path} [loaded]`) + late;
  return `${l.soname} => ${path} ${ch.dim(`[${l.via}]`)}${late}`;
}

/** $ORIGIN of a relative FILE is cwd + "/" + its directory, as ld.so computes it: `path` is
 * absolute already. */
function loadOne(path: string, env: LoaderEnv, objects: ObjectCache): { closure: Closure } | { failure: TreeFailure } {
  try {
    return { closure: loadClosure(path, env, objects) };
  } catch (err) {
    if (err instanceof RootObjectError) return { failure: { path, error: err.message } };
    throw err;
  }
}

function failed(c: Closure): boolean {
  // A name found only after failing for an earlier object still fails for that object; a
  // missing symbol version makes dlopen fail as surely as a missing library.
  return (
    c.error !== undefined ||
    c.versionErrors !== undefined ||
    c.libraries.some((l) => l.path === null || l.notFoundFor !== undefined)
  );
}

export const treeCommand: Command<TreeArgs> = {
  command: 'tree <files..>',
  describe: "each object's dependency closure, in ld.so's load order, with the path found and how",
  builder: (y) =>
    y.positional('files', { type: 'string', array: true, demandOption: true, describe: 'ELF objects to load' }),
  run: async (args, { io, chalk }) => {
    const env = createLoaderEnv(args.env, { ldLibraryPath: ldLibraryPathOf(args, io), cwd: io.cwd });
    const objects = createObjectCache();
    const files = args.files.map(String);
    // Every FILE is loaded; a bad one is reported and does not hide the others' trees.
    const outcomes = files.map((file) => loadOne(absolutePath(io.cwd, file), env, objects));
    const failures = outcomes.flatMap((o) => ('failure' in o ? [o.failure] : []));
    const closures = outcomes.flatMap((o) => ('closure' in o ? [o.closure] : []));
    // One FILE that cannot be loaded: the usual one-line input error, nothing on stdout.
    if (outcomes.length === 1 && failures.length === 1) throw new InputError((failures[0] as TreeFailure).error);
    if (args.json) {
      const docs = outcomes.map((o) => ('failure' in o ? o.failure : treeDocument(o.closure, io.cwd)));
      printJson(io, docs.length === 1 ? docs[0] : docs);
    } else {
      if (closures.length > 0) io.stdout(closures.map((c) => formatTree(c, io.cwd, chalk)).join('\n\n') + '\n');
      for (const f of failures) io.stderr(`nixpy: ${f.error}\n`);
    }
    if (failures.length > 0) return 2;
    return closures.some((c) => failed(c)) ? 1 : 0;
  },
};
