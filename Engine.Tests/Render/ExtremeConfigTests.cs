using NUnit.Framework;
using ReelSpeed.Engine.Render;

namespace ReelSpeed.Engine.Tests.Render;

/// <summary>Valid but extreme configs lay out and render without failing.</summary>
public class ExtremeConfigTests
{
    [TestCase("64x64")]
    [TestCase("4096x64")]
    [TestCase("64x4096")]
    [TestCase("2160x3840")]
    public void Tiny_and_huge_frames_render(string resolution)
    {
        var scene = TestSupport.Scene($$"""
            { "videoSettings": { "resolution": "{{resolution}}" },
              "messages": [ { "text": "hello 👋 with a longer line that has to wrap somewhere", "sender": "them" }, { "text": "ok", "sender": "me" } ] }
            """);
        using var renderer = new FrameRenderer(scene);
        using var first = renderer.RenderImage(0);
        using var last = renderer.RenderImage(scene.DurationMs);
        Assert.That((last.Width, last.Height), Is.EqualTo((scene.Width, scene.Height)));
    }

    [Test]
    public void Hundreds_of_long_messages_lay_out_and_scroll()
    {
        var messages = string.Join(",", Enumerable.Range(0, 500).Select(i =>
            $$"""{ "text": "{{new string('x', i % 7 == 0 ? 1900 : 40)}} {{i}} 🎉", "sender": "{{(i % 3 == 0 ? "me" : "them")}}", "audioDuration": 0.1 }"""));
        var scene = TestSupport.Scene($$"""{ "videoSettings": { "resolution": "720x1280" }, "messages": [ {{messages}} ] }""");
        Assert.That(scene.Chat!.Bubbles, Has.Count.EqualTo(500));
        using var renderer = new FrameRenderer(scene);
        using var end = renderer.RenderImage(scene.DurationMs - 1);
        Assert.That(scene.Chat!.Scroll.Evaluate(scene.DurationMs), Is.GreaterThan(100_000));
    }

    [Test]
    public void Whitespace_and_control_characters_do_not_break_layout()
    {
        var scene = TestSupport.Scene("""
            { "messages": [ { "text": "  leading and trailing  ", "sender": "me" }, { "text": "tab\there\u0007bell", "sender": "them" },
                            { "text": "\n\nblank lines\n\n", "sender": "me" } ] }
            """);
        using var renderer = new FrameRenderer(scene);
        using var frame = renderer.RenderImage(scene.DurationMs - 1);
        Assert.That(scene.Chat!.Bubbles.All(b => b.Bounds.Width > 0 && b.Bounds.Height > 0));
    }
}
