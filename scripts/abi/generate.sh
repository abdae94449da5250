#!/usr/bin/env bash
# Regenerates Engine/Media/Native/AvLayout.cs (FFmpeg struct offsets and
# constants) from the FFmpeg development headers found by pkg-config.
# Needs: a C compiler (GCC/Clang), pkg-config and the libav*-dev packages, e.g.
#   apt-get install libavcodec-dev libavformat-dev libavutil-dev \
#                   libswscale-dev libswresample-dev pkg-config
# Usage: scripts/abi/generate.sh [output.cs]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/Engine/Media/Native/AvLayout.cs}"
cc="${CC:-cc}"
pkgs="libavformat libavcodec libavutil libswscale libswresample"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2046
"$cc" -std=gnu11 -O0 -Wall -Wno-deprecated-declarations \
    $(pkg-config --cflags $pkgs) \
    -o "$tmp/avlayout" "$here/avlayout.c"
# Only headers are used (offsetof/sizeof/macros), so no linking against libav*.

"$tmp/avlayout" > "$tmp/AvLayout.cs"
mkdir -p "$(dirname "$out")"
mv "$tmp/AvLayout.cs" "$out"
echo "wrote $out ($(pkg-config --modversion libavcodec) libavcodec headers)" >&2
