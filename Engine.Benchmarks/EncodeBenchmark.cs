using BenchmarkDotNet.Attributes;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;

namespace ReelSpeed.Engine.Benchmarks;

/// <summary>
/// The encode stage alone: 100 consecutive 1080x1920 frames (a bubble sliding in while the
/// stack scrolls, then settling), rendered and converted to yuv420p in setup, through a fresh
/// <see cref="VideoEncoder"/> (libx264 veryfast crf 23, threads auto, as a job opens it) into
/// a packet sink that only counts bytes. Includes opening the encoder and flushing it.
/// </summary>
[MemoryDiagnoser]
public class EncodeBenchmark
{
    private const int Width = 1080, Height = 1920, Fps = 30, FrameCount = 100;
    private static readonly EncodeSettings Settings = new(EncodeSettings.H264, 23, "veryfast", "medium");
    private readonly AvFrameHandle[] _frames = new AvFrameHandle[FrameCount];

    [GlobalSetup]
    public void Setup()
    {
        LibAvLoader.EnsureLoaded();
        using var scene = BenchScenes.Story(Width);
        using var renderer = new FrameRenderer(scene);
        using var surface = new FrameSurface(FrameRenderer.FrameInfo(scene));
        using var converter = new FrameConverter(Width, Height);
        double start = scene.Chat!.Scroll.Segments[^1].StartMs - 1000;
        for (int i = 0; i < FrameCount; i++)
        {
            BenchScenes.RenderInto(renderer, surface, start + scene.FrameTimeMs(i));
            _frames[i] = converter.AllocateFrame();
            converter.Convert(surface.Pixels, surface.RowBytes, _frames[i].Ptr);
        }
    }

    [Benchmark]
    public long Encode100Frames()
    {
        var sink = new CountingSink();
        using var encoder = new VideoEncoder(Width, Height, Fps, Settings, globalHeader: false);
        for (int i = 0; i < FrameCount; i++)
        {
            LibAv.Field<long>(_frames[i].Ptr, AvLayout.Frame.Pts) = i;
            encoder.Encode(_frames[i].Ptr, sink);
        }
        encoder.Encode(0, sink);
        return sink.Bytes;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var f in _frames) f?.Dispose();
    }

    /// <summary>Stands in for the muxer: keeps the byte count so the work cannot be skipped.</summary>
    private sealed class CountingSink : IPacketSink
    {
        public long Bytes;

        public void Write(nint packet, bool isVideo) => Bytes += LibAv.Field<int>(packet, AvLayout.Packet.Size);
    }
}
