using System.Globalization;
using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Effects;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// Processing configs end to end: real clips made by the ffmpeg CLI, compiled into scenes,
/// frames rendered and compared by colour, and whole renders probed back.
/// </summary>
[TestFixture]
public class ProcessingTests : TempDirTest
{
    private static readonly SKColor Red = new(220, 40, 40), Blue = new(40, 60, 220);

    /// <summary>A 160x90 clip, left half red and right half blue, with a 440 Hz tone, 2 s at 30 fps.</summary>
    private string SplitClip(string name = "split.mp4", string extra = "", double seconds = 2)
    {
        var path = Path.Combine(_dir, name);
        var d = seconds.ToString(CultureInfo.InvariantCulture);
        var args = new List<string>
        {
            "-f", "lavfi", "-i", $"color=c=0xDC2828:s=80x90:r=30:d={d}",
            "-f", "lavfi", "-i", $"color=c=0x283CDC:s=80x90:r=30:d={d}",
            "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={d}",
            "-filter_complex", "[0:v][1:v]hstack=inputs=2,format=yuv420p[v]", "-map", "[v]", "-map", "2:a",
            "-c:v", "libx264", "-qp", "0", "-c:a", "aac", "-b:a", "128k",
        };
        if (extra.Length > 0) args.AddRange(extra.Split(' '));
        args.Add(path);
        TestSupport.Ffmpeg(args.ToArray());
        return path;
    }

