using NUnit.Framework;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Text;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Render;

/// <summary>
/// The bidi algorithm on its own (classes, levels, reordering; expected orders cross-checked
/// with GNU FriBidi) and through the layout, where visual order is read from glyph clusters and
/// x positions, never from pixels.
/// </summary>
public class BidiTests
{
    private static readonly TextLayoutEngine Engine = new(FontChain.Default);

    [TestCase('a', BidiClass.L)]
    [TestCase('é', BidiClass.L)]
    [TestCase('д', BidiClass.L)]
    [TestCase('λ', BidiClass.L)]
    [TestCase('中', BidiClass.L)]
    [TestCase('क', BidiClass.L)]
    [TestCase('ก', BidiClass.L)]
    [TestCase('א', BidiClass.R)]
    [TestCase('ߊ', BidiClass.R)]   // NKo
    [TestCase('ب', BidiClass.AL)]
    [TestCase('ܐ', BidiClass.AL)]  // Syriac
    [TestCase('ހ', BidiClass.AL)]  // Thaana
    [TestCase('7', BidiClass.EN)]
    [TestCase('۷', BidiClass.EN)]  // extended Arabic-Indic (Persian) digits are European numbers
    [TestCase('٧', BidiClass.AN)]
    [TestCase('+', BidiClass.ES)]
    [TestCase('%', BidiClass.ET)]
    [TestCase('€', BidiClass.ET)]
    [TestCase(',', BidiClass.CS)]
    [TestCase('،', BidiClass.CS)]  // Arabic comma
    [TestCase('\u0301', BidiClass.NSM)]
    [TestCase('\u05B4', BidiClass.NSM)] // Hebrew point
    [TestCase('\u064E', BidiClass.NSM)] // Arabic fatha
    [TestCase('\u200D', BidiClass.BN)]
    [TestCase(' ', BidiClass.WS)]
    [TestCase('\t', BidiClass.S)]
    [TestCase('\n', BidiClass.B)]
    [TestCase('!', BidiClass.ON)]
    [TestCase('(', BidiClass.ON)]
    [TestCase('「', BidiClass.ON)]
    [TestCase('\u200F', BidiClass.R)]   // RLM
    [TestCase('\u2067', BidiClass.ON)]  // RLI: isolates are treated as neutrals
    public void Characters_have_their_bidi_class(char c, BidiClass expected) =>
        Assert.That(Bidi.Classify(c), Is.EqualTo(expected));

    [TestCase(0x1F600, BidiClass.ON)] // emoji
    [TestCase(0x1F3FD, BidiClass.ON)] // skin tone
    [TestCase(0x1F1EF, BidiClass.L)]  // regional indicator
    [TestCase(0x20000, BidiClass.L)]  // CJK extension B
    public void Supplementary_characters_have_their_bidi_class(int cp, BidiClass expected) =>
        Assert.That(Bidi.Classify(cp), Is.EqualTo(expected));

    [TestCase("abc", 0)]
    [TestCase("שלום", 1)]
    [TestCase("مرحبا", 1)]
    [TestCase("123 !? שלום", 1)]
    [TestCase("hello שלום", 0)]
    [TestCase("123 !?", 0)]
    [TestCase("", 0)]
    [TestCase("\u200Fabc", 1)]
    public void The_first_strong_character_sets_the_paragraph_level(string text, int level) =>
        Assert.That(Bidi.ParagraphLevel(text), Is.EqualTo(level));

    // Expected strings are GNU FriBidi's output (visual order, brackets mirrored).
    [TestCase("abc אבג 123", "abc 123 גבא")] // W7/N1/I1: a number after Hebrew belongs to the Hebrew run
    [TestCase("abc אבג abc 123", "abc גבא abc 123")]
    [TestCase("אבג abc 123 דהו", "והד abc 123 גבא")]
    [TestCase("שלום עולם, מה שלומך?", "?ךמולש המ ,םלוע םולש")]
    [TestCase("abc אבג, 12.5% def", "abc 12.5% ,גבא def")]
    [TestCase("(שלום)", "(םולש)")]
    [TestCase("אבג abc (def)", "abc (def) גבא")] // N0: the bracket pair joins the Latin run
    [TestCase("שלום (hello) עולם", "םלוע (hello) םולש")]
    [TestCase("abc (שלום) def", "abc (םולש) def")]
    [TestCase("a+b 1+2 א1+2", "a+b 1+2 1+2א")]
    public void Characters_are_reordered_as_UAX9_says(string logical, string visual)
    {
        var levels = Bidi.ResolveLevels(logical, Bidi.ParagraphLevel(logical));
        var order = Bidi.VisualOrder(levels);
        var chars = order.Select(i => (levels[i] & 1) == 1 ? Mirror(logical[i]) : logical[i]).ToArray();
        Assert.That(new string(chars), Is.EqualTo(visual));
    }

