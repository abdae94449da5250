using System.Text.Json;
using NUnit.Framework;
using ReelSpeed.Engine.Scenes;
using ReelSpeed.Engine.Text;

namespace ReelSpeed.Engine.Tests.SceneTests;

/// <summary>
/// The Scene JSON holds everything a second renderer (the browser preview) needs to draw what the
/// engine draws, exactly: glyph positions as the engine's floats, clusters, the sender-side corner
/// radius, the header divider, avatar initials as glyphs, the font settings, every font file.
/// </summary>
public class SceneJsonTests
{
    private const string Story = """
        { "template": "imessage", "chatOverlay": { "contactName": "Alex Morgan", "showHeader": true },
          "animationSettings": { "messageAnimationType": "typewriter", "baseDelay": 0, "messageDelay": 0 },
          "messages": [ { "text": "naïve café, ok? 😀", "sender": "them", "audioDuration": 1 },
                        { "text": "مرحبا بك", "sender": "me", "audioDuration": 1 } ] }
        """;

    [Test]
    public void Glyph_positions_and_clusters_are_the_engines_exactly()
    {
        using var scene = TestSupport.Scene(Story);
        using var doc = JsonDocument.Parse(SceneJson.Write(scene));
        var messages = doc.RootElement.GetProperty("messages");
        bool unrounded = false;
        for (int i = 0; i < scene.Chat!.Bubbles.Count; i++)
        {
            var block = scene.Chat.Bubbles[i].TextBlock;
            var lines = messages[i].GetProperty("textBlock").GetProperty("lines");
            for (int li = 0; li < block.Lines.Count; li++)
            {
                var runs = lines[li].GetProperty("runs");
                for (int ri = 0; ri < block.Lines[li].Runs.Count; ri++)
                {
                    var run = block.Lines[li].Runs[ri].Run;
                    var json = runs[ri];
                    var pos = json.GetProperty("positions").EnumerateArray().Select(p => p.GetSingle()).ToArray();
                    var clusters = json.GetProperty("clusters").EnumerateArray().Select(c => c.GetInt32()).ToArray();
                    Assert.That(pos, Is.EqualTo(run.Positions.SelectMany(p => new[] { p.X, p.Y }).ToArray()), "bit-exact floats");
                    Assert.That(clusters, Is.EqualTo(run.Clusters));
                    Assert.That(json.GetProperty("rtl").GetBoolean(), Is.EqualTo(run.RightToLeft));
                    Assert.That(json.GetProperty("fontSize").GetSingle(), Is.EqualTo(run.FontSize));
                    unrounded |= run.Positions.Any(p => MathF.Round(p.X, 2) != p.X);
                }
            }
        }
        Assert.That(unrounded, Is.True, "some position has more than two decimals, so rounding would have changed it");
        Assert.That(messages[1].GetProperty("textBlock").GetProperty("lines")[0].GetProperty("runs")[0].GetProperty("rtl").GetBoolean(), Is.True);
    }

    [Test]
    public void Radii_divider_initials_font_settings_and_fonts_are_written()
    {
        using var scene = TestSupport.Scene(Story);
        using var doc = JsonDocument.Parse(SceneJson.Write(scene));
        var root = doc.RootElement;
        var header = scene.Chat!.Header!;
        var bubble = scene.Chat.Bubbles[0];
        var m = root.GetProperty("messages")[0];
        Assert.That(m.GetProperty("tailCornerRadius").GetSingle(), Is.EqualTo(bubble.TailCornerRadius));

        var divider = root.GetProperty("header").GetProperty("divider");
        Assert.That(divider.GetProperty("color").GetString(), Is.EqualTo(ReelSpeed.Engine.Config.ColorParser.ToHex(header.Divider)));
        Assert.That(divider.GetProperty("width").GetSingle(), Is.EqualTo(MathF.Max(1, (int)MathF.Ceiling(header.Bounds.Bottom - header.BackgroundTop) / 120f)));

        // The initials as the painter lays them out: the same glyphs at the same place.
        var initials = root.GetProperty("header").GetProperty("avatar").GetProperty("initialsText");
        var layout = AvatarInitials.Layout(header.Initials, header.AvatarRect);
        Assert.That(header.Initials, Is.EqualTo("AM"));
        Assert.That(initials.GetProperty("glyphs").EnumerateArray().Select(g => (ushort)g.GetInt32()).ToArray(), Is.EqualTo(layout.Glyphs));
        Assert.That(layout.Glyphs, Has.None.EqualTo((ushort)0), "the bold face has the letters");
        Assert.That(initials.GetProperty("x").GetSingle() + header.AvatarRect.Left, Is.EqualTo(layout.X).Within(1e-3));
        Assert.That(initials.GetProperty("y").GetSingle() + header.AvatarRect.Top, Is.EqualTo(layout.Baseline).Within(1e-3));
        Assert.That(initials.GetProperty("font").GetString(), Is.EqualTo(Path.GetFileName(FontChain.Default.Bold.Path)));
        Assert.That(initials.GetProperty("hinting").GetString(), Is.EqualTo("normal"));

        var settings = root.GetProperty("fontSettings");
        Assert.That(settings.GetProperty("subpixel").GetBoolean(), Is.True);
        Assert.That(settings.GetProperty("edging").GetString(), Is.EqualTo("antialias"));
        Assert.That(settings.GetProperty("hinting").GetString(), Is.EqualTo("slight"));

        var assets = root.GetProperty("assets").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.That(assets, Does.Contain(FontChain.Default.Bold.Path), "the bold face (header title, initials)");
        Assert.That(assets, Does.Contain(FontChain.Default.Emoji!.Path));
        foreach (var run in header.Title.Lines.SelectMany(l => l.Runs))
            Assert.That(assets, Does.Contain(run.Run.Face.Path), "the header title's fonts");
    }

    [Test]
    public void A_text_overlay_writes_its_box_with_or_without_a_background()
    {
        // A pop entrance scales the overlay about its box's centre: a renderer needs the box even when nothing fills it.
        var config = ReelSpeed.Engine.Config.ProcessingConfigParser.Parse(JsonDocument.Parse("""
            { "video": { "width": 320, "height": 240 },
              "effects": { "transitions": { "enabled": true, "type": "pop", "duration": 400 },
                           "text_overlays": [ { "text": "boxed", "duration": 1, "style": { "backgroundColor": "#000000" } },
                                              { "text": "bare", "duration": 1 } ] } }
            """).RootElement, TestSupport.TempDir(), "");
        using var scene = ProcessingSceneBuilder.Build(config);
        using var doc = JsonDocument.Parse(SceneJson.Write(scene));
        var overlays = doc.RootElement.GetProperty("composition").GetProperty("textOverlays");
        var elements = scene.Composition!.Overlays;
        for (int i = 0; i < 2; i++)
        {
            var rect = overlays[i].GetProperty("backgroundRect");
            Assert.That(rect.GetProperty("x").GetSingle(), Is.EqualTo(elements[i].BackgroundRect.Left));
            Assert.That(rect.GetProperty("width").GetSingle(), Is.EqualTo(elements[i].BackgroundRect.Width));
            Assert.That(overlays[i].GetProperty("entrance").GetProperty("type").GetString(), Is.EqualTo("pop"));
        }
        Assert.That(overlays[0].TryGetProperty("backgroundColor", out _), Is.True);
        Assert.That(overlays[1].TryGetProperty("backgroundColor", out _), Is.False);
    }
}
