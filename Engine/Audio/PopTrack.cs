using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Audio;

/// <summary>
/// One short sound (the engine's synthesised pop, or a decoded file) mixed in at each of a
/// list of times; overlapping pops add up. The sound is held in memory, which is why a file
/// is capped at <see cref="MaxFileMs"/>.
/// </summary>
internal sealed class PopTrack
{
    /// <summary>A pop is a short effect; a longer file is cut here (with a short fade) rather than held whole.</summary>
    public const double MaxFileMs = 2000;
    private const double CutFadeMs = 10;

    private readonly float[] _left, _right;
    private readonly long[] _starts; // sorted
    private readonly float _gain;
    private int _first; // pops before this one have finished

    public PopTrack(IReadOnlyList<double> timesMs, string? path, double gain)
    {
        if (path is null)
        {
            _left = _right = PopSound.Synthesize();
        }
        else
        {
            (_left, _right) = Decode(path);
        }
        _starts = timesMs.Select(AudioMix.ToSamples).Order().ToArray();
        _gain = (float)gain;
    }

    public int Length => _left.Length;

    public void MixInto(long pos, Span<float> left, Span<float> right)
    {
        long blockEnd = pos + left.Length;
        int len = _left.Length;
        while (_first < _starts.Length && _starts[_first] + len <= pos) _first++;
        for (int i = _first; i < _starts.Length && _starts[i] < blockEnd; i++)
        {
            long start = _starts[i];
            int from = (int)Math.Max(0, start - pos);              // first block sample touched
            int srcFrom = (int)Math.Max(0, pos - start);           // first pop sample used
            int n = (int)Math.Min(left.Length - from, len - srcFrom);
            if (n <= 0) continue;
            var sl = _left.AsSpan(srcFrom, n);
            var sr = _right.AsSpan(srcFrom, n);
            var dl = left.Slice(from, n);
            var dr = right.Slice(from, n);
            for (int s = 0; s < n; s++)
            {
                dl[s] += sl[s] * _gain;
                dr[s] += sr[s] * _gain;
            }
        }
    }

    private static (float[] Left, float[] Right) Decode(string path)
    {
        const string name = "pop sound";
        if (!File.Exists(path)) throw new EngineException(ErrorCodes.InputNotFound, $"{name}: file not found: {path}");
        int max = (int)AudioMix.ToSamples(MaxFileMs);
        var l = new float[max];
        var r = new float[max];
        int got;
        try
        {
            using var decoder = new AudioDecoder(path, AudioMix.SampleRate);
            got = decoder.Read(l, r);
        }
        catch (EngineException e)
        {
            throw new EngineException(e.Code, $"{name}: {e.Message}", e);
        }
        if (got == max)
        {
            int fade = (int)AudioMix.ToSamples(CutFadeMs);
            for (int i = 0; i < fade; i++)
            {
                float g = (float)Curves.RaisedCosine((double)(fade - i) / fade);
                l[max - fade + i] *= g;
                r[max - fade + i] *= g;
            }
        }
        return (l[..got], r[..got]);
    }
}

/// <summary>
/// The engine's own pop: a 50 ms sine sweeping down from 1.5 kHz to 500 Hz, a 1 ms
/// raised-cosine onset, an exponential decay (τ = 10 ms) and a 5 ms taper to exact silence.
/// Computed from fixed constants, so every render gets the same samples; peak about −7 dBFS.
/// </summary>
internal static class PopSound
{
    public const double DurationMs = 50;
    private const double StartHz = 1500, EndHz = 500;
    private const double OnsetMs = 1, DecayMs = 10, TaperMs = 5;
    private const double Peak = 0.5;

    public static float[] Synthesize()
    {
        int n = (int)AudioMix.ToSamples(DurationMs);
        double sr = AudioMix.SampleRate;
        var pop = new float[n];
        double phase = 0;
        for (int i = 0; i < n; i++)
        {
            double t = i / sr;
            double x = (double)i / n;
            // Exponential sweep: equal musical intervals per millisecond, heard as one "pop" rather than a chirp.
            double hz = StartHz * Math.Pow(EndHz / StartHz, x);
            double env = Peak * Math.Exp(-t * 1000 / DecayMs)
                * Curves.RaisedCosine(t * 1000 / OnsetMs)
                * Curves.RaisedCosine((DurationMs - t * 1000) / TaperMs);
            pop[i] = (float)(env * Math.Sin(phase));
            phase += 2 * Math.PI * hz / sr;
        }
        return pop;
    }
}
