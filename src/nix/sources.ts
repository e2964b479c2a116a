/**
 * Every library-path source found in a file, with what the patcher does with it and why: the
 * list it extends, the lists and bundles it counts, pass-through exports, and parts built in
 * another file that it can only name. The CLI renders these; `--json` carries them.
 */
import { lineCol } from './ast.js';
import type { Analysis, Feed, SinkVia } from './library-path.js';
import { type SinkGroup, type Target, feedAttrs, feedStart, feedsOf } from './sink-groups.js';

export type SourceKind = 'list' | 'dir-strings' | 'string' | 'bundle' | 'pass-through' | 'external' | 'created';

/** What the patch does with a source. */
export type SourceRole = 'extended' | 'counted' | 'ignored';

export interface LibraryPathSource {
  line: number;
  column: number;
  via: SinkVia;
  kind: SourceKind;
  /** Attributes it puts on the path, without `pkgs.` (a bundle: what nixpkgs puts in it). */
  attrs: string[];
  /** It puts the GPU driver directory on the path. */
  driver: boolean;
  conditional: boolean;
  role: SourceRole;
  reason: string;
}

function at(an: Analysis, offset: number): { line: number; column: number } {
  return lineCol(an.file.source, offset);
}

function feedKind(f: Feed): SourceKind {
  if (f.kind === 'bundle') return 'bundle';
  if (f.kind === 'interp') return 'string';
  return f.form === 'dir-strings' ? 'dir-strings' : 'list';
}

function targetName(an: Analysis, t: Target): string {
  if (t.kind === 'call') return `the argument at line ${at(an, t.arg.start).line}`;
  if (t.kind === 'feed') return `the ${feedKind(t.feed) === 'string' ? 'string' : 'list'} at line ${at(an, feedStart(t.feed)).line}`;
  return 'nowhere';
}

function feedReason(an: Analysis, f: Feed, g: SinkGroup, t: Target, edited: boolean): { role: SourceRole; reason: string } {
  const conditional = f.kind !== 'interp' && f.conditional;
  if (conditional) return { role: 'ignored', reason: 'conditional (optionals/optional/if): it may be empty, so it is neither relied on nor extended' };
  if (f.kind === 'bundle') {
    return { role: 'counted', reason: `nixpkgs' ${f.attr} (${f.attrs.join(', ')}): its libraries count as present; a nixpkgs list is not edited` };
  }
  if (t.kind === 'feed' && t.feed === f) {
    const first = f.kind === 'list' && f.form === 'packages' ? 'the first makeLibraryPath-style list' : f.kind === 'list' ? 'the first list' : 'the first "${pkg}/lib" string';
    return edited
      ? { role: 'extended', reason: `${first} of ${g.via} in this shell: missing attributes are added here` }
      : { role: 'counted', reason: `${first} of ${g.via} in this shell: nothing was missing` };
  }
  return { role: 'counted', reason: `sets the same ${g.via} as ${targetName(an, t)}: its attributes count as present; additions go there` };
}

/** The sources of one group of sinks. `edited`: the patch changed the group's target. */
export function groupSources(an: Analysis, g: SinkGroup, t: Target, edited: boolean): LibraryPathSource[] {
  const out: LibraryPathSource[] = [];
  for (const f of feedsOf(g)) {
    const { attrs, driver } = feedAttrs(an, f);
    out.push({
      ...at(an, feedStart(f)), via: g.via, kind: feedKind(f), attrs, driver,
      conditional: f.kind !== 'interp' && f.conditional, ...feedReason(an, f, g, t, edited),
    });
  }
  for (const s of g.sinks) {
    for (const o of s.opaque) {
      out.push({
        ...at(an, o.expr.start), via: g.via, kind: 'external', attrs: [], driver: false, conditional: false, role: 'ignored',
        reason: t.kind === 'none' ? o.reason : `${o.reason}; this file only adds to it, so ${targetName(an, t)} is extended instead`,
      });
    }
    if (s.passThrough) {
      out.push({
        ...at(an, s.at), via: g.via, kind: 'pass-through', attrs: [], driver: s.driverLiteral, conditional: false, role: 'ignored',
        reason: `an export that keeps $${g.via} and only adds fixed directories: no list to edit`
          + (s.driverLiteral ? '; the driver directory it adds counts' : ''),
      });
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

export function createdSource(an: Analysis, offset: number, via: SinkVia, attrs: string[]): LibraryPathSource {
  return {
    ...at(an, offset), via, kind: 'created', attrs, driver: false, conditional: false, role: 'extended',
    reason: `no ${via} list in this shell: a makeLibraryPath binding is created in its attributes`,
  };
}
