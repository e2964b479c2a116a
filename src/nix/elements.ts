/**
 * What one element of a library list names: a nixpkgs attribute (through `getLib`,
 * `getOutput "lib"`, `"${…}"`, `.outPath`) or the GPU driver directory.
 */
import { type Expr, unparen } from './ast.js';
import { flattenApp, headName, stringLiteral } from './calls.js';
import type { Names } from './names.js';
import { dirStringElement } from './path-value.js';
import { DRIVER_LINK } from '../nixpkgs/attrs.js';

export interface ElementInfo {
  /** nixpkgs attribute path without `pkgs.`, when the element names one. */
  attr: string | undefined;
  driver: boolean;
}

const NOTHING: ElementInfo = { attr: undefined, driver: false };

export function elementInfo(names: Names, e0: Expr): ElementInfo {
  const e = unparen(e0);
  const lit = stringLiteral(e);
  if (lit !== undefined) return { attr: undefined, driver: lit.replace(/\/+$/, '') === DRIVER_LINK };
  if ((e.type === 'String' || e.type === 'IndString') && e.parts.length === 1 && e.parts[0]!.type === 'Interpolation') {
    return elementInfo(names, e.parts[0]!.expr);
  }
  // `"${pkgs.zlib}/lib"` in a list of directories (concatStringsSep ":" [ … ]).
  const dirOf = dirStringElement(e);
  if (dirOf) return elementInfo(names, dirOf);
  if (e.type === 'App') {
    const { head, args } = flattenApp(e);
    const name = headName(head);
    if (name === 'getLib' && args.length === 1) return elementInfo(names, args[0]!);
    if (name === 'getOutput' && args.length === 2 && stringLiteral(args[0]!) === 'lib') return elementInfo(names, args[1]!);
    return NOTHING;
  }
  if (e.type === 'Var' || e.type === 'Select') return packageElement(names.attrChain(e));
  return NOTHING;
}

function packageElement(chain: string[] | undefined): ElementInfo {
  if (!chain || chain.length === 0) return NOTHING;
  // `pkg.outPath` is the package's default output, as `"${pkg}"` is; `pkg.out` names the
  // package too (the output getLib picks when there is no `lib`), as nixpy writes it in strings.
  const last = chain[chain.length - 1];
  const names = last === 'outPath' || (last === 'out' && chain.length > 1) ? chain.slice(0, -1) : chain;
  if (names.length === 0) return NOTHING;
  if (names[names.length - 1] === 'driverLink') return { attr: undefined, driver: true };
  return { attr: names.join('.'), driver: false };
}
