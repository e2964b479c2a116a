import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../e2e/harness.js';
import { nixEvalJson, nixParseFile } from '../helpers/nix.js';
import { nixString } from '../helpers/nix-eval.js';
import { describeWithTool } from '../helpers/tools.js';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; description: string };

// Just enough of nixpkgs for package.nix and flake.nix: buildNpmPackage returns its arguments,
// the fileset functions check that every path they are given exists, and importNpmLock makes
// the demand of nixpkgs' pkgs/build-support/node/import-npm-lock/default.nix (fetchModule):
// every package of the lock but the root has a `resolved` http(s) URL it can fetchurl with the
// lock's `integrity` (a lock written with omit-lockfile-registry-resolved has none, and the
// offline `npm install` of the build would then fail).
const MOCK = `
  let
    b = builtins;
    lib = {
      importJSON = f: b.fromJSON (b.readFile f);
      fakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
      licenses.mit = "MIT";
      platforms.linux = [ "x86_64-linux" "aarch64-linux" ];
      fileset = {
        unions = ps: b.map (p: if b.pathExists p then b.toString p else throw "missing \${b.toString p}") ps;
        toSource = { root, fileset }: { inherit root; files = fileset; };
      };
      genAttrs = names: f: b.listToAttrs (b.map (n: { name = n; value = f n; }) names);
    };
    importNpmLock = {
      __functor = _: { package, packageLock }:
        let
          fetchable = name: m: name == "" || m ? link
            || (m ? resolved && m ? integrity && b.match "https?://.+" m.resolved != null)
            || throw "package-lock.json: \${name} has no resolved URL with an integrity";
          mods = b.attrNames packageLock.packages;
        in
        assert b.all (n: fetchable n packageLock.packages.\${n}) mods;
        { pname = package.name; modules = b.length mods; };
      npmConfigHook = "import-npm-lock-config-hook";
    };
    pkgsFor = system: rec {
      inherit lib;
      stdenv.hostPlatform.system = system;
      nodejs_20 = "nodejs-20";
      gcc = "gcc"; nix = "nix"; pax-utils = "pax-utils";
      buildNpmPackage = args: args // { outPath = "/nix/store/00000000000000000000000000000000-\${args.pname}-\${args.version}"; };
      callPackage = fn: extra: import fn ({ inherit lib buildNpmPackage importNpmLock nodejs_20; } // extra);
      mkShell = args: args;
    };
    nixpkgs = { inherit lib; legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" ] pkgsFor; };
  in`;

