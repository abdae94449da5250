'use strict';
// The fuzz runner: sends cases in batches to child processes (scripts/fuzz/worker.js), one
// child per batch, so that a crash kills only its batch and is reported with the case's seed;
// a case that does not settle within its timeout is a hang (the child is killed and the batch
// goes on in a fresh one). Failing config cases are shrunk (keys and array elements dropped
// while the same failure remains) to a minimal reproduction.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fork } = require('node:child_process');
const { caseSeed, ensureCorpus, describeMediaCase, describeConfigCase, seedConfigs } = require('./cases');

const WORKER = path.join(__dirname, 'worker.js');

/**
 * Failures known and owned elsewhere: they are recorded and printed, not counted as new.
 * Each names the issue item that fixes it. Remove an entry once its fix lands (the runner
 * reports entries that no longer match anything).
 */
// Failures known and owned elsewhere, each naming its issue: { kind, issue, match(descriptor, result) }.
// Empty since the #13 media fixes landed (FIFO/device hangs, text and playlists opened as media,
// symlinked files called truncated, uncoded errors for loops, pipes and NUL characters).
const KNOWN_FAILURES = [];

function knownFailure(d, r) {
  return KNOWN_FAILURES.find((k) => k.match(d, r)) || null;
}

// Special files must be refused at once: a short timeout turns a regression into a quick 'hang' failure.
let specialTimeoutMs = 6000;
function timeoutFor(d) {
  if (d.kind === 'selftest') return 3000;
  if (d.kind === 'media') {
    if (['fifo', 'stdin-pipe', 'dev-zero'].includes(d.mutation)) return specialTimeoutMs;
    return 40000;
  }
  return d.op === 'compileScene' ? 15000 : d.op === 'renderFrame' ? 20000 : 40000;
}

