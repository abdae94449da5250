using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Audio;

/// <summary>
/// The voice clips of a mix, each started at its exact sample and streamed from its own
/// decoder. A decoder is opened in the block where its clip starts and disposed in the block
/// where it ends, so only overlapping clips are ever open together, however many the story has.
/// Also the schedule the duck follows: starts are known up front, each end as soon as its
/// decoder runs dry (<see cref="EndSample"/>).
/// </summary>
internal sealed class VoiceTrack : IDisposable
{
    /// <summary>End of a clip that has not finished yet.</summary>
    public const long Unknown = long.MaxValue;

    private readonly VoiceClip[] _clips; // in start order
    private readonly long[] _start;
    private readonly long[] _end;
    private readonly AudioDecoder?[] _open;
    private readonly CancellationToken _cancel;
    private readonly long[] _played;   // samples of each clip mixed so far
    private readonly long[] _length;   // samples each clip may play (long.MaxValue: to its end)
    private readonly int[] _fadeIn, _fadeOut, _fadeInStart;
    private readonly float[] _scratchL, _scratchR;
    private int _next;        // first clip not opened yet
    private int _firstOpen;   // no clip before this one is still open

    public VoiceTrack(IReadOnlyList<VoiceClip> clips, int maxBlock, CancellationToken cancel = default)
    {
        _cancel = cancel;
        // Stable sort by start sample, so equal starts keep the config's order.
        _clips = clips.Select((c, i) => (c, i)).OrderBy(p => AudioMix.ToSamples(p.c.StartMs)).ThenBy(p => p.i).Select(p => p.c).ToArray();
        _start = _clips.Select(c => AudioMix.ToSamples(c.StartMs)).ToArray();
        _end = Enumerable.Repeat(Unknown, _clips.Length).ToArray();
        _open = new AudioDecoder?[_clips.Length];
        _played = new long[_clips.Length];
        _length = _clips.Select(c => c.MaxDurationMs is { } d ? AudioMix.ToSamples(d) : long.MaxValue).ToArray();
        _fadeIn = _clips.Select(c => (int)Math.Min(int.MaxValue, AudioMix.ToSamples(c.FadeInMs))).ToArray();
        _fadeOut = _clips.Select(c => (int)Math.Min(int.MaxValue, AudioMix.ToSamples(c.FadeOutMs))).ToArray();
        _fadeInStart = _clips.Select(c => (int)Math.Min(int.MaxValue, AudioMix.ToSamples(c.FadeInStartMs))).ToArray();
        _scratchL = new float[maxBlock];
        _scratchR = new float[maxBlock];
        foreach (var c in _clips)
        {
            // Fail before the first sample is mixed rather than minutes into a render.
            if (!File.Exists(c.Path))
                throw new EngineException(ErrorCodes.InputNotFound, $"{Name(c)}: file not found: {c.Path}");
        }
    }

    public int Count => _clips.Length;
    public long StartSample(int i) => _start[i];
    /// <summary>The sample after the clip's last one, or <see cref="Unknown"/> while it still plays (or has not started).</summary>
    public long EndSample(int i) => _end[i];

    /// <summary>Clips whose decoders are open now (for tests of the bounded-resources promise).</summary>
    public int OpenCount { get; private set; }

    /// <summary>Adds the clips' samples for the block starting at sample <paramref name="pos"/>.</summary>
    public void MixInto(long pos, Span<float> left, Span<float> right)
    {
        long blockEnd = pos + left.Length;
        while (_next < _clips.Length && _start[_next] < blockEnd)
        {
            _open[_next] = Open(_clips[_next], _cancel);
            OpenCount++;
            _next++;
        }
        for (int i = _firstOpen; i < _next; i++)
        {
            var decoder = _open[i];
            if (decoder is null) continue;
            int offset = (int)Math.Max(0, _start[i] - pos);
            int want = (int)Math.Min(left.Length - offset, _length[i] - _played[i]);
            var l = _scratchL.AsSpan(0, want);
            var r = _scratchR.AsSpan(0, want);
            int got = Read(decoder, _clips[i], l, r);
            float gain = (float)_clips[i].Gain;
            var dl = left.Slice(offset, got);
            var dr = right.Slice(offset, got);
            if (_fadeIn[i] == 0 && _fadeOut[i] == 0)
            {
                for (int s = 0; s < got; s++)
                {
                    dl[s] += l[s] * gain;
                    dr[s] += r[s] * gain;
                }
            }
            else
            {
                for (int s = 0; s < got; s++)
                {
                    float g = gain * FadeGain(i, _played[i] + s);
                    dl[s] += l[s] * g;
                    dr[s] += r[s] * g;
                }
            }
            _played[i] += got;
            if (got < want || _played[i] >= _length[i])
            {
                _end[i] = pos + offset + got;
                decoder.Dispose();
                _open[i] = null;
                OpenCount--;
            }
        }
        while (_firstOpen < _next && _open[_firstOpen] is null) _firstOpen++;
    }

