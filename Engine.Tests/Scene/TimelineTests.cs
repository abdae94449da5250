using NUnit.Framework;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Tests.SceneTests;

public class TimelineTests
{
    private static readonly AnimationSpec Anim = new(MessageAnimation.Slide, 300, BaseDelayMs: 500, MessageDelayMs: 250);

    [Test]
    public void Messages_follow_base_delay_hold_and_message_delay()
    {
        var messages = new[]
        {
            new MessageSpec("one", Sender.Them, 1.5),
            new MessageSpec("two", Sender.Me, 2.0),
            new MessageSpec("three", Sender.Them, 0.75),
        };
        var t = Timeline.Compute(messages, Anim);
        Assert.That(t.Select(x => x.StartMs), Is.EqualTo(new[] { 500.0, 500 + 1500 + 250, 500 + 1500 + 250 + 2000 + 250 }));
        Assert.That(t.Select(x => x.HoldMs), Is.EqualTo(new[] { 1500.0, 2000, 750 }));
        Assert.That(t.All(x => x.HoldFromAudio));
        Assert.That(Timeline.DurationMs(t, null), Is.EqualTo(t[^1].EndMs + Timeline.TailMs));
        Assert.That(Timeline.DurationMs(t, 4.25), Is.EqualTo(4250));
    }

    [Test]
    public void Without_audio_the_hold_is_a_reading_time_that_grows_with_length_within_bounds()
    {
        double shortText = Timeline.ReadingTimeMs("ok");
        double medium = Timeline.ReadingTimeMs("this message has a few more words in it");
        double huge = Timeline.ReadingTimeMs(new string('a', 2000));
        Assert.That(shortText, Is.EqualTo(Timeline.ReadingMinMs));
        Assert.That(medium, Is.GreaterThan(shortText).And.LessThan(Timeline.ReadingMaxMs));
        Assert.That(huge, Is.EqualTo(Timeline.ReadingMaxMs));
        // Graphemes, not UTF-16 units: a ZWJ family counts as one character.
        Assert.That(Timeline.ReadingTimeMs(new string('x', 30) + "👨‍👩‍👧‍👦"), Is.EqualTo(Timeline.ReadingTimeMs(new string('x', 31))));

        var t = Timeline.Compute(new[] { new MessageSpec("this message has a few more words in it", Sender.Me, null) }, Anim);
        Assert.That(t[0].HoldMs, Is.EqualTo(medium));
        Assert.That(t[0].HoldFromAudio, Is.False);
    }

    [TestCase(3000, 30, 90)]
    [TestCase(1000, 24, 24)]
    [TestCase(1001, 30, 30)]
    [TestCase(10, 30, 1)]
    public void Frame_count_covers_the_duration(double ms, int fps, int frames)
    {
        Assert.That(Timeline.FrameCount(ms, fps), Is.EqualTo(frames));
    }

    [Test]
    public void Scene_warns_about_messages_after_the_end()
    {
        var scene = TestSupport.Scene("""
            { "videoSettings": { "duration": 1 }, "animationSettings": { "baseDelay": 200 },
              "messages": [ { "text": "a", "sender": "me", "audioDuration": 2 }, { "text": "b", "sender": "them" } ] }
            """);
        Assert.That(scene.Warnings, Has.Some.Contains("messages[1]").And.Some.Contains("after the video ends"));
        Assert.That(scene.FrameCount, Is.EqualTo(30));
    }
}