    [Test]
    public void Arabic_digits_after_Arabic_letters_are_Arabic_numbers_and_read_left_to_right()
    {
        const string text = "مرحبا ١٢٣ و 45%";
        var levels = Bidi.ResolveLevels(text, 1);
        Assert.That(levels[text.IndexOf('١')], Is.EqualTo(2));
        Assert.That(levels[text.IndexOf('4')], Is.EqualTo(2)); // W2: EN after AL becomes AN
        Assert.That(levels[text.IndexOf('%')], Is.EqualTo(1)); // so % is not a European terminator here
    }

    [Test]
    public void A_grapheme_is_never_split_across_levels()
    {
        // Keycap: digit (EN) + VS16 + combining keycap; family: emoji joined by ZWJ (BN).
        foreach (var text in new[] { "שלום 1️⃣ עולם", "אבג 👨‍👩‍👧‍👦 דהו", "abc א\u05B4ב def" })
        {
            var levels = Bidi.ResolveLevels(text, Bidi.ParagraphLevel(text));
            var e = System.Globalization.StringInfo.GetTextElementEnumerator(text);
            while (e.MoveNext())
            {
                var g = (string)e.Current;
                for (int k = 1; k < g.Length; k++)
                    Assert.That(levels[e.ElementIndex + k], Is.EqualTo(levels[e.ElementIndex]), $"{text}: grapheme at {e.ElementIndex}");
            }
        }
    }

    [Test]
    public void Visual_order_reverses_from_the_highest_level_down()
    {
        Assert.That(Bidi.VisualOrder(new byte[] { 0, 0, 1, 1, 2, 2, 1, 0 }), Is.EqualTo(new[] { 0, 1, 6, 4, 5, 3, 2, 7 }));
        Assert.That(Bidi.VisualOrder(new byte[] { 1, 1, 1 }), Is.EqualTo(new[] { 2, 1, 0 }));
        Assert.That(Bidi.VisualOrder(new byte[] { 0, 0 }), Is.EqualTo(new[] { 0, 1 }));
    }

    // ---- through the layout -------------------------------------------------------------

    private static TextLine SingleLine(string text)
    {
        var block = Engine.Layout(text, 40, 10_000);
        Assert.That(block.Lines, Has.Count.EqualTo(1));
        return block.Lines[0];
    }

    /// <summary>Every glyph of a line, left to right: its x on the line, its cluster, its run.</summary>
    private static List<(float X, int Cluster, GlyphRun Run, int Index)> Glyphs(TextLine line)
    {
        var list = new List<(float, int, GlyphRun, int)>();
        foreach (var p in line.Runs)
            for (int g = 0; g < p.Run.Glyphs.Length; g++)
                list.Add((p.X + p.Run.Positions[g].X, p.Run.Clusters[g], p.Run, g));
        return list;
    }

    /// <summary>The line's characters in visual order, read from the clusters of its glyphs (spaces are gaps, not glyphs).</summary>
    private static string VisualText(string text, TextLine line)
    {
        var glyphs = Glyphs(line);
        for (int i = 1; i < glyphs.Count; i++)
            Assert.That(glyphs[i].X, Is.GreaterThanOrEqualTo(glyphs[i - 1].X - 0.01f), "runs and glyphs are in visual (left-to-right) order");
        return string.Concat(glyphs.Select(g => text[g.Cluster]));
    }

