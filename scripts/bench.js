#!/usr/bin/env node
'use strict';
// The end-to-end benchmark (issue 5): renders examples/bench-story.json N times, each in a
// fresh child node process so peak RSS and CPU are the whole process's, and compares the
// wall time with the floor: the same frames, pre-decoded once to raw yuv420p, encoded by
// the ffmpeg CLI alone with the same x264 settings; and the same render with x264's other thread
// layout (engine option x264Threads: 'frames' where the default took slice threads, 'slices'
// otherwise), its time and peak RSS against the same floor. The floor is also run with x264's
// slice threads (one per core, as the engine's 'slices' layout): not the target's floor, but it
// shows what the engine adds beside x264 when both split frames the same way. Also times a 60 s story (does the cost
// grow linearly?) and the addon's `require`. Prints a Markdown table of medians with the
// targets, writes the same numbers to out/bench.json. A missed target is reported, not an
// exit code: this is a measure, not a test.
//
// It also compares optimizeVideo (quality measurement included) with a plain ffmpeg CLI two-pass
// (libx264, the same preset, full size, the video bit rate optimizeVideo encoded at) on a generated
// clip (issue 16 item 5): the wall and CPU ratio, the SSIM difference (both by ffmpeg's ssim filter
// against the input) and the size error against the target, runs alternating.
//
//   node scripts/bench.js [--runs N]        (npm run bench -- --runs 5)
//   node scripts/bench.js --only optimize   (or --only render: one of the two comparisons)

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync, execFileSync } = require('node:child_process');

const { x264, median, fmt, ffmpeg, rawDir, plannedVideoKbps } = require('./bench-common');

const ROOT = path.join(__dirname, '..');
const STORY = path.join(ROOT, 'examples', 'bench-story.json');
const ADDON = path.join(ROOT, 'build', 'reelspeed_engine.node');
const JSON_OUT = path.join(ROOT, 'out', 'bench.json');
const REQUIRE_RUNS = 9;

const TARGETS = {
  optimizeRatio: 1.1, // optimizeVideo wall (its quality measurement included) / CLI two-pass wall
  optimizeSsim: -0.002, // optimizeVideo SSIM - CLI two-pass SSIM, at least
  ratio: 1.15, // engine wall / floor wall (issue #16 item 4)
  rssMiB: 300, // peak RSS of the whole node process (issue #16 item 4)
  scale60: 2.1, // 60 s story wall / 30 s story wall
  requireMs: 30, // require('./build/reelspeed_engine.node') in a fresh process
};

// ---- child mode: one render in this (fresh) process, one JSON line on stdout ----------------

// With an x264Threads argument (the engine option), an engine with it; otherwise the module's, with the defaults.
async function child(configPath, outputPath, x264Threads) {
  const engine = require(path.join(ROOT, 'js', 'index.js'));
  const text = fs.readFileSync(configPath, 'utf8');
  const baseDir = path.dirname(STORY);
  const ve = x264Threads ? new engine.VideoEngine({ x264Threads }) : engine;
  const started = process.hrtime.bigint();
  const result = await ve.processVideo('', outputPath, text, { baseDir });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(); // whole process: startup, require, render
  process.stdout.write(`${JSON.stringify({
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024, // maxRSS is in KiB
    frames: result.metadata.frames,
    fileSize: result.fileSize,
    stages: result.metadata.stages,
    x264Threads: result.metadata.x264Threads, // what x264 ran
  })}\n`);
}

// The optimize comparison's clip: 10 s of 540x960@30 (testsrc2 turning and changing hue, light
// grain), shrunk to 0.5 MB: ~0.025 bits per pixel, where optimizeVideo measures its size decision.
const OPT = { width: 540, height: 960, seconds: 10, targetMb: 0.5, preset: 'medium' };
const OPT_SOURCE = `testsrc2=s=${OPT.width}x${OPT.height}:r=30:d=${OPT.seconds},hue=H=t*2,rotate=a=t/2:fillcolor=black,noise=alls=6:allf=t`;

