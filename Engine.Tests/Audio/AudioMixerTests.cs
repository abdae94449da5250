using NUnit.Framework;
using ReelSpeed.Engine.Audio;
using static ReelSpeed.Engine.Tests.Audio.AudioFixtures;

namespace ReelSpeed.Engine.Tests.Audio;

/// <summary>The mixer's timing, inputs, pops, resource bounds and errors.</summary>
public class AudioMixerTests
{
    private string _dir = "";
    private string _click48 = "", _click44 = "", _tone = "";

    [OneTimeSetUp]
    public void CreateFixtures()
    {
        _dir = TestSupport.TempDir();
        // A clip whose first sample is a sharp click and whose other samples are silent.
        _click48 = Eval(Path.Combine(_dir, "click48.wav"), "0.9*eq(n\\,0)", 0.2, codec: ["-c:a", "pcm_f32le"]);
        _click44 = Eval(Path.Combine(_dir, "click44.wav"), "0.9*eq(n\\,0)", 0.2, rate: 44100, codec: ["-c:a", "pcm_f32le"]);
        _tone = Sine(Path.Combine(_dir, "tone.wav"), 1000, 0.25, 0.1);
    }

    [OneTimeTearDown]
    public void DeleteFixtures() => Directory.Delete(_dir, recursive: true);

    private static readonly double[] s_starts = [250.0, 1234.567, 2000.01];

    private AudioMix Clicks(string clip) => new()
    {
        DurationMs = 2500,
        Voices = s_starts.Select((ms, i) => new VoiceClip(i, clip, ms)).ToList(),
    };

    [TestCase(1024, false)]
    [TestCase(333, false)]
    [TestCase(1, false)]
    [TestCase(1024, true)]
    public void A_clip_starts_at_exactly_round_StartMs_times_48(int block, bool limited)
    {
        // With the limiter the mix runs ahead by its latency internally; positions must not move.
        var analysis = limited ? new AudioAnalysis(-20, -3, 0) : null;
        var (l, _) = MixDown(Clicks(_click48), analysis, block);
        var found = Enumerable.Range(0, l.Length).Where(i => Math.Abs(l[i]) > 0.1).ToArray();
        long[] expected = [12000, 59259, 96000]; // 1234.567 * 48 = 59259.22; 2000.01 * 48 = 96000.48
        Assert.That(found, Is.EqualTo(expected));
        Assert.That(l[12000], Is.EqualTo(0.9f * MathF.Sqrt(0.5f)).Within(1e-4), "a mono clip is spread over both channels at -3 dB");
    }

    [Test]
    public void A_resampled_click_peaks_within_one_sample_of_its_start()
    {
        var (l, _) = MixDown(Clicks(_click44));
        foreach (var ms in s_starts)
        {
            long at = AudioMix.ToSamples(ms);
            int peak = Enumerable.Range((int)at - 200, 400).MaxBy(i => Math.Abs(l[i]));
            Assert.That(peak, Is.EqualTo(at).Within(1), $"clip at {ms} ms");
        }
    }

    [Test]
    public void The_output_does_not_depend_on_the_block_size()
    {
        var music = Sine(Path.Combine(_dir, "loopme.wav"), 330, 0.3, 0.4);
        var mix = new AudioMix
        {
            DurationMs = 2000,
            Voices = [new VoiceClip(0, _tone, 300), new VoiceClip(1, _click44, 900.5), new VoiceClip(2, _tone, 950)],
            MusicPath = music,
            MusicFadeInMs = 200,
            MusicFadeOutMs = 500,
            PopTimesMs = [100, 1000.3, 1010],
        };
        var analysis = new AudioAnalysis(-20, 0, 12); // +12 dB: the limiter has work to do
        var (a, ar) = MixDown(mix, analysis, 1024);
        foreach (int block in new[] { 1, 333, 4800 })
        {
            var (b, br) = MixDown(mix, analysis, block);
            Assert.That(b, Is.EqualTo(a), $"left, block {block}");
            Assert.That(br, Is.EqualTo(ar), $"right, block {block}");
        }
    }

    private static IEnumerable<TestCaseData> Formats()
    {
        (string Ext, string[] Codec)[] formats =
        [
            ("wav", ["-c:a", "pcm_s16le"]),
            ("mp3", ["-c:a", "libmp3lame", "-b:a", "128k"]),
            ("m4a", ["-c:a", "aac", "-b:a", "128k"]),
            ("opus", ["-c:a", "libopus", "-b:a", "96k"]), // Opus codes at 48 kHz (or 24 kHz); ffmpeg resamples its input
            ("ogg", ["-c:a", "libvorbis", "-q:a", "5"]),
            ("flac", ["-c:a", "flac"]),
        ];
        foreach (var (ext, codec) in formats)
        foreach (int channels in new[] { 1, 2 })
        foreach (int rate in new[] { 22050, 44100, 48000 })
            yield return new TestCaseData(ext, codec, channels, rate).SetArgDisplayNames(ext, channels == 1 ? "mono" : "stereo", rate.ToString());
    }

