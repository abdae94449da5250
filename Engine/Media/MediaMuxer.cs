using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// One output file with a video and an audio stream, interleaved by libavformat.
/// MP4/MOV outputs get <c>+faststart</c> so players can start before the download ends.
/// </summary>
internal sealed unsafe class MediaMuxer : IDisposable, IPacketSink
{
    private readonly AvOutputContextHandle _ctx;
    private readonly string _path;
    private readonly string _format;
    private const uint Hvc1 = 'h' | ('v' << 8) | ('c' << 16) | ((uint)'1' << 24);
    private int _videoIndex = -1, _audioIndex = -1;
    private AVRational _videoEncTb, _audioEncTb;
    private bool _headerWritten, _finished;

    public MediaMuxer(string path, string formatName)
    {
        _path = path;
        _format = formatName;
        _ctx = AvOutputContextHandle.Alloc(formatName, path);
    }

    /// <summary>Whether encoders must put codec headers in extradata (MP4 does).</summary>
    public bool NeedsGlobalHeader
    {
        get
        {
            var ofmt = LibAv.PtrAt(_ctx.Ptr, AvLayout.FormatContext.Oformat);
            return (LibAv.Field<int>(ofmt, AvLayout.OutputFormat.Flags) & AvConst.FmtGlobalHeader) != 0;
        }
    }

    /// <param name="rotation">Clockwise quarter turn players apply to show the frames (0: upright as stored), written as a display matrix.</param>
    public void AddVideo(nint encoderCtx, AVRational encoderTimeBase, int rotation = 0)
    {
        _videoIndex = AddStream(encoderCtx, encoderTimeBase, out _videoEncTb);
        var st = ((nint*)LibAv.PtrAt(_ctx.Ptr, AvLayout.FormatContext.Streams))[_videoIndex];
        // The frame rate (one frame per encoder tick), as the ffmpeg CLI states it: Matroska then writes each
        // frame's exact duration, and a reader gets 30 fps back, not a rate guessed from millisecond timestamps (29.97).
        LibAv.Field<AVRational>(st, AvLayout.Stream.AvgFrameRate) = new AVRational(encoderTimeBase.Den, encoderTimeBase.Num);
        if (rotation == 0) return;
        var matrix = (int*)LibAv.av_stream_new_side_data(st, AvConst.PktDataDisplayMatrix, 9 * sizeof(int));
        if (matrix == null) throw new OutOfMemoryException("av_stream_new_side_data failed");
        // Read back, a matrix set to angle a reports a clockwise turn of a (checked by a test
        // against DisplayMatrix.RotationOf and ffmpeg's autorotation).
        LibAv.av_display_rotation_set(matrix, rotation);
    }

    public void AddAudio(nint encoderCtx, AVRational encoderTimeBase) => _audioIndex = AddStream(encoderCtx, encoderTimeBase, out _audioEncTb);

    /// <summary>
    /// A stream whose packets are copied from a demuxed stream rather than encoded: its codec
    /// parameters (extradata, padding), time base and display matrix; <see cref="Write"/> then
    /// takes that stream's packets, in its time base.
    /// </summary>
    public void AddCopied(nint sourceStream, bool isVideo)
    {
        var st = LibAv.avformat_new_stream(_ctx.Ptr, 0);
        if (st == 0) throw new OutOfMemoryException("avformat_new_stream failed");
        var par = LibAv.PtrAt(st, AvLayout.Stream.Codecpar);
        AvCheck.Ok(LibAv.avcodec_parameters_copy(par, LibAv.PtrAt(sourceStream, AvLayout.Stream.Codecpar)), ErrorCodes.Output, "stream parameters");
        var timeBase = LibAv.RationalAt(sourceStream, AvLayout.Stream.TimeBase);
        // The display matrix (a rotation players apply) goes with the stream.
        nuint size = 0;
        var matrix = LibAv.av_stream_get_side_data(sourceStream, AvConst.PktDataDisplayMatrix, &size);
        if (matrix != 0 && size > 0)
        {
            var copy = LibAv.av_stream_new_side_data(st, AvConst.PktDataDisplayMatrix, size);
            if (copy == 0) throw new OutOfMemoryException("av_stream_new_side_data failed");
            Buffer.MemoryCopy((void*)matrix, (void*)copy, (long)size, (long)size);
        }
        LibAv.Field<uint>(par, AvLayout.CodecParameters.CodecTag) = 0; // the muxer picks its own tag for the codec
        if (LibAv.Field<int>(par, AvLayout.CodecParameters.CodecId) == AvConst.CodecIdHevc && _format is "mp4" or "mov" or "ipod")
            LibAv.Field<uint>(par, AvLayout.CodecParameters.CodecTag) = Hvc1;
        LibAv.Field<AVRational>(st, AvLayout.Stream.TimeBase) = timeBase;
        int index = LibAv.Field<int>(st, AvLayout.Stream.Index);
        if (isVideo) (_videoIndex, _videoEncTb) = (index, timeBase);
        else (_audioIndex, _audioEncTb) = (index, timeBase);
    }

