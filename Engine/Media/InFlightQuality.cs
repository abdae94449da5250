using System.Collections.Concurrent;
using System.Diagnostics;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// Asks a render's output encode to measure its own quality while it encodes
/// (<see cref="InFlightQuality"/>): the pictures handed to the encoder are the reference. Holds
/// the result of the last output encode that finished (a size-targeted render may encode more
/// than once; the accepted file is the last one).
/// </summary>
public sealed class InFlightQualityProbe
{
    public InFlightQualityProbe(QualityOptions options) => Options = options;

    public QualityOptions Options { get; }

    /// <summary>The measurement of the last completed output encode; null until one completed.</summary>
    public QualityResult? Result { get; internal set; }

    /// <summary>Where each scored frame's SSIM goes as it is measured, by pts (null: not kept); see <see cref="InFlightQuality"/>.</summary>
    internal double[]? FrameSsim { get; init; }

    private volatile bool _scoringStopped;

    /// <summary>Whether <see cref="StopScoring"/> was called.</summary>
    internal bool ScoringStopped => _scoringStopped;

    /// <summary>
    /// Stops the measurement of the first pass running now, where its scores are no longer wanted (from its encoder's thread, or any):
    /// from its next packet or picture nothing more is decoded or kept, the scores so far stay in <see cref="FrameSsim"/>, and the pass
    /// leaves no <see cref="Result"/>.
    /// </summary>
    internal void StopScoring() => _scoringStopped = true;
}

/// <summary>
/// SSIM and PSNR of an encode measured as it runs, instead of decoding the finished file and
/// its source again: each picture given to the encoder is kept by reference (a refcounted
/// clone, no copy; the producer's next write into that buffer then goes to a fresh one) under
/// its pts, and each output picture is scored against the picture with its pts with the same
/// <see cref="VideoQuality.FrameScorer"/> <see cref="VideoQuality.Compare"/> uses. The output pictures
/// are libx264's own reconstructions where the encoder can hand them over
/// (<see cref="VideoEncoder.AttachReconstruction"/>: the frames a decoder of the stream outputs, bit for bit), scored in
/// place on the encoder's thread as x264 hands each over, or on a machine with more cores copied out and scored on a
/// thread of this measurement's (<see cref="InPlaceMaxCores"/>); otherwise each packet the encoder emits is cloned on its
/// way to the muxer and decoded and scored on a thread of this measurement's. Pairs are sampled by pts, so the same frames are measured in either order.
/// When the pictures are the source's decoded frames (a pass-through encode at the source's
/// size and format), or the pipeline hands over the decoded frame a smaller picture was scaled
/// from (the scorer scales the output back up to it), the score is the one
/// <see cref="VideoQuality.Compare"/> gives for the file against its source. Memory: the pictures the encoder still holds (its lookahead and
/// reordering delay) stay referenced until their output is scored.
/// </summary>
internal sealed unsafe class InFlightQuality : IDisposable, IReconstructedPictures
{
    private readonly QualityOptions _options;
    private readonly VideoQuality.FrameScorer _scorer;
    private readonly AvCodecContextHandle? _decoder; // null: the encoder hands over its reconstructions
    private readonly Dictionary<long, nint> _sources = new();
    private readonly BlockingCollection<Item>? _queue; // packets to decode, or copied reconstructions to score (null: scored in place)
    private readonly ConcurrentBag<nint> _spare = new(); // scored copies' frames, to copy the next ones into
    private readonly Thread? _thread; // decodes or scores what is queued (null: reconstructions are scored in place)

    /// <summary>A packet to decode; or a copied reconstruction to score, or (<see cref="Ptr"/> 0) the pts of one not sampled.</summary>
    private readonly record struct Item(nint Ptr, long Pts);

    /// <summary>Copied reconstructions not yet scored, at most: the encoder waits beyond (scoring is far faster than encoding).</summary>
    private const int MaxQueuedPictures = 16;

