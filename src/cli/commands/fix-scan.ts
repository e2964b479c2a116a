import type { CommandContext, GlobalArgs } from '../common.js';
import { ldLibraryPathOf } from '../common.js';
import { scanVenv } from '../../scan/index.js';
import { loadIndex, resolveSoname } from '../../nixpkgs/index.js';
import { DRIVER_ELEMENT } from '../../nixpkgs/attrs.js';
import type { FixPlan } from './fix.js';

/**
 * `nixpy fix` without --add: scan the venv, and turn each missing soname into what the Nix file
 * needs. Kept apart from fix.ts so `fix --add` never loads the scanner, loader and index.
 *
 * - package (and unknown, when the index knows better): the resolver's first candidate, with the
 *   attributes already in the file preferred, so an accepted spelling there counts as covered;
 * - driver: the driver directory, never a package;
 * - glibc: nothing (every nixpkgs Python loads nixpkgs' glibc);
 * - venv: nothing the Nix file can do; reported as a note.
 */
export async function planFromScan(
  root: string,
  args: GlobalArgs,
  ctx: CommandContext,
  preferAttrs: readonly string[],
): Promise<FixPlan> {
  const { result } = await scanVenv(root, {
    env: args.env,
    ...(ldLibraryPathOf(args, ctx.io) !== undefined ? { ldLibraryPath: ldLibraryPathOf(args, ctx.io)! } : {}),
  });
  const index = loadIndex({ ...(args.index !== undefined ? { indexFile: args.index } : {}), env: ctx.io.env });
  const plan: FixPlan = { from: 'scan', add: [], driverPath: false, reasons: {}, unresolved: [], notes: [], venv: result.root };
  const because = (key: string, soname: string): void => {
    const list = (plan.reasons[key] ??= []);
    if (!list.includes(soname)) list.push(soname);
  };

  for (const m of result.missing) {
    if (m.category === 'glibc') continue;
    if (m.category === 'driver') {
      plan.driverPath = true;
      because(DRIVER_ELEMENT, m.soname);
      continue;
    }
    if (m.category === 'venv') {
      plan.notes.push({ soname: m.soname, category: m.category, note: `shipped inside the venv (${(m.providedBy ?? []).join(', ')}), not on the search path` });
      continue;
    }
    const res = resolveSoname(m.soname, index, { preferAttrs, venvProviders: m.providedBy ?? [] });
    const pick = res.candidates[0];
    if (pick === undefined) {
      plan.unresolved.push({ soname: m.soname, category: res.category, reason: res.note ?? 'no nixpkgs attribute known' });
      continue;
    }
    if (!plan.add.includes(pick.attr)) plan.add.push(pick.attr);
    because(pick.attr, m.soname);
  }
  return plan;
}
