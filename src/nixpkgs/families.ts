/**
 * Coherent families (issue 8): sonames from one upstream that nixpkgs ships in versioned
 * attributes must come from one version. Mixing FFmpeg 5's libavcodec with FFmpeg 6's
 * libswresample loads two FFmpegs into one process. Given the sonames one object is missing,
 * choose per family the one version that provides them all on the user's release, or say which
 * versions conflict and which exist. Pure over the soname table and the spelling table.
 */
import type { EmbeddedEntry } from './table.js';
import type { Release } from './releases.js';
import { spellingFor, stateOn, type SpellingTable } from './spelling.js';

export interface FamilyDef {
  name: string;
  /** Sonames of the family. */
  member: RegExp;
  /** The version an attribute stands for (`ffmpeg_6-headless` → `6`), or null when it is not one of the family's. */
  version(attr: string): string | null;
}

export const FAMILIES: readonly FamilyDef[] = [
  {
    name: 'FFmpeg',
    member: /^lib(avcodec|avformat|avutil|avfilter|avdevice|swscale|swresample|postproc)\.so\.\d+$/,
    version: (a) => /^ffmpeg_(\d+)(-headless|-full)?$/.exec(a)?.[1] ?? null,
  },
  { name: 'ICU', member: /^libicu[a-z0-9]+\.so\.\d+$/, version: (a) => /^icu(\d+)$/.exec(a)?.[1] ?? null },
  {
    name: 'LLVM',
    member: /^lib(LLVM|clang|clang-cpp|lldb|omp|c\+\+|c\+\+abi|unwind|MLIR)([-.]|\.so)/,
    version: (a) => {
      const m = /^llvmPackages(?:_(\d+))?\./.exec(a);
      return m === null ? null : (m[1] ?? 'default');
    },
  },
  {
    name: 'CUDA',
    member: /^lib(cu|nv|npp|nccl|cudnn|cufile|cutensor)[A-Za-z0-9_]*\.so/,
    version: (a) => {
      const m = /^cudaPackages(?:_(\d+))?\./.exec(a);
      // `cudaPackages` is the default set, CUDA 12 on every covered release (the table lists
      // cudaPackages_12.* beside each cudaPackages.* pick).
      return m === null ? null : (m[1] ?? '12');
    },
  },
  { name: 'Boost', member: /^libboost_[a-z0-9_]+\.so\.\d/, version: (a) => /^boost(\d+)$/.exec(a)?.[1] ?? null },
  { name: 'Python', member: /^libpython3\.\d+\.so/, version: (a) => /^python3(\d+)$/.exec(a)?.[1] ?? null },
];

export interface FamilyChoice {
  family: string;
  /** The object's missing sonames that belong to the family (and the table knows). */
  sonames: string[];
  /** The version chosen, or null when none provides them all on the release. */
  version: string | null;
  /** soname → attribute to write (spelled for the release); empty when there is a conflict. */
  picks: Record<string, string>;
  /** When no version works: each version and the sonames it provides (offered on the release or not). */
  conflict?: { version: string; provides: string[]; available: boolean }[];
  /** Versions of the family the release has, newest first. */
  available: string[];
  /** One human sentence. */
  message: string;
}

/** version → the attribute (first spelling in table order) providing `e.soname` in that version. */
function versionsOf(def: FamilyDef, e: EmbeddedEntry): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of [e.attr, ...e.alternatives]) {
    const v = def.version(a);
    if (v !== null && !out.has(v)) out.set(v, a);
  }
  return out;
}

/** availableVersions' answers by index, spelling table, family and release: they do not depend on the object. */
const availableMemo = new WeakMap<ReadonlyMap<string, EmbeddedEntry>, WeakMap<SpellingTable, Map<string, string[]>>>();

/** Every version of the family the table knows that the release has, newest first. */
function availableVersions(
  def: FamilyDef,
  ctx: { index: ReadonlyMap<string, EmbeddedEntry>; spelling: SpellingTable; release?: Release },
  usable: (attr: string) => boolean,
): string[] {
  let bySpelling = availableMemo.get(ctx.index);
  if (bySpelling === undefined) availableMemo.set(ctx.index, (bySpelling = new WeakMap()));
  let byKey = bySpelling.get(ctx.spelling);
  if (byKey === undefined) bySpelling.set(ctx.spelling, (byKey = new Map()));
  const key = `${def.name}\u0000${ctx.release ?? ''}`;
  const known = byKey.get(key);
  if (known !== undefined) return [...known];
  const all = new Map<string, boolean>();
  for (const e of ctx.index.values()) {
    if (!def.member.test(e.soname)) continue;
    for (const [v, a] of versionsOf(def, e)) all.set(v, (all.get(v) ?? false) || usable(a));
  }
  const available = [...all].filter(([, ok]) => ok).map(([v]) => v).sort(byVersionDesc);
  byKey.set(key, available);
  return [...available];
}

