// Draws frame t of a chat Scene (docs/scene-format.md) with CanvasKit, step for step as the
// engine's ChatPainter, MessagePainter, TextPainter and BackgroundPainter do, so that on a
// premultiplied CPU surface the pixels match the native render. Float arithmetic is done in
// float32 (Math.fround) where the engine computes in C# floats: a glyph's subpixel slot depends
// on it.

const f = Math.fround;

/** The Scene's easing functions (docs/scene-format.md). */
export function easeOutCubic(p) {
  p = Math.min(1, Math.max(0, p));
  const q = 1 - p;
  return 1 - q * q * q;
}
export function easeOutBack(p) {
  p = Math.min(1, Math.max(0, p));
  const c1 = 1.70158, c3 = c1 + 1, q = p - 1;
  return 1 + c3 * q * q * q + c1 * q * q;
}
const clamp01 = (v) => Math.min(1, Math.max(0, v));

/** `#RRGGBB` / `#RRGGBBAA` → 0xAARRGGBB. */
export function colorInt(hex) {
  const h = hex.startsWith('#') ? hex.slice(1) : hex;
  const rgb = parseInt(h.slice(0, 6), 16);
  const a = h.length >= 8 ? parseInt(h.slice(6, 8), 16) : 255;
  return ((a << 24) | rgb) >>> 0;
}
const alphaOf = (c) => c >>> 24;
const withAlpha = (c, a) => (((a & 255) << 24) | (c & 0xffffff)) >>> 0;

/** A message's look at time t (the engine's BubbleAnimation.Evaluate). */
export function evaluateAnimation(an, t) {
  const hidden = { visible: false, opacity: 0, offsetX: 0, offsetY: 0, scale: 1, reveal: 0 };
  const settled = { visible: true, opacity: 1, offsetX: 0, offsetY: 0, scale: 1, reveal: 1 };
  if (t < an.startMs) return hidden;
  if (an.type === 'typewriter') {
    const revealMs = an.revealMs ?? 0;
    const reveal = revealMs <= 0 ? 1 : f(clamp01((t - an.startMs) / revealMs));
    const fadeIn = an.durationMs <= 0 ? 1 : f(easeOutCubic((t - an.startMs) / Math.min(an.durationMs, 150)));
    return { visible: true, opacity: fadeIn, offsetX: 0, offsetY: 0, scale: 1, reveal };
  }
  if (an.type === 'none' || an.durationMs <= 0 || t >= an.startMs + an.durationMs) return settled;
  const p = (t - an.startMs) / an.durationMs;
  const e = easeOutCubic(p);
  switch (an.type) {
    case 'slide': return { visible: true, opacity: f(clamp01(p * 2)), offsetX: f((1 - e) * an.slideDistance), offsetY: 0, scale: 1, reveal: 1 };
    case 'fade': return { visible: true, opacity: f(e), offsetX: 0, offsetY: f((1 - e) * Math.abs(an.slideDistance) * 0.25), scale: 1, reveal: 1 };
    case 'pop': return { visible: true, opacity: f(clamp01(p * 3)), offsetX: 0, offsetY: 0, scale: f(0.5 + 0.5 * easeOutBack(p)), reveal: 1 };
    default: return settled;
  }
}

/** The scroll offset at t (the engine's ScrollTrack.Evaluate). */
export function scrollAt(scroll, t) {
  let value = 0;
  for (const s of scroll.segments) {
    if (t < s.startMs) break;
    const p = s.durationMs <= 0 ? 1 : (t - s.startMs) / s.durationMs;
    value = f(s.from + f(f(s.to - s.from) * f(easeOutCubic(p))));
  }
  return value;
}

