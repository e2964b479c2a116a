/**
 * Ranking of providers when several packages ship a soname (issues 3 and 8). Every signal a
 * nix-locate line gives is used before attribute length: whether the package only bundles a copy,
 * whether its store name is the library's own (`libfoo.so.N` in `foo-1.2`, `libfoo-1.2`,
 * `foo-lib`), whether its version agrees with the soname's major, the depth of the file in the
 * output, the output, and whether the attribute is top level. Each candidate carries the
 * reasons that placed it, and the winner says which signal decided.
 */

export interface RankInput {
  attr: string;
  /** Path inside the output. */
  path: string;
  topLevel: boolean;
  curated: boolean;
  preferred: boolean;
  /** Output name (`out`, `lib`, ...), when known. */
  output?: string;
  /** Store name without the hash (`zlib-1.3.1`), when the index recorded it. */
  storeName?: string;
}

/**
 * Attributes that only bundle a copy of a library (FHS environments, applications shipping their
 * own), or build it for another platform or ABI: never the right thing for a venv's library path.
 */
const PUSH_DOWN: readonly { re: RegExp; why: string }[] = [
  { re: /^(pkgsi686Linux|pkgsCross|pkgsStatic|pkgsMusl|pkgsLLVM|pkgsx86_64Darwin|pkgsExtraHardening|pkgsLLVMLibc|pkgsArocc|pkgsZig|pkgsCuda|pkgsRocm|pkgs[A-Z][A-Za-z0-9]*)\./, why: 'another platform or package set' },
  { re: /(^|[.-])(steam-run|steam|steam-fhsenv|zulip|discord|slack|teams|zoom-us|spotify|vscode|vscodium|code-cursor|android-studio|jetbrains|appimage-run|lutris|heroic|bottles|itch|minecraft|wine|dotnet-sdk|electron|chromium|google-chrome|firefox|thunderbird|libreoffice|anaconda|conda|unityhub|davinci-resolve)([._-]|$)/i, why: 'an application or environment that bundles its own copy' },
  { re: /(fhs|FHSEnv|buildFHSEnv|FHS)/, why: 'an FHS environment' },
  { re: /-unwrapped(\.|$)/, why: 'an unwrapped build' },
  { re: /(^|\.)(linuxPackages[A-Za-z0-9_]*)\./, why: 'kernel-specific package set' },
];

export function pushDownReason(attr: string): string | null {
  for (const p of PUSH_DOWN) if (p.re.test(attr)) return p.why;
  return null;
}

/** `lib/<soname>` directly in the output, as opposed to a deeper directory. */
export function isDirectLib(path: string, soname: string): boolean {
  return path === `lib/${soname}` || path === `lib64/${soname}`;
}

/** `zlib-1.3.1-lib` → { name: 'zlib', version: '1.3.1' } (nixpkgs: the version starts at the first `-<digit>`). */
export function splitStoreName(storeName: string): { name: string; version: string | null } {
  const m = /^(.*?)-(\d[^-]*)/.exec(storeName);
  return m === null ? { name: storeName, version: null } : { name: m[1]!, version: m[2]! };
}

const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** `libfoo-bar.so.3` → `foo-bar`, `libpython3.12.so.1.0` → `python3.12`, `libz.so.1` → `z`. */
function libraryStem(soname: string): string {
  return soname.replace(/\.so(\..*)?$/, '').replace(/^lib/, '');
}

/**
 * Does a package named `storeName` carry the library's own name? `libfoo.so.N` matches `foo`,
 * `libfoo`, `foo-lib`/`foolib`, and names those start with followed by `-` (`libjpeg-turbo` for
 * `libjpeg.so.62`), compared without case or punctuation-only differences.
 */
export function storeNameMatches(storeName: string, soname: string): boolean {
  const { name } = splitStoreName(storeName);
  const stem = libraryStem(soname).toLowerCase().replace(/[-_]\d+(\.\d+)*$/, '');
  const n = name.toLowerCase();
  const forms = [stem, `lib${stem}`, `${stem}-lib`, `${stem}lib`];
  if (forms.some((f) => norm(f) === norm(n))) return true;
  if (forms.some((f) => f.length >= 3 && n.startsWith(`${f}-`))) return true;
  // A package shipping several libraries under its own prefix: libjxl_cms.so in libjxl.
  const base = n.replace(/^lib/, '');
  return base.length >= 3 && (stem.startsWith(`${base}_`) || stem.startsWith(`${base}-`));
}