    [Test]
    public void A_right_to_left_sentence_ends_at_the_visual_left()
    {
        const string text = "שלום עולם, מה שלומך?";
        var line = SingleLine(text);
        Assert.That(line.RightToLeft, Is.True, "RTL paragraphs align right");
        Assert.That(VisualText(text, line), Is.EqualTo("?ךמולשהמ,םלועםולש"));
        var glyphs = Glyphs(line);
        Assert.That(glyphs[0].Cluster, Is.EqualTo(text.IndexOf('?')), "the question mark is leftmost");
        float comma = glyphs.Single(g => g.Cluster == text.IndexOf(',')).X;
        int olamStart = text.IndexOf("עולם", StringComparison.Ordinal);
        Assert.That(glyphs.Where(g => g.Cluster >= olamStart && g.Cluster < olamStart + 4).All(g => g.X > comma), "the comma is left of עולם");
        Assert.That(line.Runs.All(r => r.Run.RightToLeft));
    }

    [Test]
    public void A_number_after_Hebrew_in_a_left_to_right_paragraph_joins_the_Hebrew_run()
    {
        // UAX #9 (W7, N1, I1), as FriBidi and browsers render it: "abc", then "123" reading left
        // to right, then the Hebrew reversed — the number sits between them, not after them.
        const string text = "abc אבג 123";
        var line = SingleLine(text);
        Assert.That(line.RightToLeft, Is.False);
        Assert.That(VisualText(text, line), Is.EqualTo("abc123גבא"));
        // With a Latin word between, the number follows the Hebrew.
        const string other = "abc אבג def 123";
        Assert.That(VisualText(other, SingleLine(other)), Is.EqualTo("abcגבאdef123"));
    }

    [Test]
    public void Latin_and_digits_inside_a_right_to_left_paragraph_read_left_to_right()
    {
        const string text = "אבג abc 123 דהו";
        var line = SingleLine(text);
        Assert.That(line.RightToLeft, Is.True);
        Assert.That(VisualText(text, line), Is.EqualTo("והדabc123גבא"));
        var latin = line.Runs.Where(r => !r.Run.RightToLeft).ToList();
        Assert.That(latin, Is.Not.Empty);
        Assert.That(latin.All(r => r.Run.BidiLevel == 2));
    }

    [Test]
    public void Parentheses_in_right_to_left_text_are_mirrored_by_HarfBuzz()
    {
        const string text = "(שלום)";
        var line = SingleLine(text);
        var glyphs = Glyphs(line);
        using var font = new SKFont(FontChain.Default.Primary.Typeface, 40);
        ushort open = font.GetGlyph('('), close = font.GetGlyph(')');
        Assert.That(open, Is.Not.EqualTo(close));
        // Leftmost: the logical closing parenthesis, drawn as an opening one; rightmost: the reverse.
        Assert.That(glyphs[0].Cluster, Is.EqualTo(5));
        Assert.That(glyphs[0].Run.Glyphs[glyphs[0].Index], Is.EqualTo(open));
        Assert.That(glyphs[^1].Cluster, Is.EqualTo(0));
        Assert.That(glyphs[^1].Run.Glyphs[glyphs[^1].Index], Is.EqualTo(close));
        Assert.That(VisualText(text, line), Is.EqualTo(")םולש("));
    }

    [Test]
    public void A_bracketed_Latin_phrase_in_Hebrew_stays_together()
    {
        const string text = "אבג abc (def)";
        var line = SingleLine(text);
        Assert.That(VisualText(text, line), Is.EqualTo("abc(def)גבא"));
        Assert.That(line.Runs.Where(r => r.Run.Clusters.Contains(text.IndexOf('('))).Single().Run.RightToLeft, Is.False);
    }

