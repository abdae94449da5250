using System.Diagnostics;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// Renders a scene (or a range of its frames) to a video file as a stream: a
/// <see cref="FrameProducer"/> draws and converts frames on its own thread while a
/// <see cref="Stitcher"/> encodes them with the soundtrack and muxes both, sharing one
/// <see cref="JobContext"/>. A two-pass scene runs the producer twice: into an analysis-only
/// stitcher, then into the file. The file is written under a temporary name and appears at
/// <see cref="OutputPath"/> only when complete.
/// </summary>
public sealed class RenderJob
{
    public RenderJob(Scene scene, string outputPath, JobOptions? options = null)
    {
        Scene = scene;
        OutputPath = outputPath;
        Options = options ?? JobOptions.Default;
    }

    public Scene Scene { get; }
    public string OutputPath { get; }
    public JobOptions Options { get; }

    /// <summary>Whether frames identical to their predecessor are re-sent instead of re-drawn (off only to test that they are identical).</summary>
    internal static bool ReuseStaticFrames
    {
        get => FrameProducer.ReuseStaticFrames;
        set => FrameProducer.ReuseStaticFrames = value;
    }

    /// <summary>Renders the whole scene with the defaults of <see cref="JobOptions"/>, reporting progress to its end ("done").</summary>
    public static RenderResult Run(Scene scene, string outputPath, Action<RenderProgress>? progress = null, CancellationToken cancel = default,
        string? tempDirectory = null, int encoderThreads = 0, HardwareAcceleration hardware = HardwareAcceleration.Off)
    {
        var tracker = new ProgressTracker(progress, scene.FrameCount);
        var options = new JobOptions { TempDirectory = tempDirectory, EncoderThreads = encoderThreads, Hardware = hardware };
        var result = new RenderJob(scene, outputPath, options).Run(tracker.Root, cancel);
        tracker.Done();
        return result;
    }

    /// <summary>
    /// Renders, reporting within <paramref name="progress"/> (the caller says "done"); an abort
    /// through <paramref name="cancel"/> rejects with <see cref="ErrorCodes.Aborted"/> and leaves
    /// no file behind.
    /// </summary>
    public RenderResult Run(ProgressScope progress, CancellationToken cancel)
    {
        LibAvLoader.EnsureLoaded();
        var wall = Stopwatch.StartNew();
        OutputFile.RefuseOwnInputs(OutputPath, SceneJson.Assets(Scene));
        using var log = Options.FirstPass is { FirstPassDone: true } ? null : OwnDecodeLog(Scene, Options);
        using var job = new JobContext(Scene, log is null ? Options : Options with { DecodeLog = log }, progress, cancel);
        using var output = OutputFile.Create(OutputPath, Options.TempDirectory);
        VideoEncoder.CheckContainer(Scene.Encode.Codec, output.MuxerFormat, output.FinalPath);
        try
        {
            if (Scene.Encode.RateControl == RateControlMode.TwoPass) EncodeTwoPass(job, output);
            else Encode(job, output, null, progress, "encode");
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new EngineException(ErrorCodes.Aborted, "the render was aborted");
        }
        long size = output.Commit();
        int frames = job.Range.Count;
        return new RenderResult(output.FinalPath, size, Scene.FrameTimeMs(frames), frames,
            wall.Elapsed.TotalMilliseconds, job.VideoEncoder, job.AudioEncoder, job.Stages.Rounded(), Scene, job.SpriteHits, job.SpriteMisses,
            new AudioLevels(job.Loudness.IntegratedLufs, job.Peak.TruePeakDbtp, job.Analysis?.IntegratedLufs, job.Analysis?.GainDb),
            job.ReusedFrames, job.HardwareFallback) { VideoBytes = job.VideoBytes, SliceThreads = job.Options.SliceThreads };
    }

    /// <summary>
    /// A <see cref="DecodeLog"/> for the passes of <paramref name="scene"/>'s two-pass encode when <paramref name="options"/> bring none
    /// and the scene is a pass-through of one input (its passes read the same frames: the first keeps them for the later ones); else null.
    /// Owned by the caller.
    /// </summary>
    internal static DecodeLog? OwnDecodeLog(Scene scene, JobOptions options) =>
        options.DecodeLog is null && MayKeepDecodeLog(scene) ? DecodeLog.Create(scene.Composition!.Clips[0].Path, options.TempDirectory) : null;

