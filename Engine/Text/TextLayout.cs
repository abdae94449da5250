using System.Globalization;
using System.Text;
using HarfBuzzSharp;
using SkiaSharp;
using HbBuffer = HarfBuzzSharp.Buffer;

namespace ReelSpeed.Engine.Text;

/// <summary>
/// Glyphs of one font, one direction and one script, shaped by HarfBuzz. Glyphs are in visual
/// order (left to right); positions are relative to the run's origin on the baseline.
/// </summary>
public sealed class GlyphRun
{
    internal GlyphRun(FontFace face, float fontSize, ushort[] glyphs, SKPoint[] positions, float width,
        int[] clusters, int textStart, int textLength, byte bidiLevel)
    {
        Face = face;
        FontSize = fontSize;
        Glyphs = glyphs;
        Positions = positions;
        Width = width;
        Clusters = clusters;
        TextStart = textStart;
        TextLength = textLength;
        BidiLevel = bidiLevel;
    }

    public FontFace Face { get; }
    public float FontSize { get; }
    public ushort[] Glyphs { get; }
    public SKPoint[] Positions { get; }
    public float Width { get; }

    /// <summary>
    /// Per glyph, the UTF-16 offset in the text given to <see cref="TextLayoutEngine.Layout"/> of
    /// the cluster the glyph belongs to (a ligature or conjunct has one cluster for several
    /// characters; a character drawn with several glyphs repeats it). Ascending in a
    /// left-to-right run, descending in a right-to-left one.
    /// </summary>
    public int[] Clusters { get; }

    /// <summary>UTF-16 offset of the run's first character (logical order) in the laid-out text.</summary>
    public int TextStart { get; }

    /// <summary>Number of UTF-16 code units of the laid-out text this run covers.</summary>
    public int TextLength { get; }

    /// <summary>Resolved bidi embedding level (UAX #9); odd levels are right to left.</summary>
    public byte BidiLevel { get; }

    /// <summary>Whether the run was shaped right to left (its glyphs read from the right).</summary>
    public bool RightToLeft => (BidiLevel & 1) != 0;

    /// <summary>
    /// The glyphs shown once the first <paramref name="utf16Length"/> UTF-16 code units of the
    /// text are revealed (typewriter effect): those whose cluster starts before that offset. In
    /// array order they are a prefix of a left-to-right run and a suffix of a right-to-left one.
    /// </summary>
    public (int Start, int Count) RevealedGlyphs(int utf16Length)
    {
        int count = 0;
        foreach (var c in Clusters)
            if (c < utf16Length) count++;
        return RightToLeft ? (Glyphs.Length - count, count) : (0, count);
    }
}

/// <summary>A run placed on a line at <see cref="X"/> from the line's left edge.</summary>
public readonly record struct PlacedRun(GlyphRun Run, float X);

/// <summary>
/// One line: its runs in visual order (left to right), its width, and whether its paragraph is
/// right to left (such lines align to the right edge of the block).
/// </summary>
public sealed record TextLine(IReadOnlyList<PlacedRun> Runs, float Width, bool RightToLeft);

/// <summary>The part of a placed run revealed so far: glyphs [GlyphStart, GlyphStart + GlyphCount) of its run.</summary>
public readonly record struct RevealedRun(int Line, PlacedRun Placed, int GlyphStart, int GlyphCount);

/// <summary>Wrapped, shaped text: lines top-down, each with its runs. Immutable.</summary>
public sealed record TextBlock(IReadOnlyList<TextLine> Lines, float Width, float LineHeight, float Baseline, float FontSize)
{
    public float Height => Lines.Count * LineHeight;

    /// <summary>Baseline y of line <paramref name="index"/> relative to the block's top.</summary>
    public float BaselineOf(int index) => Baseline + index * LineHeight;

    /// <summary>Every glyph of the block.</summary>
    public int GlyphCount
    {
        get
        {
            int n = 0;
            foreach (var line in Lines)
                foreach (var placed in line.Runs) n += placed.Run.Glyphs.Length;
            return n;
        }
    }

