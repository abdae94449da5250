using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// An H.264 encoder (libx264) fed yuv420p frames. Settings go through AVOptions where
/// libavcodec has them; only <c>framerate</c> has no option and is written by offset.
/// Output is BT.709 limited range, tagged as such.
/// </summary>
internal sealed unsafe class VideoEncoder : IDisposable
{
    public const string CodecName = "libx264";
    private readonly AvCodecContextHandle _ctx;
    private readonly AvPacketHandle _packet = AvPacketHandle.Alloc();

    /// <param name="threads">x264 threads; 0 lets x264 pick from the core count.</param>
    public VideoEncoder(int width, int height, int fps, EncodeSettings settings, bool globalHeader, int threads = 0)
    {
        var codec = LibAv.avcodec_find_encoder_by_name(CodecName);
        if (codec == 0)
            throw new EngineException(ErrorCodes.Encode, $"encoder {CodecName} is not in this FFmpeg build (Debian's libavcodec59 has it)");
        _ctx = AvCodecContextHandle.Alloc(codec);
        var ctx = _ctx.Ptr;
        Set(ctx, "video_size", $"{width}x{height}");
        Set(ctx, "pixel_format", "yuv420p");
        Set(ctx, "time_base", $"1/{fps}");
        LibAv.Field<AVRational>(ctx, AvLayout.CodecContext.Framerate) = new AVRational(fps, 1);
        Set(ctx, "g", (fps * 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Set(ctx, "colorspace", "bt709");
        Set(ctx, "color_primaries", "bt709");
        Set(ctx, "color_trc", "bt709");
        Set(ctx, "color_range", "tv");
        Set(ctx, "threads", threads > 0 ? threads.ToString(System.Globalization.CultureInfo.InvariantCulture) : "auto");
        if (globalHeader) Set(ctx, "flags", "+global_header");

        nint opts = 0;
        LibAv.av_dict_set(&opts, "preset", settings.Preset, 0);
        LibAv.av_dict_set(&opts, "crf", settings.Crf.ToString(System.Globalization.CultureInfo.InvariantCulture), 0);
        int ret = LibAv.avcodec_open2(ctx, codec, &opts);
        LibAv.av_dict_free(&opts);
        if (ret < 0)
        {
            _ctx.Dispose();
            _packet.Dispose();
            throw new EngineException(ErrorCodes.Encode, $"cannot open {CodecName} for {width}x{height}@{fps} ({LibAv.ErrorText(ret)})");
        }
        TimeBase = new AVRational(1, fps);
    }

    public nint Context => _ctx.Ptr;
    public AVRational TimeBase { get; }

    private static void Set(nint ctx, string name, string value) =>
        AvCheck.Ok(LibAv.av_opt_set(ctx, name, value, AvConst.OptSearchChildren), ErrorCodes.Encode, $"{CodecName} option {name}={value}");

    /// <summary>Encodes one frame (or flushes with 0) and hands every finished packet to <paramref name="sink"/>.</summary>
    public void Encode(nint frame, IPacketSink sink)
    {
        int ret = LibAv.avcodec_send_frame(_ctx.Ptr, frame);
        if (ret < 0 && ret != AvConst.ErrorEof) AvCheck.Ok(ret, ErrorCodes.Encode, "encoding a video frame");
        Drain(_ctx.Ptr, _packet.Ptr, sink, isVideo: true);
    }

    internal static void Drain(nint ctx, nint packet, IPacketSink sink, bool isVideo)
    {
        while (true)
        {
            int ret = LibAv.avcodec_receive_packet(ctx, packet);
            if (ret == AvConst.ErrorEagain || ret == AvConst.ErrorEof) return;
            AvCheck.Ok(ret, ErrorCodes.Encode, isVideo ? "receiving a video packet" : "receiving an audio packet");
            try
            {
                sink.Write(packet, isVideo);
            }
            finally
            {
                LibAv.av_packet_unref(packet);
            }
        }
    }

    public void Dispose()
    {
        _packet.Dispose();
        _ctx.Dispose();
    }
}

/// <summary>Where encoders put their packets (the muxer).</summary>
internal interface IPacketSink
{
    void Write(nint packet, bool isVideo);
}
