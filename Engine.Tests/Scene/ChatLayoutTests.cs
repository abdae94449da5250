using NUnit.Framework;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Tests.SceneTests;

public class ChatLayoutTests
{
    private static string Story(string resolution, params (string Text, string Sender)[] messages) =>
        $$"""
        { "videoSettings": { "resolution": "{{resolution}}" }, "animationSettings": { "messageAnimationType": "slide", "transitionDuration": 300, "baseDelay": 0, "messageDelay": 0 },
          "messages": [ {{string.Join(",", messages.Select(m => $"{{\"text\": \"{m.Text}\", \"sender\": \"{m.Sender}\", \"audioDuration\": 1}}"))}} ] }
        """;

    [TestCase("1080x1920")]
    [TestCase("720x1280")]
    [TestCase("1920x1080")]
    public void Bubbles_stay_in_the_column_with_me_right_and_them_left(string resolution)
    {
        var scene = TestSupport.Scene(Story(resolution, ("a short one", "them"), ("and a reply that is quite a bit longer so that it must wrap onto more than one line", "me")));
        var m = ChatLayout.Measure(scene.Width, scene.Height);
        var them = scene.Chat!.Bubbles[0];
        var me = scene.Chat!.Bubbles[1];
        float margin = ChatLayout.SideMargin * m.Scale;
        Assert.Multiple(() =>
        {
            Assert.That(them.Bounds.Left, Is.EqualTo(m.ColumnLeft + margin).Within(1));
            Assert.That(me.Bounds.Right, Is.EqualTo(m.ColumnLeft + m.ColumnWidth - margin).Within(1));
            Assert.That(me.Bounds.Width, Is.LessThanOrEqualTo(m.ColumnWidth * ChatLayout.MaxBubbleWidthFraction + 1));
            Assert.That(me.TextBlock.Lines.Count, Is.GreaterThan(1), "the long reply wraps");
            Assert.That(me.TextBlock.Lines.Max(l => l.Width), Is.LessThanOrEqualTo(m.MaxTextWidth + 0.5f));
            Assert.That(me.Bounds.Top, Is.GreaterThan(them.Bounds.Bottom), "stacked top-down without overlap");
            Assert.That(them.TextBlock.FontSize, Is.EqualTo(ChatLayout.FontSize * m.Scale).Within(0.01));
        });
    }

    [Test]
    public void Layout_scales_with_resolution()
    {
        var big = TestSupport.Scene(Story("1080x1920", ("same text in both", "them")));
        var small = TestSupport.Scene(Story("720x1280", ("same text in both", "them")));
        double ratio = small.Chat!.Bubbles[0].Bounds.Height / big.Chat!.Bubbles[0].Bounds.Height;
        Assert.That(ratio, Is.EqualTo(720.0 / 1080).Within(0.03));
    }

    [Test]
    public void Words_longer_than_a_line_are_broken()
    {
        string word = new('w', 120);
        var scene = TestSupport.Scene(Story("1080x1920", (word, "me")));
        var m = ChatLayout.Measure(scene.Width, scene.Height);
        var block = scene.Chat!.Bubbles[0].TextBlock;
        Assert.That(block.Lines.Count, Is.GreaterThanOrEqualTo(3));
        Assert.That(block.Lines.All(l => l.Width <= m.MaxTextWidth + 0.5f));
        Assert.That(block.Lines.Sum(l => l.Runs.Sum(r => r.Run.Glyphs.Length)), Is.EqualTo(120), "no character lost");
    }

    [Test]
    public void Explicit_newlines_start_new_lines()
    {
        var scene = TestSupport.Scene(Story("1080x1920", ("one\\ntwo\\nthree", "them")));
        Assert.That(scene.Chat!.Bubbles[0].TextBlock.Lines, Has.Count.EqualTo(3));
    }

    [Test]
    public void The_conversation_scrolls_exactly_enough_to_show_the_newest_bubble()
    {
        var messages = Enumerable.Range(0, 20).Select(i => ($"message number {i} with some words", i % 2 == 0 ? "them" : "me")).ToArray();
        var scene = TestSupport.Scene(Story("1080x1920", messages));
        var viewport = scene.Chat!.Viewport;
        Assert.That(scene.Chat!.Scroll.Evaluate(scene.Chat!.Bubbles[0].Animation.StartMs + 1000), Is.EqualTo(0), "no scroll before overflow");
        var last = scene.Chat!.Bubbles[^1];
        float settled = scene.Chat!.Scroll.Evaluate(last.Animation.StartMs + 5000);
        Assert.That(settled, Is.EqualTo(last.Bounds.Bottom - viewport.Height).Within(0.01));
        // The first bubble that overflows triggers the first scroll.
        var firstOverflow = scene.Chat!.Bubbles.First(b => b.Bounds.Bottom > viewport.Height);
        Assert.That(scene.Chat!.Scroll.Evaluate(firstOverflow.Animation.StartMs - 1), Is.EqualTo(0));
        Assert.That(scene.Chat!.Scroll.Evaluate(firstOverflow.Animation.StartMs + 1000), Is.EqualTo(firstOverflow.Bounds.Bottom - viewport.Height).Within(0.01));
    }

    [Test]
    public void Scrolling_is_smooth_and_never_goes_back()
    {
        var messages = Enumerable.Range(0, 16).Select(i => ($"message {i} that takes a couple of lines to say what it has to say", "them")).ToArray();
        var scene = TestSupport.Scene(Story("1080x1920", messages));
        float prev = 0;
        float maxStep = 0;
        for (int f = 0; f < scene.FrameCount; f++)
        {
            float s = scene.Chat!.Scroll.Evaluate(scene.FrameTimeMs(f));
            Assert.That(s, Is.GreaterThanOrEqualTo(prev - 1e-3f), $"frame {f}");
            maxStep = Math.Max(maxStep, s - prev);
            prev = s;
        }
        // A bubble is ~160 px tall; eased over 300 ms at 30 fps no single frame jumps by a whole bubble.
        Assert.That(maxStep, Is.GreaterThan(0).And.LessThan(scene.Chat!.Bubbles[0].Bounds.Height));
    }

    [Test]
    public void Slide_and_fade_ease_out_and_settle()
    {
        var anim = new BubbleAnimation(MessageAnimation.Slide, 1000, 300, 140);
        Assert.That(anim.Evaluate(999).Visible, Is.False);
        var start = anim.Evaluate(1000);
        var mid = anim.Evaluate(1150);
        Assert.That(start.OffsetX, Is.EqualTo(140).Within(0.01));
        Assert.That(mid.OffsetX, Is.LessThan(140 * 0.5), "ease-out covers most of the way in the first half");
        Assert.That(anim.Evaluate(1300), Is.EqualTo(BubbleState.Settled));
        var fade = new BubbleAnimation(MessageAnimation.Fade, 0, 300, 140);
        Assert.That(fade.Evaluate(0).Opacity, Is.EqualTo(0).Within(1e-6));
        Assert.That(fade.Evaluate(150).Opacity, Is.GreaterThan(0.5f).And.LessThan(1f));
        Assert.That(new BubbleAnimation(MessageAnimation.None, 0, 300, 140).Evaluate(0), Is.EqualTo(BubbleState.Settled));
    }
}
