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

/// <summary>
/// A demuxer opened with avformat_open_input, with its interrupt callback (<see cref="MediaIo"/>):
/// the blocking calls go through <see cref="FindStreamInfo"/>, <see cref="ReadFrame"/> and
/// <see cref="SeekFile"/>, which start the stall clock and turn an interrupted call into an abort
/// or a coded stall error.
/// </summary>
internal sealed unsafe class AvInputContextHandle : AvHandle
{
    private readonly AvInterrupt _interrupt;
    private readonly string _path;

    private AvInputContextHandle(nint p, AvInterrupt interrupt, string path) : base(p)
    {
        _interrupt = interrupt;
        _path = path;
    }

    /// <summary>
    /// Opens <paramref name="path"/> through the <c>file</c> protocol only, with only the demuxers
    /// in <paramref name="formats"/> (comma-separated); any other format (text, playlists, image
    /// patterns) is refused with ERR_UNSUPPORTED_MEDIA saying it is not <paramref name="wanted"/>.
    /// Use <c>MediaRoles.Open</c>, which also checks the file is a regular file first.
    /// </summary>
    /// <param name="protocolOptions">Extra options of the file protocol (tests: <c>follow=1</c> reads a file as it grows).</param>
    public static AvInputContextHandle Open(string path, string formats, string wanted, IReadOnlyDictionary<string, string>? protocolOptions = null)
    {
        nint ctx = LibAv.avformat_alloc_context();
        if (ctx == 0) throw new OutOfMemoryException("avformat_alloc_context failed");
        var interrupt = new AvInterrupt();
        interrupt.Attach(ctx);
        nint options = 0;
        int ret;
        try
        {
            LibAv.av_dict_set(&options, "protocol_whitelist", "file", 0);
            LibAv.av_dict_set(&options, "format_whitelist", formats, 0);
            LibAv.av_dict_set(&options, "pattern_type", "none", 0);
            if (protocolOptions is not null)
                foreach (var (key, value) in protocolOptions) LibAv.av_dict_set(&options, key, value, 0);
            ret = LibAv.avformat_open_input(&ctx, path, 0, &options); // frees ctx when it fails
        }
        finally
        {
            LibAv.av_dict_free(&options);
        }
        if (ret < 0)
        {
            try
            {
                interrupt.ThrowIfStopped(path, writing: false);
            }
            finally
            {
                interrupt.Dispose();
            }
            var code = ret == AvConst.ErrorEnoent ? ErrorCodes.InputNotFound : ErrorCodes.UnsupportedMedia;
            // libavformat answers a format outside the allow-list with EINVAL after probing.
            string why = ret == AvConst.ErrorEinval ? $"not {wanted}: its format is not one the engine reads as media" : LibAv.ErrorText(ret);
            throw new EngineException(code, $"{path}: cannot open as media ({why})");
        }
        return new AvInputContextHandle(ctx, interrupt, path);
    }

    /// <summary>avformat_find_stream_info; throws only when the interrupt stopped it.</summary>
    public int FindStreamInfo() => Checked(LibAv.avformat_find_stream_info(Ptr, null));

    /// <summary>av_read_frame; throws only when the interrupt stopped it.</summary>
    public int ReadFrame(nint packet) => Checked(LibAv.av_read_frame(Ptr, packet));

    /// <summary>avformat_seek_file; throws only when the interrupt stopped it.</summary>
    public int SeekFile(int streamIndex, long minTs, long ts, long maxTs, int flags) =>
        Checked(LibAv.avformat_seek_file(Ptr, streamIndex, minTs, ts, maxTs, flags));

    private int Checked(int ret)
    {
        // Stopped mid-read, libav may still answer success with a partial packet (flagged corrupt):
        // once the callback has stopped the context, whatever the call returned is the stop.
        if (ret < 0 || _interrupt.Stopped) _interrupt.ThrowIfStopped(_path, writing: false);
        _interrupt.Begin(); // the next call starts its own clock
        return ret;
    }

    protected override bool ReleaseHandle()
    {
        nint p = handle;
        LibAv.avformat_close_input(&p);
        _interrupt.Dispose();
        return true;
    }
}

/// <summary>
/// A muxer context; closes its I/O context (if it opened one) before freeing. Its interrupt
/// callback (<see cref="MediaIo"/>) is on the context and on the file it opens (<see cref="Interrupt"/>).
/// </summary>
internal sealed unsafe class AvOutputContextHandle : AvHandle
{
    private AvOutputContextHandle(nint p, AvInterrupt interrupt) : base(p) => Interrupt = interrupt;

    /// <summary>The callback watching this muxer's writes: pass <see cref="AvInterrupt.Value"/> to avio_open2.</summary>
    public AvInterrupt Interrupt { get; }

    public static AvOutputContextHandle Alloc(string formatName, string path)
    {
        nint ctx = 0;
        int ret = LibAv.avformat_alloc_output_context2(&ctx, 0, formatName, path);
        if (ret < 0 || ctx == 0)
            throw new EngineException(ErrorCodes.Output, $"{path}: cannot create a {formatName} muxer ({LibAv.ErrorText(ret)})");
        var interrupt = new AvInterrupt();
        interrupt.Attach(ctx);
        return new AvOutputContextHandle(ctx, interrupt);
    }

    protected override bool ReleaseHandle()
    {
        var pb = (nint*)((byte*)handle + AvLayout.FormatContext.Pb);
        if (*pb != 0) LibAv.avio_closep(pb);
        LibAv.avformat_free_context(handle);
        Interrupt.Dispose();
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
