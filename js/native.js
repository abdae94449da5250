'use strict';
// Locates and loads the NativeAOT addon. One place, one actionable error.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function candidates() {
  const list = [];
  if (process.env.REELSPEED_ENGINE_BINARY) list.push(path.resolve(process.env.REELSPEED_ENGINE_BINARY));
  list.push(path.join(ROOT, 'build', 'reelspeed_engine.node'));
  return list;
}

function loadNative() {
  const tried = [];
  for (const file of candidates()) {
    if (!fs.existsSync(file)) {
      tried.push(`${file} (missing)`);
      continue;
    }
    try {
      return require(file);
    } catch (e) {
      tried.push(`${file} (${e.message})`);
    }
  }
  const platformHint = process.platform === 'linux' && process.arch === 'x64'
    ? 'Build it with `npm run build` (needs the .NET 10 SDK; installs FFmpeg 5.1 runtime libraries and fonts on Debian/Ubuntu).'
    : `This package ships a linux-x64 (glibc) addon only; this machine is ${process.platform}-${process.arch}.`;
  const err = new Error(`ReelSpeed engine: cannot load the native addon. ${platformHint} Tried: ${tried.join('; ')}`);
  err.code = 'ERR_DEPENDENCY';
  throw err;
}

module.exports = { loadNative, candidates };