    [TestCaseSource(nameof(Formats))]
    public void Every_input_format_is_decoded_resampled_and_mixed_at_its_level(string ext, string[] codec, int channels, int rate)
    {
        var path = Path.Combine(_dir, $"voice-{channels}-{rate}.{ext}");
        Eval(path, "0.25*sin(2*PI*1000*t)", 0.5, rate, channels, codec);
        var (l, r) = MixDown(new AudioMix { DurationMs = 800, Voices = [new VoiceClip(0, path, 100)] });
        // A 0.25 sine is 0.177 RMS; a mono clip is upmixed at -3 dB per channel (loudness kept).
        double expected = 0.25 / Math.Sqrt(2) * (channels == 1 ? Math.Sqrt(0.5) : 1);
        var middle = (Ms(200), Ms(300));
        Assert.That(Db(Rms(l.AsSpan(middle.Item1, middle.Item2))), Is.EqualTo(Db(expected)).Within(0.5), "left");
        Assert.That(Db(Rms(r.AsSpan(middle.Item1, middle.Item2))), Is.EqualTo(Db(expected)).Within(0.5), "right");
        Assert.That(Rms(l.AsSpan(0, Ms(90))), Is.LessThan(1e-3), "silent before the clip");
        Assert.That(Rms(l.AsSpan(Ms(700), Ms(100))), Is.LessThan(1e-3), "silent after the clip");
    }

    [Test]
    public void The_engine_pop_sounds_at_each_time_and_nowhere_else()
    {
        double[] times = [500, 1234.5];
        var mix = new AudioMix { DurationMs = 2000, PopTimesMs = times, PopGain = 0.5 };
        var (l, r) = MixDown(mix);
        var (again, _) = MixDown(mix);
        Assert.That(again, Is.EqualTo(l), "the synthesised pop is deterministic");
        Assert.That(r, Is.EqualTo(l), "centred");
        int len = Ms(PopSound.DurationMs);
        var outside = new bool[l.Length];
        foreach (var t in times)
        {
            int at = (int)AudioMix.ToSamples(t);
            var pop = l.AsSpan(at, len);
            double peak = pop.ToArray().Max(Math.Abs);
            Assert.That(peak, Is.EqualTo(0.5 * 0.45).Within(0.03), $"pop at {t} ms, PopGain 0.5");
            Assert.That(Math.Abs(l[at - 1]), Is.Zero);
            Assert.That(pop[..12].ToArray().Max(Math.Abs), Is.LessThan(peak / 4), "a 1 ms onset, not a click");
            for (int i = at; i < at + len; i++) outside[i] = true;
        }
        for (int i = 0; i < l.Length; i++)
            if (!outside[i]) Assert.That(l[i], Is.Zero, $"sample {i}");
    }

    [Test]
    public void A_pop_file_is_mixed_at_each_time_and_capped_at_two_seconds()
    {
        var pop = Sine(Path.Combine(_dir, "longpop.wav"), 2000, 0.4, 3, channels: 2);
        var (l, _) = MixDown(new AudioMix { DurationMs = 6000, PopTimesMs = [250], PopSoundPath = pop, PopGain = 0.5 });
        Assert.That(Rms(l.AsSpan(Ms(300), Ms(1000))), Is.EqualTo(0.4 * 0.5 / Math.Sqrt(2)).Within(0.005));
        Assert.That(l.AsSpan(0, Ms(250)).ToArray().All(v => v == 0));
        Assert.That(l.AsSpan(Ms(250 + PopTrack.MaxFileMs)).ToArray().All(v => v == 0), "cut at 2 s");
        Assert.That(MaxJump(l), Is.LessThan(0.2 * 2 * Math.PI * 2000 / Rate * 1.1), "the cut is faded, not clicked");
    }

