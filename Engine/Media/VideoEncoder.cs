using System.Globalization;
using System.Runtime.InteropServices;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>Which pass of an encode an encoder runs.</summary>
internal enum EncodePass
{
    /// <summary>The only pass (CRF or one-pass bitrate).</summary>
    Single,

    /// <summary>Two-pass, pass 1: collects statistics into <see cref="VideoEncoderSpec.Stats"/>; its packets are not kept.</summary>
    First,

    /// <summary>Two-pass, pass 2: reads the statistics of a completed pass 1 and produces the output.</summary>
    Second,
}

/// <summary>What to encode: frame size and rate, the settings, and for two-pass which pass with which statistics.</summary>
internal sealed record VideoEncoderSpec(int Width, int Height, int Fps, EncodeSettings Settings, bool GlobalHeader, int Threads = 0)
{
    /// <summary>Denominator of the frame rate: the rate is <c>Fps / FpsDen</c> (30000/1001 for 29.97).</summary>
    public int FpsDen { get; init; } = 1;

    public EncodePass Pass { get; init; } = EncodePass.Single;
    public TwoPassStats? Stats { get; init; }

    /// <summary>
    /// libx264's first pass only: encode at this constant quality (crf) instead of the settings' bit rate. The
    /// statistics still plan a second pass at any rate (<see cref="Pipeline.RenderJob"/>'s stuck-rate-control check).
    /// </summary>
    public int? FirstPassCrf { get; init; }

    /// <summary>
    /// libx264 only: split each frame among the threads (x264's <c>sliced-threads</c>) instead of encoding several frames
    /// at once, so x264 holds one frame in flight instead of a pipeline of them (<see cref="Pipeline.JobMemory"/>: about
    /// 26 bytes a pixel less with two threads), at some speed (no threaded lookahead) and a little size (a slice per thread).
    /// </summary>
    public bool SliceThreads { get; init; }
}

/// <summary>
/// A video encoder fed the pipeline's yuv420p frames: libx264, libx265 or libvpx-vp9 for
/// <c>h264</c> / <c>h265</c> / <c>vp9</c>, or a hardware encoder (NVENC, QSV, VAAPI, VideoToolbox)
/// chosen by <see cref="Open"/>. Settings go through AVOptions (checked one by one, so a wrong
/// name fails at once); only <c>framerate</c>, the hardware frames context and the two-pass
/// statistics input have no option and are written by offset. Output is 8-bit 4:2:0, BT.709
/// limited range, tagged as such. Encoders that take no yuv420p get NV12 (QSV) or hardware
/// surfaces uploaded from NV12 (VAAPI), converted here.
/// <para>Two passes (software encoders only): open a <see cref="EncodePass.First"/> encoder with a
/// <see cref="TwoPassStats"/>, encode every frame into <see cref="NullPacketSink"/> and flush —
/// flushing pass 1 closes it and completes the statistics — then open a
/// <see cref="EncodePass.Second"/> encoder with the same statistics and encode into the muxer.</para>
/// </summary>
internal sealed unsafe class VideoEncoder : IDisposable
{
    private enum Family { X264, X265, Vpx, Nvenc, Qsv, Vaapi, VideoToolbox, Raw }

    private static int s_live;

    private readonly AvCodecContextHandle _ctx = null!;
    private readonly AvPacketHandle _packet = null!;
    private readonly VideoEncoderSpec _spec;
    private readonly Family _family;
    private readonly AvFrameHandle? _nv12;
    private readonly HardwareFrameUploader? _uploader;
    private readonly AvBufferRefHandle? _device;
    private nint _statsIn;
    private bool _contextLive;
    private X264Reconstruction? _reconstruction;
    private bool _started;

    /// <summary>An encoder for <paramref name="settings"/>' codec in software (no hardware, one pass).</summary>
    public VideoEncoder(int width, int height, int fps, EncodeSettings settings, bool globalHeader, int threads = 0)
        : this(new VideoEncoderSpec(width, height, fps, settings, globalHeader, threads))
    {
    }