    /// <summary>A solid-colour clip with a tone (or silence when <paramref name="hz"/> is 0).</summary>
    private string SolidClip(string name, string color, double seconds, int hz = 0, string size = "96x96")
    {
        var path = Path.Combine(_dir, name);
        var d = seconds.ToString(CultureInfo.InvariantCulture);
        TestSupport.Ffmpeg("-f", "lavfi", "-i", $"color=c={color}:s={size}:r=30:d={d}",
            "-f", "lavfi", "-i", hz > 0 ? $"sine=frequency={hz}:sample_rate=48000:duration={d}" : $"anullsrc=r=48000:cl=stereo:d={d}",
            "-shortest", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", path);
        return path;
    }

    private static Scene Compile(string json, string? input = null, string? baseDir = null) =>
        EngineApi.CompileScene(json, baseDir, input);

    [TestCase("{ \"blur\": 1 }")]
    [TestCase("{ \"sharpen\": 0.3 }")]
    [TestCase("{ \"color_correction\": { \"saturation\": 0.5 } }")]
    public void Effects_follow_the_moving_clip_frame_by_frame(string effects)
    {
        // Through an image filter every frame used to show the clip's first: Skia cached the filtered
        // frame by the id of the frame buffer's image, whose pixels change in place.
        var clip = Path.Combine(_dir, "moving.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=30:d=2", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", clip);
        using var scene = Compile($$"""{ "video": {}, "effects": {{effects}} }""", clip);
        using var plain = Compile("""{ "video": { "fit": "contain" } }""", clip);
        using var r = new FrameRenderer(scene);
        using var plainRenderer = new FrameRenderer(plain);
        foreach (double t in new[] { 0.0, 1000, 1500 })
        {
            using var frame = r.RenderImage(t);
            using var expected = plainRenderer.RenderImage(t);
            Assert.That(Pixels.Ssim(frame, expected), Is.GreaterThan(0.6), $"{effects} at {t} ms shows the clip at {t} ms");
        }
        using var first = r.RenderImage(0);
        using var later = r.RenderImage(1500);
        Assert.That(Pixels.Ssim(first, later), Is.LessThan(0.97), $"{effects}: the picture moves");
    }

    private static SKImage Frame(Scene scene, double ms)
    {
        using var r = new FrameRenderer(scene);
        return r.RenderImage(ms);
    }

    private static SKColor At(SKImage image, double fx, double fy) =>
        Pixels.At(image, (int)(fx * (image.Width - 1)), (int)(fy * (image.Height - 1)));

    private static double MeanLuma(SKImage image)
    {
        using var bmp = SKBitmap.FromImage(image);
        double sum = 0;
        for (int y = 0; y < bmp.Height; y++)
            for (int x = 0; x < bmp.Width; x++)
            {
                var c = bmp.GetPixel(x, y);
                sum += 0.2126 * c.Red + 0.7152 * c.Green + 0.0722 * c.Blue;
            }
        return sum / (bmp.Width * bmp.Height);
    }

    [Test]
    public void A_single_input_defaults_to_its_own_size_and_rate_and_is_shown_as_decoded()
    {
        var clip = SplitClip();
        using var scene = Compile("""{ "video": {} }""", clip);
        Assert.That((scene.Width, scene.Height, scene.Fps), Is.EqualTo((160, 90, 30)));
        Assert.That(scene.DurationMs, Is.EqualTo(2000).Within(1));
        using var f = Frame(scene, 500);
        Assert.That(Pixels.Near(At(f, 0.25, 0.5), Red, 12), Is.True, $"left {At(f, 0.25, 0.5)}");
        Assert.That(Pixels.Near(At(f, 0.75, 0.5), Blue, 12), Is.True, $"right {At(f, 0.75, 0.5)}");
    }

    [Test]
    public void A_rotated_clip_comes_out_upright()
    {
        var plain = SplitClip();
        var rotated = Path.Combine(_dir, "rotated.mp4");
        // A display matrix of a quarter turn (FFmpeg 5.1's CLI stores "rotate=90" as 90°
        // counter-clockwise, which players undo by turning the picture back: 270° clockwise).
        TestSupport.Ffmpeg("-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated);
        using var decoder = new VideoDecoder(rotated, "inputPath");
        Assert.That(decoder.Rotation, Is.EqualTo(270));

        using var scene = Compile("""{ "video": {} }""", rotated);
        Assert.That((scene.Width, scene.Height), Is.EqualTo((90, 160)), "output takes the upright size");
        using var f = Frame(scene, 500);
        // The reference: the ffmpeg CLI's own autorotation of the same file.
        using var upright = Pixels.DecodeFrame(rotated, 0.5);
        Assert.That((upright.Width, upright.Height), Is.EqualTo((90, 160)));
        foreach (var (x, y) in new[] { (0.5, 0.2), (0.5, 0.8), (0.2, 0.5), (0.8, 0.5) })
            Assert.That(Pixels.Near(At(f, x, y), At(upright, x, y), 12), Is.True, $"at ({x}, {y}): {At(f, x, y)} vs ffmpeg's {At(upright, x, y)}");
        Assert.That(Pixels.Near(At(f, 0.5, 0.2), At(f, 0.5, 0.8), 40), Is.False, "the halves are now above each other");

        // The rendered file agrees: upright pixels, no rotation tag left for players to apply again.
        var output = Path.Combine(_dir, "upright.mp4");
        RenderJob.Run(scene, output);
        var info = MediaProbe.Probe(output);
        var video = info.Streams.Single(s => s.Type == "video");
        Assert.That((video.Width, video.Height), Is.EqualTo((90, 160)));
        using var decoded = Pixels.DecodeFrame(output, 0.5);
        Assert.That(Pixels.Near(At(decoded, 0.5, 0.2), At(upright, 0.5, 0.2), 20), Is.True, $"decoded top {At(decoded, 0.5, 0.2)}");
        Assert.That(Pixels.Near(At(decoded, 0.5, 0.8), At(upright, 0.5, 0.8), 20), Is.True, $"decoded bottom {At(decoded, 0.5, 0.8)}");
    }

    [TestCase("cover")]
    [TestCase("contain")]
    [TestCase("fill")]
    public void Fit_modes_crop_letterbox_or_stretch(string fit)
    {
        var clip = SplitClip();
        using var scene = Compile($$"""{ "video": { "width": 90, "height": 160, "fit": "{{fit}}" }, "effects": { "background": "#00FF00" } }""", clip);
        using var f = Frame(scene, 500);
        var top = At(f, 0.5, 0.05);
        var left = At(f, 0.1, 0.5);
        var right = At(f, 0.9, 0.5);
        switch (fit)
        {
            case "cover":
                // The middle 51 columns of 160: still red on the left, blue on the right, no bars.
                Assert.That(Pixels.Near(left, Red, 12) && Pixels.Near(right, Blue, 12) && !Pixels.Near(top, SKColors.Lime, 40), Is.True, $"{left} {right} {top}");
                break;
            case "contain":
                // 90x51 picture centred: green bars above and below.
                Assert.That(Pixels.Near(top, SKColors.Lime, 2), Is.True, $"top bar {top}");
                Assert.That(Pixels.Near(left, Red, 12) && Pixels.Near(right, Blue, 12), Is.True, $"{left} {right}");
                break;
            default:
                // Stretched over the whole frame: no bars, halves kept.
                Assert.That(Pixels.Near(At(f, 0.1, 0.05), Red, 12) && Pixels.Near(At(f, 0.9, 0.95), Blue, 12), Is.True);
                break;
        }
    }

    [Test]
    public void Effects_change_the_image_the_documented_way()
    {
        var clip = SplitClip();
        using var plain = Compile("""{ "video": {} }""", clip);
        using var reference = Frame(plain, 500);
        double baseLuma = MeanLuma(reference);

        SKImage With(string effects)
        {
            using var s = Compile($$"""{ "video": {}, "effects": {{effects}} }""", clip);
            return Frame(s, 500);
        }

        using (var bright = With("""{ "color_correction": { "brightness": 1.2 } }"""))
            Assert.That(MeanLuma(bright), Is.GreaterThan(baseLuma * 1.15), "brightness 1.2 raises mean luma by about 20%");
        using (var dark = With("""{ "color_correction": { "brightness": 0.5 } }"""))
            Assert.That(MeanLuma(dark), Is.EqualTo(baseLuma * 0.5).Within(baseLuma * 0.03));
        using (var grey = With("""{ "color_correction": { "saturation": 0 } }"""))
        {
            foreach (var c in new[] { At(grey, 0.25, 0.5), At(grey, 0.75, 0.5) })
                Assert.That(Math.Max(Math.Abs(c.Red - c.Green), Math.Abs(c.Green - c.Blue)), Is.LessThanOrEqualTo(2), $"saturation 0 is grey, got {c}");
        }
        using (var flat = With("""{ "color_correction": { "contrast": 0 } }"""))
            Assert.That(Pixels.Near(At(flat, 0.25, 0.5), new SKColor(128, 128, 128), 2), Is.True, "contrast 0 is mid grey");
        using (var hue = With("""{ "color_correction": { "hue_shift": 120 } }"""))
        {
            var c = At(hue, 0.25, 0.5); // red turned a third of the way round: green dominates
            Assert.That(c.Green, Is.GreaterThan(c.Red + 60).And.GreaterThan(c.Blue + 60), $"hue 120° of red, got {c}");
        }
        // Blur softens the red/blue edge; sharpen steepens a soft one.
        using (var blurred = With("""{ "blur": 20 }"""))
        {
            var edge = At(blurred, 0.47, 0.5);
            Assert.That(Pixels.Near(edge, At(reference, 0.47, 0.5), 20), Is.False, "blur mixes colours across the edge");
        }
        using (var sharp = With("""{ "sharpen": 1 }"""))
            Assert.That(Pixels.Near(At(sharp, 0.25, 0.5), Red, 12), Is.True, "sharpen leaves flat areas alone");
        Assert.That(ClipEffects.ColorMatrices(ColorCorrection.Neutral), Is.Empty);
        // Clamped after each stage, as chained CSS filters: contrast 2 takes #E7E7E7 to white,
        // then brightness 0.5 to mid grey (a single product matrix would give #A7A7A7).
        var light = SolidClip("light.mp4", "0xE7E7E7", 1);
        using (var chained = Compile("""{ "video": {}, "effects": { "color_correction": { "contrast": 2, "brightness": 0.5 } } }""", light))
        using (var f = Frame(chained, 200))
            Assert.That(Pixels.Near(At(f, 0.5, 0.5), new SKColor(128, 128, 128), 3), Is.True, $"got {At(f, 0.5, 0.5)}");
    }

    [Test]
    public void Sharpen_steepens_edges()
    {
        var path = Path.Combine(_dir, "soft.mp4");
        // A soft ramp from dark to light grey across the middle (room for overshoot both ways).
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=black:s=96x96:r=30:d=1", "-vf", "format=rgb24,geq=r='64+clip((X-40)*8,0,128)':g='64+clip((X-40)*8,0,128)':b='64+clip((X-40)*8,0,128)'",
            "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p", path);
        double Contrast(string effects)
        {
            using var s = Compile($$"""{ "video": {}, "effects": {{effects}} }""", path);
            using var f = Frame(s, 100);
            using var bmp = SKBitmap.FromImage(f);
            // Overshoot at the ramp's ends: the darkest dark and brightest bright around the edge.
            int min = 255, max = 0;
            for (int x = 30; x < 66; x++)
            {
                int g = bmp.GetPixel(x, 48).Green;
                min = Math.Min(min, g);
                max = Math.Max(max, g);
            }
            return bmp.GetPixel(42, 48).Green - (double)bmp.GetPixel(38, 48).Green + (max - min);
        }
        Assert.That(Contrast("""{ "sharpen": 1 }"""), Is.GreaterThan(Contrast("{}")));
    }

    [Test]
    public void Clips_join_with_each_transition()
    {
        var a = SolidClip("a.mp4", "0xDC2828", 1);
        var b = SolidClip("b.mp4", "0x283CDC", 1);
        string Config(string transition) => $$"""
            { "video": { "width": 96, "height": 96, "fps": 30 }, "clips": ["{{a}}", "{{b}}"],
              "effects": { "transitions": {{transition}} } }
            """;

        using (var fade = Compile(Config("""{ "type": "fade", "duration": 500 }""")))
        {
            Assert.That(fade.DurationMs, Is.EqualTo(1500).Within(1), "the clips overlap by the transition");
            using var before = Frame(fade, 300);
            using var mid = Frame(fade, 750);
            using var after = Frame(fade, 1300);
            Assert.That(Pixels.Near(At(before, 0.5, 0.5), Red, 12) && Pixels.Near(At(after, 0.5, 0.5), Blue, 12), Is.True);
            var m = At(mid, 0.5, 0.5);
            Assert.That(Pixels.Near(m, new SKColor(130, 50, 130), 12), Is.True, $"half way through the fade, got {m}");
        }
        using (var slide = Compile(Config("""{ "type": "slide", "duration": 500, "direction": "left" }""")))
        {
            using var mid = Frame(slide, 750); // half way: red pushed out to the left, blue coming in from the right
            Assert.That(Pixels.Near(At(mid, 0.2, 0.5), Red, 12) && Pixels.Near(At(mid, 0.8, 0.5), Blue, 12), Is.True);
        }
        using (var wipe = Compile(Config("""{ "type": "wipe", "duration": 500, "direction": "down" }""")))
        {
            using var mid = Frame(wipe, 750); // the edge moves down: blue above it, red below
            Assert.That(Pixels.Near(At(mid, 0.5, 0.2), Blue, 12) && Pixels.Near(At(mid, 0.5, 0.8), Red, 12), Is.True);
        }
        using (var zoom = Compile(Config("""{ "type": "zoom", "duration": 500 }""")))
        {
            using var mid = Frame(zoom, 750);
            var m = At(mid, 0.5, 0.5);
            Assert.That(Pixels.Near(m, Red, 30) || Pixels.Near(m, Blue, 30), Is.False, $"zoom cross-fades, got {m}");
        }
        const string Shader = "uniform shader from; uniform shader to; uniform float progress; uniform float2 resolution; " +
                              "half4 main(float2 p) { return p.x / resolution.x < progress ? to.eval(p) : from.eval(p); }";
        using (var custom = Compile(Config($$"""{ "type": "custom", "duration": 500, "shader": "{{Shader}}" }""")))
        {
            using var mid = Frame(custom, 750);
            Assert.That(Pixels.Near(At(mid, 0.2, 0.5), Blue, 12) && Pixels.Near(At(mid, 0.8, 0.5), Red, 12), Is.True, "the SkSL shader decides each pixel");
        }
    }

    [Test]
    public void A_bad_custom_shader_is_rejected_with_its_compile_error()
    {
        var a = SolidClip("a.mp4", "red", 1);
        var b = SolidClip("b.mp4", "blue", 1);
        string Config(string shader) => $$"""
            { "clips": ["{{a}}", "{{b}}"], "effects": { "transitions": { "type": "custom", "shader": "{{shader}}" } } }
            """;
        var e = Assert.Throws<ConfigValidationException>(() => Compile(Config("uniform shader from; uniform shader to; uniform float progress; half4 main(float2 p) { return nope; }")))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InvalidConfig));
        Assert.That(e.Message, Does.Contain("effects.transitions.shader").And.Contain("nope"));
        e = Assert.Throws<ConfigValidationException>(() => Compile(Config("half4 main(float2 p) { return half4(1); }")))!;
        Assert.That(e.Message, Does.Contain("uniform shader from"));
        // Compiles, but its progress is a float2 the engine cannot set: refused now, not mid-render.
        e = Assert.Throws<ConfigValidationException>(() => Compile(Config("uniform shader from; uniform shader to; uniform float2 progress; half4 main(float2 p) { return from.eval(p); }")))!;
        Assert.That(e.Message, Does.Contain("effects.transitions.shader").And.Contain("uniform float progress"));
    }