const byVersionDesc = (a: string, b: string): number => (Number(b) || 0) - (Number(a) || 0) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * One choice per family among `missing` (the sonames one object cannot load). Families with a
 * single member soname are still reported, so the plan can use one code path; sonames the table
 * does not know are left to the resolver.
 */
export function chooseFamilies(
  missing: readonly string[],
  ctx: { index: ReadonlyMap<string, EmbeddedEntry>; spelling: SpellingTable; release?: Release },
): FamilyChoice[] {
  const out: FamilyChoice[] = [];
  const usable = (attr: string): boolean => {
    if (ctx.release === undefined) return true;
    const s = stateOn(ctx.spelling, attr, ctx.release).state;
    return s === 'ok' || s === 'warn' || s === 'unlisted';
  };
  for (const def of FAMILIES) {
    const members = missing.filter((s, i) => def.member.test(s) && ctx.index.has(s) && missing.indexOf(s) === i);
    if (members.length === 0) continue;
    const provided = new Map(members.map((s) => [s, versionsOf(def, ctx.index.get(s)!)]));
    const available = availableVersions(def, ctx, usable);
    const common = [...provided.values()]
      .map((m) => new Set([...m].filter(([, a]) => usable(a)).map(([v]) => v)))
      .reduce((acc, s) => new Set([...acc].filter((v) => s.has(v))));
    const first = ctx.index.get(members[0]!)!;
    const preferred = def.version(first.attr);
    const version = common.size === 0 ? null : preferred !== null && common.has(preferred) ? preferred : [...common].sort(byVersionDesc)[0]!;
    const rel = ctx.release === undefined ? '' : ` on nixpkgs ${ctx.release}`;
    if (version !== null) {
      const picks: Record<string, string> = {};
      for (const s of members) {
        const attr = provided.get(s)!.get(version)!;
        picks[s] = ctx.release === undefined ? attr : (spellingFor(ctx.spelling, attr, ctx.release).attr ?? attr);
      }
      const attrs = [...new Set(Object.values(picks))];
      out.push({
        family: def.name,
        sonames: members,
        version,
        picks,
        available,
        message: `${def.name} ${version} provides ${members.join(', ')}${rel}: ${attrs.join(', ')}`,
      });
      continue;
    }
    const versions = [...new Set([...provided.values()].flatMap((m) => [...m.keys()]))].sort(byVersionDesc);
    const conflict = versions.map((v) => ({
      version: v,
      provides: members.filter((s) => provided.get(s)!.has(v)),
      available: available.includes(v),
    }));
    const parts = conflict.map(
      (c) => `${def.name} ${c.version} provides ${c.provides.join(', ')}${c.available ? '' : ` but is not in nixpkgs${ctx.release === undefined ? '' : ` ${ctx.release}`}`}`,
    );
    out.push({
      family: def.name,
      sonames: members,
      version: null,
      picks: {},
      conflict,
      available,
      message:
        `no single ${def.name} version provides ${members.join(', ')}${rel} (${parts.join('; ')}); ` +
        `${available.length > 0 ? `${def.name} versions available: ${available.join(', ')}` : `no ${def.name} version is available`}`,
    });
  }
  return out;
}

/**
 * Family choices for a whole scan: each object's missing sonames are chosen together, and the
 * result says, per soname, the attribute its family fixes or the conflict that prevents one.
 * When two objects need one soname from different versions, the first object's choice stands.
 */
export function familiesByObject(
  missing: readonly { soname: string; neededBy: readonly string[] }[],
  ctx: { index: ReadonlyMap<string, EmbeddedEntry>; spelling: SpellingTable; release?: Release },
): { picks: Map<string, string>; conflicts: Map<string, string> } {
  const byObject = new Map<string, string[]>();
  for (const m of missing) {
    for (const o of m.neededBy) byObject.set(o, [...(byObject.get(o) ?? []), m.soname]);
  }
  const picks = new Map<string, string>();
  const conflicts = new Map<string, string>();
  for (const [object, sonames] of [...byObject].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const c of chooseFamilies(sonames, ctx)) {
      for (const s of c.sonames) {
        if (picks.has(s) || conflicts.has(s)) continue;
        if (c.version !== null) picks.set(s, c.picks[s]!);
        else conflicts.set(s, `${object}: ${c.message}`);
      }
    }
  }
  return { picks, conflicts };
}
