// The parity cases of the browser preview: every template, and every chat feature the native
// renderer draws, each at several times (mid-animation included). Used by preview.test.js and by
// scripts/preview-parity.js (README's parity table).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers.mjs';

/**
 * The bound for cases with a background video. The browser decodes the clip with its own FFmpeg,
 * converts it to RGB and scales it with Skia, where the engine scales the YUV planes with swscale
 * (bicubic) before converting: the same frame, not the same pixels (SSIM 0.996 on this smooth clip,
 * about 0.82 on FFmpeg's testsrc2 with its one-pixel detail upscaled 3.5x).
 */
export const VIDEO_SSIM = 0.99;

export const TEMPLATES = ['modern-light', 'modern-dark', 'imessage', 'whatsapp', 'instagram', 'discord'];

/** Pictures the feature cases use, made with the ffmpeg CLI into `dir`. */
export function makePictures(dir) {
  const pic = path.join(dir, 'picture.png');
  const bg = path.join(dir, 'background.png');
  const avatar = path.join(dir, 'avatar.png');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=320x240', '-frames:v', '1', pic]);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'mandelbrot=s=360x640', '-frames:v', '1', bg]);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'smptebars=s=128x128', '-frames:v', '1', avatar]);
  const video = path.join(dir, 'loop.mp4');
  // Smooth moving gradients in fixed, moderate colours (a seed: unseeded, lavfi picks random ones, and saturated pairs
  // put the browser's YUV->RGB further from FFmpeg's): the browser decodes and scales the clip itself (see VIDEO_SSIM).
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'gradients=s=480x360:r=30:d=2:speed=0.02:c0=0x305080:c1=0xC0A060:seed=7', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '30', video]);
  return { pic, bg, avatar, video };
}

const small = (overrides) => ({
  videoSettings: { resolution: '720x1280', fps: 30, duration: 8 },
  chatOverlay: { contactName: 'Alex Morgan', showHeader: true },
  animationSettings: { messageAnimationType: 'slide', baseDelay: 400, messageDelay: 300, showTypingIndicator: true },
  ...overrides,
});

const CHAT = [
  { text: 'did you see what happened at the party?? 😳', sender: 'them', audioDuration: 1.2 },
  { text: 'no?? I left early', sender: 'me', audioDuration: 0.8 },
  { text: 'Jake tried to DJ and the speaker fell in the pool 💀🔊', sender: 'them', audioDuration: 1.1 },
  { text: 'STOP 😂😂 is it ok', sender: 'me', audioDuration: 0.8 },
];

/**
 * The case's times plus times taken from its Scene: the second and the last message halfway
 * through their entrance (a typewriter's halfway through its reveal), and a typing indicator
 * mid-pulse, so every case is checked mid-animation whatever its timeline.
 */
export function timesFor(c, scene) {
  const times = new Set(c.times);
  const ms = scene.messages;
  for (const m of [ms[1], ms[ms.length - 1]]) {
    if (!m) continue;
    const a = m.animation;
    const span = a.type === 'typewriter' ? (a.revealMs ?? a.durationMs) : a.durationMs;
    times.add(Math.round(a.startMs + span / 2));
  }
  const ind = scene.typingIndicators[scene.typingIndicators.length - 1];
  if (ind) times.add(Math.round(ind.startMs + Math.min(ind.endMs - ind.startMs, ind.dotPeriodMs) * 0.4));
  return [...times].filter((t) => t <= scene.durationMs).sort((a, b) => a - b);
}

/**
 * Every case: { name, config, times[], baseDir?, minSsim? } (minSsim: a bound other than exact parity). `files` are the pictures from makePictures.
 * Times: a message mid-animation, a typing indicator mid-pulse, and later frames (scrolled, fade band).
 */
