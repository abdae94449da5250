using System.Runtime.InteropServices;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;
using ReelSpeed.Engine.Effects;

namespace ReelSpeed.Engine.Render;

/// <summary>
/// Draws the processing layer of a scene at a time: the clip (or, during a transition, the two
/// clips) on screen, fitted and turned upright, through the effect filters, then the text
/// overlays. Each clip is decoded by its own <see cref="VideoFrameSource"/>, opened when it
/// first shows and closed once a later time has passed its end, so at most two decoders are
/// open whatever the number of clips. Custom transitions draw both clips into two frame-sized
/// buffers this painter owns and mix them with the SkSL shader. One thread at a time.
/// </summary>
internal sealed unsafe class CompositionPainter : IScenePainter
{
    private readonly Composition _c;
    private readonly int _width, _height;
    private readonly VideoFrameSource?[] _sources;
    private readonly SKPaint? _effects;
    private readonly SKPaint _background;
    private readonly SKPaint _layer = new();
    private readonly SKPaint _text = new() { IsAntialias = true };
    private readonly SKPaint _stroke = new() { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeJoin = SKStrokeJoin.Round };
    private readonly SKPaint _shaderPaint = new();
    private readonly SKSamplingOptions _nearest = new(SKFilterMode.Nearest);
    private readonly TransitionShader? _custom;
    private readonly Offscreen? _from, _to;
    private readonly ImageCache _images = new();
    private readonly SKImage? _backdrop;
    private readonly VideoFrameSource? _backdropVideo;
    private readonly SKPaint? _backdropVideoPaint;
    private readonly SKPaint _black = new() { Color = SKColors.Black };
    private readonly DecodeLog? _log;
    private double _now;

