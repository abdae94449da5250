using ReelSpeed.Engine.Audio;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>A range of a scene's frames, <see cref="Start"/> included, <see cref="End"/> not.</summary>
public readonly record struct FrameRange(int Start, int End)
{
    public int Count => End - Start;

    public static FrameRange All(Scene scene) => new(0, scene.FrameCount);

    /// <summary>Checks the range lies within the scene and holds at least one frame.</summary>
    public FrameRange CheckWithin(Scene scene)
    {
        if (Start < 0 || End > scene.FrameCount || Start >= End)
            throw new EngineException(ErrorCodes.InvalidConfig, $"frame range: expected 0 <= startFrame < endFrame <= {scene.FrameCount}, got {Start}..{End}");
        return this;
    }
}

/// <summary>
/// The engine option <c>x264Threads</c>: how libx264 spreads a job over its threads. Frame threads encode several frames side by
/// side (x264's default: fastest, smallest, a pipeline of frames in memory); slice threads split each frame among the threads (one
/// frame in memory, one slice per thread). Either way a memory limit that only slice threads fit gets them.
/// </summary>
public enum X264Threads
{
    /// <summary>Slice threads for jobs that decode no video on at most two cores (<see cref="JobMemory.PrefersSlices"/>), frame threads otherwise.</summary>
    Auto,
    /// <summary>Frame threads.</summary>
    Frames,
    /// <summary>Slice threads for every job whose x264 runs on more than one thread.</summary>
    Slices,
}

/// <summary>How a render runs, beside what it renders.</summary>
public sealed record JobOptions
{
    /// <summary>Where the partial file is written (default: beside the output).</summary>
    public string? TempDirectory { get; init; }

    /// <summary>x264 threads (0: x264's choice for the machine).</summary>
    public int EncoderThreads { get; init; }

    /// <summary>
    /// libx264 splits each frame among its threads instead of encoding frames side by side (<see cref="Media.VideoEncoderSpec.SliceThreads"/>):
    /// chosen by the engine's <see cref="X264Threads"/> policy, or where only that fits its memoryLimitMb (<see cref="JobMemory.Admission"/>).
    /// </summary>
    public bool SliceThreads { get; init; }

    /// <summary>The hardware encoder policy (<see cref="Media.VideoEncoder.Open"/>).</summary>
    public HardwareAcceleration Hardware { get; init; } = HardwareAcceleration.Off;

    /// <summary>The frames to render (default: all of them). A range's audio is the soundtrack's matching span.</summary>
    public FrameRange? Range { get; init; }

    /// <summary>When set, the output encode (or a first pass) measures its quality as it encodes (<see cref="Media.InFlightQuality"/>) and leaves the result here.</summary>
    public Media.InFlightQualityProbe? Quality { get; init; }

    /// <summary>
    /// A completed first pass of this scene's two-pass encode (same frames, size and settings; the bit rate may
    /// differ, as x264's second pass scales its plan to any rate): the render skips pass 1 and encodes with these
    /// statistics. Owned by the caller. A size retry and optimizeVideo's size decision hand theirs on this way.
    /// </summary>
    public Media.TwoPassStats? FirstPass { get; init; }

    /// <summary>
    /// The input's decoded frames kept by an earlier pass over it, or to be kept by this one for the next (owned by the caller;
    /// see <see cref="Media.DecodeLog"/>): optimizeVideo's first pass records them, its encode reads them back. A two-pass render
    /// of a pass-through scene without one keeps its own between its two passes.
    /// </summary>
    internal Media.DecodeLog? DecodeLog { get; init; }

    /// <summary>
    /// Whether a size target's own first pass may change its second pass's rate (<see cref="SizeSampling.PlanFrom"/>); off where the
    /// caller already corrected that rate from other measurements (optimizeVideo's samples), which the rules were not fitted on top of.
    /// </summary>
    internal bool RateFromFirstPass { get; init; } = true;

    public static readonly JobOptions Default = new();
}

/// <summary>Wall-clock milliseconds spent in each stage (render runs beside the others).</summary>
public sealed record StageTimes(double RenderMs, double ConvertMs, double EncodeMs, double AudioMs, double MuxMs)
{
    public static StageTimes operator +(StageTimes a, StageTimes b) =>
        new(a.RenderMs + b.RenderMs, a.ConvertMs + b.ConvertMs, a.EncodeMs + b.EncodeMs, a.AudioMs + b.AudioMs, a.MuxMs + b.MuxMs);