/** The soname's major (`libfoo.so.3.1` → 3), or null. */
function sonameMajor(soname: string): number | null {
  const m = /\.so\.(\d+)/.exec(soname);
  return m === null ? null : Number(m[1]);
}

/** Does the store name's version start with the soname's major (`icu4c-74.2` for `libicuuc.so.74`)? */
function versionAgrees(storeName: string, soname: string): boolean {
  const major = sonameMajor(soname);
  const { version } = splitStoreName(storeName);
  return major !== null && version !== null && Number(version.split('.')[0]) === major;
}

/** Signals in the order they are compared; lower is better. */
const SIGNALS = [
  'bundled copy',
  'store name',
  'file depth',
  'top level',
  'curated',
  'already in your file',
  'version',
  'output',
  'attribute depth',
  'attribute length',
] as const;
type Signal = (typeof SIGNALS)[number];

function key(c: RankInput, soname: string): number[] {
  // The gcc lib output is the canonical provider of its runtime; the `-unwrapped` rule must not
  // push `gcc-unwrapped` below an application bundling libstdc++.
  const push = c.curated ? 0 : pushDownReason(c.attr) === null ? 0 : 1;
  // Curated and already-present attributes carry their own evidence; for the rest, a store name
  // that is the library's own beats one that is not (an application's bundled copy).
  const named = c.curated || c.preferred || (c.storeName !== undefined && storeNameMatches(c.storeName, soname)) ? 0 : 1;
  const depth = isDirectLib(c.path, soname) ? 0 : c.path.split('/').length;
  const version = c.storeName !== undefined && versionAgrees(c.storeName, soname) ? 0 : 1;
  const output = c.output === undefined || c.output === 'out' || c.output === 'lib' ? 0 : 1;
  return [
    push,
    named,
    depth,
    c.topLevel ? 0 : 1,
    c.curated ? 0 : 1,
    c.preferred ? 0 : 1,
    version,
    output,
    c.attr.split('.').length,
    c.attr.length,
  ];
}

function firstDifference(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i]! !== b[i]!) return i;
  return -1;
}

function compareKeys(a: number[], b: number[]): number {
  const i = firstDifference(a, b);
  return i === -1 ? 0 : a[i]! - b[i]!;
}

export function rankCandidates<T extends RankInput>(cands: readonly T[], soname: string): T[] {
  // Each candidate's key once (several regular expressions), not once per comparison: a soname
  // nix-locate finds in thousands of outputs took 180 ms to sort otherwise.
  return cands
    .map((c) => ({ c, k: key(c, soname) }))
    .sort((a, b) => compareKeys(a.k, b.k) || (a.c.attr < b.c.attr ? -1 : a.c.attr > b.c.attr ? 1 : 0))
    .map(({ c }) => c);
}

/** The signal that put `winner` above `runnerUp` (both already ranked), or null when only the name order did. */
export function decidingSignal(winner: RankInput, runnerUp: RankInput, soname: string): Signal | null {
  const i = firstDifference(key(winner, soname), key(runnerUp, soname));
  return i === -1 ? null : SIGNALS[i]!;
}

/** Human reasons for a candidate's place, joined into `why`. */
export function reasons(c: RankInput, soname: string): string[] {
  const out: string[] = [];
  if (c.curated) out.push('curated pick');
  if (c.preferred) out.push('already in your Nix file');
  if (c.storeName !== undefined) {
    out.push(storeNameMatches(c.storeName, soname) ? `store name ${c.storeName} is the library's own` : `store name ${c.storeName} is not the library's`);
  }
  out.push(isDirectLib(c.path, soname) ? `file at <out>/${c.path}` : `file deeper in the output (${c.path})`);
  if (!c.topLevel) out.push('not a top-level attribute (nix-locate shows it in parentheses)');
  const push = c.curated ? null : pushDownReason(c.attr);
  if (push !== null) out.push(`ranked down: ${push}`);
  return out;
}
