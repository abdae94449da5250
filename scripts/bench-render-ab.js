#!/usr/bin/env node
'use strict';
// Before/after of chat-story rendering against the x264 floor, in one run (issue 16 item 4).
// Two checkouts, each with its own built addon (build/reelspeed_engine.node), render
// examples/bench-story.json in fresh node processes; the floor is the ffmpeg CLI encoding the
// same frames from raw yuv420p with the same x264 settings. Runs go round-robin
// (before, after, floor, before, ...) so load from elsewhere on the machine hits all three alike.
// Prints medians of wall time, CPU time (user+sys) and peak RSS, each side's ratios to the
// floor, and the engine's stage times. A measure, not a test: nothing fails.
//
//   node scripts/bench-render-ab.js --before /path/to/other/checkout [--after .] [--runs N] [--story FILE]

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const { x264, median, fmt, ffmpeg, rawDir } = require('./bench-common');

const ROOT = path.join(__dirname, '..');

async function child(checkout, configPath, outputPath) {
  const engine = require(path.join(path.resolve(checkout), 'js', 'index.js'));
  const text = fs.readFileSync(configPath, 'utf8');
  const started = process.hrtime.bigint();
  const result = await engine.processVideo('', outputPath, text, { baseDir: path.dirname(configPath) });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    frames: result.metadata.frames,
    reusedFrames: result.metadata.reusedFrames,
    fileSize: result.fileSize,
    stages: result.metadata.stages,
  })}\n`);
}

const log = (m) => process.stderr.write(`bench-render-ab: ${m}\n`);

function parseArgs(argv) {
  const a = { runs: 3, after: ROOT, before: null, story: path.join(ROOT, 'examples', 'bench-story.json') };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--runs') a.runs = Number(argv[++i]);
    else if (k === '--before') a.before = path.resolve(argv[++i]);
    else if (k === '--after') a.after = path.resolve(argv[++i]);
    else if (k === '--story') a.story = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${k} (usage: --before DIR [--after DIR] [--runs N] [--story FILE])`);
  }
  if (!a.before) throw new Error('--before DIR is required (a checkout with its own build/reelspeed_engine.node)');
  if (!Number.isInteger(a.runs) || a.runs < 1) throw new Error('--runs: expected an integer >= 1');
  for (const dir of [a.before, a.after]) {
    if (!fs.existsSync(path.join(dir, 'build', 'reelspeed_engine.node'))) throw new Error(`${dir}: no build/reelspeed_engine.node (run scripts/build-addon.sh there)`);
  }
  return a;
}

function render(checkout, story, out) {
  const r = spawnSync(process.execPath, [__filename, '--child', checkout, story, out], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`render with ${checkout} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function main(argv) {
  const args = parseArgs(argv);
  const story = JSON.parse(fs.readFileSync(args.story, 'utf8'));
  const [width, height] = story.videoSettings.resolution.split('x').map(Number);
  const fps = story.videoSettings.fps;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reelspeed-ab-'));
  // Raw frames in RAM when there is room, so the floor times x264 and not the disk.
  const yuv = path.join(rawDir(width * height * 1.5 * story.videoSettings.duration * fps, tmp), `reelspeed-ab-${process.pid}.yuv`);
  const cleanup = () => { fs.rmSync(yuv, { force: true }); fs.rmSync(tmp, { recursive: true, force: true }); };
  process.on('SIGINT', () => { cleanup(); process.exit(130); });
  try {
    const sides = { before: [], after: [], floor: [] };
    for (let i = 0; i < args.runs; i++) {
      for (const side of ['before', 'after']) {
        const out = path.join(tmp, `${side}.mp4`);
        const r = render(args[side], args.story, out);
        sides[side].push(r);
        log(`run ${i + 1}/${args.runs} ${side}: ${fmt(r.wallMs)} ms wall, ${fmt(r.cpuMs)} ms CPU, ${fmt(r.maxRssMiB)} MiB, stages ${JSON.stringify(r.stages)}`);
        if (i === 0 && side === 'before') ffmpeg(['-i', out, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', yuv]);
        fs.rmSync(out, { force: true });
      }
      const f = ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', String(fps), '-i', yuv,
        ...x264(fps), '-an', path.join(tmp, 'floor.mp4')]);
      sides.floor.push(f);
      log(`run ${i + 1}/${args.runs} floor: ${fmt(f.wallMs)} ms wall, ${fmt(f.cpuMs)} ms CPU, ${fmt(f.maxRssMiB)} MiB`);
    }
    const med = (side, key) => median(sides[side].map((r) => r[key]));
    const stage = (side, key) => median(sides[side].map((r) => r.stages[key]));
    // Ratios per run (each engine run against the floor run of the same round), then the median.
    const ratio = (side, key) => median(sides[side].map((r, i) => r[key] / sides.floor[i][key]));
    const frames = sides.after[0].frames;
    const rows = [];
    for (const side of ['before', 'after']) {
      rows.push(`| ${side} | ${fmt(med(side, 'wallMs'))} | ${fmt(ratio(side, 'wallMs'), 3)} | ${fmt(med(side, 'cpuMs'))} | ${fmt(ratio(side, 'cpuMs'), 3)} | ${fmt(med(side, 'maxRssMiB'))} | `
        + `${fmt(stage(side, 'renderMs') / frames, 2)} / ${fmt(stage(side, 'convertMs') / frames, 2)} / ${fmt(stage(side, 'encodeMs') / frames, 2)} | ${fmt(stage(side, 'audioMs'))} | ${sides[side][0].reusedFrames ?? 'n/a'} |`);
    }
    rows.push(`| floor | ${fmt(med('floor', 'wallMs'))} | 1 | ${fmt(med('floor', 'cpuMs'))} | 1 | ${fmt(med('floor', 'maxRssMiB'))} | | | |`);
    process.stdout.write(`\nMedians of ${args.runs} interleaved rounds; ${frames} frames of ${width}x${height}@${fps}; ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at the end\n`
      + `before: ${args.before}\nafter: ${args.after}\n\n`
      + '| side | wall ms | wall / floor | CPU ms (user+sys) | CPU / floor | peak RSS MiB | render / convert / encode ms per frame | audio ms | reused frames |\n'
      + '| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
      + `${rows.join('\n')}\n`);
    fs.mkdirSync(path.join(ROOT, 'out'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'out', 'bench-render-ab.json'), `${JSON.stringify({ args, loadavg: os.loadavg(), samples: sides }, null, 2)}\n`);
  } finally {
    cleanup();
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3], process.argv[4], process.argv[5]).catch((e) => {
    process.stderr.write(`${e.code ?? 'ERR_INTERNAL'}: ${e.message}\n`);
    process.exit(1);
  });
} else {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench-render-ab: ${e.message}\n`);
    process.exitCode = 1;
  }
}