    /// <summary>
    /// The runs, and the glyphs of each, to draw once the first <paramref name="utf16Length"/>
    /// UTF-16 code units of the text are revealed (typewriter effect). Glyphs keep their final
    /// positions, so revealed text never moves; right-to-left text appears from the right.
    /// Reveal grapheme by grapheme (<see cref="StringInfo"/>) so a ZWJ emoji appears whole.
    /// </summary>
    public IEnumerable<RevealedRun> Revealed(int utf16Length)
    {
        for (int li = 0; li < Lines.Count; li++)
        {
            foreach (var placed in Lines[li].Runs)
            {
                var (start, count) = placed.Run.RevealedGlyphs(utf16Length);
                if (count > 0) yield return new RevealedRun(li, placed, start, count);
            }
        }
    }

    /// <summary>How many glyphs <see cref="Revealed"/> draws for <paramref name="utf16Length"/> revealed code units.</summary>
    public int GlyphCountRevealed(int utf16Length)
    {
        int n = 0;
        foreach (var r in Revealed(utf16Length)) n += r.GlyphCount;
        return n;
    }
}

/// <summary>
/// Wraps and shapes text with font fallback and bidirectional layout.
/// <para>
/// Each paragraph gets its direction and the bidi level of every character from
/// <see cref="Bidi"/> (UAX #9). It is split into break segments (a word and the spaces after
/// it, or one CJK ideograph with the punctuation that may not be separated from it); each
/// segment is split into items of one font, one bidi level and one script, grapheme by
/// grapheme (emoji sequences go to the colour emoji font whole, so ZWJ sequences and flags
/// become one glyph), and each item is shaped by HarfBuzz with an explicit direction, so
/// right-to-left runs get mirrored brackets and Arabic joining. Lines fill greedily in
/// logical order; a word longer than a line breaks between graphemes. Each line's runs are
/// then put in visual order (UAX #9 L1/L2); lines of right-to-left paragraphs align right.
/// </para>
/// <para>
/// Glyph clusters are UTF-16 offsets into the text given to <see cref="Layout"/>, which is
/// what a typewriter reveal needs (<see cref="TextBlock.Revealed"/>).
/// </para>
/// </summary>
public sealed class TextLayoutEngine
{
    public const float LineHeightFactor = 1.3f;

    private static readonly UnicodeFunctions s_unicode = UnicodeFunctions.Default;

    // Shaping language: explicit, so the output never depends on the process locale. Japanese
    // and Korean switch Noto Sans CJK to their regional glyph forms through its locl feature.
    private static readonly Language s_undetermined = new("und");
    private static readonly Language s_japanese = new("ja");
    private static readonly Language s_korean = new("ko");

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
        foreach (var (start, end) in Paragraphs(text))
            new ParagraphLayout(this, text, start, end, fontSize, maxWidth, primary, spaceWidth, missingGlyph, reported).Wrap(lines);

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

