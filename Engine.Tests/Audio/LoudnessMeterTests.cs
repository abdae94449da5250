using NUnit.Framework;
using ReelSpeed.Engine.Audio;
using static ReelSpeed.Engine.Tests.Audio.AudioFixtures;

namespace ReelSpeed.Engine.Tests.Audio;

/// <summary>
/// The BS.1770-4 meter against the standard's calibration points and against ffmpeg's
/// ebur128 filter on the same files; the true-peak meter against analytic inter-sample peaks.
/// </summary>
public class LoudnessMeterTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TestSupport.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>A sine with a 10 ms raised-cosine onset, so a jump from silence does not ring as a peak of its own.</summary>
    private static (float[] L, float[] R) SynthSine(double hz, double amplitudeL, double amplitudeR, double seconds, double phase = 0)
    {
        int n = (int)(seconds * Rate);
        var l = new float[n];
        var r = new float[n];
        int onset = Rate / 100;
        for (int i = 0; i < n; i++)
        {
            double s = Math.Sin(2 * Math.PI * hz * i / Rate + phase);
            if (i < onset) s *= 0.5 - 0.5 * Math.Cos(Math.PI * i / onset);
            l[i] = (float)(amplitudeL * s);
            r[i] = (float)(amplitudeR * s);
        }
        return (l, r);
    }

    private static double Integrated(float[] l, float[] r, int block = 1000)
    {
        var meter = new LoudnessMeter();
        for (int i = 0; i < l.Length; i += block)
        {
            int n = Math.Min(block, l.Length - i);
            meter.Process(l.AsSpan(i, n), r.AsSpan(i, n));
        }
        return meter.IntegratedLufs;
    }

    [Test]
    public void A_stereo_1kHz_sine_at_minus_23_dBFS_reads_minus_23_LUFS()
    {
        double a = Math.Pow(10, -23 / 20.0);
        var (l, r) = SynthSine(1000, a, a, 5);
        Assert.That(Integrated(l, r), Is.EqualTo(-23.0).Within(0.1));
    }

    [Test]
    public void A_full_scale_997Hz_sine_in_one_channel_reads_minus_3_01_LKFS()
    {
        // BS.1770-4 §2.1's calibration statement.
        var (l, r) = SynthSine(997, 1.0, 0.0, 3);
        Assert.That(Integrated(l, r), Is.EqualTo(-3.01).Within(0.05));
    }

    [Test]
    public void The_relative_gate_drops_the_quiet_half()
    {
        // 5 s at -20 LUFS then 5 s at -40: the abs-gated mean is about -23, the relative
        // gate -33 excludes the quiet part, so the integrated level is the loud part's.
        double loud = Math.Pow(10, -20 / 20.0), quiet = Math.Pow(10, -40 / 20.0);
        var (l1, r1) = SynthSine(1000, loud, loud, 5);
        var (l2, r2) = SynthSine(1000, quiet, quiet, 5);
        var l = l1.Concat(l2).ToArray();
        var r = r1.Concat(r2).ToArray();
        // Of the blocks that pass, 47 are wholly loud and three straddle the step with 3/4,
        // 1/2 and 1/4 of their length loud: 48.5 blocks' worth of energy over 50 blocks.
        Assert.That(Integrated(l, r), Is.EqualTo(-20 + 10 * Math.Log10(48.5 / 50)).Within(0.02));
    }

    [Test]
    public void Silence_is_minus_infinity_and_the_block_size_does_not_matter()
    {
        var z = new float[Rate];
        Assert.That(Integrated(z, z), Is.EqualTo(double.NegativeInfinity));
        var meter = new LoudnessMeter();
        Assert.That(meter.MomentaryLufs, Is.EqualTo(double.NegativeInfinity));

        var (l, r) = SynthSine(440, 0.3, 0.1, 2.3);
        Assert.That(Integrated(l, r, 1), Is.EqualTo(Integrated(l, r, 4096)).Within(1e-9));
        meter.Process(l, r);
        Assert.That(meter.MomentaryLufs, Is.EqualTo(Integrated(l, r)).Within(0.05), "a steady tone's momentary level is its integrated level");
    }

    // Signals for the comparison with ffmpeg: a plain tone, noise (broadband: exercises the
    // K-weighting's shelf and high-pass), a tone with silent gaps (exercises both gates), and a
    // low and a high tone in the two channels.
    [TestCase("sine", "0.1*sin(2*PI*1000*t)|0.1*sin(2*PI*1000*t)")]
    [TestCase("noise", "0.2*(random(0)-0.5)|0.2*(random(1)-0.5)")]
    [TestCase("pink", "")]
    [TestCase("gated", @"0.3*sin(2*PI*440*t)*gt(mod(t\,2)\,1.3)|0.05*sin(2*PI*3000*t)")]
    [TestCase("split", "0.5*sin(2*PI*60*t)|0.02*sin(2*PI*9000*t)")]
    public void Integrated_loudness_and_true_peak_match_ffmpeg_ebur128(string name, string expr)
    {
        var path = Path.Combine(_dir, name + ".wav");
        if (expr == "")
            TestSupport.Ffmpeg("-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.3:seed=7:d=6:r=48000", "-ac", "2", "-c:a", "pcm_f32le", path);
        else
            Eval(path, expr, 6, channels: 2, codec: ["-c:a", "pcm_f32le"]);
        var (l, r) = Decode(path);
        var peak = new TruePeakMeter();
        peak.Process(l, r);
        var (ffI, ffPeak) = Ebur128(path);
        double mine = Integrated(l, r);
        TestContext.Out.WriteLine($"{name}: engine {mine:0.000} LUFS / {peak.TruePeakDbtp:0.000} dBTP, ffmpeg {ffI:0.000} LUFS / {ffPeak:0.000} dBTP");
        Assert.That(mine, Is.EqualTo(ffI).Within(0.05));
        Assert.That(peak.TruePeakDbtp, Is.EqualTo(ffPeak).Within(0.1));
    }

    [TestCase(1000.0)]
    [TestCase(5000.0)]
    [TestCase(12000.0)]
    [TestCase(15000.0)]
    public void True_peak_finds_the_peak_between_samples(double hz)
    {
        // At fs/4 with a 45° phase every sample sits at ±0.707 of the crest: the sample peak
        // reads 3 dB low. Other frequencies and phases land anywhere; the true peak stays 0.5.
        foreach (double phase in new[] { Math.PI / 4, 0.3, 1.1 })
        {
            var (l, r) = SynthSine(hz, 0.5, 0.5, 0.2, phase);
            var meter = new TruePeakMeter();
            meter.Process(l, r);
            Assert.That(meter.TruePeakDbtp, Is.EqualTo(Db(0.5)).Within(0.1), $"{hz} Hz, phase {phase}");
        }
        var (sl, sr) = SynthSine(12000, 0.5, 0.5, 0.2, Math.PI / 4);
        Assert.That(Db(sl.Max(Math.Abs)), Is.EqualTo(Db(0.5) - 3.01).Within(0.05), "the fixture really hides its peak between samples");
    }
}
