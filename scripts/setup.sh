#!/usr/bin/env bash
# Everything `npm run demo` and `npm test` need, from a fresh clone: system packages,
# npm packages (node-api-dotnet provides the DLL the C# build references), the addon.
# Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-system.sh

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  # npm install, not npm ci: npm 11 writes lock files without the other platforms' optional
  # packages (rollup, esbuild), which npm ci then rejects; install keeps the locked versions.
  npm install --no-audit --no-fund --loglevel=error >&2
fi

bash scripts/build-addon.sh
