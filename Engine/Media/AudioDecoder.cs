using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// Decodes the best audio stream of a file and resamples it (libswresample) to planar float
/// stereo at the requested rate, whatever the input's rate, format or channel layout.
/// Pull-based: <see cref="Read"/> fills the caller's buffers; <see cref="Rewind"/> starts over.
/// </summary>
internal sealed unsafe class AudioDecoder : IDisposable
{
    private readonly string _path;
    private readonly int _outRate;
    private readonly AvInputContextHandle _input;
    private readonly AvCodecContextHandle _codec;
    private readonly AvPacketHandle _packet = AvPacketHandle.Alloc();
    private readonly AvFrameHandle _frame = AvFrameHandle.Alloc();
    private readonly SwrContextHandle _swr;
    private readonly int _streamIndex;
    private float[] _left = new float[8192], _right = new float[8192];
    private int _pending, _pendingOffset;
    private bool _eof;

    public AudioDecoder(string path, int outRate)
    {
        _path = path;
        _outRate = outRate;
        (string full, long size) = MediaRoles.CheckRegularFile(path, null);
        if (size == 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{path}: the audio file is empty");
        _input = MediaRoles.Open(full, MediaRole.Audio);
        try
        {
            var ctx = _input.Ptr;
            int ret = _input.FindStreamInfo();
            if (ret < 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{path}: cannot read stream info ({LibAv.ErrorText(ret)})");
            nint decoder = 0;
            _streamIndex = LibAv.av_find_best_stream(ctx, AvConst.MediaTypeAudio, -1, -1, &decoder, 0);
            if (_streamIndex < 0 || decoder == 0)
                throw new EngineException(ErrorCodes.UnsupportedMedia, $"{path}: no decodable audio stream");
            var stream = ((nint*)LibAv.PtrAt(ctx, AvLayout.FormatContext.Streams))[_streamIndex];
            _codec = AvCodecContextHandle.Alloc(decoder);
            AvCheck.Ok(LibAv.avcodec_parameters_to_context(_codec.Ptr, LibAv.PtrAt(stream, AvLayout.Stream.Codecpar)), ErrorCodes.UnsupportedMedia, $"{path}: audio parameters");
            ret = LibAv.avcodec_open2(_codec.Ptr, decoder, null);
            if (ret < 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{path}: cannot open the audio decoder ({LibAv.ErrorText(ret)})");
            _swr = CreateResampler();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Duration of the audio stream (or container) in seconds, 0 if unknown.</summary>
    public double DurationSeconds
    {
        get
        {
            long d = LibAv.Field<long>(_input.Ptr, AvLayout.FormatContext.Duration);
            return d <= 0 || d == AvConst.NoPtsValue ? 0 : d / (double)AvConst.TimeBase;
        }
    }

    private SwrContextHandle CreateResampler()
    {
        var c = _codec.Ptr;
        byte* outLayout = stackalloc byte[AvLayout.ChannelLayout.StructSize];
        byte* inLayout = stackalloc byte[AvLayout.ChannelLayout.StructSize];
        new Span<byte>(outLayout, AvLayout.ChannelLayout.StructSize).Clear();
        new Span<byte>(inLayout, AvLayout.ChannelLayout.StructSize).Clear();
        LibAv.av_channel_layout_default((nint)outLayout, 2);
        var decLayout = c + AvLayout.CodecContext.ChLayout;
        int channels = LibAv.Field<int>(decLayout, AvLayout.ChannelLayout.NbChannels);
        if (channels <= 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{_path}: audio stream has no channels");
        if (LibAv.Field<int>(decLayout, AvLayout.ChannelLayout.Order) == AvConst.ChannelOrderUnspec)
            LibAv.av_channel_layout_default((nint)inLayout, channels);
        else
            LibAv.av_channel_layout_copy((nint)inLayout, decLayout);
        nint swr = 0;
        int ret = LibAv.swr_alloc_set_opts2(&swr, (nint)outLayout, AvConst.SampleFmtFltp, _outRate,
            (nint)inLayout, LibAv.Field<int>(c, AvLayout.CodecContext.SampleFmt), LibAv.Field<int>(c, AvLayout.CodecContext.SampleRate), 0, 0);
        LibAv.av_channel_layout_uninit((nint)inLayout);
        LibAv.av_channel_layout_uninit((nint)outLayout);
        if (ret < 0 || swr == 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{_path}: cannot resample this audio ({LibAv.ErrorText(ret)})");
        var handle = new SwrContextHandle(swr);
        ret = LibAv.swr_init(swr);
        if (ret < 0)
        {
            handle.Dispose();
            throw new EngineException(ErrorCodes.UnsupportedMedia, $"{_path}: cannot resample this audio ({LibAv.ErrorText(ret)})");
        }
        return handle;
    }

    /// <summary>Fills up to <c>left.Length</c> samples; returns fewer only at the end of the stream.</summary>
    public int Read(Span<float> left, Span<float> right)
    {
        int written = 0;
        while (written < left.Length)
        {
            if (_pending > 0)
            {
                int n = Math.Min(_pending, left.Length - written);
                _left.AsSpan(_pendingOffset, n).CopyTo(left[written..]);
                _right.AsSpan(_pendingOffset, n).CopyTo(right[written..]);
                _pending -= n;
                _pendingOffset += n;
                written += n;
                continue;
            }
            if (_eof || !DecodeMore()) break;
        }
        return written;
    }

    /// <summary>Decodes packets until some resampled samples are pending; false at the end of the stream.</summary>
    private bool DecodeMore()
    {
        while (ReceiveFrame())
        {
            Resample(_frame.Ptr);
            LibAv.av_frame_unref(_frame.Ptr);
            if (_pending > 0) return true;
        }
        Resample(0); // drain the resampler's delay
        _eof = true;
        return _pending > 0;
    }

    /// <summary>
    /// Decodes the rest of the stream without resampling and returns its length in seconds,
    /// each frame counted at its own rate: what a clip lasts, at a fraction of the cost of
    /// reading it at 48 kHz. <see cref="Read"/> returns nothing afterwards until <see cref="Rewind"/>.
    /// </summary>
    public double DecodeRemainingSeconds()
    {
        double seconds = 0;
        while (ReceiveFrame())
        {
            int rate = LibAv.Field<int>(_frame.Ptr, AvLayout.Frame.SampleRate);
            if (rate > 0) seconds += LibAv.Field<int>(_frame.Ptr, AvLayout.Frame.NbSamples) / (double)rate;
            LibAv.av_frame_unref(_frame.Ptr);
        }
        _pending = 0;
        _eof = true;
        return seconds;
    }

    /// <summary>Feeds packets to the decoder until it yields a frame (left in <c>_frame</c>: true) or ends (false).</summary>
    private bool ReceiveFrame()
    {
        var codec = _codec.Ptr;
        while (true)
        {
            int ret = LibAv.avcodec_receive_frame(codec, _frame.Ptr);
            if (ret == 0) return true;
            if (ret == AvConst.ErrorEof) return false;
            // A damaged packet (e.g. a partial last sample of a cut-off file) loses that packet
            // only, as send_packet's invalid data does below; a file with nothing decodable ends
            // up with no samples, which callers report as unsupported.
            if (ret == AvConst.ErrorInvalidData) continue;
            if (ret != AvConst.ErrorEagain) throw new EngineException(ErrorCodes.Decode, $"{_path}: audio decode error ({LibAv.ErrorText(ret)})");

            ret = _input.ReadFrame(_packet.Ptr);
            if (ret < 0)
            {
                // End of file (or a truncated tail): flush the decoder.
                LibAv.avcodec_send_packet(codec, 0);
                continue;
            }
            try
            {
                if (LibAv.Field<int>(_packet.Ptr, AvLayout.Packet.StreamIndex) != _streamIndex) continue;
                ret = LibAv.avcodec_send_packet(codec, _packet.Ptr);
                if (ret < 0 && ret != AvConst.ErrorEagain && ret != AvConst.ErrorInvalidData)
                    throw new EngineException(ErrorCodes.Decode, $"{_path}: audio decode error ({LibAv.ErrorText(ret)})");
            }
            finally
            {
                LibAv.av_packet_unref(_packet.Ptr);
            }
        }
    }

    private void Resample(nint frame)
    {
        int inSamples = frame == 0 ? 0 : LibAv.Field<int>(frame, AvLayout.Frame.NbSamples);
        int inRate = LibAv.Field<int>(_codec.Ptr, AvLayout.CodecContext.SampleRate);
        int capacity = (int)((long)(inSamples + 256) * _outRate / Math.Max(1, inRate)) + 1024;
        if (_left.Length < capacity)
        {
            _left = new float[capacity];
            _right = new float[capacity];
        }
        fixed (float* l = _left, r = _right)
        {
            byte** outPlanes = stackalloc byte*[2];
            outPlanes[0] = (byte*)l;
            outPlanes[1] = (byte*)r;
            byte** inPlanes = frame == 0 ? null : (byte**)LibAv.PtrAt(frame, AvLayout.Frame.ExtendedData);
            int got = LibAv.swr_convert(_swr.Ptr, outPlanes, capacity, inPlanes, inSamples);
            if (got < 0) throw new EngineException(ErrorCodes.Decode, $"{_path}: resampling failed ({LibAv.ErrorText(got)})");
            _pending = got;
            _pendingOffset = 0;
        }
    }

    /// <summary>
    /// Drops the next <paramref name="samples"/> output samples (a trimmed clip's in-point). Whole
    /// frames before the in-point are decoded but not resampled (the costly part), the rest goes
    /// through the resampler and is discarded, so the position is exact to the sample whatever
    /// the codec's frame size. Checks <paramref name="cancel"/> between frames. Returns how many
    /// were dropped (fewer at the end of the stream).
    /// </summary>
    public long Skip(long samples, CancellationToken cancel = default)
    {
        long done = 0;
        int inRate = LibAv.Field<int>(_codec.Ptr, AvLayout.CodecContext.SampleRate);
        if (_pending == 0 && !_eof && inRate > 0)
        {
            // The resampler restarts where skipping stops, so it may stop only where the input
            // and output sample grids meet (inDone a multiple of inRate/gcd): anywhere else the
            // output would sit a fraction of a sample off a decode from the start. With frames
            // of the codec's fixed size those points recur every lcm(frame, grid) samples, so
            // skipping stops at the last one before the in-point. A frame of another size (an
            // MP3's first frame, trimmed of its encoder delay; codecs with variable frames)
            // makes the next point unpredictable: resampling starts there, exact but slower.
            long grid = inRate / Gcd(inRate, _outRate);
            int frameSize = LibAv.Field<int>(_codec.Ptr, AvLayout.CodecContext.FrameSize);
            long period = frameSize > 0 ? frameSize / Gcd(frameSize, grid) * grid : long.MaxValue;
            long inTarget = samples * inRate / _outRate;
            long inDone = 0;
            while (ReceiveFrame())
            {
                cancel.ThrowIfCancellationRequested();
                int n = LibAv.Field<int>(_frame.Ptr, AvLayout.Frame.NbSamples);
                bool stopHere = inDone % grid == 0 && (n != frameSize || period == long.MaxValue || inDone + period > inTarget);
                if (stopHere || inDone + n > inTarget)
                {
                    Resample(_frame.Ptr);
                    LibAv.av_frame_unref(_frame.Ptr);
                    break;
                }
                inDone += n;
                LibAv.av_frame_unref(_frame.Ptr);
            }
            done = inDone * _outRate / inRate;
        }
        Span<float> l = stackalloc float[1024];
        Span<float> r = stackalloc float[1024];
        while (done < samples)
        {
            cancel.ThrowIfCancellationRequested();
            int n = Read(l[..(int)Math.Min(l.Length, samples - done)], r[..(int)Math.Min(r.Length, samples - done)]);
            if (n == 0) break;
            done += n;
        }
        return done;
    }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);

    /// <summary>Seeks back to the start for looping.</summary>
    public void Rewind()
    {
        int ret = _input.SeekFile(-1, long.MinValue, 0, 0, AvConst.SeekFlagBackward);
        if (ret < 0) throw new EngineException(ErrorCodes.Decode, $"{_path}: cannot seek to loop ({LibAv.ErrorText(ret)})");
        LibAv.avcodec_flush_buffers(_codec.Ptr);
        // Re-initialise the same resampler (its delay line was drained at the end of the
        // stream) instead of allocating a new one, so a looping bed allocates nothing per loop.
        LibAv.swr_close(_swr.Ptr);
        ret = LibAv.swr_init(_swr.Ptr);
        if (ret < 0) throw new EngineException(ErrorCodes.Decode, $"{_path}: cannot restart the resampler to loop ({LibAv.ErrorText(ret)})");
        _pending = 0;
        _pendingOffset = 0;
        _eof = false;
    }

    public void Dispose()
    {
        _swr?.Dispose();
        _frame.Dispose();
        _packet.Dispose();
        _codec?.Dispose();
        _input.Dispose();
    }
}
