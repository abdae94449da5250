using System.Runtime.InteropServices;

namespace ReelSpeed.Engine.Media.Native;

/// <summary>
/// Base of every owned libav pointer. Owners dispose these deterministically (<c>using</c>)
/// on the thread that uses them; the finalizer is only a last resort for a handle that was
/// leaked, and by then nothing can still be using it.
/// </summary>
internal abstract class AvHandle : SafeHandle
{
    protected AvHandle(nint ptr) : base(0, ownsHandle: true) => SetHandle(ptr);

    public override bool IsInvalid => handle == 0;

    /// <summary>The raw pointer, valid while this handle is alive and not disposed.</summary>
    public nint Ptr
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return handle;
        }
    }
}

internal sealed unsafe class AvFrameHandle : AvHandle
{
    private AvFrameHandle(nint p) : base(p) { }

    public static AvFrameHandle Alloc()
    {
        var p = LibAv.av_frame_alloc();
        if (p == 0) throw new OutOfMemoryException("av_frame_alloc failed");
        return new AvFrameHandle(p);
    }

    protected override bool ReleaseHandle()
    {
        nint p = handle;
        LibAv.av_frame_free(&p);
        return true;
    }
}

internal sealed unsafe class AvPacketHandle : AvHandle
{
    private AvPacketHandle(nint p) : base(p) { }

    public static AvPacketHandle Alloc()
    {
        var p = LibAv.av_packet_alloc();
        if (p == 0) throw new OutOfMemoryException("av_packet_alloc failed");
        return new AvPacketHandle(p);
    }

    protected override bool ReleaseHandle()
    {
        nint p = handle;
        LibAv.av_packet_free(&p);
        return true;
    }
}

internal sealed unsafe class AvCodecContextHandle : AvHandle
{
    private AvCodecContextHandle(nint p) : base(p) { }

    public static AvCodecContextHandle Alloc(nint codec)
    {
        var p = LibAv.avcodec_alloc_context3(codec);
        if (p == 0) throw new OutOfMemoryException("avcodec_alloc_context3 failed");
        return new AvCodecContextHandle(p);
    }

    protected override bool ReleaseHandle()
    {
        nint p = handle;
        LibAv.avcodec_free_context(&p);
        return true;
    }
}

/// <summary>A demuxer opened with avformat_open_input.</summary>
internal sealed unsafe class AvInputContextHandle : AvHandle
{
    private AvInputContextHandle(nint p) : base(p) { }

    /// <summary>
    /// Opens <paramref name="path"/> through the <c>file</c> protocol only, with only the demuxers
    /// in <paramref name="formats"/> (comma-separated); any other format (text, playlists, image
    /// patterns) is refused with ERR_UNSUPPORTED_MEDIA saying it is not <paramref name="wanted"/>.
    /// Use <c>MediaRoles.Open</c>, which also checks the file is a regular file first.
    /// </summary>
    public static AvInputContextHandle Open(string path, string formats, string wanted)
    {
        nint ctx = 0;
        nint options = 0;
        int ret;
        try
        {
            LibAv.av_dict_set(&options, "protocol_whitelist", "file", 0);
            LibAv.av_dict_set(&options, "format_whitelist", formats, 0);
            LibAv.av_dict_set(&options, "pattern_type", "none", 0);
            ret = LibAv.avformat_open_input(&ctx, path, 0, &options);
        }
        finally
        {
            LibAv.av_dict_free(&options);
        }
        if (ret < 0)
        {
            var code = ret == AvConst.ErrorEnoent ? ErrorCodes.InputNotFound : ErrorCodes.UnsupportedMedia;
            // libavformat answers a format outside the allow-list with EINVAL after probing.
            string why = ret == AvConst.ErrorEinval ? $"not {wanted}: its format is not one the engine reads as media" : LibAv.ErrorText(ret);
            throw new EngineException(code, $"{path}: cannot open as media ({why})");
        }
        return new AvInputContextHandle(ctx);
    }

    protected override bool ReleaseHandle()
    {
        nint p = handle;
        LibAv.avformat_close_input(&p);
        return true;
    }
}

/// <summary>A muxer context; closes its I/O context (if it opened one) before freeing.</summary>
internal sealed unsafe class AvOutputContextHandle : AvHandle
{
    private AvOutputContextHandle(nint p) : base(p) { }

    public static AvOutputContextHandle Alloc(string formatName, string path)
    {
        nint ctx = 0;
        int ret = LibAv.avformat_alloc_output_context2(&ctx, 0, formatName, path);
        if (ret < 0 || ctx == 0)
            throw new EngineException(ErrorCodes.Output, $"{path}: cannot create a {formatName} muxer ({LibAv.ErrorText(ret)})");
        return new AvOutputContextHandle(ctx);
    }

    protected override bool ReleaseHandle()
    {
        var pb = (nint*)((byte*)handle + AvLayout.FormatContext.Pb);
        if (*pb != 0) LibAv.avio_closep(pb);
        LibAv.avformat_free_context(handle);
        return true;
    }
}

internal sealed unsafe class SwsContextHandle : AvHandle
{
    public SwsContextHandle(nint p) : base(p) { }

    protected override bool ReleaseHandle()
    {
        LibAv.sws_freeContext(handle);
        return true;
    }
}

internal sealed unsafe class SwrContextHandle : AvHandle
{
    public SwrContextHandle(nint p) : base(p) { }

    protected override bool ReleaseHandle()
    {
        nint p = handle;
        LibAv.swr_free(&p);
        return true;
    }
}
