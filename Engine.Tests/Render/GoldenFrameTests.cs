using NUnit.Framework;
using ReelSpeed.Engine.Render;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Render;

/// <summary>
/// One reference frame per template at a fixed time: mid-story, after the conversation has
/// scrolled, with the newest bubble half-way through its slide. Covers emoji (ZWJ, flags,
/// skin tones), Hebrew/Arabic fallback, a broken long word and the top fade.
/// </summary>
public class GoldenFrameTests
{
    /// <summary>Antialiasing may differ by a step or two between CPUs' Skia code paths, nothing more.</summary>
    private const int ChannelTolerance = 3;
    private const double MaxDifferentFraction = 0.0005;
    private const double TimeMs = 8650;

    internal static string GoldenStory(string template) => $$"""
        {
          "videoSettings": { "resolution": "1080x1920", "fps": 30 },
          "template": "{{template}}",
          "animationSettings": { "messageAnimationType": "slide", "transitionDuration": 300, "baseDelay": 400, "messageDelay": 300 },
          "messages": [
            { "text": "are you still up? 😅", "sender": "them", "audioDuration": 0.6 },
            { "text": "yeah, what's going on", "sender": "me", "audioDuration": 0.6 },
            { "text": "my cat just learned to open the fridge 🐈🧊", "sender": "them", "audioDuration": 0.6 },
            { "text": "no way. video or it didn't happen", "sender": "me", "audioDuration": 0.6 },
            { "text": "the whole family is watching 👨‍👩‍👧‍👦 we might move to 🇯🇵", "sender": "them", "audioDuration": 0.6 },
            { "text": "Unbelievablyunbelievablyunbelievablyunbelievable!!", "sender": "me", "audioDuration": 0.6 },
            { "text": "שלום! مرحبا! 👋🏽", "sender": "them", "audioDuration": 0.6 },
            { "text": "ok I'm coming over ❤️", "sender": "me", "audioDuration": 0.6 },
            { "text": "bring snacks. lots of them. the cat has eaten everything already and is now looking at the dog", "sender": "them", "audioDuration": 0.6 },
            { "text": "on my way 🚗💨", "sender": "me", "audioDuration": 0.6 }
          ]
        }
        """;

    [TestCase("modern-light")]
    [TestCase("modern-dark")]
    public void Template_frame_matches_its_reference(string template)
    {
        var scene = TestSupport.Scene(GoldenStory(template));
        Assert.That(scene.Warnings, Is.Empty);
        var newest = scene.Chat!.Bubbles[^1];
        Assert.That(TimeMs, Is.GreaterThan(newest.Animation.StartMs).And.LessThan(newest.Animation.StartMs + newest.Animation.DurationMs),
            "the golden time catches the newest bubble mid-animation");
        Assert.That(scene.Chat!.Scroll.Evaluate(TimeMs), Is.GreaterThan(0), "the golden time is after the conversation scrolled");

        using var renderer = new FrameRenderer(scene);
        using var frame = renderer.RenderImage(TimeMs);
        var reference = Path.Combine(TestSupport.SourceDir(), "..", "Golden", template + ".png");
        var result = ImageComparer.Compare(frame, reference, ChannelTolerance, MaxDifferentFraction);
        Assert.That(result.Match, Is.True, result.Report);
    }

    [Test]
    public void Rendering_is_deterministic()
    {
        var scene = TestSupport.Scene(GoldenStory("modern-light"));
        using var a = new FrameRenderer(scene);
        using var b = new FrameRenderer(scene);
        using var fa = a.RenderImage(TimeMs);
        using var fb = b.RenderImage(TimeMs);
        using var pa = fa.PeekPixels();
        using var pb = fb.PeekPixels();
        Assert.That(pa.GetPixelSpan().SequenceEqual(pb.GetPixelSpan()), Is.True);
    }

    [Test]
    public void A_bubble_is_drawn_where_the_layout_puts_it_and_only_once_it_appears()
    {
        var scene = TestSupport.Scene("""
            { "colorCustomization": { "receiverBubbleColor": "#FF0000" }, "backgroundSettings": { "backgroundType": "color", "backgroundColor": "#0000FF" },
              "animationSettings": { "messageAnimationType": "none", "baseDelay": 1000 }, "messages": [ { "text": "hi", "sender": "them" } ] }
            """);
        var b = scene.Chat!.Bubbles[0];
        int x = (int)(b.Bounds.Left + 8), y = (int)(scene.Chat!.Viewport.Top + b.Bounds.Top + b.Bounds.Height / 2);
        using var renderer = new FrameRenderer(scene);
        using var before = renderer.RenderImage(999);
        using var after = renderer.RenderImage(1000);
        using var bp = SKBitmap.FromImage(before);
        using var ap = SKBitmap.FromImage(after);
        Assert.That(bp.GetPixel(x, y), Is.EqualTo(new SKColor(0, 0, 255)));
        Assert.That(ap.GetPixel(x, y), Is.EqualTo(new SKColor(255, 0, 0)));
    }
}
