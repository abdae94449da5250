using System.Text.Json;
using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// x264's rate control at a very low bit rate can get stuck at its highest quantiser on content that codes almost for
/// free at a good one: a scrolling screen (a cellular automaton growing one row a frame, as a terminal scrolls). Each
/// poor picture makes the next, predicted from it, cost more; the pass-1 statistics carry that into pass 2. The first
/// pass checks for it (<see cref="RenderJob"/>'s constant-quality trial), and optimizeVideo stops correcting an undershoot
/// its own measurement says no bits could improve.
/// </summary>
[TestFixture]
public class StuckRateControlTests : TempDirTest
{
    private string Clip(string source, string name)
    {
        var input = Path.Combine(_dir, name);
        TestSupport.Ffmpeg("-f", "lavfi", "-i", source, "-c:v", "libx264", "-crf", "8", "-preset", "ultrafast", "-pix_fmt", "yuv420p", input);
        return input;
    }

    // 272x480, 6 s, fixed seed: the ffmpeg CLI's two-pass at 25 kbit/s scores SSIM 0.55 on it, from a first pass whose
    // mean quantiser is 68.7 (x264's highest is 69); a constant-quality first pass makes the same second pass 0.98.
    private string Scroll() => Clip("cellauto=s=68x120:r=30:rule=110:seed=8,scale=272:480:flags=neighbor,trim=duration=6", "scroll.mp4");

    private static Scene TwoPass(string input, int kbps)
    {
        using var plain = EngineApi.CompileScene("""{ "video": { "quality": "high" } }""", null, input);
        return plain.WithEncode(plain.Encode with { RateControl = RateControlMode.TwoPass, BitrateKbps = kbps, KeyframeSeconds = 10 });
    }

    private double EncodeWith(Scene scene, TwoPassStats stats, string output, string input)
    {
        var tracker = new ProgressTracker(null, scene.FrameCount);
        new RenderJob(scene, output, new JobOptions { EncoderThreads = 1, FirstPass = stats }).Run(tracker.Root, default);
        return VideoQuality.Compare(output, input).Ssim;
    }

    [Test]
    public void A_first_pass_stuck_at_the_top_quantiser_is_replaced_by_a_constant_quality_one_and_pass_2_recovers()
    {
        var input = Scroll();
        using var scene = TwoPass(input, 25);
        var options = new JobOptions { EncoderThreads = 1 };
        var root = new ProgressTracker(null, scene.FrameCount).Root;

        using var unchecked_ = TwoPassStats.Create(_dir);
        new RenderJob(scene, "", options).RunFirstPass(unchecked_, root, default, checkStuck: false);
        Assert.That(unchecked_.MeanQuantizer(), Is.GreaterThanOrEqualTo(RenderJob.StuckQuantizer), "the rate control got stuck at the top");
        Assert.That(unchecked_.ConstantQuality, Is.Null);

        using var checkedStats = TwoPassStats.Create(_dir);
        var stages = new List<string>();
        var tracker = new ProgressTracker(p => { lock (stages) stages.Add(p.Stage); }, scene.FrameCount);
        new RenderJob(scene, "", options).RunFirstPass(checkedStats, tracker.Root, default);
        Assert.That(stages, Does.Contain("pass-1-crf"));
        var cq = checkedStats.ConstantQuality;
        Assert.That(cq, Is.Not.Null, "the constant-quality trial fitted and replaced the statistics");
        Assert.That(cq!.Crf, Is.EqualTo(RenderJob.StuckCrf));
        Assert.That(cq.RateQuantizer, Is.GreaterThanOrEqualTo(RenderJob.StuckQuantizer));
        Assert.That(cq.Kbps, Is.LessThanOrEqualTo(25 * RenderJob.StuckBudgetFactor));
        Assert.That(checkedStats.MeanQuantizer(), Is.LessThan(40), "the statistics now are the constant-quality pass's");

        double stuck = EncodeWith(scene, unchecked_, Path.Combine(_dir, "stuck.mp4"), input);
        double recovered = EncodeWith(scene, checkedStats, Path.Combine(_dir, "recovered.mp4"), input);
        long stuckBytes = new FileInfo(Path.Combine(_dir, "stuck.mp4")).Length, recoveredBytes = new FileInfo(Path.Combine(_dir, "recovered.mp4")).Length;
        TestContext.Out.WriteLine($"pass 2 at 25 kbit/s: from the stuck pass SSIM {stuck:0.####} ({stuckBytes} bytes); from the constant-quality pass {recovered:0.####} ({recoveredBytes} bytes); trial {cq.Kbps} kbit/s");
        Assert.That(recovered, Is.GreaterThan(0.9));
        Assert.That(recovered, Is.GreaterThan(stuck + 0.3), "the stuck statistics plan a far worse encode");
        Assert.That(recoveredBytes, Is.LessThanOrEqualTo(stuckBytes * 1.15), "at about the same size");
    }