    /// <summary>Opens <paramref name="encoderName"/> (default: the codec's software encoder) for <paramref name="spec"/>.</summary>
    /// <exception cref="ConfigValidationException">The settings are invalid.</exception>
    /// <exception cref="EngineException">ERR_ENCODE: the encoder is missing or cannot open (libav's reason in the message).</exception>
    public VideoEncoder(VideoEncoderSpec spec, string? encoderName = null)
    {
        LibAvLoader.EnsureLoaded();
        _spec = spec;
        var s = spec.Settings;
        var errors = s.Validate();
        if (errors.Count > 0) throw new ConfigValidationException(errors);
        EncoderName = encoderName ?? SoftwareEncoder(s.Codec);
        _family = FamilyOf(EncoderName);
        CheckPass(spec, EncoderName, _family);

        var codec = LibAv.avcodec_find_encoder_by_name(EncoderName);
        if (codec == 0)
            throw new EngineException(ErrorCodes.Encode, $"encoder {EncoderName} is not in this FFmpeg build");
        if (LibAv.Field<int>(codec, AvLayout.Codec.Id) != CodecId(s.Codec))
            throw new EngineException(ErrorCodes.Encode, $"encoder {EncoderName} does not produce {s.Codec}");

        using var log = AvLogCapture.Begin();
        try
        {
            _packet = AvPacketHandle.Alloc();
            _ctx = AvCodecContextHandle.Alloc(codec);
            _contextLive = true;
            Interlocked.Increment(ref s_live);
            var ctx = _ctx.Ptr;
            Set("video_size", $"{spec.Width}x{spec.Height}");
            Set("time_base", $"{spec.FpsDen}/{spec.Fps}");
            LibAv.Field<AVRational>(ctx, AvLayout.CodecContext.Framerate) = new AVRational(spec.Fps, spec.FpsDen);
            Set("g", Num(Math.Max(1, (long)Math.Round(s.KeyframeSeconds * spec.Fps / spec.FpsDen))));
            // Square pixels, said so in the stream (scenes are drawn and clips scaled to their display size), as the ffmpeg
            // CLI says it for a square-pixel input: the same headers, so x264's first frame costs the same bits as the CLI's.
            Set("aspect", "1:1");
            if (s.Color is { } tags)
            {
                // Frames passed through from a clip keep its colour description, whatever it is.
                SetInt("colorspace", tags.Space);
                SetInt("color_primaries", tags.Primaries);
                SetInt("color_trc", tags.Transfer);
                SetInt("color_range", tags.Range);
            }
            else
            {
                Set("colorspace", "bt709");
                Set("color_primaries", "bt709");
                Set("color_trc", "bt709");
                Set("color_range", "tv");
            }
            if (spec.GlobalHeader) Set("flags", "+global_header");
            ApplySettings(spec, s);

            // Frames: yuv420p when the encoder takes it, else NV12 in system memory, else NV12
            // uploaded into the encoder's hardware surfaces.
            var formats = PixelFormats(codec);
            int pixFmt;
            if (formats.Count == 0 || formats.Contains(AvConst.PixFmtYuv420p)) // none listed: any (rawvideo)
            {
                pixFmt = AvConst.PixFmtYuv420p;
            }
            else if (formats.Contains(AvConst.PixFmtNv12))
            {
                pixFmt = AvConst.PixFmtNv12;
                _nv12 = Nv12.AllocateFrame(spec.Width, spec.Height);
            }
            else if (formats.Select(f => (Format: f, Device: HardwareDevice.TypeForPixelFormat(f))).FirstOrDefault(f => f.Device is not null) is { Device: { } deviceType } hw)
            {
                pixFmt = hw.Format;
                _device = HardwareDevice.Open(deviceType);
                _uploader = new HardwareFrameUploader(_device, pixFmt, spec.Width, spec.Height);
                LibAv.Field<nint>(ctx, AvLayout.CodecContext.HwFramesCtx) = LibAv.av_buffer_ref(_uploader.FramesContext);
                if (LibAv.PtrAt(ctx, AvLayout.CodecContext.HwFramesCtx) == 0) throw new OutOfMemoryException("av_buffer_ref failed");
            }
            else
            {
                throw new EngineException(ErrorCodes.Encode, $"{EncoderName} takes none of yuv420p, nv12 or a hardware surface format");
            }
            AvCheck.Ok(LibAv.av_opt_set_int(ctx, "pixel_format", pixFmt, AvConst.OptSearchChildren), ErrorCodes.Encode, $"{EncoderName} pixel format");
            InputPixelFormat = LibAv.PixelFormatName(pixFmt) ?? pixFmt.ToString(CultureInfo.InvariantCulture);

            int ret = LibAv.avcodec_open2(ctx, codec, null);
            if (ret < 0)
                throw new EngineException(ErrorCodes.Encode,
                    $"cannot open {EncoderName} for {spec.Width}x{spec.Height}@{spec.Fps} ({s}): {AvLogCapture.Describe(ret, log)}");
        }
        catch
        {
            Dispose();
            throw;
        }
        TimeBase = new AVRational(spec.FpsDen, spec.Fps);
    }

