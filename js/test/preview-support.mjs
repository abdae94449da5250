// Shared by the browser-preview tests: SSIM of two images by FFmpeg's ssim filter (the standard
// 8x8-window SSIM on Y, U and V; "All" weighs them as FFmpeg does).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function ssim(a, b) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelspeed-ssim-'));
  try {
    const fa = path.join(dir, 'a.png'), fb = path.join(dir, 'b.png');
    fs.writeFileSync(fa, a);
    fs.writeFileSync(fb, b);
    const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', fa, '-i', fb, '-lavfi', 'ssim', '-f', 'null', '-'], { encoding: 'utf8' });
    const m = /All:([0-9.]+)/.exec(r.stderr ?? '');
    if (r.status !== 0 || !m) throw new Error(`ffmpeg ssim failed: ${r.stderr}`);
    return Number(m[1]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