    [Test]
    public void Trim_cuts_video_and_audio_to_the_same_span()
    {
        // Tone for the first second, silence for the second: trimming 0.5..1.5 gives tone then silence.
        var path = Path.Combine(_dir, "tone-then-silence.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=64x64:r=30:d=2",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1", "-af", "apad=whole_dur=2",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", "2", path);
        using var scene = Compile("""{ "video": {}, "trim": { "start": 0.5, "end": 1.5 } }""", path);
        Assert.That(scene.DurationMs, Is.EqualTo(1000).Within(1));
        var output = Path.Combine(_dir, "trimmed.mp4");
        RenderJob.Run(scene, output);
        var info = MediaProbe.Probe(output);
        Assert.That(info.DurationSeconds, Is.EqualTo(1.0).Within(0.06));
        Assert.That(info.Streams.Count(s => s.Type == "audio"), Is.EqualTo(1));

        var (first, second) = HalfRms(output);
        // ffmpeg's sine is 1/8 full scale; mono spread to stereo at −3 dB: RMS ≈ 0.0625.
        Assert.That(first, Is.GreaterThan(0.04), "the tone plays in the first half");
        Assert.That(second, Is.LessThan(0.01), "silence in the second half");
    }

    /// <summary>RMS of the decoded output's first and second halves (by the engine's own decoder).</summary>
    private static (double First, double Second) HalfRms(string path)
    {
        var l = DecodeLeft(path, out int n);
        // Keep clear of the cut (codec ramps) by 50 ms either side.
        return (Rms(l, 2400, n / 2 - 2400), Rms(l, n / 2 + 2400, n - 2400));
    }