describeWithTool('nix-instantiate', "nixpy's own Nix packaging", () => {
  it('flake.nix and package.nix parse', () => {
    for (const f of ['flake.nix', 'package.nix']) {
      const r = nixParseFile(join(REPO, f));
      expect(r.ok, `${f}: ${r.stderr}`).toBe(true);
    }
  });

  it('package.nix builds the package.json version with buildNpmPackage from files that exist', () => {
    const r = nixEvalJson(`${MOCK} let p = import ${nixString(join(REPO, 'package.nix'))} { inherit lib importNpmLock; inherit (pkgsFor "x86_64-linux") buildNpmPackage nodejs_20; };
      in { inherit (p) pname version npmDeps npmConfigHook npmBuildScript npmPackFlags; hasHash = p ? npmDepsHash; files = p.src.files; main = p.meta.mainProgram; description = p.meta.description; }`);
    expect(r.ok, r.stderr).toBe(true);
    const p = JSON.parse(r.stdout);
    expect(p).toMatchObject({ pname: pkg.name, version: pkg.version, npmBuildScript: 'build', npmPackFlags: ['--ignore-scripts'], main: 'nixpy', description: pkg.description });
    // The dependencies come from the lock itself: no hash to keep in step with it.
    expect(p.hasHash).toBe(false);
    expect(p.npmConfigHook).toBe('import-npm-lock-config-hook');
    expect(p.npmDeps.pname).toBe(pkg.name);
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(p.npmDeps.modules).toBe(Object.keys(lock.packages).length);
    // Everything `npm run build` and package.json "files" need is in the source set.
    for (const f of ['package.json', 'package-lock.json', '.npmrc', 'tsconfig.json', 'tsconfig.build.json', 'src', 'bin', 'scripts', 'data', 'fixtures/demo', 'docs', 'bench/README.md']) {
      expect(p.files).toContain(join(REPO, f));
    }
  });

  it('flake.nix exposes the package, an app running the nixpy bin, an overlay and a dev shell', () => {
    const r = nixEvalJson(`${MOCK} let flake = import ${nixString(join(REPO, 'flake.nix'))}; self = flake.outputs { inherit self nixpkgs; }; in {
      pname = self.packages.x86_64-linux.default.pname;
      same = self.packages.aarch64-linux.nixpy.version == self.packages.aarch64-linux.default.version;
      app = self.apps.x86_64-linux.default;
      overlay = (self.overlays.default (pkgsFor "x86_64-linux") { }).nixpy.pname;
      shell = self.devShells.x86_64-linux.default.packages;
    }`);
    expect(r.ok, r.stderr).toBe(true);
    const f = JSON.parse(r.stdout);
    expect(f.pname).toBe('nixpy');
    expect(f.same).toBe(true);
    expect(f.app).toEqual({ type: 'app', program: `/nix/store/00000000000000000000000000000000-nixpy-${pkg.version}/bin/nixpy` });
    expect(f.overlay).toBe('nixpy');
    expect(f.shell).toContain('nodejs-20');
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const text = readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8');
  const field = (name: string): string | undefined =>
    new RegExp(`^\\s+${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim().replace(/^'(.*)'$/, '$1');

  it('declares the nixpy-check hook as a node hook that gets the changed files in one call', () => {
    expect(text).toMatch(/^- id: nixpy-check$/m);
    expect(field('entry')).toBe('nixpy check');
    expect(field('language')).toBe('node');
    expect(field('pass_filenames')).toBe('true');
    expect(field('require_serial')).toBe('true');
  });

  it('triggers on the files that decide the native libraries, and on nothing else', () => {
    // pre-commit matches `files` with Python's re.search; this pattern means the same in JS.
    const re = new RegExp(field('files')!);
    for (const f of ['flake.nix', 'shell.nix', 'devenv.nix', 'pyproject.toml', 'uv.lock', 'requirements.txt', 'requirements-dev.txt', 'sub/dir/flake.nix', 'requirements-base.txt']) {
      expect(re.test(f), f).toBe(true);
    }
    for (const f of ['flake.lock', 'src/app.py', 'README.md', 'myflake.nix', 'requirements.txt.bak', 'docs/requirements/x.txt', 'default.nix']) {
      expect(re.test(f), f).toBe(false);
    }
  });

  it('every `rev:` the documentation shows names a tag of this repository that carries the hook', () => {
    const revs = ['README.md', 'docs/pre-commit.md', '.pre-commit-hooks.yaml'].flatMap((f) =>
      [...readFileSync(join(REPO, f), 'utf8').matchAll(/\brev: (\S+)/g)].map((m) => [f, m[1]!] as const),
    );
    expect(revs.length).toBeGreaterThanOrEqual(3);
    // The release tag is `v` + the package version (the release makes it). A clone that carries
    // tags must have it, on a commit that has the hook; a clone without tags (CI's may be one)
    // can only check the name.
    const hasTags = spawnSync('git', ['tag', '--list'], { cwd: REPO, encoding: 'utf8' }).stdout.trim() !== '';
    for (const [file, rev] of revs) {
      expect(rev, file).toBe(`v${pkg.version}`);
      if (!hasTags) continue;
      const r = spawnSync('git', ['cat-file', '-e', `${rev}:.pre-commit-hooks.yaml`], { cwd: REPO, encoding: 'utf8' });
      expect(r.status, `${file}: rev ${rev}: ${r.stderr} (create the tag: git tag ${rev})`).toBe(0);
    }
  });
});
