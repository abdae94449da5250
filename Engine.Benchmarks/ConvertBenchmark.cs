using BenchmarkDotNet.Attributes;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;

namespace ReelSpeed.Engine.Benchmarks;

/// <summary>
/// BGRA → yuv420p (BT.709, full-range in, limited out) of one rendered 1080x1920 frame: the
/// engine's <see cref="FrameConverter"/>, and, for comparison only, a swscale context with the
/// same colour maths but without <c>SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT</c>, to see what
/// those flags cost (measured: nothing that matters). The second is a measurement, not engine code.
/// </summary>
[MemoryDiagnoser]
public unsafe class ConvertBenchmark
{
    private const int Width = 1080, Height = 1920;
    private FramePool _pool = null!;
    private FrameConverter _converter = null!;
    private AvFrameHandle _yuv = null!;
    private SwsContextHandle _plainSws = null!;

    [GlobalSetup]
    public void Setup()
    {
        LibAvLoader.EnsureLoaded();
        using var scene = BenchScenes.Story(Width);
        using var renderer = new FrameRenderer(scene);
        _pool = new FramePool(FrameRenderer.FrameInfo(scene), 1);
        BenchScenes.RenderInto(renderer, _pool, 0, BenchScenes.MidAnimationMs(scene));
        _converter = new FrameConverter(Width, Height);
        _yuv = _converter.AllocateFrame();

        var ctx = LibAv.sws_getContext(Width, Height, AvConst.PixFmtBgra, Width, Height, AvConst.PixFmtYuv420p, AvConst.SwsBilinear, 0, 0, null);
        if (ctx == 0) throw new InvalidOperationException("sws_getContext failed");
        _plainSws = new SwsContextHandle(ctx);
        var coeffs = LibAv.sws_getCoefficients(1); // SWS_CS_ITU709, as FrameConverter
        LibAv.sws_setColorspaceDetails(ctx, coeffs, 1, coeffs, 0, 0, 1 << 16, 1 << 16);
    }

    [Benchmark(Baseline = true)]
    public void FrameConverter1080x1920() => _converter.Convert(_pool.Pixels(0), _pool.RowBytes, _yuv.Ptr);

    [Benchmark]
    public void SwscaleBilinearOnly1080x1920()
    {
        byte* src = (byte*)_pool.Pixels(0);
        int srcStride = _pool.RowBytes;
        var dst = (byte**)((byte*)_yuv.Ptr + AvLayout.Frame.Data);
        var dstStride = (int*)((byte*)_yuv.Ptr + AvLayout.Frame.Linesize);
        LibAv.sws_scale(_plainSws.Ptr, &src, &srcStride, 0, Height, dst, dstStride);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plainSws.Dispose();
        _yuv.Dispose();
        _converter.Dispose();
        _pool.Dispose();
    }
}