    private int AddStream(nint encoderCtx, AVRational tb, out AVRational saved)
    {
        var st = LibAv.avformat_new_stream(_ctx.Ptr, 0);
        if (st == 0) throw new OutOfMemoryException("avformat_new_stream failed");
        var par = LibAv.PtrAt(st, AvLayout.Stream.Codecpar);
        AvCheck.Ok(LibAv.avcodec_parameters_from_context(par, encoderCtx), ErrorCodes.Encode, "stream parameters");
        // H.265 in MP4/MOV as 'hvc1' (parameter sets in the sample description only), the tag
        // Apple's players require; libavformat's default, 'hev1', they refuse.
        if (LibAv.Field<int>(par, AvLayout.CodecParameters.CodecId) == AvConst.CodecIdHevc && _format is "mp4" or "mov" or "ipod")
            LibAv.Field<uint>(par, AvLayout.CodecParameters.CodecTag) = Hvc1;
        LibAv.Field<AVRational>(st, AvLayout.Stream.TimeBase) = tb;
        saved = tb;
        return LibAv.Field<int>(st, AvLayout.Stream.Index);
    }

    /// <summary>Opens the file and writes the header.</summary>
    public void Start()
    {
        var ctx = _ctx.Ptr;
        var pb = (nint*)((byte*)ctx + AvLayout.FormatContext.Pb);
        var interrupt = _ctx.Interrupt.Value; // the file's writes stop on abort or stall too (MediaIo)
        _ctx.Interrupt.Begin();
        int ret = LibAv.avio_open2(pb, _path, AvConst.IoFlagWrite, (nint)(&interrupt), null);
        if (ret < 0) Fail($"cannot open for writing ({LibAv.ErrorText(ret)})");
        nint opts = 0;
        if (_format is "mp4" or "mov" or "ipod") LibAv.av_dict_set(&opts, "movflags", "+faststart", 0);
        _ctx.Interrupt.Begin();
        ret = LibAv.avformat_write_header(ctx, &opts);
        LibAv.av_dict_free(&opts);
        if (ret < 0) Fail($"cannot write the header ({LibAv.ErrorText(ret)})");
        _headerWritten = true;
    }

    public void Write(nint packet, bool isVideo)
    {
        int index = isVideo ? _videoIndex : _audioIndex;
        var encTb = isVideo ? _videoEncTb : _audioEncTb;
        var st = StreamAt(index);
        LibAv.Field<int>(packet, AvLayout.Packet.StreamIndex) = index;
        if (isVideo && LibAv.Field<long>(packet, AvLayout.Packet.Duration) == 0)
            LibAv.Field<long>(packet, AvLayout.Packet.Duration) = 1; // one frame at 1/fps
        LibAv.av_packet_rescale_ts(packet, encTb, LibAv.Field<AVRational>(st, AvLayout.Stream.TimeBase));
        _ctx.Interrupt.Begin();
        int ret = LibAv.av_interleaved_write_frame(_ctx.Ptr, packet);
        if (ret < 0) Fail($"write failed ({LibAv.ErrorText(ret)})");
    }

    private nint StreamAt(int index)
    {
        var streams = LibAv.PtrAt(_ctx.Ptr, AvLayout.FormatContext.Streams);
        return ((nint*)streams)[index];
    }

    /// <summary>Flushes the interleaving queue, writes the trailer (and the faststart move) and closes the file.</summary>
    public void Finish()
    {
        if (!_headerWritten || _finished) return;
        _finished = true;
        _ctx.Interrupt.Begin();
        int ret = LibAv.av_write_trailer(_ctx.Ptr);
        if (ret < 0) Fail($"cannot finish the file ({LibAv.ErrorText(ret)})");
        var pb = (nint*)((byte*)_ctx.Ptr + AvLayout.FormatContext.Pb);
        _ctx.Interrupt.Begin();
        ret = LibAv.avio_closep(pb);
        if (ret < 0) Fail($"cannot close ({LibAv.ErrorText(ret)})");
    }

    /// <summary>A failed write: an abort or a stall when the interrupt stopped it, else ERR_OUTPUT.</summary>
    private void Fail(string what)
    {
        _ctx.Interrupt.ThrowIfStopped(_path, writing: true);
        throw new EngineException(ErrorCodes.Output, $"{_path}: {what}");
    }

    public void Dispose() => _ctx.Dispose();
}
