// The spec's flat text overlay (§4.2 EffectsConfig.textOverlay: text, x, y, fontSize, color) drawn
// on a frame as the engine draws the equivalent processing overlay,
//   effects.text_overlays: [{ text, position: { x: x / width, y: y / height },
//                             style: { fontSize: fontSize * 1080 / width, color } }]
// (bold, no background, wrapped at 0.9 of the width, centred on (x, y), kept inside the frame):
// laid out with the engine's rules (TextLayoutEngine: words split at break spaces, each shaped by
// HarfBuzz, gaps of one space's advance, greedy wrapping; line height ceil(1.3·size), baseline
// centred) and drawn with the Scene's font settings. Glyph positions are the engine's to the bit:
// it shapes with HarfBuzz at 512 units per em (SkiaSharp's SKShaper), so every advance and kerning
// value is rounded to 1/512 em, and the pen adds them times size / 512 in float. The browser
// shapes with CanvasKit's paragraph (HarfBuzz too) at 512 px, for the glyphs and kerning, and
// rounds the same way. Text the one font cannot set alone (a
// character it lacks, right-to-left or CJK text) is refused: the engine would use its fallback
// fonts and bidi there.

const f = Math.fround;

function overlayError(message, code = 'ERR_INVALID_ARG_TYPE') {
  const e = new Error(message);
  e.code = code;
  return e;
}

/** .NET's MathF.Round: halves to even. */
function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const LINE_HEIGHT_FACTOR = f(1.3);
const REFERENCE_WIDTH = 1080;
const MAX_WIDTH_FRACTION = 0.9;
const MAX_TEXT = 2000;
const HB_SCALE = 512; // SkiaSharp.HarfBuzz's SKShaper: HarfBuzz font scale, units per em

/** Checks the spec's textOverlay; returns it with its colour as 0xAARRGGBB. */
export function normalizeTextOverlay(o, field = 'effects.textOverlay') {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw overlayError(`${field}: expected { text, x, y, fontSize, color }`);
  for (const k of Object.keys(o)) if (!['text', 'x', 'y', 'fontSize', 'color'].includes(k)) throw overlayError(`${field}.${k}: unknown (text, x, y, fontSize, color)`);
  if (typeof o.text !== 'string' || o.text.length === 0 || o.text.length > MAX_TEXT) throw overlayError(`${field}.text: expected 1..${MAX_TEXT} characters`);
  for (const k of ['x', 'y']) if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) throw overlayError(`${field}.${k}: must be a number (frame pixels: the text's centre)`);
  if (typeof o.fontSize !== 'number' || !(o.fontSize > 0) || !Number.isFinite(o.fontSize)) throw overlayError(`${field}.fontSize: must be a positive number (frame pixels)`);
  const color = o.color ?? '#FFFFFF';
  const m = typeof color === 'string' ? /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(color) : null;
  if (!m) throw overlayError(`${field}.color: expected #RGB, #RRGGBB or #RRGGBBAA (got ${color})`);
  let h = m[1];
  if (h.length === 3) h = h.split('').map((c) => c + c).join('');
  const argb = ((h.length === 8 ? parseInt(h.slice(6), 16) : 255) << 24 | parseInt(h.slice(0, 6), 16)) >>> 0;
  return { text: o.text, x: o.x, y: o.y, fontSize: o.fontSize, color: argb };
}

const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]|\uD802[\uDC00-\uDFFF]|\uD83A[\uDC00-\uDFFF]/;
const CJK = /[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF]|[\uD840-\uD87F][\uDC00-\uDFFF]/;
const isBreakSpace = (c) => c === ' ' || c === '\t' || c === '\u3000';

/**
 * Lays out `text` in one typeface at `size`, wrapped at `maxWidth`, as the engine's
 * TextLayoutEngine does for text that font sets alone: { lines: [{ width, runs: [{ x, glyphs,
 * positions }] }], width, lineHeight, baseline }.
 */
