using ReelSpeed.Engine.Text;
using SkiaSharp;

namespace ReelSpeed.Engine.Render;

/// <summary>Draws shaped text blocks (bubbles, labels, the header), optionally only the first part of them (typewriter).</summary>
public static class TextPainter
{
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
