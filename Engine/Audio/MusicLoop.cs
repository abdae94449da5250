using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Audio;

/// <summary>
/// A music file played in an endless loop, streamed from its decoder, with a crossfade of
/// X samples between the end of each pass and the start of the next: the output is
/// <c>c[0 .. len−X)</c>, then <c>fade(c[len−X .. len), c[0 .. X))</c>, then
/// <c>c[X .. len−X)</c>, and so on.
/// <para>
/// The file's length is not trusted from the container: the loop holds back the last X
/// decoded samples (a FIFO of about X + one block), so when the decoder reports the end, the held
/// samples are exactly the tail. The decoder is then rewound and its first X samples faded
/// in over that tail. A clip shorter than 2X is found at open time; it is held in memory
/// (under 2X samples) and crossfaded over half its length instead.
/// </para>
/// <para>
/// The crossfade is equal-power, corrected for the correlation r of the two segments:
/// gains <c>k·cos θ</c> and <c>k·sin θ</c> with <c>k = 1/√(1 + r·sin 2θ)</c> keep the power
/// constant. For unrelated material (r ≈ 0) this is the plain equal-power law; for a file
/// that already loops seamlessly (r ≈ 1) it becomes the linear crossfade, so the join does
/// not swell by 3 dB.
/// </para>
/// </summary>
internal sealed class MusicLoop : IDisposable
{
    private readonly AudioDecoder? _decoder;
    private readonly int _fade;

    // Streaming mode: held samples [0, _held) are the next outputs; the decoder continues after them.
    private readonly float[] _holdL = [], _holdR = [];
    private int _held;
    private readonly float[] _headL = [], _headR = [];
    private bool _silent;

    // Short mode: the whole clip (under 2X samples) and its crossfaded loop.
    private readonly float[]? _clipL, _clipR, _loopL, _loopR;
    private int _shortPos;
    private bool _firstPass = true;

    public MusicLoop(string path, int crossfadeSamples)
    {
        var decoder = new AudioDecoder(path, AudioMix.SampleRate);
        try
        {
            int x = crossfadeSamples;
            var prefetchL = new float[Math.Max(1, 2 * x)];
            var prefetchR = new float[prefetchL.Length];
            int got = x == 0 ? 0 : decoder.Read(prefetchL, prefetchR);
            if (x > 0 && got < 2 * x)
            {
                // The whole clip fits in the prefetch: loop it from memory, no decoder kept.
                decoder.Dispose();
                _clipL = prefetchL;
                _clipR = prefetchR;
                _silent = got == 0;
                int fade = got / 2, period = got - fade;
                _fade = fade;
                _loopL = new float[Math.Max(1, period)];
                _loopR = new float[_loopL.Length];
                prefetchL.AsSpan(0, period).CopyTo(_loopL);
                prefetchR.AsSpan(0, period).CopyTo(_loopR);
                Crossfade(prefetchL.AsSpan(period, fade), prefetchR.AsSpan(period, fade), _loopL.AsSpan(0, fade), _loopR.AsSpan(0, fade),
                    _loopL.AsSpan(0, fade), _loopR.AsSpan(0, fade));
                return;
            }
            _decoder = decoder;
            _fade = x;
            // Room for the 2X prefetched samples, and for a read while X are held.
            _holdL = new float[Math.Max(2 * x, x + MaxRead)];
            _holdR = new float[_holdL.Length];
            _headL = new float[x];
            _headR = new float[x];
            prefetchL.AsSpan(0, got).CopyTo(_holdL);
            prefetchR.AsSpan(0, got).CopyTo(_holdR);
            _held = got;
        }
        catch
        {
            decoder.Dispose();
            throw;
        }
    }

    /// <summary>Largest decoder read per step; bounds the FIFO to max(2X, X + this).</summary>
    public const int MaxRead = 1024;

    /// <summary>Writes exactly <c>left.Length</c> samples of the loop.</summary>
    public void Read(Span<float> left, Span<float> right)
    {
        if (_silent)
        {
            left.Clear();
            right.Clear();
            return;
        }
        if (_decoder is null) ReadShort(left, right);
        else ReadStreaming(left, right);
    }

