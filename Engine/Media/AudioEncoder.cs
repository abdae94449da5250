using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// The audio encoder, 48 kHz stereo: FFmpeg's native AAC-LC (planar float) for MP4/MOV/MKV,
/// or libopus (interleaved float) for WebM. It takes fixed frames of <see cref="FrameSize"/>
/// samples, filled through <see cref="EncodeFrame"/>.
/// </summary>
internal sealed unsafe class AudioEncoder : IDisposable
{
    public const string Aac = "aac";
    public const string Opus = "libopus";
    private readonly AvCodecContextHandle _ctx;
    private readonly AvPacketHandle _packet = AvPacketHandle.Alloc();
    private readonly AvFrameHandle _frame = AvFrameHandle.Alloc();
    private readonly bool _interleaved;
    private long _nextPts;

    /// <param name="codecName"><see cref="Aac"/> or <see cref="Opus"/> (see <see cref="ForContainer"/>).</param>
    public AudioEncoder(int sampleRate, int bitRate, bool globalHeader, string codecName = Aac)
    {
        if (codecName is not (Aac or Opus)) throw new ArgumentException($"unsupported audio encoder {codecName}", nameof(codecName));
        Name = codecName;
        _interleaved = codecName == Opus; // libopus takes s16 or flt, interleaved
        int sampleFmt = _interleaved ? AvConst.SampleFmtFlt : AvConst.SampleFmtFltp;
        var codec = LibAv.avcodec_find_encoder_by_name(codecName);
        if (codec == 0)
        {
            _frame.Dispose();
            _packet.Dispose();
            throw new EngineException(ErrorCodes.Encode, $"the {codecName} encoder is not in this FFmpeg build");
        }
        _ctx = AvCodecContextHandle.Alloc(codec);
        var ctx = _ctx.Ptr;
        string rate = sampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Set(ctx, "ar", rate);
        Set(ctx, "ch_layout", "stereo");
        Set(ctx, "b", bitRate.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Set(ctx, "time_base", "1/" + rate);
        // libavcodec 59 has no AVOption for the encoder's sample format.
        LibAv.Field<int>(ctx, AvLayout.CodecContext.SampleFmt) = sampleFmt;
        if (globalHeader) Set(ctx, "flags", "+global_header");
        int ret = LibAv.avcodec_open2(ctx, codec, null);
        if (ret < 0)
        {
            Dispose();
            throw new EngineException(ErrorCodes.Encode, $"cannot open the {codecName} encoder ({LibAv.ErrorText(ret)})");
        }
        FrameSize = LibAv.Field<int>(ctx, AvLayout.CodecContext.FrameSize);
        SampleRate = sampleRate;
        TimeBase = new AVRational(1, sampleRate);

        var f = _frame.Ptr;
        LibAv.Field<int>(f, AvLayout.Frame.NbSamples) = FrameSize;
        LibAv.Field<int>(f, AvLayout.Frame.Format) = sampleFmt;
        LibAv.Field<int>(f, AvLayout.Frame.SampleRate) = sampleRate;
        AvCheck.Ok(LibAv.av_channel_layout_copy(f + AvLayout.Frame.ChLayout, ctx + AvLayout.CodecContext.ChLayout), ErrorCodes.Encode, "audio frame layout");
        AvCheck.Ok(LibAv.av_frame_get_buffer(f, 0), ErrorCodes.Encode, "allocating an audio frame");
    }

    /// <summary>The libavcodec encoder: <c>aac</c> or <c>libopus</c>.</summary>
    public string Name { get; }

    /// <summary>The codec it produces: <c>aac</c> or <c>opus</c>.</summary>
    public string Codec => CodecOf(Name);

    /// <summary>The audio encoder a container takes: libopus for WebM, AAC otherwise.</summary>
    public static string ForContainer(string muxerFormat) => muxerFormat == "webm" ? Opus : Aac;

    public static string CodecOf(string encoderName) => encoderName == Opus ? "opus" : "aac";

    public nint Context => _ctx.Ptr;
    public int FrameSize { get; }
    public int SampleRate { get; }
    public AVRational TimeBase { get; }

    /// <summary>Samples handed to the encoder so far (the next frame's pts).</summary>
    public long SamplesEncoded => _nextPts;

    private static void Set(nint ctx, string name, string value) =>
        AvCheck.Ok(LibAv.av_opt_set(ctx, name, value, AvConst.OptSearchChildren), ErrorCodes.Encode, $"audio encoder option {name}={value}");

    /// <summary>Encodes one frame of <see cref="FrameSize"/> samples from two planes (a shorter last frame is allowed).</summary>
    public void EncodeFrame(ReadOnlySpan<float> left, ReadOnlySpan<float> right, IPacketSink sink)
    {
        var f = _frame.Ptr;
        AvCheck.Ok(LibAv.av_frame_make_writable(f), ErrorCodes.Encode, "audio frame");
        int n = left.Length;
        LibAv.Field<int>(f, AvLayout.Frame.NbSamples) = n;
        if (_interleaved)
        {
            var lr = new Span<float>((void*)LibAv.PtrAt(f, AvLayout.Frame.Data), 2 * n);
            for (int i = 0; i < n; i++)
            {
                lr[2 * i] = left[i];
                lr[2 * i + 1] = right[i];
            }
        }
        else
        {
            var l = new Span<float>((void*)LibAv.PtrAt(f, AvLayout.Frame.Data), n);
            var r = new Span<float>((void*)LibAv.PtrAt(f, AvLayout.Frame.Data + AvLayout.PointerSize), n);
            left.CopyTo(l);
            right.CopyTo(r);
        }
        LibAv.Field<long>(f, AvLayout.Frame.Pts) = _nextPts;
        _nextPts += n;
        int ret = LibAv.avcodec_send_frame(_ctx.Ptr, f);
        AvCheck.Ok(ret, ErrorCodes.Encode, "encoding audio");
        VideoEncoder.Drain(_ctx.Ptr, _packet.Ptr, sink, isVideo: false);
    }

    public void Flush(IPacketSink sink)
    {
        int ret = LibAv.avcodec_send_frame(_ctx.Ptr, 0);
        if (ret < 0 && ret != AvConst.ErrorEof) AvCheck.Ok(ret, ErrorCodes.Encode, "flushing audio");
        VideoEncoder.Drain(_ctx.Ptr, _packet.Ptr, sink, isVideo: false);
    }

    public void Dispose()
    {
        _frame.Dispose();
        _packet.Dispose();
        _ctx?.Dispose();
    }
}
