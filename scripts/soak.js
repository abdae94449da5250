#!/usr/bin/env node
'use strict';
// npm run soak: the soak and storm (issue #13 item 7). Measured, not a test; a seeded slice runs in
// npm test (js/test/soak-slice.test.js).
//   node --expose-gc scripts/soak.js [--seed N] [--renders 500] [--frames 2000] [--probes 2000]
//                                    [--rounds 10] [--jobs 20] [--workers 12] [--json file]
// 1. Soak: renders, renderFrames and probes in one process, interleaved; RSS sampled after each
//    render. RSS must stay flat after warm-up: at most 5 % growth from the 50th render to the last.
// 2. Storm: rounds of 20 concurrent jobs (renders and two-pass optimizes) on a VideoEngine limited
//    to 3 at a time, about half of them aborted at a random moment: every job settles, as a
//    success or an AbortError; the output folder holds exactly the successes' files, the temp
//    folder nothing; the engine's metrics add up (started = succeeded + failed + aborted, none
//    running or queued) and match what the promises said.
// 3. Workers: worker threads that load the addon, render and exit, or are terminated mid-render:
//    the completed ones' outputs only, no partial file, the shared engine's metrics add up.
// Exit status 1 when an invariant fails (or RSS grows more than 5 %).
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const { mulberry32: prng } = require('./fuzz/cases.js'); // the fuzz suite's seeded PRNG, [0, 1)

/** A tiny chat story: 96x160, `seconds` long, one message. */
function tinyConfig(seconds = 0.5, text = 'hi') {
  return {
    videoSettings: { duration: seconds, resolution: '96x160', fps: 30 },
    animationSettings: { messageAnimationType: 'pop', baseDelay: 50 },
    messages: [{ text, sender: 'me', audioDuration: 0.2 }, { text: 'ok', sender: 'them', audioDuration: 0.2 }],
  };
}

// ---- worker-thread body: load the addon, render, report progress and the result ----
if (!isMainThread && workerData && workerData.soakWorker) {
  const engine = require(path.join(ROOT, 'js', 'index.js'));
  const { output, seconds } = workerData;
  let told = false;
  engine.processVideo('', output, tinyConfig(seconds), {
    onProgress: (p) => { if (!told && p.frame > 0) { told = true; parentPort.postMessage({ progress: true }); } },
  }).then((r) => parentPort.postMessage({ done: r.outputPath }), (e) => parentPort.postMessage({ error: e.code || String(e) }));
  return;
}


/** Prometheus text → { name: value } (without the reelspeed_engine_ prefix). */
function metrics(text) {
  const m = {};
  for (const line of text.split('\n')) {
    const r = /^reelspeed_engine_(\w+) (\S+)$/.exec(line);
    if (r) m[r[1]] = Number(r[2]);
  }
  return m;
}

/** Problems with an engine's counters: they must add up, with nothing running or queued. */
function metricProblems(m, where) {
  const p = [];
  if (m.jobs_running !== 0) p.push(`${where}: jobs_running ${m.jobs_running} at rest`);
  if (m.queue_depth !== 0) p.push(`${where}: queue_depth ${m.queue_depth} at rest`);
  const ended = m.jobs_succeeded_total + m.jobs_failed_total + m.jobs_aborted_total;
  if (m.jobs_started_total !== ended) p.push(`${where}: started ${m.jobs_started_total} != succeeded + failed + aborted ${ended}`);
  return p;
}

function filesUnder(folder) {
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory()).map((e) => path.relative(folder, path.join(e.parentPath ?? e.path, e.name))).sort();
}

function rssMb() {
  if (global.gc) global.gc();
  return process.memoryUsage().rss / 1e6;
}

/** 1. renders, renderFrames and probes interleaved; RSS after each render. */
async function soak(engine, dir, clip, { renders, frames, probes }, log) {
  const out = path.join(dir, 'soak');
  fs.mkdirSync(out, { recursive: true });
  const rss = [];
  const problems = [];
  let frameCount = 0;
  let probeCount = 0;
  const t0 = Date.now();
  for (let i = 0; i < renders; i++) {
    const file = path.join(out, `r${i % 4}.mp4`); // replaced each time: the disk stays small
    const r = await engine.processVideo('', file, tinyConfig(0.5, `message ${i}`));
    if (!(r.fileSize > 0)) problems.push(`render ${i}: fileSize ${r.fileSize}`);
    // Spread the frames and probes evenly over the renders.
    for (const target = Math.round(((i + 1) * frames) / renders); frameCount < target; frameCount++) {
      const png = await engine.renderFrame(tinyConfig(0.5, `frame ${frameCount}`), (frameCount * 37) % 500);
      if (png.length < 100) problems.push(`renderFrame ${frameCount}: ${png.length} bytes`);
    }
    for (const target = Math.round(((i + 1) * probes) / renders); probeCount < target; probeCount++) {
      const meta = await engine.getVideoMetadata(probeCount % 2 ? clip : file);
      if (!(meta.duration > 0)) problems.push(`probe ${probeCount}: duration ${meta.duration}`);
    }
    rss.push(rssMb());
    if ((i + 1) % 50 === 0) log(`soak: ${i + 1}/${renders} renders, ${frameCount} frames, ${probeCount} probes, RSS ${rss[i].toFixed(1)} MB`);
  }
  const warm = Math.min(49, rss.length - 1);
  const growth = rss.length ? (rss[rss.length - 1] - rss[warm]) / rss[warm] : 0;
  return {
    renders, frames: frameCount, probes: probeCount, seconds: (Date.now() - t0) / 1000,
    rssAtWarmMb: rss[warm], rssLastMb: rss[rss.length - 1], rssMaxMb: Math.max(...rss), rssGrowth: growth, warmRender: warm + 1,
    problems,
  };
}

