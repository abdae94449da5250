using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// A two-pass render handed a completed first pass (<see cref="JobOptions.FirstPass"/>) encodes only the second:
/// the file is the one a full two-pass render makes, and x264 scales the plan to another bit rate from the same
/// statistics (how a size retry and optimizeVideo's size decision save a pass).
/// </summary>
[TestFixture]
public class FirstPassReuseTests : TempDirTest
{
    private string Input()
    {
        var input = Path.Combine(_dir, "in.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=3", "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", input);
        return input;
    }

    private static List<string> Stages(Action<Action<RenderProgress>> run)
    {
        var stages = new List<string>();
        run(p => { lock (stages) stages.Add(p.Stage); });
        return stages.Distinct().ToList();
    }

    [Test]
    public void A_completed_first_pass_makes_the_same_file_with_one_pass_and_scales_to_other_rates()
    {
        var input = Input();
        using var plain = EngineApi.CompileScene("""{ "video": { "quality": "high" } }""", null, input);
        using var scene = TwoPass(plain, 300);
        // One x264 thread: the bit stream then depends on nothing but the input and the statistics.
        var options = new JobOptions { EncoderThreads = 1 };
        using var stats = TwoPassStats.Create(_dir);
        string a = Path.Combine(_dir, "a.mp4"), b = Path.Combine(_dir, "b.mp4"), c = Path.Combine(_dir, "c.mp4");

        var both = Stages(p => Run(scene, a, options with { FirstPass = stats }, p));
        Assert.That(stats.FirstPassDone, Is.True, "the first render filled the statistics it was handed");
        Assert.That(both, Does.Contain("pass-1"));
        var secondOnly = Stages(p => Run(scene, b, options with { FirstPass = stats }, p));
        Assert.That(secondOnly, Has.None.Contain("pass-1"), string.Join(",", secondOnly));
        Assert.That(File.ReadAllBytes(b), Is.EqualTo(File.ReadAllBytes(a)), "pass 2 from handed-on statistics is the same encode");

        // A size retry's correction: 10 % more bits from the same statistics makes a file about 10 % bigger.
        using var corrected = scene.WithEncode(scene.Encode with { BitrateKbps = 330 });
        Run(corrected, c, options with { FirstPass = stats }, null);
        double ratio = new FileInfo(c).Length / (double)new FileInfo(a).Length;
        TestContext.Out.WriteLine($"300 kbit/s: {new FileInfo(a).Length} bytes; 330 kbit/s from the same first pass: {new FileInfo(c).Length} bytes ({ratio:0.###}x)");
        Assert.That(ratio, Is.InRange(1.06, 1.14), "the second pass met the corrected rate");
    }