    /// <summary>
    /// Whether a render of <paramref name="scene"/> may keep its input's decoded frames for its later passes (<see cref="DecodeLog"/>):
    /// a two-pass encode of a pass-through clip (optimizeVideo's, and a size target's on a plain clip).
    /// </summary>
    internal static bool MayKeepDecodeLog(Scene scene) => scene.Encode.RateControl == RateControlMode.TwoPass && scene.Composition is { PassThrough: true };

    /// <summary>
    /// Two passes over the same frames: the first only feeds the encoder's analysis (no audio, no
    /// file), the second encodes for real with its statistics. Progress runs over both halves.
    /// </summary>
    private static void EncodeTwoPass(JobContext job, OutputFile output)
    {
        if (job.Options.FirstPass is { FirstPassDone: true } given)
        {
            Encode(job, output, given, job.Progress, "encode");
            return;
        }
        using var stats = job.Options.FirstPass is null ? TwoPassStats.Create(job.Options.TempDirectory) : null;
        var into = stats ?? job.Options.FirstPass!;
        FirstPass(job, into, job.Progress.Part(0, 0.5), early: true);
        Encode(job, output, into, job.Progress.Part(0.5, 1), "encode");
    }

    /// <summary>
    /// Runs only the first pass of <see cref="Scene"/>'s two-pass encode into <paramref name="stats"/> (owned by the
    /// caller, who may hand them to renders of the same scene at other bit rates through <see cref="JobOptions.FirstPass"/>).
    /// <paramref name="tap"/> sees the pass's pictures as they go to the encoder, <paramref name="sink"/> its packets (not a
    /// constant-quality trial's).
    /// </summary>
    /// <param name="earlyStuck">Whether the pass may be cut at its early stuck check (<see cref="EarlyStuckWatch"/>) where <paramref name="tap"/>
    /// or <paramref name="sink"/> watch it: a cut pass whose trial overshot then comes back <see cref="FirstPassRun.Cut"/>, and the caller
    /// runs it again (with fresh watchers, <paramref name="checkStuck"/> false: the trial ruled the stuck rate control out). Without
    /// watchers the check always runs where <paramref name="checkStuck"/> does, and the pass runs again here.</param>
    /// <returns>Where its time went, and whether it was cut.</returns>
    internal FirstPassRun RunFirstPass(TwoPassStats stats, ProgressScope progress, CancellationToken cancel, bool checkStuck = true, IFrameTap? tap = null,
        IPacketSink? sink = null, bool earlyStuck = false)
    {
        LibAvLoader.EnsureLoaded();
        if (Scene.Encode.RateControl != RateControlMode.TwoPass)
            throw new InvalidOperationException("a first pass needs a two-pass scene");
        using var job = new JobContext(Scene, Options, progress, cancel);
        try
        {
            bool watched = tap is not null || sink is not null;
            var end = FirstPass(job, stats, progress, checkStuck, tap, sink, early: earlyStuck || !watched);
            return new FirstPassRun(job.Stages, end == PassEnd.Cut);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new EngineException(ErrorCodes.Aborted, "the render was aborted");
        }
    }

    /// <param name="Stages">Where the pass's time went (a constant-quality trial's included).</param>
    /// <param name="Cut">The pass was cut at its early stuck check and the trial overshot: the statistics are incomplete, and the pass
    /// is to run again without the stuck check.</param>
    internal readonly record struct FirstPassRun(StageTimes Stages, bool Cut);

    /// <summary>How <see cref="FirstPass"/> ended.</summary>
    private enum PassEnd
    {
        /// <summary>The statistics are complete: the pass's, or a constant-quality trial's in their place.</summary>
        Complete,
        /// <summary>The pass was cut at its early stuck check and the trial overshot; the caller runs it again (its watchers saw part of it).</summary>
        Cut,
    }

    /// <summary>
    /// Mean quantiser of libx264's first pass at the bit rate from which <see cref="FirstPass"/> tries a constant-quality one:
    /// within 5 of x264's highest (69), where a stuck rate control ends (67..69 measured). Ordinary content that starved
    /// is far over the budget at <see cref="StuckCrf"/>, so the trial stops in its first seconds.
    /// </summary>
    internal const double StuckQuantizer = 64;