/** UTF-16 length of the first floor(graphemes * reveal) graphemes of text (MessagePainter.RevealedLength). */
export function revealedLength(text, reveal) {
  if (reveal >= 1) return text.length;
  const starts = [];
  if (typeof Intl !== 'undefined' && Intl.Segmenter) {
    for (const s of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) starts.push(s.index);
  } else {
    for (let i = 0; i < text.length; i++) starts.push(i);
  }
  const count = Math.floor(f(starts.length * reveal));
  return count >= starts.length ? text.length : starts[count];
}

/** Transparent border around a message in its sprite (MessagePainter.Margin). */
export function spriteMargin(m) {
  const blur = m.shadow ? m.shadow.blur : 0;
  const offY = m.shadow ? m.shadow.offsetY : 0;
  return Math.ceil(f(f(f(f(blur * 3) + Math.abs(offY)) + f(m.tailCornerRadius * 0.5)) + 2));
}

const TOP_FADE_FRACTION = 0.05;
const TAIL_WIDTH = 14; // ChatLayout.TailWidth, at scale 1 (the tail path scales it by the corner radius)

export class ChatRenderer {
  /**
   * @param CK an initialised CanvasKit
   * @param scene the Scene (schemaVersion 1)
   * @param resources { typefaces: Map<fileName, Typeface>, images: Map<path, Image> }
   * @param makeSurface (w, h) => a premultiplied raster Surface for sprites
   */
  constructor(CK, scene, resources, makeSurface) {
    this.CK = CK;
    this.scene = scene;
    this.res = resources;
    this.makeSurface = makeSurface;
    this.sprites = new Map();
    this.fonts = new Map();
    this.background = this.renderBackground();
    this.header = scene.header ? this.renderHeader(scene.header) : null;
    const v = scene.viewport;
    this.fadeBand = { l: 0, t: v.y, r: scene.width, b: f(v.y + Math.max(1, roundHalfEven(f(v.height * f(TOP_FADE_FRACTION))))) };
  }

  font(fileName, size, hinting) {
    const key = `${fileName}|${size}|${hinting}`;
    let font = this.fonts.get(key);
    if (!font) {
      const CK = this.CK;
      const tf = this.res.typefaces.get(fileName);
      if (!tf) throw new Error(`preview: font ${fileName} is not loaded`);
      font = new CK.Font(tf, size);
      font.setSubpixel(true);
      font.setEdging(CK.FontEdging.AntiAlias);
      font.setHinting(hinting === 'normal' ? CK.FontHinting.Normal : hinting === 'none' ? CK.FontHinting.None : CK.FontHinting.Slight);
      this.fonts.set(key, font);
    }
    return font;
  }

  paint({ color, aa = false } = {}) {
    const p = new this.CK.Paint();
    p.setAntiAlias(aa);
    if (color !== undefined) p.setColorInt(color);
    return p;
  }

  rect(l, t, r, b) { return this.CK.LTRBRect(l, t, r, b); }

  /** Draws a text block with its top-left at (x, y), only the glyphs revealed by `revealUtf16` (TextPainter.DrawText), with `withPaint` if given (a stroke) or a fill of `color`. */
  drawText(canvas, block, x, y, color, revealUtf16 = Infinity, withPaint = null) {
    const paint = withPaint ?? this.paint({ color: colorInt(color), aa: true });
    const hinting = this.scene.fontSettings?.hinting ?? 'slight';
    block.lines.forEach((line, li) => {
      if (line.runs.length === 0) return;
      const lineX = f(x + (line.rtl ? f(block.width - line.width) : 0));
      const baseline = f(y + f(block.baseline + f(li * block.lineHeight)));
      for (const run of line.runs) {
        const n = run.glyphs.length;
        let count = n;
        if (revealUtf16 !== Infinity) {
          count = 0;
          for (const c of run.clusters) if (c < revealUtf16) count++;
        }
        if (count === 0) continue;
        const start = run.rtl ? n - count : 0;
        const pos = new Float32Array(count * 2);
        for (let g = 0; g < count; g++) {
          pos[2 * g] = f(run.positions[2 * (start + g)] + run.x);
          pos[2 * g + 1] = run.positions[2 * (start + g) + 1];
        }
        const glyphs = new Uint16Array(run.glyphs.slice(start, start + count));
        canvas.drawGlyphs(glyphs, pos, lineX, baseline, this.font(run.font, run.fontSize ?? block.fontSize, hinting), paint);
      }
    });
    if (!withPaint) paint.delete();
  }

