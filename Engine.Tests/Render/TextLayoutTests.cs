using System.Globalization;
using NUnit.Framework;
using ReelSpeed.Engine.Text;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Render;

public class TextLayoutTests
{
    private static readonly FontChain Fonts = FontChain.Default;
    private static readonly TextLayoutEngine Engine = new(Fonts);

    private static IReadOnlyList<GlyphRun> Runs(string text, List<int>? missing = null)
    {
        var block = Engine.Layout(text, 40, 10_000, cp => missing?.Add(cp));
        return block.Lines.SelectMany(l => l.Runs.Select(r => r.Run)).ToList();
    }

    [Test]
    public void The_chain_has_a_text_face_and_colour_emoji()
    {
        Assert.That(Fonts.Primary.Name, Does.StartWith("NotoSans"));
        Assert.That(Fonts.Emoji, Is.Not.Null);
        Assert.That(Fonts.Faces.Count, Is.GreaterThanOrEqualTo(3));
    }

    [Test]
    public void Emoji_go_to_the_colour_emoji_face_and_text_to_the_primary()
    {
        var runs = Runs("Hi 😀 there");
        Assert.That(runs.Select(r => r.Face.IsColorEmoji), Is.EqualTo(new[] { false, true, false }));
    }

    [TestCase("👨‍👩‍👧‍👦", TestName = "ZWJ family")]
    [TestCase("🇯🇵", TestName = "Flag")]
    [TestCase("👍🏽", TestName = "Skin tone")]
    [TestCase("❤️", TestName = "VS16 heart")]
    [TestCase("1️⃣", TestName = "Keycap")]
    public void Emoji_sequences_shape_to_a_single_colour_glyph(string emoji)
    {
        var runs = Runs(emoji);
        Assert.That(runs, Has.Count.EqualTo(1));
        Assert.That(runs[0].Face.IsColorEmoji, Is.True);
        Assert.That(runs[0].Glyphs, Has.Length.EqualTo(1), "HarfBuzz ligated the sequence");
        Assert.That(runs[0].Glyphs[0], Is.Not.Zero, "not .notdef");
    }

    [Test]
    public void Text_is_shaped_not_mapped_character_by_character()
    {
        // Normalisation: a decomposed é (e + combining acute) shapes to the precomposed glyph.
        Assert.That(Runs("cafe\u0301").Single().Glyphs, Is.EqualTo(Runs("café").Single().Glyphs));
        // Arabic joining: BEH takes a different (initial) form when followed by another letter.
        var isolated = Runs("ب").Single().Glyphs[0];
        var joined = Runs("بب").Single().Glyphs;
        Assert.That(joined, Has.Length.EqualTo(2));
        Assert.That(joined, Has.None.EqualTo(isolated));
    }

    [TestCase("مرحبا", true)]
    [TestCase("שלום", true)]
    [TestCase("नमस्ते", false)]
    public void Other_scripts_fall_back_to_a_face_that_has_them(string text, bool rtl)
    {
        var missing = new List<int>();
        var runs = Runs(text, missing);
        Assert.That(missing, Is.Empty);
        Assert.That(runs.All(r => r.Glyphs.All(g => g != 0)));
        Assert.That(TextLayoutEngine.IsRightToLeft(text), Is.EqualTo(rtl));
    }

    [Test]
    public void A_glyph_no_font_has_is_reported()
    {
        var missing = new List<int>();
        Runs("a\U000F0000b", missing); // private-use plane: in no font
        Assert.That(missing, Is.EqualTo(new[] { 0xF0000 }));
    }

    [Test]
    public void Wrapping_never_exceeds_the_width_and_keeps_every_word()
    {
        const string text = "the quick brown fox jumps over the lazy dog and keeps running far away";
        var block = Engine.Layout(text, 40, 300);
        Assert.That(block.Lines.Count, Is.GreaterThan(2));
        Assert.That(block.Lines.All(l => l.Width <= 300));
        int glyphs = block.Lines.Sum(l => l.Runs.Sum(r => r.Run.Glyphs.Length));
        Assert.That(glyphs, Is.EqualTo(text.Replace(" ", "").Length));
    }

    // ---- scripts ------------------------------------------------------------------------