    /// <summary>The left channel of a file's audio at 48 kHz (up to 4 s), and how many samples it has.</summary>
    private static float[] DecodeLeft(string path, out int count)
    {
        using var d = new AudioDecoder(path, 48000);
        var l = new float[48000 * 4];
        var r = new float[l.Length];
        count = d.Read(l, r);
        return l;
    }

    private static double Rms(float[] x, int from, int to)
    {
        double s = 0;
        for (int i = from; i < to; i++) s += x[i] * x[i];
        return Math.Sqrt(s / Math.Max(1, to - from));
    }

    [Test]
    public void Clip_audio_starting_after_the_video_keeps_its_place()
    {
        // The tone's stream starts 0.5 s after the first video frame (as in the file's timestamps).
        var path = Path.Combine(_dir, "late-audio.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=64x64:r=30:d=2", "-itsoffset", "0.5", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1.5",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", path);
        using var scene = Compile("""{ "video": {} }""", path);
        var voice = scene.Audio.Mix.Voices.Single();
        Assert.That(voice.StartMs, Is.EqualTo(500).Within(30), "placed where its timestamps put it");
        var output = Path.Combine(_dir, "late-out.mp4");
        RenderJob.Run(scene, output);
        var l = DecodeLeft(output, out _);
        Assert.That(Rms(l, 2400, 19200), Is.LessThan(0.005), "silence for the first 0.4 s");
        Assert.That(Rms(l, 31200, 48000), Is.GreaterThan(0.04), "the tone from 0.65 s on");
    }

