# nixpy as a Nix package: `nix build`, `nix run`, or `pkgs.callPackage ./package.nix { }`.
{ lib, buildNpmPackage, nodejs_20 }:

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
      ./bin
      ./src
      ./data
      ./fixtures/demo
      ./README.md
    ];
  };

  nodejs = nodejs_20;

  # The hash of the npm dependencies in package-lock.json. It must be updated whenever the lock
  # file changes: set it to lib.fakeHash, run `nix build`, and copy the hash Nix reports (or run
  # `prefetch-npm-deps package-lock.json`).
  npmDepsHash = lib.fakeHash;

  # `npm run build` (tsc) is the build; buildNpmPackage then installs the files package.json's
  # "files" lists and links the `nixpy` bin. The test suite needs gcc and nix-instantiate and
  # runs in CI instead.
  npmBuildScript = "build";
  # The install step lists the files with `npm pack --dry-run`; package.json's `prepack` would
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
