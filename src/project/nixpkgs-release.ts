/**
 * Which nixpkgs release the user's Nix file evaluates against, so that every attribute nixpy
 * writes exists there (issue 8). In order: `--nixpkgs`, `[tool.nixpy] nixpkgs`, the lock beside
 * the Nix file (flake.lock, devenv.lock), a pinned fetch in shell.nix/default.nix, the running
 * NixOS, else unstable. Everything here is pure over file texts; `detectNixpkgsRelease` is the
 * I/O edge.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { attrNameText, walk, type Expr } from '../nix/ast.js';
import { parseNix } from '../nix/index.js';
import { clampRelease, isRelease, RELEASES, releaseAt, releaseOfName, releaseRank, type Release } from '../nixpkgs/releases.js';

export type ReleaseSource = 'flag' | 'config' | 'flake.lock' | 'devenv.lock' | 'nix-file' | 'nixos' | 'default';

export interface NixpkgsRelease {
  release: Release;
  source: ReleaseSource;
  /** One human sentence: where the release was read and how. */
  reason: string;
}

type Found = { release: Release; reason: string };

const ACCEPTED = `${RELEASES.filter((r) => r !== 'unstable').join(', ')} or unstable`;

/** `--nixpkgs` / `[tool.nixpy] nixpkgs`: exactly a covered `YY.MM` or `unstable`. */
export function parseReleaseValue(raw: string, label: string): Release {
  const s = raw.trim();
  if (isRelease(s)) return s;
  throw new InputError(`${label}: ${JSON.stringify(raw)} is not a nixpkgs release (accepted: ${ACCEPTED})`);
}

/** A `YY.MM` read from a file, mapped onto a covered release with a note when it is not one. */
function fromYymm(yymm: string, what: string): Found {
  const c = clampRelease(yymm);
  return c === null ? { release: yymm as Release, reason: what } : { release: c.release, reason: `${what}; ${c.note}` };
}

function fromDate(unixSeconds: number, what: string): Found {
  const iso = new Date(unixSeconds * 1000).toISOString().slice(0, 10);
  const { release, branchOff } = releaseAt(unixSeconds);
  if (branchOff === null) return { release, reason: `${what} dated ${iso}, before 24.11 branched off: using 24.05 spellings` };
  const approx = branchOff.confirmed ? '' : ' (branch-off date approximate)';
  return { release, reason: `${what} dated ${iso}, after ${release} branched off on ${branchOff.date}${approx}` };
}

/** Branch names that follow master: their release is the one branched before the pinned date. */
const UNSTABLE_REF = /^(refs\/heads\/)?(nixos-unstable(-small)?|nixpkgs-unstable|master|main)$/;
const REV = /^[0-9a-f]{40}$/;

/** A ref or URL naming a nixpkgs channel/branch, and a pin date when known. */
function fromRefAndDate(ref: string | null, lastModified: number | null, what: string): Found | null {
  if (ref !== null && !REV.test(ref)) {
    const yymm = releaseOfName(ref);
    if (yymm !== null) return fromYymm(yymm, `${what} pins ${ref}`);
    if (UNSTABLE_REF.test(ref)) {
      if (lastModified !== null) return fromDate(lastModified, `${what} pins ${ref}`);
      return { release: 'unstable', reason: `${what} follows ${ref}` };
    }
  }
  if (lastModified !== null) return fromDate(lastModified, `${what} pins a nixpkgs revision`);
  return null;
}

interface LockNode {
  inputs?: Record<string, string | string[]>;
  locked?: { lastModified?: number; rev?: string; ref?: string; url?: string; repo?: string };
  original?: { ref?: string; rev?: string; url?: string; repo?: string; id?: string; type?: string };
}
interface LockFile {
  nodes?: Record<string, LockNode>;
  root?: string;
}

/** Follows an input reference (a node name, or a `follows` path from the root) to its node name. */
function resolveInput(lock: LockFile, ref: string | string[], depth = 0): string | null {
  if (typeof ref === 'string') return ref;
  if (depth > 32 || ref.length === 0) return null;
  let node = lock.root ?? 'root';
  for (const step of ref) {
    const next = lock.nodes?.[node]?.inputs?.[step];
    if (next === undefined) return null;
    const resolved = resolveInput(lock, next, depth + 1);
    if (resolved === null) return null;
    node = resolved;
  }
  return node;
}