  // ---- background (BackgroundPainter) ----

  renderBackground() {
    const { CK, scene } = this;
    const s = this.makeSurface(scene.width, scene.height);
    const c = s.getCanvas();
    const bg = scene.background;
    c.clear(CK.BLACK);
    if (bg.type === 'greenScreen') {
      c.clear(CK.Color(0, 255, 0, 1));
    } else if (bg.type === 'image') {
      const lp = this.layerPaint(bg);
      const mr = bg.mediaRect;
      const rect = this.rect(mr.x, mr.y, f(mr.x + mr.width), f(mr.y + mr.height));
      c.saveLayer(lp, rect);
      this.drawCover(c, this.image(bg.media), rect, 0, mr);
      c.restore();
      lp.delete();
    } else if (bg.type === 'video') {
      if (bg.mediaRect.height < scene.height) this.paintColors(c, bg, this.rect(0, 0, scene.width, scene.height));
    } else {
      const lp = this.layerPaint(bg);
      const full = this.rect(0, 0, scene.width, scene.height);
      c.saveLayer(lp, full);
      this.paintColors(c, bg, full);
      c.restore();
      lp.delete();
    }
    const img = s.makeImageSnapshot();
    s.delete();
    return img;
  }

  layerPaint(bg) {
    const p = this.paint({ color: withAlpha(0xffffffff, roundHalfEven(f(bg.opacity * 255))) });
    if (bg.blur > 0) p.setImageFilter(this.CK.ImageFilter.MakeBlur(f(bg.blur / 2), f(bg.blur / 2), this.CK.TileMode.Clamp, null));
    return p;
  }

  paintColors(c, bg, rect) {
    const CK = this.CK, { width, height } = this.scene;
    if (bg.colors.length === 1) {
      const p = this.paint({ color: withAlpha(colorInt(bg.colors[0]), 255) });
      c.drawRect(rect, p);
      p.delete();
      return;
    }
    const [start, end] = gradientLine(bg.angle, width, height);
    const shader = CK.Shader.MakeLinearGradient(start, end, Uint32Array.from(bg.colors.map(colorInt)), null, CK.TileMode.Clamp);
    const p = this.paint();
    p.setShader(shader);
    p.setDither(true);
    c.drawRect(rect, p);
    p.delete();
    shader.delete();
  }

  image(path) {
    const img = this.res.images.get(path);
    if (!img) throw new Error(`preview: image ${path} is not loaded`);
    return img;
  }

  /**
   * The picture as the engine keeps it for a drawn size (ImageLoader.Load through ImageCache): a
   * source larger than the drawn size is resampled (Mitchell cubic, Skia's ScalePixels) down to the
   * smallest size that covers it, ceil(drawn) pixels each way; a smaller one is drawn as it is.
   */
  kept(image, drawnWidth, drawnHeight) {
    const cw = Math.max(1, Math.ceil(drawnWidth)), ch = Math.max(1, Math.ceil(drawnHeight));
    const iw = image.width(), ih = image.height();
    const k = Math.min(1, Math.max(cw / iw, ch / ih));
    if (k >= 1) return image;
    const kw = Math.min(iw, Math.max(1, Math.ceil(iw * k))), kh = Math.min(ih, Math.max(1, Math.ceil(ih * k)));
    if (kw >= iw && kh >= ih) return image;
    if (!this.keptImages) this.keptImages = new Map();
    let sizes = this.keptImages.get(image);
    if (!sizes) this.keptImages.set(image, (sizes = new Map()));
    const key = `${kw}x${kh}`;
    let small = sizes.get(key);
    if (!small) {
      const CK = this.CK;
      const s = this.makeSurface(kw, kh);
      const p = new CK.Paint();
      p.setBlendMode(CK.BlendMode.Src);
      s.getCanvas().drawImageRectCubic(image, this.rect(0, 0, iw, ih), this.rect(0, 0, kw, kh), 1 / 3, 1 / 3, p);
      p.delete();
      small = s.makeImageSnapshot();
      s.delete();
      sizes.set(key, small);
    }
    return small;
  }

