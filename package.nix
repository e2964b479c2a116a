# nixpy as a Nix package: `nix build`, `nix run`, or `pkgs.callPackage ./package.nix { }`.
{ lib, buildNpmPackage, importNpmLock, nodejs_20 }:

let
  manifest = lib.importJSON ./package.json;
in
buildNpmPackage {
  pname = manifest.name;
  inherit (manifest) version;

  # Only what the build reads: no node_modules, dist or bench output from a working copy.
  src = lib.fileset.toSource {
    root = ./.;
    fileset = lib.fileset.unions [
      ./package.json
      ./package-lock.json
      ./tsconfig.json
      ./tsconfig.build.json
      ./.npmrc
      ./bin
      ./scripts
      ./src
      ./data
      ./fixtures/demo
      ./README.md
      # package.json "files" ships the documentation the README links to.
      ./docs
      ./bench/README.md
    ];
  };

  nodejs = nodejs_20;

  # The npm dependencies come from package-lock.json itself: importNpmLock fetches each package
  # from its `resolved` URL with its `integrity` hash (nixpkgs
  # pkgs/build-support/node/import-npm-lock/default.nix), so there is no npmDepsHash to keep in
  # step with the lock file. package.json and the lock are read as JSON rather than through
  # `npmRoot`, which would copy the working tree (node_modules included) into the store.
  npmDeps = importNpmLock {
    package = manifest;
    packageLock = lib.importJSON ./package-lock.json;
  };
  npmConfigHook = importNpmLock.npmConfigHook;

  # `npm run build` (tsc, then the esbuild bundle the bin runs: scripts/bundle.mjs) is the build;
  # buildNpmPackage then installs the files package.json's "files" lists and links the `nixpy`
  # bin. The bundle holds every npm dependency, so the pruned node_modules is empty. The test
  # suite needs gcc and nix-instantiate and runs in CI instead.
  npmBuildScript = "build";
  # The install step lists the files with `npm pack --dry-run`; package.json's `prepare` would
  # build a second time (and could mix its output into the JSON the hook reads).
  npmPackFlags = [ "--ignore-scripts" ];
  doCheck = false;

  meta = {
    description = manifest.description;
    license = lib.licenses.mit;
    mainProgram = "nixpy";
    platforms = lib.platforms.linux;
  };
}
