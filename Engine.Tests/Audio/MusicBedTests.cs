using NUnit.Framework;
using ReelSpeed.Engine.Audio;
using static ReelSpeed.Engine.Tests.Audio.AudioFixtures;

namespace ReelSpeed.Engine.Tests.Audio;

/// <summary>The music bed: loop crossfades, fades, and the duck under voices.</summary>
public class MusicBedTests
{
    private string _dir = "";

    [OneTimeSetUp]
    public void CreateDir() => _dir = TestSupport.TempDir();

    [OneTimeTearDown]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    private static AudioMix Music(string path, double durationMs, double crossfadeMs = AudioMix.DefaultLoopCrossfadeMs) => new()
    {
        DurationMs = durationMs,
        MusicPath = path,
        MusicFadeInMs = 0,
        MusicFadeOutMs = 0,
        LoopCrossfadeMs = crossfadeMs,
    };

    /// <summary>Largest step a sine of this RMS and frequency takes between two samples.</summary>
    private static double NaturalStep(double rms, double hz) => rms * Math.Sqrt(2) * 2 * Math.PI * hz / Rate;

    [Test]
    public void A_loop_that_would_click_is_crossfaded_smoothly()
    {
        // 220.25 periods of 440 Hz: the file ends on a crest, so a hard loop jumps from +A to 0.
        var path = Sine(Path.Combine(_dir, "crest.wav"), 440, 0.5, 220.25 / 440);
        var (hard, _) = MixDown(Music(path, 3000, crossfadeMs: 0));
        var (soft, _) = MixDown(Music(path, 3000));
        double step = NaturalStep(0.5 / 2, 440); // mono 0.5 is 0.354 peak per channel
        Assert.That(MaxJump(hard), Is.GreaterThan(0.3), "the fixture really clicks when looped hard");
        Assert.That(MaxJump(soft), Is.LessThan(step * 1.2), "crossfaded loop stays as smooth as the sine itself");
        // Constant power through each join: every 10 ms window keeps the tone's level.
        for (int at = 0; at + Ms(10) <= soft.Length; at += Ms(10))
            Assert.That(Db(Rms(soft.AsSpan(at, Ms(10)))), Is.EqualTo(Db(0.25)).Within(1.0), $"window at {at}");
    }

    [Test]
    public void A_seamless_loop_does_not_swell_at_the_join()
    {
        // Exactly 440 periods: head and tail are the same waveform (correlation 1), where a
        // plain equal-power crossfade would rise 3 dB; the correlation-aware one stays flat.
        var path = Sine(Path.Combine(_dir, "seamless.wav"), 440, 0.5, 1.0);
        var (l, _) = MixDown(Music(path, 2500));
        double peak = l.Max(Math.Abs);
        Assert.That(Db(peak), Is.EqualTo(Db(0.5 * Math.Sqrt(0.5))).Within(0.1));
    }

    [Test]
    public void The_loop_is_periodic_with_the_length_minus_the_crossfade()
    {
        var path = Sine(Path.Combine(_dir, "odd.wav"), 523, 0.4, 0.3);
        var (l, _) = MixDown(Music(path, 2000));
        int period = Ms(300) - Ms(50);
        // From the second pass on, every pass is the same crossfaded loop, sample for sample.
        for (int i = period; i + period < l.Length; i++)
            Assert.That(l[i + period], Is.EqualTo(l[i]), $"sample {i}");
    }

    [Test]
    public void A_clip_shorter_than_two_crossfades_loops_with_a_shorter_crossfade()
    {
        // 60 ms: under 2 x 50 ms, so it is held in memory and crossfaded over 30 ms.
        var path = Sine(Path.Combine(_dir, "tiny.wav"), 440, 0.5, 0.06);
        var (l, _) = MixDown(Music(path, 1000));
        int period = Ms(60) - Ms(30);
        for (int i = period; i + period < l.Length; i++)
            Assert.That(l[i + period], Is.EqualTo(l[i]), $"sample {i}");
        Assert.That(MaxJump(l), Is.LessThan(NaturalStep(0.25, 440) * 1.5));
        for (int at = 0; at + Ms(10) <= l.Length; at += Ms(10))
            Assert.That(Db(Rms(l.AsSpan(at, Ms(10)))), Is.EqualTo(Db(0.25)).Within(1.5), $"window at {at}");
    }

