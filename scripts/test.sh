#!/usr/bin/env bash
# The whole test suite: NUnit (engine) then vitest (the built addon in real Node).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== NUnit: Engine.Tests" >&2
# RID=linux-arm64 etc. on other runners (.github/workflows/release.yml); default: Directory.Build.props.
# MALLOC_PERTURB_=255: glibc zero-fills what malloc returns (and fills what is freed with 0xff). libx264's macroblock tree
# reads heap memory it never wrote, so in one process that has run other encodes its output varies; zeroed memory makes
# it repeat, as in a fresh ffmpeg CLI process, so tests that compare with the CLI or expect x264's exact sizes hold.
MALLOC_PERTURB_=255 dotnet test Engine.Tests/Engine.Tests.csproj -c Release --nologo -v quiet --logger "console;verbosity=normal" ${RID:+-p:RuntimeIdentifier=$RID}

echo "== vitest: js/test against build/reelspeed_engine.node (projects forks and threads; workers, loader, install test)" >&2
npx vitest run
