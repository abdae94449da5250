using ReelSpeed.Engine.Scenes;
using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>A render with a size target: the result, how many encodes it took, and a note when the size stayed under the window.</summary>
public sealed record TargetedResult(RenderResult Result, int Attempts, string? Note)
{
    /// <summary>
    /// Why the second pass got a tight rate tolerance or another rate than planned (<see cref="SizeSampling.PlanFrom"/>: x264's first pass
    /// predicted it short of the rate, over it, or far under it); null when it got neither.
    /// </summary>
    public string? SecondPassNote { get; init; }
}

/// <summary>
/// Renders a scene that has a target file size (<see cref="Composition.TargetBytes"/>): a
/// two-pass encode at the planned bit rate (or the rate its first pass calls for: <see cref="SizeSampling.PlanFrom"/>), then the size is checked, and when it is outside
/// −5 %..+2 % of the target the video bit rate is corrected (in proportion to the miss, then along the line
/// through the last two encodes) and the second pass runs again with the first pass's statistics (at most
/// <see cref="MaxAttempts"/> encodes in all). Scenes without a target render once.
/// A ceiling (<see cref="Composition.SizeIsCeiling"/>, a processing config's <c>target_size_mb</c>) first encodes
/// as the scene's quality asks and keeps that file when it fits; only a file over the ceiling is encoded
/// again, two-pass to the ceiling as above. The result's <see cref="RenderResult.SizeTarget"/> says which.
/// </summary>
public static class TargetedRender
{
    public const int MaxAttempts = 3;

    /// <summary>Accepted size window around the target: never more than 2 % over, at most 5 % under.</summary>
    public const double MaxOver = 0.02, MaxUnder = 0.05;

    /// <summary>Aim of a correction: 1.5 % under the target, the middle of the window's safe side.</summary>
    private const double Aim = 0.985;

    /// <summary>
    /// An encode under the window that measured itself (optimizeVideo's in-flight SSIM) at least this close to its
    /// source is kept: no encode can be more than 1 − this better (SSIM's top is 1), so more bits would be time
    /// spent on a difference nobody sees (a screen recording that needs a fifth of the budget).
    /// </summary>
    internal const double TransparentSsim = 0.998;

    /// <summary>
    /// Whether an encode asked at least <see cref="SaturatedAsk"/> times what x264's first pass spent (<paramref name="passVideoBytes"/>, null where
    /// unknown) spent no more than that pass (within <see cref="SaturatedGrowth"/>): more bits do not make a bigger file, as between two encodes, with the first pass as the
    /// first of them. A first pass that spent a fraction of the rate gets its second pass asked up to 4 times the rate (<see cref="SizeSampling.Underspent"/>);
    /// without a quality measurement to stop on, a 30 s 1080x1920 screen recording at 8 MB (its pass spent 9.6 % of 2129 kbit/s, the encode 0.5 MB at
    /// 8516 kbit/s) took a second encode at a higher rate still to come out the same size. Only where the encode was not measured
    /// (<paramref name="measured"/> null): a measurement under <see cref="TransparentSsim"/> says more bits may still show, and the corrections run.
    /// </summary>
    internal static bool SpentNoMore(QualityResult? measured, double? passVideoBytes, int kbps, double seconds, long videoBytes) =>
        measured is null && passVideoBytes is { } spent && videoBytes > 0 && kbps * 1000.0 / 8 * seconds >= SaturatedAsk * spent && videoBytes <= spent * SaturatedGrowth;

    /// <summary>How many times what the first pass spent an encode must have been asked for <see cref="SpentNoMore"/> to speak.</summary>
    internal const double SaturatedAsk = 2;

    /// <summary>How much bigger an encode asked more may come out and still count as no bigger (saturated): between two encodes, and against the first pass.</summary>
    internal const double SaturatedGrowth = 1.02;

    /// <summary>Renders <paramref name="scene"/> with the defaults of <see cref="JobOptions"/>, reporting progress to its end ("done").</summary>
    public static TargetedResult Run(Scene scene, string outputPath, Action<RenderProgress>? progress, CancellationToken cancel,
        string? tempDirectory, int encoderThreads, HardwareAcceleration hardware)
    {
        var tracker = new ProgressTracker(progress, scene.FrameCount);
        var result = Run(scene, outputPath, new JobOptions { TempDirectory = tempDirectory, EncoderThreads = encoderThreads, Hardware = hardware }, tracker.Root, cancel);
        tracker.Done();
        return result;
    }

