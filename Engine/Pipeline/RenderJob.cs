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
        using var job = new JobContext(Scene, Options, progress, cancel);
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
            job.ReusedFrames, job.HardwareFallback);
    }

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
        FirstPass(job, into, job.Progress.Part(0, 0.5));
        Encode(job, output, into, job.Progress.Part(0.5, 1), "encode");
    }

    /// <summary>
    /// Runs only the first pass of <see cref="Scene"/>'s two-pass encode into <paramref name="stats"/> (owned by the
    /// caller, who may hand them to renders of the same scene at other bit rates through <see cref="JobOptions.FirstPass"/>).
    /// </summary>
    public void RunFirstPass(TwoPassStats stats, ProgressScope progress, CancellationToken cancel)
    {
        LibAvLoader.EnsureLoaded();
        if (Scene.Encode.RateControl != RateControlMode.TwoPass)
            throw new InvalidOperationException("a first pass needs a two-pass scene");
        using var job = new JobContext(Scene, Options, progress, cancel);
        try
        {
            FirstPass(job, stats, progress);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new EngineException(ErrorCodes.Aborted, "the render was aborted");
        }
    }

    private static void FirstPass(JobContext job, TwoPassStats stats, ProgressScope progress)
    {
        using (var producer = new FrameProducer(job))
        using (var analysis = Stitcher.ForAnalysis(job, stats))
            analysis.Run(producer, progress, "pass-1");
        job.Token.ThrowIfCancellationRequested();
    }

    private static void Encode(JobContext job, OutputFile output, TwoPassStats? stats, ProgressScope progress, string stage)
    {
        using var producer = new FrameProducer(job);
        using var stitcher = Stitcher.ForOutput(job, output, stats);
        stitcher.Run(producer, progress, stage);
    }
}
