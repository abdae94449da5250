namespace ReelSpeed.Engine.Audio;

/// <summary>
/// One voice line: the clip at <paramref name="Path"/> starts at exactly
/// <c>round(StartMs * 48)</c> samples of the mix and plays to its end at a linear
/// <paramref name="Gain"/>. <paramref name="MessageIndex"/> names the clip in errors.
/// </summary>
public sealed record VoiceClip(int MessageIndex, string Path, double StartMs, double Gain = 1.0)
{
    /// <summary>Where in the file playback begins, in ms (a trimmed clip's in-point); 0 plays from the start.</summary>
    public double SourceStartMs { get; init; }

    /// <summary>How long the clip plays at most, in ms (a trimmed clip's length); null plays to the file's end.</summary>
    public double? MaxDurationMs { get; init; }

    /// <summary>Equal-power fade in at the start and out at the end, in ms (crossfades across transitions).</summary>
    public double FadeInMs { get; init; }
    public double FadeOutMs { get; init; }

    /// <summary>How far into its fade-in the clip starts, in ms (a trim that cuts into a crossfade keeps its phase).</summary>
    public double FadeInStartMs { get; init; }

    /// <summary>How errors name the clip; null names it after its message.</summary>
    public string? Label { get; init; }
}

/// <summary>
/// The immutable description of a story's soundtrack, mixed by <see cref="AudioMixer"/> at
/// 48 kHz stereo: voice clips at fixed times, a looped music bed under them (faded at both
/// ends, ducked while any voice plays), a pop at each given time, a master gain, and the
/// loudness target and true-peak ceiling that normalisation aims for.
/// Every optional member has a documented default (the <c>Default…</c> constants), so a
/// caller sets only what its config says. Gains are linear; levels in dB say so in the name.
/// </summary>
public sealed record AudioMix
{
    /// <summary>The mix's one output rate; every input is resampled to it.</summary>
    public const int SampleRate = 48000;
    /// <summary>Samples per millisecond at <see cref="SampleRate"/>.</summary>
    public const double SamplesPerMs = SampleRate / 1000.0;

    public const double DefaultMusicGain = 1.0;
    /// <summary>Short enough not to soften the first beat, long enough to avoid a hard entry.</summary>
    public const double DefaultMusicFadeInMs = 300;
    /// <summary>The bed ends with the video; a second-long fade makes that an ending, not a cut.</summary>
    public const double DefaultMusicFadeOutMs = 1000;
    /// <summary>About a 20 Hz cycle: long enough to hide a waveform jump, short enough not to blur a beat.</summary>
    public const double DefaultLoopCrossfadeMs = 50;
    public const bool DefaultDuckMusicUnderVoice = true;
    /// <summary>A common broadcast voice-over duck: music stays audible but clearly behind speech.</summary>
    public const double DefaultDuckingDb = -12;
    /// <summary>The duck is scheduled to be complete when the voice starts, so it begins this early.</summary>
    public const double DefaultDuckAttackMs = 80;
    /// <summary>Slower than the attack so short pauses between lines do not pump the music.</summary>
    public const double DefaultDuckReleaseMs = 300;
    public const double DefaultPopGain = 1.0;
    public const double DefaultMasterGain = 1.0;
    /// <summary>What TikTok, Reels and Shorts normalise to (−14 LUFS integrated).</summary>
    public const double DefaultLoudnessTargetLufs = -14;
    /// <summary>Leaves headroom for the AAC encoder's overshoot.</summary>
    public const double DefaultTruePeakCeilingDbtp = -1;

    /// <summary>
    /// Longest loop crossfade, duck attack or duck release accepted: longer ones are not ramps
    /// any more, and bounding them bounds the buffers they need.
    /// </summary>
    public const double MaxRampMs = 10_000;

    /// <summary>False gives a silent track of the same length.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Length of the soundtrack (the video's length); the music fades out to end here.</summary>
    public required double DurationMs { get; init; }

    /// <summary>Voice lines in any order; overlapping lines are summed.</summary>
    public IReadOnlyList<VoiceClip> Voices { get; init; } = [];

    /// <summary>A music file looped for the whole length; null for no music.</summary>
    public string? MusicPath { get; init; }
    public double MusicGain { get; init; } = DefaultMusicGain;
    public double MusicFadeInMs { get; init; } = DefaultMusicFadeInMs;
    public double MusicFadeOutMs { get; init; } = DefaultMusicFadeOutMs;
    /// <summary>Equal-power crossfade between the music's end and its start at each loop; 0 loops hard.</summary>
    public double LoopCrossfadeMs { get; init; } = DefaultLoopCrossfadeMs;

    public bool DuckMusicUnderVoice { get; init; } = DefaultDuckMusicUnderVoice;
    /// <summary>Music level change while a voice plays, in dB (negative lowers it).</summary>
    public double DuckingDb { get; init; } = DefaultDuckingDb;
    public double DuckAttackMs { get; init; } = DefaultDuckAttackMs;
    public double DuckReleaseMs { get; init; } = DefaultDuckReleaseMs;

    /// <summary>Times at which a pop sound starts (e.g. each bubble's appearance).</summary>
    public IReadOnlyList<double> PopTimesMs { get; init; } = [];
    /// <summary>A short sound file for the pop (at most 2 s are used); null uses the engine's synthesised pop, a 50 ms falling sine sweep.</summary>
    public string? PopSoundPath { get; init; }
    public double PopGain { get; init; } = DefaultPopGain;