    /// <summary>
    /// The share of a first pass's frames at x264's top quantisers (<see cref="TopQuantizer"/> and over) from which the trial runs
    /// whatever the pass's mean: a rate control stuck for part of the clip. A 30 s 1080x1920 screen recording at 263 kbit/s
    /// started at the top and came down to 56 by its end (mean 62.3, 156 of 900 frames at 68 or 69); the ffmpeg CLI's second pass
    /// from those statistics spent half the rate at SSIM 0.954, from the trial's (crf 23, 0.57 MB) 0.56 MB at 0.99944.
    /// </summary>
    internal const double StuckTopShare = 0.1;

    /// <summary>x264's top two quantisers (69 is its highest): where a stuck rate control sits.</summary>
    internal const double TopQuantizer = 68;

    /// <summary>Whether a first pass's rate control may have got stuck: a mean of <see cref="StuckQuantizer"/> or more, or <see cref="StuckTopShare"/> of its frames at the top.</summary>
    internal static bool MayBeStuck(IReadOnlyList<TwoPassStats.FrameStats> frames) => frames.Count > 0
        && (frames.Average(f => f.Quantizer) >= StuckQuantizer || frames.Count(f => f.Quantizer >= TopQuantizer) >= StuckTopShare * frames.Count);

    /// <summary>The constant quality of that trial: x264's default, a clean picture.</summary>
    internal const int StuckCrf = 23;

    /// <summary>
    /// How far over the budget the trial may end and still replace the statistics: the second pass then plans about
    /// 6 quantiser steps above <see cref="StuckCrf"/>, still far from where the rate control got stuck.
    /// </summary>
    internal const double StuckBudgetFactor = 2;

    /// <summary>
    /// The trial stops once its bytes after the opening keyframe pass <see cref="StuckBudgetFactor"/> times the budget's
    /// share of the frames coded so far plus this share of the whole, or all of them pass the whole: content far over the
    /// budget stops in its first seconds instead of after half the clip.
    /// </summary>
    internal const double StuckAllowance = 0.1;

    /// <summary>
    /// The first pass (libx264: at the bit rate, with a check that its rate control did not get stuck). At a low rate,
    /// x264's rate control can settle at its highest quantiser on content that codes almost for free at a good one
    /// (a screen recording, a scroll): each poor picture makes the next, predicted from it, cost more, which holds the
    /// quantiser up, and the second pass planned from those statistics repeats it (a 30 s screen recording at 59 kbit/s:
    /// SSIM 0.45, and 0.39..0.78 across the ffmpeg CLI's own runs, where crf 23 fits in 70 % of the budget at 0.997).
    /// So when the pass averaged at least <see cref="StuckQuantizer"/>, or sat at the top for part of the clip (<see cref="MayBeStuck"/>), a constant-quality pass at <see cref="StuckCrf"/>
    /// runs, stopped as soon as its packets run over <see cref="StuckBudgetFactor"/> times the budget (paced, with
    /// <see cref="StuckAllowance"/>); one that ends within it replaces the statistics, and the second pass plans from it.
    /// A long pass whose first packets already look stuck (<see cref="EarlyStuckWatch"/>) is cut there for the trial, which then costs the
    /// pass's rest where it replaces it (a 30 s 1080x1920 screen recording at 263 kbit/s: three passes' time became two and a tenth).
    /// </summary>
    /// <param name="early">Whether the pass may be cut at its early stuck check (<see cref="EarlyStuckWatch"/>, long passes only): where its first
    /// packets look stuck the trial runs then, and where it overshoots the pass runs again from its start, without <paramref name="tap"/> and
    /// <paramref name="watch"/> (<see cref="PassEnd.Cut"/>, for the caller to run again with fresh ones), or here without them.</param>
    private static PassEnd FirstPass(JobContext job, TwoPassStats stats, ProgressScope progress, bool checkStuck = true, IFrameTap? tap = null,
        IPacketSink? watch = null, bool early = false)
    {
        if (checkStuck && early && EarlyStuckWatch.Applies(job.Range.Count, job.Scene.Encode.Codec))
        {
            using var pass = new JobContext(job.Scene, job.Options, progress, job.Token); // cut alone, the job's token untouched
            var check = new EarlyStuckWatch(watch, () => tap is { EndsMainPass: true }, pass.Cancellation.Cancel);
            bool cut = false;
            try
            {
                if (Analyze(pass, stats, progress, "pass-1", sink: check, tap: tap)) return PassEnd.Complete;
            }
            catch (OperationCanceledException) when (check.LooksStuck && !job.Token.IsCancellationRequested)
            {
                cut = true; // the trial decides below
            }
            finally
            {
                job.Absorb(pass);
            }
            job.Token.ThrowIfCancellationRequested();
            if (!cut) return StuckTrial(job, stats, progress); // ran to its end: the whole pass's check
            if (TryConstantQuality(job, stats, progress, check.MeanQuantizer, check.Watched)) return PassEnd.Complete;
            if (tap is not null || watch is not null) return PassEnd.Cut;
            Analyze(job, stats, progress, "pass-1"); // the rate control was not stuck: the pass again, whole
            return PassEnd.Complete;
        }
        bool ended = Analyze(job, stats, progress, "pass-1", sink: watch, tap: tap);
        job.Token.ThrowIfCancellationRequested();
        if (ended || !checkStuck) return PassEnd.Complete;
        return StuckTrial(job, stats, progress);
    }

