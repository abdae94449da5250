// The command-line front end, run as a child process the way a user runs it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, engineCores, makeTempDir, makeTone, meanVolumeDb, partFiles, removeTempDir, tinyConfig, x264Settings } from './helpers.mjs';

function cli(...args) {
  // Pipes (not a TTY): progress is printed as "progress N% (...)" lines.
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 90000 });
  if (r.error) throw r.error;
  return r;
}

describe('reelspeed CLI', () => {
  let dir;
  let configFile;
  let out;

  beforeAll(() => {
    dir = makeTempDir();
    configFile = path.join(dir, 'story.json');
    fs.writeFileSync(configFile, JSON.stringify(tinyConfig(), null, 2));
    out = path.join(dir, 'out', 'story.mp4');
  });

  afterAll(() => removeTempDir(dir));

  it('render: exits 0, prints a summary on stdout and progress on stderr', () => {
    const r = cli('render', configFile, '-o', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/frames/);
    expect(r.stdout).toMatch(/fps/);
    expect(r.stdout).toMatch(/rendered 30 frames/);
    expect(r.stdout).toContain('360x640@30');
    expect(r.stdout).toContain(out);
    expect(r.stderr).toMatch(/progress \d+%/);
    expect(r.stderr).toMatch(/progress 100%/);
    expect(fs.statSync(out).size).toBeGreaterThan(0);
    expect(partFiles(path.dirname(out))).toEqual([]);
  });

  it('--x264-threads: the engine option x264Threads for render and optimize; a bad value exits with the coded error, a command that encodes nothing refuses it', () => {
    const threadsOut = path.join(dir, 'threads.mp4');
    const r = cli('render', configFile, '-o', threadsOut, '--x264-threads', 'frames', '--quiet');
    expect(r.status, r.stderr).toBe(0);
    expect(x264Settings(threadsOut)).toMatch(/ sliced_threads=0 /);
    const bad = cli('render', configFile, '-o', path.join(dir, 'never.mp4'), '--x264-threads', 'rows', '--quiet');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('ERR_INVALID_CONFIG');
    expect(bad.stderr).toContain('options.x264Threads: expected one of "auto", "frames", "slices", got "rows"');
    expect(fs.existsSync(path.join(dir, 'never.mp4'))).toBe(false);
    const empty = cli('render', configFile, '-o', path.join(dir, 'never.mp4'), '--x264-threads', '', '--quiet');
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain('options.x264Threads: expected one of "auto", "frames", "slices", got ""');
    // optimize takes it too: every x264 of the job on slices.
    const clip = path.join(dir, 'opt-in.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=360x640:r=30:d=1', '-c:v', 'libx264', '-crf', '12', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
    const optimized = cli('optimize', clip, '0.05', '-o', path.join(dir, 'opt-out.mp4'), '--x264-threads', 'slices', '--quiet');
    expect(optimized.status, optimized.stderr).toBe(0);
    expect(x264Settings(path.join(dir, 'opt-out.mp4'))).toMatch(engineCores() > 1 ? / sliced_threads=1 / : / sliced_threads=0 /);
    // A command that encodes nothing refuses it rather than ignoring it.
    const probe = cli('probe', threadsOut, '--x264-threads', 'slices');
    expect(probe.status).toBe(2);
    expect(probe.stderr).toContain('--x264-threads: probe encodes nothing (render, process, optimize, worker take it)');
  });

  it('probe: prints the media metadata as JSON with its streams', () => {
    expect(fs.existsSync(out)).toBe(true);
    const r = cli('probe', out);
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.size).toBe(fs.statSync(out).size);
    expect(Array.isArray(info.streams)).toBe(true);
    expect(info.streams.find((s) => s.type === 'video')).toMatchObject({ codec: 'h264', width: 360, height: 640, fps: 30 });
    expect(info.streams.find((s) => s.type === 'audio')).toMatchObject({ codec: 'aac' });
  });

  it('render: resolves a relative music path against the config file folder', () => {
    makeTone(path.join(dir, 'tone.wav'), 1);
    const musicConfig = path.join(dir, 'music.json');
    fs.writeFileSync(musicConfig, JSON.stringify(tinyConfig({ voiceAudioSettings: { backgroundMusicUrl: 'tone.wav' } })));
    const musicOut = path.join(dir, 'music.mp4');
    const r = cli('render', musicConfig, '-o', musicOut, '--quiet');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/progress/);
    expect(meanVolumeDb(musicOut)).toBeGreaterThan(-60);
  });

  it('render: a bad config exits 1 with ERR_INVALID_CONFIG on stderr and writes nothing', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ videoSettings: { fps: 'thirty' }, messages: [{ text: 'x', sender: '' }] }));
    const badOut = path.join(dir, 'bad.mp4');
    const r = cli('render', bad, '-o', badOut);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ERR_INVALID_CONFIG');
    expect(r.stderr).toContain('videoSettings.fps');
    expect(fs.existsSync(badOut)).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  it('frame: writes a PNG', () => {
    const png = path.join(dir, 'frame.png');
    const r = cli('frame', configFile, '--time', '500', '-o', png);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(png).subarray(0, 4).toString('latin1')).toBe('\x89PNG');
  });

  it('no arguments: exits 2 with usage', () => {
    const r = cli();
    expect(r.status).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/Usage:/);
    expect(r.stdout + r.stderr).toContain('reelspeed render');
  });

  it('an unknown command exits 2 with usage on stderr', () => {
    const r = cli('explode');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command explode/);
    expect(r.stderr).toMatch(/Usage:/);
  });
});