    /// <summary>Encoder contexts created and not yet freed (a test checks failed opens release theirs).</summary>
    public static int LiveContexts => Volatile.Read(ref s_live);

    /// <summary>The libavcodec encoder in use (<c>libx264</c>, <c>h264_nvenc</c>, ...).</summary>
    public string EncoderName { get; }

    /// <summary>What the encoder is fed: yuv420p, nv12, or a hardware surface format (vaapi).</summary>
    public string InputPixelFormat { get; } = "";

    public nint Context => _ctx.Ptr;
    public int Width => _spec.Width;
    public int Height => _spec.Height;
    public AVRational TimeBase { get; }

    /// <summary>The software encoder of a codec: libx264, libx265 or libvpx-vp9.</summary>
    public static string SoftwareEncoder(string codec) => codec switch
    {
        EncodeSettings.H264 => "libx264",
        EncodeSettings.H265 => "libx265",
        EncodeSettings.Vp9 => "libvpx-vp9",
        EncodeSettings.Raw => "rawvideo",
        _ => throw new ConfigValidationException(new[] { new ConfigError("video.codec", $"expected one of \"h264\", \"h265\", \"vp9\", got \"{codec}\"") }),
    };

    public static bool IsHardwareEncoder(string name) => FamilyOf(name) is not (Family.X264 or Family.X265 or Family.Vpx or Family.Raw);

    /// <summary>
    /// Opens the encoder the engine's hardware policy picks for <paramref name="spec"/>:
    /// <see cref="HardwareAcceleration.Off"/> always the software encoder;
    /// <see cref="HardwareAcceleration.Auto"/> the first working hardware encoder for the codec
    /// (<see cref="HardwareEncoders"/>), else software without comment;
    /// <see cref="HardwareAcceleration.Required"/> the same, but when no hardware encoder is used
    /// <paramref name="hardwareFallback"/> says why. Under both, a hardware encoder that fails to
    /// open for this job (session limit, driver gone) gives way to the software encoder, with the
    /// reason. Two-pass encodes always use software.
    /// </summary>
    public static VideoEncoder Open(VideoEncoderSpec spec, HardwareAcceleration policy, out string? hardwareFallback)
    {
        hardwareFallback = null;
        var codec = spec.Settings.Codec;
        string software = SoftwareEncoder(codec);
        if (policy == HardwareAcceleration.Off) return new VideoEncoder(spec, software);

        string? hardware = HardwareEncoders.ForcedEncoder ?? HardwareEncoders.Info.BestFor(codec);
        if (hardware is null)
        {
            if (policy == HardwareAcceleration.Required)
                hardwareFallback = $"no working hardware {codec} encoder on this machine ({HardwareEncoders.Info.WhyNone(codec)}); {software} was used";
            return new VideoEncoder(spec, software);
        }
        if (spec.Pass != EncodePass.Single || spec.Settings.RateControl == RateControlMode.TwoPass)
        {
            hardwareFallback = $"{hardware} does not run two-pass encodes; {software} was used";
            return new VideoEncoder(spec, software);
        }
        try
        {
            return new VideoEncoder(spec, hardware);
        }
        catch (EngineException e) when (e is not ConfigValidationException)
        {
            hardwareFallback = $"{hardware} failed for this job ({e.Message}); {software} was used";
        }
        return new VideoEncoder(spec, software);
    }

