#!/usr/bin/env bash
# Installs, when missing, the Debian/Ubuntu packages the engine needs at run time
# (FFmpeg 5.1 libraries, fonts), the ffmpeg CLI the tests use to check outputs, and
# redis-server, which the cluster tests start on a free loopback port.
# Idempotent: a no-op when everything is installed.
set -euo pipefail

PACKAGES=(
  libavcodec59 libavformat59 libavutil57 libswscale6 libswresample4   # FFmpeg 5.1 (Debian 12)
  ffmpeg                                                                # CLI: tests and benchmarks only
  mesa-vulkan-drivers                                                   # lavapipe: tests of the hardware-frame upload path
  fonts-noto-core fonts-noto-color-emoji fonts-dejavu-core              # text, colour emoji, fallback; copied into @reelspeed/engine-fonts by npm run package
  fonts-noto-cjk                                                        # Chinese, Japanese, Korean (NotoSansCJK-Regular.ttc)
  gcc zlib1g-dev                                                        # NativeAOT link of the addon
  redis-server                                                          # Redis 7.0: reelspeed-engine/cluster's tests and bench start their own
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup-system: not a Debian-based system; install FFmpeg 5.1 (libavcodec 59), Noto Sans, Noto Sans CJK, Noto Color Emoji and DejaVu fonts yourself" >&2
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
    echo "setup-system: missing packages (${missing[*]}) and no root/sudo to install them: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup-system: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3; do
  if "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "setup-system: apt-get failed (attempt $attempt), retrying" >&2
  sleep $((attempt * 5))
done
echo "setup-system: could not install ${missing[*]}" >&2
exit 1