    /// <summary>The whole pass's stuck check: where <see cref="MayBeStuck"/>, the constant-quality trial.</summary>
    private static PassEnd StuckTrial(JobContext job, TwoPassStats stats, ProgressScope progress)
    {
        var passFrames = stats.Frames(); // the log read once
        if (MayBeStuck(passFrames)) TryConstantQuality(job, stats, progress, passFrames.Average(f => f.Quantizer), watched: null);
        return PassEnd.Complete;
    }

    /// <summary>
    /// The constant-quality trial at <see cref="StuckCrf"/>, stopped once its packets run over <see cref="StuckBudgetFactor"/> times the budget
    /// (paced, with <see cref="StuckAllowance"/>); one that ends within it replaces <paramref name="stats"/>.
    /// </summary>
    /// <param name="rateQuantizer">The mean quantiser of the pass at the bit rate (over its first <paramref name="watched"/> frames; null: all).</param>
    /// <returns>Whether the trial replaced the statistics.</returns>
    private static bool TryConstantQuality(JobContext job, TwoPassStats stats, ProgressScope progress, double rateQuantizer, int? watched)
    {
        double seconds = job.Scene.FrameTimeMs(job.Range.Count) / 1000;
        double budget = job.Scene.Encode.BitrateKbps * 1000.0 / 8 * seconds * StuckBudgetFactor;
        int frames = job.Range.Count;
        using var trialStats = TwoPassStats.Create(job.Options.TempDirectory);
        using var trial = new JobContext(job.Scene, job.Options with { Quality = null }, progress, job.Token); // the trial's encode is not the pass measured
        long opening = 0; // the first packet, the opening keyframe: paid once, outside the pace
        var sink = new NullPacketSink((packets, bytes) =>
        {
            if (packets == 1) opening = bytes;
            return bytes > budget || bytes - opening > budget * (StuckAllowance + packets / (double)frames);
        }, trial.Cancellation.Cancel);
        try
        {
            Analyze(trial, trialStats, progress, "pass-1-crf", StuckCrf, sink);
        }
        catch (OperationCanceledException) when (sink.OverBudget && !job.Token.IsCancellationRequested)
        {
            return false; // the content is far over the budget at that quality: the rate control was not stuck, the first statistics stand
        }
        finally
        {
            job.Stages += trial.Stages; // the trial's time is the job's
        }
        job.Token.ThrowIfCancellationRequested();
        if (sink.OverBudget) return false;
        stats.Replace(trialStats, new ConstantQualityFirstPass(Math.Round(rateQuantizer, 1), StuckCrf, (int)Math.Round(sink.Bytes * 8 / seconds / 1000), watched));
        return true;
    }

    /// <summary>One first pass over the job's frames into <paramref name="stats"/> (at constant quality <paramref name="crf"/> when given).</summary>
    /// <returns>Whether <paramref name="tap"/> ended the pass before the last frame (<see cref="IFrameTap.EndsMainPass"/>).</returns>
    private static bool Analyze(JobContext job, TwoPassStats stats, ProgressScope progress, string stage, int? crf = null, IPacketSink? sink = null,
        IFrameTap? tap = null)
    {
        using var producer = new FrameProducer(job);
        using var analysis = Stitcher.ForAnalysis(job, stats, crf, sink, tap);
        analysis.Run(producer, progress, stage);
        return analysis.MainEnded;
    }

    private static void Encode(JobContext job, OutputFile output, TwoPassStats? stats, ProgressScope progress, string stage)
    {
        using var producer = new FrameProducer(job);
        using var stitcher = Stitcher.ForOutput(job, output, stats);
        stitcher.Run(producer, progress, stage);
    }
}
