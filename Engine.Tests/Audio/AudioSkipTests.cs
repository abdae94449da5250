using System.Globalization;
using NUnit.Framework;
using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Tests.Audio;

/// <summary>
/// Winding a clip forward to a trimmed in-point: whole frames are decoded without resampling,
/// yet the samples that follow must be the ones a decode from the start gives at that position.
/// </summary>
[TestFixture]
public class AudioSkipTests : TempDirTest
{
    [TestCase(44100, "aac", 1.37)]
    [TestCase(48000, "aac", 2.5)]
    [TestCase(22050, "libmp3lame", 0.9)]   // MP3: a short first frame (its encoder delay trimmed)
    [TestCase(44100, "libmp3lame", 2.2)]
    public void Skipping_lands_on_the_same_samples_as_decoding_from_the_start(int rate, string codec, double seconds)
    {
        var path = Path.Combine(_dir, "tone." + (codec == "aac" ? "m4a" : "mp3"));
        // A chirp, so a misplaced position shows as a different signal, not the same sine.
        TestSupport.Ffmpeg("-f", "lavfi", "-i", FormattableString.Invariant($"aevalsrc=0.5*sin(2*PI*(200+300*t)*t):s={rate}:d=4"), "-c:a", codec, path);
        long skip = (long)Math.Round(seconds * 48000);
        const int Count = 9600;

        var all = new float[48000 * 5];
        using (var whole = new AudioDecoder(path, 48000))
            whole.Read(all, new float[all.Length]);

        var got = new float[Count];
        using var skipped = new AudioDecoder(path, 48000);
        Assert.That(skipped.Skip(skip), Is.EqualTo(skip));
        Assert.That(skipped.Read(got, new float[Count]), Is.EqualTo(Count));

        // Past the resampler's first few samples the two agree (measured: exactly, on all four).
        double err = 0, sig = 0;
        for (int i = 256; i < Count; i++)
        {
            double d = got[i] - all[skip + i];
            err += d * d;
            sig += all[skip + i] * all[skip + i];
        }
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rate} Hz {codec}: error/signal {Math.Sqrt(err / sig):E2}"));
        Assert.That(Math.Sqrt(err / sig), Is.LessThan(0.01));
    }

    [Test]
    public void Winding_forward_stops_when_cancelled()
    {
        var path = Path.Combine(_dir, "long.m4a");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:sample_rate=44100:duration=20", "-c:a", "aac", path);
        using var decoder = new AudioDecoder(path, 48000);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => decoder.Skip(48000 * 15, cts.Token));
    }
}
