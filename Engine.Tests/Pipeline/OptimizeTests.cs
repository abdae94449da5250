using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// optimizeVideo end to end through the engine: inputs made by the ffmpeg CLI, outputs sized,
/// probed, and their quality score checked against ffmpeg's own ssim filter.
/// </summary>
[TestFixture]
public class OptimizeTests : TempDirTest
{
    private static JsonElement Optimize(string input, double mb, string options = "{}")
    {
        var engine = new ReelSpeedEngine(EngineOptions.Default);
        var json = engine.OptimizeVideoAsync(input, mb, options, null, null, default).GetAwaiter().GetResult();
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    [TestCase("testsrc2=s=640x360:r=30:d=5", true, 0.4)]
    [TestCase("mandelbrot=s=480x270:r=25,trim=duration=5", false, 0.25)]
    [TestCase("cellauto=s=640x360:r=30:rule=110,trim=duration=5", true, 0.6)]
    public void Lands_within_5_percent_of_the_target_and_its_score_agrees_with_ffmpeg(string source, bool audio, double targetMb)
    {
        var input = Path.Combine(_dir, "input.mp4");
        var args = new List<string> { "-f", "lavfi", "-i", source };
        if (audio) args.AddRange(new[] { "-f", "lavfi", "-i", "sine=frequency=220:duration=5" });
        args.AddRange(new[] { "-c:v", "libx264", "-crf", "10", "-pix_fmt", "yuv420p", "-shortest" });
        if (audio) args.AddRange(new[] { "-c:a", "aac", "-b:a", "192k" });
        args.Add(input);
        TestSupport.Ffmpeg(args.ToArray());

        var r = Optimize(input, targetMb);
        string output = r.GetProperty("outputPath").GetString()!;
        Assert.That(output, Is.EqualTo(Path.Combine(_dir, "input.optimized.mp4")));
        long size = new FileInfo(output).Length;
        Assert.That(r.GetProperty("optimizedSize").GetInt64(), Is.EqualTo(size));
        Assert.That(r.GetProperty("originalSize").GetInt64(), Is.EqualTo(new FileInfo(input).Length));
        double ratio = size / (targetMb * 1_000_000);
        if (ratio < 0.95)
        {
            // Kept under the window only when it measured itself transparent (the random automaton can code that well
            // below the budget): no encode at any size could score more than 0.002 higher.
            Assert.That(r.GetProperty("qualityScore").GetDouble(), Is.GreaterThanOrEqualTo(Engine.Pipeline.TargetedRender.TransparentSsim), $"{ratio:0.###} of the target");
            Assert.That(string.Join(" ", r.GetProperty("warnings").EnumerateArray().Select(w => w.GetString())), Does.Contain("measured SSIM"));
        }
        else Assert.That(ratio, Is.InRange(0.95, 1.02), "within -5 %..+2 % of the target");
        Assert.That(r.GetProperty("compressionRatio").GetDouble(), Is.EqualTo(new FileInfo(input).Length / (double)size).Within(1e-3));

        double score = r.GetProperty("qualityScore").GetDouble();
        double ffmpeg = TestSupport.FfmpegSsim(output, input, 640 - (source.StartsWith("mandelbrot") ? 160 : 0), 360 - (source.StartsWith("mandelbrot") ? 90 : 0));
        TestContext.Out.WriteLine($"{source}: {size} bytes for {targetMb} MB, SSIM {score} (ffmpeg {ffmpeg}), PSNR {r.GetProperty("psnr")}, {r.GetProperty("encodes")} encode(s), {r.GetProperty("wallMs")} ms");
        Assert.That(score, Is.EqualTo(ffmpeg).Within(0.01), "qualityScore agrees with ffmpeg -lavfi ssim");
        Assert.That(score, Is.InRange(0.5, 1.0));
        Assert.That(r.GetProperty("encoder").GetString(), Is.EqualTo("libx264"));
    }

    [TestCase("640x360", "")]
    [TestCase("1280x720", "-colorspace bt709 -color_primaries bt709 -color_trc bt709")]
    [TestCase("320x240", "-pix_fmt yuvj420p")]
    public void A_plain_re_encode_passes_frames_through_without_touching_colours(string size, string tags)
    {
        // Untagged SD (BT.601 by convention), tagged HD and full-range JPEG-style YUV: each keeps
        // its planes and its tags, so a generous budget scores near-lossless against the input.
        var input = Path.Combine(_dir, "input.mp4");
        var args = new List<string> { "-f", "lavfi", "-i", $"testsrc2=s={size}:r=30:d=2", "-c:v", "libx264", "-crf", "12" };
        args.AddRange((tags.Length > 0 ? tags : "-pix_fmt yuv420p").Split(' '));
        if (!tags.Contains("pix_fmt")) args.AddRange(new[] { "-pix_fmt", "yuv420p" });
        args.Add(input);
        TestSupport.Ffmpeg(args.ToArray());
        var r = Optimize(input, 1.5);
        TestContext.Out.WriteLine($"{size} {tags}: PSNR {r.GetProperty("psnr")}, SSIM {r.GetProperty("ssim")}");
        Assert.That(r.GetProperty("psnr").GetDouble(), Is.GreaterThan(40));
        Assert.That(r.GetProperty("ssim").GetDouble(), Is.GreaterThan(0.99));
        var before = ReelSpeed.Engine.Media.MediaProbe.Probe(input).Streams.Single(x => x.Type == "video");
        var after = ReelSpeed.Engine.Media.MediaProbe.Probe(r.GetProperty("outputPath").GetString()!).Streams.Single(x => x.Type == "video");
        Assert.That((after.ColorSpace, after.ColorRange, after.ColorTransfer), Is.EqualTo((before.ColorSpace, before.ColorRange, before.ColorTransfer)));
    }

    [TestCase("ntsc.mp4", "30000/1001", "30000/1001")]
    [TestCase("film.mp4", "24000/1001", "24000/1001")]
    [TestCase("ms-times.mkv", "30", "30/1")]
    public void Each_input_frame_maps_to_one_output_frame_at_the_input_rate(string name, string rate, string expected)
    {
        var input = Path.Combine(_dir, name);
        TestSupport.Ffmpeg("-f", "lavfi", "-i", $"testsrc2=s=320x240:r={rate}:d=3", "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", input);
        var r = Optimize(input, 1.5);
        Assert.That(r.GetProperty("frameRate").GetString(), Is.EqualTo(expected));
        double psnr = r.GetProperty("psnr").GetDouble(), ssim = r.GetProperty("ssim").GetDouble();
        TestContext.Out.WriteLine($"{name}: PSNR {psnr}, SSIM {ssim}");
        Assert.That(psnr, Is.GreaterThan(40), "no frame shown a slot late or dropped");
        // ffmpeg's framesync pairs by exact timestamps, so against Matroska's millisecond times
        // (67 ms for 66.67) it pairs every third frame with its predecessor; compare MP4s only.
        if (name.EndsWith(".mp4"))
            Assert.That(ssim, Is.EqualTo(TestSupport.FfmpegSsim(r.GetProperty("outputPath").GetString()!, input, 320, 240)).Within(0.01));
    }

    [Test]
    public void A_rotated_phone_clip_keeps_its_frames_as_stored_and_its_rotation_as_metadata()
    {
        var plain = Path.Combine(_dir, "plain.mp4");
        var input = Path.Combine(_dir, "portrait.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=640x360:r=30:d=3", "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", plain);
        TestSupport.Ffmpeg("-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=270", input); // shown turned 90° clockwise
        var r = Optimize(input, 0.4);
        string output = r.GetProperty("outputPath").GetString()!;
        var before = ReelSpeed.Engine.Media.MediaProbe.Probe(input).Streams.Single(x => x.Type == "video");
        var after = ReelSpeed.Engine.Media.MediaProbe.Probe(output).Streams.Single(x => x.Type == "video");
        Assert.That(before.Rotation, Is.EqualTo(90));
        Assert.That((after.Width, after.Height, after.Rotation), Is.EqualTo((640, 360, 90)), "stored as the input, shown the same way");
        double score = r.GetProperty("qualityScore").GetDouble();
        Assert.That(score, Is.GreaterThan(0.95), "compared plane to plane, not against turned pixels");
        Assert.That(score, Is.EqualTo(TestSupport.FfmpegSsim(output, input, 360, 640)).Within(0.01), "ffmpeg (which turns both) agrees");
    }

    [Test]
    public void A_tight_budget_scales_the_picture_down_unless_told_not_to()
    {
        var input = Path.Combine(_dir, "big.mp4");
        // A zooming fractal: at ~0.01 bits per pixel its samples measure the smaller size better.
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "mandelbrot=s=1280x720:r=30,trim=duration=3", "-c:v", "libx264", "-crf", "18", "-preset", "ultrafast", "-pix_fmt", "yuv420p", input);
        var r = Optimize(input, 0.1);
        Assert.That(r.GetProperty("width").GetInt32(), Is.LessThan(1280));
        Assert.That(r.GetProperty("height").GetInt32() * 1280, Is.EqualTo(r.GetProperty("width").GetInt32() * 720).Within(1280 * 2), "aspect kept");
        Assert.That(r.GetProperty("warnings").EnumerateArray().Any(w => w.GetString()!.Contains("scaled")), Is.True);

        var kept = Optimize(input, 0.1, """{ "allowDownscale": false, "outputPath": "kept.mp4", "measureQuality": false }""");
        Assert.That((kept.GetProperty("width").GetInt32(), kept.GetProperty("height").GetInt32()), Is.EqualTo((1280, 720)));
        Assert.That(kept.GetProperty("qualityScore").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public void Refuses_impossible_targets_and_its_own_input()
    {
        var input = Path.Combine(_dir, "clip.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=4", "-c:v", "libx264", "-pix_fmt", "yuv420p", input);
        var e = Assert.Throws<EngineException>(() => Optimize(input, 0.001))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.TargetUnreachable));
        Assert.That(e.Message, Does.Contain("targetSizeMb").And.Contain("smallest achievable size is"));

        e = Assert.Throws<EngineException>(() => Optimize(input, 1, $$"""{ "outputPath": "{{input}}" }"""))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Output));
        e = Assert.Throws<EngineException>(() => Optimize(Path.Combine(_dir, "none.mp4"), 1))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InputNotFound));
        var bad = Assert.Throws<ConfigValidationException>(() => Optimize(input, 1, """{ "codec": "mpeg4", "speed": 3 }"""))!;
        Assert.That(bad.Errors.Select(x => x.Path), Is.EquivalentTo(new[] { "options.codec", "options.speed" }));
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "clip.mp4" }), "nothing left behind");
    }

    // In-flight quality (issue 16 item 3): the encode measures its output as it encodes; the score must be
    // the one a separate decode of the finished file against the input gives.
    [TestCase("testsrc2=s=320x568:r=30:d=4,noise=alls=8:allf=t", 0.12, "{}")]
    [TestCase("mandelbrot=s=360x640:r=25,trim=duration=3", 0.09, """{ "qualitySampleEvery": 3 }""")]
    public void The_in_flight_score_equals_a_separate_measurement_of_the_output(string source, double targetMb, string extra)
    {
        var input = Path.Combine(_dir, "input.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", source, "-c:v", "libx264", "-crf", "10", "-preset", "ultrafast", "-pix_fmt", "yuv420p", input);
        var options = JsonDocument.Parse(extra).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        string json = options.Count == 0 ? """{ "allowDownscale": false }""" : $$"""{ "allowDownscale": false, "qualitySampleEvery": {{options["qualitySampleEvery"]}} }""";
        var r = Optimize(input, targetMb, json);
        Assert.That(r.GetProperty("stages").GetProperty("quality").GetString(), Is.EqualTo("in-flight"));
        Assert.That(r.GetProperty("stages").GetProperty("qualityMs").GetDouble(), Is.LessThan(r.GetProperty("stages").GetProperty("encodeMs").GetDouble()), "no separate decode pass");
        string output = r.GetProperty("outputPath").GetString()!;
        var separate = VideoQuality.Compare(output, input, new QualityOptions { SampleEvery = options.GetValueOrDefault("qualitySampleEvery", 1) });
        var q = r.GetProperty("quality");
        Assert.That(q.GetProperty("method").GetString(), Does.Contain("as libx264 reconstructed them"), "scored on x264's own pictures: nothing decoded");
        TestContext.Out.WriteLine($"{source}: in flight {r.GetProperty("ssim")} / {r.GetProperty("psnr")} dB; separate {separate.Ssim} / {separate.Psnr} dB, {separate.FramesCompared} frames");
        Assert.That(r.GetProperty("ssim").GetDouble(), Is.EqualTo(separate.Ssim).Within(1e-3));
        Assert.That(q.GetProperty("ssimY").GetDouble(), Is.EqualTo(separate.SsimY).Within(1e-3));
        Assert.That(r.GetProperty("psnr").GetDouble(), Is.EqualTo(separate.Psnr).Within(0.01));
        Assert.That(q.GetProperty("framesCompared").GetInt32(), Is.EqualTo(separate.FramesCompared));
        Assert.That(r.GetProperty("ssim").GetDouble(), Is.EqualTo(TestSupport.FfmpegSsim(output, input, separate.Width, separate.Height)).Within(2e-3), "and ffmpeg's ssim filter");
    }

    [Test]
    public void A_downscaled_output_is_measured_in_flight_against_the_input_frames_it_was_scaled_from()
    {
        var input = Path.Combine(_dir, "big.mp4");
        // A zooming fractal: at ~0.01 bits per pixel its samples measure the smaller size better.
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "mandelbrot=s=1280x720:r=30,trim=duration=3", "-c:v", "libx264", "-crf", "18", "-preset", "ultrafast", "-pix_fmt", "yuv420p", input);
        var r = Optimize(input, 0.1);
        Assert.That(r.GetProperty("width").GetInt32(), Is.LessThan(1280));
        Assert.That(r.GetProperty("stages").GetProperty("quality").GetString(), Is.EqualTo("in-flight"));
        Assert.That(r.GetProperty("stages").GetProperty("qualityMs").GetDouble(), Is.EqualTo(0));
        // The same computation as decoding output and input afterwards: the output scaled back up bicubic to 1280x720.
        var separate = VideoQuality.Compare(r.GetProperty("outputPath").GetString()!, input);
        Assert.That(separate.Width, Is.EqualTo(1280));
        Assert.That(r.GetProperty("ssim").GetDouble(), Is.EqualTo(separate.Ssim).Within(1e-5));
        Assert.That(r.GetProperty("psnr").GetDouble(), Is.EqualTo(separate.Psnr).Within(1e-3));
        Assert.That(r.GetProperty("quality").GetProperty("framesCompared").GetInt32(), Is.EqualTo(separate.FramesCompared));
        Assert.That(r.GetProperty("quality").GetProperty("method").GetString(), Does.Contain("as libx264 reconstructed them"));
    }

    [Test]
    public void Keyframes_come_at_most_every_10_seconds_not_every_2()
    {
        // A tight budget spends nothing on repeating keyframes (Optimize.KeyframeSeconds); renders keep 2 s.
        var input = Path.Combine(_dir, "long.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=30:d=12", "-c:v", "libx264", "-crf", "12", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", input);
        var r = Optimize(input, 0.2, """{ "measureQuality": false }""");
        var probe = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ffprobe",
            ["-v", "error", "-select_streams", "v", "-skip_frame", "nokey", "-show_entries", "frame=pts_time", "-of", "csv=p=0", r.GetProperty("outputPath").GetString()!])
            { RedirectStandardOutput = true })!;
        var keyframes = probe.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => double.Parse(t.Trim().TrimEnd(','), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        probe.WaitForExit();
        Assert.That(keyframes, Is.EqualTo(new[] { 0.0, 10.0 }).Within(0.05), string.Join(", ", keyframes));
    }

    [Test]
    public void An_input_that_is_not_yuv420p_is_measured_by_decoding_afterwards()
    {
        // The encoder is given converted pictures, not the input's own frames: the output is decoded and compared afterwards.
        var input = Path.Combine(_dir, "full-chroma.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=1", "-c:v", "libx264", "-crf", "12", "-preset", "ultrafast", "-pix_fmt", "yuv444p", input);
        var r = Optimize(input, 0.2);
        Assert.That(r.GetProperty("stages").GetProperty("quality").GetString(), Is.EqualTo("decode"));
        Assert.That(r.GetProperty("stages").GetProperty("qualityMs").GetDouble(), Is.GreaterThan(0));
        var separate = VideoQuality.Compare(r.GetProperty("outputPath").GetString()!, input);
        Assert.That(r.GetProperty("ssim").GetDouble(), Is.EqualTo(separate.Ssim).Within(1e-5));
    }

    [Test]
    public void Aborting_during_the_in_flight_measured_encode_leaves_no_files()
    {
        var input = Path.Combine(_dir, "clip.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x568:r=30:d=4", "-c:v", "libx264", "-crf", "12", "-preset", "ultrafast", "-pix_fmt", "yuv420p", input);
        foreach (var stage in new[] { "pass-1", "encode" })
        {
            using var cts = new CancellationTokenSource();
            var engine = new ReelSpeedEngine(EngineOptions.Default);
            var e = Assert.Throws<EngineException>(() => engine.OptimizeVideoAsync(input, 0.1, """{ "allowDownscale": false }""", null,
                // At the stage's first report: progress is throttled, and a fast unscored first pass of 120 small frames reports
                // only its first frame and its last.
                p => { if (p.Stage == stage) cts.Cancel(); }, cts.Token).GetAwaiter().GetResult())!;
            Assert.That(e.Code, Is.EqualTo(ErrorCodes.Aborted), stage);
            Assert.That(Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "clip.mp4" }), $"nothing left behind after an abort in {stage}");
        }
    }

    [Test]
    public void A_silent_input_gets_no_audio_track_and_a_sounding_one_keeps_its_sound()
    {
        // As the ffmpeg CLI: no silent track the size plan gives no bytes (it took 3-7 % of a small budget from the video).
        string silent = Path.Combine(_dir, "silent.mp4"), sounding = Path.Combine(_dir, "sounding.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=2", "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", silent);
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
            "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", sounding);
        var quiet = Optimize(silent, 0.1, """{ "outputPath": "silent-out.mp4", "measureQuality": false }""");
        Assert.That(quiet.GetProperty("audioBitrateKbps").GetInt32(), Is.Zero);
        Assert.That(MediaProbe.Probe(quiet.GetProperty("outputPath").GetString()!).StreamCounts, Is.EqualTo(new StreamCounts(1, 0, 0, 0, 0, 0)));
        var loud = Optimize(sounding, 0.1, """{ "outputPath": "sounding-out.mp4", "measureQuality": false }""");
        Assert.That(loud.GetProperty("audioBitrateKbps").GetInt32(), Is.GreaterThan(0));
        Assert.That(MediaProbe.Probe(loud.GetProperty("outputPath").GetString()!).StreamCounts, Is.EqualTo(new StreamCounts(1, 1, 0, 0, 0, 0)));
    }
}