export function layoutText(CK, face, text, size, maxWidth, field = 'effects.textOverlay.text') {
  const { typeface, provider, family } = face;
  if (RTL.test(text)) throw overlayError(`${field}: right-to-left text is not drawn by the preview's text overlay (the engine orders it with its bidi)`, 'ERR_UNSUPPORTED');
  if (CJK.test(text)) throw overlayError(`${field}: CJK text is not drawn by the preview's text overlay (the engine breaks it between ideographs with its fallback font)`, 'ERR_UNSUPPORTED');
  const font = new CK.Font(typeface, size);
  font.setSubpixel(true);
  font.setEdging(CK.FontEdging.AntiAlias);
  font.setHinting(CK.FontHinting.Slight);
  // Unhinted advances at 512 units per em.
  const unitFont = new CK.Font(typeface, HB_SCALE);
  unitFont.setSubpixel(true);
  unitFont.setHinting(CK.FontHinting.None);
  unitFont.setLinearMetrics(true);
  try {
    const metrics = font.getMetrics();
    const lineHeight = f(Math.ceil(f(size * LINE_HEIGHT_FACTOR)));
    const textHeight = f(-metrics.ascent + metrics.descent);
    const baseline = roundHalfEven(f(f(f(lineHeight - textHeight) / 2) - metrics.ascent));
    const spaceWidth = font.getGlyphWidths(font.getGlyphIDs(' '))[0];
    const chars = [...text].filter((ch) => !/[\r\n\u0085\u2028\u2029]/.test(ch));
    const ids = font.getGlyphIDs(chars.join(''));
    const missing = chars.find((ch, i) => ids[i] === 0);
    if (missing !== undefined) {
      throw overlayError(`${field}: the font has no glyph for U+${missing.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')} (the engine would draw it with a fallback font)`, 'ERR_UNSUPPORTED');
    }
    const shape = (word) => {
      const glyphs = [], positions = [];
      if (word.length === 0) return { glyphs, positions, width: 0 };
      // Shaped at 512 px = 512 units per em: advance + kerning per glyph, in those units.
      const builder = CK.ParagraphBuilder.MakeFromFontProvider(new CK.ParagraphStyle({ textStyle: { fontFamilies: [family], fontSize: HB_SCALE } }), provider);
      builder.addText(word);
      const paragraph = builder.build();
      paragraph.layout(1e9);
      const shaped = [];
      for (const l of paragraph.getShapedLines()) {
        for (const r of l.runs) {
          const n = r.glyphs.length;
          for (let g = 0; g < n; g++) shaped.push({ glyph: r.glyphs[g], advance: r.positions[2 * g + 2] - r.positions[2 * g] });
        }
      }
      paragraph.delete();
      builder.delete();
      const linear = unitFont.getGlyphWidths(Uint16Array.from(shaped.map((s) => s.glyph)));
      // SKShaper: x += XAdvance * (size / 512), in float; HarfBuzz rounds each scaled value half up.
      const step = f(size / HB_SCALE);
      let x = 0;
      shaped.forEach((s, i) => {
        glyphs.push(s.glyph);
        positions.push(x, 0);
        const advance = Math.floor(linear[i] + 0.5) + Math.floor(s.advance - linear[i] + 0.5);
        x = f(x + f(advance * step));
      });
      return { glyphs, positions, width: x };
    };
    const lines = [];
    for (const paragraph of text.split(/\r\n|[\r\n\u0085\u2028\u2029]/)) {
      // Break segments: a word and the break spaces after it.
      const segs = [];
      let i = 0, wordStart = 0;
      while (i < paragraph.length) {
        if (!isBreakSpace(paragraph[i])) { i++; continue; }
        const s = i;
        while (i < paragraph.length && isBreakSpace(paragraph[i])) i++;
        segs.push({ word: paragraph.slice(wordStart, s), spaces: i - s });
        wordStart = i;
      }
      if (wordStart < paragraph.length || segs.length === 0) segs.push({ word: paragraph.slice(wordStart), spaces: 0 });
      let current = [], width = 0;
      const flush = () => {
        const runs = [];
        let x = 0;
        current.forEach((p, k) => {
          if (p.glyphs.length) runs.push({ x, glyphs: p.glyphs, positions: p.positions });
          x = f(x + p.width);
          if (k < current.length - 1) for (let s = 0; s < p.spaces; s++) x = f(x + spaceWidth);
        });
        lines.push({ width: x, runs });
        current = [];
      };
      for (const seg of segs) {
        const piece = { ...shape(seg.word), spaces: seg.spaces };
        if (piece.width > maxWidth) throw overlayError(`${field}: a word wider than the frame is not drawn by the preview's text overlay (the engine breaks it between graphemes)`, 'ERR_UNSUPPORTED');
        if (current.length > 0 && f(width + piece.width) > maxWidth) { flush(); width = 0; }
        current.push(piece);
        width = f(width + f(piece.width + f(piece.spaces * spaceWidth)));
      }
      flush();
    }
    const width = lines.reduce((m, l) => Math.max(m, l.width), 0);
    return { lines, width, lineHeight, baseline, size };
  } finally {
    font.delete();
    unitFont.delete();
  }
}

