#!/usr/bin/env bash
# The whole test suite: NUnit (engine) then vitest (the built addon in real Node).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== NUnit: Engine.Tests" >&2
dotnet test Engine.Tests/Engine.Tests.csproj -c Release --nologo -v quiet --logger "console;verbosity=normal"

echo "== vitest: js/test against build/reelspeed_engine.node" >&2
npx vitest run
