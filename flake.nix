{
  description = "nixpy: the native libraries a Python venv needs on NixOS, and the flake line that provides them";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: rec {
        nixpy = pkgs.callPackage ./package.nix { };
        default = nixpy;
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.nixpy}/bin/nixpy";
        };
      });

      # `nixpkgs.overlays = [ nixpy.overlays.default ];` then `pkgs.nixpy` anywhere.
      overlays.default = final: _prev: {
        nixpy = final.callPackage ./package.nix { };
      };

      # Working on nixpy itself: node for the build, gcc for the ELF fixtures, nix-instantiate
      # for the Nix tests.
      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [ pkgs.nodejs_20 pkgs.gcc pkgs.nix pkgs.pax-utils ];
        };
      });
    };
}