export function featureCases(files) {
  const cases = [];
  for (const t of TEMPLATES) {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'templates', `${t}.json`), 'utf8'));
    cases.push({ name: `template ${t}`, config, baseDir: path.join(ROOT, 'examples', 'templates'), times: [620, 3000, 14000] });
  }
  for (const type of ['fade', 'pop', 'typewriter', 'none']) {
    cases.push({ name: `animation ${type}`, config: small({ animationSettings: { messageAnimationType: type, baseDelay: 400, messageDelay: 300, showTypingIndicator: true }, messages: CHAT }), times: [480, 560, 2200, 3100] });
  }
  cases.push({
    name: 'scroll and fade band',
    config: small({ messages: [...CHAT, ...CHAT, ...CHAT, ...CHAT].map((m, i) => ({ ...m, text: `${i}: ${m.text}` })), videoSettings: { resolution: '720x1280', fps: 30, duration: 20 } }),
    times: [9000, 9150, 16000],
  });
  cases.push({
    name: 'group chat labels, pictures, header avatar image',
    config: small({
      template: 'imessage',
      chatOverlay: { contactName: 'Weekend Crew', showHeader: true, avatarUrl: files.avatar },
      messages: [
        { text: 'look at this', sender: 'Sam', audioDuration: 0.8 },
        { text: '', sender: 'Sam', imageUrl: files.pic, audioDuration: 0.6 },
        { text: 'wow', sender: 'me', audioDuration: 0.6 },
        { text: 'same', sender: 'Riley', imageUrl: files.pic, audioDuration: 0.6 },
      ],
    }),
    times: [500, 2500, 6000],
  });
  cases.push({
    name: 'discord pictures and avatars',
    config: small({ template: 'discord', messages: [{ text: 'pic incoming', sender: 'Jess', audioDuration: 0.6 }, { text: '', sender: 'Jess', imageUrl: files.pic, audioDuration: 0.6 }, { text: 'nice', sender: 'me', audioDuration: 0.6 }] }),
    times: [500, 4000],
  });
  cases.push({
    name: 'right-to-left text and emoji',
    config: small({
      template: 'whatsapp',
      messages: [
        { text: 'مرحبا، كيف حالك اليوم؟ 😊', sender: 'them', audioDuration: 0.8 },
        { text: 'שלום! הכל טוב, תודה (123)', sender: 'me', audioDuration: 0.8 },
        { text: '👍🏽 👨‍👩‍👧 🇫🇷 ❤️‍🔥', sender: 'them', audioDuration: 0.8 },
        { text: 'Ωμέγα, Привет, naïve café', sender: 'me', audioDuration: 0.8 },
      ],
    }),
    times: [520, 5000],
  });
  cases.push({
    name: 'typewriter right-to-left',
    config: small({ animationSettings: { messageAnimationType: 'typewriter', baseDelay: 400, messageDelay: 300 }, messages: [{ text: 'مرحبا، كيف حالك اليوم؟ 😊 hello', sender: 'them', audioDuration: 2 }] }),
    times: [700, 1100],
  });
  cases.push({
    name: 'gradient background, centred scaled translucent chat',
    config: small({
      template: 'modern-dark',
      backgroundSettings: { backgroundType: 'gradient', gradientColors: ['#FF5F6D', '#FFC371', '#2193B0'], gradientAngle: 135 },
      chatOverlay: { contactName: 'Chris', showHeader: true, position: 'center', widthPercent: 80, scale: 0.9, opacity: 0.8 },
      messages: CHAT,
    }),
    times: [600, 5000],
  });
  cases.push({
    name: 'image background with opacity and blur',
    config: small({ backgroundSettings: { backgroundType: 'image', backgroundUrl: files.bg, backgroundOpacity: 0.7, backgroundBlur: 12 }, messages: CHAT }),
    times: [3000],
  });
  cases.push({
    name: 'video background (looping)',
    config: small({ backgroundSettings: { backgroundType: 'video', backgroundUrl: files.video, backgroundOpacity: 0.8, backgroundBlur: 6 }, messages: CHAT }),
    times: [1000, 2550],
    minSsim: VIDEO_SSIM,
  });
  cases.push({
    name: 'brainrot (video in the lower half)',
    config: small({ videoSettings: { resolution: '720x1280', fps: 30, duration: 8, brainrotMode: true }, backgroundSettings: { backgroundType: 'video', backgroundUrl: files.video }, messages: CHAT }),
    times: [700, 3100],
    minSsim: VIDEO_SSIM,
  });
  cases.push({
    name: 'green screen',
    config: small({ template: 'instagram', videoSettings: { resolution: '720x1280', fps: 30, duration: 8, greenScreen: true }, messages: CHAT }),
    times: [600, 4000],
  });
  cases.push({
    name: 'colour background and custom colours',
    config: small({
      backgroundSettings: { backgroundType: 'color', backgroundColor: '#123456' },
      colorCustomization: { senderBubbleColor: '#AA3377', senderTextColor: '#FFFFFF', receiverBubbleColor: '#EEEEEE', receiverTextColor: '#111111', headerBackgroundColor: '#222222', headerTextColor: '#FAFAFA' },
      messages: CHAT,
    }),
    times: [2500],
  });
  return cases;
}