    /// <summary>
    /// Checks that <paramref name="codec"/> can go into the container: WebM holds only VP9,
    /// QuickTime (.mov) no VP9; MP4 and Matroska hold all three.
    /// </summary>
    /// <exception cref="ConfigValidationException">ERR_INVALID_CONFIG naming the codec and the output.</exception>
    public static void CheckContainer(string codec, string muxerFormat, string outputPath)
    {
        string? why = (muxerFormat, codec) switch
        {
            ("webm", not EncodeSettings.Vp9) => $"a .webm file holds VP9 video only, got \"{codec}\"; use \"vp9\", or an .mp4/.mkv/.mov output",
            ("mov", EncodeSettings.Vp9) => "QuickTime (.mov) cannot hold VP9; use an .mp4, .mkv or .webm output, or \"h264\"/\"h265\"",
            (not "matroska", EncodeSettings.Raw) => "uncompressed video goes into Matroska (.mkv) only",
            _ => null,
        };
        if (why is not null) throw new ConfigValidationException(new[] { new ConfigError("video.codec", $"{why} ({outputPath})") });
    }

    private static void CheckPass(VideoEncoderSpec spec, string name, Family family)
    {
        bool twoPass = spec.Settings.RateControl == RateControlMode.TwoPass;
        string? why = null;
        if (twoPass && spec.Pass == EncodePass.Single)
            why = "two-pass settings need a pass-1 then a pass-2 encoder (VideoEncoderSpec.Pass) sharing one TwoPassStats";
        else if (!twoPass && spec.Pass != EncodePass.Single)
            why = $"pass {spec.Pass} needs two-pass settings, got {EncodeSettings.Mode(spec.Settings.RateControl)}";
        else if (spec.Pass != EncodePass.Single && spec.Stats is null)
            why = "a two-pass encoder needs its TwoPassStats";
        else if (spec.Pass != EncodePass.Single && family is not (Family.X264 or Family.X265 or Family.Vpx))
            why = $"{name} does not run two-pass encodes";
        else if (spec.FirstPassCrf is not null && (spec.Pass != EncodePass.First || family != Family.X264))
            why = "a constant-quality first pass is libx264's pass 1 only";
        else if (spec.Pass == EncodePass.Second && spec.Stats!.FirstPassEncoder != name)
            why = spec.Stats.FirstPassDone
                ? $"the statistics come from {spec.Stats.FirstPassEncoder}'s pass 1, not {name}'s"
                : "pass 2 needs a completed pass 1 (flush the pass-1 encoder first)";
        if (why is not null) throw new EngineException(ErrorCodes.Internal, $"{name}: {why}");
    }

    private static Family FamilyOf(string name) => name switch
    {
        "libx264" => Family.X264,
        "libx265" => Family.X265,
        "libvpx-vp9" => Family.Vpx,
        "rawvideo" => Family.Raw,
        _ when name.EndsWith("_nvenc", StringComparison.Ordinal) => Family.Nvenc,
        _ when name.EndsWith("_qsv", StringComparison.Ordinal) => Family.Qsv,
        _ when name.EndsWith("_vaapi", StringComparison.Ordinal) => Family.Vaapi,
        _ when name.EndsWith("_videotoolbox", StringComparison.Ordinal) => Family.VideoToolbox,
        _ => throw new EngineException(ErrorCodes.Encode, $"{name} is not a video encoder this engine drives (libx264, libx265, libvpx-vp9, *_nvenc, *_qsv, *_vaapi, *_videotoolbox)"),
    };

