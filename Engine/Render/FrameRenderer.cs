using ReelSpeed.Engine.Scenes;
using SkiaSharp;

namespace ReelSpeed.Engine.Render;

/// <summary>
/// Draws frame t of a scene: the cached background, then every visible bubble sprite at its
/// animated place, scrolled and clipped to the chat viewport. Sprites are drawn at whole-pixel
/// positions so settled text stays exactly as painted. One renderer per thread.
/// </summary>
public sealed class FrameRenderer : IDisposable
{
    private readonly Scene _scene;
    private readonly SKImage _background;
    private readonly SKImage?[] _sprites;
    private readonly SKImage _topFade;
    private readonly SKPaint _spritePaint = new() { IsAntialias = false };
    private readonly SKSamplingOptions _sampling = new(SKFilterMode.Nearest);

    public FrameRenderer(Scene scene)
    {
        _scene = scene;
        _background = BackgroundPainter.Render(scene.Background, scene.Width, scene.Height);
        _sprites = new SKImage?[scene.Bubbles.Count];
        _topFade = RenderTopFade(_background, scene.Viewport, scene.Viewport.Height * TopFadeFraction);
    }

    /// <summary>Height of the band at the top of the viewport where scrolled-away bubbles fade out, as a fraction of it.</summary>
    public const float TopFadeFraction = 0.05f;

    /// <summary>
    /// The background strip under the top of the viewport, opaque at the edge and transparent
    /// below: drawn over the bubbles so messages scrolling away fade out instead of being cut.
    /// </summary>
    private static SKImage RenderTopFade(SKImage background, SKRect viewport, float height)
    {
        int w = background.Width, h = Math.Max(1, (int)MathF.Ceiling(height));
        using var surface = SKSurface.Create(new SKImageInfo(w, h, SKColorType.Bgra8888, SKAlphaType.Premul))
            ?? throw new EngineException(ErrorCodes.ResourceLimit, "cannot allocate the fade band");
        var c = surface.Canvas;
        c.Clear(SKColors.Transparent);
        c.DrawImage(background, SKRect.Create(0, viewport.Top, w, h), SKRect.Create(0, 0, w, h), new SKSamplingOptions(SKFilterMode.Nearest), null);
        using var mask = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, h),
            new[] { SKColors.Black, SKColors.Black.WithAlpha(0) }, null, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = mask, BlendMode = SKBlendMode.DstIn };
        c.DrawRect(0, 0, w, h, paint);
        return surface.Snapshot();
    }

    public Scene Scene => _scene;

    public static SKImageInfo FrameInfo(Scene scene) => new(scene.Width, scene.Height, SKColorType.Bgra8888, SKAlphaType.Premul);

    public void Render(SKCanvas canvas, double timeMs)
    {
        canvas.DrawImage(_background, 0, 0, _sampling, null);
        var viewport = _scene.Viewport;
        float scroll = _scene.Scroll.Evaluate(timeMs);
        canvas.Save();
        // Clip only above the viewport: a new bubble may enter from below while the stack scrolls up.
        canvas.ClipRect(new SKRect(0, viewport.Top, _scene.Width, _scene.Height));
        foreach (var b in _scene.Bubbles)
        {
            var state = b.Animation.Evaluate(timeMs);
            if (!state.Visible || state.Opacity <= 0) continue;
            float top = viewport.Top + b.Bounds.Top - scroll + state.OffsetY;
            if (top + b.Bounds.Height < viewport.Top - BubblePainter.Margin(b) || top > _scene.Height) continue;
            var sprite = _sprites[b.Index] ??= BubblePainter.RenderSprite(b);
            int margin = BubblePainter.Margin(b);
            float x = MathF.Round(b.Bounds.Left + state.OffsetX) - margin;
            float y = MathF.Round(top) - margin;
            _spritePaint.Color = SKColors.White.WithAlpha((byte)Math.Round(state.Opacity * 255));
            canvas.DrawImage(sprite, x, y, _sampling, _spritePaint);
        }
        canvas.Restore();
        if (scroll > 0) canvas.DrawImage(_topFade, 0, viewport.Top, _sampling, null);
    }

    /// <summary>Renders frame t into a new raster image (previews, tests).</summary>
    public SKImage RenderImage(double timeMs)
    {
        using var surface = SKSurface.Create(FrameInfo(_scene)) ?? throw new EngineException(ErrorCodes.ResourceLimit, "cannot allocate a frame");
        Render(surface.Canvas, timeMs);
        return surface.Snapshot();
    }

    public void Dispose()
    {
        _background.Dispose();
        _topFade.Dispose();
        foreach (var s in _sprites) s?.Dispose();
        _spritePaint.Dispose();
    }
}