    /// <summary>
    /// Reconstructions are scored in place, on the encoder's thread, where the machine has at most this many cores; on more, each is
    /// copied and scored on a thread of the measurement's, beside the encoder's. With two cores x264's frame threads keep both busy,
    /// so the copy and hand-off were only cost (a fifth of the scoring: 20 s of 1080x1920 screen recording, 0.2 s of CPU against
    /// the kernels' 0.85 s); with more, the encoder's thread, which also decodes, feeds x264 and (in a size decision) runs two
    /// encodes, would score every frame on the way, and a thread beside it keeps that off the path (not measured: no such machine).
    /// Tests set it to take either path.
    /// </summary>
    internal static int InPlaceMaxCores { get; set; } = 2;

    /// <summary>
    /// The frame a reconstruction scored in place is scored as: its luma plane is x264's own during the call (no copy), its chroma
    /// planes this frame's buffers, into which x264's interleaved chroma is split.
    /// </summary>
    private readonly AvFrameHandle? _inPlace;
    private readonly CancellationTokenSource _stop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private volatile Exception? _error;
    private int _matched, _unmatched;
    private long _measureTicks;
    private bool _completed;
    private readonly double[]? _frameSsim;
    private readonly int _width, _height; // of copied reconstructions
    private readonly InFlightQualityProbe? _probe;
    private bool _halted, _stopRequested;

