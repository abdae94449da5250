using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Audio;

/// <summary>
/// Produces the soundtrack an <see cref="AudioMix"/> describes, block by block at 48 kHz
/// stereo: voices at their exact samples, the looped, faded and ducked music bed, the pops,
/// then the master gain and (when constructed with an <see cref="AudioAnalysis"/>) the
/// normalisation gain and a true-peak limiter.
/// <para>
/// Streaming throughout: files are decoded as they play, voice decoders live only while
/// their clip does, and all scratch memory is allocated here, so <see cref="Fill"/> allocates
/// nothing in steady state and a long story costs no more memory than a short one.
/// The constant gains of the mix are fixed for its whole length; every gain that changes
/// over time (fades, duck, limiter) is computed per sample from a continuous curve, so none
/// of them steps from one block to the next.
/// </para>
/// <para>Normalisation is two passes: <see cref="Analyze"/> mixes the audio alone through a
/// <see cref="LoudnessMeter"/>, then the render's mixer applies the gain it found.</para>
/// </summary>
public sealed class AudioMixer : IDisposable
{
    /// <summary>Internal processing block; <see cref="Fill"/> takes any length and works through it in these.</summary>
    public const int BlockSamples = 1024;
    /// <summary>
    /// Normalisation never raises a mix by more than this: a nearly silent mix (a lone pop, a
    /// whispered clip) would otherwise be pushed up with its noise floor.
    /// </summary>
    public const double MaxNormalizationGainDb = 24;

    private readonly bool _enabled;
    private readonly long _total;
    private readonly VoiceTrack? _voices;
    private readonly DuckEnvelope? _duck;
    private readonly MusicLoop? _music;
    private readonly PopTrack? _pops;
    private readonly float _musicGain;
    private readonly int _fadeIn, _fadeOut;
    private readonly float _outputGain;
    private readonly TruePeakLimiter? _limiter;
    private readonly float[] _musicL = new float[BlockSamples], _musicR = new float[BlockSamples], _gain = new float[BlockSamples];
    private long _mixPosition;

    /// <summary>A mixer of <paramref name="mix"/> as described: no normalisation, no limiter.</summary>
    public AudioMixer(AudioMix mix) : this(mix, null)
    {
    }

