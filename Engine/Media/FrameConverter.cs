using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// Converts rendered BGRA (premultiplied, opaque) frames to the encoder's yuv420p with
/// BT.709 coefficients, full-range RGB in, limited-range YUV out — matching the tags the
/// encoder writes so players show the colours that were drawn.
/// </summary>
internal sealed unsafe class FrameConverter : IDisposable
{
    private const int SwsCsItu709 = 1;
    private readonly SwsContextHandle _sws;
    private readonly int _width, _height;

    public FrameConverter(int width, int height)
    {
        _width = width;
        _height = height;
        var ctx = LibAv.sws_getContext(width, height, AvConst.PixFmtBgra, width, height, AvConst.PixFmtYuv420p,
            AvConst.SwsBilinear | AvConst.SwsAccurateRnd | AvConst.SwsFullChrHInt, 0, 0, null);
        if (ctx == 0) throw new EngineException(ErrorCodes.Encode, $"cannot create a BGRA→yuv420p converter for {width}x{height}");
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

    /// <summary>Allocates a yuv420p frame of this converter's size.</summary>
    public AvFrameHandle AllocateFrame()
    {
        var frame = AvFrameHandle.Alloc();
        var f = frame.Ptr;
        LibAv.Field<int>(f, AvLayout.Frame.Width) = _width;
        LibAv.Field<int>(f, AvLayout.Frame.Height) = _height;
        LibAv.Field<int>(f, AvLayout.Frame.Format) = AvConst.PixFmtYuv420p;
        AvCheck.Ok(LibAv.av_frame_get_buffer(f, 32), ErrorCodes.Encode, "allocating a video frame");
        return frame;
    }

    public void Dispose() => _sws.Dispose();
}
