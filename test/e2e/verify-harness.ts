/**
 * The end-to-end harness for `--verify`: real Debian runtime packages turned into a nixpkgs
 * stand-in flake, a venv of real Debian extension modules, real Nix 2.8 (local store, offline)
 * and a NixOS-like root in which glibc's own ld.so judges every extension module.
 *
 * Debian packages are fetched with `apt-get download` and unpacked with `dpkg-deb -x` into a
 * cache outside the repository ($NIXPY_E2E_CACHE, default ~/.cache/nixpy-e2e), so only the first
 * run downloads anything.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { readElfFile } from '../../src/elf/index.js';
import { NIXOS_GLIBC_X86_64_SONAMES } from '../../src/loader/index.js';

const REPO = resolve(import.meta.dirname, '../..');
export const CACHE = process.env.NIXPY_E2E_CACHE ?? join(homedir(), '.cache/nixpy-e2e');

/** Nix as the CI machine has it: root, local store, no daemon, no network, no sandbox. */
export const NIX_ENV: NodeJS.ProcessEnv = {
  NIX_CONFIG: [
    'substituters =',
    'build-users-group =',
    'sandbox = false',
    'experimental-features = nix-command flakes',
    'warn-dirty = false',
  ].join('\n'),
};

/**
 * The stand-in's attributes, spelled as nixpkgs-unstable spells them (nixpy's picks for that
 * release: the test projects say `[tool.nixpy] nixpkgs = "unstable"`), and
 * the Debian packages whose shared libraries each one ships. `stdenv.cc.cc` is a two-output
 * derivation whose `lib` output holds libstdc++, as gcc's is in nixpkgs.
 */
export const ATTR_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  blas: ['libblas3'],
  lapack: ['liblapack3'],
  libxslt: ['libxslt1.1'],
  libxml2_13: ['libxml2'],
  freetype: ['libfreetype6'],
  libimagequant: ['libimagequant0'],
  libjpeg: ['libjpeg62-turbo'],
  lcms2: ['liblcms2-2'],
  openjpeg: ['libopenjp2-7'],
  libraqm: ['libraqm0'],
  libtiff: ['libtiff6'],
  libwebp: ['libwebp7', 'libwebpdemux2', 'libwebpmux3'],
  libxcb: ['libxcb1'],
  zlib: ['zlib1g'],
  'stdenv.cc.cc': ['libstdc++6'],
};

/** The Python extension modules of the venv. Another set (opencv, scipy, h5py, ...) needs its
 * packages here and the attributes nixpy picks for their sonames in ATTR_PACKAGES. */
export const VENV_PACKAGES = ['python3-pil', 'python3-lxml', 'python3-numpy'];

/** The interpreter that imports them inside the root. */
const INTERPRETER_PACKAGES = ['python3.11-minimal', 'libpython3.11-minimal', 'libpython3.11-stdlib', 'zlib1g', 'libexpat1'];

