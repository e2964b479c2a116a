{
  description = "dev shell";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  outputs = { self, nixpkgs }:
    let
      pkgs = nixpkgs.legacyPackages.x86_64-linux;
      libs = [ pkgs.stdenv.cc.cc.lib pkgs.zlib ];
    in {
      devShells.x86_64-linux.default = pkgs.mkShell {
        packages = [ pkgs.python3 pkgs.uv ];
        LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;
      };
    };
}