    /// <param name="encoder">The opened encoder to be measured, before its first frame: it hands over its reconstructions where it can,
    /// else its parameters (extradata included) open a decoder for its packets.</param>
    /// <param name="frameSsim">Where each scored frame's SSIM is written as it is measured (from the thread that scores it, by pts; a frame
    /// never scored keeps what the array held), for a reader that compares encodes while they run.</param>
    /// <param name="probe">Whose <see cref="InFlightQualityProbe.StopScoring"/> may stop this measurement part-way (a first pass's).</param>
    public InFlightQuality(VideoEncoder encoder, QualityOptions options, CancellationToken cancel, double[]? frameSsim = null, InFlightQualityProbe? probe = null)
    {
        _options = options;
        _frameSsim = frameSsim;
        _probe = probe;
        _scorer = new VideoQuality.FrameScorer(options.DistortedName, options.ReferenceName);
        try
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            if (encoder.AttachReconstruction(this, out var why))
            {
                if (Environment.ProcessorCount <= InPlaceMaxCores)
                {
                    _inPlace = AvFrameHandle.Alloc();
                    FrameConverter.AllocateBuffer(_inPlace.Ptr, encoder.Width, encoder.Height);
                }
                else
                {
                    (_width, _height) = (encoder.Width, encoder.Height);
                    _queue = new BlockingCollection<Item>(MaxQueuedPictures);
                }
            }
            else
            {
                NotReconstructing = why;
                _decoder = OpenDecoder(encoder.Context);
                _queue = new BlockingCollection<Item>();
            }
            if (_queue is not null)
            {
                _thread = new Thread(Run) { Name = "reelspeed-quality", IsBackground = true };
                _thread.Start();
            }
        }
        catch
        {
            _scorer.Dispose();
            _inPlace?.Dispose();
            _decoder?.Dispose();
            _queue?.Dispose();
            _stop?.Dispose();
            throw;
        }
    }

    /// <summary>Why the encoder does not hand over its reconstructions (null: it does).</summary>
    internal string? NotReconstructing { get; }

    /// <summary>Whether the encoder hands over its reconstructions (no decoding).</summary>
    internal bool Reconstructs => _decoder is null;

    /// <summary>Whether the reconstructions are scored in place on the encoder's thread (<see cref="InPlaceMaxCores"/>).</summary>
    internal bool ScoresInPlace => _inPlace is not null;

    private AvCodecContextHandle OpenDecoder(nint encoderContext)
    {
        nint par = LibAv.avcodec_parameters_alloc();
        if (par == 0) throw new OutOfMemoryException("avcodec_parameters_alloc failed");
        AvCodecContextHandle? decoder = null;
        try
        {
            AvCheck.Ok(LibAv.avcodec_parameters_from_context(par, encoderContext), ErrorCodes.Encode, "in-flight quality: encoder parameters");
            int codecId = LibAv.Field<int>(par, AvLayout.CodecParameters.CodecId);
            nint codec = LibAv.avcodec_find_decoder(codecId);
            if (codec == 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"in-flight quality: no {LibAv.CodecName(codecId)} decoder in this FFmpeg build");
            decoder = AvCodecContextHandle.Alloc(codec);
            AvCheck.Ok(LibAv.avcodec_parameters_to_context(decoder.Ptr, par), ErrorCodes.Encode, "in-flight quality: decoder parameters");
            // One thread: frame threading would only add delay; the encoder has the cores.
            LibAv.av_opt_set(decoder.Ptr, "threads", "1", 0);
            AvCheck.Ok(LibAv.avcodec_open2(decoder.Ptr, codec, null), ErrorCodes.Encode, "in-flight quality: opening the decoder");
            return decoder;
        }
        catch
        {
            decoder?.Dispose();
            throw;
        }
        finally
        {
            LibAv.avcodec_parameters_free(&par);
        }
    }

    /// <summary>A sink that passes every packet on to <paramref name="inner"/> and measures the video ones.</summary>
    public IPacketSink Tee(IPacketSink inner) => new TeeSink(this, inner);

    /// <summary>The picture about to be encoded with <paramref name="pts"/> (in the encoder's time base): the reference of the frame decoded with that pts.</summary>
    public void Source(long pts, nint picture)
    {
        if (Halted() || _error is not null) return;
        nint clone = LibAv.av_frame_clone(picture);
        if (clone == 0) throw new OutOfMemoryException("av_frame_clone failed");
        lock (_sources)
        {
            if (_sources.Remove(pts, out var old)) LibAv.av_frame_free(&old);
            _sources[pts] = clone;
        }
    }

    /// <summary>Frames the encoder still holds (their pictures are referenced here).</summary>
    internal int Pending
    {
        get { lock (_sources) return _sources.Count; }
    }

    /// <summary>After the encoder was flushed: decodes or scores what is left queued and returns the scores (null where the probe stopped the scoring).</summary>
    public QualityResult? Complete()
    {
        _completed = true;
        _queue?.CompleteAdding();
        _thread?.Join();
        if (_halted) return null;
        if (_error is { } e) throw e is EngineException ? e : new EngineException(ErrorCodes.Internal, $"in-flight quality failed: {e.Message}", e);
        _stop.Token.ThrowIfCancellationRequested();
        if (_scorer.Compared == 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{_options.DistortedName}: no decoded frame matched a picture given to the encoder");
        int unmatched;
        lock (_sources) unmatched = _unmatched + _sources.Count; // pictures whose frame never came out
        return _scorer.Result(unmatched, _clock.Elapsed.TotalMilliseconds, _measureTicks * 1000.0 / Stopwatch.Frequency) with { FromReconstructions = Reconstructs };
    }

    /// <summary>Stops the measurement from the next packet or picture on (from the encoder's thread): <see cref="Complete"/> then gives null.</summary>
    public void StopScoring() => _stopRequested = true;

    /// <summary>
    /// Whether the scoring stopped: on the first call after <see cref="StopScoring"/> or the probe's
    /// <see cref="InFlightQualityProbe.StopScoring"/>, the decoding thread (if any) is told to end and the pictures kept are let go.
    /// </summary>
    private bool Halted()
    {
        if (_halted) return true;
        if (!_stopRequested && _probe is not { ScoringStopped: true }) return false;
        _halted = true;
        _stop.Cancel();
        FreeSources();
        return true;
    }

    private void FreeSources()
    {
        lock (_sources)
        {
            foreach (var f in _sources.Values)
            {
                nint x = f;
                LibAv.av_frame_free(&x);
            }
            _sources.Clear();
        }
    }

    private void Packet(nint packet)
    {
        if (_decoder is null || Halted() || _error is not null) return;
        nint clone = LibAv.av_packet_clone(packet);
        if (clone == 0) throw new OutOfMemoryException("av_packet_clone failed");
        try
        {
            _queue!.Add(new Item(clone, 0), _stop.Token);
        }
        catch
        {
            LibAv.av_packet_free(&clone);
            throw;
        }
    }

    /// <summary>
    /// x264's reconstruction of the picture with <paramref name="pts"/> (from the encoder's thread, valid during the call), to be
    /// scored against the picture given to the encoder with that pts (one not sampled only lets that picture go): in place, before
    /// the call returns (<see cref="InPlaceMaxCores"/>), or copied into a frame of this measurement's and queued for its thread. Its
    /// chroma is split into yuv420p planes either way, as a decoder outputs it.
    /// </summary>
    public void Reconstructed(long pts, byte* luma, int lumaStride, byte* chroma, int chromaStride)
    {
        if (Halted() || _error is not null) return;
        if (_inPlace is not null) ScoreInPlace(pts, luma, lumaStride, chroma, chromaStride);
        else QueueCopy(pts, luma, lumaStride, chroma, chromaStride);
    }

    private void ScoreInPlace(long pts, byte* luma, int lumaStride, byte* chroma, int chromaStride)
    {
        try
        {
            if (!Sampled(pts))
            {
                Score(0, pts);
                return;
            }
            nint frame = _inPlace!.Ptr;
            var data = (byte**)((byte*)frame + AvLayout.Frame.Data);
            var lines = (int*)((byte*)frame + AvLayout.Frame.Linesize);
            SplitChroma(frame, chroma, chromaStride);
            byte* ownLuma = data[0];
            int ownStride = lines[0];
            data[0] = luma;
            lines[0] = lumaStride;
            try
            {
                Score(frame, pts);
            }
            finally
            {
                data[0] = ownLuma; // the frame's own buffer, which freeing it lets go
                lines[0] = ownStride;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(e);
        }
    }

    private void QueueCopy(long pts, byte* luma, int lumaStride, byte* chroma, int chromaStride)
    {
        if (!Sampled(pts))
        {
            _queue!.Add(new Item(0, pts), _stop.Token);
            return;
        }
        if (!_spare.TryTake(out var frame))
        {
            frame = LibAv.av_frame_alloc();
            if (frame == 0) throw new OutOfMemoryException("av_frame_alloc failed");
            try
            {
                FrameConverter.AllocateBuffer(frame, _width, _height);
            }
            catch
            {
                LibAv.av_frame_free(&frame);
                throw;
            }
        }
        try
        {
            var data = (byte**)((byte*)frame + AvLayout.Frame.Data);
            var lines = (int*)((byte*)frame + AvLayout.Frame.Linesize);
            for (int y = 0; y < _height; y++)
                new ReadOnlySpan<byte>(luma + (nint)y * lumaStride, _width).CopyTo(new Span<byte>(data[0] + (nint)y * lines[0], _width));
            SplitChroma(frame, chroma, chromaStride);
            _queue!.Add(new Item(frame, pts), _stop.Token);
        }
        catch
        {
            LibAv.av_frame_free(&frame);
            throw;
        }
    }

    /// <summary>Splits x264's interleaved (NV12) chroma into the U and V planes of yuv420p <paramref name="frame"/>.</summary>
    private static void SplitChroma(nint frame, byte* chroma, int chromaStride)
    {
        var data = (byte**)((byte*)frame + AvLayout.Frame.Data);
        var lines = (int*)((byte*)frame + AvLayout.Frame.Linesize);
        int width = LibAv.Field<int>(frame, AvLayout.Frame.Width), height = LibAv.Field<int>(frame, AvLayout.Frame.Height);
        int cw = (width + 1) / 2, ch = (height + 1) / 2;
        for (int y = 0; y < ch; y++)
            Nv12.SplitChroma(chroma + (nint)y * chromaStride, data[1] + (nint)y * lines[1], data[2] + (nint)y * lines[2], cw);
    }

    /// <summary>
    /// A picture could not be scored: <see cref="Complete"/> throws <paramref name="e"/>, and the pictures kept are let go now rather
    /// than held to the end of the encode (no more are kept).
    /// </summary>
    private void Failed(Exception e)
    {
        _error = e;
        FreeSources();
    }

    private void Run()
    {
        if (_decoder is null)
        {
            RunReconstructed();
            return;
        }
        using var frame = AvFrameHandle.Alloc();
        var ctx = _decoder!.Ptr;
        try
        {
            foreach (var item in _queue!.GetConsumingEnumerable(_stop.Token))
            {
                nint p = item.Ptr;
                int ret = LibAv.avcodec_send_packet(ctx, p);
                LibAv.av_packet_free(&p);
                if (ret < 0) throw new EngineException(ErrorCodes.Decode, $"{_options.DistortedName}: decoding the encoder's packet ({LibAv.ErrorText(ret)})");
                Drain(frame);
            }
            int end = LibAv.avcodec_send_packet(ctx, 0);
            if (end < 0 && end != AvConst.ErrorEof) throw new EngineException(ErrorCodes.Decode, $"{_options.DistortedName}: flushing the decoder ({LibAv.ErrorText(end)})");
            Drain(frame);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _error = e;
        }
    }

    private void RunReconstructed()
    {
        try
        {
            // After a failure the queue is still emptied (the encoder, which stops adding once it sees the error, may be waiting
            // on a full one); Complete then throws the error.
            foreach (var item in _queue!.GetConsumingEnumerable(_stop.Token))
            {
                try
                {
                    if (_error is null) Score(item.Ptr, item.Pts);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Failed(e);
                }
                finally
                {
                    if (item.Ptr != 0) _spare.Add(item.Ptr);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Drain(AvFrameHandle frame)
    {
        var ctx = _decoder!.Ptr;
        while (true)
        {
            int ret = LibAv.avcodec_receive_frame(ctx, frame.Ptr);
            if (ret == AvConst.ErrorEagain || ret == AvConst.ErrorEof) return;
            if (ret < 0) throw new EngineException(ErrorCodes.Decode, $"{_options.DistortedName}: decoding a frame ({LibAv.ErrorText(ret)})");
            Score(frame.Ptr, LibAv.Field<long>(frame.Ptr, AvLayout.Frame.Pts));
            LibAv.av_frame_unref(frame.Ptr);
        }
    }

    /// <summary>Whether the pair with <paramref name="pts"/> (its frame's index in the encode) is measured: sampled by pts, so whatever order they come in.</summary>
    private bool Sampled(long pts) => pts is < 0 or > int.MaxValue || VideoQuality.Sampled((int)pts, _options.SampleEvery);

    /// <summary>
    /// Scores an output picture (0: one not sampled) against the picture given to the encoder with
    /// <paramref name="pts"/>, which is let go.
    /// </summary>
    private void Score(nint frame, long pts)
    {
        nint source;
        lock (_sources) _sources.Remove(pts, out source);
        if (source == 0)
        {
            _unmatched++;
            return;
        }
        try
        {
            if (frame != 0 && Sampled(pts))
            {
                long start = Stopwatch.GetTimestamp();
                double ssim = _scorer.Measure(frame, source);
                _measureTicks += Stopwatch.GetTimestamp() - start;
                if (_frameSsim is { } scores && pts >= 0 && pts < scores.Length) Volatile.Write(ref scores[pts], ssim);
            }
            _matched++;
        }
        finally
        {
            LibAv.av_frame_free(&source);
        }
    }

    public void Dispose()
    {
        if (!_completed) _queue?.CompleteAdding();
        _stop.Cancel();
        _thread?.Join();
        if (_queue is not null)
        {
            while (_queue.TryTake(out var item))
            {
                nint p = item.Ptr;
                if (p == 0) continue;
                if (_decoder is null) LibAv.av_frame_free(&p);
                else LibAv.av_packet_free(&p);
            }
            _queue.Dispose();
        }
        while (_spare.TryTake(out var f)) LibAv.av_frame_free(&f);
        FreeSources();
        _stop.Dispose();
        _scorer.Dispose();
        _inPlace?.Dispose();
        _decoder?.Dispose();
    }

    private sealed class TeeSink : IPacketSink
    {
        private readonly InFlightQuality _quality;
        private readonly IPacketSink _inner;

        public TeeSink(InFlightQuality quality, IPacketSink inner) => (_quality, _inner) = (quality, inner);

        public void Write(nint packet, bool isVideo)
        {
            if (isVideo) _quality.Packet(packet);
            _inner.Write(packet, isVideo);
        }
    }
}
