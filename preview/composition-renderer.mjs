// Draws the processing layer of a Scene (its `composition`: clips, transition, effects, text
// overlays; docs/scene-format.md) as the engine's CompositionPainter does, with CanvasKit. The
// clips' frames come from HTML video elements the caller has seeked (see framesAt); the background
// (`effects.background`, or the plain colour) is the chat renderer's, which draws the same layer.
// A clip with rotation metadata comes out of the video element already upright (the browser turns
// it as the engine does: checked by the parity cases), so it is fitted in its upright shape.

import { colorInt, evaluateAnimation, roundHalfEven } from './chat-renderer.mjs';
import { effectsStage } from './effects.mjs';

const f = Math.fround;
const clamp01 = (v) => Math.min(1, Math.max(0, v));

/** Easing.EaseInOutCubic. */
export function easeInOutCubic(p) {
  p = clamp01(p);
  return p < 0.5 ? 4 * p * p * p : 1 - Math.pow(-2 * p + 2, 3) / 2;
}

const DIRECTIONS = { left: [-1, 0], right: [1, 0], up: [0, -1], down: [0, 1] };

/** The children a custom transition's SkSL declares, in declaration order (CanvasKit takes them by position). */
function shaderChildren(sksl) {
  const code = sksl.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  return [...code.matchAll(/\buniform\s+shader\s+([A-Za-z_]\w*)/g)].map((m) => m[1]);
}

/**
 * What the composition shows at output time `ms`: the clips on screen (one, or two during a
 * transition, with its progress) at composition time t = ms + offsetMs.
 */
export function compositionState(c, ms) {
  const t = ms + c.offsetMs;
  const clips = c.clips;
  if (clips.length === 0) return { t, current: -1, next: -1, p: 0 };
  let current = clips.length - 1;
  for (let i = 0; i < clips.length; i++) if (t < clips[i].startMs + clips[i].durationMs) { current = i; break; }
  const next = current + 1;
  if (c.transition && next < clips.length && t >= clips[next].startMs) {
    return { t, current, next, p: f(clamp01((t - clips[next].startMs) / c.transition.durationMs)) };
  }
  return { t, current, next: -1, p: 0 };
}

/** The source time of clip `clip` shown at composition time t (ClipSegment.SourceTimeMs). */
export function sourceTimeMs(clip, t) {
  return clip.sourceStartMs + Math.max(0, t - clip.startMs);
}

/**
 * Where a clip's frame goes in the frame box for a fit (VideoFrameSource): the source crop
 * { sx, sy, sw, sh } (cover crops whole pixels, its left and top on even pixels for 4:2:0
 * chroma) and the content rectangle { x, y, w, h } it is scaled to.
 */
export function fitRects(fit, srcW, srcH, boxW, boxH) {
  let sw = srcW, sh = srcH, cw = boxW, ch = boxH;
  if (fit === 'cover') {
    const k = Math.max(boxW / srcW, boxH / srcH);
    sw = Math.min(Math.max(roundHalfEven(boxW / k), 1), srcW);
    sh = Math.min(Math.max(roundHalfEven(boxH / k), 1), srcH);
  } else if (fit === 'contain') {
    const k = Math.min(boxW / srcW, boxH / srcH);
    cw = Math.min(Math.max(roundHalfEven(srcW * k), 1), boxW);
    ch = Math.min(Math.max(roundHalfEven(srcH * k), 1), boxH);
  }
  const sx = Math.trunc((srcW - sw) / 2) & ~1, sy = Math.trunc((srcH - sh) / 2) & ~1;
  return { sx, sy, sw, sh, x: Math.trunc((boxW - cw) / 2), y: Math.trunc((boxH - ch) / 2), w: cw, h: ch };
}

export class CompositionRenderer {
  /**
   * @param CK an initialised CanvasKit
   * @param scene a Scene with a composition
   * @param chat the ChatRenderer of the same Scene (its background layer and text drawing)
   * @param makeSurface (w, h) => a premultiplied raster Surface
   */
  constructor(CK, scene, chat, makeSurface) {
    this.CK = CK;
    this.scene = scene;
    this.c = scene.composition;
    this.chat = chat;
    this.makeSurface = makeSurface;
    const fx = this.c.effects;
    this.effects = { brightness: fx.brightness, contrast: fx.contrast, saturation: fx.saturation, hue: fx.hueShift, blur: fx.blur, sharpen: fx.sharpen };
    this.hasEffects = fx.colorMatrices.length > 0 || fx.blur > 0 || fx.sharpen > 0;
    this.custom = null;
    const tr = this.c.transition;
    if (tr && tr.type === 'custom') {
      const effect = CK.RuntimeEffect.Make(tr.shader);
      if (!effect) throw Object.assign(new Error('preview: the custom transition\'s SkSL does not compile in CanvasKit'), { code: 'ERR_UNSUPPORTED' });
      const uniforms = [];
      for (let i = 0; i < effect.getUniformCount(); i++) uniforms.push({ name: effect.getUniformName(i), floats: effect.getUniform(i).columns * effect.getUniform(i).rows });
      this.custom = { effect, uniforms, children: shaderChildren(tr.shader) };
    }
  }