    private static int CodecId(string codec) => codec switch
    {
        EncodeSettings.H265 => AvConst.CodecIdHevc,
        EncodeSettings.Vp9 => AvConst.CodecIdVp9,
        EncodeSettings.Raw => AvConst.CodecIdRawVideo,
        _ => AvConst.CodecIdH264,
    };

    private static List<int> PixelFormats(nint codec)
    {
        var list = new List<int>();
        var p = (int*)LibAv.PtrAt(codec, AvLayout.Codec.PixFmts);
        if (p == null) return list;
        for (; *p != AvConst.PixFmtNone; p++) list.Add(*p);
        return list;
    }

    /// <summary>Rate control, preset and profile, per encoder family.</summary>
    private void ApplySettings(VideoEncoderSpec spec, EncodeSettings s)
    {
        bool crf = s.RateControl == RateControlMode.Crf || spec.FirstPassCrf is not null;
        int crfValue = spec.FirstPassCrf ?? s.Crf;
        int presetIndex = Array.IndexOf(EncodeSettings.Presets, s.Preset);
        if (!crf)
        {
            Set("b", Num(s.BitrateKbps * 1000L));
            if (s.EffectiveMaxRateKbps > 0)
            {
                Set("maxrate", Num(s.EffectiveMaxRateKbps * 1000L));
                Set("bufsize", Num(s.EffectiveBufferKbps * 1000L));
            }
        }
        string threads = spec.Threads > 0 ? Num(spec.Threads) : "auto";
        switch (_family)
        {
            case Family.Raw:
                break; // no rate control, no preset: the pictures as they are
            case Family.X264:
                Set("threads", threads);
                Set("preset", s.Preset);
                // No profile: x264 picks High for 8-bit 4:2:0 (Constrained Baseline under
                // ultrafast, High 4:4:4 Predictive for lossless crf 0, which "high" would refuse).
                if (crf) Set("crf", Num(crfValue));
                if (spec.Pass != EncodePass.Single)
                {
                    Set("flags", spec.Pass == EncodePass.First ? "+pass1" : "+pass2");
                    Set("stats", spec.Stats!.LogPath);
                }
                var x264 = new List<string>(2);
                if (spec.SliceThreads) x264.Add("sliced-threads=1");
                if (spec.Pass == EncodePass.Second && s.RateTolerance is { } tolerance)
                    x264.Add("ratetol=" + tolerance.ToString("0.###", CultureInfo.InvariantCulture));
                if (x264.Count > 0) Set("x264-params", string.Join(':', x264));
                break;
            case Family.X265:
                Set("preset", s.Preset);
                Set("profile", "main");
                if (crf) Set("crf", Num(s.Crf));
                // x265 prints to stderr unless told not to; it takes its thread count as "pools".
                var x265 = "log-level=error";
                if (spec.Threads > 0) x265 += ":pools=" + Num(spec.Threads);
                if (spec.Pass != EncodePass.Single)
                    x265 += $":pass={(spec.Pass == EncodePass.First ? 1 : 2)}:stats={spec.Stats!.LogPath}";
                Set("x265-params", x265);
                break;
            case Family.Vpx:
                Set("threads", threads);
                Set("row-mt", "1");
                var (deadline, cpuUsed) = VpxSpeed(presetIndex, twoPass: spec.Pass != EncodePass.Single);
                Set("deadline", deadline);
                Set("cpu-used", Num(cpuUsed));
                if (crf)
                {
                    Set("crf", Num(s.Crf));
                    Set("b", "0"); // constant quality, not constrained quality
                }
                if (spec.Pass == EncodePass.First)
                {
                    Set("flags", "+pass1");
                }
                else if (spec.Pass == EncodePass.Second)
                {
                    Set("flags", "+pass2");
                    // libavcodec never frees stats_in; this encoder does, after the context.
                    _statsIn = Marshal.StringToCoTaskMemUTF8(spec.Stats!.VpxStats);
                    LibAv.Field<nint>(_ctx.Ptr, AvLayout.CodecContext.StatsIn) = _statsIn;
                }
                break;
            case Family.Nvenc:
                Set("preset", "p" + Num(presetIndex switch { 0 => 1, 1 => 2, 2 or 3 => 3, 4 or 5 => 4, 6 => 5, 7 => 6, _ => 7 }));
                Set("profile", s.Codec == EncodeSettings.H264 ? "high" : "main");
                Set("rc", "vbr");
                if (crf)
                {
                    Set("cq", Num(s.Crf));
                    Set("b", "0");
                }
                break;
            case Family.Qsv:
                Set("preset", presetIndex <= 2 ? "veryfast" : s.Preset);
                if (crf) Set("global_quality", Num(Math.Max(1, s.Crf))); // ICQ
                break;
            case Family.Vaapi:
                Set("rc_mode", crf ? "CQP" : "VBR");
                // VAAPI's H.264/H.265 QP shares x264's 0..51 scale; VP9's quantiser index is 0..255.
                if (crf) Set("global_quality", Num(Math.Max(1, s.Codec == EncodeSettings.Vp9 ? s.Crf * 4 : s.Crf)));
                break;
            case Family.VideoToolbox:
                if (s.Codec == EncodeSettings.H264) Set("profile", "high");
                if (crf)
                {
                    // VideoToolbox's quality is 0..100 (higher is better), given as a lambda.
                    int quality = Math.Clamp((int)Math.Round(100.0 - s.Crf * 100.0 / 51), 1, 100);
                    Set("flags", "+qscale");
                    Set("global_quality", Num(quality * AvConst.QpToLambda));
                }
                break;
        }
    }

