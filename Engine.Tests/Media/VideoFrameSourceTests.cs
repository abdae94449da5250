using NUnit.Framework;
using ReelSpeed.Engine.Media;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// Frame accuracy, looping, seeking, cover fit and codec coverage of the background video
/// source, on tiny numbered fixtures (<see cref="VideoFixtures"/>).
/// </summary>
public class VideoFrameSourceTests
{
    private const int BoxWidth = 160, BoxHeight = 284;
    private string _dir = "";
    private string _mp4At30 = "", _mp4At25 = "";

    [OneTimeSetUp]
    public void MakeFixtures()
    {
        _dir = TestSupport.TempDir();
        _mp4At30 = VideoFixtures.Numbered(Path.Combine(_dir, "n30.mp4"), 30, 1, VideoFixtures.H264Lossless);
        _mp4At25 = VideoFixtures.Numbered(Path.Combine(_dir, "n25.mp4"), 25, 1, VideoFixtures.H264Lossless);
    }

    [OneTimeTearDown]
    public void RemoveFixtures() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void A_30_fps_source_rendered_at_30_fps_shows_each_frame_in_turn_across_loops()
    {
        using var source = new VideoFrameSource(_mp4At30, "background", BoxWidth, BoxHeight);
        Assert.Multiple(() =>
        {
            Assert.That(source.DurationMs, Is.EqualTo(1000).Within(1e-9));
            Assert.That(source.SourceFps, Is.EqualTo(30));
            Assert.That((source.SourceWidth, source.SourceHeight), Is.EqualTo((160, 284)));
        });
        var shown = new List<int>();
        for (int i = 0; i < 75; i++) shown.Add(VideoFixtures.FrameNumber(source.FrameAt(i * 1000.0 / 30)));
        Assert.That(shown, Is.EqualTo(Enumerable.Range(0, 75).Select(i => i % 30)));
        Assert.That(source.SeekCount, Is.EqualTo(2), "sequential playback seeks only where the loop wraps");
    }

    [Test]
    public void A_25_fps_source_rendered_at_30_fps_shows_the_frame_current_at_each_time()
    {
        using var source = new VideoFrameSource(_mp4At25, "background", BoxWidth, BoxHeight);
        Assert.That(source.DurationMs, Is.EqualTo(1000).Within(1e-9));
        Assert.That(source.SourceFps, Is.EqualTo(25));
        var shown = new List<int>();
        for (int i = 0; i < 75; i++) shown.Add(VideoFixtures.FrameNumber(source.FrameAt(i * 1000.0 / 30)));
        Assert.That(shown, Is.EqualTo(Enumerable.Range(0, 75).Select(i => i * 25 / 30 % 25)));
        Assert.That(source.SeekCount, Is.EqualTo(2));
    }

    [Test]
    public void The_first_frame_follows_the_last_when_the_loop_wraps()
    {
        using var source = new VideoFrameSource(_mp4At30, "background", BoxWidth, BoxHeight);
        double d = source.DurationMs;
        Assert.Multiple(() =>
        {
            Assert.That(VideoFixtures.FrameNumber(source.FrameAt(d - 1000.0 / 30)), Is.EqualTo(29));
            Assert.That(VideoFixtures.FrameNumber(source.FrameAt(d - 0.01)), Is.EqualTo(29), "last frame shows until the duration");
            Assert.That(VideoFixtures.FrameNumber(source.FrameAt(d)), Is.EqualTo(0));
            Assert.That(VideoFixtures.FrameNumber(source.FrameAt(d + 1000.0 / 30)), Is.EqualTo(1));
            Assert.That(VideoFixtures.FrameNumber(source.FrameAt(5 * d + 10)), Is.EqualTo(0));
            Assert.That(VideoFixtures.FrameNumber(source.FrameAt(-10)), Is.EqualTo(29), "negative times loop too");
        });
    }

    [Test]
    public void Random_access_seeks_backwards_and_far_ahead_to_the_exact_frame()
    {
        // 4 s with a keyframe every 30 frames and B-frames: seeks land mid-GOP.
        var path = VideoFixtures.Numbered(Path.Combine(_dir, "long.mp4"), 30, 4,
            new[] { "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", "-g", "30", "-bf", "2" });
        using var source = new VideoFrameSource(path, "background", BoxWidth, BoxHeight);
        Assert.That(source.DurationMs, Is.EqualTo(4000).Within(1e-9));
        double[] times = { 100, 3500, 2000, 1999, 50, 3990, 700, 3000, 10, 1010, 1000, 999.9, 2500, 0, 3333.4, 33.4 };
        foreach (var t in times)
        {
            int expected = (int)Math.Floor(t * 30 / 1000) % 120;
            Assert.That(VideoFixtures.FrameNumber(source.FrameAt(t)), Is.EqualTo(expected), $"t = {t} ms");
        }
        int seeksBefore = source.SeekCount;
        source.FrameAt(3600);
        Assert.That(source.SeekCount, Is.GreaterThan(seeksBefore), "jumping from 33 ms to 3.6 s seeks instead of decoding 107 frames");
    }

