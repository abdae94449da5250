using BenchmarkDotNet.Attributes;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;

namespace ReelSpeed.Engine.Benchmarks;

/// <summary>
/// BGRA → yuv420p (BT.709, full-range in, limited out) of one rendered story frame, mid-animation:
/// the engine's <see cref="FrameConverter"/> (its own <see cref="Yuv420Converter"/>, on the best
/// path this CPU has), the same converter forced onto its SSSE3 and scalar paths (what a CPU
/// without AVX2 would get), and swscale with the flags the engine used before (the baseline).
/// </summary>
[MemoryDiagnoser]
public unsafe class ConvertBenchmark
{
    [Params(1080, 720)]
    public int Lines;

    private FrameSurface _surface = null!;
    private FrameConverter _converter = null!;
    private Yuv420Converter _forced = null!;
    private SwscaleFrameConverter _swscale = null!;
    private AvFrameHandle _yuv = null!;

    [GlobalSetup]
    public void Setup()
    {
        LibAvLoader.EnsureLoaded();
        using var scene = BenchScenes.Story(Lines);
        using var renderer = new FrameRenderer(scene);
        _surface = new FrameSurface(FrameRenderer.FrameInfo(scene));
        BenchScenes.RenderInto(renderer, _surface, BenchScenes.MidAnimationMs(scene));
        _converter = new FrameConverter(scene.Width, scene.Height);
        _forced = new Yuv420Converter(scene.Width, scene.Height);
        _swscale = new SwscaleFrameConverter(scene.Width, scene.Height);
        _yuv = _converter.AllocateFrame();
        Console.WriteLine($"// {scene.Width}x{scene.Height}; FrameConverter path on this CPU: {FrameConverter.Path}");
    }

    [Benchmark(Baseline = true)]
    public void Swscale() => _swscale.Convert(_surface.Pixels, _surface.RowBytes, _yuv.Ptr);

    [Benchmark]
    public void Own() => _converter.Convert(_surface.Pixels, _surface.RowBytes, _yuv.Ptr);

    [Benchmark]
    public void OwnSsse3() => Forced(Yuv420Converter.Path.Ssse3);

    [Benchmark]
    public void OwnScalar() => Forced(Yuv420Converter.Path.Scalar);

    private void Forced(Yuv420Converter.Path path)
    {
        var data = (byte**)((byte*)_yuv.Ptr + AvLayout.Frame.Data);
        var linesize = (int*)((byte*)_yuv.Ptr + AvLayout.Frame.Linesize);
        _forced.Convert((byte*)_surface.Pixels, _surface.RowBytes, data[0], linesize[0], data[1], linesize[1], data[2], linesize[2], path);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _yuv.Dispose();
        _swscale.Dispose();
        _converter.Dispose();
        _surface.Dispose();
    }
}