    [Test]
    public void Clip_audio_crossfades_across_a_transition()
    {
        var a = SolidClip("a.mp4", "red", 1, hz: 440);
        var b = SolidClip("b.mp4", "blue", 1, hz: 0);
        using var scene = Compile($$"""
            { "video": { "width": 64, "height": 64 }, "clips": ["{{a}}", { "path": "{{b}}", "volume": 100 }],
              "effects": { "transitions": { "type": "fade", "duration": 500 } } }
            """);
        var mix = scene.Audio.Mix;
        Assert.That(mix.Voices, Has.Count.EqualTo(2));
        Assert.That(mix.Voices[0].FadeOutMs, Is.EqualTo(500));
        Assert.That(mix.Voices[1].StartMs, Is.EqualTo(500).Within(0.01));
        Assert.That(mix.Voices[1].FadeInMs, Is.EqualTo(500));
        var output = Path.Combine(_dir, "joined.mp4");
        RenderJob.Run(scene, output);
        var (first, second) = HalfRms(output);
        // 1.5 s: the tone fades out over 0.5..1.0 s and is gone after.
        Assert.That(first, Is.GreaterThan(0.04));
        Assert.That(second, Is.LessThan(first / 4));
    }

    /// <summary>Each codec/container Debian's FFmpeg can write, decoded in-process and compared to the ffmpeg CLI's decode.</summary>
    [TestCase("h264.mp4", "-c:v libx264 -pix_fmt yuv420p")]
    [TestCase("h265.mkv", "-c:v libx265 -pix_fmt yuv420p -x265-params log-level=error")]
    [TestCase("h265-10bit.mp4", "-c:v libx265 -pix_fmt yuv420p10le -tag:v hvc1 -x265-params log-level=error")]
    [TestCase("vp9.webm", "-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 500k")]
    [TestCase("av1.mkv", "-c:v libaom-av1 -cpu-used 8 -row-mt 1 -b:v 300k")]
    [TestCase("prores.mov", "-c:v prores_ks -profile:v 2")]
    public void Common_codecs_and_containers_decode_in_process(string name, string codecArgs)
    {
        var path = Path.Combine(_dir, name);
        var args = new List<string> { "-f", "lavfi", "-i", "testsrc2=s=128x72:r=25:d=1" };
        args.AddRange(codecArgs.Split(' '));
        args.Add(path);
        TestSupport.Ffmpeg(args.ToArray());

        using var scene = Compile("""{ "video": {} }""", path);
        Assert.That((scene.Width, scene.Height, scene.Fps), Is.EqualTo((128, 72, 25)));
        using var ours = Frame(scene, 400);
        using var theirs = Pixels.DecodeFrame(path, 0.4);
        Assert.That(Pixels.Ssim(ours, theirs), Is.GreaterThan(0.97), "the frame at 0.4 s matches ffmpeg's decode");
    }

