/**
 * Several sinks are one library path: the attributes and exports of one dev shell that set the
 * same variable (an attribute plus `export`s in its hook, or one export per package). Coverage is
 * judged over the whole set, and additions go to one place: the first makeLibraryPath-style list,
 * else the first list, else the first `${pkg}/lib` string, else the call's argument.
 */
import type { Expr } from './ast.js';
import type { Analysis, Feed, Sink, SinkVia } from './library-path.js';

export interface SinkGroup {
  via: SinkVia;
  shell: Expr | undefined;
  sinks: Sink[];
}

/** Where a group's additions go. */
export type Target =
  | { kind: 'feed'; feed: Feed }
  | { kind: 'call'; arg: Expr; interpolated: boolean }
  | { kind: 'none'; reason: string };

export function groupSinks(sinks: readonly Sink[]): SinkGroup[] {
  const groups: SinkGroup[] = [];
  for (const s of sinks) {
    const g = groups.find((x) => x.via === s.via && x.shell === s.shell);
    if (g) g.sinks.push(s);
    else groups.push({ via: s.via, shell: s.shell, sinks: [s] });
  }
  return groups;
}

/**
 * The node that identifies a feed: the list, the bundle's expression, or a string's first element
 * (one hook string holds several exports; one string read for two shells is one feed).
 */
export function feedNode(f: Feed): Expr {
  if (f.kind === 'list') return f.list;
  return f.kind === 'interp' ? f.elements[0]!.expr : f.expr;
}

export function feedStart(f: Feed): number {
  return feedNode(f).start;
}

const reliable = (f: Feed): boolean => f.kind === 'interp' || !f.conditional;

/** The feeds of a group in source order. */
export function feedsOf(g: SinkGroup): Feed[] {
  const seen = new Set<Expr>();
  const all = g.sinks.flatMap((s) => s.feeds).filter((f) => !seen.has(feedNode(f)) && seen.add(feedNode(f)));
  return all.sort((a, b) => feedStart(a) - feedStart(b));
}

/** Attributes and the driver directory the group reliably puts on the path. */
export function groupCoverage(an: Analysis, g: SinkGroup): { attrs: string[]; driver: boolean } {
  const attrs: string[] = [];
  let driver = g.sinks.some((s) => s.driverLiteral);
  for (const f of feedsOf(g).filter(reliable)) {
    const fed = feedAttrs(an, f);
    attrs.push(...fed.attrs);
    driver ||= fed.driver;
  }
  return { attrs, driver };
}

/** What one feed puts on the path: the attributes it names, and whether the driver directory. */
export function feedAttrs(an: Analysis, f: Feed): { attrs: string[]; driver: boolean } {
  if (f.kind === 'bundle') return { attrs: [...f.attrs], driver: false };
  const exprs = f.kind === 'list' ? f.list.elements : f.elements.map((e) => e.expr);
  const infos = exprs.map((e) => an.elementInfo(e));
  return { attrs: infos.flatMap((i) => (i.attr !== undefined ? [i.attr] : [])), driver: infos.some((i) => i.driver) };
}

/** Where additions to a group go, or why nowhere. */
export function targetOf(g: SinkGroup): Target {
  const feeds = feedsOf(g).filter(reliable);
  const lists = feeds.flatMap((f) => (f.kind === 'list' ? [f] : []));
  const pick = lists.find((f) => f.form === 'packages' && !f.interpolated) ?? lists[0] ?? feeds.find((f) => f.kind === 'interp');
  if (pick) return { kind: 'feed', feed: pick };
  const call = g.sinks.flatMap((s) => s.calls)[0];
  // No list literal to extend (a nixpkgs list, only optionals): append one to the argument.
  if (call) return { kind: 'call', arg: call.arg, interpolated: call.interpolated };
  const sink = g.sinks[0]!;
  const reason = g.sinks.flatMap((s) => s.unresolved)[0] ?? (sink.feeds.length > 0
    ? `${g.via}: every list is conditional (optionals/if); none can be extended`
    : `${g.via} is not built from a list this tool can edit`);
  return { kind: 'none', reason };
}

/** A group made only of pass-through exports has no list of its own. */
export function onlyPassThrough(g: SinkGroup): boolean {
  return g.sinks.every((s) => s.passThrough);
}
