#!/usr/bin/env bash
# Publishes the NativeAOT addon to build/reelspeed_engine.node, with Skia's and HarfBuzz's
# native libraries beside it (and nothing else: symbols stay in build/native).
# Skipped when no engine source changed since the last build.
# RID=<runtime id> (osx-arm64, win-x64, linux-arm64, ...) builds for another runtime on its own OS
# (NativeAOT does not cross-compile between OSes); default: Directory.Build.props (linux-x64).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "build-addon: the .NET 10 SDK is needed to build the addon (https://dotnet.microsoft.com/download)" >&2
  exit 1
fi

sha() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
hash=$( { find Engine Engine.NodeApi -type f \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*' | LC_ALL=C sort | xargs cat | sha;
          cat Directory.Build.props node_modules/node-api-dotnet/package.json | sha; echo "${RID:-}"; } | sha | cut -c1-16)
if [ -f build/reelspeed_engine.node ] && [ "$(cat build/.addon-hash 2>/dev/null)" = "$hash" ]; then
  exit 0
fi

echo "build-addon: publishing the NativeAOT addon (dotnet publish${RID:+ -r $RID})..." >&2
start=$(date +%s)
rm -rf build/native
dotnet publish Engine.NodeApi/Engine.NodeApi.csproj -c Release -o build/native ${RID:+-r "$RID"} --nologo -v quiet -p:WarningLevel=0 >&2
found=""
for ext in so dylib dll; do
  if [ -f "build/native/reelspeed_engine.$ext" ]; then found=$ext; fi
done
[ -n "$found" ] || { echo "build-addon: no reelspeed_engine.{so,dylib,dll} in build/native" >&2; exit 1; }
# New files renamed into place, never written over: a node process that has the old addon loaded
# (a long benchmark, a test run) keeps its mapping intact instead of crashing on truncated pages.
for pair in "reelspeed_engine.$found:reelspeed_engine.node" "libSkiaSharp.$found:libSkiaSharp.$found" "libHarfBuzzSharp.$found:libHarfBuzzSharp.$found"; do
  cp "build/native/${pair%%:*}" "build/.${pair#*:}.$$"
  mv -f "build/.${pair#*:}.$$" "build/${pair#*:}"
done
echo "$hash" > build/.addon-hash
echo "build-addon: build/reelspeed_engine.node ready in $(( $(date +%s) - start )) s" >&2