    [Test]
    public void Variable_frame_rate_input_becomes_constant_rate_output()
    {
        var vfr = Path.Combine(_dir, "vfr.mkv");
        // Drops two frames of every three in the first half and none after: irregular timestamps.
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=96x96:r=30:d=2", "-vf", "select='gte(n,30)+not(mod(n,3))'",
            "-vsync", "vfr", "-c:v", "libx264", "-pix_fmt", "yuv420p", vfr);
        using var scene = Compile("""{ "video": { "fps": 25 } }""", vfr);
        var output = Path.Combine(_dir, "cfr.mp4");
        var result = RenderJob.Run(scene, output);
        var video = MediaProbe.Probe(output).Streams.Single(s => s.Type == "video");
        Assert.That(video.Fps, Is.EqualTo(25));
        Assert.That(result.Frames, Is.EqualTo((int)Math.Round(scene.DurationMs * 25 / 1000)));
        Assert.That(video.Frames, Is.EqualTo(result.Frames), "every output frame is written, one per 1/25 s");
    }

    [Test]
    public void Text_overlays_show_during_their_time()
    {
        var clip = SolidClip("grey.mp4", "0x202020", 2, size: "320x180");
        using var scene = Compile("""
            { "video": {}, "effects": { "text_overlays": [
              { "text": "HELLO", "start": 0.5, "duration": 1, "position": "center", "style": { "fontSize": 200, "color": "#FFFF00" } } ] } }
            """, clip);
        int Yellow(SKImage f)
        {
            using var bmp = SKBitmap.FromImage(f);
            int n = 0;
            for (int y = 0; y < bmp.Height; y++)
                for (int x = 0; x < bmp.Width; x++)
                    if (Pixels.Near(bmp.GetPixel(x, y), SKColors.Yellow, 30)) n++;
            return n;
        }
        using var before = Frame(scene, 200);
        using var during = Frame(scene, 1000);
        using var after = Frame(scene, 1700);
        Assert.That(Yellow(before), Is.Zero);
        Assert.That(Yellow(during), Is.GreaterThan(500));
        Assert.That(Yellow(after), Is.Zero);
    }

    [Test]
    public void Config_errors_name_their_fields()
    {
        var clip = SplitClip();
        var e = Assert.Throws<ConfigValidationException>(() => Compile("""
            { "video": { "width": 101, "codec": "mpeg2", "fit": "zoom" },
              "effects": { "color_correction": { "brightness": -1, "sepia": 1 }, "blur": "lots", "transitions": { "type": "spin" } },
              "trim": { "start": 2, "end": 1 }, "optimization": { "hardware_acceleration": "yes" } }
            """, clip))!;
        var paths = e.Errors.Select(x => x.Path).ToArray();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            "video.width", "video.codec", "video.fit", "effects.color_correction.brightness", "effects.color_correction.sepia",
            "effects.blur", "effects.transitions.type", "trim.end", "optimization.hardware_acceleration",
        }));

        var missing = Assert.Throws<EngineException>(() => Compile("""{ "clips": ["nope.mp4"] }""", null, _dir))!;
        Assert.That(missing.Code, Is.EqualTo(ErrorCodes.InputNotFound));
        Assert.That(missing.Message, Does.Contain("clips[0]").And.Contain("nope.mp4"));

        var noInput = Assert.Throws<ConfigValidationException>(() => Compile("""{ "video": {} }"""))!;
        Assert.That(noInput.Message, Does.Contain("inputPath"));

        var past = Assert.Throws<ConfigValidationException>(() => Compile("""{ "video": {}, "trim": { "start": 5 } }""", clip))!;
        Assert.That(past.Message, Does.Contain("trim.start").And.Contain("past the end"));
    }

    [TestCase("true", true)]
    [TestCase("\"auto\"", false)]
    public void Hardware_asked_for_in_the_config_falls_back_per_job_and_says_so(string policy, bool reported)
    {
        var clip = SolidClip("hw.mp4", "red", 0.5);
        var engine = new ReelSpeedEngine(EngineOptions.Default); // the engine's own policy: off
        var json = engine.ProcessVideoAsync(clip, Path.Combine(_dir, "hw-out.mp4"), $$"""{ "video": { "codec": "h265" }, "optimization": { "hardware_acceleration": {{policy}} } }""",
            null, null, default).GetAwaiter().GetResult();
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var m = doc.RootElement.GetProperty("metadata");
        Assert.That(m.GetProperty("encoder").GetString(), Is.EqualTo("libx265"), "no encoder hardware here: the software encoder of the codec");
        Assert.That(m.TryGetProperty("hardwareFallback", out var why) && why.ValueKind == System.Text.Json.JsonValueKind.String, Is.EqualTo(reported), json);
        Assert.That(MediaProbe.Probe(Path.Combine(_dir, "hw-out.mp4")).Streams.Single(x => x.Type == "video").Codec, Is.EqualTo("hevc"));
    }

    [Test]
    public void Cuts_of_one_file_are_passed_through_frame_for_frame_and_clips_of_two_files_are_drawn()
    {
        // A frame counter, lossless: each output frame must be exactly the source frame its cut shows.
        var source = Path.Combine(_dir, "counter.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=30:d=3", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", source);
        using var cuts = Compile("""{ "video": { "crf": 0 }, "clips": [ { "path": "counter.mp4", "trim": { "start": 0.5, "end": 1 } }, { "path": "counter.mp4", "trim": { "start": 2, "end": 2.5 } } ] }""", null, _dir);
        Assert.That(cuts.Composition!.PassThrough, Is.True, "cuts of one file need no drawing");
        var output = Path.Combine(_dir, "cuts.mp4");
        RenderJob.Run(cuts, output);
        // Output 0.7 s is the second cut's 0.2 s: source 2.2 s. Both decoded as the engine decodes them, bit for bit.
        foreach (var (outMs, sourceMs) in new[] { (200.0, 700.0), (700.0, 2200.0), (966.0, 2466.0) })
        {
            using var made = Pixels.DecodeFrame(output, outMs / 1000);
            using var shown = Pixels.DecodeFrame(source, sourceMs / 1000);
            Assert.That(Pixels.Ssim(made, shown), Is.GreaterThan(0.9999), $"output {outMs} ms against source {sourceMs} ms");
        }

        var other = Path.Combine(_dir, "other.mp4");
        File.Copy(source, other);
        using var two = Compile("""{ "video": {}, "clips": [ "counter.mp4", "other.mp4" ] }""", null, _dir);
        Assert.That(two.Composition!.PassThrough, Is.False, "two files may differ in colour description: drawn");
    }

    [Test]
    public void Long_joins_keep_at_most_two_decoders_open()
    {
        var clips = Enumerable.Range(0, 4).Select(i => SolidClip($"c{i}.mp4", i % 2 == 0 ? "red" : "blue", 0.5)).ToArray();
        using var scene = Compile($$"""
            { "video": { "width": 64, "height": 64, "fps": 30 }, "clips": [{{string.Join(",", clips.Select(c => "\"" + c + "\""))}}],
              "effects": { "transitions": { "type": "fade", "duration": 200 } } }
            """);
        using var painter = new CompositionPainter(scene.Composition!, scene.Width, scene.Height);
        using var surface = SKSurface.Create(new SKImageInfo(64, 64));
        int most = 0;
        for (int f = 0; f < scene.FrameCount; f++)
        {
            painter.Render(surface.Canvas, scene.FrameTimeMs(f));
            most = Math.Max(most, painter.OpenSources);
        }
        Assert.That(most, Is.EqualTo(2));
    }
}