  /**
   * An image cover-fitted (centre crop) into dst, optionally with rounded corners (MessagePainter.DrawCover);
   * `drawn` is the size the engine keeps the picture for ({ width, height }; default: dst's).
   */
  drawCover(c, source, dst, cornerRadius, drawn = null) {
    const CK = this.CK;
    const dw = f(dst[2] - dst[0]), dh = f(dst[3] - dst[1]);
    const image = this.kept(source, drawn ? drawn.width : dw, drawn ? drawn.height : dh);
    const iw = image.width(), ih = image.height();
    const k = Math.max(f(dw / iw), f(dh / ih));
    const sw = f(dw / k), sh = f(dh / k);
    const sx = f(f(iw - sw) / 2), sy = f(f(ih - sh) / 2);
    const src = this.rect(sx, sy, f(sx + sw), f(sy + sh));
    c.save();
    if (cornerRadius > 0) c.clipRRect(CK.RRectXY(dst, cornerRadius, cornerRadius), CK.ClipOp.Intersect, true);
    const p = this.paint({ aa: true });
    c.drawImageRectCubic(image, src, dst, 1 / 3, 1 / 3, p);
    p.delete();
    c.restore();
  }

  // ---- background video (ChatPainter.DrawVideo) ----

  /**
   * Draws a video frame (any CanvasImageSource: an HTML video element seeked to the frame) as the
   * engine does: cover-fitted into the media box (centre crop, cubic scaling) at its whole-pixel
   * size, then copied into mediaRect over black with the layer's opacity and blur.
   */
  drawVideoFrame(canvas, source, sourceWidth, sourceHeight) {
    const CK = this.CK, bg = this.scene.background;
    const mr = bg.mediaRect;
    const bw = Math.trunc(mr.width), bh = Math.trunc(mr.height);
    const frame = CK.MakeImageFromCanvasImageSource(source);
    if (!frame) return;
    const box = this.makeSurface(bw, bh);
    const bc = box.getCanvas();
    bc.clear(CK.BLACK);
    // The engine crops whole source pixels, its left and top edges on even pixels (4:2:0 chroma), then scales.
    const k = Math.max(bw / sourceWidth, bh / sourceHeight);
    const sw = Math.min(Math.max(roundHalfEven(bw / k), 1), sourceWidth), sh = Math.min(Math.max(roundHalfEven(bh / k), 1), sourceHeight);
    const sx = Math.trunc((sourceWidth - sw) / 2) & ~1, sy = Math.trunc((sourceHeight - sh) / 2) & ~1;
    const p = this.paint();
    bc.drawImageRectCubic(frame, this.rect(sx, sy, sx + sw, sy + sh), this.rect(0, 0, bw, bh), 1 / 3, 1 / 3, p);
    p.delete();
    frame.delete();
    const boxImage = box.makeImageSnapshot();
    box.delete();
    const rect = this.rect(mr.x, mr.y, f(mr.x + mr.width), f(mr.y + mr.height));
    canvas.save();
    canvas.clipRect(rect, CK.ClipOp.Intersect, false);
    if (bg.opacity < 1 || bg.blur > 0) {
      const black = this.paint({ color: 0xff000000 });
      canvas.drawRect(rect, black);
      black.delete();
    }
    const lp = this.layerPaint(bg);
    canvas.drawImageOptions(boxImage, mr.x, mr.y, CK.FilterMode.Nearest, CK.MipmapMode.None, lp);
    lp.delete();
    boxImage.delete();
    canvas.restore();
  }

