using System.Globalization;
using System.Text;
using SkiaSharp;

namespace ReelSpeed.Engine.Render.Text;

/// <summary>Glyphs of one font, shaped by HarfBuzz; positions are relative to the run's origin on the baseline.</summary>
public sealed class GlyphRun
{
    internal GlyphRun(FontFace face, float fontSize, ushort[] glyphs, SKPoint[] positions, float width)
    {
        Face = face;
        FontSize = fontSize;
        Glyphs = glyphs;
        Positions = positions;
        Width = width;
    }

    public FontFace Face { get; }
    public float FontSize { get; }
    public ushort[] Glyphs { get; }
    public SKPoint[] Positions { get; }
    public float Width { get; }
}

/// <summary>A run placed on a line at <see cref="X"/> from the line's left edge.</summary>
public readonly record struct PlacedRun(GlyphRun Run, float X);

public sealed record TextLine(IReadOnlyList<PlacedRun> Runs, float Width, bool RightToLeft);

/// <summary>Wrapped, shaped text: lines top-down, each with its runs. Immutable.</summary>
public sealed record TextBlock(IReadOnlyList<TextLine> Lines, float Width, float LineHeight, float Baseline, float FontSize)
{
    public float Height => Lines.Count * LineHeight;

    /// <summary>Baseline y of line <paramref name="index"/> relative to the block's top.</summary>
    public float BaselineOf(int index) => Baseline + index * LineHeight;
}

/// <summary>
/// Wraps and shapes text with font fallback. Text is split into break segments (a word and
/// the spaces after it, or one CJK ideograph); each segment is split into grapheme clusters,
/// each cluster is given the first font of the chain that covers it (emoji sequences go to
/// the colour emoji font whole, so ZWJ sequences and flags become one glyph), and runs of the
/// same font are shaped with HarfBuzz. Lines fill greedily; a word longer than a line breaks
/// between graphemes. A paragraph whose first strong character is Hebrew or Arabic lays its
/// words out right to left.
/// </summary>
public sealed class TextLayoutEngine
{
    public const float LineHeightFactor = 1.3f;

    private readonly FontChain _fonts;

    public TextLayoutEngine(FontChain fonts) => _fonts = fonts;

    /// <param name="missingGlyph">Called once per codepoint no font covers (for the result's warnings).</param>
    public TextBlock Layout(string text, float fontSize, float maxWidth, Action<int>? missingGlyph = null, bool bold = false)
    {
        var primary = bold ? _fonts.Bold : _fonts.Primary;
        using var primaryFont = CreateFont(primary, fontSize);
        primaryFont.GetFontMetrics(out var metrics);
        var lineHeight = MathF.Ceiling(fontSize * LineHeightFactor);
        var textHeight = -metrics.Ascent + metrics.Descent;
        var baseline = MathF.Round((lineHeight - textHeight) / 2 - metrics.Ascent);
        var spaceWidth = primaryFont.MeasureText(" ");

        var lines = new List<TextLine>();
        var reported = new HashSet<int>();
        foreach (var paragraph in text.Replace("\r\n", "\n").Split('\n'))
        {
            bool rtl = IsRightToLeft(paragraph);
            var segments = Segment(paragraph);
            var current = new List<Measured>();
            float width = 0;
            foreach (var seg in segments)
            {
                var m = Measure(seg.Content, seg.Spaces, fontSize, primary, spaceWidth, missingGlyph, reported);
                if (m.ContentWidth > maxWidth)
                {
                    // A word wider than a line: break it between graphemes.
                    foreach (var piece in BreakLongWord(seg.Content, fontSize, maxWidth, primary, missingGlyph, reported))
                    {
                        if (current.Count > 0) { lines.Add(BuildLine(current, rtl)); current.Clear(); width = 0; }
                        current.Add(piece);
                        width = piece.ContentWidth;
                    }
                    if (current.Count > 0) current[^1] = current[^1] with { SpaceWidth = seg.Spaces * spaceWidth };
                    width += seg.Spaces * spaceWidth;
                    continue;
                }
                if (current.Count > 0 && width + m.ContentWidth > maxWidth)
                {
                    lines.Add(BuildLine(current, rtl));
                    current.Clear();
                    width = 0;
                }
                current.Add(m);
                width += m.ContentWidth + m.SpaceWidth;
            }
            lines.Add(BuildLine(current, rtl));
        }

        float blockWidth = 0;
        foreach (var l in lines) blockWidth = MathF.Max(blockWidth, l.Width);
        return new TextBlock(lines, blockWidth, lineHeight, baseline, fontSize);
    }