/** 2. rounds of concurrent jobs with random aborts on a limited VideoEngine. */
async function storm(engine, dir, clip, { rounds, jobs, random }, log) {
  const out = path.join(dir, 'storm');
  const temp = path.join(dir, 'storm-temp');
  fs.mkdirSync(out, { recursive: true });
  const ve = new engine.VideoEngine({ maxConcurrentJobs: 3, tempDirectory: temp });
  const totals = { jobs: 0, succeeded: 0, aborted: 0, failed: 0, abortsSent: 0 };
  const problems = [];
  const t0 = Date.now();
  for (let round = 0; round < rounds; round++) {
    const expected = new Set();
    const calls = [];
    for (let j = 0; j < jobs; j++) {
      const ac = new AbortController();
      const optimize = random() < 0.2;
      const file = path.join(out, `round${round}-job${j}.mp4`);
      const p = optimize
        ? ve.optimizeVideo(clip, 0.2, { outputPath: file, signal: ac.signal, measureQuality: false })
        : ve.processVideo('', file, tinyConfig(0.5 + 2.5 * random(), `job ${j}`), { signal: ac.signal });
      if (random() < 0.5) {
        totals.abortsSent++;
        setTimeout(() => ac.abort(new Error(`storm abort ${round}/${j}`)), Math.floor(random() * 1000));
      }
      calls.push(p.then((r) => { expected.add(path.basename(r.outputPath)); return 'succeeded'; }, (e) => {
        if (e.code === 'ERR_ABORTED' && e.name === 'AbortError') return 'aborted';
        problems.push(`round ${round} job ${j}: ${e.code}: ${e.message}`);
        return 'failed';
      }));
    }
    // Every job settles (a hang shows as this round never ending; the caller bounds the run).
    for (const outcome of await Promise.all(calls)) totals[outcome]++;
    totals.jobs += jobs;
    const left = filesUnder(out).filter((f) => f.startsWith(`round${round}-`) || f.endsWith('.part'));
    const extra = left.filter((f) => !expected.has(f));
    const missing = [...expected].filter((f) => !left.includes(f));
    if (extra.length) problems.push(`round ${round}: files no success wrote: ${extra.join(', ')}`);
    if (missing.length) problems.push(`round ${round}: successes without their file: ${missing.join(', ')}`);
    const tempLeft = filesUnder(temp);
    if (tempLeft.length) problems.push(`round ${round}: temp folder not empty: ${tempLeft.join(', ')}`);
    for (const f of expected) fs.rmSync(path.join(out, f), { force: true });
    log(`storm: round ${round + 1}/${rounds}: ${jobs} jobs settled (totals ${totals.succeeded} succeeded, ${totals.aborted} aborted, ${totals.failed} failed)`);
  }
  const m = metrics(ve.metrics());
  problems.push(...metricProblems(m, 'storm engine'));
  if (m.jobs_succeeded_total !== totals.succeeded) problems.push(`storm engine: ${m.jobs_succeeded_total} succeeded counted, ${totals.succeeded} resolved`);
  if (m.jobs_aborted_total !== totals.aborted) problems.push(`storm engine: ${m.jobs_aborted_total} aborted counted, ${totals.aborted} AbortErrors`);
  return { rounds, ...totals, seconds: (Date.now() - t0) / 1000, metrics: m, problems };
}

