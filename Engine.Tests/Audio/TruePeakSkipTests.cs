using NUnit.Framework;
using ReelSpeed.Engine.Audio;

namespace ReelSpeed.Engine.Tests.Audio;

/// <summary>
/// The true-peak detector skips the filter on blocks whose bound (largest input in reach times the
/// filter's absolute gain) cannot pass a threshold. Skipping must change nothing: a skipped block's
/// exact peaks are all at or under the threshold, a block that is filtered gives the same peaks as
/// an always-filtering detector fed the same stream, and the meter built on it reads the same value.
/// </summary>
public class TruePeakSkipTests
{
    /// <summary>Noise bursts and near-silence at levels from −40 to +2 dBFS, with single clicks: some blocks pass any threshold, most don't.</summary>
    private static (float[] L, float[] R) Signal(int seed, int samples)
    {
        var rng = new Random(seed);
        var l = new float[samples];
        var r = new float[samples];
        double level = 0.1;
        for (int i = 0; i < samples; i++)
        {
            if (i % 700 == 0) level = Math.Pow(10, (-40 + 42 * rng.NextDouble()) / 20);
            l[i] = (float)(level * (2 * rng.NextDouble() - 1));
            r[i] = (float)(level * Math.Sin(i * 0.37) * (i % 5 == 0 ? 1 : 0.5));
            if (rng.Next(3000) == 0) l[i] = rng.Next(2) == 0 ? 1.2f : -1.2f;
        }
        return (l, r);
    }

    [TestCase(1, 0.05f)]
    [TestCase(2, 0.5f)]
    [TestCase(3, 0.89f)]
    [TestCase(4, 1.0f)]
    public void A_skipped_block_has_no_peak_over_the_threshold_and_a_filtered_one_the_same_peaks(int seed, float threshold)
    {
        var (l, r) = Signal(seed, 48_000);
        var skipping = new TruePeakDetector();
        var always = new TruePeakDetector();
        var got = new float[TruePeakDetector.MaxBlock];
        var want = new float[TruePeakDetector.MaxBlock];
        int skipped = 0, filtered = 0;
        var rng = new Random(seed);
        for (int pos = 0; pos < l.Length;)
        {
            int n = Math.Min(l.Length - pos, 1 + rng.Next(TruePeakDetector.MaxBlock));
            var g = got.AsSpan(0, n);
            var w = want.AsSpan(0, n);
            g.Fill(-1);
            always.Detect(l.AsSpan(pos, n), r.AsSpan(pos, n), w);
            if (skipping.DetectAbove(l.AsSpan(pos, n), r.AsSpan(pos, n), g, threshold))
            {
                filtered++;
                Assert.That(g.ToArray(), Is.EqualTo(w.ToArray()), $"block at {pos}");
            }
            else
            {
                skipped++;
                Assert.That(g.ToArray(), Has.All.EqualTo(-1f), "a skipped block leaves the peaks as they were");
                Assert.That(w.ToArray().Max(), Is.LessThanOrEqualTo(threshold), $"skipped block at {pos}");
            }
            pos += n;
        }
        TestContext.Out.WriteLine($"threshold {threshold}: {skipped} blocks skipped, {filtered} filtered");
        Assert.That(filtered, Is.GreaterThan(0));
        if (threshold >= 0.5f) Assert.That(skipped, Is.GreaterThan(0), "the bound lets quiet blocks through unfiltered");
    }

    [TestCase(5)]
    [TestCase(6)]
    public void The_meter_reads_the_largest_peak_of_every_block(int seed)
    {
        var (l, r) = Signal(seed, 96_000);
        var meter = new TruePeakMeter();
        var detector = new TruePeakDetector();
        var peaks = new float[TruePeakDetector.MaxBlock];
        float max = 0;
        for (int pos = 0; pos < l.Length; pos += 1000)
        {
            int n = Math.Min(1000, l.Length - pos);
            meter.Process(l.AsSpan(pos, n), r.AsSpan(pos, n));
            detector.Detect(l.AsSpan(pos, n), r.AsSpan(pos, n), peaks.AsSpan(0, n));
            for (int i = 0; i < n; i++) max = Math.Max(max, peaks[i]);
        }
        Assert.That(meter.TruePeak, Is.EqualTo((double)max));
    }
}