  // ---- header (ChatPainter.RenderHeader) ----

  renderHeader(h) {
    const CK = this.CK;
    const w = Math.ceil(h.bounds.width);
    const bottom = f(h.bounds.y + h.bounds.height);
    const hh = Math.ceil(f(bottom - h.backgroundTop));
    const s = this.makeSurface(w, hh);
    const c = s.getCanvas();
    c.clear(CK.TRANSPARENT);
    const ox = -h.bounds.x, oy = -h.backgroundTop;
    const bgp = this.paint({ color: colorInt(h.background), aa: true });
    c.drawRect(this.rect(0, 0, w, hh), bgp);
    bgp.delete();
    const divider = h.divider ?? { color: '#00000000', width: Math.max(1, hh / 120) };
    const dp = this.paint({ color: colorInt(divider.color) });
    dp.setStrokeWidth(divider.width);
    dp.setStyle(CK.PaintStyle.Stroke);
    const ly = f(hh - f(divider.width / 2));
    c.drawLine(0, ly, w, ly, dp);
    dp.delete();
    const a = h.avatar;
    const ax = f(a.rect.x + ox), ay = f(a.rect.y + oy);
    this.paintAvatar(c, a, this.rect(ax, ay, f(ax + a.rect.width), f(ay + a.rect.height)));
    this.drawText(c, h.title, f(h.title.x + ox), f(h.title.y + oy), h.title.color);
    if (h.subtitle) this.drawText(c, h.subtitle, f(h.subtitle.x + ox), f(h.subtitle.y + oy), h.subtitle.color);
    const img = s.makeImageSnapshot();
    s.delete();
    return img;
  }

  /** A round avatar: the image cover-cropped into a circle, or initials on a coloured disc (MessagePainter.PaintAvatar). */
  paintAvatar(c, a, rect) {
    const CK = this.CK;
    c.save();
    const cb = new CK.PathBuilder();
    cb.addOval(rect);
    const clip = cb.detachAndDelete();
    c.clipPath(clip, CK.ClipOp.Intersect, true);
    clip.delete();
    if (a.image) {
      this.drawCover(c, this.image(a.image), rect, 0);
    } else {
      c.drawColorInt(colorInt(a.color), CK.BlendMode.Src);
      const it = a.initialsText;
      if (it) {
        const p = this.paint({ color: colorInt(it.color), aa: true });
        c.drawGlyphs(new Uint16Array(it.glyphs), new Float32Array(it.positions), f(rect[0] + it.x), f(rect[1] + it.y),
          this.font(it.font, it.fontSize, it.hinting), p);
        p.delete();
      }
    }
    c.restore();
  }

  // ---- messages (MessagePainter) ----

  sprite(m, withText) {
    let img = this.sprites.get(m.index);
    if (img) return img;
    const margin = spriteMargin(m);
    const w = Math.ceil(m.bounds.width) + 2 * margin;
    const h = Math.ceil(m.bounds.height) + 2 * margin;
    const s = this.makeSurface(w, h);
    const c = s.getCanvas();
    c.clear(this.CK.TRANSPARENT);
    this.paintMessage(c, m, margin, margin, withText);
    img = s.makeImageSnapshot();
    s.delete();
    this.sprites.set(m.index, img);
    return img;
  }

