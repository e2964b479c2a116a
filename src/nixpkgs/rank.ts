/**
 * Ranking of providers when several packages ship a soname (issue 3). Each candidate carries the
 * reasons that placed it, so a person can check the pick.
 */

export interface RankInput {
  attr: string;
  /** Path inside the output. */
  path: string;
  topLevel: boolean;
  curated: boolean;
  preferred: boolean;
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

/** Sort key: lower is better, compared lexicographically. */
function key(c: RankInput, soname: string): number[] {
  // The gcc lib output is the canonical provider of its runtime; the `-unwrapped` rule must not
  // push `gcc-unwrapped` below an application bundling libstdc++.
  const push = c.curated ? 0 : pushDownReason(c.attr) === null ? 0 : 1;
  return [
    push,
    isDirectLib(c.path, soname) ? 0 : 1,
    c.topLevel ? 0 : 1,
    c.curated ? 0 : 1,
    c.preferred ? 0 : 1,
    c.attr.split('.').length,
    c.attr.length,
  ];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

export function rankCandidates<T extends RankInput>(cands: readonly T[], soname: string): T[] {
  return [...cands].sort((a, b) => compareKeys(key(a, soname), key(b, soname)) || (a.attr < b.attr ? -1 : a.attr > b.attr ? 1 : 0));
}

/** Human reasons for a candidate's place, joined into `why`. */
export function reasons(c: RankInput, soname: string): string[] {
  const out: string[] = [];
  if (c.curated) out.push('curated pick');
  if (c.preferred) out.push('already in your Nix file');
  out.push(isDirectLib(c.path, soname) ? `file at <out>/${c.path}` : `file deeper in the output (${c.path})`);
  if (!c.topLevel) out.push('not a top-level attribute (nix-locate shows it in parentheses)');
  const push = c.curated ? null : pushDownReason(c.attr);
  if (push !== null) out.push(`ranked down: ${push}`);
  return out;
}
