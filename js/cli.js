#!/usr/bin/env node
'use strict';
// reelspeed: command-line front end of the engine.
const fs = require('node:fs');
const path = require('node:path');

const USAGE = `Usage:
  reelspeed render <config.json> -o <out.mp4> [--input <clip>] [--x264-threads <auto|frames|slices>] [--quiet]
                                                           render a chat story (--input: background video)
  reelspeed render <config.json> -o <out.mp4> --distributed --redis <redis://HOST:PORT> --shared <dir>
                 [--chunk-frames <n>] [--queue <name>] [--quiet]
                                                           render in chunks on the workers of a BullMQ queue
  reelspeed worker --redis <redis://HOST:PORT> --shared <dir> [--concurrency <n>] [--queue <name>]
                 [--temp <dir>] [--name <name>] [--lock-duration <ms>] [--stalled-interval <ms>]
                 [--memory-limit-mb <MB>] [--x264-threads <auto|frames|slices>]
                                                           render chunks for distributed renders until SIGINT/SIGTERM
  reelspeed process <config.json> -o <out.mp4> [--input <clip>] [--x264-threads <auto|frames|slices>] [--quiet]
                                                           process clips with a processing config (same as render)
  reelspeed optimize <video> <targetMb> [-o <out.mp4>] [--x264-threads <auto|frames|slices>] [--quiet]
                                                           re-encode to fit a size, print sizes and measured SSIM/PSNR
  reelspeed frame <config.json> --time <ms> -o <frame.png|.jpg>   render one frame
  reelspeed probe <file>                                   print media metadata as JSON
  reelspeed scene <config.json>                            print the compiled Scene as JSON
  reelspeed version                                        print engine, FFmpeg and Skia versions

Relative asset paths in a config (music, images, videos, fonts) are resolved against the config file's folder.`;

/** Options of the distributed render and the worker that take a value, by their flag. */
const VALUE_FLAGS = {
  '--redis': 'redis', '--shared': 'shared', '--chunk-frames': 'chunkFrames', '--queue': 'queue', '--concurrency': 'concurrency',
  '--temp': 'temp', '--name': 'name', '--lock-duration': 'lockDuration', '--stalled-interval': 'stalledInterval',
  '--memory-limit-mb': 'memoryLimitMb', '--x264-threads': 'x264Threads',
};

/** The commands that encode with x264, which take --x264-threads (the engine option x264Threads). */
const X264_COMMANDS = ['render', 'process', 'optimize', 'worker'];

/** The module's engine, or one with the engine option x264Threads where --x264-threads gives it (the engine checks the value). */
function engineWith(flags, engine) {
  return flags.x264Threads !== undefined ? new engine.VideoEngine({ x264Threads: flags.x264Threads }) : engine;
}

/** A whole number from a flag (undefined when absent). */
function intFlag(flags, key, flag) {
  if (flags[key] === undefined) return undefined;
  const n = Number(flags[key]);
  if (!Number.isInteger(n) || n < 1) throw usageError(`${flag}: expected a whole number >= 1, got ${flags[key]}`);
  return n;
}

function clusterFlags(flags) {
  if (!flags.redis) throw usageError('missing --redis <redis://HOST:PORT>');
  if (!flags.shared) throw usageError('missing --shared <dir> (a folder every worker sees)');
  return { connection: flags.redis, sharedDirectory: flags.shared, ...(flags.queue !== undefined ? { queueName: flags.queue } : {}) };
}

function parseArgs(argv) {
  const positional = [];
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o' || a === '--output') flags.output = argv[++i];
    else if (a === '--time' || a === '-t') flags.time = argv[++i];
    else if (a === '--input' || a === '-i') flags.input = argv[++i];
    else if (a === '--quiet' || a === '-q') flags.quiet = true;
    else if (a === '--help' || a === '-h') flags.help = true;
    else if (a === '--distributed') flags.distributed = true;
    else if (a in VALUE_FLAGS) {
      if (i + 1 >= argv.length) throw usageError(`${a}: expected a value`);
      flags[VALUE_FLAGS[a]] = argv[++i];
    }
    else if (a.startsWith('-')) throw usageError(`unknown option ${a}`);
    else positional.push(a);
  }
  return { positional, flags };
}

function usageError(message) {
  const e = new Error(message);
  e.usage = true;
  return e;
}

function readConfig(file) {
  if (!file) throw usageError('missing <config.json>');
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = new Error(`${file}: cannot read config (${e.code || e.message})`);
    err.code = 'ERR_INPUT_NOT_FOUND';
    throw err;
  }
  return { text, baseDir: path.dirname(path.resolve(file)) };
}