    public StageTimes Rounded() => new(Math.Round(RenderMs, 1), Math.Round(ConvertMs, 1), Math.Round(EncodeMs, 1), Math.Round(AudioMs, 1), Math.Round(MuxMs, 1));
}

/// <summary>
/// Loudness of the audio track as encoded (integrated LUFS per BS.1770, true peak in dBTP),
/// and of the mix before normalisation with the gain applied. -∞ means silence.
/// </summary>
public sealed record AudioLevels(double IntegratedLufs, double TruePeakDbtp, double? SourceLufs, double? GainDb);

public sealed record RenderResult(
    string OutputPath, long FileSize, double DurationMs, int Frames, double WallMs,
    string VideoEncoder, string AudioEncoder, StageTimes Stages, Scene Scene, long SpriteHits = 0, long SpriteMisses = 0,
    AudioLevels? Audio = null, int ReusedFrames = 0, string? HardwareFallback = null)
{
    /// <summary>What a size ceiling (<c>optimization.target_size_mb</c>) did to this render; null without one.</summary>
    public SizeCeilingOutcome? SizeTarget { get; init; }

    /// <summary>Bytes of the file's video packets: what the video bit rate bought, without audio and the container's tables.</summary>
    public long VideoBytes { get; init; }

    /// <summary>Whether libx264 ran its threads on slices of one frame (<see cref="JobOptions.SliceThreads"/>); null where not known (a soundtrack's result).</summary>
    public bool? SliceThreads { get; init; }
}

/// <summary>
/// A size ceiling's outcome: <c>within</c> (the encode at the configured quality fitted, kept as it was) or
/// <c>reencoded</c> (it was <see cref="FirstEncodeBytes"/>, over the ceiling, and was encoded again, two-pass, to fit).
/// </summary>
public sealed record SizeCeilingOutcome(double CeilingMb, string Action, long FirstEncodeBytes, int Encodes);

/// <summary>
/// What the parts of one render share: the scene and the frames to render, the options, the
/// cancellation (cancelled by the caller or by a part that failed), the progress slice, and what
/// the parts measure and report (stage times, frame reuse, encoders, loudness).
/// </summary>
internal sealed class JobContext : IDisposable
{
    public JobContext(Scene scene, JobOptions options, ProgressScope progress, CancellationToken cancel)
    {
        Scene = scene;
        Options = options;
        Range = (options.Range ?? FrameRange.All(scene)).CheckWithin(scene);
        Progress = progress;
        Cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancel);
    }

    public Scene Scene { get; }
    public JobOptions Options { get; }
    public FrameRange Range { get; }
    public ProgressScope Progress { get; }

    /// <summary>Cancelled when the caller aborts, or by a part that failed so the others stop.</summary>
    public CancellationTokenSource Cancellation { get; }
    public CancellationToken Token => Cancellation.Token;

    public StageTimes Stages { get; set; } = new(0, 0, 0, 0, 0);
    public long SpriteHits { get; set; }
    public long SpriteMisses { get; set; }
    public int ReusedFrames { get; set; }
    public string VideoEncoder { get; set; } = "";
    public string AudioEncoder { get; set; } = "";
    public string? HardwareFallback { get; set; }

    /// <summary>Bytes of the video packets the output encode wrote (what the bit rate bought, without audio and tables).</summary>
    public long VideoBytes { get; set; }

    /// <summary>Measured on the PCM that goes into the audio encoder.</summary>
    public LoudnessMeter Loudness { get; } = new();
    public TruePeakMeter Peak { get; } = new();
    public AudioAnalysis? Analysis { get; set; }

    /// <summary>Adds what <paramref name="part"/>, a context run in this job's place for a while (a pass it could cut alone), measured.</summary>
    public void Absorb(JobContext part)
    {
        Stages += part.Stages;
        SpriteHits += part.SpriteHits;
        SpriteMisses += part.SpriteMisses;
        ReusedFrames += part.ReusedFrames;
    }

    public void Dispose() => Cancellation.Dispose();
}
