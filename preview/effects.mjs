// The processing effects applied to a frame in the browser with the engine's maths
// (Engine/Effects/ClipEffects.cs): colour correction as CSS-filter colour matrices applied one
// by one (each clamped), sharpen as the 3x3 unsharp kernel with clamped edges, blur as a Gaussian
// of sigma = radius / 2 with clamped edges. Effects are given as a processing config's `effects`
// (color_correction factors, hue_shift in degrees, blur radius in px, sharpen 0..1).

import { loadCanvasKit } from './index.mjs';
import { drawTextOverlay, makeOverlayFace, normalizeTextOverlay } from './text-overlay.mjs';

const f = Math.fround;
// Rec. 709 luma weights, as the CSS saturate()/hue-rotate() matrices use them.
const Lr = f(0.2126), Lg = f(0.7152), Lb = f(0.0722);

const EFFECTS = [
  { name: 'brightness', path: 'color_correction.brightness', min: 0, max: 10, default: 1, unit: 'factor' },
  { name: 'contrast', path: 'color_correction.contrast', min: 0, max: 10, default: 1, unit: 'factor' },
  { name: 'saturation', path: 'color_correction.saturation', min: 0, max: 10, default: 1, unit: 'factor' },
  { name: 'hue', path: 'color_correction.hue_shift', min: -360, max: 360, default: 0, unit: 'degrees' },
  { name: 'blur', path: 'blur', min: 0, max: 100, default: 0, unit: 'px' },
  { name: 'sharpen', path: 'sharpen', min: 0, max: 1, default: 0, unit: 'amount' },
];

// The spec's effect names (§4.1 get_supported_effects) that processVideoPreview applies; its
// "transition" is a createPreview matter (a processing Scene's transition), not a frame's.
const SUPPORTED = ['blur', 'sharpen', 'brightness', 'contrast', 'saturation', 'color_correction', 'text_overlay'];
// The spec's EffectsConfig (§4.2) names its colour corrections at the top level.
const FLAT = ['brightness', 'contrast', 'saturation'];

/** The spec's getSupportedEffects(): the names of the effects processVideoPreview applies. */
export function getSupportedEffects() {
  return [...SUPPORTED];
}

/** Each effect processVideoPreview applies with its config field, range and neutral value. */
export function describeEffects() {
  return EFFECTS.map((e) => ({ ...e }));
}

function effectError(message, code = 'ERR_INVALID_ARG_TYPE') {
  const e = new Error(message);
  e.code = code;
  return e;
}

/**
 * Reads and checks `effects`: a processing config's effects object, or the spec's EffectsConfig
 * (brightness, contrast, saturation at the top level, in the same units as color_correction's).
 */
export function normalizeEffects(effects = {}) {
  if (effects === null || typeof effects !== 'object' || Array.isArray(effects)) throw effectError('effects must be an object like a processing config\'s effects');
  if (effects.text_overlay !== undefined) throw effectError('effects.text_overlay: the spec\'s EffectsConfig names it textOverlay ({ text, x, y, fontSize, color })');
  const known = new Set(['color_correction', 'blur', 'sharpen', 'textOverlay', ...FLAT]);
  for (const k of Object.keys(effects)) if (!known.has(k)) throw effectError(`effects.${k}: not an effect the preview applies (${[...known].join(', ')})`);
  const cc = { ...(effects.color_correction ?? {}) };
  const named = {}; // where a value came from, for errors: the spec's flat fields
  for (const k of FLAT) {
    if (effects[k] === undefined) continue;
    if (cc[k] !== undefined) throw effectError(`effects.${k}: given twice (also as effects.color_correction.${k}); give one`);
    cc[k] = effects[k];
    named[k] = `effects.${k}`;
  }
  for (const k of Object.keys(cc)) if (!['brightness', 'contrast', 'saturation', 'hue_shift'].includes(k)) throw effectError(`effects.color_correction.${k}: unknown (brightness, contrast, saturation, hue_shift)`);
  const out = {};
  for (const e of EFFECTS) {
    const [a, b] = e.path.split('.');
    const v = b ? cc[b] : effects[a];
    if (v === undefined) { out[e.name] = e.default; continue; }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < e.min || v > e.max) throw effectError(`${(b && named[b]) || `effects.${e.path}`}: must be a number in ${e.min}..${e.max} (got ${v})`);
    out[e.name] = v;
  }
  if (effects.textOverlay !== undefined) out.textOverlay = normalizeTextOverlay(effects.textOverlay);
  return out;
}