    [Test]
    public void Two_hundred_clips_never_hold_more_than_the_overlapping_decoders_open()
    {
        var clip = Sine(Path.Combine(_dir, "short.wav"), 700, 0.3, 0.1);
        var voices = Enumerable.Range(0, 200).Select(i => new VoiceClip(i, clip, 50 + i * 150.0)).ToList();
        var mix = new AudioMix { DurationMs = 30_200, Voices = voices };
        using var mixer = new AudioMixer(mix);
        var l = new float[mix.TotalSamples];
        var r = new float[mix.TotalSamples];
        int maxOpen = 0;
        for (int pos = 0; pos < l.Length; pos += 1024)
        {
            int n = Math.Min(1024, l.Length - pos);
            mixer.Fill(l.AsSpan(pos, n), r.AsSpan(pos, n));
            maxOpen = Math.Max(maxOpen, mixer.OpenVoiceDecoders);
        }
        Assert.That(maxOpen, Is.EqualTo(1), "clips that do not overlap are never open together");
        Assert.That(mixer.OpenVoiceDecoders, Is.Zero, "every clip closed after it ended");
        for (int i = 0; i < 200; i++)
        {
            int at = Ms(50 + i * 150.0);
            Assert.That(Rms(l.AsSpan(at, Ms(100))), Is.EqualTo(0.3 / 2).Within(0.005), $"clip {i} heard");
            Assert.That(Rms(l.AsSpan(at + Ms(100), Ms(50))), Is.Zero, $"silence after clip {i}");
        }
    }

    [Test]
    public void Fill_allocates_nothing_in_steady_state()
    {
        var music = Sine(Path.Combine(_dir, "bed.wav"), 220, 0.2, 0.3, channels: 2); // loops every ~0.25 s
        var voice = Sine(Path.Combine(_dir, "long-voice.wav"), 900, 0.3, 4);
        var mix = new AudioMix
        {
            DurationMs = 5000,
            Voices = [new VoiceClip(0, voice, 0)],
            MusicPath = music,
            PopTimesMs = Enumerable.Range(0, 40).Select(i => i * 111.0).ToList(),
        };
        using var mixer = new AudioMixer(mix, new AudioAnalysis(-20, -3, 10));
        var l = new float[1024];
        var r = new float[1024];
        for (int i = 0; i < 30; i++) mixer.Fill(l, r); // warm-up: JIT, first decode, voice opened
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 150; i++) mixer.Fill(l, r); // 3.2 s: a dozen music loops, ducking, pops, limiter
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void A_missing_voice_fails_up_front_naming_its_message()
    {
        var mix = new AudioMix { DurationMs = 1000, Voices = [new VoiceClip(0, _tone, 0), new VoiceClip(3, Path.Combine(_dir, "nope.mp3"), 500)] };
        var e = Assert.Throws<EngineException>(() => new AudioMixer(mix).Dispose())!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InputNotFound));
        Assert.That(e.Message, Does.Contain("messages[3]").And.Contain("nope.mp3"));
    }

    [Test]
    public void A_corrupt_voice_is_a_coded_error_naming_its_message()
    {
        var bad = Path.Combine(_dir, "bad.mp3");
        File.WriteAllText(bad, "this is text, not an mp3 file, however it is named");
        var mix = new AudioMix { DurationMs = 1000, Voices = [new VoiceClip(5, bad, 100)] };
        var e = Assert.Throws<EngineException>(() => MixDown(mix))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia).Or.EqualTo(ErrorCodes.Decode));
        Assert.That(e.Message, Does.Contain("messages[5]").And.Contain("bad.mp3"));
    }

    [Test]
    public void Missing_music_or_pop_files_are_coded_errors_naming_them()
    {
        var e = Assert.Throws<EngineException>(() => new AudioMixer(new AudioMix { DurationMs = 100, MusicPath = Path.Combine(_dir, "m.mp3") }))!;
        Assert.That((e.Code, e.Message.StartsWith("music:")), Is.EqualTo((ErrorCodes.InputNotFound, true)));
        e = Assert.Throws<EngineException>(() => new AudioMixer(new AudioMix { DurationMs = 100, PopTimesMs = [0], PopSoundPath = Path.Combine(_dir, "p.wav") }))!;
        Assert.That((e.Code, e.Message.StartsWith("pop sound:")), Is.EqualTo((ErrorCodes.InputNotFound, true)));
    }

    [Test]
    public void Out_of_range_numbers_are_rejected_naming_the_member()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AudioMixer(new AudioMix { DurationMs = 100, Voices = [new VoiceClip(0, _tone, -5)] }))!;
        Assert.That(e.ParamName, Is.EqualTo("Voices[0].StartMs"));
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new AudioMixer(new AudioMix { DurationMs = double.NaN }))!;
        Assert.That(e.ParamName, Is.EqualTo("DurationMs"));
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new AudioMixer(new AudioMix { DurationMs = 100, LoopCrossfadeMs = 1e9 }))!;
        Assert.That(e.ParamName, Is.EqualTo("LoopCrossfadeMs"));
    }

    [Test]
    public void A_disabled_mix_is_silent_whatever_it_lists()
    {
        var (l, r) = MixDown(new AudioMix { Enabled = false, DurationMs = 500, Voices = [new VoiceClip(0, _tone, 0)], PopTimesMs = [0] });
        Assert.That(l.Concat(r).All(v => v == 0));
    }
}
