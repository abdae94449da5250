using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// Decodes the best video stream of a file in presentation order (avcodec, threads auto).
/// Times are milliseconds relative to the stream's start. Opening reads the packet headers of
/// the whole stream once (no decoding) to learn the exact end of the last frame and to find
/// truncation before a render starts, then rewinds. One thread at a time.
/// </summary>
internal sealed unsafe class VideoDecoder : IDisposable
{
    /// <summary>Largest accepted frame side; matches the image limit so one policy covers both.</summary>
    public const int MaxSide = 16384;

    private readonly string _field;
    private readonly AvInputContextHandle _input;
    private AvCodecContextHandle _codec;
    private readonly nint _decoder;
    private readonly int _threads;
    private readonly AvPacketHandle _packet = AvPacketHandle.Alloc();
    private readonly nint _stream;
    private readonly int _streamIndex;
    private readonly long _startTs;
    private double _lastPtsMs = double.NaN;
    private bool _synthesizedTimestamps;
    private DecodeLog? _recording, _replay;
    private int _replayIndex;

    /// <param name="threads">Decoder threads; 0 = one per core (frame threading holds a frame per thread).</param>
    /// <param name="log">Frames of this input decoded before, or to record for a later decoder (<see cref="DecodeLog"/>); ignored for another file.</param>
    public VideoDecoder(string path, string field, int threads = 0, DecodeLog? log = null)
    {
        LibAvLoader.EnsureLoaded();
        _field = field;
        (FullPath, long size) = MediaRoles.CheckRegularFile(path, field);
        if (size == 0) throw Unsupported("file is empty");
        try
        {
            _input = MediaRoles.Open(FullPath, MediaRole.Video);
        }
        catch (EngineException e)
        {
            throw new EngineException(e.Code, $"{field}: {e.Message}", e);
        }
        try
        {
            var ctx = _input.Ptr;
            int ret = _input.FindStreamInfo();
            if (ret < 0) throw Unsupported($"cannot read stream info ({LibAv.ErrorText(ret)})");
            nint decoder = 0;
            _streamIndex = LibAv.av_find_best_stream(ctx, AvConst.MediaTypeVideo, -1, -1, &decoder, 0);
            if (_streamIndex == AvConst.ErrorDecoderNotFound) throw Unsupported("no decoder for its video stream in this FFmpeg build");
            if (_streamIndex < 0 || decoder == 0) throw Unsupported("not a video (no video stream)");
            _stream = ((nint*)LibAv.PtrAt(ctx, AvLayout.FormatContext.Streams))[_streamIndex];
            if ((LibAv.Field<int>(_stream, AvLayout.Stream.Disposition) & AvConst.DispositionAttachedPic) != 0)
                throw Unsupported("not a video (its only picture is attached cover art)");

            var par = LibAv.PtrAt(_stream, AvLayout.Stream.Codecpar);
            Width = LibAv.Field<int>(par, AvLayout.CodecParameters.Width);
            Height = LibAv.Field<int>(par, AvLayout.CodecParameters.Height);
            if (Width <= 0 || Height <= 0) throw Unsupported("video stream has no frame size");
            if (Width > MaxSide || Height > MaxSide)
                throw new EngineException(ErrorCodes.ResourceLimit, $"{field}: {FullPath}: {Width}x{Height} video exceeds {MaxSide} pixels on a side");

            TimeBase = LibAv.RationalAt(_stream, AvLayout.Stream.TimeBase);
            if (TimeBase.Num <= 0 || TimeBase.Den <= 0) throw Unsupported($"invalid stream time base {TimeBase}");

            (_decoder, _threads) = (decoder, threads);
            _codec = OpenCodec();

            Rotation = DisplayMatrix.RotationOf(_stream);
            SampleAspect = LibAv.RationalAt(par, AvLayout.CodecParameters.SampleAspectRatio);
            PixelFormat = LibAv.Field<int>(par, AvLayout.CodecParameters.Format);
            Color = new ColorTags(
                LibAv.Field<int>(par, AvLayout.CodecParameters.ColorSpace), LibAv.Field<int>(par, AvLayout.CodecParameters.ColorPrimaries),
                LibAv.Field<int>(par, AvLayout.CodecParameters.ColorTrc), LibAv.Field<int>(par, AvLayout.CodecParameters.ColorRange));
            (_startTs, DurationMs, FrameCount) = ScanPackets();
            FrameRate = NominalFrameRate();
            if (FrameRate <= 0) FrameRate = FrameCount * 1000.0 / DurationMs;
            SeekTo(0);
            if (log is not null && string.Equals(log.InputPath, FullPath, StringComparison.Ordinal))
            {
                if (log.CanReplay) _replay = log;
                else if (log.StartRecording(VideoBytes / ((double)FrameCount * DecodeLog.FrameBytes(Width, Height)))) _recording = log;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>A decoder context for the stream, fresh: nothing decoded, nothing learned from the frames (such as H.264's reorder depth).</summary>
    private AvCodecContextHandle OpenCodec()
    {
        var par = LibAv.PtrAt(_stream, AvLayout.Stream.Codecpar);
        var codec = AvCodecContextHandle.Alloc(_decoder);
        try
        {
            var c = codec.Ptr;
            AvCheck.Ok(LibAv.avcodec_parameters_to_context(c, par), ErrorCodes.UnsupportedMedia, $"{_field}: {FullPath}: video parameters");
            // "auto" = one thread per core: frame threading roughly multiplies decode throughput.
            LibAv.av_opt_set(c, "threads", _threads > 0 ? _threads.ToString(System.Globalization.CultureInfo.InvariantCulture) : "auto", 0);
            LibAv.av_opt_set(c, "pkt_timebase", TimeBase.ToString(), 0);
            int ret = LibAv.avcodec_open2(c, _decoder, null);
            if (ret < 0) throw Unsupported($"cannot open the {LibAv.CodecName(LibAv.Field<int>(par, AvLayout.CodecParameters.CodecId))} decoder ({LibAv.ErrorText(ret)})");
            return codec;
        }
        catch
        {
            codec.Dispose();
            throw;
        }
    }

    /// <summary>The file, as an absolute path (named in every error).</summary>
    public string FullPath { get; }

    /// <summary>"field: path", the start of every error message about this file.</summary>
    public string ErrorPrefix => $"{_field}: {FullPath}";

    public int Width { get; }
    public int Height { get; }

    /// <summary>
    /// Clockwise rotation in degrees (0, 90, 180 or 270) that players apply to show the frames
    /// upright, from the stream's display matrix (phones record portrait video this way).
    /// </summary>
    public int Rotation { get; }

    /// <summary>The stream's pixel format (AVPixelFormat) as its parameters state it.</summary>
    public int PixelFormat { get; }

    /// <summary>The stream's colour description as its parameters state it (values may be "unspecified").</summary>
    public ColorTags Color { get; }

    /// <summary>The pixels' shape (width/height of one pixel; 0/1 or 1/1 for square pixels).</summary>
    public AVRational SampleAspect { get; }

    /// <summary>Frame size as shown: width and height swapped for a quarter turn.</summary>
    public int DisplayWidth => Rotation is 90 or 270 ? Height : Width;
    public int DisplayHeight => Rotation is 90 or 270 ? Width : Height;


    /// <summary>The stream's time base: one tick of packet and frame timestamps, in seconds.</summary>
    public AVRational TimeBase { get; }

    /// <summary>Frames per second as the container states it (average rate), or counted when it does not.</summary>
    public double FrameRate { get; }

    /// <summary>When the last frame's display ends: its pts plus its duration, relative to the stream start.</summary>
    public double DurationMs { get; }

    /// <summary>Video packets (frames) found when the stream was scanned at open.</summary>
    public int FrameCount { get; }

    /// <summary>The video stream's compressed bytes (its packets').</summary>
    public long VideoBytes { get; private set; }

    /// <summary>The stream's average frame rate as the container states it (0/0 when it does not).</summary>
    public AVRational AverageRate => LibAv.RationalAt(_stream, AvLayout.Stream.AvgFrameRate);

    private double NominalFrameRate()
    {
        var avg = LibAv.RationalAt(_stream, AvLayout.Stream.AvgFrameRate);
        if (avg.Num > 0 && avg.Den > 0) return avg.ToDouble();
        var r = LibAv.RationalAt(_stream, AvLayout.Stream.RFrameRate);
        return r.Num > 0 && r.Den > 0 ? r.ToDouble() : 0;
    }

    /// <summary>
    /// Reads every packet header of the stream once. The end of the stream is the largest pts
    /// plus that packet's duration — containers' own duration fields may round to milliseconds
    /// or include other streams, and looping needs the exact end. A read error, a packet the
    /// demuxer marks corrupt, or fewer packets than the index lists (MP4 reports a cut-off
    /// file as a plain end of file) mean a truncated or corrupt file, reported now rather than
    /// in the middle of a render.
    /// </summary>
    private (long StartTs, double DurationMs, int Frames) ScanPackets()
    {
        var ctx = _input.Ptr;
        var pkt = _packet.Ptr;
        long nominal = NominalFrameTicks();
        long minTs = long.MaxValue, maxTs = long.MinValue, maxTsDuration = 0;
        long previousTs = AvConst.NoPtsValue, previousDuration = 0;
        int frames = 0, packets = 0;
        long bytes = 0;
        while (true)
        {
            int ret = _input.ReadFrame(pkt);
            if (ret == AvConst.ErrorEof) break;
            if (ret < 0) throw Truncated($"after {packets} frames ({LibAv.ErrorText(ret)})");
            if (LibAv.Field<int>(pkt, AvLayout.Packet.StreamIndex) == _streamIndex)
            {
                packets++;
                bytes += LibAv.Field<int>(pkt, AvLayout.Packet.Size);
                int flags = LibAv.Field<int>(pkt, AvLayout.Packet.Flags);
                if ((flags & AvConst.PktFlagCorrupt) != 0) throw Truncated($"frame {packets - 1} is incomplete");
                long ts = LibAv.Field<long>(pkt, AvLayout.Packet.Pts);
                if (ts == AvConst.NoPtsValue) ts = LibAv.Field<long>(pkt, AvLayout.Packet.Dts);
                long duration = LibAv.Field<long>(pkt, AvLayout.Packet.Duration);
                if (ts == AvConst.NoPtsValue)
                {
                    // A raw elementary stream (.h264) has no timestamps at all: frames follow each other.
                    _synthesizedTimestamps = true;
                    ts = previousTs == AvConst.NoPtsValue ? 0 : previousTs + (previousDuration > 0 ? previousDuration : nominal);
                }
                (previousTs, previousDuration) = (ts, duration);
                // Frames an edit list cuts away are decoded for reference but never shown.
                if ((flags & AvConst.PktFlagDiscard) == 0)
                {
                    frames++;
                    minTs = Math.Min(minTs, ts);
                    if (ts > maxTs) (maxTs, maxTsDuration) = (ts, duration);
                }
            }
            LibAv.av_packet_unref(pkt);
        }
        long indexed = LibAv.Field<long>(_stream, AvLayout.Stream.NbFrames);
        if (indexed > packets) throw Truncated($"its index lists {indexed} frames but only {packets} are in the file");
        if (frames == 0) throw Unsupported("video stream has no frames");

        long startTs = LibAv.Field<long>(_stream, AvLayout.Stream.StartTime);
        if (startTs == AvConst.NoPtsValue || _synthesizedTimestamps) startTs = minTs;
        if (maxTsDuration <= 0)
            maxTsDuration = NominalFrameRate() > 0 || frames == 1 ? nominal : Math.Max(1, (maxTs - minTs) / (frames - 1));
        VideoBytes = bytes;
        return (startTs, TicksToMs(maxTs + maxTsDuration - startTs), frames);
    }

    /// <summary>
    /// One frame period in stream ticks: from the nominal rate, else 1/25 s (a lone frame, such
    /// as an image opened as a video, has no rate). Used where packets carry no duration.
    /// </summary>
    private long NominalFrameTicks()
    {
        double fps = NominalFrameRate();
        return Math.Max(1, (long)Math.Round(TimeBase.Den / ((fps > 0 ? fps : 25) * TimeBase.Num)));
    }

    /// <summary>
    /// Ticks to milliseconds with a single rounding (ticks·1000·num is exact in a double), so
    /// that e.g. 15360 ticks of 1/15360 s are exactly 1000 ms and loop arithmetic stays exact.
    /// </summary>
    private double TicksToMs(long ticks) => ticks * (1000.0 * TimeBase.Num) / TimeBase.Den;

    private long MsToTicks(double ms) => (long)Math.Floor(ms * TimeBase.Den / (1000.0 * TimeBase.Num));

    /// <summary>
    /// Decodes the next frame into <paramref name="frame"/> (unreferencing what it held) and
    /// gives its presentation time; false at the end of the stream.
    /// </summary>
    public bool ReadFrame(AvFrameHandle frame, out double ptsMs)
    {
        if (_replay is { } replay)
        {
            if (replay.TryRead(_replayIndex, frame.Ptr, out ptsMs))
            {
                _replayIndex++;
                _lastPtsMs = ptsMs;
                return true;
            }
            if (replay.CanReplay && replay.ReachedEnd && _replayIndex >= replay.Frames)
            {
                LibAv.av_frame_unref(frame.Ptr);
                ptsMs = 0;
                return false;
            }
            // Past the frames recorded, or a log that could not be read back: decode on from the last frame given (GoOnPast), or from the
            // start (where the constructor left the demuxer), skipping the frames given; past a recording that stopped early, the frames
            // from there on are recorded.
            _replay = null;
            _lastPtsMs = double.NaN; // synthesized timestamps count again from the first frame
            if (!GoOnPast(replay, frame))
            {
                for (int i = 0; i < _replayIndex; i++)
                {
                    if (!ReadFrame(frame, out ptsMs)) return false;
                }
            }
            if (replay.ResumeRecording(_replayIndex)) _recording = replay;
        }
        var f = frame.Ptr;
        var codec = _codec.Ptr;
        var pkt = _packet.Ptr;
        LibAv.av_frame_unref(f);
        while (true)
        {
            int ret = LibAv.avcodec_receive_frame(codec, f);
            if (ret == 0)
            {
                ptsMs = FramePtsMs(f);
                _recording?.Append(f, ptsMs);
                return true;
            }
            if (ret == AvConst.ErrorEof)
            {
                _recording?.MarkEnd();
                ptsMs = 0;
                return false;
            }
            if (ret != AvConst.ErrorEagain) throw DecodeError("decoding a frame", ret);

            ret = _input.ReadFrame(pkt);
            if (ret == AvConst.ErrorEof)
            {
                // Flush: the decoder hands out the frames it still holds, then EOF.
                ret = LibAv.avcodec_send_packet(codec, 0);
                if (ret < 0 && ret != AvConst.ErrorEof) throw DecodeError("flushing the decoder", ret);
                continue;
            }
            if (ret < 0) throw DecodeError("reading a packet", ret);
            try
            {
                if (LibAv.Field<int>(pkt, AvLayout.Packet.StreamIndex) != _streamIndex) continue;
                ret = LibAv.avcodec_send_packet(codec, pkt);
                if (ret < 0) throw DecodeError("decoding a packet", ret);
            }
            finally
            {
                LibAv.av_packet_unref(pkt);
            }
        }
    }

    /// <summary>Where a replay past its log's frames went on decoding from: the time of the first frame after its seek (null: it did not seek, or went back to the start).</summary>
    internal double? WentOnFromKeyframeMs { get; private set; }

    /// <summary>
    /// Frames from the keyframe up to the last recorded one that must decode bit for bit as recorded before a replay goes on from
    /// there (<see cref="GoOnPast"/>): H.264 keeps up to 16 reference pictures, so past that many a picture after the keyframe can no
    /// longer reach one before it (which a decoder that seeked never saw) unless the ones in between did too.
    /// </summary>
    internal const int GoOnMatchedFrames = 17;

    /// <summary>
    /// After reading back every frame of a recording that stopped before the end: seeks to the keyframe at or before the last frame's
    /// time and decodes up to it; true where every frame that came out, from the keyframe's on, is bit for bit the recorded frame of
    /// its time, and at least <see cref="GoOnMatchedFrames"/> did (the next frame decoded is the one after the last recorded). Where
    /// the keyframe is the stream's first (nothing to save), the timestamps are made up or not increasing, or a frame differs or has
    /// no recorded twin (an open GOP's leading pictures), false, with the demuxer back at the start and a fresh decoder context, as
    /// the constructor left them.
    /// </summary>
    private bool GoOnPast(DecodeLog replay, AvFrameHandle frame)
    {
        if (_synthesizedTimestamps || !replay.CanReplay || replay.ReachedEnd || _replayIndex != replay.Frames || replay.LastPtsMsIfIncreasing is not { } last
            || !(KeyframeAtOrBeforeMs(last) > 0))
            return false;
        try
        {
            SeekTo(last);
            int matched = 0;
            double first = double.NaN;
            while (ReadFrame(frame, out double ms) && ms <= last)
            {
                if (double.IsNaN(first)) first = ms;
                if (!replay.IsRecordedFrame(ms, frame.Ptr)) break;
                if (++matched >= GoOnMatchedFrames && ms == last)
                {
                    WentOnFromKeyframeMs = first;
                    return true;
                }
            }
        }
        catch (EngineException)
        {
            // A seek or a decode from the keyframe that fails here is no reason to fail: decoding from the start is what the replay replaces.
        }
        SeekTo(0);
        _codec.Dispose();
        _codec = OpenCodec(); // what it learned from the frames after the keyframe must not change how the start decodes
        return false;
    }

    private double FramePtsMs(nint frame)
    {
        long ts = LibAv.Field<long>(frame, AvLayout.Frame.BestEffortTimestamp);
        double ms = ts == AvConst.NoPtsValue || _synthesizedTimestamps
            ? (double.IsNaN(_lastPtsMs) ? 0 : _lastPtsMs + 1000.0 / FrameRate)
            : TicksToMs(ts - _startTs);
        _lastPtsMs = ms;
        return ms;
    }

    /// <summary>
    /// Positions the demuxer on the last keyframe at or before <paramref name="ms"/> and flushes
    /// the decoder; the caller then decodes forward. Where the container's index holds decode
    /// times, the keyframe can show after <paramref name="ms"/>: callers check the first pts.
    /// </summary>
    public void SeekTo(double ms)
    {
        if (_replay is { } replay)
        {
            // Every recorded frame can be read directly: the replay goes on from the last one shown at or before the time.
            _replayIndex = replay.IndexAtOrBefore(ms);
            _lastPtsMs = double.NaN;
            return;
        }
        if (_recording is { } recording)
        {
            recording.AbandonRecording($"the recording decoder seeked to {ms:0.###} ms"); // a log that stopped at its limit keeps its frames
            _recording = null;
        }
        // Without timestamps a seek has no target: start over and let the caller decode forward.
        long ts = _synthesizedTimestamps ? _startTs : _startTs + MsToTicks(Math.Max(0, ms));
        int ret = _input.SeekFile(_streamIndex, long.MinValue, ts, ts, 0);
        if (ret < 0 && ts > _startTs)
            ret = _input.SeekFile(_streamIndex, long.MinValue, _startTs, _startTs, 0);
        if (ret < 0) // raw streams without an index: back to the first byte
            ret = _input.SeekFile(-1, long.MinValue, 0, 0, AvConst.SeekFlagByte);
        if (ret < 0) throw DecodeError($"seeking to {ms:0.###} ms", ret);
        LibAv.avcodec_flush_buffers(_codec.Ptr);
        _lastPtsMs = double.NaN;
    }

    /// <summary>
    /// Time of the last keyframe at or before <paramref name="ms"/> in the demuxer's index, or
    /// NaN when the container keeps no index for it (then only a seek can tell).
    /// </summary>
    public double KeyframeAtOrBeforeMs(double ms)
    {
        if (_synthesizedTimestamps) return 0; // every seek starts over (see SeekTo)
        long ts = _startTs + MsToTicks(Math.Max(0, ms));
        int i = LibAv.av_index_search_timestamp(_stream, ts, AvConst.SeekFlagBackward);
        if (i < 0) return double.NaN;
        var entry = LibAv.avformat_index_get_entry(_stream, i);
        return entry == 0 ? double.NaN : TicksToMs(LibAv.Field<long>(entry, AvLayout.IndexEntry.Timestamp) - _startTs);
    }

    private EngineException Unsupported(string what) => new(ErrorCodes.UnsupportedMedia, $"{_field}: {FullPath}: {what}");

    private EngineException Truncated(string what) => new(ErrorCodes.Decode, $"{_field}: {FullPath}: truncated or corrupt video: {what}");

    private EngineException DecodeError(string what, int ret) => new(ErrorCodes.Decode, $"{_field}: {FullPath}: video decode error {what} ({LibAv.ErrorText(ret)})");

    public void Dispose()
    {
        _recording?.EndRecording();
        _recording = null;
        _packet.Dispose();
        _codec?.Dispose();
        _input?.Dispose();
    }
}
