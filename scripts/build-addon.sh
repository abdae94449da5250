#!/usr/bin/env bash
# Publishes the NativeAOT addon to build/reelspeed_engine.node, with Skia's and HarfBuzz's
# native libraries beside it. Skipped when no engine source changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "build-addon: the .NET 10 SDK is needed to build the addon (https://dotnet.microsoft.com/download)" >&2
  exit 1
fi

hash=$( { find Engine Engine.NodeApi -type f \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*' | LC_ALL=C sort | xargs sha256sum;
          sha256sum Directory.Build.props node_modules/node-api-dotnet/package.json; } | sha256sum | cut -c1-16)
if [ -f build/reelspeed_engine.node ] && [ "$(cat build/.addon-hash 2>/dev/null)" = "$hash" ]; then
  exit 0
fi

echo "build-addon: publishing the NativeAOT addon (dotnet publish)..." >&2
start=$(date +%s)
dotnet publish Engine.NodeApi/Engine.NodeApi.csproj -c Release -o build/native --nologo -v quiet -p:WarningLevel=0 >&2
cp build/native/reelspeed_engine.so build/reelspeed_engine.node
cp build/native/libSkiaSharp.so build/native/libHarfBuzzSharp.so build/
echo "$hash" > build/.addon-hash
echo "build-addon: build/reelspeed_engine.node ready in $(( $(date +%s) - start )) s" >&2