    [Test]
    public void A_pass_at_the_top_for_part_of_the_clip_may_be_stuck_whatever_its_mean()
    {
        // The 1080x1920 screen recording at 263 kbit/s over 30 s: 156 of its 900 frames at 68-69, the rest coming down to 56 (mean 62.3).
        static TwoPassStats Pass(int atTop, double rest, int frames = 900) => SyntheticFirstPass.Written(
            Enumerable.Range(0, frames).Select(i => new TwoPassStats.FrameStats('P', i < atTop ? 69 : rest, 1000)).ToList());
        using (var partly = Pass(156, 61)) Assert.That((partly.MeanQuantizer() < RenderJob.StuckQuantizer, RenderJob.MayBeStuck(partly.Frames())), Is.EqualTo((true, true)));
        using (var bound = Pass(90, 50)) Assert.That(RenderJob.MayBeStuck(bound.Frames()), Is.True, "a tenth of the frames is in");
        using (var few = Pass(89, 50)) Assert.That(RenderJob.MayBeStuck(few.Frames()), Is.False);
        using (var high = Pass(0, 64)) Assert.That(RenderJob.MayBeStuck(high.Frames()), Is.True, "the mean alone, as before");
        using (var starved = Pass(0, 63.9)) Assert.That(RenderJob.MayBeStuck(starved.Frames()), Is.False);
        using var none = TwoPassStats.Create(null);
        Assert.That(RenderJob.MayBeStuck(none.Frames()), Is.False);
    }