    /// <summary>Renders within <paramref name="progress"/> (the caller says "done").</summary>
    public static TargetedResult Run(Scene scene, string outputPath, JobOptions options, ProgressScope progress, CancellationToken cancel)
    {
        OutputFile.RefuseOwnInputs(outputPath, SceneJson.Assets(scene)); // before any attempt file is written
        if (scene.Composition?.TargetBytes is not { } target)
            return new TargetedResult(new RenderJob(scene, outputPath, options).Run(progress, cancel), 1, null);
        if (scene.Composition.SizeIsCeiling) return RunUnderCeiling(scene, target, outputPath, options, progress, cancel);
        return RunToTarget(scene, target, outputPath, options, progress, cancel, 0, 0.8, "", MaxOver);
    }

    /// <summary>
    /// An upload limit: the encode at the scene's quality, kept when it fits; otherwise a two-pass re-encode
    /// aimed just under the ceiling (with the target's corrections), which must not exceed it (no 2 % over: it is a limit).
    /// </summary>
    private static TargetedResult RunUnderCeiling(Scene scene, long ceiling, string outputPath, JobOptions options, ProgressScope progress, CancellationToken cancel)
    {
        double ceilingMb = ceiling / (double)SizeTarget.BytesPerMb;
        var dir = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
        var firstPath = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(outputPath)}.{Guid.NewGuid().ToString("N")[..8]}.first{Path.GetExtension(outputPath)}");
        try
        {
            var first = new RenderJob(scene, firstPath, options).Run(progress.Part(0, 0.8, ""), cancel);
            if (first.FileSize <= ceiling)
            {
                File.Move(firstPath, outputPath, overwrite: true);
                return new TargetedResult(first with { OutputPath = Path.GetFullPath(outputPath), SizeTarget = new SizeCeilingOutcome(ceilingMb, "within", first.FileSize, 1) }, 1, null);
            }
            File.Delete(firstPath);
            var c = scene.Composition!;
            var seconds = scene.DurationMs / 1000;
            // The plan made when the scene was built; unreachable then means unreachable now, with the smallest size named.
            var (videoKbps, audioKbps) = c.CeilingPlan ?? Unreachable(scene, ceiling, seconds);
            using var reencode = scene.WithEncode(scene.Encode with { RateControl = RateControlMode.TwoPass, BitrateKbps = videoKbps },
                audioKbps > 0 ? audioKbps * 1000 : scene.Audio.BitRate);
            var (result, attempts, note) = RunToTarget(reencode, ceiling, outputPath, options, progress, cancel, 0.8, 0.16, "-reencode", maxOver: 0);
            string why = $"optimization.target_size_mb: the encode at quality \"{scene.Encode.Quality}\" was {first.FileSize / (double)SizeTarget.BytesPerMb:0.###} MB, over the {ceilingMb:0.###} MB ceiling; re-encoded two-pass to fit";
            return new TargetedResult(result with { SizeTarget = new SizeCeilingOutcome(ceilingMb, "reencoded", first.FileSize, attempts + 1) }, attempts + 1, note is null ? why : why + "; " + note);
        }
        finally
        {
            if (File.Exists(firstPath)) File.Delete(firstPath);
        }
    }

    private static (int, int) Unreachable(Scene scene, long ceiling, double seconds)
    {
        // Throws ERR_TARGET_UNREACHABLE naming the smallest achievable size.
        var plan = SizeTarget.Plan(ceiling, seconds, scene.Width, scene.Height, scene.Fps, scene.Audio.HasSources, allowDownscale: false, field: "optimization.target_size_mb");
        return (plan.VideoKbps, plan.AudioKbps);
    }

    private static TargetedResult RunToTarget(Scene scene, long target, string outputPath, JobOptions options, ProgressScope progress, CancellationToken cancel,
        double floor, double span, string stageSuffix, double maxOver)
    {

        // Progress keeps moving over retries: each encode reports within the part of the bar not
        // yet used (the first in 0..80 %, a retry in 80 %..96 %, ...), its stages marked -retryN.
        string baseSuffix = stageSuffix;

        // Each encode goes to a hidden file beside the output; only the one accepted is renamed
        // into place, so an abort or a failure during a retry leaves nothing behind (and an
        // existing file at the output path is replaced only on success).
        var dir = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
        var attemptPath = Path.Combine(dir, $".{Path.GetFileNameWithoutExtension(outputPath)}.{Guid.NewGuid().ToString("N")[..8]}.attempt{Path.GetExtension(outputPath)}");
        // The biggest encode so far that came under the window, kept aside: x264's size can jump over the whole window
        // between two neighbouring rates (3 s of grain at 0.08 MB: 0.948 of the target at 158 kbit/s, 1.031 at 162), and a
        // file under the target is a better end than none.
        var underPath = Path.ChangeExtension(attemptPath, ".under" + Path.GetExtension(outputPath));
        (RenderResult Result, int Kbps, QualityResult? Quality)? under = null;
        var current = scene;
        long previousSize = 0;
        (int Kbps, double VideoBytes)? last = null;
        // A retry changes only the bit rate: it encodes with the first attempt's pass-1 statistics (x264's second
        // pass scales its plan to any rate), so it costs one pass, not two.
        using var ownStats = scene.Encode.RateControl == RateControlMode.TwoPass && options.FirstPass is null ? TwoPassStats.Create(options.TempDirectory) : null;
        using var ownLog = ownStats is null ? null : RenderJob.OwnDecodeLog(scene, options); // the first pass's frames, for the attempts
        (StageTimes Stages, double Ms)? firstPass = null;
        string? secondPassNote = null;
        try
        {
            if (ownStats is not null)
            {
                // The first pass on its own (not scored: its picture is not the output's), so that its statistics can tighten the
                // second pass's rate tolerance or change its rate where x264 would miss (SizeSampling.PlanFrom); its time is the first encode's.
                options = options with { FirstPass = ownStats, DecodeLog = ownLog ?? options.DecodeLog };
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var stages = new RenderJob(scene, "", options with { Quality = null }).RunFirstPass(ownStats, progress.Part(floor, floor + span / 2, stageSuffix), cancel).Stages;
                firstPass = (stages, clock.Elapsed.TotalMilliseconds);
                (floor, span) = (floor + span / 2, span / 2);
                double seconds = scene.DurationMs / 1000;
                // A rate the caller corrected already keeps to its own, and a ceiling is never asked more than it leaves.
                if (SizeSampling.PlanFrom(ownStats, scene.Encode.BitrateKbps, seconds, "x264's first pass") is { } plan
                    && (plan.RateFactor == 1 || options.RateFromFirstPass && (plan.RateFactor < 1 || maxOver > 0)))
                {
                    current = scene.WithEncode(scene.Encode with
                    {
                        RateTolerance = plan.Tolerance,
                        BitrateKbps = EncodeSettings.ScaledKbps(scene.Encode.BitrateKbps, plan.RateFactor),
                    });
                    secondPassNote = plan.Why;
                }
            }
            // What x264's first pass spent (its statistics: libx264's), against which an encode asked far more shows whether more bits make a bigger file.
            double? passVideoBytes = options.FirstPass?.Frames() is { Count: > 0 } passFrames ? passFrames.Sum(f => f.Bits) / 8.0 : null;
            for (int attempt = 1; ; attempt++)
            {
                var result = new RenderJob(current, attemptPath, options).Run(progress.Part(floor, floor + span, stageSuffix), cancel);
                if (attempt == 1 && firstPass is { } p1)
                    result = result with { WallMs = result.WallMs + p1.Ms, Stages = (result.Stages + p1.Stages).Rounded() };
                double ratio = result.FileSize / (double)target;
                bool inside = ratio <= 1 + maxOver && ratio >= 1 - MaxUnder;
                // More bits no longer make a bigger file: the content needs less than the budget.
                bool saturated = ratio < 1 - MaxUnder && (previousSize > 0 && current.Encode.BitrateKbps > last!.Value.Kbps && result.FileSize < previousSize * SaturatedGrowth
                    || current.Encode.BitrateKbps >= EncodeSettings.MaxBitrateKbps);
                double? transparent = ratio < 1 - MaxUnder && options.Quality?.Result is { Ssim: >= TransparentSsim } measured ? measured.Ssim : null;
                // Where the first pass says the same (and no measurement says more), the undershoot is accepted as saturated too.
                saturated |= ratio < 1 - MaxUnder && SpentNoMore(options.Quality?.Result, passVideoBytes, current.Encode.BitrateKbps, current.DurationMs / 1000, result.VideoBytes);
                previousSize = result.FileSize;
                if (inside || saturated || transparent is not null || attempt == MaxAttempts)
                {
                    if (ratio > 1 + maxOver && under is { } u)
                    {
                        File.Move(underPath, outputPath, overwrite: true);
                        if (options.Quality is { } probe) probe.Result = u.Quality;
                        double mb = u.Result.FileSize / (double)SizeTarget.BytesPerMb;
                        return new TargetedResult(u.Result with { OutputPath = Path.GetFullPath(outputPath) }, attempt,
                            $"target size: no bit rate landed within {-MaxUnder:0%}..+{maxOver:0%} of {target / (double)SizeTarget.BytesPerMb:0.###} MB "
                            + $"({u.Kbps} kbit/s made {mb:0.###} MB, {current.Encode.BitrateKbps} kbit/s {result.FileSize / (double)SizeTarget.BytesPerMb:0.###} MB): the encode under it is kept")
                        { SecondPassNote = secondPassNote };
                    }
                    if (ratio > 1 + maxOver)
                    {
                        throw new EngineException(ErrorCodes.TargetUnreachable,
                            $"target size: {target / (double)SizeTarget.BytesPerMb:0.###} MB cannot be met; after {attempt} encodes the smallest achieved is {result.FileSize / (double)SizeTarget.BytesPerMb:0.###} MB");
                    }
                    string? note = ratio >= 1 - MaxUnder ? null
                        : transparent is { } ssim && !saturated
                        ? $"target size: the encode used {result.FileSize / (double)SizeTarget.BytesPerMb:0.###} MB of {target / (double)SizeTarget.BytesPerMb:0.###} MB and measured SSIM {ssim:0.####} against its source; more bits cannot add more than {1 - TransparentSsim:0.###}"
                        : $"target size: the encode used {result.FileSize / (double)SizeTarget.BytesPerMb:0.###} MB of {target / (double)SizeTarget.BytesPerMb:0.###} MB; the content needs no more at this size and rate";
                    File.Move(attemptPath, outputPath, overwrite: true);
                    return new TargetedResult(result with { OutputPath = Path.GetFullPath(outputPath) }, attempt, note) { SecondPassNote = secondPassNote };
                }
                if (ratio < 1 - MaxUnder && (under is null || result.FileSize > under.Value.Result.FileSize))
                {
                    File.Move(attemptPath, underPath, overwrite: true);
                    under = (result, current.Encode.BitrateKbps, options.Quality?.Result);
                }
                // Everything but the video (audio at its bit rate, the container's tables) stays;
                // the video's share is scaled by how far the whole missed.
                var encode = current.Encode;
                double seconds = current.DurationMs / 1000;
                bool audible = current.Audio.HasSources;
                double fixedBytes = (audible ? current.Audio.BitRate * seconds / 8 : 0) + SizeTarget.OverheadBytes(seconds, current.Fps, audible);
                double videoBytes = Math.Max(1, result.FileSize - fixedBytes);
                double wanted = Math.Max(1, target * Aim - fixedBytes);
                // In proportion to the miss; from the second miss on, along the line through the last two encodes
                // (x264's second pass from one first pass grows faster than the rate near it: proportional steps
                // then overshoot and undershoot in turn).
                double next = encode.BitrateKbps * wanted / videoBytes;
                if (last is { } p && p.Kbps != encode.BitrateKbps && videoBytes != p.VideoBytes)
                {
                    double slope = (videoBytes - p.VideoBytes) / (encode.BitrateKbps - p.Kbps);
                    if (slope > 0) next = encode.BitrateKbps + (wanted - videoBytes) / slope;
                }
                last = (encode.BitrateKbps, videoBytes);
                int kbps = (int)Math.Clamp(Math.Round(next), EncodeSettings.MinBitrateKbps, EncodeSettings.MaxBitrateKbps);
                if (kbps == encode.BitrateKbps) kbps = Math.Clamp(ratio > 1 ? kbps - 1 : kbps + 1, EncodeSettings.MinBitrateKbps, EncodeSettings.MaxBitrateKbps);
                if (!ReferenceEquals(current, scene)) current.Dispose();
                current = scene.WithEncode(encode with { BitrateKbps = kbps });
                stageSuffix = $"{baseSuffix}-retry{attempt}";
                floor += span;
                span = (1 - floor) * 0.8;
            }
        }
        finally
        {
            if (!ReferenceEquals(current, scene)) current.Dispose();
            if (File.Exists(attemptPath)) File.Delete(attemptPath);
            if (File.Exists(underPath)) File.Delete(underPath);
        }
    }
}