  paintMessage(c, m, x, y, withText) {
    if (m.style !== 'discord') this.paintBody(c, m, x, y);
    if (m.avatar) {
      const r = m.avatar.rect;
      const ax = f(x + r.x), ay = f(y + r.y);
      this.paintAvatar(c, m.avatar, this.rect(ax, ay, f(ax + r.width), f(ay + r.height)));
    }
    if (m.label) this.drawText(c, m.label, f(x + m.label.x), f(y + m.label.y), m.label.color);
    if (m.picture) {
      const pr = m.picture.rect;
      let dx = f(f(x + m.body.x) + pr.x), dy = f(f(y + m.body.y) + pr.y);
      if (m.style === 'discord') { dx = f(x + pr.x); dy = f(y + pr.y); }
      this.drawCover(c, this.image(m.picture.image), this.rect(dx, dy, f(dx + pr.width), f(dy + pr.height)), m.picture.cornerRadius, pr);
    }
    if (withText) this.paintText(c, m, x, y, 1);
  }

  paintText(c, m, x, y, reveal) {
    if (m.text.length === 0 || reveal <= 0) return;
    const n = revealedLength(m.text, reveal);
    this.drawText(c, m.textBlock, f(x + m.textBlock.x), f(y + m.textBlock.y), m.textBlock.color, reveal >= 1 ? Infinity : n);
  }

  paintBody(c, m, x, y) {
    const CK = this.CK;
    const bl = f(x + m.body.x), bt = f(y + m.body.y);
    const body = { l: bl, t: bt, r: f(bl + m.body.width), b: f(bt + m.body.height) };
    const path = this.bodyPath(m, body);
    const p = this.paint({ color: colorInt(m.fill), aa: true });
    let shader = null, filter = null;
    if (m.fillGradient && m.fillGradient.length >= 2) {
      shader = CK.Shader.MakeLinearGradient([body.l, body.t], [body.r, body.b], Uint32Array.from(m.fillGradient.map(colorInt)), null, CK.TileMode.Clamp);
      p.setShader(shader);
    }
    if (m.shadow) {
      const sc = colorInt(m.shadow.color);
      filter = CK.ImageFilter.MakeDropShadow(0, m.shadow.offsetY, m.shadow.blur, m.shadow.blur,
        CK.Color((sc >>> 16) & 255, (sc >>> 8) & 255, sc & 255, alphaOf(sc) / 255), null);
      p.setImageFilter(filter);
    }
    c.drawPath(path, p);
    p.delete();
    shader?.delete();
    filter?.delete();
    path.delete();
  }

  /** The body outline: a rounded rectangle plus the template's tail (MessagePainter.BodyPath). */
  bodyPath(m, body) {
    const CK = this.CK;
    const me = m.sender === 'me';
    const r = m.cornerRadius;
    const R = [body.l, body.t, body.r, body.b];
    let rr;
    if (m.style === 'rounded') {
      const t = Math.min(m.tailCornerRadius, r);
      rr = Float32Array.of(...R, r, r, r, r, me ? t : r, me ? t : r, me ? r : t, me ? r : t);
    } else if (m.tail === 'topNotch') {
      rr = Float32Array.of(...R, me ? r : 0, me ? r : 0, me ? 0 : r, me ? 0 : r, r, r, r, r);
    } else {
      rr = CK.RRectXY(R, r, r);
    }
    const bb = new CK.PathBuilder();
    bb.addRRect(rr);
    const bodyOnly = bb.detachAndDelete();
    if (m.tail === 'none') return bodyOnly;
    const tw = f(TAIL_WIDTH * (m.cornerRadius > 0 ? Math.max(1, f(m.tailCornerRadius / 38)) : 1));
    const tb = new CK.PathBuilder();
    if (m.tail === 'topNotch') {
      const n = f(r * f(0.9));
      if (me) {
        tb.moveTo(f(body.r - 1), body.t);
        tb.lineTo(f(body.r + n), body.t);
        tb.lineTo(f(body.r - 1), f(body.t + n));
      } else {
        tb.moveTo(f(body.l + 1), body.t);
        tb.lineTo(f(body.l - n), body.t);
        tb.lineTo(f(body.l + 1), f(body.t + n));
      }
      tb.close();
    } else if (m.tail === 'bottomCurve') {
      const h = Math.min(r, f(f(body.b - body.t) / 2));
      const k = (v) => f(h * f(v));
      if (me) {
        tb.moveTo(f(body.r - h), f(body.b - h));
        tb.lineTo(body.r, f(body.b - h));
        tb.quadTo(body.r, f(body.b - k(0.25)), f(body.r + tw), body.b);
        tb.quadTo(f(body.r - k(0.35)), f(body.b + k(0.05)), f(body.r - k(0.75)), f(body.b - k(0.15)));
      } else {
        tb.moveTo(f(body.l + h), f(body.b - h));
        tb.lineTo(body.l, f(body.b - h));
        tb.quadTo(body.l, f(body.b - k(0.25)), f(body.l - tw), body.b);
        tb.quadTo(f(body.l + k(0.35)), f(body.b + k(0.05)), f(body.l + k(0.75)), f(body.b - k(0.15)));
      }
      tb.close();
    }
    const tail = tb.detachAndDelete();
    const union = CK.Path.MakeFromOp(bodyOnly, tail, CK.PathOp.Union);
    tail.delete();
    if (union) { bodyOnly.delete(); return union; }
    return bodyOnly;
  }