    [Test]
    public void Arabic_with_Arabic_Indic_digits()
    {
        const string text = "العدد ١٢٣ فقط";
        var line = SingleLine(text);
        Assert.That(line.RightToLeft, Is.True);
        var glyphs = Glyphs(line);
        Assert.That(glyphs.All(g => g.Run.Glyphs[g.Index] != 0));
        int digits = text.IndexOf('١');
        var digitGlyphs = glyphs.Where(g => g.Cluster >= digits && g.Cluster < digits + 3).ToList();
        Assert.That(digitGlyphs.Select(g => g.Cluster), Is.EqualTo(new[] { digits, digits + 1, digits + 2 }), "digits read left to right");
        Assert.That(digitGlyphs.All(g => !g.Run.RightToLeft));
        float firstWordLeft = glyphs.Where(g => g.Cluster < 5).Min(g => g.X);
        float lastWordRight = glyphs.Where(g => g.Cluster > digits + 3).Max(g => g.X);
        Assert.That(digitGlyphs.Max(g => g.X), Is.LessThan(firstWordLeft), "the first word is rightmost");
        Assert.That(digitGlyphs.Min(g => g.X), Is.GreaterThan(lastWordRight), "the last word is leftmost");
        // Joining survives the split into runs: the first word is shaped right to left in one run.
        var word = glyphs.Where(g => g.Cluster < 5).ToList();
        Assert.That(word.Select(g => g.Run).Distinct().Count(), Is.EqualTo(1));
        Assert.That(word[0].Run.RightToLeft, Is.True);
    }

    [TestCase("שלום 👋🏽 עולם", "👋🏽")]
    [TestCase("אני 👨‍👩‍👧‍👦 אוהב", "👨‍👩‍👧‍👦")]
    [TestCase("נסיעה ל 🇯🇵 מחר", "🇯🇵")]
    [TestCase("مرحبا ❤️ صديقي", "❤️")]
    public void Emoji_in_right_to_left_text_stay_in_place_as_one_colour_glyph(string text, string emoji)
    {
        var line = SingleLine(text);
        var glyphs = Glyphs(line);
        int at = text.IndexOf(emoji, StringComparison.Ordinal);
        var e = glyphs.Where(g => g.Cluster >= at && g.Cluster < at + emoji.Length).ToList();
        Assert.That(e, Has.Count.EqualTo(1), "one glyph");
        Assert.That(e[0].Run.Face.IsColorEmoji, Is.True);
        Assert.That(e[0].Run.Glyphs[e[0].Index], Is.Not.Zero);
        Assert.That(e[0].Cluster, Is.EqualTo(at));
        float before = glyphs.Where(g => g.Cluster < at).Min(g => g.X);   // the words before it are to its right
        float after = glyphs.Where(g => g.Cluster > at + emoji.Length).Max(g => g.X);
        Assert.That(e[0].X, Is.LessThan(before).And.GreaterThan(after));
    }

    [Test]
    public void Right_to_left_lines_wrap_in_logical_order_and_each_reads_from_the_right()
    {
        const string text = "אחת שתיים שלוש ארבע חמש שש שבע שמונה תשע עשר";
        var block = Engine.Layout(text, 40, 260);
        Assert.That(block.Lines.Count, Is.GreaterThan(2));
        int expectedStart = 0;
        foreach (var line in block.Lines)
        {
            Assert.That(line.RightToLeft, Is.True);
            Assert.That(line.Width, Is.LessThanOrEqualTo(260));
            var glyphs = Glyphs(line);
            int lineStart = glyphs.Min(g => g.Cluster);
            Assert.That(lineStart, Is.EqualTo(expectedStart), "lines follow the logical order");
            Assert.That(glyphs[^1].Cluster, Is.EqualTo(lineStart), "the line's first character is rightmost");
            expectedStart = glyphs.Max(g => g.Cluster) + 2; // the next word after the space
        }
    }

    [Test]
    public void Clusters_are_offsets_into_the_original_message_text()
    {
        const string text = "hi 😀\r\nשלום\nok";
        var block = Engine.Layout(text, 40, 10_000);
        Assert.That(block.Lines, Has.Count.EqualTo(3));
        Assert.That(Glyphs(block.Lines[0]).Select(g => g.Cluster), Is.EqualTo(new[] { 0, 1, 3 }));
        Assert.That(Glyphs(block.Lines[1]).Select(g => g.Cluster), Is.EqualTo(new[] { 10, 9, 8, 7 }));
        Assert.That(Glyphs(block.Lines[2]).Select(g => g.Cluster), Is.EqualTo(new[] { 12, 13 }));
    }