function isNixpkgsNode(n: LockNode): boolean {
  const o = n.original ?? {};
  return o.repo === 'nixpkgs' || o.id === 'nixpkgs' || /nixpkgs|nixos\.org\/channels|channels\.nixos\.org/.test(o.url ?? '');
}

/**
 * The root's `nixpkgs` input of a flake.lock or devenv.lock (same format), following `follows`;
 * when the root has no input named nixpkgs, its first input whose source is nixpkgs.
 */
export function releaseFromLock(text: string, file: string): Found | null {
  let lock: LockFile;
  try {
    lock = JSON.parse(text) as LockFile;
  } catch {
    throw new InputError(`${file}: not valid JSON`);
  }
  if (typeof lock !== 'object' || lock === null || typeof lock.nodes !== 'object' || lock.nodes === null) {
    throw new InputError(`${file}: not a lock file (no "nodes")`);
  }
  const inputs = lock.nodes[lock.root ?? 'root']?.inputs ?? {};
  let name: string | null = inputs.nixpkgs !== undefined ? resolveInput(lock, inputs.nixpkgs) : null;
  if (name === null) {
    for (const ref of Object.values(inputs)) {
      const n = resolveInput(lock, ref);
      if (n !== null && lock.nodes[n] !== undefined && isNixpkgsNode(lock.nodes[n]!)) {
        name = n;
        break;
      }
    }
  }
  const node = name === null ? undefined : lock.nodes[name];
  if (node === undefined) return null;
  const o = node.original ?? {};
  const ref = o.ref ?? o.rev ?? (o.url !== undefined ? channelOfUrl(o.url) : null);
  const last = typeof node.locked?.lastModified === 'number' ? node.locked.lastModified : null;
  return fromRefAndDate(ref ?? null, last, `${basename(file)} (input ${name})`);
}

/** The branch or rev a nixpkgs tarball/channel URL names, e.g. `.../archive/nixos-24.11.tar.gz`. */
export function channelOfUrl(url: string): string | null {
  const archive = /\/nixpkgs\/archive\/([^/]+?)\.tar\.gz$/.exec(url);
  if (archive !== null) return archive[1]!;
  const channel = /(?:channels\.nixos\.org|nixos\.org\/channels)\/([^/]+)/.exec(url);
  if (channel !== null) return channel[1]!;
  const ref = /[?&]ref=([^&]+)/.exec(url);
  if (ref !== null) return decodeURIComponent(ref[1]!);
  const gh = /github:NixOS\/nixpkgs\/([^?]+)/.exec(url);
  return gh === null ? null : gh[1]!;
}

function literal(e: Expr | undefined): string | null {
  if (e === undefined) return null;
  if (e.type === 'Uri') return e.text;
  if ((e.type === 'String' || e.type === 'IndString') && e.parts.every((p) => p.type === 'Literal')) {
    return e.parts.map((p) => (p.type === 'Literal' ? p.value : '')).join('');
  }
  return null;
}

function attrsOf(e: Expr): Map<string, Expr> {
  const m = new Map<string, Expr>();
  if (e.type !== 'Attrs') return m;
  for (const b of e.bindings) {
    if (b.type === 'AttrDef' && b.path.length === 1) {
      const k = attrNameText(b.path[0]!);
      if (k !== undefined) m.set(k, b.value);
    }
  }
  return m;
}

const FETCHERS = new Set(['fetchTarball', 'fetchFromGitHub', 'fetchGit', 'fetchzip', 'fetchurl']);

function fetcherName(fn: Expr): string | null {
  if (fn.type === 'Var') return FETCHERS.has(fn.name) ? fn.name : null;
  if (fn.type === 'Select' && fn.default === undefined) {
    const last = fn.path[fn.path.length - 1];
    const n = last === undefined ? undefined : attrNameText(last);
    return n !== undefined && FETCHERS.has(n) ? n : null;
  }
  return null;
}

const ISO_DATE = /\b(20\d\d)-(\d\d)-(\d\d)\b/;

/** A date written in a comment on the fetch's lines or the line above (`# nixos-unstable 2024-12-01`). */
function dateNear(source: string, start: number, end: number): number | null {
  const lineStart = source.lastIndexOf('\n', source.lastIndexOf('\n', start - 1) - 1) + 1;
  const lineEnd = source.indexOf('\n', end);
  const text = source.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  for (const line of text.split('\n')) {
    const hash = line.indexOf('#');
    const m = hash === -1 ? null : ISO_DATE.exec(line.slice(hash));
    if (m !== null) return Date.parse(`${m[0]}T00:00:00Z`) / 1000;
  }
  return null;
}