    [TestCase("Ça déjà vu — naïve façade, Øre, Łódź, Đặng, ñandú", TestName = "Latin with accents")]
    [TestCase("Привет, как дела? Ёлка и щётка", TestName = "Cyrillic")]
    [TestCase("Καλημέρα κόσμε, τι κάνεις;", TestName = "Greek")]
    [TestCase("你好，世界！我们明天见。", TestName = "Chinese")]
    [TestCase("こんにちは、カタカナとひらがな。ちょっと待って", TestName = "Japanese kana and kanji")]
    [TestCase("안녕하세요, 반갑습니다!", TestName = "Korean Hangul")]
    [TestCase("مرحبا بالعالم، كيف حالك؟", TestName = "Arabic")]
    [TestCase("שלום עולם, מה נשמע?", TestName = "Hebrew")]
    [TestCase("नमस्ते दुनिया, क्षत्रिय", TestName = "Devanagari")]
    [TestCase("สวัสดีชาวโลก ขอบคุณครับ", TestName = "Thai")]
    [TestCase("你好👨‍👩‍👧‍👦世界🇯🇵 안녕👍🏽", TestName = "Emoji inside CJK")]
    [TestCase("שלום 👍🏽 مرحبا 🇮🇱 👨‍👩‍👧‍👦", TestName = "Emoji inside RTL")]
    public void Every_script_renders_without_missing_glyphs(string text)
    {
        var missing = new List<int>();
        var block = Engine.Layout(text, 40, 400, cp => missing.Add(cp));
        Assert.That(missing, Is.Empty, "no codepoint without a font (no warning)");
        var runs = block.Lines.SelectMany(l => l.Runs).Select(r => r.Run).ToList();
        Assert.That(runs.SelectMany(r => r.Glyphs), Has.None.Zero, "no .notdef glyph");
        // Each emoji grapheme is exactly one colour glyph.
        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext())
        {
            var g = (string)e.Current;
            if (!char.IsSurrogate(g[0])) continue;
            var glyphs = runs.SelectMany(r => r.Clusters.Select((c, i) => (c, r))).Where(x => x.c == e.ElementIndex).ToList();
            if (g.Length <= 2 && !glyphs.Any(x => x.r.Face.IsColorEmoji)) continue; // a supplementary-plane letter, not an emoji
            Assert.That(glyphs, Has.Count.EqualTo(1), $"'{g}' is one glyph");
            Assert.That(glyphs[0].r.Face.IsColorEmoji, Is.True);
        }
    }

    [TestCase("क्षत्रिय")]
    [TestCase("श्री")]
    [TestCase("द्ध")]
    public void Devanagari_conjuncts_shape_to_fewer_glyphs_than_codepoints(string word)
    {
        var run = Runs(word).Single();
        Assert.That(run.Face.Name, Does.Contain("Devanagari"));
        Assert.That(run.Glyphs.Length, Is.LessThan(word.EnumerateRunes().Count()));
        Assert.That(run.Glyphs, Has.None.Zero);
    }

    [Test]
    public void Thai_marks_stack_on_their_base()
    {
        var run = Runs("ที่นี่").Single();
        Assert.That(run.Face.Name, Does.Contain("Thai"));
        Assert.That(run.Glyphs, Has.None.Zero);
        // Tone marks and vowels above have no advance of their own.
        Assert.That(run.Width, Is.LessThan(Runs("ทน").Single().Width * 2));
    }

    // ---- CJK ----------------------------------------------------------------------------

    [Test]
    public void The_CJK_face_is_the_Simplified_Chinese_face_of_the_Noto_collection()
    {
        var cjk = Fonts.Cjk;
        Assert.That(cjk, Is.Not.Null, "fonts-noto-cjk is installed (scripts/setup-system.sh)");
        Assert.That(cjk!.Typeface.FamilyName, Is.EqualTo("Noto Sans CJK SC"));
        Assert.That(cjk.Path, Does.EndWith(".ttc"));
        Assert.That(cjk.FaceIndex, Is.GreaterThan(0), "not the collection's first (JP) face");
        foreach (var text in new[] { "你好", "ひらがな", "한국어" })
            Assert.That(Runs(text).Select(r => r.Face), Is.All.SameAs(cjk), text);
    }

    [Test]
    public void Japanese_text_gets_Japanese_glyph_forms()
    {
        // 直 differs between Chinese and Japanese; a paragraph with kana is shaped as Japanese.
        ushort Glyph(string text) => Runs(text).First(r => r.Clusters.Contains(text.IndexOf('直'))).Glyphs[0];
        Assert.That(Glyph("直す"), Is.Not.EqualTo(Glyph("直接")));
    }

    private static string LineStartChar(string text, TextLine line)
    {
        int first = line.Runs.SelectMany(r => r.Run.Clusters).Min();
        return text.Substring(first, 1);
    }

    [Test]
    public void CJK_wraps_between_ideographs_but_never_before_closing_punctuation_or_small_kana()
    {
        const string chinese = "我们明天去公园散步，好吗？天气很好。「你觉得呢」、我觉得不错！";
        const string japanese = "ちょっと待ってください。東京タワーへ行きましょう、きっと楽しいです。";
        const string forbidden = "，。？！、」ょっぁぃぅぇぉゃゅーァィッャュョ";
        foreach (var text in new[] { chinese, japanese })
        {
            int glyphs = -1;
            for (float width = 130; width < 700; width += 13) // from the widest unbreakable cluster ("呢」、", 3 ideographs)
            {
                var block = Engine.Layout(text, 40, width);
                Assert.That(block.Lines.All(l => l.Width <= width || l.Runs.Count == 1), $"{width}: lines fit");
                foreach (var line in block.Lines.Skip(1))
                    Assert.That(forbidden, Does.Not.Contain(LineStartChar(text, line)),
                        $"width {width}: a line starts with a character that may not: " + string.Join(" | ", block.Lines.Select(l => string.Concat(l.Runs.SelectMany(r => r.Run.Clusters).Distinct().Order().Select(c => text[c])))));
                foreach (var line in block.Lines.Take(block.Lines.Count - 1))
                {
                    int last = line.Runs.SelectMany(r => r.Run.Clusters).Max();
                    Assert.That(text[last], Is.Not.EqualTo('「'), "an opening bracket does not end a line");
                }
                int n = block.GlyphCount;
                if (glyphs >= 0) Assert.That(n, Is.EqualTo(glyphs), "wrapping keeps every glyph");
                glyphs = n;
            }
            Assert.That(Engine.Layout(text, 40, 200).Lines.Count, Is.GreaterThan(3), "CJK wraps without spaces");
        }
    }

    [Test]
    public void Hangul_wraps_between_syllables_and_lines_do_not_start_with_a_space()
    {
        const string text = "안녕하세요 반갑습니다 오늘 날씨가 정말 좋네요";
        for (float width = 120; width < 600; width += 17)
        {
            var block = Engine.Layout(text, 40, width);
            foreach (var line in block.Lines)
            {
                Assert.That(line.Width, Is.LessThanOrEqualTo(width));
                Assert.That(line.Runs[0].X, Is.Zero, "no leading gap");
            }
            Assert.That(block.GlyphCount, Is.EqualTo(text.Replace(" ", "").Length));
        }
    }

    // ---- custom fonts -------------------------------------------------------------------

    private static string CustomFontFile()
    {
        var source = new[] { "DejaVuSerif.ttf", "DejaVuSans-Bold.ttf" }
            .SelectMany(f => FontChain.SearchDirectories().Select(d => Path.Combine(d, f)))
            .FirstOrDefault(File.Exists);
        Assert.That(source, Is.Not.Null, "a DejaVu font to use as a custom font (fonts-dejavu-core)");
        var copy = Path.Combine(Path.GetTempPath(), $"reelspeed-custom-{Guid.NewGuid():N}.ttf");
        File.Copy(source!, copy);
        return copy;
    }

    [Test]
    public void A_custom_font_is_used_for_what_it_covers_and_the_default_chain_for_the_rest()
    {
        var path = CustomFontFile();
        try
        {
            using (var chain = Fonts.WithCustomFonts(new[] { ("Brand", path) }))
            {
                Assert.That(chain.Primary.Name, Is.EqualTo("Brand"));
                Assert.That(chain.Faces[0], Is.SameAs(chain.Primary));
                Assert.That(chain.Faces.Skip(1), Is.EqualTo(Fonts.Faces), "then the default chain, shared");
                Assert.That(chain.Emoji, Is.SameAs(Fonts.Emoji));

                var missing = new List<int>();
                var block = new TextLayoutEngine(chain).Layout("Hello 😀 नमस्ते 你好", 40, 10_000, cp => missing.Add(cp));
                Assert.That(missing, Is.Empty);
                var runs = block.Lines.SelectMany(l => l.Runs).Select(r => r.Run).ToList();
                Assert.That(runs[0].Face.Name, Is.EqualTo("Brand"), "Latin in the custom font");
                Assert.That(runs[1].Face, Is.SameAs(Fonts.Emoji));
                Assert.That(runs[2].Face.Name, Does.Contain("Devanagari"));
                Assert.That(runs[3].Face, Is.SameAs(Fonts.Cjk));
                Assert.That(runs.SelectMany(r => r.Glyphs), Has.None.Zero);
                Assert.That(runs[0].Width, Is.Not.EqualTo(Runs("Hello")[0].Width).Within(0.01f), "a different font than the default");
            }
            // Disposing the custom chain closed only its own face: the default chain still works.
            Assert.That(Runs("Hello 😀").Select(r => r.Glyphs.All(g => g != 0)), Is.All.True);
            Assert.That(Fonts.Emoji!.Covers(0x1F600), Is.True);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_missing_custom_font_file_is_a_coded_error_naming_the_entry()
    {
        var good = CustomFontFile();
        var missing = Path.Combine(Path.GetTempPath(), "reelspeed-no-such-font.ttf");
        try
        {
            // The first entry opens fine and is closed again when the second fails.
            var ex = Assert.Throws<EngineException>(() => Fonts.WithCustomFonts(new[] { ("A", good), ("B", missing) }))!;
            Assert.That(ex.Code, Is.EqualTo(ErrorCodes.InputNotFound));
            Assert.That(ex.Message, Does.StartWith("fonts[1].path: file not found: ").And.Contain(missing));
        }
        finally
        {
            File.Delete(good);
        }
    }

    [Test]
    public void A_file_that_is_not_a_font_is_unsupported_media()
    {
        var path = Path.Combine(Path.GetTempPath(), $"reelspeed-not-a-font-{Guid.NewGuid():N}.ttf");
        File.WriteAllText(path, "this is not a font");
        try
        {
            var ex = Assert.Throws<EngineException>(() => Fonts.WithCustomFonts(new[] { ("X", path) }))!;
            Assert.That(ex.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
            Assert.That(ex.Message, Does.StartWith("fonts[0].path: "));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