    [Test]
    public void Music_fades_in_at_the_start_and_out_to_silence_at_the_end()
    {
        var path = Sine(Path.Combine(_dir, "bed.wav"), 440, 0.5, 1.0);
        var mix = Music(path, 3000) with { MusicFadeInMs = 300, MusicFadeOutMs = 1000 };
        var (l, _) = MixDown(mix);
        Assert.That(l[0], Is.Zero);
        Assert.That(Rms(l.AsSpan(0, Ms(10))), Is.LessThan(0.01));
        Assert.That(Db(Rms(l.AsSpan(Ms(145), Ms(10)))), Is.EqualTo(Db(0.25 * 0.5)).Within(0.5), "half way through the fade-in (raised cosine)");
        Assert.That(Db(Rms(l.AsSpan(Ms(1000), Ms(500)))), Is.EqualTo(Db(0.25)).Within(0.1));
        Assert.That(Rms(l.AsSpan(l.Length - Ms(10))), Is.LessThan(0.005), "faded out by the end");
        Assert.That(MaxJump(l), Is.LessThan(NaturalStep(0.25, 440) * 1.05));
    }

    [Test]
    public void Music_ducks_by_DuckingDb_while_any_voice_plays_and_the_duck_is_ready_at_the_voice()
    {
        // A steady tone as music and silent voice clips, so only the duck changes the level.
        // Two overlapping clips, 1.0-1.6 s and 1.4-2.0 s: the music stays down throughout.
        var music = Sine(Path.Combine(_dir, "steady.wav"), 440, 0.5, 1.0);
        var voice = Silence(Path.Combine(_dir, "quiet.wav"), 0.6);
        var mix = Music(music, 3500) with
        {
            Voices = [new VoiceClip(0, voice, 1000), new VoiceClip(1, voice, 1400)],
            DuckingDb = -12,
            DuckAttackMs = 80,
            DuckReleaseMs = 300,
        };
        var (l, _) = MixDown(mix);
        double open = Db(Rms(l.AsSpan(Ms(200), Ms(600))));
        double ducked = Db(Rms(l.AsSpan(Ms(1000), Ms(1000))));
        TestContext.Out.WriteLine($"open {open:0.000} dB, ducked {ducked:0.000} dB");
        Assert.That(ducked - open, Is.EqualTo(-12).Within(0.1), "from the voice's first sample to its last");
        Assert.That(Db(Rms(l.AsSpan(Ms(850), Ms(60)))), Is.EqualTo(open).Within(0.1), "not yet ducking before the attack");
        Assert.That(Db(Rms(l.AsSpan(Ms(2400), Ms(500)))), Is.EqualTo(open).Within(0.1), "released after the last clip");
        Assert.That(MaxJump(l), Is.LessThan(NaturalStep(0.25, 440) * 1.05), "no click at either ramp");

        var unducked = MixDown(mix with { DuckMusicUnderVoice = false }).Left;
        Assert.That(Db(Rms(unducked.AsSpan(Ms(1000), Ms(1000)))), Is.EqualTo(open).Within(0.1), "DuckMusicUnderVoice=false leaves the music alone");
    }

    [Test]
    public void The_duck_measured_under_a_real_voice_matches_too()
    {
        // Music at 440 Hz, voice at 3 kHz: the music's own level is read by a single-bin DFT.
        var music = Sine(Path.Combine(_dir, "m440.wav"), 440, 0.5, 1.0);
        var voice = Sine(Path.Combine(_dir, "v3k.wav"), 3000, 0.5, 0.8);
        var mix = Music(music, 2500) with { Voices = [new VoiceClip(0, voice, 1000, Gain: 0.8)], DuckingDb = -9 };
        var (l, _) = MixDown(mix);
        double open = Db(ToneRms(l.AsSpan(Ms(300), Ms(500)), 440));
        double under = Db(ToneRms(l.AsSpan(Ms(1100), Ms(600)), 440));
        Assert.That(under - open, Is.EqualTo(-9).Within(0.2));
        Assert.That(Db(ToneRms(l.AsSpan(Ms(1100), Ms(600)), 3000)), Is.EqualTo(Db(0.5 * 0.8 / 2)).Within(0.2), "the voice itself at its gain");
    }
}
