using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>Stream facts, timestamps and seeking of the sequential <see cref="VideoDecoder"/>.</summary>
public class VideoDecoderTests
{
    private string _dir = "";
    private string _short = "", _long = "";

    [OneTimeSetUp]
    public void MakeFixtures()
    {
        _dir = TestSupport.TempDir();
        _short = VideoFixtures.Numbered(Path.Combine(_dir, "n25.mp4"), 25, 1, VideoFixtures.H264Lossless);
        // Keyframes exactly every second (no scene-cut keyframes); Matroska indexes them by pts.
        _long = VideoFixtures.Numbered(Path.Combine(_dir, "long.mkv"), 30, 4,
            new[] { "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", "-g", "30", "-sc_threshold", "0" });
    }

    [OneTimeTearDown]
    public void RemoveFixtures() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Stream_facts_come_from_the_stream()
    {
        using var decoder = new VideoDecoder(_short, "bg");
        Assert.Multiple(() =>
        {
            Assert.That(decoder.FullPath, Is.EqualTo(_short));
            Assert.That((decoder.Width, decoder.Height), Is.EqualTo((160, 284)));
            Assert.That(decoder.FrameRate, Is.EqualTo(25));
            Assert.That(decoder.TimeBase.ToDouble(), Is.GreaterThan(0).And.LessThanOrEqualTo(1 / 25.0));
            Assert.That(decoder.FrameCount, Is.EqualTo(25));
            Assert.That(decoder.DurationMs, Is.EqualTo(1000));
        });
    }

    [Test]
    public void Frames_come_in_presentation_order_with_times_from_the_stream_start()
    {
        using var decoder = new VideoDecoder(_short, "bg");
        using var frame = AvFrameHandle.Alloc();
        var times = new List<double>();
        while (decoder.ReadFrame(frame, out double ms)) times.Add(ms);
        Assert.That(times, Is.EqualTo(Enumerable.Range(0, 25).Select(i => i * 40.0)));
        Assert.That(decoder.ReadFrame(frame, out _), Is.False, "stays at the end");
    }

    [Test]
    public void Seeking_lands_on_the_keyframe_at_or_before_the_target_and_decodes_forward()
    {
        using var decoder = new VideoDecoder(_long, "bg");
        using var frame = AvFrameHandle.Alloc();
        Assert.That(decoder.DurationMs, Is.EqualTo(4000).Within(1));
        foreach (var target in new[] { 2500.0, 500, 3990, 0, 1000 })
        {
            decoder.SeekTo(target);
            Assert.That(decoder.ReadFrame(frame, out double first), Is.True);
            double keyframe = Math.Floor(target / 1000) * 1000; // -g 30 at 30 fps: a keyframe every second
            Assert.That(first, Is.EqualTo(keyframe).Within(1), $"first frame after seeking to {target}");
            Assert.That(decoder.KeyframeAtOrBeforeMs(target), Is.EqualTo(keyframe).Within(1));
            double shown = first;
            while (decoder.ReadFrame(frame, out double next) && next <= target)
            {
                Assert.That(next, Is.GreaterThan(shown));
                shown = next;
            }
            // Matroska keeps milliseconds: frame n is at round(n * 1000 / 30).
            Assert.That(shown, Is.EqualTo(Math.Round(Math.Floor(target * 30 / 1000) * 1000 / 30)), $"decoded forward to {target}");
        }
    }

    [Test]
    public void A_directory_is_unsupported_media()
    {
        var e = Assert.Throws<EngineException>(() => new VideoDecoder(_dir, "bg"))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
    }
}