/// <summary>
/// Size ceilings (optimization.target_size_mb, an upload limit): the quality's encode is kept when it fits; a file over
/// the ceiling is re-encoded two-pass to a byte budget just under it, checked and corrected.
/// </summary>
[TestFixture]
public class TargetSizeTests : TempDirTest
{
    [TestCase("testsrc2=s=320x240:r=30:d=4", 0.15, true)]       // quality "high" makes 0.26 MB
    [TestCase("mandelbrot=s=320x240:r=25,trim=duration=4", 0.25, false)] // 0.42 MB
    [TestCase("life=s=320x240:r=30:mold=10:ratio=0.5:death_color=#880000:life_color=#00ff88,trim=duration=4", 0.4, true)]
    public void Ceilings_the_encode_exceeds_are_met_within_5_percent_and_never_over(string source, double targetMb, bool withAudio)
    {
        var input = Path.Combine(_dir, "in.mp4");
        var args = new List<string> { "-f", "lavfi", "-i", source };
        if (withAudio) args.AddRange(new[] { "-f", "lavfi", "-i", "sine=frequency=330:duration=4" });
        args.AddRange(new[] { "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", "-shortest" });
        if (withAudio) args.AddRange(new[] { "-c:a", "aac" });
        args.Add(input);
        TestSupport.Ffmpeg(args.ToArray());

        using var scene = EngineApi.CompileScene(FormattableString.Invariant($$"""{ "video": { "quality": "high" }, "optimization": { "target_size_mb": {{targetMb}} } }"""), null, input);
        Assert.That(scene.Encode.RateControl, Is.EqualTo(RateControlMode.Crf), "a ceiling first encodes as the quality asks");
        var output = Path.Combine(_dir, "out.mp4");
        var (result, attempts, _) = TargetedRender.Run(scene, output, null, default, null, 0, HardwareAcceleration.Off);
        double ratio = new FileInfo(output).Length / (targetMb * 1_000_000);
        TestContext.Out.WriteLine($"{source}: first {result.SizeTarget?.FirstEncodeBytes} bytes, then {new FileInfo(output).Length} bytes for {targetMb} MB ({ratio:P1}), {attempts} encode(s), {result.WallMs:0} ms");
        Assert.That(result.SizeTarget!.Action, Is.EqualTo("reencoded"));
        Assert.That(result.SizeTarget.FirstEncodeBytes, Is.GreaterThan(targetMb * 1_000_000), "the quality's encode was over the ceiling");
        Assert.That(result.Scene.Encode.RateControl, Is.EqualTo(RateControlMode.TwoPass));
        Assert.That(ratio, Is.InRange(0.95, 1.0), "a ceiling is never exceeded");
        Assert.That(ResultJson.Write(result), Does.Contain("\"sizeTarget\":{\"ceilingMb\":" + targetMb.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\"action\":\"reencoded\""));
        Assert.That(result.FileSize, Is.EqualTo(new FileInfo(output).Length));
    }

