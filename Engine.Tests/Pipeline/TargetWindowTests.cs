using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Api;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// A size target's corrections when x264's file size jumps over the whole −5 %..+2 % window between two neighbouring
/// bit rates (a short clip of fine grain, where the rate control plans in coarse steps): the biggest encode under the
/// window is kept, with a warning, instead of failing with ERR_TARGET_UNREACHABLE after the last correction overshot.
/// </summary>
[TestFixture]
public class TargetWindowTests : TempDirTest
{
    [Test]
    public void When_no_rate_lands_in_the_window_the_encode_under_it_is_kept()
    {
        var input = Path.Combine(_dir, "grain.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=0x808080:s=360x640:r=30:d=3,noise=alls=40,noise=alls=6:allf=t", "-c:v", "libx264", "-crf", "12",
            "-preset", "ultrafast", "-pix_fmt", "yuv420p", input);
        var options = OptimizeOptions.Parse("{}", null);
        // With a silent track, as a render of this clip has (optimizeVideo writes none): its tables shift the sizes so that
        // the step between 158 and 162 kbit/s falls over the whole window.
        using var scene = Engine.Pipeline.Optimize.BuildScene(input, 0.08, options with { AllowDownscale = false }, silentTrack: true);
        long target = scene.Composition!.TargetBytes!.Value;
        string output = Path.Combine(_dir, "out.mp4");
        var probe = new InFlightQualityProbe(new QualityOptions());
        var stages = new List<string>();
        // One x264 thread: the same bit stream, so the same sizes, on any machine.
        var tracker = new ProgressTracker(p => { lock (stages) stages.Add(p.Stage); }, scene.FrameCount);
        var (result, attempts, note) = TargetedRender.Run(scene, output, new JobOptions { EncoderThreads = 1, Quality = probe }, tracker.Root, default);
        TestContext.Out.WriteLine($"{attempts} encodes, {result.FileSize} of {target} bytes: {note}; stages {string.Join(",", stages.Distinct())}");

        // Usually every correction is spent and the last overshoots, so the encode kept aside is used. But libx264's output
        // depends on the heap it is handed (its mbtree reads memory it never wrote), so in a process that has run other encodes
        // the sizes move: one fresh-clone run saw a raise that made no bigger file (accepted as the content needing no more),
        // another an encode inside the window (77,140 of 80,000 bytes). Either way: no failure, no file over the window, and
        // one under it only with its note; nothing left beside it.
        Assert.That(result.FileSize, Is.LessThanOrEqualTo(target * (1 + TargetedRender.MaxOver)));
        if (result.FileSize < target * (1 - TargetedRender.MaxUnder))
            Assert.That(note, Does.Contain("no bit rate landed within").And.Contain("the encode under it is kept")
                .Or.Contain("the content needs no more at this size and rate"));
        else
            Assert.That(note, Is.Null, "inside the window");
        Assert.That(new FileInfo(output).Length, Is.EqualTo(result.FileSize), "the kept encode is the file");
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "grain.mp4", "out.mp4" }), "no attempt left beside it");
        // The quality reported is the kept encode's, not the last one's.
        double measured = VideoQuality.Compare(output, input).Ssim;
        Assert.That(probe.Result!.Ssim, Is.EqualTo(measured).Within(0.002));
        Assert.That(result.VideoBytes, Is.LessThan(result.FileSize));
    }

    [Test]
    public void A_first_pass_far_under_the_rate_asks_more_of_the_second_unless_the_caller_corrected_the_rate_already()
    {
        // A screen recording needs a fraction of this budget: its own first pass spends well under half the rate, so its second
        // pass is asked more (SizeSampling.PlanFrom) and still lands far under, measured transparent, in one encode.
        var input = Path.Combine(_dir, "screen.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "cellauto=s=68x120:r=30:rule=110:seed=5,scale=272:480:flags=neighbor,trim=duration=3", "-c:v", "libx264",
            "-crf", "8", "-preset", "ultrafast", "-pix_fmt", "yuv420p", input);
        using var scene = Engine.Pipeline.Optimize.BuildScene(input, 0.06, OptimizeOptions.Parse("{}", null) with { AllowDownscale = false });
        int planned = scene.Encode.BitrateKbps;
        string output = Path.Combine(_dir, "out.mp4");
        var planning = TargetedRender.Run(scene, output, new JobOptions { EncoderThreads = 1, Quality = new InFlightQualityProbe(new QualityOptions()) },
            new ProgressTracker(null, scene.FrameCount).Root, default);
        TestContext.Out.WriteLine($"{planning.SecondPassNote}; {planning.Result.FileSize} bytes, {planning.Attempts} encode(s), {planning.Note}");
        Assert.That(planning.SecondPassNote, Does.Match(@"^x264's first pass spent [1-4]\d\.\d % of the rate: the content needs a fraction of the budget"));
        Assert.That(planning.Result.Scene.Encode.BitrateKbps, Is.InRange(planned * 2, planned * SizeSampling.UnderspentMaxFactor));
        Assert.That(planning.Attempts, Is.EqualTo(1));

        // optimizeVideo's samples raised the rate already: the first pass leaves it alone.
        var kept = TargetedRender.Run(scene, output, new JobOptions { EncoderThreads = 1, RateFromFirstPass = false }, new ProgressTracker(null, scene.FrameCount).Root, default);
        Assert.That(kept.SecondPassNote, Is.Null);
        Assert.That(kept.Result.Scene.Encode.BitrateKbps, Is.GreaterThanOrEqualTo(planned), "as planned, or raised only by a correction after the encode");
    }
}