/**
 * Draws the spec's textOverlay (normalizeTextOverlay's result) on `canvas`, a frame of
 * `width` x `height`, with `face` ({ typeface, provider, family }: the engine's bold font,
 * NotoSans-Bold.ttf, as a Typeface and registered in a TypefaceFontProvider under `family`).
 */
export function drawTextOverlay(CK, canvas, overlay, face, width, height) {
  const { typeface } = face;
  // The engine's numbers: the config's size at 1080 wide, scaled back by width / 1080 in float.
  const size = f((overlay.fontSize * REFERENCE_WIDTH / width) * f(width / REFERENCE_WIDTH));
  const block = layoutText(CK, face, overlay.text, size, f(width * MAX_WIDTH_FRACTION));
  const blockHeight = f(block.lines.length * block.lineHeight);
  const cx = f((overlay.x / width) * width), cy = f((overlay.y / height) * height);
  const left = Math.min(Math.max(f(cx - f(block.width / 2)), 0), Math.max(0, f(width - block.width)));
  const top = Math.min(Math.max(f(cy - f(blockHeight / 2)), 0), Math.max(0, f(height - blockHeight)));
  const ox = roundHalfEven(left), oy = roundHalfEven(top);
  const font = new CK.Font(typeface, size);
  font.setSubpixel(true);
  font.setEdging(CK.FontEdging.AntiAlias);
  font.setHinting(CK.FontHinting.Slight);
  const paint = new CK.Paint();
  paint.setAntiAlias(true);
  paint.setColorInt(overlay.color);
  block.lines.forEach((line, li) => {
    const baseline = f(oy + f(block.baseline + f(li * block.lineHeight)));
    for (const run of line.runs) {
      const pos = new Float32Array(run.positions.length);
      for (let g = 0; g < run.glyphs.length; g++) { pos[2 * g] = f(run.positions[2 * g] + run.x); pos[2 * g + 1] = run.positions[2 * g + 1]; }
      canvas.drawGlyphs(Uint16Array.from(run.glyphs), pos, ox, baseline, font, paint);
    }
  });
  paint.delete();
  font.delete();
}

/** The font the overlay is set in, from its file's bytes: { typeface, provider, family, delete() }. */
export function makeOverlayFace(CK, bytes) {
  const typeface = CK.Typeface.MakeTypefaceFromData(bytes);
  if (!typeface) return null;
  const provider = CK.TypefaceFontProvider.Make();
  const family = 'reelspeed-overlay';
  provider.registerFont(bytes, family);
  return { typeface, provider, family, delete() { typeface.delete(); provider.delete(); } };
}
