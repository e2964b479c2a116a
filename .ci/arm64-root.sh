#!/usr/bin/env bash
# Debian 12's arm64 glibc, its ldconfig, and real arm64 extension modules (python3-numpy,
# python3-pil) with some of their libraries, for test/loader/aarch64.test.ts: the packages are
# downloaded with apt and extracted with dpkg-deb (never installed) into a cache directory outside
# the repository, which the test runs the real aarch64 ld.so from under qemu-aarch64-static.
# Prints the directory. Idempotent: a complete directory is kept.
set -euo pipefail
root=${NIXPY_ARM64_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/nixpy/arm64-root}
if [[ -e "$root/.complete" ]]; then
  echo "$root"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
fi
apt-get update -qq
debs=$(mktemp -d)
chmod 755 "$debs" # apt's _apt user downloads into it
trap 'rm -rf "$debs"' EXIT
(
  cd "$debs"
  # libgfortran5, libblas3, liblapack3, libopenblas0-pthread: what numpy needs; liblcms2,
  # libwebp, libfreetype are left out on purpose so that Pillow's modules miss something.
  apt-get download -qq libc6:arm64 libc-bin:arm64 libgcc-s1:arm64 libstdc++6:arm64 libgfortran5:arm64 \
    libblas3:arm64 liblapack3:arm64 libopenblas0-pthread:arm64 zlib1g:arm64 libjpeg62-turbo:arm64 \
    libtiff6:arm64 python3-numpy:arm64 python3-pil:arm64 >/dev/null
)
rm -rf "$root"
mkdir -p "$root"
for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$root"; done
touch "$root/.complete"
echo "$root"