  /** The clip indices whose frames the frame at ms draws. */
  clipsAt(ms) {
    const s = compositionState(this.c, ms);
    return s.current < 0 ? [] : s.next < 0 ? [s.current] : [s.current, s.next];
  }

  /**
   * Draws the frame at output time ms. `frames(i)` gives clip i's frame at its source time as a
   * drawable (a seeked video element) with its size { source, width, height }; `drawBackdropVideo`
   * draws the looping background video, if any.
   */
  draw(canvas, ms, frames, drawBackdropVideo) {
    const CK = this.CK, c = this.c;
    this.frames = frames;
    this.backdropVideo = drawBackdropVideo;
    this.now = ms;
    canvas.clear(withOpaque(colorInt(c.background)));
    const s = compositionState(c, ms);
    if (s.current < 0) {
      this.drawBackground(canvas);
    } else if (s.next >= 0) {
      this.drawTransition(canvas, s.current, s.next, s.t, s.p);
    } else {
      this.drawClip(canvas, s.current, s.t);
    }
    this.drawOverlays(canvas, ms);
    this.frames = null;
    void CK;
  }

  drawBackground(canvas) {
    const CK = this.CK;
    canvas.drawImageOptions(this.chat.background, 0, 0, CK.FilterMode.Nearest, CK.MipmapMode.None, null);
    if (this.backdropVideo) this.backdropVideo(canvas, this.now);
  }

  /** One clip over the background, fitted, through the effects (CompositionPainter.DrawClip). */
  drawClip(canvas, index, t) {
    const CK = this.CK;
    this.drawBackground(canvas);
    const frame = this.frames(index, t);
    if (!frame) return;
    const { width, height } = this.scene;
    const r = fitRects(this.c.fit, frame.width, frame.height, width, height);
    const image = CK.MakeImageFromCanvasImageSource(frame.source);
    if (!image) return;
    const owned = [image];
    try {
      let content = image;
      if (r.sx !== 0 || r.sy !== 0 || r.sw !== r.w || r.sh !== r.h || frame.width !== r.w || frame.height !== r.h) {
        // Scaled to the content size first (the engine's swscale step), then drawn 1:1 through the effects.
        const s = this.makeSurface(r.w, r.h);
        const sc = s.getCanvas();
        sc.clear(CK.BLACK);
        const p = new CK.Paint();
        if (r.sw === r.w && r.sh === r.h) sc.drawImageRectOptions(image, CK.LTRBRect(r.sx, r.sy, r.sx + r.sw, r.sy + r.sh), CK.LTRBRect(0, 0, r.w, r.h), CK.FilterMode.Nearest, CK.MipmapMode.None, p);
        else sc.drawImageRectCubic(image, CK.LTRBRect(r.sx, r.sy, r.sx + r.sw, r.sy + r.sh), CK.LTRBRect(0, 0, r.w, r.h), 1 / 3, 1 / 3, p);
        p.delete();
        content = s.makeImageSnapshot();
        s.delete();
        owned.push(content);
      }
      if (!this.hasEffects) {
        canvas.drawImageOptions(content, r.x, r.y, CK.FilterMode.Nearest, CK.MipmapMode.None, null);
        return;
      }
      const st = effectsStage(CK, content, this.effects, (w, h) => this.makeSurface(w, h), owned);
      canvas.drawImageOptions(st.image, r.x - st.pad, r.y - st.pad, CK.FilterMode.Nearest, CK.MipmapMode.None, st.paint);
      st.paint.delete();
    } finally {
      for (const img of owned) img.delete();
    }
  }

  drawWithAlpha(canvas, index, t, alpha) {
    const p = new this.CK.Paint();
    p.setColorInt(((roundHalfEven(f(f(clamp01(alpha)) * 255)) & 255) << 24 | 0xffffff) >>> 0);
    canvas.saveLayer(p);
    this.drawClip(canvas, index, t);
    canvas.restore();
    p.delete();
  }

  /** CompositionPainter.DrawTransition. */
  drawTransition(canvas, from, to, t, p) {
    const CK = this.CK, tr = this.c.transition;
    const { width: W, height: H } = this.scene;
    const e = f(easeInOutCubic(p));
    switch (tr.type) {
      case 'fade':
        this.drawClip(canvas, from, t);
        this.drawWithAlpha(canvas, to, t, p);
        break;
      case 'slide': {
        const [dx, dy] = DIRECTIONS[tr.direction] ?? DIRECTIONS.down;
        canvas.save();
        canvas.translate(f(f(dx * e) * W), f(f(dy * e) * H));
        this.drawClip(canvas, from, t);
        canvas.translate(f(-dx * W), f(-dy * H));
        this.drawClip(canvas, to, t);
        canvas.restore();
        break;
      }
      case 'wipe': {
        this.drawClip(canvas, from, t);
        canvas.save();
        const k = f(1 - e);
        const rect = tr.direction === 'left' ? CK.LTRBRect(f(W * k), 0, W, H)
          : tr.direction === 'right' ? CK.LTRBRect(0, 0, f(W * e), H)
            : tr.direction === 'up' ? CK.LTRBRect(0, f(H * k), W, H)
              : CK.LTRBRect(0, 0, W, f(H * e));
        canvas.clipRect(rect, CK.ClipOp.Intersect, false);
        this.drawClip(canvas, to, t);
        canvas.restore();
        break;
      }
      case 'zoom': {
        this.drawClip(canvas, to, t);
        canvas.save();
        const s = f(1 + e);
        const px = f(W / 2), py = f(H / 2);
        canvas.translate(px, py);
        canvas.scale(s, s);
        canvas.translate(-px, -py);
        this.drawWithAlpha(canvas, from, t, f(1 - p));
        canvas.restore();
        break;
      }
      default:
        this.drawCustom(canvas, from, to, t, p);
    }
  }