    /// <param name="log">Frames of a clip's file decoded by an earlier pass over it, or to record for a later one (<see cref="DecodeLog"/>).</param>
    public CompositionPainter(Composition composition, int width, int height, DecodeLog? log = null)
    {
        _c = composition;
        _log = log;
        _width = width;
        _height = height;
        _sources = new VideoFrameSource?[composition.Clips.Count];
        _background = new SKPaint { Color = composition.Background.WithAlpha(255) };
        try
        {
            _effects = ClipEffects.CreatePaint(composition.Color, composition.BlurRadius, composition.Sharpen);
            if (composition.Backdrop is { } backdrop)
            {
                const string field = "effects.background.source";
                _backdrop = BackgroundPainter.Render(backdrop, width, height, (path, _, drawn) => _images.Get(path, field, drawn));
                if (backdrop.Kind == BackgroundKind.Video)
                {
                    _backdropVideo = new VideoFrameSource(backdrop.MediaPath!, field, width, height);
                    _backdropVideoPaint = BackgroundPainter.LayerPaint(backdrop);
                }
            }
            if (composition.Transition is { Kind: TransitionKind.Custom, Shader: { } sksl })
            {
                var (shader, error) = TransitionShader.Compile(sksl);
                _custom = shader ?? throw new EngineException(ErrorCodes.InvalidConfig, $"effects.transitions.shader: {error}");
                _from = new Offscreen(width, height);
                _to = new Offscreen(width, height);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Decoders open now (tests check the bound of two).</summary>
    internal int OpenSources => _sources.Count(s => s is not null);

    /// <summary>
    /// Writes the frame at output time <paramref name="timeMs"/> straight into a yuv420p frame of
    /// the output size, for a <see cref="Composition.PassThrough"/> composition.
    /// </summary>
    public nint WriteYuv(double timeMs, nint yuvFrame)
    {
        var (source, localMs) = PassThroughSource(timeMs);
        return source.WriteYuv(localMs, yuvFrame);
    }

    /// <inheritdoc cref="IScenePainter.ShareYuv"/>
    public nint ShareYuv(double timeMs)
    {
        var (source, localMs) = PassThroughSource(timeMs);
        return source.ShareYuv(localMs);
    }

    /// <summary>The clip of a pass-through composition showing at output time <paramref name="timeMs"/>, and the time in it.</summary>
    private (VideoFrameSource Source, double LocalMs) PassThroughSource(double timeMs)
    {
        if (!_c.PassThrough) throw new InvalidOperationException("only a pass-through composition is written without drawing");
        double t = timeMs + _c.OffsetMs;
        int current = CurrentClip(t);
        return (Source(current), _c.Clips[current].SourceTimeMs(t));
    }

    /// <summary>
    /// The clip showing at composition time <paramref name="t"/> (the last one after the end); the clips before it are
    /// closed, as times only increase in a render.
    /// </summary>
    private int CurrentClip(double t)
    {
        var clips = _c.Clips;
        int current = clips.Count - 1;
        for (int i = 0; i < clips.Count; i++)
            if (t < clips[i].EndMs) { current = i; break; }
        for (int i = 0; i < current; i++)
        {
            if (_sources[i] is null || t < clips[i].EndMs) continue;
            _sources[i]!.Dispose();
            _sources[i] = null;
        }
        return current;
    }

    public bool PassThrough => _c.PassThrough;

    /// <summary>False: clips change with time in ways no state captures.</summary>
    public bool CaptureState(double t, List<double> state)
    {
        state.Clear();
        return false;
    }

    public long SpriteHits => 0;
    public long SpriteMisses => 0;

    /// <summary>Draws the composition at output time <paramref name="timeMs"/>: its background colour, the clips, the overlays.</summary>
    public void Render(SKCanvas canvas, double timeMs)
    {
        canvas.Clear(_c.Background.WithAlpha(255));
        _now = timeMs;
        double t = timeMs + _c.OffsetMs;
        var clips = _c.Clips;
        if (clips.Count == 0)
        {
            // No clip: the background alone, under the overlays.
            DrawBackground(canvas);
            DrawOverlays(canvas, timeMs);
            return;
        }
        int current = CurrentClip(t);

        var transition = _c.Transition;
        int next = current + 1;
        if (transition is not null && next < clips.Count && t >= clips[next].StartMs)
        {
            float p = (float)Math.Clamp((t - clips[next].StartMs) / transition.DurationMs, 0, 1);
            DrawTransition(canvas, transition, current, next, t, p);
        }
        else
        {
            DrawClip(canvas, current, t);
        }
        DrawOverlays(canvas, timeMs);
    }

    /// <summary>One clip over the background colour (the bars of a contain fit), through the effects.</summary>
    private void DrawClip(SKCanvas canvas, int index, double t)
    {
        DrawBackground(canvas);
        var clip = _c.Clips[index];
        Source(index).Draw(canvas, clip.SourceTimeMs(t), SKPoint.Empty, _nearest, _effects);
    }

    /// <summary>The background colour, or <c>effects.background</c>: its static image and its looping video at the current time.</summary>
    private void DrawBackground(SKCanvas canvas)
    {
        if (_backdrop is null)
        {
            canvas.DrawRect(0, 0, _width, _height, _background);
            return;
        }
        canvas.DrawImage(_backdrop, 0, 0, _nearest, null);
        if (_backdropVideo is not null)
        {
            if (_c.Backdrop!.Opacity < 1) canvas.DrawRect(0, 0, _width, _height, _black);
            _backdropVideo.Draw(canvas, _now, SKPoint.Empty, _nearest, _backdropVideoPaint);
        }
    }

    private VideoFrameSource Source(int index)
    {
        if (_sources[index] is { } open) return open;
        var clip = _c.Clips[index];
        return _sources[index] = new VideoFrameSource(clip.Path, clip.Field, _width, _height, _c.Fit, loop: false, decoderThreads: _c.LowMemory ? 1 : 0,
            applyRotation: !_c.KeepRotation, nearest: true, log: _log);
    }

    private void DrawTransition(SKCanvas canvas, TransitionSpec transition, int from, int to, double t, float p)
    {
        float e = (float)Easing.EaseInOutCubic(p);
        switch (transition.Kind)
        {
            case TransitionKind.Fade:
                DrawClip(canvas, from, t);
                DrawWithAlpha(canvas, to, t, p);
                break;
            case TransitionKind.Slide:
            {
                // The incoming clip pushes the outgoing one out towards the direction.
                var (dx, dy) = DirectionVector(transition.Direction);
                canvas.Save();
                canvas.Translate(dx * e * _width, dy * e * _height);
                DrawClip(canvas, from, t);
                canvas.Translate(-dx * _width, -dy * _height);
                DrawClip(canvas, to, t);
                canvas.Restore();
                break;
            }
            case TransitionKind.Wipe:
            {
                // The edge between the clips travels towards the direction, uncovering the incoming one.
                DrawClip(canvas, from, t);
                canvas.Save();
                canvas.ClipRect(transition.Direction switch
                {
                    TransitionDirection.Left => new SKRect(_width * (1 - e), 0, _width, _height),
                    TransitionDirection.Right => new SKRect(0, 0, _width * e, _height),
                    TransitionDirection.Up => new SKRect(0, _height * (1 - e), _width, _height),
                    _ => new SKRect(0, 0, _width, _height * e),
                });
                DrawClip(canvas, to, t);
                canvas.Restore();
                break;
            }
            case TransitionKind.Zoom:
            {
                // The outgoing clip grows towards the viewer and fades, showing the incoming one.
                DrawClip(canvas, to, t);
                canvas.Save();
                float s = 1 + e;
                canvas.Scale(s, s, _width / 2f, _height / 2f);
                DrawWithAlpha(canvas, from, t, 1 - p);
                canvas.Restore();
                break;
            }
            default:
                DrawCustom(canvas, from, to, t, p);
                break;
        }
    }

    private static (float X, float Y) DirectionVector(TransitionDirection d) => d switch
    {
        TransitionDirection.Left => (-1, 0),
        TransitionDirection.Right => (1, 0),
        TransitionDirection.Up => (0, -1),
        _ => (0, 1),
    };

    private void DrawWithAlpha(SKCanvas canvas, int index, double t, float alpha)
    {
        _layer.Color = SKColors.White.WithAlpha((byte)Math.Round(Math.Clamp(alpha, 0, 1) * 255));
        canvas.SaveLayer(_layer);
        DrawClip(canvas, index, t);
        canvas.Restore();
    }

    private void DrawCustom(SKCanvas canvas, int from, int to, double t, float p)
    {
        DrawClip(_from!.Canvas, from, t);
        DrawClip(_to!.Canvas, to, t);
        using var shader = _custom!.Create(_from.Shader, _to.Shader, p, _width, _height);
        _shaderPaint.Shader = shader;
        canvas.DrawRect(0, 0, _width, _height, _shaderPaint);
        _shaderPaint.Shader = null;
    }

    private void DrawOverlays(SKCanvas canvas, double timeMs)
    {
        foreach (var o in _c.Overlays)
        {
            if (!o.VisibleAt(timeMs)) continue;
            var state = o.Entrance?.Evaluate(timeMs) ?? BubbleState.Settled;
            if (!state.Visible || state.Opacity <= 0) continue;
            // The entrance as the chat's bubbles enter: offset, scale about the bubble's centre, opacity.
            int saved = canvas.Save();
            canvas.Translate(state.OffsetX, state.OffsetY);
            if (state.Scale != 1) canvas.Scale(state.Scale, state.Scale, o.BackgroundRect.MidX, o.BackgroundRect.MidY);
            if (state.Opacity < 1)
            {
                _layer.Color = SKColors.White.WithAlpha((byte)Math.Round(state.Opacity * 255));
                canvas.SaveLayer(_layer);
            }
            DrawOverlay(canvas, o);
            canvas.RestoreToCount(saved);
        }
    }

    private void DrawOverlay(SKCanvas canvas, TextOverlayElement o)
    {
        {
            if (o.Background is { } bg)
            {
                _text.Color = bg;
                canvas.DrawRoundRect(o.BackgroundRect, o.BackgroundRadius, o.BackgroundRadius, _text);
            }
            if (o.Stroke is { } stroke && o.StrokeWidth > 0)
            {
                _stroke.Color = stroke;
                _stroke.StrokeWidth = o.StrokeWidth * 2; // centred on the outline: half of it shows outside the fill
                TextPainter.DrawText(canvas, o.Block, o.Origin.X, o.Origin.Y, _stroke);
            }
            _text.Color = o.Color;
            TextPainter.DrawText(canvas, o.Block, o.Origin.X, o.Origin.Y, _text);
        }
    }

    public void Dispose()
    {
        for (int i = 0; i < _sources.Length; i++)
        {
            _sources[i]?.Dispose();
            _sources[i] = null;
        }
        ClipEffects.DisposePaint(_effects);
        _background.Dispose();
        _layer.Dispose();
        _text.Dispose();
        _stroke.Dispose();
        _shaderPaint.Dispose();
        _custom?.Dispose();
        _from?.Dispose();
        _to?.Dispose();
        _backdrop?.Dispose();
        _backdropVideo?.Dispose();
        _backdropVideoPaint?.ImageFilter?.Dispose();
        _backdropVideoPaint?.Dispose();
        _black.Dispose();
        _images.Dispose();
    }

    /// <summary>
    /// A frame-sized BGRA buffer with a canvas drawing into it and a shader reading from it,
    /// all made once: a transition frame allocates no pixels.
    /// </summary>
    private sealed class Offscreen : IDisposable
    {
        private readonly byte* _pixels;
        private readonly long _bytes;
        private readonly SKSurface _surface;
        private readonly SKImage _image;

        public Offscreen(int width, int height)
        {
            var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul);
            _bytes = (long)info.RowBytes * height;
            _pixels = (byte*)NativeMemory.AlignedAlloc((nuint)_bytes, 64);
            GC.AddMemoryPressure(_bytes);
            _surface = SKSurface.Create(info, (nint)_pixels, info.RowBytes)
                ?? throw new EngineException(ErrorCodes.ResourceLimit, $"cannot allocate a {width}x{height} transition buffer");
            _image = SKImage.FromPixels(info, (nint)_pixels, info.RowBytes)
                ?? throw new EngineException(ErrorCodes.ResourceLimit, $"cannot wrap a {width}x{height} transition buffer");
            Shader = _image.ToShader(SKShaderTileMode.Clamp, SKShaderTileMode.Clamp);
        }

        public SKCanvas Canvas => _surface.Canvas;
        public SKShader Shader { get; }

        public void Dispose()
        {
            Shader.Dispose();
            _image.Dispose();
            _surface.Dispose();
            NativeMemory.AlignedFree(_pixels);
            GC.RemoveMemoryPressure(_bytes);
        }
    }
}