const scale = (k) => [k, 0, 0, 0, 0, 0, k, 0, 0, 0, 0, 0, k, 0, 0, 0, 0, 0, 1, 0];
function contrast(k) {
  const o = f(0.5 * f(1 - k));
  return [k, 0, 0, 0, o, 0, k, 0, 0, o, 0, 0, k, 0, o, 0, 0, 0, 1, 0];
}
function saturation(s) {
  const m = (a, b) => f(a * b);
  return [
    f(Lr + m(f(1 - Lr), s)), f(Lg - m(Lg, s)), f(Lb - m(Lb, s)), 0, 0,
    f(Lr - m(Lr, s)), f(Lg + m(f(1 - Lg), s)), f(Lb - m(Lb, s)), 0, 0,
    f(Lr - m(Lr, s)), f(Lg - m(Lg, s)), f(Lb + m(f(1 - Lb), s)), 0, 0,
    0, 0, 0, 1, 0,
  ];
}
function hue(degrees) {
  const a = degrees * Math.PI / 180;
  const c = f(Math.cos(a)), s = f(Math.sin(a));
  const m = (x, y) => f(x * y);
  return [
    f(f(Lr + m(c, f(1 - Lr))) - m(s, Lr)), f(f(Lg - m(c, Lg)) - m(s, Lg)), f(f(Lb - m(c, Lb)) + m(s, f(1 - Lb))), 0, 0,
    f(f(Lr - m(c, Lr)) + m(s, f(0.143))), f(f(Lg + m(c, f(1 - Lg))) + m(s, f(0.140))), f(f(Lb - m(c, Lb)) - m(s, f(0.283))), 0, 0,
    f(f(Lr - m(c, Lr)) - m(s, f(1 - Lr))), f(f(Lg - m(c, Lg)) + m(s, Lg)), f(f(Lb + m(c, f(1 - Lb))) + m(s, Lb)), 0, 0,
    0, 0, 0, 1, 0,
  ];
}

/** The row-major 4x5 matrices in the order they apply (as the Scene's composition.effects.colorMatrices). */
export function colorMatrices({ brightness = 1, contrast: k = 1, saturation: s = 1, hue: h = 0 }) {
  const list = [];
  if (h % 360 !== 0) list.push(hue(h));
  if (s !== 1) list.push(saturation(f(s)));
  if (k !== 1) list.push(contrast(f(k)));
  if (brightness !== 1) list.push(scale(f(brightness)));
  return list;
}

// The 3x3 unsharp kernel with clamped edges, on premultiplied pixels as Skia's matrix convolution.
const SHARPEN_SKSL = `
uniform shader image;
uniform float amount;
uniform float2 size;
half4 px(float2 p) { return image.eval(p); }
half4 main(float2 p) {
  half4 c = px(p);
  half4 sum = c * half(1 + 4 * amount) - half(amount) * (px(p + float2(-1, 0)) + px(p + float2(1, 0)) + px(p + float2(0, -1)) + px(p + float2(0, 1)));
  half a = c.a;
  return half4(clamp(sum.rgb, half3(0), half3(a)), a);
}`;

let sharpenEffect = null;
const typefaces = new Map(); // font URL → Promise of a Typeface, kept for the page's life

/**
 * The typeface the text overlay is drawn with: options.font (the font file's bytes) or
 * options.fontUrl (fetched once) — the engine's bold font, NotoSans-Bold.ttf (a Scene with bold
 * text lists it in its assets).
 */
async function overlayTypeface(CK, options) {
  if (options.font) {
    const bytes = options.font instanceof ArrayBuffer ? options.font : options.font.buffer.slice(options.font.byteOffset, options.font.byteOffset + options.font.byteLength);
    const face = makeOverlayFace(CK, bytes);
    if (!face) throw effectError('processVideoPreview: options.font is not a font file');
    return face;
  }
  if (typeof options.fontUrl !== 'string') throw effectError('processVideoPreview: effects.textOverlay needs the font: options.fontUrl (or options.font, its bytes), the engine\'s NotoSans-Bold.ttf');
  let tf = typefaces.get(options.fontUrl);
  if (!tf) {
    tf = (async () => {
      const r = await fetch(options.fontUrl);
      if (!r.ok) throw effectError(`processVideoPreview: cannot fetch ${options.fontUrl} (HTTP ${r.status})`, 'ERR_ASSET_FETCH');
      const t = makeOverlayFace(CK, await r.arrayBuffer());
      if (!t) throw effectError(`processVideoPreview: ${options.fontUrl} is not a font file`, 'ERR_UNSUPPORTED_MEDIA');
      return t;
    })();
    typefaces.set(options.fontUrl, tf);
    tf.catch(() => typefaces.delete(options.fontUrl));
  }
  return tf;
}

/**
 * The effects `e` (normalizeEffects' result) on `image`, as the engine's clip paint applies them:
 * resolves the colour matrices and sharpen into a new image (kept in `owned` for the caller to
 * delete) and returns it with the paint that draws it (its blur) and the pad to draw it at
 * (x - pad, y - pad). `makeSurface(w, h)` gives premultiplied raster surfaces.
 */