    /// <summary>
    /// libvpx's deadline and cpu-used for an x264 preset index (0 ultrafast .. 8 veryslow): the two
    /// fastest use the realtime deadline (not in two-pass, which libvpx runs in good mode).
    /// </summary>
    internal static (string Deadline, int CpuUsed) VpxSpeed(int presetIndex, bool twoPass) => presetIndex switch
    {
        0 when !twoPass => ("realtime", 8),
        1 when !twoPass => ("realtime", 7),
        <= 2 => ("good", 5),
        3 => ("good", 4),
        4 => ("good", 3),
        5 => ("good", 2),
        6 => ("good", 1),
        _ => ("good", 0),
    };

    private void Set(string name, string value)
    {
        int ret = LibAv.av_opt_set(_ctx.Ptr, name, value, AvConst.OptSearchChildren);
        if (ret < 0) throw new EngineException(ErrorCodes.Encode, $"{EncoderName} option {name}={value}: {LibAv.ErrorText(ret)}");
    }

    private void SetInt(string name, long value)
    {
        int ret = LibAv.av_opt_set_int(_ctx.Ptr, name, value, AvConst.OptSearchChildren);
        if (ret < 0) throw new EngineException(ErrorCodes.Encode, $"{EncoderName} option {name}={value}: {LibAv.ErrorText(ret)}");
    }

    private static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Before the first frame: has libx264 hand each frame's reconstruction (the picture a decoder of the stream will
    /// output) to <paramref name="pictures"/> as it encodes (<see cref="X264Reconstruction"/>); false, and why, where this
    /// encoder cannot (not libx264 fed yuv420p, or not the FFmpeg and libx264 that was written for).
    /// </summary>
    /// <exception cref="EngineException">ERR_ENCODE: libx264 would not reopen.</exception>
    internal bool AttachReconstruction(IReconstructedPictures pictures, out string? why)
    {
        why = _family != Family.X264 ? $"{EncoderName} is not libx264"
            : _nv12 is not null || _uploader is not null ? "the encoder is not fed yuv420p"
            : _reconstruction is not null ? "the encoder already hands its reconstructions to another"
            : _started || !_contextLive ? "the encoder has started"
            : null;
        if (why is not null) return false;
        string? firstPassStats = _spec.Pass == EncodePass.First ? _spec.Stats!.LogPath : null;
        _reconstruction = X264Reconstruction.TryAttach(_ctx.Ptr, _spec.Width, _spec.Height, _spec.GlobalHeader, firstPassStats, pictures, out why);
        return _reconstruction is not null;
    }