  // ---- typing indicator (TypingPainter) ----

  paintTyping(c, ind, x, y, t) {
    const CK = this.CK;
    const rect = this.rect(x, y, f(x + ind.bounds.width), f(y + ind.bounds.height));
    const fill = colorInt(ind.fill);
    if (alphaOf(fill) > 0) {
      const p = this.paint({ color: fill, aa: true });
      c.drawRRect(CK.RRectXY(rect, ind.cornerRadius, ind.cornerRadius), p);
      p.delete();
    }
    const height = f(rect[3] - rect[1]), width = f(rect[2] - rect[0]);
    const r = f(height * f(0.09));
    const gap = f(r * f(3.2));
    const midX = f(rect[0] + f(width / 2)), midY = f(rect[1] + f(height / 2));
    const phase = ((t - ind.startMs) % ind.dotPeriodMs) / ind.dotPeriodMs;
    const dots = colorInt(ind.dots);
    const dot = this.paint({ aa: true });
    for (let i = 0; i < 3; i++) {
      const local = (phase - i / 3 + 1) % 1;
      const pulse = local < 1 / 3 ? Math.sin(local * 3 * Math.PI) : 0;
      dot.setColorInt(withAlpha(dots, Math.trunc(110 + 145 * pulse)));
      c.drawCircle(f(midX + f((i - 1) * gap)), f(midY - f(pulse * r * 0.8)), r, dot);
    }
    dot.delete();
  }

  // ---- the frame (ChatPainter.Render) ----

  /** Draws frame t onto canvas (the whole frame: background first). */
  draw(canvas, t, drawVideo) {
    const CK = this.CK, scene = this.scene;
    canvas.drawImageOptions(this.background, 0, 0, CK.FilterMode.Nearest, CK.MipmapMode.None, null);
    if (drawVideo) drawVideo(canvas, t);
    const layer = scene.chatOpacity < 1;
    let layerPaint = null;
    if (layer) {
      layerPaint = this.paint({ color: withAlpha(0xffffffff, roundHalfEven(f(scene.chatOpacity * 255))) });
      canvas.saveLayer(layerPaint);
    }
    const v = scene.viewport;
    const scroll = scrollAt(scene.scroll, t);
    const band = this.fadeBand;
    canvas.save();
    canvas.clipRect(this.rect(0, scroll > 0 ? band.b : v.y, scene.width, scene.clipBottom), CK.ClipOp.Intersect, false);
    this.drawChat(canvas, t, scroll);
    canvas.restore();
    if (scroll > 0) {
      const bandRect = this.rect(band.l, band.t, band.r, band.b);
      canvas.saveLayer(null, bandRect);
      canvas.clipRect(bandRect, CK.ClipOp.Intersect, false);
      this.drawChat(canvas, t, scroll);
      const shader = CK.Shader.MakeLinearGradient([0, band.t], [0, band.b], Uint32Array.of(0x00000000, 0xff000000), null, CK.TileMode.Clamp);
      const fp = this.paint();
      fp.setShader(shader);
      fp.setBlendMode(CK.BlendMode.DstIn);
      canvas.drawRect(bandRect, fp);
      fp.delete();
      shader.delete();
      canvas.restore();
    }
    if (this.header) canvas.drawImageOptions(this.header, scene.header.bounds.x, scene.header.backgroundTop, CK.FilterMode.Nearest, CK.MipmapMode.None, null);
    if (layer) { canvas.restore(); layerPaint.delete(); }
  }