    [Test]
    public void A_ceiling_the_encode_fits_under_leaves_it_as_the_quality_made_it()
    {
        // The case: a small clip with the spec's 50 MB ceiling came out blown up to the ceiling's bit rate.
        var input = Path.Combine(_dir, "in.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=3", "-c:v", "libx264", "-pix_fmt", "yuv420p", input);
        var plainOut = Path.Combine(_dir, "plain.mp4");
        using (var plain = EngineApi.CompileScene("""{ "video": { "quality": "high" }, "effects": { "sharpen": 0.2 } }""", null, input))
            TargetedRender.Run(plain, plainOut, null, default, null, 0, HardwareAcceleration.Off);
        using var scene = EngineApi.CompileScene("""{ "video": { "quality": "high" }, "effects": { "sharpen": 0.2 }, "optimization": { "target_size_mb": 50 } }""", null, input);
        var output = Path.Combine(_dir, "out.mp4");
        var (result, attempts, note) = TargetedRender.Run(scene, output, null, default, null, 0, HardwareAcceleration.Off);
        Assert.That(attempts, Is.EqualTo(1));
        Assert.That(note, Is.Null);
        Assert.That(result.SizeTarget, Is.EqualTo(new SizeCeilingOutcome(50, "within", result.FileSize, 1)));
        Assert.That(result.Scene.Encode.RateControl, Is.EqualTo(RateControlMode.Crf));
        Assert.That((double)result.FileSize, Is.EqualTo(new FileInfo(plainOut).Length).Within(2).Percent, "the same encode as without the ceiling");
        Assert.That(result.FileSize, Is.LessThan(2_000_000));
        Assert.That(ResultJson.Write(result), Does.Contain("\"sizeTarget\":{\"ceilingMb\":50,\"action\":\"within\""));
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "in.mp4", "plain.mp4", "out.mp4" }));
    }

    [Test]
    public void An_abort_during_the_reencode_leaves_no_file()
    {
        // A busy clip over a small ceiling: the quality's encode is too big, so a two-pass re-encode follows it.
        var input = Path.Combine(_dir, "busy.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=2", "-c:v", "libx264", "-crf", "10", "-pix_fmt", "yuv420p", input);
        using var scene = EngineApi.CompileScene("""{ "video": { "quality": "high" }, "optimization": { "target_size_mb": 0.06 } }""", null, input);
        using var cts = new CancellationTokenSource();
        var output = Path.Combine(_dir, "out.mp4");
        var stages = new List<string>();
        var e = Assert.Throws<EngineException>(() => TargetedRender.Run(scene, output, p => { stages.Add(p.Stage); if (p.Stage.Contains("reencode")) cts.Cancel(); }, cts.Token, null, 0, HardwareAcceleration.Off))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Aborted), string.Join(",", stages.Distinct()));
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "busy.mp4" }), "neither the first encode nor a partial second remains");
    }

    [Test]
    public void A_target_size_cannot_be_combined_with_a_crf()
    {
        var input = Path.Combine(_dir, "in.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=30:d=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", input);
        var e = Assert.Throws<ConfigValidationException>(() => EngineApi.CompileScene("""{ "video": { "crf": 18 }, "optimization": { "target_size_mb": 1 } }""", null, input))!;
        Assert.That(e.Errors.Select(x => x.Path), Does.Contain("optimization.target_size_mb"));
    }

    [Test]
    public void An_unreachable_target_names_the_smallest_size()
    {
        var input = Path.Combine(_dir, "in.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=10", "-c:v", "libx264", "-pix_fmt", "yuv420p", input);
        // A ceiling is only enforced once the encode exceeds it: the error comes from the render, not the compile.
        using var scene = EngineApi.CompileScene("""{ "optimization": { "target_size_mb": 0.01 } }""", null, input);
        var e = Assert.Throws<EngineException>(() => TargetedRender.Run(scene, Path.Combine(_dir, "out.mp4"), null, default, null, 0, HardwareAcceleration.Off))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.TargetUnreachable));
        Assert.That(e.Message, Does.Contain("optimization.target_size_mb").And.Contain("smallest achievable size is"));
    }
}
