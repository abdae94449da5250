using ReelSpeed.Engine.Text;
using SkiaSharp;

namespace ReelSpeed.Engine.Scenes;

/// <summary>
/// Where a default avatar's initials go: white, in the bold face at 40 % of the avatar's height,
/// centred on it (horizontally by advance width, vertically by the font's ascent and descent),
/// glyphs placed by their advances (no shaping). The painter draws from it and the Scene writes it,
/// so a second renderer draws the same glyphs at the same places.
/// </summary>
public sealed record InitialsLayout(FontFace Face, float FontSize, ushort[] Glyphs, SKPoint[] Positions, float X, float Baseline);

public static class AvatarInitials
{
    public const float FontSizeFraction = 0.4f;

    /// <summary>The font initials are drawn with: subpixel positioning, antialiased edges, Skia's default (normal) hinting.</summary>
    public static SKFont CreateFont(FontFace face, float size) => new(face.Typeface, size) { Subpixel = true, Edging = SKFontEdging.Antialias };

    /// <summary>The initials laid out in <paramref name="rect"/>: <see cref="InitialsLayout.X"/> and the baseline in the rect's coordinates.</summary>
    public static InitialsLayout Layout(string initials, SKRect rect)
    {
        var face = FontChain.Default.Bold;
        float size = rect.Height * FontSizeFraction;
        using var font = CreateFont(face, size);
        float w = font.MeasureText(initials);
        font.GetFontMetrics(out var fm);
        var glyphs = font.GetGlyphs(initials);
        var positions = font.GetGlyphPositions(initials);
        return new InitialsLayout(face, size, glyphs, positions, rect.MidX - w / 2, rect.MidY - (fm.Ascent + fm.Descent) / 2);
    }
}
