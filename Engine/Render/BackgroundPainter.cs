using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;

namespace ReelSpeed.Engine.Render;

/// <summary>Paints the static background layer once; frames reuse the resulting image.</summary>
public static class BackgroundPainter
{
    public static void Paint(SKCanvas canvas, BackgroundLayer layer, int width, int height)
    {
        if (layer.Kind == BackgroundKind.Color || layer.Colors.Count == 1)
        {
            canvas.Clear(layer.Colors[0].WithAlpha(255));
            return;
        }
        var (start, end) = GradientLine(layer.AngleDegrees, width, height);
        using var shader = SKShader.CreateLinearGradient(start, end, layer.Colors.ToArray(), null, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader, IsDither = true };
        canvas.Clear(SKColors.Black);
        canvas.DrawRect(0, 0, width, height, paint);
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

    public static SKImage Render(BackgroundLayer layer, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new EngineException(ErrorCodes.ResourceLimit, $"cannot allocate a {width}x{height} background");
        Paint(surface.Canvas, layer, width, height);
        return surface.Snapshot();
    }
}