    internal static SKFont CreateFont(FontFace face, float size) => new(face.Typeface, size)
    {
        Subpixel = true,
        Edging = SKFontEdging.Antialias,
        Hinting = SKFontHinting.Slight,
    };

    private sealed record Measured(IReadOnlyList<GlyphRun> Runs, float ContentWidth, float SpaceWidth);

    private readonly record struct Seg(string Content, int Spaces);

    private static TextLine BuildLine(List<Measured> segs, bool rtl)
    {
        var placed = new List<PlacedRun>();
        float x = 0;
        // The visual order of words on a right-to-left line is the reverse of their logical order.
        for (int k = 0; k < segs.Count; k++)
        {
            var s = rtl ? segs[segs.Count - 1 - k] : segs[k];
            float rx = x;
            foreach (var run in s.Runs)
            {
                placed.Add(new PlacedRun(run, rx));
                rx += run.Width;
            }
            x += s.ContentWidth;
            bool last = k == segs.Count - 1;
            if (!last) x += rtl ? segs[segs.Count - 2 - k].SpaceWidth : s.SpaceWidth;
        }
        return new TextLine(placed, x, rtl);
    }

    private Measured Measure(string content, int spaces, float fontSize, FontFace primary, float spaceWidth, Action<int>? missing, HashSet<int> reported)
    {
        var runs = new List<GlyphRun>();
        float w = 0;
        foreach (var (face, runText) in Itemize(content, primary, missing, reported))
        {
            var run = Shape(face, runText, fontSize);
            runs.Add(run);
            w += run.Width;
        }
        return new Measured(runs, w, spaces * spaceWidth);
    }

    private IEnumerable<Measured> BreakLongWord(string word, float fontSize, float maxWidth, FontFace primary, Action<int>? missing, HashSet<int> reported)
    {
        var chunk = new StringBuilder();
        Measured? fitted = null;
        int i = 0;
        while (i < word.Length)
        {
            int len = StringInfo.GetNextTextElementLength(word.AsSpan(i));
            var candidate = chunk.ToString() + word.Substring(i, len);
            var m = Measure(candidate, 0, fontSize, primary, 0, missing, reported);
            if (m.ContentWidth > maxWidth && chunk.Length > 0)
            {
                yield return fitted!;
                chunk.Clear();
                fitted = null;
                continue; // re-measure this grapheme at the start of a new chunk
            }
            chunk.Append(word, i, len);
            fitted = m;
            i += len;
        }
        if (fitted is not null) yield return fitted;
    }

    private static GlyphRun Shape(FontFace face, string text, float fontSize)
    {
        using var font = CreateFont(face, fontSize);
        var result = face.Shape(text, font);
        var glyphs = new ushort[result.Codepoints.Length];
        for (int g = 0; g < glyphs.Length; g++) glyphs[g] = (ushort)result.Codepoints[g];
        return new GlyphRun(face, fontSize, glyphs, result.Points, result.Width);
    }

    /// <summary>Splits text into runs of one font each, grapheme cluster by grapheme cluster.</summary>
    internal List<(FontFace Face, string Text)> Itemize(string text, FontFace primary, Action<int>? missing, HashSet<int>? reported)
    {
        var runs = new List<(FontFace, string)>();
        FontFace? current = null;
        var sb = new StringBuilder();
        int i = 0;
        while (i < text.Length)
        {
            int len = StringInfo.GetNextTextElementLength(text.AsSpan(i));
            var face = IsWhitespace(text.AsSpan(i, len)) ? current ?? primary : ChooseFace(text.AsSpan(i, len), primary, missing, reported);
            if (current is not null && face != current)
            {
                runs.Add((current, sb.ToString()));
                sb.Clear();
            }
            current = face;
            sb.Append(text, i, len);
            i += len;
        }
        if (current is not null && sb.Length > 0) runs.Add((current, sb.ToString()));
        return runs;
    }

    private FontFace ChooseFace(ReadOnlySpan<char> cluster, FontFace primary, Action<int>? missing, HashSet<int>? reported)
    {
        int first = CharExtensions.FirstCodepoint(cluster);
        var emoji = _fonts.Emoji;
        if (emoji is not null && IsEmojiPresentation(cluster, first) && emoji.Covers(first)) return emoji;

        if (CoversAll(primary, cluster)) return primary;
        foreach (var face in _fonts.Faces)
            if (!face.IsColorEmoji && CoversAll(face, cluster)) return face;
        foreach (var face in _fonts.Faces)
            if (face.Covers(first)) return face;

        if (missing is not null && (reported is null || reported.Add(first))) missing(first);
        return primary;
    }