    [Test]
    public void The_first_pass_alone_leaves_statistics_and_a_mean_quantiser()
    {
        var input = Input();
        using var plain = EngineApi.CompileScene("""{ "video": { "quality": "high" } }""", null, input);
        using var scene = TwoPass(plain, 300);
        using var stats = TwoPassStats.Create(_dir);
        new RenderJob(scene, "").RunFirstPass(stats, new ProgressTracker(null, scene.FrameCount).Root, default);
        Assert.That(stats.FirstPassEncoder, Is.EqualTo("libx264"));
        // 30 kbit/s starves the 320x240 test pattern that 300 kbit/s codes at a moderate quantiser.
        Assert.That(stats.MeanQuantizer(), Is.InRange(10, 40));
        using var starved = scene.WithEncode(scene.Encode with { BitrateKbps = 30 });
        using var stats2 = TwoPassStats.Create(_dir);
        new RenderJob(starved, "").RunFirstPass(stats2, new ProgressTracker(null, scene.FrameCount).Root, default);
        Assert.That(stats2.MeanQuantizer(), Is.GreaterThan(stats.MeanQuantizer()!.Value + 10));
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "in.mp4" }), "no file written");
    }

    [Test]
    public void The_two_pass_is_the_ffmpeg_CLIs_two_pass()
    {
        // What optimizeVideo encodes at full size, against `ffmpeg -pass 1` (into the null muxer) and `-pass 2` with the same
        // x264 settings. A first pass with global headers leaves the options SEI out of the first frame's statistics; x264's
        // rate control then takes another path (a grain clip came 3.5 % over in pass 2 where the CLI's landed at +0.3 %).
        var input = Path.Combine(_dir, "grain.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=0x807060:s=320x240:r=30:d=4,noise=alls=25:allf=t+u", "-c:v", "libx264", "-crf", "8",
            "-preset", "ultrafast", "-pix_fmt", "yuv420p", input);
        var options = OptimizeOptions.Parse("{}", null);
        using var full = Engine.Pipeline.Optimize.BuildScene(input, 0.1, options with { AllowDownscale = false });
        Assert.That(full.Encode.RateControl, Is.EqualTo(RateControlMode.TwoPass));
        string engine = Path.Combine(_dir, "engine.mp4"), cli = Path.Combine(_dir, "cli.mp4"), log = Path.Combine(_dir, "cli-pass");
        Run(full, engine, new JobOptions { EncoderThreads = 1 }, null);
        var common = new[] { "-i", input, "-an", "-c:v", "libx264", "-preset", full.Encode.Preset, "-b:v", $"{full.Encode.BitrateKbps}k", "-threads", "1",
            "-g", "300", "-keyint_min", "30", "-passlogfile", log };
        TestSupport.Ffmpeg([.. common, "-pass", "1", "-f", "null", "-"]);
        TestSupport.Ffmpeg([.. common, "-pass", "2", cli]);
        // The first pass's statistics of the first frame are the CLI's, headers and options SEI counted in it (with global
        // headers they were 106 bits of "misc" where the CLI's pass 1 has ~5,970).
        using (var stats = TwoPassStats.Create(_dir))
        {
            new RenderJob(full, "", new JobOptions { EncoderThreads = 1 }).RunFirstPass(stats, new ProgressTracker(null, full.FrameCount).Root, default);
            string FirstFrame(string log) => File.ReadLines(log).First(l => l.StartsWith("in:0 "));
            Assert.That(FirstFrame(stats.LogPath), Is.EqualTo(FirstFrame(log + "-0.log")), "the first frame's first-pass statistics");
        }
        string[] ours = TestSupport.VideoHashes(engine, packets: true), theirs = TestSupport.VideoHashes(cli, packets: true);
        long Bytes(string[] packets) => packets.Sum(p => long.Parse(p.Split(',')[0]));
        int same = ours.Zip(theirs).TakeWhile(p => p.First == p.Second).Count();
        TestContext.Out.WriteLine($"{same} of {theirs.Length} packets identical before the first difference; {Bytes(ours)} bytes against {Bytes(theirs)}");
        // Usually every packet is identical, but the engine's encodes are not always bit-reproducible from run to run (a
        // difference from packet 4 on, seen once in a fresh clone's full suite; open), so past the statistics above the
        // check is the size x264's rate control reached.
        Assert.That(ours, Has.Length.EqualTo(theirs.Length));
        // Within 2 %: the engine's encode has come 1.3 % apart from the CLI's in fresh clones' suites (libx264's mbtree reads heap
        // memory it never wrote: in a process that has run other encodes its output varies; the CLI runs in a fresh process, whose
        // zeroed pages make it repeat); a first pass with global headers took x264's other rate-control path, 3.5 % apart.
        Assert.That(Bytes(ours) / (double)Bytes(theirs), Is.EqualTo(1).Within(0.02), "the CLI's rate-control path: the same bytes");
    }

    [Test]
    public void A_first_pass_scores_itself_as_ffmpeg_scores_the_CLIs_pass_1_output()
    {
        // optimizeVideo's 'first-passes' size decision scores each size's first pass as it encodes: the score must be that of the
        // same encode written out (the CLI's `-pass 1`, the engine's pass being the CLI's) against the input, the smaller size
        // scaled back up bicubic, as ffmpeg's ssim filter computes it.
        var input = Path.Combine(_dir, "turning.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=3,rotate=a=t/2:fillcolor=black", "-c:v", "libx264", "-crf", "8",
            "-preset", "ultrafast", "-pix_fmt", "yuv420p", input);
        var options = OptimizeOptions.Parse("{}", null);
        using var full = Engine.Pipeline.Optimize.BuildScene(input, 0.036, options with { AllowDownscale = false });
        using var small = Engine.Pipeline.Optimize.BuildScene(input, 0.036, options);
        Assert.That(small.Width, Is.LessThan(full.Width), "the budget is under 0.05 bits per pixel");
        foreach (var scene in new[] { full, small })
        {
            var probe = new InFlightQualityProbe(new QualityOptions { DistortedName = "first pass", ReferenceName = "inputPath" });
            using (var stats = TwoPassStats.Create(_dir))
                new RenderJob(scene, "", new JobOptions { EncoderThreads = 1, Quality = probe }).RunFirstPass(stats, new ProgressTracker(null, scene.FrameCount).Root, default);
            // MPEG-TS: headers in band, as the engine's pass 1 and the CLI's into its null muxer have them (see above).
            string cli = Path.Combine(_dir, $"pass1-{scene.Width}.ts");
            TestSupport.Ffmpeg("-i", input, "-an", "-vf", $"scale={scene.Width}:{scene.Height}:flags=bicubic", "-c:v", "libx264", "-preset", scene.Encode.Preset,
                "-b:v", $"{scene.Encode.BitrateKbps}k", "-threads", "1", "-g", "300", "-keyint_min", "30", "-passlogfile", Path.Combine(_dir, "cli-pass"), "-pass", "1", cli);
            double ffmpeg = TestSupport.FfmpegSsim(cli, input, full.Width, full.Height);
            TestContext.Out.WriteLine($"{scene.Width}x{scene.Height}: in flight {probe.Result!.Ssim:0.######}, ffmpeg {ffmpeg:0.######}");
            Assert.That(probe.Result.FramesCompared, Is.EqualTo(scene.FrameCount));
            // Measured equal at full size and 4e-5 apart scaled when the engine's pass is the CLI's, but the engine's encodes vary with
            // the process's heap (see above): 1.04e-3 (scaled) and 1.39e-3 (full size) apart in fresh clones' suites. Within the decision's margin.
            Assert.That(probe.Result.Ssim, Is.EqualTo(ffmpeg).Within(SizeSampling.FirstPassMargin), $"{scene.Width}x{scene.Height}");
        }
    }

    [Test]
    public void The_second_pass_reads_the_frames_the_first_pass_decoded_and_makes_the_file_decoding_twice_makes()
    {
        // Grainy, so its frames take enough of their raw size compressed to be worth keeping (DecodeLog.MinCompressedShare).
        var input = Path.Combine(_dir, "in.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=3,noise=alls=12:allf=t", "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", input);
        using var scene = Engine.Pipeline.Optimize.BuildScene(input, 0.1, OptimizeOptions.Parse("{}", null) with { AllowDownscale = false });
        Assert.That((scene.Composition!.PassThrough, scene.Encode.RateControl), Is.EqualTo((true, RateControlMode.TwoPass)));
        string disk = TestSupport.OnDiskTempDir(); // where the frames are kept (never in memory)
        var options = new JobOptions { EncoderThreads = 1, TempDirectory = disk };
        string twice = Path.Combine(_dir, "twice.mp4"), given = Path.Combine(_dir, "given.mp4"), own = Path.Combine(_dir, "own.mp4");
        // Decoding twice: a log already abandoned stands in for the render's own, and neither pass records or replays.
        using (var off = DecodeLog.Create(input, disk)!)
        {
            off.Abandon("the test decodes twice");
            Run(scene, twice, options with { DecodeLog = off }, null);
            Assert.That(off.Replayed, Is.EqualTo(0));
        }
        using (var log = DecodeLog.Create(input, disk)!)
        {
            Run(scene, given, options with { DecodeLog = log }, null);
            Assert.That((log.CanReplay, log.ReachedEnd), Is.EqualTo((true, true)), log.AbandonedBecause);
            Assert.That(log.Frames, Is.EqualTo(90), "3 s at 30 fps, recorded by the first pass");
            Assert.That(log.Replayed, Is.EqualTo(log.Frames), "and read back by the second");
        }
        Run(scene, own, options, null); // the render keeps its own log between its passes
        // A size-targeted render runs its first pass on its own, then each attempt's second pass: every attempt reads the frames back.
        string targeted = Path.Combine(_dir, "targeted.mp4");
        using (var log = DecodeLog.Create(input, disk)!)
        {
            var r = TargetedRender.Run(scene, targeted, options with { DecodeLog = log }, new ProgressTracker(null, scene.FrameCount).Root, default);
            Assert.That((log.Frames, log.Replayed), Is.EqualTo((90, 90L * r.Attempts)), log.AbandonedBecause);
        }
        File.Delete(targeted);
        Assert.That(Directory.GetFileSystemEntries(disk), Is.Empty, "no frames file left");
        Directory.Delete(disk);
        Assert.That(File.ReadAllBytes(given), Is.EqualTo(File.ReadAllBytes(twice)), "the same pictures, so the same encode");
        Assert.That(File.ReadAllBytes(own), Is.EqualTo(File.ReadAllBytes(twice)));
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "in.mp4", "twice.mp4", "given.mp4", "own.mp4" }));
    }

    private static Scene TwoPass(Scene plain, int kbps) => plain.WithEncode(plain.Encode with { RateControl = RateControlMode.TwoPass, BitrateKbps = kbps });

    private static void Run(Scene scene, string output, JobOptions options, Action<RenderProgress>? progress)
    {
        var tracker = new ProgressTracker(progress, scene.FrameCount);
        new RenderJob(scene, output, options).Run(tracker.Root, default);
    }
}
