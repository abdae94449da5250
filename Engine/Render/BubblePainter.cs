using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Render.Text;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;

namespace ReelSpeed.Engine.Render;

/// <summary>
/// Draws one bubble — shadow, rounded body with a tighter corner on the sender's side, and
/// its shaped text — into a sprite image, once. Frames composite sprites instead of
/// re-shaping and re-drawing text every frame.
/// </summary>
public static class BubblePainter
{
    /// <summary>Transparent border around the body in the sprite, room for the shadow.</summary>
    public static int Margin(Bubble b) => (int)MathF.Ceiling(b.ShadowBlur * 3 + Math.Abs(b.ShadowOffsetY));

    public static SKImage RenderSprite(Bubble b)
    {
        int margin = Margin(b);
        int w = (int)MathF.Ceiling(b.Bounds.Width) + 2 * margin;
        int h = (int)MathF.Ceiling(b.Bounds.Height) + 2 * margin;
        var info = new SKImageInfo(w, h, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new EngineException(ErrorCodes.ResourceLimit, $"cannot allocate a {w}x{h} bubble");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Transparent);
        Paint(canvas, b, margin, margin);
        return surface.Snapshot();
    }

    /// <summary>Draws the bubble with its body's top-left corner at (x, y).</summary>
    public static void Paint(SKCanvas canvas, Bubble b, float x, float y)
    {
        var body = SKRect.Create(x, y, b.Bounds.Width, b.Bounds.Height);
        using var rrect = new SKRoundRect();
        float r = b.CornerRadius, t = MathF.Min(b.TailCornerRadius, r);
        bool me = b.Sender == Sender.Me;
        rrect.SetRectRadii(body, new[]
        {
            new SKPoint(r, r), new SKPoint(r, r),
            me ? new SKPoint(t, t) : new SKPoint(r, r),
            me ? new SKPoint(r, r) : new SKPoint(t, t),
        });

        using (var shadow = new SKPaint { IsAntialias = true, Color = b.Fill })
        {
            if (b.Shadow.Alpha > 0)
                shadow.ImageFilter = SKImageFilter.CreateDropShadow(0, b.ShadowOffsetY, b.ShadowBlur, b.ShadowBlur, b.Shadow);
            canvas.DrawRoundRect(rrect, shadow);
        }

        using var textPaint = new SKPaint { IsAntialias = true, Color = b.TextColor };
        DrawText(canvas, b.TextBlock, x + b.TextOrigin.X, y + b.TextOrigin.Y, textPaint);
    }

    /// <summary>Draws a text block with its top-left at (x, y); right-to-left lines align right.</summary>
    public static void DrawText(SKCanvas canvas, TextBlock block, float x, float y, SKPaint paint) =>
        DrawText(canvas, block, x, y, paint, int.MaxValue);

    /// <summary>
    /// Draws the part of a text block revealed so far (typewriter): only the glyphs whose cluster
    /// starts within the first <paramref name="revealUtf16Length"/> UTF-16 code units of the text,
    /// at their final positions (see <see cref="TextBlock.Revealed"/>).
    /// </summary>
    public static void DrawText(SKCanvas canvas, TextBlock block, float x, float y, SKPaint paint, int revealUtf16Length)
    {
        for (int li = 0; li < block.Lines.Count; li++)
        {
            var line = block.Lines[li];
            if (line.Runs.Count == 0) continue;
            float lineX = x + (line.RightToLeft ? block.Width - line.Width : 0);
            float baseline = y + block.BaselineOf(li);
            using var builder = new SKTextBlobBuilder();
            foreach (var placed in line.Runs)
            {
                var run = placed.Run;
                var (start, count) = run.RevealedGlyphs(revealUtf16Length);
                if (count == 0) continue;
                using var font = TextLayoutEngine.CreateFont(run.Face, run.FontSize);
                var pos = new SKPoint[count];
                for (int g = 0; g < count; g++)
                    pos[g] = new SKPoint(run.Positions[start + g].X + placed.X, run.Positions[start + g].Y);
                builder.AddPositionedRun(run.Glyphs.AsSpan(start, count), font, pos);
            }
            using var blob = builder.Build();
            if (blob is not null) canvas.DrawText(blob, lineX, baseline, paint);
        }
    }
}