    private static bool CoversAll(FontFace face, ReadOnlySpan<char> cluster)
    {
        foreach (var rune in cluster.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp is 0x200D or 0xFE0E or 0xFE0F or 0x200C) continue;
            if (!face.Covers(cp)) return false;
        }
        return true;
    }

    private static bool IsWhitespace(ReadOnlySpan<char> cluster)
    {
        foreach (var c in cluster)
            if (!char.IsWhiteSpace(c)) return false;
        return true;
    }

    /// <summary>
    /// Whether a grapheme should render as a colour emoji: pictographs of the supplementary
    /// planes, regional-indicator flags, keycaps, and any character followed by VS-16.
    /// </summary>
    internal static bool IsEmojiPresentation(ReadOnlySpan<char> cluster, int first)
    {
        if (cluster.Contains('\uFE0E')) return false;
        if (cluster.Contains('\uFE0F') || cluster.Contains('\u20E3')) return true;
        if (first is >= 0x1F1E6 and <= 0x1F1FF) return true; // regional indicators (flags)
        if (first is >= 0x1F300 and <= 0x1FAFF) return true; // pictographs, emoticons, transport, supplemental
        if (first is >= 0x1F000 and <= 0x1F2FF) return first is 0x1F004 or 0x1F0CF or 0x1F18E or (>= 0x1F191 and <= 0x1F19A) or 0x1F201 or 0x1F21A or 0x1F22F or (>= 0x1F232 and <= 0x1F236) or (>= 0x1F238 and <= 0x1F23A) or 0x1F250 or 0x1F251;
        // BMP characters whose default presentation is emoji.
        return first is 0x231A or 0x231B or 0x23E9 or 0x23EA or 0x23EB or 0x23EC or 0x23F0 or 0x23F3 or 0x25FD or 0x25FE
            or 0x2614 or 0x2615 or (>= 0x2648 and <= 0x2653) or 0x267F or 0x2693 or 0x26A1 or 0x26AA or 0x26AB or 0x26BD
            or 0x26BE or 0x26C4 or 0x26C5 or 0x26CE or 0x26D4 or 0x26EA or 0x26F2 or 0x26F3 or 0x26F5 or 0x26FA or 0x26FD
            or 0x2705 or 0x270A or 0x270B or 0x2728 or 0x274C or 0x274E or 0x2753 or 0x2754 or 0x2755 or 0x2757
            or 0x2795 or 0x2796 or 0x2797 or 0x27B0 or 0x27BF or 0x2B1B or 0x2B1C or 0x2B50 or 0x2B55;
    }

    /// <summary>First strong character decides: Hebrew/Arabic scripts mean right to left.</summary>
    internal static bool IsRightToLeft(string paragraph)
    {
        foreach (var rune in paragraph.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp is (>= 0x0590 and <= 0x08FF) or (>= 0xFB1D and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFF)) return true;
            if (Rune.IsLetter(rune)) return false;
        }
        return false;
    }

    /// <summary>Break segments: a word plus the spaces after it; every CJK ideograph stands alone.</summary>
    private static List<Seg> Segment(string paragraph)
    {
        var segs = new List<Seg>();
        var word = new StringBuilder();
        int i = 0;
        while (i < paragraph.Length)
        {
            char c = paragraph[i];
            if (c == ' ' || c == '\t' || c == '\u3000')
            {
                int spaces = 0;
                while (i < paragraph.Length && (paragraph[i] == ' ' || paragraph[i] == '\t' || paragraph[i] == '\u3000')) { spaces++; i++; }
                segs.Add(new Seg(word.ToString(), spaces));
                word.Clear();
                continue;
            }
            int len = StringInfo.GetNextTextElementLength(paragraph.AsSpan(i));
            int cp = CharExtensions.FirstCodepoint(paragraph.AsSpan(i, len));
            if (IsIdeographic(cp))
            {
                if (word.Length > 0) { segs.Add(new Seg(word.ToString(), 0)); word.Clear(); }
                segs.Add(new Seg(paragraph.Substring(i, len), 0));
            }
            else
            {
                word.Append(paragraph, i, len);
            }
            i += len;
        }
        if (word.Length > 0 || segs.Count == 0) segs.Add(new Seg(word.ToString(), 0));
        // Leading spaces produce an empty first word; keep their width but drop empty content.
        return segs;
    }

    private static bool IsIdeographic(int cp) =>
        cp is (>= 0x3040 and <= 0x30FF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF)
            or (>= 0xAC00 and <= 0xD7AF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x2FFFF);
}

internal static class CharExtensions
{
    public static int FirstCodepoint(ReadOnlySpan<char> s) =>
        !s.IsEmpty && Rune.DecodeFromUtf16(s, out var rune, out _) == System.Buffers.OperationStatus.Done ? rune.Value : 0xFFFD;
}