  drawChat(canvas, t, scroll) {
    const CK = this.CK, scene = this.scene;
    const v = scene.viewport;
    const clipBottom = scene.clipBottom;
    for (const ind of scene.typingIndicators) {
      if (!(t >= ind.startMs && t < ind.endMs)) continue;
      const top = roundHalfEven(f(f(v.y + ind.bounds.y) - scroll));
      if (top + ind.bounds.height < v.y || top > clipBottom) continue;
      this.paintTyping(canvas, ind, ind.bounds.x, top, t);
    }
    const sp = this.paint();
    for (const m of scene.messages) {
      const st = evaluateAnimation(m.animation, t);
      if (!st.visible || st.opacity <= 0) continue;
      const top = f(f(f(v.y + m.bounds.y) - scroll) + st.offsetY);
      const margin = spriteMargin(m);
      if (f(f(top + m.bounds.height) + margin) < v.y || f(top - margin) > clipBottom) continue;
      const typewriter = m.animation.type === 'typewriter';
      const sprite = this.sprite(m, !typewriter);
      const x = roundHalfEven(f(m.bounds.x + st.offsetX));
      const y = roundHalfEven(top);
      sp.setColorInt(withAlpha(0xffffffff, roundHalfEven(f(st.opacity * 255))));
      if (st.scale !== 1) {
        const px = f(x + (m.sender === 'me' && m.style !== 'discord' ? f(m.body.x + m.body.width) : m.body.x));
        const py = f(y + f(m.body.y + m.body.height));
        canvas.save();
        canvas.translate(px, py);
        canvas.scale(st.scale, st.scale);
        canvas.translate(-px, -py);
        canvas.drawImageOptions(sprite, x - margin, y - margin, CK.FilterMode.Linear, CK.MipmapMode.None, sp);
        canvas.restore();
      } else {
        canvas.drawImageOptions(sprite, x - margin, y - margin, CK.FilterMode.Nearest, CK.MipmapMode.None, sp);
      }
      if (typewriter) this.paintText(canvas, m, x, y, st.reveal);
    }
    sp.delete();
  }

  delete() {
    this.background?.delete();
    this.header?.delete();
    for (const s of this.sprites.values()) s.delete();
    this.sprites.clear();
    for (const font of this.fonts.values()) font.delete();
    this.fonts.clear();
    for (const sizes of this.keptImages?.values() ?? []) for (const image of sizes.values()) image.delete();
    this.keptImages?.clear();
  }
}

/** .NET's MathF.Round / Math.Round: halves to even. */
export function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** CSS linear-gradient geometry (BackgroundPainter.GradientLine). */
export function gradientLine(angleDegrees, width, height) {
  const a = angleDegrees * Math.PI / 180;
  const dx = Math.sin(a), dy = -Math.cos(a);
  const half = (Math.abs(width * dx) + Math.abs(height * dy)) / 2;
  const cx = width / 2, cy = height / 2;
  return [[f(cx - dx * half), f(cy - dy * half)], [f(cx + dx * half), f(cy + dy * half)]];
}
