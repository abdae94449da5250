using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>Sees every picture a <see cref="Stitcher"/> hands its encoder, in order, before the encoder does (on the job's thread).</summary>
internal interface IFrameTap
{
    /// <param name="frame">The frame's index in the scene.</param>
    /// <param name="picture">The yuv420p picture; valid only during the call (its pts may be changed: the stitcher sets it after).</param>
    /// <param name="source">Where the job measures its quality in flight, the decoded source frame the picture came from (else 0); valid only during the call.</param>
    void Frame(int frame, nint picture, nint source);

    /// <summary>
    /// Read after each <see cref="Frame"/>: true once the stitcher's own encode is no longer wanted (a first pass only). The
    /// stitcher then flushes its encoder, finishes its in-flight score, and hands the remaining frames to the tap alone.
    /// </summary>
    bool EndsMainPass => false;
}

/// <summary>
/// optimizeVideo's size-sample reference written while the full size's first pass runs: the pictures of the sample's
/// frame ranges, uncompressed, one after another, into a Matroska file at the scene's size and frame rate, with the
/// uncompressed settings (colour description, rotation) a reference render would have used. The first pass decodes the
/// whole input anyway; a reference of its own decoded the input again from the keyframe before each segment (2.25 s of
/// an 18 s optimizeVideo of a 10 s 540x960 clip).
/// <see cref="Complete"/> finishes the file; one never completed is left for the caller to delete with its folder.
/// </summary>
internal sealed class SampleReference : IFrameTap, IDisposable
{
    private readonly IReadOnlyList<(int First, int Count)> _ranges;
    private readonly MediaMuxer _muxer;
    private readonly VideoEncoder _encoder;
    private int _range;

    /// <param name="ranges">Frame ranges of the scene, in order and apart.</param>
    /// <param name="scene">The scene whose pictures are tapped.</param>
    public SampleReference(string path, Scene scene, EncodeSettings settings, IReadOnlyList<(int First, int Count)> ranges)
    {
        if (settings.Codec != EncodeSettings.Raw) throw new ArgumentException("the reference is uncompressed", nameof(settings));
        _ranges = ranges;
        Path = path;
        Frames = ranges.Sum(r => r.Count);
        _muxer = new MediaMuxer(path, "matroska");
        try
        {
            _encoder = new VideoEncoder(new VideoEncoderSpec(scene.Width, scene.Height, scene.FrameRateNum, settings, _muxer.NeedsGlobalHeader) { FpsDen = scene.FrameRateDen });
            _muxer.AddVideo(_encoder.Context, _encoder.TimeBase, settings.DisplayRotation);
            _muxer.Start();
        }
        catch
        {
            _encoder?.Dispose();
            _muxer.Dispose();
            throw;
        }
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Frames the sample has.</summary>
    public int Frames { get; }

    /// <summary>Frames written so far.</summary>
    public int Written { get; private set; }

    public void Frame(int frame, nint picture, nint source)
    {
        while (_range < _ranges.Count && frame >= _ranges[_range].First + _ranges[_range].Count) _range++;
        if (_range == _ranges.Count || frame < _ranges[_range].First) return;
        LibAv.Field<long>(picture, AvLayout.Frame.Pts) = Written++;
        _encoder.Encode(picture, _muxer);
    }

    /// <summary>Flushes and closes the file, once every frame of the ranges came.</summary>
    public void Complete()
    {
        if (Written != Frames)
            throw new EngineException(ErrorCodes.Internal, $"the size sample's reference got {Written} of its {Frames} frames");
        _encoder.Encode(0, _muxer);
        _muxer.Finish();
    }

    public void Dispose()
    {
        _encoder.Dispose();
        _muxer.Dispose();
    }
}
