using System.Collections.Concurrent;
using System.Diagnostics;
using ReelSpeed.Engine.Audio;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// A job's soundtrack, encoded on a thread of its own so that neither the loudness analysis nor the
/// mix, the meters and the audio encoder hold up the thread that feeds the video encoder: the
/// analysis pass runs while the first video frames encode, and the audio fills the gaps the video
/// encoder's threads leave. Encoded packets wait in a small ring of packets (a few seconds of audio:
/// memory does not grow with the length), each tagged with the samples the encoder had been given when
/// it came out; <see cref="WriteUntil"/> writes them in order up to a sample count, and waits for
/// the pump only where it is more than <see cref="MaxLagSeconds"/> behind (at the start, while the
/// analysis runs). Packets written a few frames later than they could have been change nothing: the
/// muxer interleaves by timestamp, holding the video packets until the audio of their time is in
/// (well inside its 10 s limit), so the file is the same bytes as with the audio encoded inline.
/// </summary>
internal sealed class AudioPump : IDisposable
{
    /// <summary>Packets in flight (an AAC packet is 1,024 samples: about 5 s at 48 kHz).</summary>
    public const int RingPackets = 256;

    /// <summary>How far the audio may trail the video before the video waits for it.</summary>
    public const double MaxLagSeconds = 3;

    /// <summary>The tag of the packets of the short last frame and of the flush: written after every frame's.</summary>
    private const long AtEnd = long.MaxValue;

    private readonly JobContext _job;
    private readonly AudioEncoder _audio;
    private readonly Func<AudioAnalysis?> _normalization;
    private readonly AvPacketHandle[] _ring = new AvPacketHandle[RingPackets];
    private readonly BlockingCollection<int> _free = new(RingPackets);
    private readonly BlockingCollection<(int Slot, long Tag)> _ready = new(RingPackets);
    private readonly float[] _left, _right;
    private readonly long _firstSample, _endSample;
    private (int Slot, long Tag)? _next;
    /// <summary>Samples the encoder has been given; every packet tagged up to it is in the ring (or written).</summary>
    private long _fed;
    private Thread? _thread;
    private Exception? _error;
    private double _audioMs;

