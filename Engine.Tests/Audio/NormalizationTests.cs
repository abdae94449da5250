using NUnit.Framework;
using ReelSpeed.Engine.Audio;
using static ReelSpeed.Engine.Tests.Audio.AudioFixtures;

namespace ReelSpeed.Engine.Tests.Audio;

/// <summary>Two-pass loudness normalisation and the true-peak limiter.</summary>
public class NormalizationTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TestSupport.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>A quiet noisy bed, buzzy voice lines and loud pops: raising it to −14 LUFS needs the limiter.</summary>
    private AudioMix StoryMix()
    {
        var music = Path.Combine(_dir, "bed.wav");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.05:seed=3:d=2:r=48000", "-ac", "2", "-c:a", "pcm_f32le", music);
        // A buzzy voice: a 150 Hz pulse-like wave (harmonics to several kHz), crest factor high.
        var voice = Eval(Path.Combine(_dir, "voice.mp3"), "0.9*pow(sin(PI*150*t)\\,9)*(0.6+0.4*sin(2*PI*3*t))", 1.5, 44100, 1,
            "-c:a", "libmp3lame", "-b:a", "96k");
        return new AudioMix
        {
            DurationMs = 8000,
            MusicPath = music,
            MusicGain = 0.5,
            Voices = [new VoiceClip(0, voice, 500, 0.4), new VoiceClip(1, voice, 2500, 0.3), new VoiceClip(2, voice, 5000, 0.4)],
            // Loud, short pops: high peaks for little loudness, so the normalised peaks exceed the ceiling.
            PopTimesMs = [500, 1200, 2500, 3100, 5000, 6400, 7000],
            PopGain = 2,
            LoudnessTargetLufs = -14,
            TruePeakCeilingDbtp = -1,
        };
    }

    [Test]
    public void A_normalised_mix_hits_the_target_and_stays_under_the_ceiling()
    {
        var mix = StoryMix();
        var analysis = AudioMixer.Analyze(mix);
        double plainGain = mix.LoudnessTargetLufs - analysis.IntegratedLufs;
        Assert.That(analysis.TruePeakDbtp + plainGain, Is.GreaterThan(mix.TruePeakCeilingDbtp + 3), "the fixture needs the limiter");
        Assert.That(analysis.GainDb, Is.GreaterThan(plainGain + 0.5), "the gain makes up for the loudness the limiter takes");

        var (l, r) = MixDown(mix, analysis);
        var meter = new LoudnessMeter();
        meter.Process(l, r);
        var peak = new TruePeakMeter();
        peak.Process(l, r);
        var wav = Path.Combine(_dir, "out.wav");
        WriteWav(wav, l, r);
        var (ffI, ffPeak) = Ebur128(wav);
        TestContext.Out.WriteLine($"analysis {analysis}; output: engine {meter.IntegratedLufs:0.00} LUFS {peak.TruePeakDbtp:0.00} dBTP, ffmpeg {ffI:0.000} LUFS {ffPeak:0.000} dBTP");

        Assert.That(meter.IntegratedLufs, Is.EqualTo(-14).Within(0.5));
        Assert.That(ffI, Is.EqualTo(-14).Within(0.5));
        Assert.That(peak.TruePeakDbtp, Is.LessThanOrEqualTo(-1.0));
        Assert.That(ffPeak, Is.LessThanOrEqualTo(-1.0));
    }

    [Test]
    public void The_limiter_passes_a_signal_under_the_ceiling_bit_for_bit_after_its_latency()
    {
        var limiter = new TruePeakLimiter(-1);
        int n = 20000;
        var l = new float[n];
        var r = new float[n];
        for (int i = 0; i < n; i++)
        {
            l[i] = (float)(0.8 * Math.Sin(i * 0.05));
            r[i] = (float)(0.3 * Math.Sin(i * 0.21));
        }
        var ol = new float[n];
        var or = new float[n];
        limiter.Process(l, r, ol, or);
        Assert.That(ol.AsSpan(0, limiter.Latency).ToArray().All(v => v == 0));
        Assert.That(ol.AsSpan(limiter.Latency).ToArray(), Is.EqualTo(l.AsSpan(0, n - limiter.Latency).ToArray()));
        Assert.That(or.AsSpan(limiter.Latency).ToArray(), Is.EqualTo(r.AsSpan(0, n - limiter.Latency).ToArray()));
    }

    [Test]
    public void The_limiter_holds_loud_inter_sample_peaks_under_the_ceiling_without_steps()
    {
        // A 6 dB-too-loud burst of a tone at fs/4 + a bit, whose crests fall between samples.
        var limiter = new TruePeakLimiter(-1);
        int n = Rate;
        var l = new float[n];
        var r = new float[n];
        for (int i = 0; i < n; i++)
        {
            double burst = i is > 12000 and < 30000 ? 2.0 : 0.2;
            l[i] = (float)(burst * Math.Sin(2 * Math.PI * 11025 * i / Rate + 0.7));
            r[i] = (float)(0.5 * burst * Math.Sin(2 * Math.PI * 300 * i / Rate));
        }
        var ol = new float[n];
        var or = new float[n];
        limiter.Process(l, r, ol, or);
        var meter = new TruePeakMeter();
        meter.Process(ol, or);
        Assert.That(meter.TruePeakDbtp, Is.LessThanOrEqualTo(-1.0));
        Assert.That(meter.TruePeakDbtp, Is.GreaterThan(-1.5), "limits to the ceiling, not far below it");

        // The applied gain (output / delayed input on the 300 Hz channel) moves in small steps only.
        double maxStep = 0, prev = 1, minGain = 1;
        int prevAt = limiter.Latency;
        for (int i = limiter.Latency; i < n; i++)
        {
            float x = r[i - limiter.Latency];
            if (Math.Abs(x) < 0.05) continue; // too close to a zero crossing to read the gain
            double g = or[i] / x;
            maxStep = Math.Max(maxStep, Math.Abs(g - prev) / (i - prevAt));
            minGain = Math.Min(minGain, g);
            prev = g;
            prevAt = i;
        }
        TestContext.Out.WriteLine($"gain down to {minGain:0.000}, largest change {maxStep:0.00000} per sample");
        Assert.That(minGain, Is.LessThan(0.5), "the burst was limited");
        // A full-depth drop spread over the 5 ms look-ahead is ~0.002 per sample; a step would be ~0.5.
        Assert.That(maxStep, Is.LessThan(0.003), "the gain ramps; it never jumps");
    }

    [Test]
    public void A_silent_mix_gets_no_gain_and_stays_silent()
    {
        var voice = Silence(Path.Combine(_dir, "nothing.wav"), 0.5);
        foreach (var mix in new[]
                 {
                     new AudioMix { DurationMs = 2000 },
                     new AudioMix { DurationMs = 2000, Voices = [new VoiceClip(0, voice, 100)] },
                     new AudioMix { Enabled = false, DurationMs = 2000, PopTimesMs = [0] },
                 })
        {
            var analysis = AudioMixer.Analyze(mix);
            Assert.That(analysis.IsSilent);
            Assert.That(analysis.GainDb, Is.Zero);
            Assert.That(double.IsNaN(analysis.TruePeakDbtp), Is.False);
            var (l, r) = MixDown(mix, analysis);
            Assert.That(l.Concat(r).All(v => v == 0));
        }
    }

    [Test]
    public void A_nearly_silent_mix_is_not_pushed_up_by_more_than_the_cap()
    {
        var tone = Sine(Path.Combine(_dir, "faint.wav"), 1000, 0.001, 3);
        var analysis = AudioMixer.Analyze(new AudioMix { DurationMs = 3000, Voices = [new VoiceClip(0, tone, 0)] });
        Assert.That(analysis.IntegratedLufs, Is.EqualTo(Db(0.001 * Math.Sqrt(0.5))).Within(0.2), "a mono tone upmixed keeps its loudness");
        Assert.That(analysis.GainDb, Is.EqualTo(AudioMixer.MaxNormalizationGainDb));
    }
}
