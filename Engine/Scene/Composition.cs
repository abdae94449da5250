using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Text;
using SkiaSharp;
using ReelSpeed.Engine.Effects;
using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Scenes;

/// <summary>
/// One input clip on the composition's timeline: it is on screen from <see cref="StartMs"/> for
/// <see cref="DurationMs"/>, showing its source from <see cref="SourceStartMs"/> on. Consecutive
/// clips overlap by the transition's length. <see cref="Rotation"/> and the source size are as
/// probed (the frames are turned upright when drawn). <see cref="AudioOffsetMs"/> is when the
/// audio's first sample plays after the first video frame (negative: before it).
/// </summary>
public sealed record ClipSegment(
    int Index, string Field, string Path, double StartMs, double DurationMs, double SourceStartMs,
    int SourceWidth, int SourceHeight, int Rotation, double SourceFps, bool HasAudio, double Volume, double AudioOffsetMs = 0)
{
    public double EndMs => StartMs + DurationMs;

    /// <summary>The source time shown at composition time <paramref name="t"/>.</summary>
    public double SourceTimeMs(double t) => SourceStartMs + Math.Max(0, t - StartMs);
}

/// <summary>
/// A laid-out text overlay: the block's top-left at <see cref="Origin"/>, shown over [StartMs, EndMs),
/// on a rounded <see cref="Background"/> (a template's bubble when its style named one). <see cref="Entrance"/>:
/// how it enters (the chat's message animations), or null to appear at once.
/// </summary>
public sealed record TextOverlayElement(
    TextBlock Block, SKPoint Origin, double StartMs, double EndMs, SKColor Color,
    SKColor? Background, SKRect BackgroundRect, float BackgroundRadius, SKColor? Stroke, float StrokeWidth, BubbleAnimation? Entrance = null)
{
    public bool VisibleAt(double t) => t >= StartMs && t < EndMs;
}

/// <summary>
/// The processing half of a scene: input clips joined on a timeline (with a transition between
/// each two), fitted to the frame over a background colour, with the colour effects, blur and
/// sharpen applied to the clips and text overlays on top. Output frame t shows composition time
/// t + <see cref="OffsetMs"/> (the global trim's start); overlays use output time.
/// <see cref="LowMemory"/> (<c>optimization.memory_optimization</c>) decodes on one thread, so
/// the decoder holds one frame instead of one per core. <see cref="TargetBytes"/>, when set, is the
/// output file size the encode aims at (two-pass, checked and corrected after encoding).
/// <see cref="KeepRotation"/> (a re-encode) keeps a rotated clip's frames as stored and writes its
/// rotation into the output for players to apply, instead of turning the pixels.
/// </summary>
public sealed record Composition(
    IReadOnlyList<ClipSegment> Clips, TransitionSpec? Transition, VideoFit Fit, SKColor Background,
    ColorCorrection Color, double BlurRadius, double Sharpen, IReadOnlyList<TextOverlayElement> Overlays, double OffsetMs,
    bool LowMemory = false, long? TargetBytes = null, bool KeepRotation = false) : SceneContent
{
    /// <summary><c>effects.background { type, source, opacity }</c>: drawn under the clips (and alone without one); null: <see cref="Background"/>.</summary>
    public BackgroundLayer? Backdrop { get; init; }

    /// <summary>
    /// Whether an output with no sound still gets a (silent) audio track, as renders' upload pipelines expect. optimizeVideo's
    /// has none, as the ffmpeg CLI writes none: its size plan gives a silent input's audio no bytes, and the track's packets
    /// and tables took 3–7 % of a small budget from the video (a 30 s talking head at 0.25 MB came 0.003 SSIM under the CLI).
    /// </summary>
    public bool SilentTrack { get; init; } = true;

    /// <summary>
    /// <see cref="TargetBytes"/> is a ceiling (<c>optimization.target_size_mb</c>, an upload limit): the scene encodes as its
    /// quality asks and is re-encoded to fit only when the file would exceed it. False: a size to aim at (optimizeVideo).
    /// </summary>
    public bool SizeIsCeiling { get; init; }

    /// <summary>When the ceiling is exceeded: the video and audio bit rates of the re-encode that fits (two-pass).</summary>
    public (int VideoKbps, int AudioKbps)? CeilingPlan { get; init; }

    /// <summary>
    /// Whether frames need no drawing: upright clips of one file (one clip, or cuts of it played one
    /// after another; one file has one colour description to tag the output with) filling the frame
    /// (cover or fill), no effect, transition or overlay. Such frames go from the decoder to the encoder
    /// in YUV (scaled by swscale, colours untouched) instead of through Skia and RGB.
    /// </summary>
    public bool PassThrough => Clips.Count >= 1 && Clips.All(c => c.Path == Clips[0].Path) && Backdrop is null && (Clips[0].Rotation == 0 || KeepRotation)
        && Fit != VideoFit.Contain && Transition is null && Color.IsNeutral && BlurRadius == 0 && Sharpen == 0 && Overlays.Count == 0;
}
