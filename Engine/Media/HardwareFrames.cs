using System.Runtime.Intrinsics;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// An owned <c>AVBufferRef</c>: a hardware device or frames context. Counts the live ones so
/// tests can check that a failed hardware attempt released everything it created.
/// </summary>
internal sealed unsafe class AvBufferRefHandle : AvHandle
{
    private static int s_live;

    private AvBufferRefHandle(nint p) : base(p) => Interlocked.Increment(ref s_live);

    /// <summary>Buffer references (devices, frame pools) created by the engine and not yet released.</summary>
    public static int Live => Volatile.Read(ref s_live);

    /// <summary>Takes ownership of <paramref name="p"/> (not null).</summary>
    public static AvBufferRefHandle Own(nint p)
    {
        if (p == 0) throw new OutOfMemoryException("null AVBufferRef");
        return new AvBufferRefHandle(p);
    }

    /// <summary>The referenced object (<c>ref->data</c>): an AVHWDeviceContext or AVHWFramesContext.</summary>
    public nint Data => LibAv.PtrAt(Ptr, AvLayout.BufferRef.Data);

    protected override bool ReleaseHandle()
    {
        nint p = handle;
        LibAv.av_buffer_unref(&p);
        Interlocked.Decrement(ref s_live);
        return true;
    }
}

/// <summary>Opens libav hardware devices (<c>av_hwdevice_ctx_create</c>) with readable failures.</summary>
internal static unsafe class HardwareDevice
{
    /// <summary>
    /// Opens the default device of <paramref name="type"/> (<c>cuda</c>, <c>vaapi</c>, <c>qsv</c>,
    /// <c>videotoolbox</c>, <c>vulkan</c>, ...). Throws ERR_ENCODE with libav's error text and log
    /// lines when the type is not in this FFmpeg build or no device can be opened.
    /// </summary>
    public static AvBufferRefHandle Open(string type)
    {
        LibAvLoader.EnsureLoaded();
        // av_hwdevice_find_type_by_name knows every type's name, built in or not (it finds
        // "videotoolbox" on Linux); the types this build can open are the ones it iterates.
        int id = LibAv.av_hwdevice_find_type_by_name(type);
        if (id == AvConst.HwDeviceTypeNone || !KnownTypes().Contains(type))
            throw new EngineException(ErrorCodes.Encode, $"hardware device type {type} is not in this FFmpeg build");
        using var log = AvLogCapture.Begin();
        nint device = 0;
        int ret = LibAv.av_hwdevice_ctx_create(&device, id, null, 0, 0);
        if (ret < 0 || device == 0)
        {
            if (device != 0) LibAv.av_buffer_unref(&device);
            throw new EngineException(ErrorCodes.Encode, $"cannot open a {type} device: {AvLogCapture.Describe(ret, log)}");
        }
        return AvBufferRefHandle.Own(device);
    }

    /// <summary>The device types this FFmpeg build knows, in libav's order.</summary>
    public static IReadOnlyList<string> KnownTypes()
    {
        LibAvLoader.EnsureLoaded();
        var types = new List<string>();
        int t = AvConst.HwDeviceTypeNone;
        while ((t = LibAv.av_hwdevice_iterate_types(t)) != AvConst.HwDeviceTypeNone)
            if (System.Runtime.InteropServices.Marshal.PtrToStringUTF8(LibAv.av_hwdevice_get_type_name(t)) is { } name)
                types.Add(name);
        return types;
    }

    /// <summary>The device type whose frames have hardware pixel format <paramref name="pixFmt"/>, or null.</summary>
    public static string? TypeForPixelFormat(int pixFmt) => pixFmt switch
    {
        AvConst.PixFmtVaapi => "vaapi",
        AvConst.PixFmtQsv => "qsv",
        AvConst.PixFmtCuda => "cuda",
        AvConst.PixFmtVideotoolbox => "videotoolbox",
        AvConst.PixFmtVulkan => "vulkan",
        _ => null,
    };
}

/// <summary>
/// Uploads the pipeline's yuv420p frames into a pool of hardware surfaces (NV12) for encoders
/// that only take hardware frames (VAAPI): each frame is interleaved into a system-memory NV12
/// staging frame, then copied to a surface from the pool with <c>av_hwframe_transfer_data</c>.
/// The staging frame, the surface frame and the pool are allocated once; per frame only a pooled
/// surface is taken and handed to the encoder (which keeps its own reference).
/// </summary>
internal sealed unsafe class HardwareFrameUploader : IDisposable
{
    private readonly AvBufferRefHandle _frames;
    private readonly AvFrameHandle _staging;
    private readonly AvFrameHandle _surface = AvFrameHandle.Alloc();

