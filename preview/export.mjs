// Export in the browser: the Scene's frames drawn by the preview and encoded with WebCodecs, the
// Web Audio mix encoded alongside, muxed with mediabunny (npm). H.264 + AAC in MP4 where the
// browser encodes both; H.264 + Opus in MP4 where it has no AAC encoder; VP9 + Opus in WebM
// without H.264. The result says which.

import { createPreview } from './index.mjs';
import { renderAudio } from './audio.mjs';

function exportError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

/**
 * Renders `scene` to a video file in the browser. Options: assetBase (as createPreview), mode
 * ('exact' default), videoBitrate (bit/s, default 8 Mbit/s at 1080x1920 scaled by area), onProgress({ frame,
 * frameCount, percent }), signal (AbortSignal: rejects with ERR_ABORTED), audio (default true),
 * mediabunny (the module, where a bare import('mediabunny') does not resolve: a page without a bundler).
 * Resolves with { data: Uint8Array, container, mimeType, videoCodec, audioCodec }.
 */
export async function exportVideo(scene, options = {}) {
  let mb = options.mediabunny;
  try {
    mb ??= await import('mediabunny');
  } catch (e) {
    throw exportError('ERR_UNSUPPORTED', `exportVideo needs the optional dependency mediabunny (npm install mediabunny): ${e?.message ?? e}`);
  }
  if (typeof VideoEncoder === 'undefined') throw exportError('ERR_UNSUPPORTED', 'exportVideo: this browser has no WebCodecs (VideoEncoder)');
  const { width, height } = scene;
  const [num, den] = String(scene.frameRate).split('/').map(Number);
  const fps = num / (den || 1);
  const signal = options.signal;
  const aborted = () => exportError('ERR_ABORTED', 'exportVideo: aborted');
  if (signal?.aborted) throw aborted();

  let container = 'mp4';
  let videoCodec = 'avc';
  if (!(await mb.canEncodeVideo('avc', { width, height }))) {
    if (!(await mb.canEncodeVideo('vp9', { width, height }))) throw exportError('ERR_UNSUPPORTED', `exportVideo: this browser encodes neither H.264 nor VP9 at ${width}x${height}`);
    videoCodec = 'vp9';
    container = 'webm';
  }
  const a = scene.audio;
  const hasAudio = options.audio !== false && a?.enabled && (a.music || a.voices.length > 0);
  let audioCodec = null;
  if (hasAudio) {
    if (container === 'mp4' && (await mb.canEncodeAudio('aac'))) audioCodec = 'aac';
    else if (await mb.canEncodeAudio('opus')) audioCodec = 'opus';
    else throw exportError('ERR_UNSUPPORTED', 'exportVideo: this browser encodes neither AAC nor Opus audio (pass audio: false for a silent video)');
  }

  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
  const preview = await createPreview(canvas, scene, { ...options, mode: options.mode ?? 'exact', audio: false });
  const output = new mb.Output({ format: container === 'mp4' ? new mb.Mp4OutputFormat() : new mb.WebMOutputFormat(), target: new mb.BufferTarget() });
  try {
    const bitrate = options.videoBitrate ?? Math.round(8e6 * (width * height) / (1080 * 1920));
    const video = new mb.CanvasSource(canvas, { codec: videoCodec, bitrate });
    output.addVideoTrack(video, { frameRate: fps });
    let audio = null;
    if (audioCodec) {
      audio = new mb.AudioBufferSource({ codec: audioCodec, bitrate: a.bitRate });
      output.addAudioTrack(audio);
    }
    await output.start();
    const frameCount = scene.frameCount;
    for (let i = 0; i < frameCount; i++) {
      if (signal?.aborted) throw aborted();
      const t = (i * 1000 * (den || 1)) / num;
      await preview.showFrame(t);
      await video.add(t / 1000, 1 / fps);
      options.onProgress?.({ frame: i + 1, frameCount, percent: ((i + 1) / frameCount) * 100 });
    }
    if (audio) {
      const buffer = await renderAudio(scene, { assetBase: options.assetBase, fromMs: 0, durationMs: scene.durationMs });
      if (signal?.aborted) throw aborted();
      await audio.add(buffer);
    }
    await output.finalize();
    return {
      data: new Uint8Array(output.target.buffer),
      container,
      mimeType: container === 'mp4' ? 'video/mp4' : 'video/webm',
      videoCodec: videoCodec === 'avc' ? 'h264' : 'vp9',
      audioCodec,
    };
  } catch (e) {
    if (output.state === 'started' || output.state === 'pending') await output.cancel().catch(() => {});
    throw e;
  } finally {
    preview.destroy();
  }
}