async function childOptimize(input, targetMb, outputPath) {
  const engine = require(path.join(ROOT, 'js', 'index.js'));
  const before = process.cpuUsage();
  const started = process.hrtime.bigint();
  const r = await engine.optimizeVideo(input, Number(targetMb), { preset: OPT.preset, outputPath });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(before); // the job only (the engine runs in this process)
  process.stdout.write(`${JSON.stringify({
    wallMs, cpuMs: (cpu.user + cpu.system) / 1000, optimizedSize: r.optimizedSize, targetSize: r.targetSize, ssim: r.ssim,
    videoBitrateKbps: r.videoBitrateKbps, width: r.width, height: r.height, method: r.sizeDecision.method, encodes: r.encodes, stages: r.stages,
  })}\n`);
}

// ---- helpers ------------------------------------------------------------------------------------

function parseArgs(argv) {
  const args = { runs: 3, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') {
      args.only = argv[++i];
      if (!['render', 'optimize'].includes(args.only)) throw new Error(`--only: expected render or optimize, got ${args.only}`);
    } else if (a === '--runs' || a === '-n') {
      args.runs = Number(argv[++i]);
      if (!Number.isInteger(args.runs) || args.runs < 1) throw new Error(`--runs: expected an integer >= 1, got ${argv[i]}`);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('Usage: node scripts/bench.js [--runs N] [--only render|optimize]   (default 3; prints medians, writes out/bench.json)\n');
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${a} (usage: node scripts/bench.js [--runs N])`);
    }
  }
  return args;
}

function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}

/** Renders a config in a fresh node process (with the engine option x264Threads, when given) and returns what the child measured. */
function renderInChild(configPath, outputPath, x264Threads) {
  const r = spawnSync(process.execPath, [__filename, '--child', configPath, outputPath, ...(x264Threads ? [x264Threads] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`render of ${path.basename(configPath)} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/**
 * Several fresh processes each timing only the addon's require, and their resident memory after it: node with the
 * addon loaded and nothing rendered (node's executable and heap, the .NET runtime; FFmpeg's libraries load later),
 * most of which the floor, an ffmpeg process, does not have.
 */
function requireProbes(runs) {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(ADDON)});const ms=Number(process.hrtime.bigint()-t)/1e6;`
    + `process.stdout.write(JSON.stringify({ms,rssMiB:process.memoryUsage().rss/2**20}))`;
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })));
  return samples;
}

/**
 * The 60 s story: the bench story's messages twice over, so the second half keeps animating
 * and scrolling like the first. (The same story with only duration 60 would end in 30 s of a
 * still frame, which x264 encodes almost for free and would flatter the ratio.)
 */
function sixtySecondStory(story) {
  const config = JSON.parse(JSON.stringify(story));
  config.videoSettings.duration = 60;
  config.messages = [...story.messages, ...story.messages];
  return config;
}

function machine() {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch { /* not a git checkout */ }
  let ffmpegVersion = 'unknown';
  try {
    ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0].replace(/ Copyright.*/, '');
  } catch { /* reported when the floor runs */ }
  return {
    date: new Date().toISOString(),
    commit,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    ffmpeg: ffmpegVersion,
  };
}

/** SSIM (All) of a file against the optimize clip's input, by ffmpeg's ssim filter (scaled back to full size first). */
function ffmpegSsim(distorted, reference) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-i', distorted, '-i', reference, '-lavfi',
    `[0:v]scale=${OPT.width}:${OPT.height}:flags=bicubic[d];[d][1:v]ssim`, '-f', 'null', '-'], { encoding: 'utf8' });
  const m = /All:([0-9.]+)/.exec(r.stderr);
  if (!m) throw new Error(`ffmpeg ssim failed: ${r.stderr.trim()}`);
  return Number(m[1]);
}

/** optimizeVideo against the ffmpeg CLI's two-pass, runs alternating; returns the medians and table rows. */
function optimizeComparison(runs, tmp) {
  const input = path.join(tmp, 'opt-input.mp4');
  log(`optimize: making the input (${OPT.seconds} s of ${OPT.width}x${OPT.height}, lavfi)`);
  ffmpeg(['-f', 'lavfi', '-i', OPT_SOURCE, '-c:v', 'libx264', '-crf', '8', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', input]);
  const engine = [], cli = [];
  for (let i = 0; i < runs; i++) {
    log(`optimizeVideo to ${OPT.targetMb} MB, run ${i + 1}/${runs}`);
    const out = path.join(tmp, 'opt-engine.mp4');
    const r = spawnSync(process.execPath, [__filename, '--child-optimize', input, String(OPT.targetMb), out], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`optimizeVideo failed (exit ${r.status}): ${r.stderr.trim()}`);
    const e = JSON.parse(r.stdout.trim().split('\n').pop());
    e.ffmpegSsim = ffmpegSsim(out, input);
    engine.push(e);
    log(`  ${fmt(e.wallMs)} ms wall, ${fmt(e.cpuMs)} ms CPU, ${e.width}x${e.height} (${e.method}), SSIM ${e.ffmpegSsim}`);
    fs.rmSync(out, { force: true });

    const cliKbps = plannedVideoKbps(e.targetSize, OPT.seconds, 30);
    log(`ffmpeg CLI two-pass at ${cliKbps} kbit/s (the target's budget), run ${i + 1}/${runs}`);
    const cliOut = path.join(tmp, 'opt-cli.mp4');
    const common = ['-i', input, '-c:v', 'libx264', '-preset', OPT.preset, '-pix_fmt', 'yuv420p', '-an', '-b:v', `${cliKbps}k`, '-passlogfile', path.join(tmp, 'x264-2pass')];
    const p1 = ffmpeg([...common, '-pass', '1', '-f', 'mp4', '/dev/null']);
    const p2 = ffmpeg([...common, '-pass', '2', cliOut]);
    const c = { wallMs: p1.wallMs + p2.wallMs, cpuMs: p1.cpuMs + p2.cpuMs, size: fs.statSync(cliOut).size, ffmpegSsim: ffmpegSsim(cliOut, input) };
    cli.push(c);
    log(`  ${fmt(c.wallMs)} ms wall, ${fmt(c.cpuMs)} ms CPU, SSIM ${c.ffmpegSsim}`);
    fs.rmSync(cliOut, { force: true });
  }
  const m = {
    engineWallMs: median(engine.map((r) => r.wallMs)),
    engineCpuMs: median(engine.map((r) => r.cpuMs)),
    cliWallMs: median(cli.map((r) => r.wallMs)),
    cliCpuMs: median(cli.map((r) => r.cpuMs)),
    ratioWall: median(engine.map((r, i) => r.wallMs / cli[i].wallMs)),
    ratioCpu: median(engine.map((r, i) => r.cpuMs / cli[i].cpuMs)),
    ssimDiff: median(engine.map((r, i) => r.ffmpegSsim - cli[i].ffmpegSsim)),
    sizeErrorPct: median(engine.map((r) => (r.optimizedSize / r.targetSize - 1) * 100)),
    stages: {
      sizingMs: median(engine.map((r) => r.stages?.sizingMs)),
      encodeMs: median(engine.map((r) => r.stages?.encodeMs)),
      qualityMs: median(engine.map((r) => r.stages?.qualityMs)),
    },
  };
  const e0 = engine[0];
  const pass = (ok) => (ok ? 'pass' : '**FAIL**');
  const rows = [
    [`optimizeVideo, ${OPT.seconds} s ${OPT.width}x${OPT.height} to ${OPT.targetMb} MB (${e0.width}x${e0.height}, ${e0.method}, quality ${e0.stages?.quality}), wall`,
      `${fmt(m.engineWallMs)} ms (CPU ${fmt(m.engineCpuMs)} ms; sizing ${fmt(m.stages.sizingMs)}, encode ${fmt(m.stages.encodeMs)}, quality ${fmt(m.stages.qualityMs)} ms)`, '', ''],
    [`ffmpeg CLI two-pass (libx264 ${OPT.preset}, full size), wall`, `${fmt(m.cliWallMs)} ms (CPU ${fmt(m.cliCpuMs)} ms)`, '', ''],
    ['optimizeVideo / CLI two-pass, wall', fmt(m.ratioWall, 2), `≤ ${TARGETS.optimizeRatio}`, pass(m.ratioWall <= TARGETS.optimizeRatio)],
    ['optimizeVideo / CLI two-pass, CPU (user+sys)', fmt(m.ratioCpu, 2), '', ''],
    ['SSIM optimizeVideo − CLI (ffmpeg ssim filter)', fmt(m.ssimDiff, 4), `≥ ${TARGETS.optimizeSsim}`, pass(m.ssimDiff >= TARGETS.optimizeSsim)],
    ['optimizeVideo size error', `${fmt(m.sizeErrorPct, 2)} %`, '−5 %..+2 %', pass(m.sizeErrorPct >= -5 && m.sizeErrorPct <= 2)],
  ];
  return { medians: m, rows, samples: { engine, cli }, pass: { optimizeRatio: m.ratioWall <= TARGETS.optimizeRatio, optimizeSsim: m.ssimDiff >= TARGETS.optimizeSsim } };
}