function sh(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(cmd, [...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/**
 * What the attributes' libraries need in turn (their RUNPATH closure in nixpkgs): the Debian
 * dependency closure of their packages, from apt's own metadata (cached: apt-cache is slow).
 */
function dependencyPackages(): string[] {
  const roots = [...new Set(Object.values(ATTR_PACKAGES).flat())].sort();
  const file = join(CACHE, `depends-${createHash('sha256').update(roots.join(' ')).digest('hex').slice(0, 16)}.txt`);
  if (existsSync(file)) return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const flags = ['--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances'];
  const out = sh('apt-cache', ['depends', ...flags, ...roots]);
  // Top-level lines are package names; `<name>` is a virtual package, indented lines relations.
  const pkgs = [...new Set(out.split('\n').filter((l) => /^[a-z0-9]/.test(l)))].sort();
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(file, pkgs.join('\n') + '\n');
  return pkgs;
}

function allPackages(): string[] {
  return [...new Set([...Object.values(ATTR_PACKAGES).flat(), ...dependencyPackages(), ...VENV_PACKAGES, ...INTERPRETER_PACKAGES])];
}

function debOf(debs: string, pkg: string): string | undefined {
  return readdirSync(debs).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
}

/** Downloads, in one apt-get call, every package of the harness not yet in the cache. */
export function fetchDebs(): void {
  const debs = join(CACHE, 'debs');
  mkdirSync(debs, { recursive: true });
  const missing = allPackages().filter((p) => !existsSync(join(CACHE, 'unpacked', p)) && debOf(debs, p) === undefined);
  if (missing.length === 0) return;
  try {
    sh('apt-get', ['download', '-q', ...missing], { cwd: debs });
  } catch {
    // A fresh CI container has no package lists yet.
    sh('apt-get', ['update', '-qq']);
    sh('apt-get', ['download', '-q', ...missing], { cwd: debs });
  }
}

/** The unpacked tree of a Debian package (fetchDebs first), unpacked on first use. */
function unpacked(pkg: string): string {
  const dir = join(CACHE, 'unpacked', pkg);
  if (existsSync(dir)) return dir;
  const debs = join(CACHE, 'debs');
  if (debOf(debs, pkg) === undefined) fetchDebs();
  const deb = debOf(debs, pkg);
  if (deb === undefined) throw new Error(`apt-get download ${pkg} left no .deb in ${debs}`);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  sh('dpkg-deb', ['-x', join(debs, deb), tmp]);
  renameSync(tmp, dir);
  return dir;
}

/** Every file of a tree (symlinks included), absolute. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

const SHARED = /\.so(\.[0-9]+)*$/;

/** The shared libraries a package ships, by soname (the real file behind any symlink). */
function librariesOf(pkg: string): Map<string, string> {
  const root = unpacked(pkg);
  const out = new Map<string, string>();
  for (const f of filesUnder(root)) {
    if (!SHARED.test(basename(f)) || f.includes('/dist-packages/') || f.includes('/python3')) continue;
    let real: string;
    try {
      real = realpathSync(f);
    } catch {
      // A link into /etc/alternatives: the real file is elsewhere in the same package.
      continue;
    }
    if (!real.startsWith(root) || lstatSync(real).isDirectory()) continue;
    let soname: string | null;
    try {
      soname = readElfFile(real).soname;
    } catch {
      continue;
    }
    if (soname !== null && !out.has(soname)) out.set(soname, real);
  }
  return out;
}

const GLIBC = NIXOS_GLIBC_X86_64_SONAMES;

export interface StandIn {
  /** Directory of the generated flake (a `path:` input of the project). */
  dir: string;
  /** soname -> attribute, for every library some attribute ships. */
  owner: Map<string, string>;
}

export interface StandInOptions {
  /** Attributes left out (as an older nixpkgs without them). */
  without?: readonly string[];
  /** Per attribute, only these sonames of its packages are shipped (an older split build). */
  only?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Generates the stand-in nixpkgs flake in `dir`. Each attribute's files go to `files/<attr>/lib`
 * (its own libraries) and `files/<attr>/deps` (what they need, found among the Debian
 * packages), with DT_RUNPATH `$ORIGIN/../deps` set by patchelf: nixpkgs' RUNPATH to dependency
 * store paths, in one directory. The flake's derivations copy them into `$out` with /bin/sh.
 */
export function makeStandIn(dir: string, opts: StandInOptions = {}): StandIn {
  const pool = new Map<string, string>();
  for (const pkg of [...Object.values(ATTR_PACKAGES).flat(), ...dependencyPackages()]) {
    for (const [soname, file] of librariesOf(pkg)) if (!pool.has(soname)) pool.set(soname, file);
  }
  const owner = new Map<string, string>();
  const attrs = Object.keys(ATTR_PACKAGES).filter((a) => !(opts.without ?? []).includes(a));
  mkdirSync(join(dir, 'files'), { recursive: true });
  for (const attr of attrs) {
    const own = new Map<string, string>();
    for (const pkg of ATTR_PACKAGES[attr]!) for (const [s, f] of librariesOf(pkg)) own.set(s, f);
    const keep = opts.only?.[attr];
    if (keep) for (const s of [...own.keys()]) if (!keep.includes(s)) own.delete(s);
    const lib = join(dir, 'files', attr, 'lib');
    const deps = join(dir, 'files', attr, 'deps');
    mkdirSync(lib, { recursive: true });
    mkdirSync(deps, { recursive: true });
    const placed = new Set<string>();
    const queue: string[] = [];
    const place = (soname: string, file: string, into: string, rpath: string): void => {
      placed.add(soname);
      const dest = join(into, soname);
      copyFileSync(file, dest);
      chmodSync(dest, 0o755);
      sh('patchelf', ['--set-rpath', rpath, dest]);
      queue.push(...readElfFile(file).needed);
    };
    for (const [s, f] of own) {
      place(s, f, lib, '$ORIGIN/../deps');
      owner.set(s, attr);
    }
    while (queue.length > 0) {
      const s = queue.shift()!;
      if (placed.has(s) || GLIBC.has(s)) continue;
      const f = pool.get(s);
      if (f === undefined) throw new Error(`stand-in: ${attr} needs ${s}, which no Debian package in the list ships`);
      place(s, f, deps, '$ORIGIN');
    }
  }
  cpSync(join(REPO, 'fixtures/nix/stub-nixpkgs/lib.nix'), join(dir, 'lib.nix'));
  writeFileSync(join(dir, 'flake.nix'), standInFlake(attrs.map((a) => ({ attr: a, name: `${a === 'stdenv.cc.cc' ? 'gcc' : a}-${upstreamVersion(ATTR_PACKAGES[a]![0]!)}` }))));
  return { dir, owner };
}

/** The upstream version of a downloaded package: `libwebp7_1.2.4-0.2+deb12u1_amd64.deb` -> 1.2.4. */
function upstreamVersion(pkg: string): string {
  const deb = debOf(join(CACHE, 'debs'), pkg);
  const m = deb === undefined ? null : /^[^_]+_(?:[0-9]+%3a)?([^-_]+)/.exec(deb);
  return m ? m[1]! : 'unknown';
}

function nixAttrName(a: string): string {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(a) ? a : JSON.stringify(a);
}

/** The flake text. A missing attribute fails evaluation exactly as nixpkgs' would. */
function standInFlake(attrs: readonly { attr: string; name: string }[]): string {
  const plain = attrs.filter((a) => a.attr !== 'stdenv.cc.cc').map((a) => `      ${nixAttrName(a.attr)} = pkg ${JSON.stringify(a.attr)} ${JSON.stringify(a.name)};`);
  const gccName = attrs.find((a) => a.attr === 'stdenv.cc.cc')?.name;
  const stdenv = gccName ? [`      stdenv.cc.cc = gcc ${JSON.stringify(gccName)};`] : [];
  return `{
  description = "nixpkgs stand-in built from Debian runtime packages (nixpy end-to-end tests)";
  outputs = { self }:
    let
      system = "x86_64-linux";
      lib = import ./lib.nix;
      # One derivation per attribute: /bin/sh copies the real libraries into $out.
      copy = dst: src: "/bin/mkdir -p " + dst + " && /bin/cp -R " + src + "/. " + dst + "/";
      pkg = attr: name: derivation {
        inherit system name;
        builder = "/bin/sh";
        args = [ "-c" (copy "$out" (./files + "/\${attr}")) ];
      };
      # gcc's two outputs: libstdc++ lives in \`lib\` (pkgs.stdenv.cc.cc.lib).
      gcc = name: derivation {
        inherit system name;
        outputs = [ "out" "lib" ];
        builder = "/bin/sh";
        args = [ "-c" ("/bin/mkdir -p $out && " + copy "$lib" (./files + "/stdenv.cc.cc")) ];
      };
      mkShell = attrs: derivation {
        inherit system;
        name = attrs.name or "nix-shell";
        builder = "/bin/sh";
        args = [ "-c" "echo \\"$LD_LIBRARY_PATH\\" > $out" ];
        LD_LIBRARY_PATH = attrs.LD_LIBRARY_PATH or "";
      } // removeAttrs attrs [ "packages" "buildInputs" "nativeBuildInputs" ];
    in {
      legacyPackages.\${system} = {
        inherit lib mkShell;
${[...plain, ...stdenv].join('\n')}
      };
    };
}
`;
}

export interface Project {
  dir: string;
  venv: string;
  flake: string;
}

/** A project whose flake takes the stand-in as its `nixpkgs` input, with `libs` on the path. */
export function makeProject(dir: string, standIn: string, libs: readonly string[]): Project {
  mkdirSync(dir, { recursive: true });
  const flake = join(dir, 'flake.nix');
  writeFileSync(
    flake,
    `{
  inputs.nixpkgs.url = "path:${standIn}";

  outputs = { self, nixpkgs }:
    let
      system = "x86_64-linux";
      pkgs = nixpkgs.legacyPackages.\${system};
      libs = [
${libs.map((l) => `        pkgs.${l}`).join('\n')}
      ];
    in
    {
      devShells.\${system}.default = pkgs.mkShell {
        LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;
      };
    };
}
`,
  );
  // A `path:` input carries no date (its lock says 1970), so nixpy would read it as an old
  // release: the project says which nixpkgs the stand-in spells its attributes for.
  writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "e2e"\nversion = "0"\n\n[tool.nixpy]\nnixpkgs = "unstable"\n');
  writeFileSync(join(dir, '.gitignore'), '.venv\n');
  // A git checkout, as most flakes are: Nix copies tracked files only, never the venv.
  sh('git', ['init', '-q', '.'], { cwd: dir });
  sh('git', ['add', 'flake.nix', 'pyproject.toml', '.gitignore'], { cwd: dir });
  sh('nix', ['flake', 'lock'], { cwd: dir, env: NIX_ENV });
  sh('git', ['add', 'flake.lock'], { cwd: dir });
  return { dir, venv: join(dir, '.venv'), flake };
}

/** A venv (Python 3.11 layout) holding the Debian builds of PIL, lxml and numpy. */
export function fillVenv(venv: string, extra: readonly { from: string; to: string }[] = []): void {
  const sp = join(venv, 'lib/python3.11/site-packages');
  mkdirSync(sp, { recursive: true });
  for (const pkg of VENV_PACKAGES) {
    const from = join(unpacked(pkg), 'usr/lib/python3/dist-packages');
    for (const e of readdirSync(from)) cpSync(join(from, e), join(sp, e), { recursive: true, verbatimSymlinks: true });
  }
  for (const x of extra) cpSync(x.from, join(sp, x.to), { recursive: true });
  mkdirSync(join(venv, 'bin'), { recursive: true });
  symlinkSync('/usr/bin/python3.11', join(venv, 'bin/python'));
  writeFileSync(join(venv, 'pyvenv.cfg'), 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n');
}

/** Every extension module of a venv, absolute. */
export function extensionModules(venv: string): string[] {
  return filesUnder(venv).filter((f) => /\.cpython-311-x86_64-linux-gnu\.so$/.test(f)).sort();
}

/** The dev shell's library path as the flake defines it now (plain `nix eval`), realised. */
export function shellLibraryPath(project: Project): string[] {
  const attr = '.#devShells.x86_64-linux.default';
  const value = sh('nix', ['eval', '--raw', `${attr}.LD_LIBRARY_PATH`], { cwd: project.dir, env: NIX_ENV });
  sh('nix', ['build', '--no-link', attr], { cwd: project.dir, env: NIX_ENV });
  return value.split(':').filter((d) => d !== '');
}

function copyInto(root: string, path: string): void {
  const dest = join(root, path);
  if (existsSync(dest)) return;
  mkdirSync(dirname(dest), { recursive: true });
  cpSync(path, dest, { recursive: true, verbatimSymlinks: true });
}

/**
 * A NixOS-like root: the default library directory holds only glibc's sonames and libgcc_s, no
 * ld.so.cache; the venv and the store paths (with their closures) at their own absolute paths;
 * a Python whose DT_RUNPATH points at a private directory holding its own libz and libexpat.
 */
export function makeRoot(root: string, venv: string, storeDirs: readonly string[]): void {
  if (!existsSync(join(root, 'lib64/ld-linux-x86-64.so.2'))) makeBase(root);
  copyInto(root, venv);
  const closure = new Set<string>();
  const tops = [...new Set(storeDirs.filter((d) => d.startsWith('/nix/store/')).map((d) => d.split('/').slice(0, 4).join('/')))];
  if (tops.length > 0) for (const p of sh('nix-store', ['-qR', ...tops], { env: NIX_ENV }).split('\n')) if (p) closure.add(p);
  for (const p of closure) copyInto(root, p);
}

/** glibc, its loader, and the interpreter with its private libraries. */
function makeBase(root: string): void {
  const libdir = join(root, 'lib/x86_64-linux-gnu');
  mkdirSync(libdir, { recursive: true });
  for (const s of GLIBC) {
    const host = join('/lib/x86_64-linux-gnu', s);
    if (existsSync(host)) copyFileSync(realpathSync(host), join(libdir, s));
  }
  mkdirSync(join(root, 'lib64'), { recursive: true });
  copyFileSync(realpathSync('/lib64/ld-linux-x86-64.so.2'), join(root, 'lib64/ld-linux-x86-64.so.2'));
  chmodSync(join(root, 'lib64/ld-linux-x86-64.so.2'), 0o755);
  mkdirSync(join(root, 'tmp'), { recursive: true });

  // The interpreter and its standard library, from Debian's packages.
  for (const pkg of ['python3.11-minimal', 'libpython3.11-minimal', 'libpython3.11-stdlib']) {
    cpSync(unpacked(pkg), root, { recursive: true, verbatimSymlinks: true, force: false, errorOnExist: false });
  }
  const priv = join(root, 'opt/python/lib');
  mkdirSync(priv, { recursive: true });
  for (const [pkg, soname] of [['zlib1g', 'libz.so.1'], ['libexpat1', 'libexpat.so.1']] as const) {
    copyFileSync(librariesOf(pkg).get(soname)!, join(priv, soname));
  }
  sh('patchelf', ['--set-rpath', '/opt/python/lib', join(root, 'usr/bin/python3.11')]);
}

export interface LdSoVerdict {
  module: string;
  ok: boolean;
  output: string;
}

/** glibc's own ld.so, inside the root, loading one module with the given library path. */
export function ldSoJudge(root: string, module: string, libraryPath: readonly string[]): LdSoVerdict {
  const r = spawnSync('chroot', [root, '/lib64/ld-linux-x86-64.so.2', '--list', module], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LD_LIBRARY_PATH: libraryPath.join(':') },
    encoding: 'utf8',
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  // ld.so --list prints "=> not found" or "version `X' not found", or stops with "error while loading shared libraries".
  const ok = r.status === 0 && !/not found|error while loading shared libraries/.test(output);
  return { module, ok, output };
}

/** Runs Python code in the root with the given library path for the extension modules. */
export function pythonInRoot(root: string, venv: string, code: string, libraryPath: readonly string[]): { status: number | null; output: string } {
  const r = spawnSync('chroot', [root, join(venv, 'bin/python'), '-c', code], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LD_LIBRARY_PATH: libraryPath.join(':'), HOME: '/tmp' },
    encoding: 'utf8',
  });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Reads a file as text (for assertions about the user's file being left alone). */
export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