    /// <summary>
    /// A mixer of <paramref name="mix"/>; with <paramref name="normalization"/>, its
    /// <see cref="AudioAnalysis.GainDb"/> is applied after the master gain and the result goes
    /// through a look-ahead limiter holding the true peak under
    /// <see cref="AudioMix.TruePeakCeilingDbtp"/>. The limiter's latency is compensated
    /// internally: sample positions are the same with and without it.
    /// </summary>
    /// <param name="cancel">Checked while a trimmed clip is wound forward to its in-point (which can be long).</param>
    public AudioMixer(AudioMix mix, AudioAnalysis? normalization, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(mix);
        mix.Validate();
        _enabled = mix.Enabled;
        _total = mix.TotalSamples;
        if (!_enabled) return;
        LibAvLoader.EnsureLoaded();
        try
        {
            if (mix.Voices.Count > 0)
            {
                _voices = new VoiceTrack(mix.Voices, BlockSamples, cancel);
                if (mix.DuckMusicUnderVoice && mix.DuckingDb != 0 && mix.MusicPath is not null)
                    _duck = new DuckEnvelope(_voices, mix.DuckingDb, mix.DuckAttackMs, mix.DuckReleaseMs);
            }
            if (mix.MusicPath is not null)
            {
                if (!File.Exists(mix.MusicPath)) throw new EngineException(ErrorCodes.InputNotFound, $"music: file not found: {mix.MusicPath}");
                try
                {
                    _music = new MusicLoop(mix.MusicPath, (int)AudioMix.ToSamples(mix.LoopCrossfadeMs));
                }
                catch (EngineException e)
                {
                    throw new EngineException(e.Code, $"music: {e.Message}", e);
                }
                _musicGain = (float)mix.MusicGain;
                _fadeIn = (int)Math.Min(_total, AudioMix.ToSamples(mix.MusicFadeInMs));
                _fadeOut = (int)Math.Min(_total, AudioMix.ToSamples(mix.MusicFadeOutMs));
            }
            if (mix.PopTimesMs.Count > 0) _pops = new PopTrack(mix.PopTimesMs, mix.PopSoundPath, mix.PopGain);

            double gainDb = normalization is null || !double.IsFinite(normalization.GainDb) ? 0 : normalization.GainDb;
            _outputGain = (float)(mix.MasterGain * Math.Pow(10, gainDb / 20));
            if (normalization is not null)
            {
                _limiter = new TruePeakLimiter(mix.TruePeakCeilingDbtp);
                // Run the mix ahead by the limiter's delay, so output sample n is mix sample n.
                var l = new float[BlockSamples];
                var r = new float[BlockSamples];
                for (int done = 0; done < _limiter.Latency; done += BlockSamples)
                {
                    int n = Math.Min(BlockSamples, _limiter.Latency - done);
                    MixBlock(l.AsSpan(0, n), r.AsSpan(0, n));
                    _limiter.Process(l.AsSpan(0, n), r.AsSpan(0, n), l.AsSpan(0, n), r.AsSpan(0, n));
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Samples of output produced so far.</summary>
    public long Position { get; private set; }

    /// <summary>Samples in the mix (<see cref="AudioMix.TotalSamples"/>); <see cref="Fill"/> may go past it (silence, voices aside).</summary>
    public long TotalSamples => _total;

    /// <summary>Voice decoders open right now (bounded by how many clips overlap, not how many there are).</summary>
    public int OpenVoiceDecoders => _voices?.OpenCount ?? 0;

    /// <summary>Writes the next <c>left.Length</c> samples of both channels (equal lengths, any size).</summary>
    public void Fill(Span<float> left, Span<float> right)
    {
        if (left.Length != right.Length) throw new ArgumentException("channels differ in length", nameof(right));
        if (!_enabled)
        {
            left.Clear();
            right.Clear();
            Position += left.Length;
            return;
        }
        for (int done = 0; done < left.Length; done += BlockSamples)
        {
            int n = Math.Min(BlockSamples, left.Length - done);
            var l = left.Slice(done, n);
            var r = right.Slice(done, n);
            MixBlock(l, r);
            _limiter?.Process(l, r, l, r);
        }
        Position += left.Length;
    }

    /// <summary>Mixes the next block (at most <see cref="BlockSamples"/>) at <see cref="_mixPosition"/> into the spans.</summary>
    private void MixBlock(Span<float> left, Span<float> right)
    {
        long pos = _mixPosition;
        int n = left.Length;
        left.Clear();
        right.Clear();
        // Voices first: a clip that ends in this block makes its end known to the duck.
        _voices?.MixInto(pos, left, right);
        if (_music is not null && pos < _total)
        {
            var ml = _musicL.AsSpan(0, n);
            var mr = _musicR.AsSpan(0, n);
            _music.Read(ml, mr);
            var gain = _gain.AsSpan(0, n);
            MusicGain(pos, gain);
            _duck?.Apply(pos, gain);
            for (int i = 0; i < n; i++)
            {
                left[i] += ml[i] * gain[i];
                right[i] += mr[i] * gain[i];
            }
        }
        _pops?.MixInto(pos, left, right);
        if (_outputGain != 1f)
        {
            for (int i = 0; i < n; i++)
            {
                left[i] *= _outputGain;
                right[i] *= _outputGain;
            }
        }
        _mixPosition = pos + n;
    }

    /// <summary>The music's gain with its fade-in from the start and fade-out to the end (raised-cosine ramps).</summary>
    private void MusicGain(long pos, Span<float> gain)
    {
        long fadeOutFrom = _total - _fadeOut;
        if (pos >= _fadeIn && pos + gain.Length <= fadeOutFrom)
        {
            gain.Fill(_musicGain);
            return;
        }
        for (int i = 0; i < gain.Length; i++)
        {
            long t = pos + i;
            double g = _musicGain;
            if (t >= _total) g = 0;
            if (t < _fadeIn) g *= Curves.RaisedCosine((double)t / _fadeIn);
            if (t >= fadeOutFrom && _fadeOut > 0) g *= Curves.RaisedCosine((double)(_total - t) / _fadeOut);
            gain[i] = (float)g;
        }
    }

    /// <summary>
    /// The first pass of normalisation: mixes <paramref name="mix"/> alone (no video) through a
    /// BS.1770-4 <see cref="LoudnessMeter"/> and a <see cref="TruePeakMeter"/> and returns the
    /// static gain that brings its integrated loudness to <see cref="AudioMix.LoudnessTargetLufs"/>
    /// (capped at +<see cref="MaxNormalizationGainDb"/> dB; 0 dB for a silent mix).
    /// <para>
    /// When that gain would push true peaks over the ceiling, the limiter will take some
    /// loudness back (a lot, when short peaks such as pops dominate). The mix is then measured
    /// again through the gain and the limiter, and the shortfall added to the gain, up to
    /// <see cref="MaxCompensationPasses"/> times and <see cref="MaxLimiterCompensationDb"/> dB
    /// in all, so the render lands on the target rather than under it. Each pass is audio only.
    /// </para>
    /// </summary>
    public static AudioAnalysis Analyze(AudioMix mix, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(mix);
        mix.Validate();
        if (!mix.Enabled) return new AudioAnalysis(double.NegativeInfinity, double.NegativeInfinity, 0);
        var (integrated, truePeak) = Measure(mix, null, cancel);
        if (!double.IsFinite(integrated)) return new AudioAnalysis(integrated, truePeak, 0);
        double plain = Math.Min(MaxNormalizationGainDb, mix.LoudnessTargetLufs - integrated);
        double gain = plain;
        for (int pass = 0; pass < MaxCompensationPasses; pass++)
        {
            if (truePeak + gain <= mix.TruePeakCeilingDbtp - TruePeakLimiter.MarginDb) break; // the limiter will not act
            var (limited, _) = Measure(mix, new AudioAnalysis(integrated, truePeak, gain), cancel);
            double shortfall = mix.LoudnessTargetLufs - limited;
            if (!(shortfall > CompensationToleranceLu)) break;
            double next = Math.Min(Math.Min(MaxNormalizationGainDb, plain + MaxLimiterCompensationDb), gain + shortfall);
            if (next <= gain) break;
            gain = next;
        }
        return new AudioAnalysis(integrated, truePeak, gain);
    }

    /// <summary>Measurement passes through the limiter that <see cref="Analyze"/> may add.</summary>
    public const int MaxCompensationPasses = 2;
    /// <summary>
    /// The most gain <see cref="Analyze"/> adds to make up for limiting: beyond it the limiter
    /// would be flattening the mix to reach a number.
    /// </summary>
    public const double MaxLimiterCompensationDb = 6;
    private const double CompensationToleranceLu = 0.1;

    /// <summary>Integrated loudness and true peak of the whole mix, as mixed with <paramref name="normalization"/>.</summary>
    private static (double IntegratedLufs, double TruePeakDbtp) Measure(AudioMix mix, AudioAnalysis? normalization, CancellationToken cancel)
    {
        using var mixer = new AudioMixer(mix, normalization, cancel);
        var loudness = new LoudnessMeter();
        var peak = new TruePeakMeter();
        const int chunk = 8 * BlockSamples;
        var l = new float[chunk];
        var r = new float[chunk];
        for (long pos = 0; pos < mix.TotalSamples; pos += chunk)
        {
            cancel.ThrowIfCancellationRequested();
            int n = (int)Math.Min(chunk, mix.TotalSamples - pos);
            mixer.Fill(l.AsSpan(0, n), r.AsSpan(0, n));
            loudness.Process(l.AsSpan(0, n), r.AsSpan(0, n));
            peak.Process(l.AsSpan(0, n), r.AsSpan(0, n));
        }
        return (loudness.IntegratedLufs, peak.TruePeakDbtp);
    }

    public void Dispose()
    {
        _voices?.Dispose();
        _music?.Dispose();
    }
}