export function effectsStage(CK, image, e, makeSurface, owned) {
  const width = image.width(), height = image.height();
  const stage = (draw) => {
    const s = makeSurface(width, height);
    const c = s.getCanvas();
    c.clear(CK.BLACK);
    draw(c);
    const img = s.makeImageSnapshot();
    s.delete();
    owned.push(img);
    return img;
  };
  // The colour matrices first (each clamped before the next: composed, the first innermost),
  // then the paint's image filter on the result: sharpen, then blur.
  let chain = null;
  const filters = [];
  for (const m of colorMatrices(e)) {
    const cf = CK.ColorFilter.MakeMatrix(Float32Array.from(m));
    filters.push(cf);
    chain = chain ? CK.ColorFilter.MakeCompose(cf, chain) : cf;
    filters.push(chain);
  }
  let current = image;
  if (chain) {
    const p = new CK.Paint();
    p.setColorFilter(chain);
    current = stage((c) => c.drawImageOptions(image, 0, 0, CK.FilterMode.Nearest, CK.MipmapMode.None, p));
    p.delete();
  }
  for (const cf of new Set(filters)) cf.delete();
  // Sharpen: the 3x3 kernel; neighbours outside the frame count as transparent black (as Skia's matrix convolution does here).
  // Under a blur, Skia evaluates the sharpen one pixel beyond the frame too (transparent there, as
  // its neighbours outside count as transparent), and the blur clamps at that wider edge.
  let pad = 0;
  if (e.sharpen > 0) {
    pad = e.blur > 0 ? 1 : 0;
    sharpenEffect ??= CK.RuntimeEffect.Make(SHARPEN_SKSL);
    const src = current;
    const child = src.makeShaderOptions(CK.TileMode.Decal, CK.TileMode.Decal, CK.FilterMode.Nearest, CK.MipmapMode.None);
    const shader = sharpenEffect.makeShaderWithChildren([e.sharpen, width, height], [child]);
    const p = new CK.Paint();
    p.setShader(shader);
    const s2 = makeSurface(width + 2 * pad, height + 2 * pad);
    const c2 = s2.getCanvas();
    c2.clear(CK.TRANSPARENT);
    c2.translate(pad, pad);
    c2.drawRect(CK.LTRBRect(-pad, -pad, width + pad, height + pad), p);
    current = s2.makeImageSnapshot();
    owned.push(current);
    s2.delete();
    p.delete();
    shader.delete();
    child.delete();
  }
  const p = new CK.Paint();
  // Blur (sigma = radius / 2, edges clamped).
  if (e.blur > 0) {
    const blur = CK.ImageFilter.MakeBlur(f(e.blur / 2), f(e.blur / 2), CK.TileMode.Clamp, null);
    p.setImageFilter(blur);
    blur.delete();
  }
  return { image: current, pad, paint: p };
}

/**
 * Applies `effects` to a frame and shows the result on `canvas` (resized to the frame): `frame` is
 * ImageData (or { width, height, data } RGBA), or anything a canvas can draw (a playing <video>,
 * an ImageBitmap, an <img>). Resolves with the result as ImageData-like { width, height, data }.
 */
export async function processVideoPreview(canvas, frame, effects, options = {}) {
  const e = normalizeEffects(effects);
  const CK = await loadCanvasKit(options);
  const typeface = e.textOverlay ? await overlayTypeface(CK, options) : null;
  let image;
  if (frame && frame.data && typeof frame.width === 'number') {
    image = CK.MakeImage({ width: frame.width, height: frame.height, colorType: CK.ColorType.RGBA_8888, alphaType: CK.AlphaType.Unpremul, colorSpace: CK.ColorSpace.SRGB },
      frame.data instanceof Uint8Array ? frame.data : new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.length), frame.width * 4);
  } else {
    image = CK.MakeImageFromCanvasImageSource(frame);
  }
  if (!image) throw effectError('processVideoPreview: the frame is not an image (ImageData, { width, height, data } or a drawable element)');
  const width = image.width(), height = image.height();
  const info = { width, height, colorType: CK.ColorType.RGBA_8888, alphaType: CK.AlphaType.Premul, colorSpace: CK.ColorSpace.SRGB };
  const pixels = CK.Malloc(Uint8Array, width * height * 4);
  const surface = CK.MakeRasterDirectSurface(info, pixels, width * 4);
  const owned = [image];
  try {
    const { image: current, pad, paint: p } = effectsStage(CK, image, e, (w, h) => surface.makeSurface({ ...info, width: w, height: h }), owned);
    const out = surface.getCanvas();
    out.clear(CK.BLACK);
    out.drawImageOptions(current, -pad, -pad, CK.FilterMode.Nearest, CK.MipmapMode.None, p);
    p.delete();
    // The text overlay on top, untouched by the effects (as the engine's overlays).
    if (e.textOverlay) drawTextOverlay(CK, out, e.textOverlay, typeface, width, height);
    surface.flush();
    const data = pixels.toTypedArray().slice();
    if (canvas) {
      canvas.width = width;
      canvas.height = height;
      canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(data.buffer), width, height), 0, 0);
    }
    return { width, height, data };
  } finally {
    for (const img of owned) img.delete();
    surface.delete();
    CK.Free(pixels);
    if (options.font && typeface) typeface.delete();
  }
}