    /// <summary>Paragraph ranges [start, end) of the text, split at CR, LF, CRLF, NEL, LS and PS.</summary>
    private static IEnumerable<(int Start, int End)> Paragraphs(string text)
    {
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is not ('\n' or '\r' or '\u0085' or '\u2028' or '\u2029')) continue;
            yield return (start, i);
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        yield return (start, text.Length);
    }

    /// <summary>A word (or ideograph) of a line, shaped, with the break spaces that follow it.</summary>
    private sealed record Piece(IReadOnlyList<GlyphRun> Runs, float ContentWidth, int SpaceStart, int SpaceCount);

    /// <summary>A break segment: content [Start, Start + Length) then <see cref="Spaces"/> break spaces.</summary>
    private readonly record struct Seg(int Start, int Length, int Spaces);

    /// <summary>A stretch of text of one font, one bidi level and one script, shaped as one HarfBuzz buffer.</summary>
    internal readonly record struct TextItem(FontFace Face, int Start, int Length, byte Level, Script Script);

    /// <summary>Lays out one paragraph: bidi levels, segments, greedy wrapping, visual reordering per line.</summary>
    private sealed class ParagraphLayout
    {
        private readonly TextLayoutEngine _engine;
        private readonly string _text;
        private readonly int _start, _end;
        private readonly float _fontSize, _maxWidth, _spaceWidth;
        private readonly FontFace _primary;
        private readonly Action<int>? _missing;
        private readonly HashSet<int> _reported;
        private readonly byte _level;
        private readonly byte[] _levels;
        private readonly Language _language;

        public ParagraphLayout(TextLayoutEngine engine, string text, int start, int end, float fontSize, float maxWidth,
            FontFace primary, float spaceWidth, Action<int>? missing, HashSet<int> reported)
        {
            _engine = engine;
            _text = text;
            _start = start;
            _end = end;
            _fontSize = fontSize;
            _maxWidth = maxWidth;
            _primary = primary;
            _spaceWidth = spaceWidth;
            _missing = missing;
            _reported = reported;
            var span = text.AsSpan(start, end - start);
            _level = Bidi.ParagraphLevel(span);
            _levels = Bidi.ResolveLevels(span, _level);
            _language = GuessLanguage(span);
        }

        public void Wrap(List<TextLine> lines)
        {
            var current = new List<Piece>();
            float width = 0;
            foreach (var seg in Segment(_text, _start, _end))
            {
                var m = Measure(seg.Start, seg.Length, seg.Start + seg.Length, seg.Spaces);
                if (m.ContentWidth > _maxWidth)
                {
                    // A word wider than a line: break it between graphemes.
                    foreach (var piece in BreakLongWord(seg.Start, seg.Length))
                    {
                        if (current.Count > 0) { lines.Add(BuildLine(current)); current.Clear(); }
                        current.Add(piece);
                        width = piece.ContentWidth;
                    }
                    current[^1] = current[^1] with { SpaceStart = seg.Start + seg.Length, SpaceCount = seg.Spaces };
                    width += seg.Spaces * _spaceWidth;
                    continue;
                }
                if (current.Count > 0 && width + m.ContentWidth > _maxWidth)
                {
                    lines.Add(BuildLine(current));
                    current.Clear();
                    width = 0;
                }
                current.Add(m);
                width += m.ContentWidth + m.SpaceCount * _spaceWidth;
            }
            lines.Add(BuildLine(current));
        }

        private byte LevelAt(int index) => _levels[index - _start];

        private Piece Measure(int start, int length, int spaceStart, int spaces)
        {
            var runs = new List<GlyphRun>();
            float w = 0;
            foreach (var item in _engine.Itemize(_text, start, length, _levels, _start, _primary, _missing, _reported))
            {
                var run = Shape(item);
                runs.Add(run);
                w += run.Width;
            }
            return new Piece(runs, w, spaceStart, spaces);
        }

        private IEnumerable<Piece> BreakLongWord(int start, int length)
        {
            int end = start + length, chunkStart = start, i = start;
            Piece? fitted = null;
            while (i < end)
            {
                int len = Math.Max(1, StringInfo.GetNextTextElementLength(_text.AsSpan(i, end - i)));
                var m = Measure(chunkStart, i + len - chunkStart, i + len, 0);
                if (m.ContentWidth > _maxWidth && i > chunkStart)
                {
                    yield return fitted!;
                    chunkStart = i;
                    fitted = null;
                    continue; // re-measure this grapheme at the start of a new chunk
                }
                fitted = m;
                i += len;
            }
            if (fitted is not null) yield return fitted;
        }

        private GlyphRun Shape(TextItem item)
        {
            using var font = CreateFont(item.Face, _fontSize);
            using var buffer = new HbBuffer();
            // The whole text goes in as context (HarfBuzz reads a few characters either side for
            // joining), and clusters come back as offsets into it.
            buffer.AddUtf16(_text, item.Start, item.Length);
            buffer.Direction = (item.Level & 1) != 0 ? Direction.RightToLeft : Direction.LeftToRight;
            if (IsSpecificScript(item.Script)) buffer.Script = item.Script;
            buffer.Language = _language;
            buffer.GuessSegmentProperties();
            var result = item.Face.Shape(buffer, font);
            var glyphs = new ushort[result.Codepoints.Length];
            var clusters = new int[glyphs.Length];
            for (int g = 0; g < glyphs.Length; g++)
            {
                glyphs[g] = (ushort)result.Codepoints[g];
                clusters[g] = (int)result.Clusters[g];
            }
            return new GlyphRun(item.Face, _fontSize, glyphs, result.Points, result.Width, clusters, item.Start, item.Length, item.Level);
        }

        /// <summary>
        /// The runs of a line in visual order. Break spaces between words become gaps at their
        /// resolved level; L1 puts a tab and the spaces before it back at the paragraph level,
        /// and the spaces that end the line are not laid out at all.
        /// </summary>
        private TextLine BuildLine(List<Piece> pieces)
        {
            var runs = new List<GlyphRun?>();
            var widths = new List<float>();
            var levels = new List<byte>();
            for (int k = 0; k < pieces.Count; k++)
            {
                var p = pieces[k];
                foreach (var run in p.Runs)
                {
                    runs.Add(run);
                    widths.Add(run.Width);
                    levels.Add(run.BidiLevel);
                }
                if (k == pieces.Count - 1 || p.SpaceCount == 0) continue;
                int first = runs.Count;
                bool beforeTab = false;
                for (int j = p.SpaceStart + p.SpaceCount - 1; j >= p.SpaceStart; j--)
                {
                    beforeTab |= _text[j] == '\t';
                    runs.Insert(first, null);
                    widths.Insert(first, _spaceWidth);
                    levels.Insert(first, beforeTab ? _level : LevelAt(j));
                }
            }

            var order = Bidi.VisualOrder(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(levels));
            var placed = new List<PlacedRun>(pieces.Count);
            float x = 0;
            foreach (int i in order)
            {
                if (runs[i] is { } run) placed.Add(new PlacedRun(run, x));
                x += widths[i];
            }
            return new TextLine(placed, x, (_level & 1) != 0);
        }

        /// <summary>Japanese when the paragraph has kana, Korean when it has Hangul; otherwise undetermined.</summary>
        private static Language GuessLanguage(ReadOnlySpan<char> paragraph)
        {
            bool hangul = false;
            foreach (var c in paragraph)
            {
                if (c is (>= '\u3040' and <= '\u30FF') or (>= '\u31F0' and <= '\u31FF') or (>= '\uFF66' and <= '\uFF9F')) return s_japanese;
                hangul |= c is (>= '\uAC00' and <= '\uD7AF') or (>= '\u1100' and <= '\u11FF') or (>= '\u3130' and <= '\u318F');
            }
            return hangul ? s_korean : s_undetermined;
        }
    }

    private static bool IsSpecificScript(Script s) => s != Script.Common && s != Script.Inherited && s != Script.Unknown && s != Script.Invalid;

    private static Script ScriptOf(ReadOnlySpan<char> cluster)
    {
        foreach (var rune in cluster.EnumerateRunes())
        {
            var s = s_unicode.GetScript(rune.Value);
            if (IsSpecificScript(s)) return s;
        }
        return Script.Common;
    }

    /// <summary>
    /// Splits text[start, start + length) into items of one font, one bidi level and one script,
    /// grapheme by grapheme. Characters common to all scripts (punctuation, digits, spaces) join
    /// the item they are in. <paramref name="levels"/>[i - <paramref name="levelsOffset"/>] is the
    /// level of text[i].
    /// </summary>
    internal List<TextItem> Itemize(string text, int start, int length, byte[] levels, int levelsOffset, FontFace primary, Action<int>? missing, HashSet<int>? reported)
    {
        var items = new List<TextItem>();
        int end = start + length;
        int itemStart = start;
        FontFace? face = null;
        byte level = 0;
        var script = Script.Common;
        int i = start;
        while (i < end)
        {
            int len = Math.Max(1, StringInfo.GetNextTextElementLength(text.AsSpan(i, end - i)));
            var cluster = text.AsSpan(i, len);
            var f = IsWhitespace(cluster) ? face ?? primary : ChooseFace(cluster, primary, missing, reported);
            byte l = levels[i - levelsOffset];
            var s = ScriptOf(cluster);
            bool scriptChange = IsSpecificScript(s) && IsSpecificScript(script) && s != script;
            if (face is not null && (f != face || l != level || scriptChange))
            {
                items.Add(new TextItem(face, itemStart, i - itemStart, level, script));
                itemStart = i;
                script = Script.Common;
            }
            face = f;
            level = l;
            if (IsSpecificScript(s)) script = s;
            i += len;
        }
        if (face is not null && i > itemStart) items.Add(new TextItem(face, itemStart, i - itemStart, level, script));
        return items;
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

    /// <summary>Paragraph direction (UAX #9 P2/P3): right to left when the first strong character is.</summary>
    internal static bool IsRightToLeft(string paragraph) => Bidi.ParagraphLevel(paragraph) == 1;

    private static bool IsBreakSpace(char c) => c is ' ' or '\t' or '\u3000';

    /// <summary>
    /// Break segments of text[start, end): a word plus the break spaces after it; every CJK
    /// ideograph, kana or Hangul syllable stands alone, except that opening brackets stay with
    /// the ideograph after them and closing punctuation, "、。", small kana and the prolonged
    /// sound mark stay with the ideograph before them (they may not start a line).
    /// </summary>
    private static List<Seg> Segment(string text, int start, int end)
    {
        var segs = new List<Seg>();
        int wordStart = start;
        bool afterIdeograph = false; // the last segment ends in an ideograph and no word has started since
        int i = start;
        while (i < end)
        {
            if (IsBreakSpace(text[i]))
            {
                int s = i;
                while (i < end && IsBreakSpace(text[i])) i++;
                if (wordStart == s && afterIdeograph)
                    segs[^1] = segs[^1] with { Spaces = i - s }; // spaces after an ideograph belong to it
                else
                    segs.Add(new Seg(wordStart, s - wordStart, i - s));
                wordStart = i;
                afterIdeograph = false;
                continue;
            }
            int len = Math.Max(1, StringInfo.GetNextTextElementLength(text.AsSpan(i, end - i)));
            int cp = CharExtensions.FirstCodepoint(text.AsSpan(i, len));
            if (wordStart == i && afterIdeograph && IsNoBreakBefore(cp))
            {
                segs[^1] = segs[^1] with { Length = segs[^1].Length + len };
                i += len;
                wordStart = i;
                continue;
            }
            if (IsIdeographic(cp))
            {
                int segStart = i;
                if (wordStart < i)
                {
                    if (IsAllOpeningPunctuation(text.AsSpan(wordStart, i - wordStart))) segStart = wordStart;
                    else segs.Add(new Seg(wordStart, i - wordStart, 0));
                }
                segs.Add(new Seg(segStart, i + len - segStart, 0));
                i += len;
                wordStart = i;
                afterIdeograph = true;
                continue;
            }
            afterIdeograph = false;
            i += len;
        }
        if (wordStart < end || segs.Count == 0) segs.Add(new Seg(wordStart, end - wordStart, 0));
        return segs;
    }

    private static bool IsIdeographic(int cp) =>
        cp is (>= 0x3040 and <= 0x30FF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF)
            or (>= 0xAC00 and <= 0xD7AF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x2FFFF);

    /// <summary>Characters that may not start a line after an ideograph (UAX #14 CL, CP, EX, IS, NS, CJ, approximately).</summary>
    private static bool IsNoBreakBefore(int cp) =>
        CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.ClosePunctuation or UnicodeCategory.FinalQuotePunctuation
        || cp is '!' or ',' or '.' or ':' or ';' or '?' or 0x2026 or 0x203C or (>= 0x2047 and <= 0x2049)
            or 0x3001 or 0x3002 or 0x3005 or 0x301C or 0x303B or 0x309D or 0x309E or 0x30A0 or 0x30FB or 0x30FC or 0x30FD or 0x30FE
            or 0x3041 or 0x3043 or 0x3045 or 0x3047 or 0x3049 or 0x3063 or 0x3083 or 0x3085 or 0x3087 or 0x308E or 0x3095 or 0x3096
            or 0x30A1 or 0x30A3 or 0x30A5 or 0x30A7 or 0x30A9 or 0x30C3 or 0x30E3 or 0x30E5 or 0x30E7 or 0x30EE or 0x30F5 or 0x30F6
            or (>= 0x31F0 and <= 0x31FF)
            or 0xFF01 or 0xFF0C or 0xFF0E or 0xFF1A or 0xFF1B or 0xFF1F or 0xFF5E or 0xFF61 or 0xFF64;

    private static bool IsAllOpeningPunctuation(ReadOnlySpan<char> s)
    {
        foreach (var rune in s.EnumerateRunes())
            if (Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.OpenPunctuation or UnicodeCategory.InitialQuotePunctuation)) return false;
        return true;
    }
}

internal static class CharExtensions
{
    public static int FirstCodepoint(ReadOnlySpan<char> s) =>
        !s.IsEmpty && Rune.DecodeFromUtf16(s, out var rune, out _) == System.Buffers.OperationStatus.Done ? rune.Value : 0xFFFD;
}
