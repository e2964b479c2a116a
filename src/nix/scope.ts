/**
 * Static scoping of Nix (bindVars in nixexpr.cc): which variable references are bound by a
 * lambda, let, rec set or the global environment, and which are only resolvable through an
 * enclosing `with`. Nix refuses a file with a reference bound by none of them; the patcher uses
 * the same walk to learn which names (`pkgs`, `lib`) are in scope at a given node.
 */
import { type Binding, type Expr, attrNameText, attrPathChildren, children } from './ast.js';

/** Names in the global environment of Nix 2.8 (`builtins`, primops, `__`-prefixed primops). */
export const NIX_2_8_GLOBALS: readonly string[] = [
  '__add', '__addErrorContext', '__all', '__any', '__appendContext', '__attrNames', '__attrValues',
  '__bitAnd', '__bitOr', '__bitXor', '__catAttrs', '__ceil', '__compareVersions', '__concatLists',
  '__concatMap', '__concatStringsSep', '__currentSystem', '__currentTime', '__deepSeq', '__div',
  '__elem', '__elemAt', '__fetchurl', '__filter', '__filterSource', '__findFile', '__floor',
  "__foldl'", '__fromJSON', '__functionArgs', '__genList', '__genericClosure', '__getAttr',
  '__getContext', '__getEnv', '__groupBy', '__hasAttr', '__hasContext', '__hashFile',
  '__hashString', '__head', '__intersectAttrs', '__isAttrs', '__isBool', '__isFloat',
  '__isFunction', '__isInt', '__isList', '__isPath', '__isString', '__langVersion', '__length',
  '__lessThan', '__listToAttrs', '__mapAttrs', '__match', '__mul', '__nixPath', '__nixVersion',
  '__parseDrvName', '__partition', '__path', '__pathExists', '__readDir', '__readFile',
  '__replaceStrings', '__seq', '__sort', '__split', '__splitVersion', '__storeDir', '__storePath',
  '__stringLength', '__sub', '__substring', '__tail', '__toFile', '__toJSON', '__toPath',
  '__toXML', '__trace', '__tryEval', '__typeOf', '__unsafeDiscardOutputDependency',
  '__unsafeDiscardStringContext', '__unsafeGetAttrPos', '__zipAttrsWith', 'abort', 'baseNameOf',
  'builtins', 'derivation', 'derivationStrict', 'dirOf', 'false', 'fetchGit', 'fetchMercurial',
  'fetchTarball', 'fetchTree', 'fromTOML', 'import', 'isNull', 'map', 'null', 'placeholder',
  'removeAttrs', 'scopedImport', 'throw', 'toString', 'true',
];

/** One lexical environment: the names it binds, or a `with` (binds everything, dynamically). */
export type Env =
  | { kind: 'names'; names: ReadonlyMap<string, Expr | undefined>; parent: Env | undefined; node: Expr | undefined }
  | { kind: 'with'; scope: Expr; parent: Env | undefined };

export interface Unbound {
  name: string;
  start: number;
}

/** Static names a set of bindings defines (the first element of each attribute path). */
function boundNames(bindings: Binding[]): Map<string, Expr | undefined> {
  const names = new Map<string, Expr | undefined>();
  for (const b of bindings) {
    if (b.type === 'Inherit') {
      for (const n of b.names) {
        const s = attrNameText(n);
        if (s !== undefined) names.set(s, undefined);
      }
    } else {
      const s = attrNameText(b.path[0]!);
      if (s !== undefined) names.set(s, b.path.length === 1 ? b.value : undefined);
    }
  }
  return names;
}

/**
 * Walks the tree with its environments. `visit` sees every node with the environment it is
 * evaluated in.
 */
export function walkScopes(root: Expr, globals: Iterable<string>, visit: (e: Expr, env: Env) => void): void {
  const top: Env = { kind: 'names', names: new Map([...globals].map((g) => [g, undefined])), parent: undefined, node: undefined };

  const bindingsIn = (bindings: Binding[], inner: Env, outer: Env): void => {
    for (const b of bindings) {
      if (b.type === 'Inherit') {
        // `inherit x` reads x from the outer scope; `inherit (e) x` evaluates e in the inner one.
        if (b.from) go(b.from, inner);
        for (const e of attrPathChildren(b.names)) go(e, outer);
        if (!b.from) {
          // Nix turns each inherited name into a variable reference in the outer scope.
          for (const n of b.names) {
            const name = attrNameText(n);
            if (name !== undefined) visit({ type: 'Var', name, start: n.start, end: n.end }, outer);
          }
        }
      } else {
        for (const e of attrPathChildren(b.path)) go(e, inner);
        go(b.value, inner);
      }
    }
  };

  const go = (e: Expr, env: Env): void => {
    visit(e, env);
    switch (e.type) {
      case 'Attrs':
      case 'LegacyLet': {
        if (e.type === 'Attrs' && !e.rec) {
          bindingsIn(e.bindings, env, env);
          return;
        }
        const inner: Env = { kind: 'names', names: boundNames(e.bindings), parent: env, node: e };
        bindingsIn(e.bindings, inner, env);
        return;
      }
      case 'Let': {
        const inner: Env = { kind: 'names', names: boundNames(e.bindings), parent: env, node: e };
        bindingsIn(e.bindings, inner, env);
        go(e.body, inner);
        return;
      }
      case 'Lambda': {
        const names = new Map<string, Expr | undefined>();
        if (e.arg) names.set(e.arg.name, undefined);
        for (const f of e.formals?.params ?? []) names.set(f.name, undefined);
        const inner: Env = { kind: 'names', names, parent: env, node: e };
        for (const f of e.formals?.params ?? []) if (f.default) go(f.default, inner);
        go(e.body, inner);
        return;
      }
      case 'With': {
        go(e.scope, env);
        go(e.body, { kind: 'with', scope: e.scope, parent: env });
        return;
      }
      default:
        // Every scope-making node is handled above: the rest have plain children.
        for (const c of children(e)) go(c, env);
    }
  };
  go(root, top);
}

/** How a name resolves in an environment. */
export type Resolution =
  | { kind: 'bound'; env: Extract<Env, { kind: 'names' }>; value: Expr | undefined }
  | { kind: 'with'; env: Extract<Env, { kind: 'with' }> }
  | { kind: 'unbound' };

export function resolve(env: Env | undefined, name: string): Resolution {
  let firstWith: Extract<Env, { kind: 'with' }> | undefined;
  for (let cur = env; cur; cur = cur.parent) {
    if (cur.kind === 'with') {
      firstWith ??= cur;
    } else if (cur.names.has(name)) {
      // A lexical binding wins over any `with`, however close the `with` is.
      return { kind: 'bound', env: cur, value: cur.names.get(name) };
    }
  }
  return firstWith ? { kind: 'with', env: firstWith } : { kind: 'unbound' };
}

/** References Nix would reject as "undefined variable". */
export function unboundVariables(root: Expr, globals: Iterable<string> = NIX_2_8_GLOBALS): Unbound[] {
  const out: Unbound[] = [];
  walkScopes(root, globals, (e, env) => {
    if (e.type === 'Var' && resolve(env, e.name).kind === 'unbound') out.push({ name: e.name, start: e.start });
  });
  return out;
}