    public double MasterGain { get; init; } = DefaultMasterGain;
    /// <summary>
    /// Whether the render normalises the mix to <see cref="LoudnessTargetLufs"/> (a chat story's
    /// soundtrack); false keeps the recorded levels (processed clips) and only limits true peaks.
    /// </summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Integrated loudness (BS.1770-4) that <see cref="AudioMixer.Analyze"/> computes a gain for.</summary>
    public double LoudnessTargetLufs { get; init; } = DefaultLoudnessTargetLufs;
    /// <summary>Ceiling of the normalised output's true peak (4x oversampled), in dBTP.</summary>
    public double TruePeakCeilingDbtp { get; init; } = DefaultTruePeakCeilingDbtp;

    /// <summary>Samples in the soundtrack: <c>round(DurationMs * 48)</c>.</summary>
    public long TotalSamples => ToSamples(DurationMs);

    /// <summary>The sample at which something scheduled at <paramref name="ms"/> starts (half away from zero).</summary>
    public static long ToSamples(double ms) => (long)Math.Round(ms * SamplesPerMs, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Checks the numbers a config could have got wrong; the mixer calls it so that a wiring
    /// mistake fails with the member's name instead of producing NaN audio.
    /// </summary>
    public void Validate()
    {
        NonNegative(DurationMs, nameof(DurationMs));
        NonNegative(MusicGain, nameof(MusicGain));
        NonNegative(MusicFadeInMs, nameof(MusicFadeInMs));
        NonNegative(MusicFadeOutMs, nameof(MusicFadeOutMs));
        Ramp(LoopCrossfadeMs, nameof(LoopCrossfadeMs));
        Finite(DuckingDb, nameof(DuckingDb));
        Ramp(DuckAttackMs, nameof(DuckAttackMs));
        Ramp(DuckReleaseMs, nameof(DuckReleaseMs));
        NonNegative(PopGain, nameof(PopGain));
        NonNegative(MasterGain, nameof(MasterGain));
        Finite(LoudnessTargetLufs, nameof(LoudnessTargetLufs));
        Finite(TruePeakCeilingDbtp, nameof(TruePeakCeilingDbtp));
        if (TruePeakCeilingDbtp > 0) throw new ArgumentOutOfRangeException(nameof(TruePeakCeilingDbtp), TruePeakCeilingDbtp, "expected a ceiling at or below 0 dBTP");
        ArgumentNullException.ThrowIfNull(Voices);
        ArgumentNullException.ThrowIfNull(PopTimesMs);
        for (int i = 0; i < Voices.Count; i++)
        {
            var v = Voices[i] ?? throw new ArgumentNullException($"{nameof(Voices)}[{i}]");
            if (string.IsNullOrEmpty(v.Path)) throw new ArgumentException("expected a file path, got an empty string", $"{nameof(Voices)}[{i}].{nameof(VoiceClip.Path)}");
            NonNegative(v.StartMs, $"{nameof(Voices)}[{i}].{nameof(VoiceClip.StartMs)}");
            NonNegative(v.Gain, $"{nameof(Voices)}[{i}].{nameof(VoiceClip.Gain)}");
            NonNegative(v.SourceStartMs, $"{nameof(Voices)}[{i}].{nameof(VoiceClip.SourceStartMs)}");
            NonNegative(v.FadeInMs, $"{nameof(Voices)}[{i}].{nameof(VoiceClip.FadeInMs)}");
            NonNegative(v.FadeOutMs, $"{nameof(Voices)}[{i}].{nameof(VoiceClip.FadeOutMs)}");
            NonNegative(v.FadeInStartMs, $"{nameof(Voices)}[{i}].{nameof(VoiceClip.FadeInStartMs)}");
            if (v.MaxDurationMs is { } max) NonNegative(max, $"{nameof(Voices)}[{i}].{nameof(VoiceClip.MaxDurationMs)}");
        }
        for (int i = 0; i < PopTimesMs.Count; i++) NonNegative(PopTimesMs[i], $"{nameof(PopTimesMs)}[{i}]");
    }

    private static void NonNegative(double v, string name)
    {
        if (!double.IsFinite(v) || v < 0) throw new ArgumentOutOfRangeException(name, v, "expected a finite number >= 0");
    }

    private static void Ramp(double v, string name)
    {
        if (!double.IsFinite(v) || v < 0 || v > MaxRampMs) throw new ArgumentOutOfRangeException(name, v, $"expected milliseconds in 0..{MaxRampMs}");
    }

    private static void Finite(double v, string name)
    {
        if (!double.IsFinite(v)) throw new ArgumentOutOfRangeException(name, v, "expected a finite number");
    }
}

/// <summary>
/// What the analysis pass (<see cref="AudioMixer.Analyze"/>) found: the mix's integrated
/// loudness and true peak before normalisation, and the static gain that brings it to the
/// target once the limiter has done its work (so it can exceed <c>target − IntegratedLufs</c>).
/// A silent mix reads −∞ for both and gets a gain of exactly 0 dB.
/// </summary>
public sealed record AudioAnalysis(double IntegratedLufs, double TruePeakDbtp, double GainDb)
{
    /// <summary>No normalisation: 0 dB of gain, so the mixer applies only the true-peak limiter.</summary>
    public static readonly AudioAnalysis LimitOnly = new(double.NaN, double.NaN, 0);

    /// <summary>No gating block rose above the absolute gate (−70 LUFS): nothing to normalise.</summary>
    public bool IsSilent => double.IsNegativeInfinity(IntegratedLufs);
}