// Signals and closed pipes (#13 item 4): the real CLI, killed mid-job.
describe('reelspeed CLI: signals and closed pipes', () => {
  let dir;
  let longConfig;
  let clip;

  beforeAll(() => {
    dir = makeTempDir();
    longConfig = path.join(dir, 'long.json');
    // 1080x1920 for 60 s: long enough to be interrupted mid-render.
    fs.writeFileSync(longConfig, JSON.stringify(tinyConfig({ videoSettings: { duration: 60, resolution: '1080x1920', fps: 30 } })));
    clip = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=s=1280x720:r=30:d=12', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
  });

  afterAll(() => removeTempDir(dir));

  /** Runs the CLI, sends `signal` once stderr shows `ready` (a regexp), resolves with { code, signal, stderr }. */
  function interrupt(args, signal, ready, env = {}) {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let sent = false;
      child.stderr.on('data', (b) => {
        stderr += b;
        if (!sent && ready.test(stderr)) { sent = true; child.kill(signal); }
      });
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no exit after ${signal}: ${stderr}`)); }, 60000);
      child.on('exit', (code, sig) => { clearTimeout(timer); resolve({ code, signal: sig, stderr, sent }); });
    });
  }

  for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    it(`render: ${signal} mid-render aborts the job, exits ${status} and leaves no .part file`, async () => {
      const outDir = path.join(dir, `out-${signal}`);
      fs.mkdirSync(outDir);
      const r = await interrupt(['render', longConfig, '-o', path.join(outDir, 'long.mp4')], signal, /progress [1-9]\d*% .*encode/);
      expect(r.sent, r.stderr).toBe(true);
      expect(r.code, r.stderr).toBe(status);
      expect(r.stderr).toContain(`interrupted (${signal})`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(fs.readdirSync(outDir)).toEqual([]); // neither the output nor its .part file
    });
  }

  it('optimize: SIGTERM mid-encode exits 143 leaving no .part file and no two-pass logs', async () => {
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    const outDir = path.join(dir, 'opt');
    fs.mkdirSync(outDir);
    const r = await interrupt(['optimize', clip, '0.3', '-o', path.join(outDir, 'small.mp4')], 'SIGTERM', /progress [1-9]\d*% .*pass-1/, { TMPDIR: tmp });
    expect(r.sent, r.stderr).toBe(true);
    expect(r.code, r.stderr).toBe(143);
    expect(fs.readdirSync(outDir)).toEqual([]);
    expect(fs.readdirSync(tmp, { recursive: true }).filter((f) => /reelspeed-2pass|pass1\.log/.test(f))).toEqual([]);
  });

  it('scene piped into `head -1`: exits 0 on the closed pipe, with no stack trace', () => {
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, JSON.stringify(tinyConfig({ messages: Array.from({ length: 60 }, (_, i) => ({ text: `message ${i} with enough text to fill the pipe`, sender: i % 2 ? 'me' : 'them' })) })));
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" scene "${big}" | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
    expect(r.stdout).toBe('{\n');
    expect(r.stderr).toContain('status=0');
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
  });

  it('render with its output piped into `head -2`: the job is aborted, no .part file is left, exit 0', () => {
    const outDir = path.join(dir, 'piped');
    fs.mkdirSync(outDir);
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" render "${longConfig}" -o "${outDir}/x.mp4" 2>&1 | head -2; echo "status=\${PIPESTATUS[0]}" >&2`], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
    expect(r.stdout).toMatch(/^progress/);
    expect(r.stderr).toContain('status=0');
    expect(fs.readdirSync(outDir)).toEqual([]);
  });
});