    /// <param name="device">An open device (<see cref="HardwareDevice.Open"/>); the uploader takes its own reference.</param>
    /// <param name="hwPixFmt">The surfaces' hardware format (e.g. <see cref="AvConst.PixFmtVaapi"/>).</param>
    public HardwareFrameUploader(AvBufferRefHandle device, int hwPixFmt, int width, int height, int poolSize = 16)
    {
        try
        {
            var frames = LibAv.av_hwframe_ctx_alloc(device.Ptr);
            if (frames == 0) throw new EngineException(ErrorCodes.Encode, "cannot allocate a hardware frames context");
            _frames = AvBufferRefHandle.Own(frames);
            var fc = _frames.Data;
            LibAv.Field<int>(fc, AvLayout.HwFramesContext.Format) = hwPixFmt;
            LibAv.Field<int>(fc, AvLayout.HwFramesContext.SwFormat) = AvConst.PixFmtNv12;
            LibAv.Field<int>(fc, AvLayout.HwFramesContext.Width) = width;
            LibAv.Field<int>(fc, AvLayout.HwFramesContext.Height) = height;
            LibAv.Field<int>(fc, AvLayout.HwFramesContext.InitialPoolSize) = poolSize;
            using (var log = AvLogCapture.Begin())
            {
                int ret = LibAv.av_hwframe_ctx_init(_frames.Ptr);
                if (ret < 0)
                    throw new EngineException(ErrorCodes.Encode,
                        $"cannot create {width}x{height} NV12 {LibAv.PixelFormatName(hwPixFmt)} surfaces: {AvLogCapture.Describe(ret, log)}");
            }
            _staging = Nv12.AllocateFrame(width, height);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The frames context to give the encoder (<c>AVCodecContext.hw_frames_ctx</c> takes a new reference).</summary>
    public nint FramesContext => _frames.Ptr;

    /// <summary>
    /// Copies <paramref name="yuv420p"/> (data and properties such as pts) into a fresh surface and
    /// returns that surface frame, valid until the next call.
    /// </summary>
    public nint Upload(nint yuv420p)
    {
        var staging = _staging.Ptr;
        AvCheck.Ok(LibAv.av_frame_make_writable(staging), ErrorCodes.Encode, "NV12 staging frame");
        Nv12.FromYuv420p(yuv420p, staging);
        var surface = _surface.Ptr;
        LibAv.av_frame_unref(surface);
        using var log = AvLogCapture.Begin();
        int ret = LibAv.av_hwframe_get_buffer(_frames.Ptr, surface, 0);
        if (ret < 0) throw new EngineException(ErrorCodes.Encode, $"no free hardware surface: {AvLogCapture.Describe(ret, log)}");
        ret = LibAv.av_hwframe_transfer_data(surface, staging, 0);
        if (ret < 0) throw new EngineException(ErrorCodes.Encode, $"uploading a frame to the hardware surface failed: {AvLogCapture.Describe(ret, log)}");
        AvCheck.Ok(LibAv.av_frame_copy_props(surface, yuv420p), ErrorCodes.Encode, "hardware frame properties");
        return surface;
    }

    public void Dispose()
    {
        _surface.Dispose();
        _staging?.Dispose();
        _frames?.Dispose();
    }
}

/// <summary>NV12 (a Y plane, then interleaved U/V) frames for encoders that take no yuv420p.</summary>
internal static unsafe class Nv12
{
    public static AvFrameHandle AllocateFrame(int width, int height)
    {
        var frame = AvFrameHandle.Alloc();
        var f = frame.Ptr;
        LibAv.Field<int>(f, AvLayout.Frame.Width) = width;
        LibAv.Field<int>(f, AvLayout.Frame.Height) = height;
        LibAv.Field<int>(f, AvLayout.Frame.Format) = AvConst.PixFmtNv12;
        int ret = LibAv.av_frame_get_buffer(f, 32);
        if (ret < 0)
        {
            frame.Dispose();
            AvCheck.Ok(ret, ErrorCodes.Encode, "allocating an NV12 frame");
        }
        return frame;
    }

    /// <summary>Splits <paramref name="count"/> interleaved U/V pairs (an NV12 chroma row) into a U and a V row.</summary>
    public static void SplitChroma(byte* uv, byte* u, byte* v, int count)
    {
        int x = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var low = Vector128.Create((ushort)0xFF);
            for (; x + 16 <= count; x += 16)
            {
                var a = Vector128.Load((ushort*)(uv + 2 * x));
                var b = Vector128.Load((ushort*)(uv + 2 * x + 16));
                Vector128.Narrow(a & low, b & low).Store(u + x);
                Vector128.Narrow(a >> 8, b >> 8).Store(v + x);
            }
        }
        for (; x < count; x++)
        {
            u[x] = uv[2 * x];
            v[x] = uv[2 * x + 1];
        }
    }

    /// <summary>Copies a yuv420p frame into an NV12 frame of the same size (and its properties, e.g. pts).</summary>
    public static void FromYuv420p(nint src, nint dst)
    {
        int w = LibAv.Field<int>(src, AvLayout.Frame.Width), h = LibAv.Field<int>(src, AvLayout.Frame.Height);
        var sData = (byte**)((byte*)src + AvLayout.Frame.Data);
        var sLine = (int*)((byte*)src + AvLayout.Frame.Linesize);
        var dData = (byte**)((byte*)dst + AvLayout.Frame.Data);
        var dLine = (int*)((byte*)dst + AvLayout.Frame.Linesize);
        for (int y = 0; y < h; y++)
            new ReadOnlySpan<byte>(sData[0] + (nint)y * sLine[0], w).CopyTo(new Span<byte>(dData[0] + (nint)y * dLine[0], w));
        int cw = (w + 1) / 2, ch = (h + 1) / 2;
        for (int y = 0; y < ch; y++)
        {
            byte* u = sData[1] + (nint)y * sLine[1];
            byte* v = sData[2] + (nint)y * sLine[2];
            byte* uv = dData[1] + (nint)y * dLine[1];
            for (int x = 0; x < cw; x++)
            {
                uv[2 * x] = u[x];
                uv[2 * x + 1] = v[x];
            }
        }
        AvCheck.Ok(LibAv.av_frame_copy_props(dst, src), ErrorCodes.Encode, "NV12 frame properties");
    }
}