    /// <summary>
    /// Equal-power ramps (sine in, cosine out), so two clips crossfading across a transition keep
    /// a steady loudness. The fade out is measured from the clip's set length; a clip without
    /// one has no fade out.
    /// </summary>
    private float FadeGain(int i, long played)
    {
        double g = 1;
        long into = played + _fadeInStart[i];
        if (into < _fadeIn[i]) g *= Math.Sin(0.5 * Math.PI * into / _fadeIn[i]);
        long left = _length[i] - played;
        if (_length[i] != long.MaxValue && left < _fadeOut[i]) g *= Math.Sin(0.5 * Math.PI * Math.Max(0, left) / _fadeOut[i]);
        return (float)g;
    }

    private static string Name(VoiceClip c) => c.Label ?? $"messages[{c.MessageIndex}] voice clip";

    private static AudioDecoder Open(VoiceClip c, CancellationToken cancel)
    {
        try
        {
            var decoder = new AudioDecoder(c.Path, AudioMix.SampleRate);
            try
            {
                if (c.SourceStartMs > 0) decoder.Skip(AudioMix.ToSamples(c.SourceStartMs), cancel);
            }
            catch
            {
                decoder.Dispose();
                throw;
            }
            return decoder;
        }
        catch (EngineException e)
        {
            throw new EngineException(e.Code, $"{Name(c)}: {e.Message}", e);
        }
    }

    private static int Read(AudioDecoder d, VoiceClip c, Span<float> l, Span<float> r)
    {
        try
        {
            return d.Read(l, r);
        }
        catch (EngineException e)
        {
            throw new EngineException(e.Code, $"{Name(c)}: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        for (int i = 0; i < _open.Length; i++)
        {
            _open[i]?.Dispose();
            _open[i] = null;
        }
    }
}

/// <summary>
/// The music's duck, computed from the voice schedule rather than from the voices' signal:
/// for each clip a raised-cosine ramp from 0 to 1 over the attack that ends exactly at its
/// start (so the music is already down when the first syllable lands), 1 while it plays, and a
/// raised-cosine release after its end; the duck is the largest of these, and the gain is
/// <c>DuckingDb × duck</c> in dB. Every piece is continuous, so the gain never steps.
/// </summary>
internal sealed class DuckEnvelope
{
    private readonly VoiceTrack _voices;
    private readonly int _attack, _release;
    private readonly double _nepersPerUnit; // ln of the full duck's linear gain
    private readonly float _fullDuck;
    private int _first; // clips before this one are over, release included

    public DuckEnvelope(VoiceTrack voices, double duckingDb, double attackMs, double releaseMs)
    {
        _voices = voices;
        _attack = (int)AudioMix.ToSamples(attackMs);
        _release = (int)AudioMix.ToSamples(releaseMs);
        _nepersPerUnit = duckingDb * Math.Log(10) / 20;
        _fullDuck = (float)Math.Exp(_nepersPerUnit);
    }

    /// <summary>
    /// Multiplies <paramref name="gain"/> by the duck for the block starting at <paramref name="pos"/>;
    /// call after the voices of that block are mixed, so ends within it are known.
    /// </summary>
    public void Apply(long pos, Span<float> gain)
    {
        long blockEnd = pos + gain.Length;
        while (_first < _voices.Count && _voices.EndSample(_first) != VoiceTrack.Unknown && _voices.EndSample(_first) + _release <= pos) _first++;
        int last = _first;
        while (last < _voices.Count && _voices.StartSample(last) - _attack < blockEnd) last++;
        if (last == _first) return;
        for (int s = 0; s < gain.Length; s++)
        {
            long t = pos + s;
            double duck = 0;
            for (int i = _first; i < last && duck < 1; i++) duck = Math.Max(duck, Shape(i, t));
            if (duck <= 0) continue;
            gain[s] *= duck >= 1 ? _fullDuck : (float)Math.Exp(_nepersPerUnit * duck);
        }
    }

    private double Shape(int i, long t)
    {
        long start = _voices.StartSample(i);
        if (t < start)
        {
            long from = start - _attack;
            return t < from ? 0 : Curves.RaisedCosine((double)(t - from) / _attack);
        }
        long end = _voices.EndSample(i);
        if (t < end) return 1;
        long past = t - end;
        return past >= _release ? 0 : Curves.RaisedCosine(1 - (double)past / _release);
    }
}

/// <summary>Shapes shared by the gain ramps.</summary>
internal static class Curves
{
    /// <summary>0 at 0, 1 at 1, with zero slope at both ends (sin²(πx/2)), so a ramp neither clicks in nor out.</summary>
    public static double RaisedCosine(double x) => x <= 0 ? 0 : x >= 1 ? 1 : 0.5 - 0.5 * Math.Cos(Math.PI * x);
}
