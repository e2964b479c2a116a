#!/usr/bin/env bash
# Debian 12's packages of the Python libraries that open native libraries at run time (their
# upstream sources, with Debian's patches), for test/scan/runtime-real.test.ts: downloaded with
# apt and extracted with dpkg-deb (never installed) into a cache directory outside the
# repository. Prints the directory. Idempotent: a complete directory is kept.
set -euo pipefail
root=${NIXPY_PYTHON_SOURCES:-${XDG_CACHE_HOME:-$HOME/.cache}/nixpy/python-sources}
if [[ -e "$root/.complete" ]]; then
  echo "$root"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
debs=$(mktemp -d)
chmod 755 "$debs"
trap 'rm -rf "$debs"' EXIT
(
  cd "$debs"
  apt-get download -qq python3-soundfile python3-magic python3-pyzbar python3-cairocffi python3-opengl \
    python3-usb python3-vlc python3-pyglet python3-gi >/dev/null
)
rm -rf "$root"
mkdir -p "$root"
for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$root"; done
touch "$root/.complete"
echo "$root"