    /// <param name="normalization">Measures the mix and returns its normalisation (or null for none); runs first on the pump's thread.</param>
    public AudioPump(JobContext job, AudioEncoder audio, Func<AudioAnalysis?> normalization)
    {
        _job = job;
        _audio = audio;
        _normalization = normalization;
        _left = new float[audio.FrameSize];
        _right = new float[audio.FrameSize];
        _firstSample = job.Scene.SamplesBefore(job.Range.Start, AudioPlan.SampleRate);
        _endSample = job.Scene.SamplesBefore(job.Range.End, AudioPlan.SampleRate);
        try
        {
            for (int i = 0; i < RingPackets; i++)
            {
                _ring[i] = AvPacketHandle.Alloc();
                _free.Add(i);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Samples of this range's soundtrack.</summary>
    public long TotalSamples => _endSample - _firstSample;

    public void Start()
    {
        _thread = new Thread(Pump) { Name = "reelspeed-audio", IsBackground = true };
        _thread.Start();
    }

    /// <summary>
    /// Writes to <paramref name="sink"/> the packets the encoder gave out while it had been given at
    /// most <paramref name="samples"/> samples of the range (whole frames only; <see cref="long.MaxValue"/>:
    /// all, the tail and the flush included), as far as the pump has made them; waits for it only
    /// where it is more than <see cref="MaxLagSeconds"/> behind, or for everything at the end.
    /// </summary>
    public void WriteUntil(long samples, IPacketSink sink)
    {
        var token = _job.Token;
        long owed = samples == long.MaxValue ? long.MaxValue : samples - (long)(MaxLagSeconds * AudioPlan.SampleRate);
        while (true)
        {
            if (_next is null)
            {
                // Read before looking in the ring: the packets tagged up to it were put there before it was set.
                long fed = Volatile.Read(ref _fed);
                if (!_ready.TryTake(out var item))
                {
                    if (_ready.IsCompleted || fed >= owed) return; // nothing more is owed yet
                    if (!_ready.TryTake(out item, Timeout.Infinite, token)) return; // all written
                }
                _next = item;
            }
            var (slot, tag) = _next.Value;
            if (tag > samples) return;
            _next = null;
            var packet = _ring[slot].Ptr;
            try
            {
                sink.Write(packet, isVideo: false);
            }
            finally
            {
                LibAv.av_packet_unref(packet);
                _free.Add(slot); // never blocks: the ring has as many places as slots
            }
        }
    }

    /// <summary>Whether the pump failed (the job's token is then cancelled).</summary>
    public bool Failed => _error is not null;

    /// <summary>Waits for the pump, adds its time to the job, and rethrows its failure.</summary>
    public void Finish()
    {
        if (_thread is { } t && !t.Join(0))
        {
            if (!_ready.IsAddingCompleted) _job.Cancellation.Cancel(); // the consumer left early
            t.Join();
        }
        _thread = null;
        _job.Stages += new StageTimes(0, 0, 0, _audioMs, 0);
        _audioMs = 0;
        if (_error is { } e)
            throw e is EngineException ? e : new EngineException(ErrorCodes.Internal, $"encoding the audio failed: {e.Message}", e);
    }

    private void Pump()
    {
        var token = _job.Token;
        var sw = new Stopwatch();
        var sink = new RingSink(this);
        try
        {
            var analysis = _normalization();
            sw.Start(); // the stage times the mix and the encode, as when they ran between frames
            using var mixer = new AudioMixer(_job.Scene.Audio.Mix, analysis, token);
            // A range that starts later starts its audio there: the mix up to that sample is made and dropped.
            for (long left = _firstSample; left > 0;)
            {
                int n = (int)Math.Min(_left.Length, left);
                mixer.Fill(_left.AsSpan(0, n), _right.AsSpan(0, n));
                left -= n;
            }
            long total = TotalSamples;
            while (true)
            {
                token.ThrowIfCancellationRequested();
                long pos = _audio.SamplesEncoded;
                int n = (int)Math.Min(_audio.FrameSize, total - pos);
                if (n <= 0) break;
                var ls = _left.AsSpan(0, n);
                var rs = _right.AsSpan(0, n);
                mixer.Fill(ls, rs);
                _job.Loudness.Process(ls, rs);
                _job.Peak.Process(ls, rs);
                sink.Tag = n == _audio.FrameSize ? pos + n : AtEnd;
                _audio.EncodeFrame(ls, rs, sink);
                if (n == _audio.FrameSize) Volatile.Write(ref _fed, pos + n);
            }
            sink.Tag = AtEnd;
            _audio.Flush(sink);
            _ready.CompleteAdding();
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _error = e;
            _job.Cancellation.Cancel();
        }
        _audioMs = (sw.Elapsed - sink.Waited).TotalMilliseconds;
    }

    /// <summary>Moves each packet the encoder gives out into a free slot of the ring, with the current tag.</summary>
    private sealed class RingSink(AudioPump pump) : IPacketSink
    {
        public long Tag;
        public TimeSpan Waited;

        public void Write(nint packet, bool isVideo)
        {
            long waitStart = Stopwatch.GetTimestamp();
            int slot = pump._free.Take(pump._job.Token); // waits while the ring is full (the video is behind)
            Waited += Stopwatch.GetElapsedTime(waitStart);
            LibAv.av_packet_move_ref(pump._ring[slot].Ptr, packet);
            pump._ready.Add((slot, Tag));
        }
    }

    public void Dispose()
    {
        if (_thread is not null)
        {
            _job.Cancellation.Cancel();
            _thread.Join();
            _thread = null;
        }
        foreach (var p in _ring) p?.Dispose(); // frees any packet still held
        _free.Dispose();
        _ready.Dispose();
    }
}