    [Test]
    public void Starved_ordinary_content_stops_the_trial_early_and_keeps_the_rate_statistics()
    {
        // A turning test pattern at 16 kbit/s: the rate control is at the top because every picture is new, not stuck; at
        // crf 23 it is many times over the budget, so the trial stops within its first packets and the first statistics stand.
        var input = Clip("testsrc2=s=272x480:r=30:d=4,hue=H=t*2,rotate=a=t/2:fillcolor=black", "turning.mp4");
        using var scene = TwoPass(input, 16);
        using var stats = TwoPassStats.Create(_dir);
        var stages = new List<(string Stage, int Frame)>();
        var tracker = new ProgressTracker(p => { lock (stages) stages.Add((p.Stage, p.Frame)); }, scene.FrameCount);
        new RenderJob(scene, "", new JobOptions { EncoderThreads = 1 }).RunFirstPass(stats, tracker.Root, default);
        Assert.That(stages.Select(s => s.Stage), Does.Contain("pass-1-crf"), "the pass was at the top: the trial ran");
        Assert.That(stats.ConstantQuality, Is.Null, "and did not fit");
        Assert.That(stats.MeanQuantizer(), Is.GreaterThanOrEqualTo(RenderJob.StuckQuantizer), "the rate's statistics stand");
        Assert.That(stats.FirstPassDone, Is.True);
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "turning.mp4" }), "no file left by the trial");
    }

    [Test]
    public void An_encode_asked_twice_what_the_first_pass_spent_that_spends_no_more_is_saturated()
    {
        const double seconds = 10, pass = 100_000; // bytes the first pass spent: 80 kbit/s
        Assert.That(TargetedRender.SpentNoMore(null, pass, 160, seconds, 102_000), Is.True, "asked twice, spent 2 % more");
        Assert.That(TargetedRender.SpentNoMore(null, pass, 160, seconds, 102_001), Is.False, "spent more: more bits made a bigger file");
        Assert.That(TargetedRender.SpentNoMore(null, pass, 159, seconds, 50_000), Is.False, "asked under twice what the pass spent");
        Assert.That(TargetedRender.SpentNoMore(null, null, 1000, seconds, 50_000), Is.False, "no first pass (another encoder)");
        Assert.That(TargetedRender.SpentNoMore(null, pass, 1000, seconds, 0), Is.False, "no video bytes known");
        // A measured encode under the transparency bar says more bits may still show (a transparent one is kept on its own evidence).
        var measured = new QualityResult(0.96, 0.95, 0.98, 0.98, 30, 29, 300, 320, 240, 0, 100, 50);
        Assert.That(TargetedRender.SpentNoMore(measured, pass, 160, seconds, 50_000), Is.False, "measured: the corrections run");
    }

    [Test]
    public void The_early_check_looks_stuck_where_half_the_packets_sit_at_the_top_with_a_stuck_mean()
    {
        Assert.That(EarlyStuckWatch.Stuck(30, 60, RenderJob.StuckQuantizer), Is.True, "half at the top is in");
        Assert.That(EarlyStuckWatch.Stuck(29, 60, 66), Is.False, "under half at the top");
        Assert.That(EarlyStuckWatch.Stuck(45, 60, 63.9), Is.False, "a mean under the stuck one");
        Assert.That(EarlyStuckWatch.Stuck(0, 0, double.NaN), Is.False);
        Assert.That((EarlyStuckWatch.Applies(EarlyStuckWatch.MinFrames - 1, EncodeSettings.H264), EarlyStuckWatch.Applies(EarlyStuckWatch.MinFrames, EncodeSettings.H264)),
            Is.EqualTo((false, true)), "a short pass runs whole: the packets watched would be too much of it");
        Assert.That((EarlyStuckWatch.Applies(6000, EncodeSettings.H265), EarlyStuckWatch.Applies(6000, EncodeSettings.Vp9)), Is.EqualTo((false, false)),
            "x265's and libvpx's passes are not watched: the trial is an x264 pass");
    }

    /// <summary>The stages a first pass reports, each with the last frame reported in it, in order (a stage run again is listed again).</summary>
    private static (List<(string Stage, int Frame)> Stages, ProgressTracker Tracker) Recorded(int frames)
    {
        var stages = new List<(string Stage, int Frame)>();
        var tracker = new ProgressTracker(p =>
        {
            lock (stages)
            {
                if (stages.Count > 0 && stages[^1].Stage == p.Stage) stages[^1] = (p.Stage, p.Frame);
                else stages.Add((p.Stage, p.Frame));
            }
        }, frames);
        return (stages, tracker);
    }

    [Test]
    public void A_long_pass_whose_first_packets_look_stuck_is_cut_there_and_the_trial_replaces_it()
    {
        // 20 s of the scroll at 25 kbit/s: its first pass sits at the top from its start (90 % of the 60 packets after the keyframe in the
        // ffmpeg CLI's), so the trial runs after those instead of after the whole pass.
        var input = Clip("cellauto=s=68x120:r=30:rule=110:seed=8,scale=272:480:flags=neighbor,trim=duration=20", "scroll20.mp4");
        using var scene = TwoPass(input, 25);
        Assert.That(EarlyStuckWatch.Applies(scene.FrameCount, scene.Encode.Codec), Is.True);
        using var stats = TwoPassStats.Create(_dir);
        var (stages, tracker) = Recorded(scene.FrameCount);
        var run = new RenderJob(scene, "", new JobOptions { EncoderThreads = 1 }).RunFirstPass(stats, tracker.Root, default);
        TestContext.Out.WriteLine(string.Join(", ", stages));
        Assert.That(run.Cut, Is.False, "the trial's statistics are whole");
        Assert.That(stages.Select(s => s.Stage), Is.EqualTo(new[] { "pass-1", "pass-1-crf" }), "cut once for the trial, not run again");
        Assert.That(stages[0].Frame, Is.LessThan(scene.FrameCount / 3), "the pass was cut near its start");
        var cq = stats.ConstantQuality;
        Assert.That(cq, Is.Not.Null, "the trial fitted");
        Assert.That(cq!.Watched, Is.EqualTo(EarlyStuckWatch.Packets));
        Assert.That(cq.RateQuantizer, Is.GreaterThanOrEqualTo(RenderJob.StuckQuantizer));
        Assert.That(cq.Averaged, Does.Contain($"over its first {EarlyStuckWatch.Packets} frames after the keyframe, where it was cut"));
        Assert.That((stats.FirstPassDone, stats.Frames().Count), Is.EqualTo((true, scene.FrameCount)), "the trial's statistics cover the clip");
        Assert.That(stats.MeanQuantizer(), Is.LessThan(40));
    }

    [Test]
    public void A_long_starved_pass_cut_for_a_trial_that_overshoots_runs_again_whole_and_a_watched_one_comes_back_cut()
    {
        // 20 s of the turning test pattern at 16 kbit/s: at the top from its start because every picture is new; the trial overshoots
        // in its first packets. Unwatched, the pass runs again here; watched, the caller runs it again with fresh watchers.
        var input = Clip("testsrc2=s=272x480:r=30:d=20,hue=H=t*2,rotate=a=t/2:fillcolor=black", "turning20.mp4");
        using var scene = TwoPass(input, 16);
        var options = new JobOptions { EncoderThreads = 1 };
        string logDir = TestSupport.OnDiskTempDir(); // never a folder held in memory, where no log is kept
        using (var stats = TwoPassStats.Create(_dir))
        using (var log = DecodeLog.Create(input, logDir, minCompressedShare: 0) ?? throw new AssertionException("no decode log"))
        {
            var (stages, tracker) = Recorded(scene.FrameCount);
            var run = new RenderJob(scene, "", options with { DecodeLog = log }).RunFirstPass(stats, tracker.Root, default);
            TestContext.Out.WriteLine(string.Join(", ", stages));
            Assert.That(stages.Select(s => s.Stage), Is.EqualTo(new[] { "pass-1", "pass-1-crf", "pass-1" }));
            Assert.That(run.Cut, Is.False);
            Assert.That((stats.FirstPassDone, stats.ConstantQuality, stats.Frames().Count), Is.EqualTo((true, (ConstantQualityFirstPass?)null, scene.FrameCount)),
                "the rate's statistics, whole");
            Assert.That(stats.MeanQuantizer(), Is.GreaterThanOrEqualTo(RenderJob.StuckQuantizer));
            // The cut pass recorded the input's first frames only; the passes after it read those back and recorded the rest, so the
            // encode's second pass reads the whole input back instead of decoding it past the cut.
            Assert.That((log.CanReplay, log.ReachedEnd, log.Frames), Is.EqualTo((true, true, scene.FrameCount)), log.AbandonedBecause);
            Assert.That(log.Replayed, Is.GreaterThan(EarlyStuckWatch.Packets));
        }
        Directory.Delete(logDir, recursive: true);
        using (var stats = TwoPassStats.Create(_dir))
        {
            var packets = new NullPacketSink();
            var run = new RenderJob(scene, "", options).RunFirstPass(stats, new ProgressTracker(null, scene.FrameCount).Root, default, sink: packets, earlyStuck: true);
            Assert.That((run.Cut, stats.FirstPassDone), Is.EqualTo((true, false)), "cut, the statistics incomplete");
            Assert.That(packets.Packets, Is.GreaterThan(EarlyStuckWatch.Packets).And.LessThan(scene.FrameCount / 2), "the watcher saw the pass up to the cut");
            var again = new RenderJob(scene, "", options).RunFirstPass(stats, new ProgressTracker(null, scene.FrameCount).Root, default, checkStuck: false,
                sink: new NullPacketSink(), earlyStuck: true);
            Assert.That((again.Cut, stats.FirstPassDone, stats.Frames().Count), Is.EqualTo((false, true, scene.FrameCount)), "run again without the check: whole");
        }
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "turning20.mp4" }), "no file left by the cut passes or the trials");
    }

    [Test]
    public void OptimizeVideo_runs_its_first_passes_again_after_a_cut_whose_trial_overshot_and_decides_from_them()
    {
        // The same starved pattern through optimizeVideo: the full size's pass (with the smaller size's beside it) is cut for the trial,
        // which overshoots; both passes run again from their start, the stuck check ruled out, and decide the size as usual.
        var input = Clip("testsrc2=s=272x480:r=30:d=20,hue=H=t*2,rotate=a=t/2:fillcolor=black", "turning20.mp4");
        var engine = new ReelSpeedEngine(EngineOptions.Default);
        var stages = new List<string>();
        var json = engine.OptimizeVideoAsync(input, 0.07, "{}", null, p => { lock (stages) if (stages.Count == 0 || stages[^1] != p.Stage) stages.Add(p.Stage); }, default)
            .GetAwaiter().GetResult();
        TestContext.Out.WriteLine(string.Join(", ", stages));
        TestContext.Out.WriteLine(json);
        var r = JsonDocument.Parse(json).RootElement;
        string reason = r.GetProperty("sizeDecision").GetProperty("reason").GetString()!;
        int trial = stages.IndexOf("pass-1-crf-sizing");
        Assert.That(trial, Is.GreaterThan(0), "the trial ran after the cut");
        Assert.That(stages.Skip(trial + 1), Does.Contain("pass-1-sizing"), "the first pass ran again");
        Assert.That(r.GetProperty("sizeDecision").GetProperty("method").GetString(), Is.EqualTo("first-passes"), reason);
        Assert.That(reason, Does.Contain($"(run again: half or more of its first {EarlyStuckWatch.Packets} frames after the keyframe sat at x264's top quantisers, but a constant-quality trial at crf 23 ran over 2x the budget's pace: starved, not stuck)"));
        Assert.That(r.GetProperty("encodes").GetInt32(), Is.EqualTo(1), reason);
        Assert.That(r.GetProperty("optimizedSize").GetInt64() / 70_000.0, Is.InRange(1 - TargetedRender.MaxUnder, 1 + TargetedRender.MaxOver));
        Assert.That(Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "turning20.mp4", "turning20.optimized.mp4" }));
    }

    [Test]
    public void OptimizeVideo_keeps_the_stuck_scroll_sharp_at_full_size_and_says_why()
    {
        var input = Scroll();
        var engine = new ReelSpeedEngine(EngineOptions.Default);
        // About 26 kbit/s of video over 6 s (the MP4 tables take the rest): the size decision's first pass gets stuck,
        // the trial fits, and the full size is kept without samples.
        var json = engine.OptimizeVideoAsync(input, 0.024, "{}", null, null, default).GetAwaiter().GetResult();
        var r = JsonDocument.Parse(json).RootElement;
        TestContext.Out.WriteLine(json);
        var decision = r.GetProperty("sizeDecision");
        Assert.That(decision.GetProperty("method").GetString(), Is.EqualTo("first-pass"));
        Assert.That(decision.GetProperty("reason").GetString(), Does.Contain("stuck").And.Contain("crf 23"));
        Assert.That(r.GetProperty("width").GetInt32(), Is.EqualTo(272));
        Assert.That(r.GetProperty("ssim").GetDouble(), Is.GreaterThan(0.9));
        Assert.That(r.GetProperty("optimizedSize").GetInt64(), Is.LessThanOrEqualTo((long)(0.024 * 1_000_000 * 1.02)));
    }

    [Test]
    public void Aborting_during_the_constant_quality_trial_rejects_and_leaves_nothing()
    {
        var input = Scroll();
        using var cts = new CancellationTokenSource();
        var engine = new ReelSpeedEngine(EngineOptions.Default);
        var seen = false;
        var e = Assert.Throws<EngineException>(() => engine.OptimizeVideoAsync(input, 0.024, """{ "allowDownscale": false }""", null,
            p => { if (p.Stage == "pass-1-crf") { seen = true; cts.Cancel(); } }, cts.Token).GetAwaiter().GetResult())!;
        Assert.That(seen, Is.True, "the trial ran");
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Aborted));
        Assert.That(Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "scroll.mp4" }), "nothing left behind");
    }

    [TestCase("pass-1-crf-sizing", 1)]
    [TestCase("pass-1-sizing", 2)]
    public void Aborting_after_an_early_cut_rejects_and_leaves_nothing(string stage, int seen)
    {
        // The starved pattern's first passes are cut for the trial, which runs over, and run again: an abort during the trial, or during
        // the passes run again (the stage's second time), stops the job there.
        var input = Clip("testsrc2=s=272x480:r=30:d=20,hue=H=t*2,rotate=a=t/2:fillcolor=black", "turning20.mp4");
        using var cts = new CancellationTokenSource();
        var engine = new ReelSpeedEngine(EngineOptions.Default);
        string? last = null;
        int count = 0;
        var e = Assert.Throws<EngineException>(() => engine.OptimizeVideoAsync(input, 0.07, "{}", null, p =>
        {
            if (p.Stage != last && p.Stage == stage && ++count == seen) cts.Cancel();
            last = p.Stage;
        }, cts.Token).GetAwaiter().GetResult())!;
        Assert.That(count, Is.EqualTo(seen), $"{stage} ran {seen} time(s)");
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Aborted));
        Assert.That(Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "turning20.mp4" }), "nothing left behind");
    }

    [Test]
    public void An_undershoot_measured_as_transparent_is_kept_without_corrections()
    {
        // A still screen needs a fraction of a generous budget; its first encode measures above TransparentSsim, so no
        // second pass is spent raising a rate the picture cannot use.
        var input = Clip("cellauto=s=68x120:r=30:rule=110:seed=3,scale=272:480:flags=neighbor,trim=end_frame=1,tpad=stop_mode=clone:stop_duration=4", "still.mp4");
        var engine = new ReelSpeedEngine(EngineOptions.Default);
        var json = engine.OptimizeVideoAsync(input, 0.5, """{ "allowDownscale": false }""", null, null, default).GetAwaiter().GetResult();
        var r = JsonDocument.Parse(json).RootElement;
        TestContext.Out.WriteLine(json);
        Assert.That(r.GetProperty("optimizedSize").GetInt64(), Is.LessThan(0.5 * 1_000_000 * 0.95), "under the window");
        Assert.That(r.GetProperty("ssim").GetDouble(), Is.GreaterThanOrEqualTo(TargetedRender.TransparentSsim));
        Assert.That(r.GetProperty("encodes").GetInt32(), Is.EqualTo(1));
        Assert.That(string.Join(" ", r.GetProperty("warnings").EnumerateArray().Select(w => w.GetString())), Does.Contain("measured SSIM"));

        // Without the measurement, the first pass says it: the encode was asked four times the rate its first pass spent a fraction of,
        // and spent no more than that pass (TargetedRender.SpentNoMore), so no second encode raises the rate further.
        var blind = engine.OptimizeVideoAsync(input, 0.5, """{ "allowDownscale": false, "measureQuality": false, "outputPath": "%OUT%" }""".Replace("%OUT%", Path.Combine(_dir, "blind.mp4")), null, null, default).GetAwaiter().GetResult();
        TestContext.Out.WriteLine(blind);
        var b = JsonDocument.Parse(blind).RootElement;
        Assert.That(b.GetProperty("encodes").GetInt32(), Is.EqualTo(1));
        Assert.That(string.Join(" ", b.GetProperty("warnings").EnumerateArray().Select(w => w.GetString())), Does.Contain("the content needs no more at this size and rate"));
    }
}
