/**
 * The nixpkgs releases nixpy knows attribute spellings for, in order, and when each branched off
 * master. A pinned revision of master belongs to the newest release branched before it: it has
 * that release's attribute names plus whatever master added since (which never removes what the
 * release had without an alias in pkgs/top-level/aliases.nix).
 */

export const RELEASES = ['24.05', '24.11', '25.05', '25.11', '26.05', '26.11', 'unstable'] as const;
export type Release = (typeof RELEASES)[number];

/** Position in RELEASES: earlier releases compare lower; `unstable` is the newest. */
export function releaseRank(r: Release): number {
  return RELEASES.indexOf(r);
}

export function isRelease(s: string): s is Release {
  return (RELEASES as readonly string[]).includes(s);
}

export interface BranchOff {
  release: Exclude<Release, 'unstable'>;
  /** ISO date (UTC) of the branch-off. */
  date: string;
  /** false: only the month is known from the release schedule. */
  confirmed: boolean;
  evidence: string;
}

/**
 * Branch-off dates. 24.05 needs none: anything older than 24.11's branch-off is treated as 24.05,
 * the oldest release the index covers (and said so).
 */
export const BRANCH_OFFS: readonly BranchOff[] = [
  {
    release: '24.11',
    date: '2024-11-14',
    confirmed: true,
    evidence: 'NixOS/nixpkgs#339153 "Release Schedule for 24.11": Nov 14 "Perform Branch-off" (ticked)',
  },
  {
    release: '25.05',
    date: '2025-05-16',
    confirmed: true,
    evidence: 'NixOS/nixpkgs#390768 comment 2025-05-16 "25.05 is now branched off"; NixOS/nixpkgs#407705 (2025-05-16) "following 25.11\'s branch-off"',
  },
  {
    release: '25.11',
    date: '2025-11-15',
    confirmed: false,
    evidence: 'NixOS/nixpkgs#443568 "NixOS 25.11 – Release schedule": branch-off in November 2025, release end of November',
  },
  {
    release: '26.05',
    date: '2026-05-20',
    confirmed: false,
    evidence: 'endoflife-date/endoflife.date#10180 (2026-05-28): release 2026-05-30, "already branched ... approximately 10 days before"',
  },
  {
    release: '26.11',
    date: '2026-11-15',
    confirmed: false,
    evidence: 'twice-yearly cadence (branch-off mid-November, as 24.11 and 25.11); no schedule issue found',
  },
];

/** Days since the epoch of an ISO date. */
function day(iso: string): number {
  return Math.floor(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
}

/**
 * The release a master revision committed at `unixSeconds` belongs to: the newest one branched
 * off before it (24.05 for anything older than 24.11's branch-off).
 */
export function releaseAt(unixSeconds: number): { release: Release; branchOff: BranchOff | null } {
  const d = Math.floor(unixSeconds / 86_400);
  let found: BranchOff | null = null;
  for (const b of BRANCH_OFFS) if (day(b.date) <= d) found = b;
  return { release: found?.release ?? '24.05', branchOff: found };
}

/**
 * `YY.MM` of a nixpkgs version string or branch name (`nixos-24.11`, `release-25.05`,
 * `24.11.20241130.abcdef`, `25.05pre`): the release part, or null.
 */
export function releaseOfName(name: string): string | null {
  const m = /(?:^|[^0-9])(\d{2})\.(05|11)(?![0-9])/.exec(name);
  return m === null ? null : `${m[1]}.${m[2]}`;
}

/**
 * A `YY.MM` release the index does not cover mapped onto one it does: older ones onto 24.05 (their
 * spellings are the older ones), newer ones onto unstable. Null for a covered release.
 */
export function clampRelease(yymm: string): { release: Release; note: string } | null {
  if (isRelease(yymm)) return null;
  const oldest = RELEASES[0];
  if (yymm < oldest) return { release: oldest, note: `${yymm} is older than the index covers; using ${oldest} spellings` };
  return { release: 'unstable', note: `${yymm} is newer than the index knows; using unstable spellings` };
}
