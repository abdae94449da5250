using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;

namespace ReelSpeed.Engine.Render;

/// <summary>
/// Paints the static part of the background once: colour, gradient, cover-fitted image or
/// chroma green, dimmed over black by the opacity and blurred; frames reuse the image. For
/// video backgrounds it is what surrounds the clip (the chat's half in brainrot mode).
/// </summary>
public static class BackgroundPainter
{
    public static void Paint(SKCanvas canvas, BackgroundLayer layer, int width, int height, Func<string, string, SKSize, SKImage> loadImage)
    {
        canvas.Clear(SKColors.Black);
        if (layer.GreenScreen)
        {
            canvas.Clear(BackgroundLayer.ChromaGreen);
            return;
        }
        var full = SKRect.Create(0, 0, width, height);
        switch (layer.Kind)
        {
            case BackgroundKind.Image:
                using (var paint = LayerPaint(layer))
                {
                    canvas.SaveLayer(layer.MediaRect, paint);
                    MessagePainter.DrawCover(canvas, loadImage(layer.MediaPath!, "backgroundSettings.backgroundUrl", layer.MediaRect.Size), layer.MediaRect, 0);
                    canvas.Restore();
                }
                break;
            case BackgroundKind.Video:
                // The clip itself is drawn per frame; around it (brainrot's upper half) the colours show.
                if (layer.MediaRect.Height < height) PaintColors(canvas, layer, full, width, height);
                break;
            default:
                using (var paint = LayerPaint(layer))
                {
                    canvas.SaveLayer(full, paint);
                    PaintColors(canvas, layer, full, width, height);
                    canvas.Restore();
                }
                break;
        }
    }

    /// <summary>Opacity (over black) and blur of the image/colour layer.</summary>
    public static SKPaint LayerPaint(BackgroundLayer layer)
    {
        var paint = new SKPaint { Color = SKColors.White.WithAlpha((byte)Math.Round(layer.Opacity * 255)) };
        if (layer.BlurRadius > 0)
            paint.ImageFilter = SKImageFilter.CreateBlur(layer.BlurRadius / 2, layer.BlurRadius / 2, SKShaderTileMode.Clamp);
        return paint;
    }

    private static void PaintColors(SKCanvas canvas, BackgroundLayer layer, SKRect rect, int width, int height)
    {
        if (layer.Colors.Count == 1)
        {
            using var solid = new SKPaint { Color = layer.Colors[0].WithAlpha(255) };
            canvas.DrawRect(rect, solid);
            return;
        }
        var (start, end) = GradientLine(layer.AngleDegrees, width, height);
        using var shader = SKShader.CreateLinearGradient(start, end, layer.Colors.ToArray(), null, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader, IsDither = true };
        canvas.DrawRect(rect, paint);
    }

    /// <summary>
    /// CSS linear-gradient geometry: the angle is measured clockwise from "to top"
    /// (180° runs top to bottom), and the line is long enough that the corners get the end colours.
    /// </summary>
    public static (SKPoint Start, SKPoint End) GradientLine(float angleDegrees, int width, int height)
    {
        double a = angleDegrees * Math.PI / 180;
        double dx = Math.Sin(a), dy = -Math.Cos(a);
        double half = (Math.Abs(width * dx) + Math.Abs(height * dy)) / 2;
        float cx = width / 2f, cy = height / 2f;
        return (new SKPoint((float)(cx - dx * half), (float)(cy - dy * half)),
                new SKPoint((float)(cx + dx * half), (float)(cy + dy * half)));
    }

    /// <summary>
    /// The background as an image tagged opaque (it is: <see cref="Paint"/> starts from black), so
    /// that drawing it under each frame is a row copy rather than a per-pixel blend of the same bytes.
    /// </summary>
    public static SKImage Render(BackgroundLayer layer, int width, int height, Func<string, string, SKSize, SKImage> loadImage)
    {
        var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new EngineException(ErrorCodes.ResourceLimit, $"cannot allocate a {width}x{height} background");
        Paint(surface.Canvas, layer, width, height, loadImage);
        using var pixels = surface.PeekPixels();
        return SKImage.FromPixelCopy(info.WithAlphaType(SKAlphaType.Opaque), pixels.GetPixels(), pixels.RowBytes)
            ?? throw new EngineException(ErrorCodes.ResourceLimit, $"cannot allocate a {width}x{height} background");
    }
}