    /// <summary>
    /// Encodes one yuv420p frame (or flushes with 0) and hands every finished packet to
    /// <paramref name="sink"/>. Flushing a pass-1 encoder also closes it and completes its
    /// <see cref="TwoPassStats"/> (x264 and x265 write their files on close).
    /// </summary>
    public void Encode(nint frame, IPacketSink sink)
    {
        if (!_contextLive) throw new EngineException(ErrorCodes.Internal, $"{EncoderName}: encoding after the encoder closed (its pass 1 ended)");
        var ctx = _ctx.Ptr;
        using var log = AvLogCapture.Begin();
        _started = true;
        if (_reconstruction is not null)
        {
            _reconstruction.Encode(frame, _packet.Ptr, sink, EncoderName);
            if (frame == 0) EndOfPass();
            return;
        }
        nint send = frame;
        if (frame != 0)
        {
            if (_uploader is not null)
            {
                send = _uploader.Upload(frame);
            }
            else if (_nv12 is not null)
            {
                AvCheck.Ok(LibAv.av_frame_make_writable(_nv12.Ptr), ErrorCodes.Encode, "NV12 frame");
                Nv12.FromYuv420p(frame, _nv12.Ptr);
                send = _nv12.Ptr;
            }
        }
        int ret = LibAv.avcodec_send_frame(ctx, send);
        if (ret < 0 && ret != AvConst.ErrorEof)
            throw new EngineException(ErrorCodes.Encode, $"{EncoderName}: {(frame == 0 ? "flushing" : "encoding a video frame")}: {AvLogCapture.Describe(ret, log)}");
        Drain(ctx, _packet.Ptr, sink, isVideo: true);
        if (frame == 0) EndOfPass();
    }

    /// <summary>After the flush: a pass 1 closes, which completes its statistics.</summary>
    private void EndOfPass()
    {
        if (_spec.Pass != EncodePass.First) return;
        if (_family == Family.Vpx) _spec.Stats!.VpxStats = LibAv.Utf8At(_ctx.Ptr, AvLayout.CodecContext.StatsOut);
        CloseContext();
        _spec.Stats!.CompleteFirstPass(EncoderName);
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

    private void CloseContext()
    {
        if (!_contextLive) return;
        _contextLive = false;
        _ctx.Dispose(); // closes the libx264 encoder a reconstruction drove
        _reconstruction = null;
        Interlocked.Decrement(ref s_live);
    }

    public void Dispose()
    {
        _packet?.Dispose();
        if (_ctx is not null) CloseContext();
        _uploader?.Dispose();
        _device?.Dispose();
        _nv12?.Dispose();
        if (_statsIn != 0)
        {
            Marshal.FreeCoTaskMem(_statsIn);
            _statsIn = 0;
        }
    }
}

/// <summary>Where encoders put their packets (the muxer).</summary>
internal interface IPacketSink
{
    void Write(nint packet, bool isVideo);
}

/// <summary>
/// Drops packets, counting them: the sink of a two-pass encode's first pass and of trial encodes. Given a
/// budget (a test of the packets and bytes so far), it calls <c>over</c> once when they pass it (a trial stopped
/// as soon as it cannot fit).
/// </summary>
internal sealed class NullPacketSink(Func<long, long, bool>? overBudget = null, Action? over = null) : IPacketSink
{
    public long Packets { get; private set; }
    public long Bytes { get; private set; }
    public bool OverBudget { get; private set; }

    public void Write(nint packet, bool isVideo)
    {
        Packets++;
        Bytes += LibAv.Field<int>(packet, AvLayout.Packet.Size);
        if (!OverBudget && overBudget is not null && overBudget(Packets, Bytes))
        {
            OverBudget = true;
            over?.Invoke();
        }
    }
}