    [TestCase("abc אבג 123 def")]
    [TestCase("שלום עולם, מה שלומך? 👋🏽")]
    [TestCase("नमस्ते क्षत्रिय")]
    [TestCase("مرحبا بالعالم ١٢٣")]
    public void Clusters_are_monotonic_within_a_run(string text)
    {
        foreach (var placed in Engine.Layout(text, 40, 10_000).Lines.SelectMany(l => l.Runs))
        {
            var c = placed.Run.Clusters;
            for (int g = 1; g < c.Length; g++)
            {
                if (placed.Run.RightToLeft) Assert.That(c[g], Is.LessThanOrEqualTo(c[g - 1]));
                else Assert.That(c[g], Is.GreaterThanOrEqualTo(c[g - 1]));
            }
            Assert.That(c.All(x => x >= placed.Run.TextStart && x < placed.Run.TextStart + placed.Run.TextLength));
        }
    }

    // ---- typewriter reveal --------------------------------------------------------------

    [Test]
    public void Reveal_shows_glyphs_of_the_first_n_characters_and_right_to_left_text_appears_from_the_right()
    {
        const string text = "abc אבג";
        var block = Engine.Layout(text, 40, 10_000);
        Assert.That(block.GlyphCountRevealed(0), Is.Zero);
        Assert.That(block.GlyphCountRevealed(text.Length), Is.EqualTo(block.GlyphCount));
        int previous = 0;
        for (int n = 0; n <= text.Length; n++)
        {
            int count = block.GlyphCountRevealed(n);
            Assert.That(count, Is.GreaterThanOrEqualTo(previous));
            previous = count;
            foreach (var r in block.Revealed(n))
                for (int g = r.GlyphStart; g < r.GlyphStart + r.GlyphCount; g++)
                    Assert.That(r.Placed.Run.Clusters[g], Is.LessThan(n));
        }
        // 5 characters: "abc", the space, and א — which is the rightmost glyph of the Hebrew run.
        var hebrew = block.Revealed(5).Single(r => r.Placed.Run.RightToLeft);
        Assert.That(hebrew.GlyphCount, Is.EqualTo(1));
        Assert.That(hebrew.GlyphStart, Is.EqualTo(hebrew.Placed.Run.Glyphs.Length - 1));
        Assert.That(hebrew.Placed.Run.Clusters[hebrew.GlyphStart], Is.EqualTo(4));
        Assert.That(block.GlyphCountRevealed(5), Is.EqualTo(4));
    }

    [Test]
    public void A_ZWJ_emoji_is_revealed_whole_once_it_starts()
    {
        const string text = "hi 👨‍👩‍👧‍👦";
        var block = Engine.Layout(text, 40, 10_000);
        Assert.That(block.GlyphCountRevealed(3), Is.EqualTo(2));
        Assert.That(block.GlyphCountRevealed(4), Is.EqualTo(3));
        Assert.That(block.GlyphCountRevealed(text.Length), Is.EqualTo(3));
    }

    [Test]
    public void DrawText_with_a_reveal_length_draws_only_the_revealed_glyphs()
    {
        const string text = "hello שלום";
        var block = Engine.Layout(text, 40, 10_000);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        byte[] Render(int? reveal)
        {
            var info = new SKImageInfo((int)MathF.Ceiling(block.Width) + 4, (int)MathF.Ceiling(block.Height) + 4, SKColorType.Bgra8888, SKAlphaType.Premul);
            using var surface = SKSurface.Create(info);
            surface.Canvas.Clear(SKColors.Transparent);
            if (reveal is int n) TextPainter.DrawText(surface.Canvas, block, 2, 2, paint, n);
            else TextPainter.DrawText(surface.Canvas, block, 2, 2, paint);
            using var image = surface.Snapshot();
            using var pixmap = image.PeekPixels();
            return pixmap.GetPixelSpan().ToArray();
        }
        static int Inked(byte[] px) { int n = 0; for (int i = 3; i < px.Length; i += 4) if (px[i] != 0) n++; return n; }

        var all = Render(null);
        Assert.That(Render(text.Length), Is.EqualTo(all), "revealing everything is the plain draw");
        Assert.That(Inked(Render(0)), Is.Zero);
        int partial = Inked(Render(7)); // "hello ש"
        Assert.That(partial, Is.GreaterThan(Inked(Render(5))).And.LessThan(Inked(all)));
    }

    private static char Mirror(char c) => c switch { '(' => ')', ')' => '(', '[' => ']', ']' => '[', _ => c };
}