function formatBytes(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

function progressPrinter(quiet) {
  if (quiet) return undefined;
  const tty = process.stderr.isTTY;
  let lastDecile = -1;
  return (p) => {
    if (tty) {
      const width = 30;
      const filled = Math.round((p.percent / 100) * width);
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      const eta = p.etaMs > 0 ? ` eta ${(p.etaMs / 1000).toFixed(1)}s` : '';
      process.stderr.write(`\r[${bar}] ${p.percent.toFixed(1).padStart(5)}% ${p.frame}/${p.totalFrames} ${p.fps.toFixed(0)} fps${eta} ${p.stage}   `);
    } else {
      const decile = Math.floor(p.percent / 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(`progress ${p.percent.toFixed(0)}% (${p.frame}/${p.totalFrames} frames, ${p.fps.toFixed(0)} fps, ${p.stage})\n`);
      }
    }
  };
}

// Signals: the first SIGINT/SIGTERM/SIGHUP aborts the running job (the engine stops at the next
// frame and removes its partial output and two-pass logs); the CLI then exits 128 + the signal's
// number (130/143/129). A second signal exits at once.
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const jobControl = new AbortController();
let caughtSignal = null;
let abortableJob = false; // render/process/optimize: they take the signal and clean up when aborted
function onSignal(name) {
  if (caughtSignal || !abortableJob) process.exit(SIGNAL_EXIT[caughtSignal || name]);
  caughtSignal = name;
  jobControl.abort();
}
for (const name of Object.keys(SIGNAL_EXIT)) process.on(name, () => onSignal(name));

// A closed pipe (`reelspeed scene config.json | head -1`) is not an error: stop quietly.
// The job, if any, is aborted first so that it cleans up its partial file.
let pipeClosed = false;
function onStreamError(e) {
  if (e && e.code === 'EPIPE') {
    pipeClosed = true;
    // A running render/optimize is aborted and exits 0 once it has removed its partial files
    // (main's handlers below); anything else can stop now.
    if (abortableJob) jobControl.abort();
    else process.exit(0);
    return;
  }
  throw e;
}
process.stdout.on('error', onStreamError);
process.stderr.on('error', onStreamError);

async function main(argv) {
  const { positional, flags } = parseArgs(argv);
  const [command, ...rest] = positional;
  if (flags.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return flags.help ? 0 : 2;
  }
  const engine = require('./index');
  if (flags.x264Threads !== undefined && !X264_COMMANDS.includes(command)) {
    throw usageError(`--x264-threads: ${command ?? 'no command'} encodes nothing (${X264_COMMANDS.join(', ')} take it)`);
  }
  switch (command) {
    case 'optimize': {
      if (!rest[0]) throw usageError('missing <video>');
      const mb = Number(rest[1]);
      if (!Number.isFinite(mb) || mb <= 0) throw usageError(`<targetMb>: expected megabytes > 0, got ${rest[1] ?? 'nothing'}`);
      abortableJob = true;
      const r = await engineWith(flags, engine).optimizeVideo(rest[0], mb, { outputPath: flags.output, onProgress: progressPrinter(flags.quiet), signal: jobControl.signal });
      if (!flags.quiet && process.stderr.isTTY) process.stderr.write('\n');
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      const score = r.qualityScore === null ? '' : ` — SSIM ${r.ssim.toFixed(4)}, PSNR ${r.psnr.toFixed(2)} dB`;
      process.stdout.write(`${formatBytes(r.originalSize)} → ${formatBytes(r.optimizedSize)} (target ${formatBytes(r.targetSize)}, ${r.width}x${r.height}, ${r.encoder}, ${r.encodes} encode${r.encodes > 1 ? 's' : ''})${score} → ${r.outputPath}\n`);
      return 0;
    }
    case 'worker': {
      const { createWorker } = require('./cluster');
      const options = {
        ...clusterFlags(flags),
        concurrency: intFlag(flags, 'concurrency', '--concurrency'),
        lockDuration: intFlag(flags, 'lockDuration', '--lock-duration'),
        stalledInterval: intFlag(flags, 'stalledInterval', '--stalled-interval'),
        memoryLimitMb: intFlag(flags, 'memoryLimitMb', '--memory-limit-mb'),
        x264Threads: flags.x264Threads,
        tempDirectory: flags.temp,
        name: flags.name,
      };
      for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
      abortableJob = true; // the first signal closes the worker (running chunks finish), a second exits at once
      const worker = await createWorker(options);
      process.stderr.write(`worker ${worker.name}: listening on queue "${worker.queueName}" at ${flags.redis}, shared folder ${path.resolve(flags.shared)}\n`);
      await new Promise((resolve) => {
        if (jobControl.signal.aborted) resolve();
        else jobControl.signal.addEventListener('abort', resolve, { once: true });
      });
      process.stderr.write(`worker ${worker.name}: closing (running jobs finish first)\n`);
      await worker.close();
      return 0;
    }
    case 'process':
    case 'render': {
      const { text, baseDir } = readConfig(rest[0]);
      if (!flags.output) throw usageError('missing -o <out.mp4>');
      const started = process.hrtime.bigint();
      abortableJob = true;
      let result;
      if (flags.distributed) {
        if (flags.input) throw usageError('--input: a distributed render takes its background from the config, not --input');
        if (flags.x264Threads !== undefined) throw usageError("--x264-threads: a distributed render's chunks are encoded as each worker's --x264-threads says");
        const { renderDistributed } = require('./cluster');
        const chunkFrames = intFlag(flags, 'chunkFrames', '--chunk-frames');
        result = await renderDistributed(text, flags.output, {
          ...clusterFlags(flags), ...(chunkFrames ? { chunkFrames } : {}), onProgress: progressPrinter(flags.quiet), baseDir, signal: jobControl.signal,
        });
      } else {
        result = await engineWith(flags, engine).processVideo(flags.input ?? '', flags.output, text, { onProgress: progressPrinter(flags.quiet), baseDir, signal: jobControl.signal });
      }
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      if (!flags.quiet && process.stderr.isTTY) process.stderr.write('\n');
      const m = result.metadata;
      for (const w of m.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(`rendered ${m.frames} frames (${(result.durationMs / 1000).toFixed(2)} s, ${m.width}x${m.height}@${m.fps}) in ${wallS.toFixed(2)} s — ${(m.frames / wallS).toFixed(1)} fps — ${formatBytes(result.fileSize)} → ${result.outputPath}\n`);
      if (result.chunks) {
        const workers = new Set(result.chunks.map((c) => c.worker));
        process.stdout.write(`distributed: ${result.chunks.length} chunks on ${workers.size} worker${workers.size > 1 ? 's' : ''}\n`);
      }
      return 0;
    }
    case 'frame': {
      const { text, baseDir } = readConfig(rest[0]);
      if (!flags.output) throw usageError('missing -o <frame.png>');
      const time = Number(flags.time ?? 0);
      if (!Number.isFinite(time) || time < 0) throw usageError(`--time: expected milliseconds >= 0, got ${flags.time}`);
      const ext = path.extname(flags.output).toLowerCase();
      const format = ext === '.jpg' || ext === '.jpeg' ? 'jpeg' : 'png';
      const bytes = await engine.renderFrame(text, time, { format, baseDir });
      fs.mkdirSync(path.dirname(path.resolve(flags.output)), { recursive: true });
      fs.writeFileSync(flags.output, bytes);
      process.stdout.write(`wrote ${formatBytes(bytes.length)} ${format} frame at ${time} ms → ${flags.output}\n`);
      return 0;
    }
    case 'probe': {
      if (!rest[0]) throw usageError('missing <file>');
      const info = await engine.getVideoMetadata(rest[0]);
      process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      return 0;
    }
    case 'scene': {
      const { text, baseDir } = readConfig(rest[0]);
      process.stdout.write(`${JSON.stringify(await engine.compileScene(text, { baseDir }), null, 2)}\n`);
      return 0;
    }
    case 'version':
      process.stdout.write(`${JSON.stringify(engine.version())}\n`);
      return 0;
    default:
      throw usageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (caughtSignal) process.exit(SIGNAL_EXIT[caughtSignal]); // the signal came after the job ended
    if (pipeClosed) process.exit(0);
    process.exitCode = code;
  },
  (e) => {
    if (pipeClosed && !caughtSignal) {
      process.exit(0); // the reader went away: the job was aborted and cleaned up; nothing to say
    } else if (caughtSignal) {
      // Aborted by a signal: the engine has removed its partial files; no stack, no error text.
      process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}interrupted (${caughtSignal}): job aborted, partial output removed\n`);
      process.exit(SIGNAL_EXIT[caughtSignal]);
    } else if (e.usage) {
      process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}error [${e.code || 'ERR_INTERNAL'}]: ${e.message}\n`);
      process.exitCode = 1;
    }
  },
);
