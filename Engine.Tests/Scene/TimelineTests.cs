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

    [Test]
    public void Starts_snap_to_the_frame_grid_so_each_voice_starts_on_its_bubbles_first_frame()
    {
        // Clip lengths that are not whole frames: unsnapped, message 1 would start at 1523.4 ms,
        // between frames 45 (1500 ms) and 46 (1533.3 ms), and its voice would lead the bubble by 10 ms.
        var messages = new[]
        {
            new MessageSpec("one", Sender.Them, 1.0234),
            new MessageSpec("two", Sender.Me, 0.7771),
            new MessageSpec("three", Sender.Them, 1.3333),
        };
        var anim = new AnimationSpec(MessageAnimation.Pop, 300, BaseDelayMs: 510, MessageDelayMs: 0);
        var unsnapped = Timeline.Compute(messages, anim);
        Assert.That(unsnapped[1].StartMs, Is.EqualTo(510 + 1023.4).Within(1e-9));
        foreach (int fps in new[] { 24, 25, 30, 60 })
        {
            var t = Timeline.Compute(messages, anim, fps: fps);
            double frameMs = 1000.0 / fps;
            for (int i = 0; i < t.Count; i++)
            {
                double k = Math.Round(t[i].StartMs / frameMs);
                // Exactly frame k's time as the renderer computes it (Scene.FrameTimeMs), and the
                // voice's first sample (round(ms * 48)) is exactly the frame's first audio sample.
                Assert.That(t[i].StartMs, Is.EqualTo(k * 1000.0 / fps), $"message {i} at {fps} fps");
                Assert.That(ReelSpeed.Engine.Audio.AudioMix.ToSamples(t[i].StartMs), Is.EqualTo((long)k * 48000 / fps), $"message {i} at {fps} fps");
                Assert.That(Math.Abs(t[i].StartMs - (i == 0 ? 510 : t[i - 1].StartMs + t[i - 1].HoldMs)), Is.LessThanOrEqualTo(frameMs / 2 + 1e-9));
            }
        }
        // Through a scene: the result timeline gives the snapped times, and each voice clip starts there.
        var scene = TestSupport.Scene("""
            { "videoSettings": { "fps": 30 }, "animationSettings": { "baseDelay": 510, "messageDelay": 0 },
              "messages": [ { "text": "a", "sender": "me", "audioDuration": 1.0234 }, { "text": "b", "sender": "them", "audioDuration": 0.5 } ] }
            """);
        var timeline = scene.Chat!.Timeline;
        Assert.That(timeline[1].StartMs, Is.EqualTo(46 * 1000.0 / 30));
        Assert.That(scene.FrameTimeMs(46), Is.EqualTo(timeline[1].StartMs));
        Assert.That(scene.Chat.Bubbles[1].Animation.Evaluate(scene.FrameTimeMs(45)).Visible, Is.False);
        Assert.That(scene.Chat.Bubbles[1].Animation.Evaluate(scene.FrameTimeMs(46)).Visible, Is.True);
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
