using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// Converts rendered BGRA (premultiplied, opaque) frames to the encoder's yuv420p with
/// BT.709 coefficients, full-range RGB in, limited-range YUV out — matching the tags the
/// encoder writes so players show the colours that were drawn. The engine's own
/// <see cref="Yuv420Converter"/> does the work on the render thread (a 1080x1920 frame: ~0.35 ms
/// on its AVX2 path, ~0.65 ms on SSSE3, against ~3.8 ms for swscale; see ConvertBenchmark);
/// <see cref="SwscaleFrameConverter"/> is the reference it is tested against.
/// <para>
/// Which path runs: under the JIT, the best the CPU has. In the NativeAOT addon, only what the
/// compiler's instruction-set baseline allows: NativeAOT folds <c>Avx2.IsSupported</c> to false
/// unless the build targets AVX2 (<c>IlcInstructionSet</c>), so the default addon runs SSSE3.
/// </para>
/// </summary>
internal sealed unsafe class FrameConverter : IDisposable
{
    private readonly Yuv420Converter _converter;

    public FrameConverter(int width, int height)
    {
        _converter = new Yuv420Converter(width, height);
    }

    /// <summary>The instruction set the conversions use on this CPU.</summary>
    public static Yuv420Converter.Path Path => Yuv420Converter.Best;

    /// <summary>Converts a BGRA image into the planes of <paramref name="yuvFrame"/> (a frame of this converter's size).</summary>
    public void Convert(nint bgra, int stride, nint yuvFrame)
    {
        var data = (byte**)((byte*)yuvFrame + AvLayout.Frame.Data);
        var linesize = (int*)((byte*)yuvFrame + AvLayout.Frame.Linesize);
        CheckFrame(yuvFrame, _converter.Width, _converter.Height);
        _converter.Convert((byte*)bgra, stride, data[0], linesize[0], data[1], linesize[1], data[2], linesize[2]);
    }

    /// <summary>Allocates a yuv420p frame of this converter's size.</summary>
    public AvFrameHandle AllocateFrame() => AllocateFrame(_converter.Width, _converter.Height);

    internal static AvFrameHandle AllocateFrame(int width, int height, int format = AvConst.PixFmtYuv420p)
    {
        var frame = AvFrameHandle.Alloc();
        AllocateBuffer(frame.Ptr, width, height, format);
        return frame;
    }

    /// <summary>Gives an empty AVFrame (none or unreferenced buffers) planes of this size and format.</summary>
    internal static void AllocateBuffer(nint frame, int width, int height, int format = AvConst.PixFmtYuv420p)
    {
        LibAv.Field<int>(frame, AvLayout.Frame.Width) = width;
        LibAv.Field<int>(frame, AvLayout.Frame.Height) = height;
        LibAv.Field<int>(frame, AvLayout.Frame.Format) = format;
        AvCheck.Ok(LibAv.av_frame_get_buffer(frame, 32), ErrorCodes.Encode, "allocating a video frame");
    }

    /// <summary>The planes are written without bounds checks: the frame must be the converter's size and format.</summary>
    internal static void CheckFrame(nint yuvFrame, int width, int height)
    {
        int w = LibAv.Field<int>(yuvFrame, AvLayout.Frame.Width), h = LibAv.Field<int>(yuvFrame, AvLayout.Frame.Height);
        int format = LibAv.Field<int>(yuvFrame, AvLayout.Frame.Format);
        if (w != width || h != height || format != AvConst.PixFmtYuv420p)
            throw new EngineException(ErrorCodes.Internal, $"a {width}x{height} yuv420p converter was given a {w}x{h} frame of pixel format {format}");
    }

    /// <summary>Nothing native to free (the converter's scratch is one managed array); kept disposable for its callers' <c>using</c>.</summary>
    public void Dispose()
    {
    }
}

/// <summary>
/// The same conversion by swscale (bilinear, accurate rounding): what the engine used before
/// <see cref="Yuv420Converter"/>, kept as the reference the tests and benchmarks compare with.
/// </summary>
internal sealed unsafe class SwscaleFrameConverter : IDisposable
{
    private const int SwsCsItu709 = 1;
    private readonly SwsContextHandle _sws;
    private readonly int _width, _height;

    /// <param name="dstFormat">yuv420p, or yuv444p to see swscale's per-pixel values before chroma subsampling.</param>
    public SwscaleFrameConverter(int width, int height, int dstFormat = AvConst.PixFmtYuv420p)
    {
        _width = width;
        _height = height;
        var ctx = LibAv.sws_getContext(width, height, AvConst.PixFmtBgra, width, height, dstFormat,
            AvConst.SwsBilinear | AvConst.SwsAccurateRnd | AvConst.SwsFullChrHInt, 0, 0, null);
        if (ctx == 0) throw new EngineException(ErrorCodes.Encode, $"cannot create a BGRA→yuv converter for {width}x{height}");
        _sws = new SwsContextHandle(ctx);
        var coeffs = LibAv.sws_getCoefficients(SwsCsItu709);
        LibAv.sws_setColorspaceDetails(ctx, coeffs, 1, coeffs, 0, 0, 1 << 16, 1 << 16);
    }

    /// <summary>Converts a BGRA image into the planes of <paramref name="yuvFrame"/>.</summary>
    public void Convert(nint bgra, int stride, nint yuvFrame)
    {
        byte* src = (byte*)bgra;
        int srcStride = stride;
        var dst = (byte**)((byte*)yuvFrame + AvLayout.Frame.Data);
        var dstStride = (int*)((byte*)yuvFrame + AvLayout.Frame.Linesize);
        LibAv.sws_scale(_sws.Ptr, &src, &srcStride, 0, _height, dst, dstStride);
    }

    public void Dispose() => _sws.Dispose();
}
