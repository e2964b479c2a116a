import type { ChalkInstance } from 'chalk';
import { InputError } from '../../errors.js';
import { createLoaderEnv, createObjectCache, loadClosure, RootObjectError } from '../../loader/index.js';
import type { Closure, LibraryResult, LoadedLibrary, TreeResult } from '../../loader/types.js';
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

/**
 * The contract document for one FILE. Added fields, only when they apply: `error` where ld.so
 * would stop, `notFoundFor` when a name was missing for some objects and found for a later one.
 */
export function treeDocument(c: Closure, cwd: string): TreeResult {
  return {
    path: absolutePath(cwd, c.path),
    libraries: c.libraries.map((l) => {
      const out: LibraryResult & { error?: string; notFoundFor?: string[] } = {
        soname: l.soname,
        path: l.path === null ? null : absolutePath(cwd, l.path),
        via: l.via,
      };
      if (l.error !== undefined) out.error = l.error;
      if (l.notFoundFor !== undefined) out.notFoundFor = l.notFoundFor;
      return out;
    }),
  };
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

function failed(c: Closure): boolean {
  // A name found only after failing for an earlier object still fails for that object.
  return c.error !== undefined || c.libraries.some((l) => l.path === null || l.notFoundFor !== undefined);
}

export const treeCommand: Command<TreeArgs> = {
  command: 'tree <files..>',
  describe: "each object's dependency closure, in ld.so's load order, with the path found and how",
  builder: (y) =>
    y.positional('files', { type: 'string', array: true, demandOption: true, describe: 'ELF objects to load' }),
  run: async (args, { io, chalk }) => {
    const env = createLoaderEnv(args.env, { ldLibraryPath: ldLibraryPathOf(args, io), cwd: io.cwd });
    const objects = createObjectCache();
    const results: Closure[] = [];
    for (const file of args.files.map(String)) {
      try {
        // $ORIGIN of a relative FILE is cwd + "/" + its directory, as ld.so computes it.
        results.push(loadClosure(absolutePath(io.cwd, file), env, objects));
      } catch (err) {
        if (err instanceof RootObjectError) throw new InputError(err.message);
        throw err;
      }
    }
    if (args.json) {
      const docs = results.map((r) => treeDocument(r, io.cwd));
      printJson(io, docs.length === 1 ? docs[0] : docs);
    } else {
      io.stdout(results.map((r) => formatTree(r, io.cwd, chalk)).join('\n\n') + '\n');
    }
    return results.some((r) => failed(r)) ? 1 : 0;
  },
};