    private void ReadShort(Span<float> left, Span<float> right)
    {
        // First pass plays the clip's own head (nothing to fade from); later passes the loop.
        var srcL = _firstPass ? _clipL! : _loopL!;
        var srcR = _firstPass ? _clipR! : _loopR!;
        int period = _loopL!.Length;
        int done = 0;
        while (done < left.Length)
        {
            int n = Math.Min(left.Length - done, period - _shortPos);
            srcL.AsSpan(_shortPos, n).CopyTo(left[done..]);
            srcR.AsSpan(_shortPos, n).CopyTo(right[done..]);
            done += n;
            _shortPos += n;
            if (_shortPos == period)
            {
                _shortPos = 0;
                _firstPass = false;
                srcL = _loopL!;
                srcR = _loopR!;
            }
        }
    }

    private void ReadStreaming(Span<float> left, Span<float> right)
    {
        var decoder = _decoder!;
        int x = _fade;
        int done = 0;
        bool readSinceRewind = true;
        while (done < left.Length)
        {
            if (_held > x)
            {
                int n = Math.Min(left.Length - done, _held - x);
                _holdL.AsSpan(0, n).CopyTo(left[done..]);
                _holdR.AsSpan(0, n).CopyTo(right[done..]);
                _holdL.AsSpan(n, _held - n).CopyTo(_holdL);
                _holdR.AsSpan(n, _held - n).CopyTo(_holdR);
                _held -= n;
                done += n;
                continue;
            }
            int got = decoder.Read(_holdL.AsSpan(_held, MaxRead), _holdR.AsSpan(_held, MaxRead));
            if (got > 0)
            {
                _held += got;
                readSinceRewind = true;
                continue;
            }
            if (!readSinceRewind)
            {
                // A whole pass produced nothing (a file that decodes to no samples): stay silent
                // rather than rewinding forever.
                _silent = true;
                left[done..].Clear();
                right[done..].Clear();
                return;
            }
            // End of a pass: the held X samples are its tail. Fade the next pass's head in over them.
            decoder.Rewind();
            readSinceRewind = false;
            if (x == 0) continue;
            int head = decoder.Read(_headL, _headR);
            if (head > 0) readSinceRewind = true;
            _headL.AsSpan(head).Clear(); // a pass shorter than the first cannot be, but never mix stale samples
            _headR.AsSpan(head).Clear();
            Crossfade(_holdL.AsSpan(0, x), _holdR.AsSpan(0, x), _headL, _headR, _holdL.AsSpan(0, x), _holdR.AsSpan(0, x));
            // The held X samples are now pass positions [0, X) and the decoder continues at X;
            // a pass is at least 2X long (shorter clips take the in-memory path), so they are
            // output before the next end and never taken for a tail.
        }
    }

    /// <summary>
    /// Correlation-corrected equal-power crossfade of <paramref name="tailL"/>/<paramref name="tailR"/>
    /// (fading out) and <paramref name="headL"/>/<paramref name="headR"/> (fading in) into the outputs,
    /// which may alias either input.
    /// </summary>
    private static void Crossfade(ReadOnlySpan<float> tailL, ReadOnlySpan<float> tailR, ReadOnlySpan<float> headL, ReadOnlySpan<float> headR,
        Span<float> outL, Span<float> outR)
    {
        int n = tailL.Length;
        if (n == 0) return;
        double th = 0, tt = 0, hh = 0;
        for (int i = 0; i < n; i++)
        {
            th += (double)tailL[i] * headL[i] + (double)tailR[i] * headR[i];
            tt += (double)tailL[i] * tailL[i] + (double)tailR[i] * tailR[i];
            hh += (double)headL[i] * headL[i] + (double)headR[i] * headR[i];
        }
        // Anti-correlated segments would need a gain that grows without bound at the midpoint;
        // they get the plain equal-power law (a brief dip) instead.
        double r = tt > 0 && hh > 0 ? Math.Clamp(th / Math.Sqrt(tt * hh), 0, 1) : 0;
        for (int i = 0; i < n; i++)
        {
            double theta = Math.PI / 2 * (i + 0.5) / n;
            double k = 1 / Math.Sqrt(1 + r * Math.Sin(2 * theta));
            double a = k * Math.Cos(theta), b = k * Math.Sin(theta);
            float l = (float)(a * tailL[i] + b * headL[i]);
            float rr = (float)(a * tailR[i] + b * headR[i]);
            outL[i] = l;
            outR[i] = rr;
        }
    }

    public void Dispose() => _decoder?.Dispose();
}
