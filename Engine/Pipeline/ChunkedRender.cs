using System.Diagnostics;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>A chunk rendered by <see cref="ChunkedRender.Chunk"/>: frames StartFrame..EndFrame-1 of the scene.</summary>
public sealed record ChunkResult(string OutputPath, long FileSize, int StartFrame, int EndFrame, double WallMs, string Encoder, StageTimes Stages, int ReusedFrames, bool SliceThreads)
{
    public int Frames => EndFrame - StartFrame;

    /// <summary>What the caller should know about how the chunk was made (e.g. x264's slice threads, to fit memoryLimitMb).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public string ToJson() => JsonText.Build(w =>
    {
        w.WriteStartObject();
        w.WriteString("outputPath", OutputPath);
        w.WriteNumber("fileSize", FileSize);
        w.WriteNumber("startFrame", StartFrame);
        w.WriteNumber("endFrame", EndFrame);
        w.WriteNumber("frames", Frames);
        w.WriteString("encoder", Encoder);
        ResultJson.WriteX264Threads(w, Encoder, SliceThreads);
        w.WriteNumber("wallMs", Math.Round(WallMs, 1));
        w.WriteNumber("renderFps", Math.Round(Frames / Math.Max(1e-9, WallMs / 1000), 1));
        w.WriteNumber("reusedFrames", ReusedFrames);
        ResultJson.WriteStages(w, Stages);
        ResultJson.WriteWarnings(w, Warnings);
        w.WriteEndObject();
    });
}

/// <summary>
/// The parts of a render split over processes or machines: any frame range of a scene as a
/// video-only H.264 segment (<see cref="Chunk"/>), the whole soundtrack once
/// (<see cref="Soundtrack"/>), and <see cref="ChunkStitch"/> joining them without re-encoding.
/// Chunks are libx264 in software with the scene's settings, so every chunk of a scene has the
/// same parameter sets; x264 closes its GOPs and starts each chunk on an IDR frame.
/// </summary>
public static class ChunkedRender
{
    /// <summary>
    /// What a chunked render cannot do, refused before any work: codecs other than H.264, two-pass
    /// rate control and size ceilings (they need the whole encode), outputs other than MP4/MOV.
    /// </summary>
    public static void CheckScene(Scene scene)
    {
        var errors = new List<ConfigError>();
        if (scene.Encode.Codec != EncodeSettings.H264)
            errors.Add(new ConfigError("video.codec", $"distributed rendering encodes H.264 chunks that join without re-encoding; expected \"h264\", got \"{scene.Encode.Codec}\""));
        if (scene.Encode.RateControl == RateControlMode.TwoPass)
            errors.Add(new ConfigError("video.rateControl", "two-pass rate control needs the whole encode; distributed rendering takes \"crf\" or one-pass \"bitrate\""));
        if (scene.Composition?.TargetBytes is not null)
            errors.Add(new ConfigError("optimization.target_size_mb", "a size ceiling needs the whole encode; distributed rendering does not take one (render, then optimizeVideo)"));
        if (errors.Count > 0) throw new ConfigValidationException(errors);
    }

    /// <summary>Checks an output of a chunked render is an .mp4/.m4v/.mov path (what <see cref="ChunkStitch"/> reads and writes).</summary>
    internal static void CheckMp4(OutputFile output, string field)
    {
        if (output.MuxerFormat is not ("mp4" or "mov"))
            throw new EngineException(ErrorCodes.Output, $"{field}: distributed rendering writes MP4 segments and outputs; expected a path ending in .mp4, .m4v or .mov, got {output.FinalPath}");
    }

    /// <summary>
    /// Renders frames <paramref name="range"/> of <paramref name="scene"/> as a video-only segment
    /// at <paramref name="outputPath"/> (written under a temporary name, renamed when complete).
    /// </summary>
    public static ChunkResult Chunk(Scene scene, FrameRange range, string outputPath, JobOptions options, ProgressScope progress, CancellationToken cancel)
    {
        CheckScene(scene);
        LibAvLoader.EnsureLoaded();
        var wall = Stopwatch.StartNew();
        OutputFile.RefuseOwnInputs(outputPath, SceneJson.Assets(scene));
        using var job = new JobContext(scene, options with { Range = range, Hardware = HardwareAcceleration.Off }, progress, cancel);
        using var output = OutputFile.Create(outputPath, options.TempDirectory);
        CheckMp4(output, "outputPath");
        try
        {
            using var producer = new FrameProducer(job);
            using var stitcher = Stitcher.ForChunk(job, output);
            stitcher.Run(producer, progress, "encode");
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new EngineException(ErrorCodes.Aborted, "the chunk was aborted");
        }
        long size = output.Commit();
        return new ChunkResult(output.FinalPath, size, job.Range.Start, job.Range.End, wall.Elapsed.TotalMilliseconds, job.VideoEncoder, job.Stages.Rounded(), job.ReusedFrames, job.Options.SliceThreads);
    }

    /// <summary>
    /// Renders the whole soundtrack of <paramref name="scene"/> once, as an AAC track alone at
    /// <paramref name="outputPath"/>; the result is a <see cref="RenderResult"/> of the scene's
    /// length whose video encoder is the one chunks use.
    /// </summary>
    public static RenderResult Soundtrack(Scene scene, string outputPath, JobOptions options, ProgressScope progress, CancellationToken cancel)
    {
        CheckScene(scene);
        LibAvLoader.EnsureLoaded();
        var wall = Stopwatch.StartNew();
        OutputFile.RefuseOwnInputs(outputPath, SceneJson.Assets(scene));
        using var job = new JobContext(scene, options with { Range = null }, progress, cancel);
        using var output = OutputFile.Create(outputPath, options.TempDirectory);
        CheckMp4(output, "outputPath");
        try
        {
            using var stitcher = Stitcher.ForSoundtrack(job, output);
            stitcher.RunSoundtrack(progress);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new EngineException(ErrorCodes.Aborted, "the soundtrack render was aborted");
        }
        long size = output.Commit();
        int frames = job.Range.Count;
        return new RenderResult(output.FinalPath, size, scene.FrameTimeMs(frames), frames, wall.Elapsed.TotalMilliseconds,
            VideoEncoder.SoftwareEncoder(scene.Encode.Codec), job.AudioEncoder, job.Stages.Rounded(), scene,
            Audio: new AudioLevels(job.Loudness.IntegratedLufs, job.Peak.TruePeakDbtp, job.Analysis?.IntegratedLufs, job.Analysis?.GainDb));
    }
}