// ---- main -----------------------------------------------------------------------------------------

/** The render against its floor (issue 5): returns the medians, table rows and samples. */
function renderComparison(runs, tmp, yuv, story, width, height, fps) {
  const story60Path = path.join(tmp, 'bench-story-60s.json');
  fs.writeFileSync(story60Path, JSON.stringify(sixtySecondStory(story)));

  // The floor: the engine's own frames, decoded once to raw yuv420p (~2.6 GiB for 900
  // frames), then only the x264 encode, by the ffmpeg CLI, with the same settings. Engine
  // and floor runs alternate so that load from elsewhere on the machine hits both alike.
  const floorRun = (i) => {
    log(`floor (ffmpeg CLI, libx264 only), run ${i + 1}/${runs}`);
    const r = ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', String(fps), '-i', yuv,
      ...x264(fps), '-an', path.join(tmp, 'floor.mp4')]);
    r.fileSize = fs.statSync(path.join(tmp, 'floor.mp4')).size;
    log(`  ${fmt(r.wallMs)} ms wall, ${fmt(r.cpuMs)} ms CPU`);
    return r;
  };
  // The same with x264's threads on slices of one frame, one per core, as the engine's 'slices' layout runs them.
  const sliceThreads = os.availableParallelism();
  const slicedFloorRun = (i) => {
    log(`floor with x264 slice threads (${sliceThreads}), run ${i + 1}/${runs}`);
    const r = ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', String(fps), '-i', yuv,
      ...x264(fps), '-threads', String(sliceThreads), '-x264-params', 'sliced-threads=1', '-an', path.join(tmp, 'floor-sliced.mp4')]);
    fs.rmSync(path.join(tmp, 'floor-sliced.mp4'), { force: true });
    log(`  ${fmt(r.wallMs)} ms wall, ${fmt(r.cpuMs)} ms CPU, ${fmt(r.maxRssMiB)} MiB peak RSS`);
    return r;
  };
  const engine = [];
  const other = []; // x264's other thread layout: chosen after the first default render, from what x264 ran
  let otherThreads = null;
  const floor = [];
  const slicedFloor = [];
  try {
    for (let i = 0; i < runs; i++) {
      log(`engine, 30 s story, run ${i + 1}/${runs}`);
      const out = path.join(tmp, 'engine.mp4');
      engine.push(renderInChild(STORY, out));
      log(`  ${fmt(engine[i].wallMs)} ms wall, ${fmt(engine[i].cpuMs)} ms CPU, ${fmt(engine[i].maxRssMiB)} MiB peak RSS`);
      if (i === 0) {
        log(`decoding the engine's output to raw yuv420p (${fmt((width * height * 1.5 * engine[0].frames) / 2 ** 30, 1)} GiB, ${yuv}) for the floor`);
        ffmpeg(['-i', out, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', yuv]);
      }
      fs.rmSync(out, { force: true });
      otherThreads ??= engine[0].x264Threads === 'slices' ? 'frames' : 'slices';
      log(`engine with x264Threads '${otherThreads}', 30 s story, run ${i + 1}/${runs}`);
      other.push(renderInChild(STORY, out, otherThreads));
      log(`  ${fmt(other[i].wallMs)} ms wall, ${fmt(other[i].cpuMs)} ms CPU, ${fmt(other[i].maxRssMiB)} MiB peak RSS`);
      fs.rmSync(out, { force: true });
      floor.push(floorRun(i));
      slicedFloor.push(slicedFloorRun(i));
    }
  } finally {
    fs.rmSync(yuv, { force: true });
  }
  const engine60 = [];
  for (let i = 0; i < runs; i++) {
    log(`engine, 60 s story, run ${i + 1}/${runs}`);
    engine60.push(renderInChild(story60Path, path.join(tmp, 'engine60.mp4')));
    log(`  ${fmt(engine60[i].wallMs)} ms wall`);
    fs.rmSync(path.join(tmp, 'engine60.mp4'), { force: true });
  }

  log(`addon require, ${REQUIRE_RUNS} fresh processes`);
  const requires = requireProbes(REQUIRE_RUNS);

  const stage = (name) => median(engine.map((r) => r.stages[name]));
  const m = {
    engineWallMs: median(engine.map((r) => r.wallMs)),
    engineCpuMs: median(engine.map((r) => r.cpuMs)),
    enginePeakRssMiB: median(engine.map((r) => r.maxRssMiB)),
    floorWallMs: median(floor.map((r) => r.wallMs)),
    floorCpuMs: median(floor.map((r) => r.cpuMs)),
    floorPeakRssMiB: median(floor.map((r) => r.maxRssMiB)),
    engineFileMB: median(engine.map((r) => r.fileSize)) / 1e6,
    floorFileMB: median(floor.map((r) => r.fileSize)) / 1e6,
    stages: { renderMs: stage('renderMs'), convertMs: stage('convertMs'), encodeMs: stage('encodeMs'), audioMs: stage('audioMs'), muxMs: stage('muxMs') },
    engineX264Threads: engine[0].x264Threads,
    otherX264Threads: other[0].x264Threads,
    otherWallMs: median(other.map((r) => r.wallMs)),
    otherCpuMs: median(other.map((r) => r.cpuMs)),
    otherPeakRssMiB: median(other.map((r) => r.maxRssMiB)),
    otherFileMB: median(other.map((r) => r.fileSize)) / 1e6,
    slicedFloorWallMs: median(slicedFloor.map((r) => r.wallMs)),
    slicedFloorCpuMs: median(slicedFloor.map((r) => r.cpuMs)),
    slicedFloorPeakRssMiB: median(slicedFloor.map((r) => r.maxRssMiB)),
    engine60WallMs: median(engine60.map((r) => r.wallMs)),
    requireMs: median(requires.map((r) => r.ms)),
    idleRssMiB: median(requires.map((r) => r.rssMiB)),
  };
  m.ratioEngineFloor = m.engineWallMs / m.floorWallMs;
  m.ratioOtherFloor = m.otherWallMs / m.floorWallMs;
  m.ratio60to30 = m.engine60WallMs / m.engineWallMs;
  // The engine's slices layout, whichever of the two renders ran it, against the floor sliced the same way.
  const sliced = m.engineX264Threads === 'slices' ? engine : m.otherX264Threads === 'slices' ? other : null;
  m.ratioSlicedToSlicedFloor = sliced ? median(sliced.map((r) => r.wallMs)) / m.slicedFloorWallMs : null;
  const frames = engine[0].frames;

  const pass = (ok) => (ok ? 'pass' : '**FAIL**');
  const layout = (t) => (t === 'slices' ? 'x264 slice threads' : 'x264 frame threads');
  const rows = [
    [`engine wall, 30 s story (processVideo, defaults: ${layout(m.engineX264Threads)})`, `${fmt(m.engineWallMs)} ms (${fmt(frames / (m.engineWallMs / 1000), 1)} fps)`, '', ''],
    ['engine CPU (user+sys, whole process)', `${fmt(m.engineCpuMs)} ms (${fmt(m.engineCpuMs / m.engineWallMs, 2)} cores busy)`, '', ''],
    ['engine peak RSS (whole process)', `${fmt(m.enginePeakRssMiB)} MiB`, `≤ ${TARGETS.rssMiB} MiB`, pass(m.enginePeakRssMiB <= TARGETS.rssMiB)],
    ['of which: node with the addon loaded, before any job', `${fmt(m.idleRssMiB)} MiB`, '', ''],
    ['floor wall (ffmpeg CLI, x264 only)', `${fmt(m.floorWallMs)} ms (CPU ${fmt(m.floorCpuMs)} ms, RSS ${fmt(m.floorPeakRssMiB)} MiB)`, '', ''],
    ['output size, engine / floor (video + audio / video only)', `${fmt(m.engineFileMB, 2)} MB / ${fmt(m.floorFileMB, 2)} MB`, '', ''],
    ['engine / floor', fmt(m.ratioEngineFloor, 2), `≤ ${TARGETS.ratio}`, pass(m.ratioEngineFloor <= TARGETS.ratio)],
    [`with x264Threads '${otherThreads}' (${layout(m.otherX264Threads)}): peak RSS`, `${fmt(m.otherPeakRssMiB)} MiB`, '', ''],
    [`with x264Threads '${otherThreads}': wall / floor (CPU / floor; output)`, `${fmt(m.ratioOtherFloor, 2)} (${fmt(m.otherCpuMs / m.floorCpuMs, 2)}; ${fmt(m.otherFileMB, 2)} MB)`, '', ''],
    [`floor with x264 slice threads (${sliceThreads}; not the target's floor)`, `${fmt(m.slicedFloorWallMs)} ms (CPU ${fmt(m.slicedFloorCpuMs)} ms, RSS ${fmt(m.slicedFloorPeakRssMiB)} MiB; ${fmt(m.slicedFloorWallMs / m.floorWallMs, 2)} of the floor)`, '', ''],
    ...(m.ratioSlicedToSlicedFloor === null ? [] : [['engine with slice threads / that floor', fmt(m.ratioSlicedToSlicedFloor, 2), '', '']]),
    ['stage: render (render thread, beside the rest)', `${fmt(m.stages.renderMs)} ms (${fmt(m.stages.renderMs / frames, 2)} ms/frame)`, '', ''],
    ['stage: convert (BGRA → yuv420p)', `${fmt(m.stages.convertMs)} ms (${fmt(m.stages.convertMs / frames, 2)} ms/frame)`, '', ''],
    ['stage: encode (x264 calls)', `${fmt(m.stages.encodeMs)} ms (${fmt(m.stages.encodeMs / frames, 2)} ms/frame)`, '', ''],
    ['stage: audio (music + aac)', `${fmt(m.stages.audioMs)} ms`, '', ''],
    ['stage: mux (finish)', `${fmt(m.stages.muxMs, 1)} ms`, '', ''],
    ['engine wall, 60 s story', `${fmt(m.engine60WallMs)} ms`, '', ''],
    ['60 s / 30 s', fmt(m.ratio60to30, 2), `≤ ${TARGETS.scale60}`, pass(m.ratio60to30 <= TARGETS.scale60)],
    ['addon `require`', `${fmt(m.requireMs, 1)} ms`, `≤ ${TARGETS.requireMs} ms`, pass(m.requireMs <= TARGETS.requireMs)],
  ];
  return {
    medians: m, rows, frames, samples: { engine, other, engine60, floor, slicedFloor, require: requires },
    pass: {
      ratio: m.ratioEngineFloor <= TARGETS.ratio,
      rss: m.enginePeakRssMiB <= TARGETS.rssMiB,
      scale60: m.ratio60to30 <= TARGETS.scale60,
      require: m.requireMs <= TARGETS.requireMs,
    },
  };
}

function main(argv) {
  const { runs, only } = parseArgs(argv);
  const story = JSON.parse(fs.readFileSync(STORY, 'utf8'));
  const { width, height } = (() => {
    const [w, h] = story.videoSettings.resolution.split('x').map(Number);
    return { width: w, height: h };
  })();
  const fps = story.videoSettings.fps;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reelspeed-bench-'));
  const frameCount = story.videoSettings.duration * fps;
  const yuv = path.join(rawDir(width * height * 1.5 * frameCount, tmp), `reelspeed-bench-${process.pid}.yuv`);
  const cleanup = () => {
    fs.rmSync(yuv, { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.on('SIGINT', () => { cleanup(); process.exit(130); });
  process.on('SIGTERM', () => { cleanup(); process.exit(143); });

  try {
    const render = only === 'optimize' ? null : renderComparison(runs, tmp, yuv, story, width, height, fps);
    const optimize = only === 'render' ? null : optimizeComparison(runs, tmp);
    const info = machine();
    const title = `Medians of ${runs} run${runs > 1 ? 's' : ''}${render ? ` (require: ${REQUIRE_RUNS}); ${render.frames} frames of ${width}x${height}@${fps}, x264 veryfast crf 23` : ''}; `
      + `${info.cpus} CPUs (${info.cpuModel}), node ${info.node}, ${info.ffmpeg}, commit ${info.commit}`;
    const table = [
      '| measure | median | target | |',
      '| --- | --- | --- | --- |',
      ...[...(render?.rows ?? []), ...(optimize?.rows ?? [])].map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    process.stdout.write(`\n${title}\n\n${table}\n`);

    fs.mkdirSync(path.dirname(JSON_OUT), { recursive: true });
    fs.writeFileSync(JSON_OUT, `${JSON.stringify({
      machine: info,
      story: path.relative(ROOT, STORY),
      frames: render?.frames,
      runs,
      targets: TARGETS,
      medians: render?.medians,
      pass: { ...render?.pass, ...optimize?.pass },
      samples: render?.samples,
      optimize: optimize ? { clip: { ...OPT, source: OPT_SOURCE }, medians: optimize.medians, samples: optimize.samples } : undefined,
    }, null, 2)}\n`);
    log(`wrote ${path.relative(ROOT, JSON_OUT)}`);
  } finally {
    cleanup();
  }
}

if (process.argv[2] === '--child-optimize') {
  childOptimize(process.argv[3], process.argv[4], process.argv[5]).catch((e) => {
    process.stderr.write(`${e.code ?? 'ERR_INTERNAL'}: ${e.message}\n`);
    process.exit(1);
  });
} else if (process.argv[2] === '--child') {
  child(process.argv[3], process.argv[4], process.argv[5]).catch((e) => {
    process.stderr.write(`${e.code ?? 'ERR_INTERNAL'}: ${e.message}\n`);
    process.exit(1);
  });
} else {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exitCode = 1;
  }
}
