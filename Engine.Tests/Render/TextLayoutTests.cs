using NUnit.Framework;
using ReelSpeed.Engine.Render.Text;

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
}
