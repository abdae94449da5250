#!/usr/bin/env node
'use strict';
// npm run fuzz: the fuzzing suite (issue #13 item 1). Config mutations of valid chat and
// processing configs through compileScene, renderFrame and short renders; corrupted and special
// media through every entry point that reads media. Seeded: the same seed runs the same cases.
//   node scripts/fuzz.js [--seed N] [--configs N] [--media N] [--batch N] [--json file]
//   node scripts/fuzz.js --replay config:SEED | media:SEED      (one case, shrunk when it fails)
// Exit status 1 when a case fails in a way not listed in KNOWN_FAILURES (scripts/fuzz/runner.js).
const fs = require('node:fs');
const { runFuzz, formatReport } = require('./fuzz/runner');

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
}

async function main() {
  const seed = Number(arg('--seed', 20261203));
  const opts = {
    seed,
    configs: Number(arg('--configs', 10000)),
    media: Number(arg('--media', 1200)),
    batchSize: Number(arg('--batch', 200)),
    only: arg('--replay'),
    log: (s) => process.stderr.write(`${s}\n`),
  };
  process.stderr.write(`fuzz: seed ${seed}, ${opts.only ? `replaying ${opts.only}` : `${opts.configs} configs + ${opts.media} media cases`}\n`);
  const rep = await runFuzz(opts);
  process.stdout.write(`${formatReport(rep, seed)}\n`);
  const json = arg('--json');
  if (json) fs.writeFileSync(json, JSON.stringify({ seed, ...rep }, null, 2));
  return rep.failures.length ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 2; });
