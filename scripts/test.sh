#!/usr/bin/env bash
# The whole test suite: NUnit (engine) then vitest (the built addon in real Node).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== NUnit: Engine.Tests" >&2
# RID=linux-arm64 etc. on other runners (.github/workflows/release.yml); default: Directory.Build.props.
dotnet test Engine.Tests/Engine.Tests.csproj -c Release --nologo -v quiet --logger "console;verbosity=normal" ${RID:+-p:RuntimeIdentifier=$RID}

echo "== vitest: js/test against build/reelspeed_engine.node (projects forks and threads; workers, loader, install test)" >&2
npx vitest run
