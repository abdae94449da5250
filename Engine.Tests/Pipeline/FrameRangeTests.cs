using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>A job renders any range of a scene's frames: the frames of the whole render, and the soundtrack's matching span.</summary>
public class FrameRangeTests : TempDirTest
{
    [Test]
    public void A_frame_range_renders_exactly_those_frames_as_the_whole_render_shows_them()
    {
        using var scene = TestSupport.Scene(TestSupport.SmallStory("360x640", duration: 2));
        var whole = RenderJob.Run(scene, Path.Combine(_dir, "whole.mp4"));
        var progress = new List<RenderProgress>();
        var tracker = new ProgressTracker(progress.Add, 15);
        var part = new RenderJob(scene, Path.Combine(_dir, "part.mp4"), new JobOptions { Range = new FrameRange(20, 35) }).Run(tracker.Root, default);
        tracker.Done();

        Assert.That(part.Frames, Is.EqualTo(15));
        Assert.That(part.DurationMs, Is.EqualTo(500).Within(1e-6));
        var info = MediaProbe.Probe(part.OutputPath);
        var video = info.Streams.Single(s => s.Type == "video");
        var audio = info.Streams.Single(s => s.Type == "audio");
        Assert.That(video.Frames, Is.EqualTo(15));
        Assert.That(audio.DurationSeconds, Is.EqualTo(0.5).Within(0.03), "the audio of those frames only");
        foreach (int k in new[] { 0, 7, 14 })
        {
            // ffmpeg's -ss keeps the first frame at or after the time: aim just before each frame's start.
            using var a = Pixels.DecodeFrame(part.OutputPath, Math.Max(0, (k - 0.4) / 30));
            using var b = Pixels.DecodeFrame(whole.OutputPath, (20 + k - 0.4) / 30);
            Assert.That(Pixels.Ssim(a, b), Is.GreaterThan(0.99), $"frame {20 + k}");
        }
        Assert.That(progress.Select(p => p.Frame), Is.Ordered);
        Assert.That(progress[^1].Percent, Is.EqualTo(100));
    }

    [TestCase(-1, 10)]
    [TestCase(10, 10)]
    [TestCase(0, 61)]
    public void A_range_outside_the_scene_is_refused(int start, int end)
    {
        using var scene = TestSupport.Scene(TestSupport.SmallStory("360x640", duration: 2));
        var job = new RenderJob(scene, Path.Combine(_dir, "x.mp4"), new JobOptions { Range = new FrameRange(start, end) });
        var e = Assert.Throws<EngineException>(() => job.Run(ProgressTracker.None.Root, default))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InvalidConfig));
        Assert.That(Directory.GetFiles(_dir), Is.Empty, "nothing written");
    }

    [Test]
    public void Progress_of_two_passes_and_a_retry_runs_on_one_bar()
    {
        var reports = new List<RenderProgress>();
        var tracker = new ProgressTracker(reports.Add, 100);
        var job = tracker.Root.Part(0, 0.8);
        job.Part(0, 0.5).Frames("pass-1", 10, 10);
        job.Stage("analyze-audio");
        job.Part(0.5, 1).Frames("encode", 5, 10);
        tracker.Root.Part(0.8, 1, "-retry1").Frames("encode", 10, 10);
        tracker.Done();
        Assert.That(reports.Select(r => (r.Frame, r.Stage)), Is.EqualTo(new[]
        {
            (40, "pass-1"), (40, "analyze-audio"), (60, "encode"), (100, "encode-retry1"), (100, "done"),
        }));
    }
}