    [Test]
    public void A_variable_frame_rate_source_is_looked_up_by_timestamp()
    {
        // 20 frames: the first ten 1/15 s apart, the rest 1/30 s apart.
        var path = VideoFixtures.Numbered(Path.Combine(_dir, "vfr.mp4"), 30, 1,
            new[] { "-frames:v", "20", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", "-fps_mode", "passthrough", "-video_track_timescale", "30000" },
            extraFilter: ",setpts='(if(lt(N,10),2*N,10+N))/(30*TB)'");
        static double Pts(int n) => (n < 10 ? 2 * n : 10 + n) * 1000.0 / 30;
        using var source = new VideoFrameSource(path, "background", BoxWidth, BoxHeight);
        Assert.That(source.DurationMs, Is.EqualTo(Pts(19) + 1000.0 / 30).Within(0.01));
        for (int n = 0; n < 20; n++)
        {
            Assert.That(VideoFixtures.FrameNumber(source.FrameAt(Pts(n) + 1)), Is.EqualTo(n), $"just after frame {n}");
            if (n > 0) Assert.That(VideoFixtures.FrameNumber(source.FrameAt(Pts(n) - 1)), Is.EqualTo(n - 1), $"just before frame {n}");
        }
    }

    [TestCase(480, 270, 90, 160, TestName = "A 16:9 source in a 9:16 box shows its middle third")]
    [TestCase(270, 480, 160, 90, TestName = "A 9:16 source in a 16:9 box shows its middle band")]
    public void Cover_fit_fills_the_box_with_the_centre_of_the_source(int width, int height, int boxWidth, int boxHeight)
    {
        // Three bands, red | green | blue, across the long side: only green may remain.
        bool wide = width > height;
        string band(int i, string colour) => wide
            ? $"drawbox=x={i * width / 3}:y=0:w={width / 3}:h={height}:color={colour}:t=fill"
            : $"drawbox=x=0:y={i * height / 3}:w={width}:h={height / 3}:color={colour}:t=fill";
        var path = Path.Combine(_dir, $"bands{width}x{height}.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", $"color=c=red:s={width}x{height}:r=30:d=0.2",
            "-vf", $"{band(1, "0x00FF00")},{band(2, "blue")}", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", path);

        using var source = new VideoFrameSource(path, "background", boxWidth, boxHeight);
        var image = source.FrameAt(0);
        Assert.That((image.Width, image.Height), Is.EqualTo((boxWidth, boxHeight)));
        using var pixmap = image.PeekPixels();
        int notGreen = 0;
        string first = "";
        for (int y = 0; y < boxHeight; y++)
            for (int x = 0; x < boxWidth; x++)
            {
                var c = pixmap.GetPixelColor(x, y);
                if (c.Green > 230 && c.Red < 25 && c.Blue < 25) continue;
                if (notGreen++ == 0) first = $"({x},{y}) = {c}";
            }
        Assert.That(notGreen, Is.Zero, $"pixels not green, first at {first}");
    }

    [Test]
    public void Cover_fit_scales_the_source_to_fill_the_box()
    {
        // A 2x downscale of a frame whose left half is frame 0's grey and right half white:
        // the box's left and right edges must be the respective halves (no letterbox bars).
        var path = Path.Combine(_dir, "halves.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=black:s=320x568:r=30:d=0.2",
            "-vf", "drawbox=x=160:y=0:w=160:h=568:color=white:t=fill", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", path);
        using var source = new VideoFrameSource(path, "background", 160, 284);
        using var pixmap = source.FrameAt(0).PeekPixels();
        Assert.Multiple(() =>
        {
            Assert.That(VideoFixtures.Grey(pixmap, 3, 3), Is.LessThan(10));
            Assert.That(VideoFixtures.Grey(pixmap, 3, 280), Is.LessThan(10));
            Assert.That(VideoFixtures.Grey(pixmap, 156, 3), Is.GreaterThan(245));
            Assert.That(VideoFixtures.Grey(pixmap, 156, 280), Is.GreaterThan(245));
        });
    }

    [TestCase("h264", "mp4", new[] { "-c:v", "libx264", "-crf", "18", "-pix_fmt", "yuv420p" })]
    [TestCase("vp9", "webm", new[] { "-c:v", "libvpx-vp9", "-crf", "20", "-b:v", "0", "-deadline", "realtime", "-cpu-used", "8", "-pix_fmt", "yuv420p" })]
    [TestCase("hevc", "mkv", new[] { "-c:v", "libx265", "-crf", "18", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-x265-params", "log-level=error" })]
    [TestCase("prores", "mov", new[] { "-c:v", "prores_ks", "-profile:v", "0" })]
    [TestCase("av1", "mp4", new[] { "-c:v", "libsvtav1", "-crf", "20", "-preset", "12", "-pix_fmt", "yuv420p" })]
    public void Common_codecs_and_containers_decode_frame_accurately(string codec, string container, string[] codecArgs)
    {
        var path = VideoFixtures.Numbered(Path.Combine(_dir, $"{codec}.{container}"), 30, 0.5, codecArgs);
        var probe = MediaProbe.Probe(path).Streams.Single(s => s.Type == "video");
        Assert.That(probe.Codec, Is.EqualTo(codec));

        using var source = new VideoFrameSource(path, "background", BoxWidth, BoxHeight);
        Assert.That(source.DurationMs, Is.EqualTo(500).Within(1.5), "WebM/Matroska store milliseconds");
        Assert.That(source.SourceFps, Is.EqualTo(30).Within(0.01));
        // Mid-frame times, so containers that round timestamps to milliseconds still agree.
        var shown = new List<int>();
        for (int i = 0; i < 30; i++) shown.Add(VideoFixtures.FrameNumber(source.FrameAt((i + 0.5) * 1000.0 / 30)));
        Assert.That(shown, Is.EqualTo(Enumerable.Range(0, 30).Select(i => i % 15)));
    }

    [TestCase("gif", "gif", new string[0], TestName = "An animated GIF plays as a video (BGRA frames, centisecond times)")]
    [TestCase("h264", "h264", new[] { "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p" }, TestName = "A raw H.264 stream without container timestamps plays")]
    public void Less_common_sources_play_frame_accurately(string codec, string ext, string[] codecArgs)
    {
        var path = VideoFixtures.Numbered(Path.Combine(_dir, $"other.{ext}"), 25, 0.6, codecArgs);
        Assert.That(MediaProbe.Probe(path).Streams.Single(s => s.Type == "video").Codec, Is.EqualTo(codec));
        using var source = new VideoFrameSource(path, "background", BoxWidth, BoxHeight);
        Assert.That(source.DurationMs, Is.EqualTo(600).Within(1));
        var shown = new List<int>();
        for (int i = 0; i < 30; i++) shown.Add(VideoFixtures.FrameNumber(source.FrameAt((i + 0.5) * 40)));
        Assert.That(shown, Is.EqualTo(Enumerable.Range(0, 30).Select(i => i % 15)));
    }

    [Test]
    public void A_paletted_png_opened_as_a_video_is_a_one_frame_loop_in_its_colours()
    {
        // PAL8 frames keep their palette in data[1]; swscale needs it to produce colours.
        var path = Path.Combine(_dir, "still.png");
        // A colour in swscale's fixed 3-3-2 palette, undithered, so the file holds it exactly.
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=0x2448AA:s=64x64,format=rgb24", "-frames:v", "1", "-sws_dither", "none", "-pix_fmt", "pal8", path);
        Assert.That(MediaProbe.Probe(path).Streams.Single().PixelFormat, Is.EqualTo("pal8"));
        using var source = new VideoFrameSource(path, "background", 90, 160);
        Assert.That(source.DurationMs, Is.EqualTo(40).Within(1e-9), "a lone frame lasts 1/25 s");
        foreach (var t in new[] { 0.0, 39, 40, 1234.5 })
        {
            using var pixmap = source.FrameAt(t).PeekPixels();
            var c = pixmap.GetPixelColor(45, 80);
            // Scaling goes through YUV inside swscale: allow its rounding.
            Assert.That(new[] { c.Red - 0x24, c.Green - 0x48, c.Blue - 0xAA }.Select(Math.Abs).Max(), Is.LessThanOrEqualTo(2), $"t = {t}: {c}");
        }
    }

    [Test]
    public void Playback_allocates_nothing_per_frame_in_steady_state()
    {
        using var source = new VideoFrameSource(_mp4At25, "background", BoxWidth, BoxHeight);
        for (int i = 0; i < 40; i++) source.FrameAt(i * 1000.0 / 30); // warm up, through one wrap
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 40; i < 130; i++) source.FrameAt(i * 1000.0 / 30); // three more wraps
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void The_same_image_is_returned_for_every_frame_and_disposal_is_final()
    {
        var source = new VideoFrameSource(_mp4At30, "background", BoxWidth, BoxHeight);
        var first = source.FrameAt(0);
        int firstNumber = VideoFixtures.FrameNumber(first);
        var second = source.FrameAt(500);
        Assert.That(second, Is.SameAs(first));
        Assert.That((firstNumber, VideoFixtures.FrameNumber(second)), Is.EqualTo((0, 15)));
        source.Dispose();
        source.Dispose();
        Assert.Throws<ObjectDisposedException>(() => source.FrameAt(0));
    }

    [Test]
    public void A_missing_file_is_input_not_found_naming_the_field_and_full_path()
    {
        var path = Path.Combine(_dir, "nope.mp4");
        var e = Assert.Throws<EngineException>(() => new VideoFrameSource(path, "backgroundSettings.backgroundUrl", 90, 160))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InputNotFound));
        Assert.That(e.Message, Is.EqualTo($"backgroundSettings.backgroundUrl: file not found: {path}"));
    }

    [Test]
    public void A_text_file_is_unsupported_media()
    {
        var path = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(path, "these are not the frames you are looking for\n");
        var e = Assert.Throws<EngineException>(() => new VideoFrameSource(path, "bg", 90, 160))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
        Assert.That(e.Message, Does.StartWith("bg: ").And.Contain(path));
    }

    [Test]
    public void Empty_and_audio_only_files_are_unsupported_media()
    {
        var empty = Path.Combine(_dir, "empty.mp4");
        File.WriteAllBytes(empty, Array.Empty<byte>());
        var wav = Path.Combine(_dir, "tone.wav");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=0.2", wav);
        var e1 = Assert.Throws<EngineException>(() => new VideoFrameSource(empty, "bg", 90, 160))!;
        var e2 = Assert.Throws<EngineException>(() => new VideoFrameSource(wav, "bg", 90, 160))!;
        Assert.That((e1.Code, e2.Code), Is.EqualTo((ErrorCodes.UnsupportedMedia, ErrorCodes.UnsupportedMedia)));
        Assert.That(e2.Message, Does.Contain("no video stream"));
    }

    [Test]
    public void A_truncated_mp4_is_a_coded_error_not_a_crash()
    {
        // With the index at the front (faststart), the cut leaves packets the index points past:
        // a decode error. Without it, the index itself is lost: not recognisable media.
        var indexFirst = Path.Combine(_dir, "full-faststart.mp4");
        var indexLast = Path.Combine(_dir, "full.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x284:r=30:d=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", indexFirst);
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x284:r=30:d=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", indexLast);
        string Truncate(string path)
        {
            var bytes = File.ReadAllBytes(path);
            var cut = Path.Combine(_dir, "cut-" + Path.GetFileName(path));
            File.WriteAllBytes(cut, bytes.AsSpan(0, bytes.Length / 2).ToArray());
            return cut;
        }
        var e1 = Assert.Throws<EngineException>(() => new VideoFrameSource(Truncate(indexFirst), "bg", 90, 160))!;
        var e2 = Assert.Throws<EngineException>(() => new VideoFrameSource(Truncate(indexLast), "bg", 90, 160))!;
        Assert.That(e1.Code, Is.EqualTo(ErrorCodes.Decode), e1.Message);
        Assert.That(e1.Message, Does.Contain("cut-full-faststart.mp4").And.Contain("truncated"));
        Assert.That(e2.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia), e2.Message);
    }

    [Test]
    public void A_file_corrupt_in_the_middle_decodes_or_fails_with_a_coded_error()
    {
        // Overwrite a stretch of the media data with garbage: whatever the decoder makes of it,
        // the result is frames or an EngineException, never a crash or another exception type.
        var path = Path.Combine(_dir, "corrupt.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x284:r=30:d=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", path);
        var bytes = File.ReadAllBytes(path);
        new Random(7).NextBytes(bytes.AsSpan(bytes.Length / 2, bytes.Length / 8));
        File.WriteAllBytes(path, bytes);
        try
        {
            using var source = new VideoFrameSource(path, "bg", 90, 160);
            for (int i = 0; i < 60; i++) source.FrameAt(i * 1000.0 / 30);
        }
        catch (EngineException e)
        {
            Assert.That(e.Code, Is.AnyOf(ErrorCodes.Decode, ErrorCodes.UnsupportedMedia));
            Assert.That(e.Message, Does.Contain(path));
        }
    }
}