/** Runs `cases` (descriptors with id, kind, seed[, config...]) in one child; resolves with results by id. */
function runBatch(cases, workDir, onResult) {
  return new Promise((resolve) => {
    const results = new Map();
    const byId = new Map(cases.map((c) => [c.id, c]));
    const child = fork(WORKER, [], {
      env: { ...process.env, FUZZ_WORK: workDir },
      stdio: ['pipe', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderr = '';
    child.stderr.on('data', (b) => { stderr = (stderr + b).slice(-2000); });
    let current = null;
    let timer = null;
    let finished = false;
    const end = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve(results);
    };
    child.on('message', (m) => {
      if (m.type === 'ready') child.send({ type: 'run', cases });
      else if (m.type === 'start') {
        current = m.id;
        clearTimeout(timer);
        const c = byId.get(m.id);
        timer = setTimeout(() => {
          results.set(current, { outcome: 'HANG', failure: 'hang', message: `did not settle within ${timeoutFor(c.desc)} ms` });
          onResult?.(byId.get(current), results.get(current));
          child.kill('SIGKILL');
        }, timeoutFor(c.desc));
      } else if (m.type === 'done') {
        clearTimeout(timer);
        results.set(m.id, m.result);
        onResult?.(byId.get(m.id), m.result);
        current = null;
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (current !== null && !results.has(current)) {
        const r = { outcome: 'CRASH', failure: 'crash', message: `child exited (${signal || code}) mid-case: ${stderr.slice(-600)}` };
        results.set(current, r);
        onResult?.(byId.get(current), r);
      }
      end();
    });
  });
}

/** Runs all cases, restarting the child after a crash or hang, `batchSize` per child. */
async function runAll(cases, workDir, { batchSize = 100, onResult } = {}) {
  const results = new Map();
  let pending = cases.slice();
  while (pending.length) {
    const batch = pending.slice(0, batchSize);
    const got = await runBatch(batch, workDir, onResult);
    for (const [id, r] of got) results.set(id, r);
    const doneIds = new Set(got.keys());
    // Cases after a crash/hang in this batch are rerun in the next child.
    pending = [...batch.filter((c) => !doneIds.has(c.id)), ...pending.slice(batchSize)];
    if (got.size === 0) {
      // The child died before its first case: record it rather than loop forever.
      const c = pending.shift();
      results.set(c.id, { outcome: 'CRASH', failure: 'crash', message: 'the child process died before running the case' });
    }
  }
  return results;
}

function sameFailure(a, b) {
  return a && b && a.failure === b.failure && (a.failure !== 'unnamed' || a.outcome === b.outcome);
}

/** Drops keys and array elements from a failing config case while the same failure remains. */
async function shrinkConfig(d, failure, workDir, maxRuns = 40) {
  let best = JSON.parse(JSON.stringify(d.config));
  let runs = 0;
  const attempt = async (candidate) => {
    runs++;
    const c = { ...d, id: 0, config: candidate };
    c.desc = { ...d, config: candidate };
    const r = (await runAll([c], workDir, { batchSize: 1 })).get(0);
    return sameFailure(r, failure);
  };
  let progress = true;
  while (progress && runs < maxRuns) {
    progress = false;
    const paths = [];
    (function walk(v, p) {
      if (v && typeof v === 'object') for (const k of Object.keys(v)) { paths.push([...p, Array.isArray(v) ? Number(k) : k]); walk(v[k], [...p, Array.isArray(v) ? Number(k) : k]); }
    }(best, []));
    // Shallow paths first: dropping a whole subtree shrinks fastest.
    paths.sort((a, b) => a.length - b.length);
    for (const p of paths) {
      if (runs >= maxRuns) break;
      const cand = JSON.parse(JSON.stringify(best));
      const parent = p.slice(0, -1).reduce((o, k) => o[k], cand);
      if (Array.isArray(parent)) parent.splice(p.at(-1), 1); else delete parent[p.at(-1)];
      if (await attempt(cand)) { best = cand; progress = true; break; }
    }
  }
  return { config: best, runs };
}

function reproduction(d) {
  if (d.kind === 'config') {
    const cfg = JSON.stringify(d.config);
    const arg = d.asString ? JSON.stringify(cfg) : cfg;
    const call = d.op === 'compileScene' ? `compileScene(${arg}, { baseDir: 'examples' })`
      : d.op === 'renderFrame' ? `renderFrame(${arg}, ${d.timeMs}, { baseDir: 'examples' })`
        : `processVideo('', 'out/fuzz.mp4', ${arg}, { baseDir: 'examples' })`;
    return `require('reelspeed-engine').${call}`;
  }
  const bits = Object.entries(d).filter(([k]) => !['kind', 'seed', 'entry'].includes(k)).map(([k, v]) => `${k}=${v}`).join(' ');
  return `${d.entry} on a "${d.mutation}" file (${bits})`;
}

/**
 * Runs a fuzz campaign: `configs` config cases and `media` media cases from `seed`.
 * Returns { total, counts: { 'config:CODE': n, ... }, failures: [...], known: [...], ms }.
 */
async function runFuzz({ seed = 1, configs = 300, media = 60, batchSize = 100, shrink = true, log = () => {}, only, specialTimeout = 6000 } = {}) {
  const started = Date.now();
  specialTimeoutMs = specialTimeout;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelspeed-fuzz-'));
  try {
    const corpusDir = ensureCorpus(path.join(workDir, 'corpus'));
    const seeds = seedConfigs(corpusDir);
    const cases = [];
    if (only) {
      const [kind, s] = only.split(':');
      const cs = Number(s);
      const desc = kind === 'config' ? describeConfigCase(cs, seeds) : describeMediaCase(cs);
      cases.push({ id: 0, kind, seed: cs, desc });
    } else {
      for (let i = 0; i < configs; i++) {
        const cs = caseSeed(seed, i);
        cases.push({ id: cases.length, kind: 'config', seed: cs, desc: describeConfigCase(cs, seeds) });
      }
      for (let i = 0; i < media; i++) {
        const cs = caseSeed(seed ^ 0x6d656469, i);
        cases.push({ id: cases.length, kind: 'media', seed: cs, desc: describeMediaCase(cs) });
      }
    }
    // The child regenerates each case from its seed; it does not need the descriptor.
    const wire = cases.map(({ id, kind, seed: s, desc }) => ({ id, kind, seed: s, desc }));
    let done = 0;
    const results = await runAll(wire, workDir, {
      batchSize,
      onResult: () => { done++; if (done % 500 === 0) log(`  ${done}/${cases.length} cases, ${((Date.now() - started) / 1000).toFixed(0)} s`); },
    });
    const counts = {};
    const failures = [];
    const known = [];
    for (const c of cases) {
      const r = results.get(c.id);
      const key = `${c.kind}:${r.failure ? `${r.outcome} (${r.failure})` : r.outcome}`;
      counts[key] = (counts[key] || 0) + 1;
      if (!r.failure) continue;
      const k = knownFailure(c.desc, r);
      const entry = { seed: c.seed, kind: c.kind, op: c.desc.op || c.desc.entry, outcome: r.outcome, failure: r.failure, message: r.message, desc: c.desc };
      if (k) known.push({ ...entry, known: k.kind, issue: k.issue });
      else failures.push(entry);
    }
    if (shrink) {
      for (const f of failures.slice(0, 10)) {
        if (f.kind !== 'config') { f.reproduction = reproduction(f.desc); continue; }
        const s = await shrinkConfig(f.desc, { failure: f.failure, outcome: f.outcome }, workDir);
        f.reproduction = reproduction({ ...f.desc, config: s.config });
      }
    }
    for (const f of failures) f.reproduction ??= reproduction(f.desc);
    return { total: cases.length, configs: cases.filter((c) => c.kind === 'config').length, media: cases.filter((c) => c.kind === 'media').length, counts, failures, known, ms: Date.now() - started };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function formatReport(rep, seed) {
  const lines = [];
  lines.push(`fuzz: ${rep.total} cases (${rep.configs} configs, ${rep.media} media) from seed ${seed} in ${(rep.ms / 1000).toFixed(1)} s`);
  for (const [k, n] of Object.entries(rep.counts).sort()) lines.push(`  ${k.padEnd(48)} ${n}`);
  const byKind = {};
  for (const k of rep.known) byKind[k.known] = (byKind[k.known] || { n: 0, issue: k.issue, seeds: [] });
  for (const k of rep.known) { byKind[k.known].n++; if (byKind[k.known].seeds.length < 3) byKind[k.known].seeds.push(`${k.kind}:${k.seed}`); }
  if (rep.known.length) lines.push(`known failures (recorded, owned by their issue): ${rep.known.length}`);
  for (const [kind, v] of Object.entries(byKind)) lines.push(`  ${kind}: ${v.n} — ${v.issue} — e.g. --replay ${v.seeds.join(' / ')}`);
  const unseen = KNOWN_FAILURES.filter((k) => !byKind[k.kind]).map((k) => k.kind);
  if (unseen.length) lines.push(`known failures not seen in this run (fixed? remove them from KNOWN_FAILURES): ${unseen.join(', ')}`);
  if (rep.failures.length) lines.push(`NEW FAILURES: ${rep.failures.length}`);
  for (const f of rep.failures.slice(0, 30)) {
    lines.push(`  [${f.failure}] ${f.kind} seed ${f.seed} (${f.op}): ${f.outcome} ${f.message ?? ''}`);
    lines.push(`    replay: node scripts/fuzz.js --replay ${f.kind}:${f.seed}`);
    lines.push(`    minimal: ${f.reproduction}`);
  }
  return lines.join('\n');
}

/** Runs the harness's own check cases (crash, hang, leftover, ok) in a scratch folder. */
async function selfTest() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelspeed-fuzz-self-'));
  try {
    const cases = ['ok', 'crash', 'hang', 'leftover', 'ok'].map((action, id) => ({ id, kind: 'selftest', action, desc: { kind: 'selftest' } }));
    const results = await runAll(cases, workDir, { batchSize: 10 });
    return cases.map((c) => ({ action: c.action, ...results.get(c.id) }));
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

module.exports = { runFuzz, formatReport, KNOWN_FAILURES, reproduction, selfTest };