  /** Both clips into frame-sized images, mixed per pixel by the SkSL shader (nearest sampling, clamped edges). */
  drawCustom(canvas, from, to, t, p) {
    const CK = this.CK;
    const { width: W, height: H } = this.scene;
    const snap = (index) => {
      const s = this.makeSurface(W, H);
      const sc = s.getCanvas();
      sc.clear(CK.BLACK);
      this.drawClip(sc, index, t);
      const img = s.makeImageSnapshot();
      s.delete();
      return img;
    };
    const images = { from: snap(from), to: snap(to) };
    const shaders = {};
    for (const name of ['from', 'to']) shaders[name] = images[name].makeShaderOptions(CK.TileMode.Clamp, CK.TileMode.Clamp, CK.FilterMode.Nearest, CK.MipmapMode.None);
    const uniforms = [];
    for (const u of this.custom.uniforms) {
      if (u.name === 'progress') uniforms.push(p);
      else if (u.name === 'resolution') uniforms.push(W, H);
      else for (let i = 0; i < u.floats; i++) uniforms.push(0);
    }
    const shader = this.custom.effect.makeShaderWithChildren(uniforms, this.custom.children.map((n) => shaders[n]));
    const paint = new CK.Paint();
    paint.setShader(shader);
    canvas.drawRect(CK.LTRBRect(0, 0, W, H), paint);
    paint.delete();
    shader.delete();
    for (const n of ['from', 'to']) { shaders[n].delete(); images[n].delete(); }
  }

  /** CompositionPainter.DrawOverlays: each visible overlay with its entrance (offset, scale about its box's centre, opacity). */
  drawOverlays(canvas, ms) {
    const CK = this.CK;
    for (const o of this.c.textOverlays) {
      if (!(ms >= o.startMs && (o.endMs == null || ms < o.endMs))) continue;
      const st = o.entrance ? evaluateAnimation(o.entrance, ms) : { visible: true, opacity: 1, offsetX: 0, offsetY: 0, scale: 1 };
      if (!st.visible || st.opacity <= 0) continue;
      const saved = canvas.save();
      canvas.translate(st.offsetX, st.offsetY);
      const r = o.backgroundRect;
      if (st.scale !== 1 && r) {
        const mx = f(r.x + f(r.width / 2)), my = f(r.y + f(r.height / 2));
        canvas.translate(mx, my);
        canvas.scale(st.scale, st.scale);
        canvas.translate(-mx, -my);
      }
      let lp = null;
      if (st.opacity < 1) {
        lp = new CK.Paint();
        lp.setColorInt(((roundHalfEven(f(st.opacity * 255)) & 255) << 24 | 0xffffff) >>> 0);
        canvas.saveLayer(lp);
      }
      this.drawOverlay(canvas, o);
      canvas.restoreToCount(saved);
      lp?.delete();
    }
  }

  drawOverlay(canvas, o) {
    const CK = this.CK;
    if (o.backgroundColor) {
      const p = new CK.Paint();
      p.setAntiAlias(true);
      p.setColorInt(colorInt(o.backgroundColor));
      const r = o.backgroundRect;
      canvas.drawRRect(CK.RRectXY(CK.LTRBRect(r.x, r.y, f(r.x + r.width), f(r.y + r.height)), o.backgroundRadius, o.backgroundRadius), p);
      p.delete();
    }
    const text = o.text;
    if (o.strokeColor && o.strokeWidth > 0) {
      const sp = new CK.Paint();
      sp.setAntiAlias(true);
      sp.setStyle(CK.PaintStyle.Stroke);
      sp.setStrokeJoin(CK.StrokeJoin.Round);
      sp.setStrokeWidth(f(o.strokeWidth * 2)); // centred on the outline: half of it shows outside the fill
      sp.setColorInt(colorInt(o.strokeColor));
      this.chat.drawText(canvas, text, text.x, text.y, o.strokeColor, Infinity, sp);
      sp.delete();
    }
    this.chat.drawText(canvas, text, text.x, text.y, text.color);
  }

  delete() {
    this.custom?.effect.delete();
    this.custom = null;
  }
}

const withOpaque = (c) => (c | 0xff000000) >>> 0;