/** 3. worker threads that render and exit, or are terminated mid-render. */
async function workers(engine, dir, { count, random }, log) {
  const out = path.join(dir, 'workers');
  fs.mkdirSync(out, { recursive: true });
  const problems = [];
  const expected = [];
  let completed = 0;
  let terminated = 0;
  const t0 = Date.now();
  // Two at a time, so a terminated worker's job overlaps a running one.
  for (let i = 0; i < count; i += 2) {
    const pair = [i, i + 1].filter((k) => k < count).map((k) => new Promise((resolve) => {
      const kill = random() < 0.5;
      const output = path.join(out, `worker${k}.mp4`);
      const w = new Worker(__filename, { workerData: { soakWorker: true, output, seconds: kill ? 20 : 0.5 } });
      let result = null;
      w.on('message', (msg) => {
        if (msg.progress && kill) w.terminate();
        if (msg.done) result = msg.done;
        if (msg.error) problems.push(`worker ${k}: ${msg.error}`);
      });
      w.on('error', (e) => problems.push(`worker ${k}: ${e.message}`));
      w.on('exit', () => {
        if (result) { completed++; expected.push(path.basename(result)); } else if (kill) terminated++;
        else problems.push(`worker ${k} exited without its result`);
        resolve();
      });
    }));
    await Promise.all(pair);
  }
  const left = filesUnder(out);
  const extra = left.filter((f) => !expected.includes(f));
  if (extra.length) problems.push(`workers: files no completed worker wrote: ${extra.join(', ')}`);
  const m = metrics(engine.metrics());
  problems.push(...metricProblems(m, 'shared engine after the workers'));
  log(`workers: ${count} started, ${completed} rendered and exited, ${terminated} terminated mid-render`);
  return { count, completed, terminated, seconds: (Date.now() - t0) / 1000, metrics: m, problems };
}

/**
 * Runs the three parts; returns their figures and every problem found (an empty `problems` is a
 * pass; the RSS bound is checked by the caller, as a slice is too short to warm up).
 */
async function runSoak(opts) {
  const log = opts.log || (() => {});
  const engine = require(path.join(ROOT, 'js', 'index.js'));
  const random = prng(opts.seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelspeed-soak-'));
  try {
    const clip = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=30:duration=2',
      '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-shortest', clip]);
    const report = { seed: opts.seed };
    report.soak = await soak(engine, dir, clip, opts, log);
    report.storm = await storm(engine, dir, clip, { rounds: opts.rounds, jobs: opts.jobs, random }, log);
    report.workers = await workers(engine, dir, { count: opts.workers, random }, log);
    report.metrics = metrics(engine.metrics());
    report.problems = [...report.soak.problems, ...report.storm.problems, ...report.workers.problems,
      ...metricProblems(report.metrics, 'shared engine at the end')];
    return report;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function formatReport(r) {
  const s = r.soak;
  const st = r.storm;
  const w = r.workers;
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  return [
    `soak (seed ${r.seed}): ${s.renders} renders, ${s.frames} renderFrames, ${s.probes} probes in ${s.seconds.toFixed(0)} s; `
      + `RSS ${s.rssAtWarmMb.toFixed(1)} MB at render ${s.warmRender}, ${s.rssLastMb.toFixed(1)} MB at the last (${pct(s.rssGrowth)}), max ${s.rssMaxMb.toFixed(1)} MB`,
    `storm: ${st.rounds} rounds x ${st.jobs / st.rounds} jobs on VideoEngine({ maxConcurrentJobs: 3 }) in ${st.seconds.toFixed(0)} s: `
      + `${st.abortsSent} aborts sent; ${st.succeeded} succeeded, ${st.aborted} aborted, ${st.failed} failed; `
      + `metrics started ${st.metrics.jobs_started_total} = ${st.metrics.jobs_succeeded_total} + ${st.metrics.jobs_failed_total} + ${st.metrics.jobs_aborted_total}, running ${st.metrics.jobs_running}`,
    `workers: ${w.count} worker threads in ${w.seconds.toFixed(0)} s: ${w.completed} rendered and exited, ${w.terminated} terminated mid-render`,
    `shared engine: started ${r.metrics.jobs_started_total} = ${r.metrics.jobs_succeeded_total} succeeded + ${r.metrics.jobs_failed_total} failed + ${r.metrics.jobs_aborted_total} aborted, running ${r.metrics.jobs_running}`,
    r.problems.length ? `PROBLEMS (${r.problems.length}):\n  ${r.problems.join('\n  ')}` : 'no problem: every job settled, nothing left behind, metrics add up',
  ].join('\n');
}

module.exports = { runSoak, formatReport, tinyConfig, MAX_RSS_GROWTH: 0.05 };

if (require.main === module) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : def;
  };
  const opts = {
    seed: arg('--seed', 20261203),
    renders: arg('--renders', 500),
    frames: arg('--frames', 2000),
    probes: arg('--probes', 2000),
    rounds: arg('--rounds', 10),
    jobs: arg('--jobs', 20),
    workers: arg('--workers', 12),
    log: (s) => process.stderr.write(`${s}\n`),
  };
  if (!global.gc) process.stderr.write('soak: run with node --expose-gc for steadier RSS figures\n');
  runSoak(opts).then((r) => {
    process.stdout.write(`${formatReport(r)}\n`);
    const i = process.argv.indexOf('--json');
    if (i >= 0) fs.writeFileSync(process.argv[i + 1], JSON.stringify(r, null, 2));
    const rssOk = r.soak.renders < 100 || r.soak.rssGrowth <= module.exports.MAX_RSS_GROWTH;
    if (!rssOk) process.stdout.write(`RSS grew ${(r.soak.rssGrowth * 100).toFixed(1)} % after warm-up (bound 5 %)\n`);
    process.exitCode = r.problems.length || !rssOk ? 1 : 0;
  }, (e) => { console.error(e); process.exitCode = 2; });
}