/**
 * A nixpkgs pin in a shell.nix/default.nix: `fetchTarball "…/nixpkgs/archive/<ref>.tar.gz"` (or
 * `{ url = …; }`), `fetchFromGitHub { owner = "NixOS"; repo = "nixpkgs"; rev = …; }`,
 * `fetchGit { url = …nixpkgs…; ref = …; }`, found with the project's Nix parser. `<nixpkgs>` is no
 * pin and gives nothing.
 */
export function releaseFromNixSource(source: string, file: string): Found | null {
  const parsed = parseNix(source, file);
  const input = flakeInputUrl(parsed.root);
  if (input !== null) {
    const ref = channelOfUrl(input);
    const f = ref === null ? null : fromRefAndDate(ref, null, `${basename(file)} input nixpkgs (not locked yet)`);
    if (f !== null) return f;
  }
  let found: Found | null = null;
  walk(parsed.root, (e) => {
    if (found !== null) return false;
    if (e.type !== 'App') return;
    const name = fetcherName(e.fn);
    if (name === null) return;
    const arg = e.arg.type === 'Paren' ? e.arg.expr : e.arg;
    const attrs = attrsOf(arg);
    const url = literal(arg) ?? literal(attrs.get('url'));
    let ref: string | null = null;
    if (url !== null && /nixpkgs|nixos\.org\/channels|channels\.nixos\.org/.test(url)) {
      ref = literal(attrs.get('ref')) ?? channelOfUrl(url) ?? literal(attrs.get('rev'));
    } else if (literal(attrs.get('repo')) === 'nixpkgs') {
      ref = literal(attrs.get('rev')) ?? literal(attrs.get('tag'));
    }
    if (ref === null) return;
    const what = `${basename(file)} ${name} of nixpkgs`;
    const date = dateNear(source, e.start, e.end);
    found = fromRefAndDate(ref, date, what) ?? { release: 'unstable', reason: `${what} pins revision ${ref.slice(0, 12)} with no date in the file: assuming unstable` };
    return false;
  });
  return found;
}

/**
 * A flake's `inputs.nixpkgs.url` (however the attribute path is split across nested sets), for a
 * flake that has no flake.lock yet: the next evaluation locks that branch.
 */
function flakeInputUrl(root: Expr): string | null {
  const visit = (e: Expr, prefix: readonly string[]): string | null => {
    if (e.type !== 'Attrs') return null;
    for (const b of e.bindings) {
      if (b.type !== 'AttrDef') continue;
      const names = b.path.map((n) => attrNameText(n));
      if (names.some((n) => n === undefined)) continue;
      const full = [...prefix, ...(names as string[])];
      if (full.length === 3 && full[0] === 'inputs' && full[1] === 'nixpkgs' && full[2] === 'url') return literal(b.value);
      if (full.length < 3 && full.every((n, i) => n === ['inputs', 'nixpkgs'][i])) {
        const inner = visit(b.value, full);
        if (inner !== null) return inner;
      }
    }
    return null;
  };
  return visit(root.type === 'Paren' ? root.expr : root, []);
}

/** `/run/current-system/nixos-version`, e.g. `24.11.20241130.abcdef0 (Vicuna)` or `26.05pre…`. */
export function releaseFromNixosVersion(text: string): Found | null {
  const v = text.trim();
  const yymm = releaseOfName(v);
  if (yymm === null) return null;
  if (new RegExp(`^${yymm.replace('.', '\\.')}pre`).test(v)) {
    // A pre-release is master before that release's branch-off: the previous release's names.
    const c = clampRelease(yymm);
    const rel = c === null ? (yymm as Release) : c.release;
    const prev = RELEASES[Math.max(0, releaseRank(rel) - 1)]!;
    return { release: c?.release === 'unstable' ? 'unstable' : prev, reason: `the running NixOS is ${v.split(' ')[0]} (unstable before ${yymm})` };
  }
  return fromYymm(yymm, `the running NixOS is ${v.split(' ')[0]}`);
}

/** Everything the choice reads, as texts; absent files are null. */
export interface ReleaseInputs {
  flag?: string | undefined;
  config?: { value: string; file: string } | null;
  flakeLock?: { file: string; text: string } | null;
  devenvLock?: { file: string; text: string } | null;
  nixFiles?: readonly { file: string; text: string }[];
  nixosVersion?: string | null;
}

