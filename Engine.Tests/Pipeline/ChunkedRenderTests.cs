using System.Globalization;
using NUnit.Framework;
using ReelSpeed.Engine.Audio;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// A render split into chunks (any frame ranges), its soundtrack rendered once, and the stitch
/// joining them without re-encoding: the same video as the whole render, frame for frame.
/// </summary>
public class ChunkedRenderTests : TempDirTest
{
    /// <summary>Music under the story (a 440 Hz tone with a 3 Hz tremolo), so the audio has content at every seam.</summary>
    private string Music()
    {
        var path = Path.Combine(_dir, "music.wav");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "aevalsrc='0.4*sin(2*PI*440*t)*(0.6+0.4*sin(2*PI*3*t))':s=44100:d=5", "-ac", "2", path);
        return $$"""
            , "voiceAudioSettings": { "enableAudio": true, "backgroundMusicUrl": "{{path}}" }
            """;
    }

    /// <summary>Per-frame SSIM ("All") of two videos from ffmpeg's ssim filter, in frame order.</summary>
    internal static List<double> FrameSsim(string a, string b, string dir)
    {
        var stats = Path.Combine(dir, $"ssim-{Guid.NewGuid():N}.log");
        TestSupport.Ffmpeg("-i", a, "-i", b, "-lavfi", $"[0:v][1:v]ssim=stats_file={stats}", "-f", "null", "-");
        return File.ReadAllLines(stats)
            .Select(l => l.Split(' ').First(p => p.StartsWith("All:", StringComparison.Ordinal))[4..])
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
    }

    private static (float[] Left, float[] Right, int Count) DecodeAudio(string file, double seconds)
    {
        using var d = new AudioDecoder(file, 48000);
        int n = (int)(48000 * (seconds + 1));
        var l = new float[n];
        var r = new float[n];
        int count = d.Read(l, r);
        return (l, r, count);
    }

    [Test]
    public void Chunks_stitched_with_the_soundtrack_match_the_whole_render_frame_for_frame_with_identical_audio()
    {
        using var scene = TestSupport.Scene(TestSupport.SmallStory("360x640", duration: 3, extra: Music()));
        var whole = RenderJob.Run(scene, Path.Combine(_dir, "whole.mp4"));
        // Uneven chunks, one of a single frame, seams inside GOPs and B-frame runs.
        var ranges = new[] { new FrameRange(0, 37), new FrameRange(37, 38), new FrameRange(38, 71), new FrameRange(71, 90) };
        var segments = new List<string>();
        foreach (var r in ranges)
        {
            var chunk = ChunkedRender.Chunk(scene, r, Path.Combine(_dir, $"chunk-{r.Start}.mp4"), JobOptions.Default, ProgressTracker.None.Root, default);
            Assert.That(chunk.Frames, Is.EqualTo(r.Count));
            Assert.That(chunk.Encoder, Is.EqualTo("libx264"));
            var info = MediaProbe.Probe(chunk.OutputPath);
            Assert.That(info.Streams.Select(s => s.Type), Is.EqualTo(new[] { "video" }), "a chunk holds video only");
            Assert.That(info.Streams[0].Frames, Is.EqualTo(r.Count));
            segments.Add(chunk.OutputPath);
        }
        var audio = ChunkedRender.Soundtrack(scene, Path.Combine(_dir, "audio.mp4"), JobOptions.Default, ProgressTracker.None.Root, default);
        Assert.That(audio.Frames, Is.EqualTo(90));
        var stitched = ChunkStitch.Run(segments, audio.OutputPath, Path.Combine(_dir, "stitched.mp4"), null, default);

        Assert.That(stitched.Frames, Is.EqualTo(whole.Frames));
        Assert.That(stitched.DurationMs, Is.EqualTo(whole.DurationMs).Within(1e-6));
        Assert.That(stitched.Segments, Is.EqualTo(4));
        var a = MediaProbe.Probe(stitched.OutputPath);
        var b = MediaProbe.Probe(whole.OutputPath);
        var av = a.Streams.Single(s => s.Type == "video");
        var bv = b.Streams.Single(s => s.Type == "video");
        Assert.That(av.Frames, Is.EqualTo(bv.Frames));
        Assert.That(av.DurationSeconds, Is.EqualTo(bv.DurationSeconds).Within(1e-3));
        Assert.That(a.Streams.Single(s => s.Type == "audio").DurationSeconds, Is.EqualTo(b.Streams.Single(s => s.Type == "audio").DurationSeconds).Within(1e-3));

        var ssim = FrameSsim(stitched.OutputPath, whole.OutputPath, _dir);
        Assert.That(ssim, Has.Count.EqualTo(90));
        for (int i = 0; i < ssim.Count; i++) Assert.That(ssim[i], Is.GreaterThanOrEqualTo(0.99), $"frame {i}");

        var (l1, r1, n1) = DecodeAudio(stitched.OutputPath, 3);
        var (l2, r2, n2) = DecodeAudio(whole.OutputPath, 3);
        Assert.That(n1, Is.EqualTo(n2));
        Assert.That(n1, Is.GreaterThanOrEqualTo(3 * 48000));
        Assert.That(l1.AsSpan(0, n1).ToArray().Max(), Is.GreaterThan(0.05f), "the music is there");
        Assert.That(l1.AsSpan(0, n1).SequenceEqual(l2.AsSpan(0, n2)) && r1.AsSpan(0, n1).SequenceEqual(r2.AsSpan(0, n2)), "the same samples");
    }

    [Test]
    public void A_display_rotation_goes_from_the_chunks_into_the_stitched_file()
    {
        using var upright = TestSupport.Scene(TestSupport.SmallStory("360x640", duration: 1));
        using var scene = upright.WithEncode(upright.Encode with { DisplayRotation = 90 });
        var a = ChunkedRender.Chunk(scene, new FrameRange(0, 12), Path.Combine(_dir, "a.mp4"), JobOptions.Default, ProgressTracker.None.Root, default);
        var b = ChunkedRender.Chunk(scene, new FrameRange(12, 30), Path.Combine(_dir, "b.mp4"), JobOptions.Default, ProgressTracker.None.Root, default);
        var audio = ChunkedRender.Soundtrack(scene, Path.Combine(_dir, "audio.mp4"), JobOptions.Default, ProgressTracker.None.Root, default);
        var whole = RenderJob.Run(scene, Path.Combine(_dir, "whole.mp4"));
        var stitched = ChunkStitch.Run([a.OutputPath, b.OutputPath], audio.OutputPath, Path.Combine(_dir, "out.mp4"), null, default);
        int Rotation(string f) => MediaProbe.Probe(f).Streams.Single(s => s.Type == "video").Rotation;
        Assert.That(Rotation(whole.OutputPath), Is.Not.EqualTo(0));
        Assert.That(Rotation(stitched.OutputPath), Is.EqualTo(Rotation(whole.OutputPath)));
    }

    [Test]
    public void Segments_of_different_renders_are_refused_and_nothing_is_written()
    {
        using var small = TestSupport.Scene(TestSupport.SmallStory("360x640", duration: 1));
        using var other = TestSupport.Scene(TestSupport.SmallStory("480x854", duration: 1));
        var a = ChunkedRender.Chunk(small, new FrameRange(0, 15), Path.Combine(_dir, "a.mp4"), JobOptions.Default, ProgressTracker.None.Root, default);
        var b = ChunkedRender.Chunk(other, new FrameRange(15, 30), Path.Combine(_dir, "b.mp4"), JobOptions.Default, ProgressTracker.None.Root, default);
        var audio = ChunkedRender.Soundtrack(small, Path.Combine(_dir, "audio.mp4"), JobOptions.Default, ProgressTracker.None.Root, default);
        var out_ = Path.Combine(_dir, "out.mp4");
        var e = Assert.Throws<EngineException>(() => ChunkStitch.Run([a.OutputPath, b.OutputPath], audio.OutputPath, out_, null, default))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InvalidArg));
        Assert.That(e.Message, Does.Contain("segments[1]"));
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "a.mp4", "b.mp4", "audio.mp4" }));
    }

    [Test]
    public void What_a_chunked_render_cannot_do_is_refused_naming_the_field()
    {
        using var h264 = TestSupport.Scene(TestSupport.SmallStory("360x640", duration: 1));
        using var vp9 = h264.WithEncode(h264.Encode with { Codec = EncodeSettings.Vp9 });
        var e = Assert.Throws<ConfigValidationException>(() => ChunkedRender.Chunk(vp9, new FrameRange(0, 10), Path.Combine(_dir, "c.mp4"), JobOptions.Default, ProgressTracker.None.Root, default))!;
        Assert.That(e.Errors.Select(x => x.Path), Does.Contain("video.codec"));
        using var scene = TestSupport.Scene(TestSupport.SmallStory("360x640", duration: 1));
        var o = Assert.Throws<EngineException>(() => ChunkedRender.Chunk(scene, new FrameRange(0, 10), Path.Combine(_dir, "c.mkv"), JobOptions.Default, ProgressTracker.None.Root, default))!;
        Assert.That(o.Code, Is.EqualTo(ErrorCodes.Output));
        Assert.That(Directory.GetFiles(_dir), Is.Empty);
    }
}