/** The first source that names a release wins, in the order of issue 8. */
export function chooseRelease(inputs: ReleaseInputs): NixpkgsRelease {
  if (inputs.flag !== undefined) {
    const release = parseReleaseValue(inputs.flag, '--nixpkgs');
    return { release, source: 'flag', reason: `--nixpkgs ${release}` };
  }
  if (inputs.config != null) {
    const release = parseReleaseValue(inputs.config.value, `${inputs.config.file}: [tool.nixpy] nixpkgs`);
    return { release, source: 'config', reason: `[tool.nixpy] nixpkgs = "${release}" in ${basename(inputs.config.file)}` };
  }
  const locks: [ReleaseSource, { file: string; text: string } | null | undefined][] = [
    ['flake.lock', inputs.flakeLock],
    ['devenv.lock', inputs.devenvLock],
  ];
  for (const [source, lock] of locks) {
    if (lock == null) continue;
    const f = releaseFromLock(lock.text, lock.file);
    if (f !== null) return { ...f, source };
  }
  for (const n of inputs.nixFiles ?? []) {
    const f = releaseFromNixSource(n.text, n.file);
    if (f !== null) return { ...f, source: 'nix-file' };
  }
  if (inputs.nixosVersion != null) {
    const f = releaseFromNixosVersion(inputs.nixosVersion);
    if (f !== null) return { ...f, source: 'nixos' };
  }
  return {
    release: 'unstable',
    source: 'default',
    reason: 'no --nixpkgs, [tool.nixpy] nixpkgs, lock file, pinned fetch or NixOS version found: assuming nixpkgs unstable',
  };
}

async function readOrNull(file: string): Promise<{ file: string; text: string } | null> {
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw new InputError(`${file}: cannot read (${code ?? 'error'})`);
  }
}

export const NIXOS_VERSION_FILE = '/run/current-system/nixos-version';

/**
 * Reads what `chooseRelease` needs: locks and shell.nix/default.nix beside the Nix file (or in the
 * project directory when there is none), the running NixOS's version file.
 */
export async function detectNixpkgsRelease(opts: {
  flag?: string | undefined;
  configValue?: { value: string; file: string } | null;
  projectDir: string;
  nixFile?: string | null;
  nixosVersionFile?: string;
}): Promise<NixpkgsRelease> {
  if (opts.flag !== undefined || opts.configValue != null) {
    return chooseRelease({ flag: opts.flag, config: opts.configValue ?? null });
  }
  const dir = opts.nixFile != null ? dirname(opts.nixFile) : opts.projectDir;
  const nixFiles: { file: string; text: string }[] = [];
  const names = new Set<string>();
  if (opts.nixFile != null && /\.nix$/.test(opts.nixFile)) names.add(opts.nixFile);
  names.add(join(dir, 'flake.nix'));
  names.add(join(dir, 'shell.nix'));
  names.add(join(dir, 'default.nix'));
  for (const n of names) {
    const f = await readOrNull(n);
    if (f !== null) nixFiles.push(f);
  }
  const version = await readOrNull(opts.nixosVersionFile ?? NIXOS_VERSION_FILE);
  return chooseRelease({
    flakeLock: await readOrNull(join(dir, 'flake.lock')),
    devenvLock: await readOrNull(join(dir, 'devenv.lock')),
    nixFiles,
    nixosVersion: version?.text ?? null,
  });
}

/** The release for a located project: `--nixpkgs`, its `[tool.nixpy] nixpkgs`, then the files beside its Nix file. */
type ProjectConfigRelease = { config: { nixpkgs: Release | null; source: string | null } };

/** The release the user named (--nixpkgs, else [tool.nixpy] nixpkgs), or null when neither. */
export function configuredRelease(p: ProjectConfigRelease, flag?: string): NixpkgsRelease | null {
  const config = configValueOf(p);
  return flag !== undefined || config !== null ? chooseRelease({ flag, config }) : null;
}

function configValueOf(p: ProjectConfigRelease): { value: string; file: string } | null {
  return p.config.nixpkgs === null ? null : { value: p.config.nixpkgs, file: p.config.source ?? 'pyproject.toml' };
}

export function releaseForProject(
  p: { root: string; nixFile: string | null } & ProjectConfigRelease,
  flag?: string,
  nixosVersionFile?: string,
): Promise<NixpkgsRelease> {
  const configValue = configValueOf(p);
  return detectNixpkgsRelease({
    flag,
    configValue,
    projectDir: p.root,
    nixFile: p.nixFile,
    ...(nixosVersionFile === undefined ? {} : { nixosVersionFile }),
  });
}
