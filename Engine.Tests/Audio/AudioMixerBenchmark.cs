using System.Diagnostics;
using NUnit.Framework;
using ReelSpeed.Engine.Audio;
using static ReelSpeed.Engine.Tests.Audio.AudioFixtures;

namespace ReelSpeed.Engine.Tests.Audio;

/// <summary>
/// Cost of the audio path per second of soundtrack, for a one-minute story: MP3 music looped
/// and ducked under 30 MP3 voice lines, a pop per line. A measurement, not an assertion: run it
/// with <c>dotnet test -c Release --filter "FullyQualifiedName~AudioMixerBenchmark"</c>.
/// </summary>
[Explicit("measurement; takes ~5 s on 2 cores")]
public class AudioMixerBenchmark
{
    [Test]
    public void Cost_per_second_of_audio()
    {
        var dir = TestSupport.TempDir();
        try
        {
            var music = Path.Combine(dir, "music.mp3");
            TestSupport.Ffmpeg("-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.2:seed=1:d=20:r=44100", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "192k", music);
            var voice = Eval(Path.Combine(dir, "voice.mp3"), "0.4*sin(2*PI*180*t)*sin(2*PI*3*t)", 1.5, 24000, 1, "-c:a", "libmp3lame", "-b:a", "64k");
            const double seconds = 60;
            var starts = Enumerable.Range(0, 30).Select(i => 500 + i * 1900.0).ToList();
            var mix = new AudioMix
            {
                DurationMs = seconds * 1000,
                MusicPath = music,
                MusicGain = 0.4,
                Voices = starts.Select((s, i) => new VoiceClip(i, voice, s)).ToList(),
                PopTimesMs = starts,
            };

            AudioClipInfo.DurationSeconds(voice, "bench");
            Time(() => AudioClipInfo.DurationSeconds(voice, "bench"), out double clipMs);

            Time(() => AudioFixtures.MixDown(mix), out double raw);
            AudioAnalysis analysis = null!;
            Time(() => analysis = AudioMixer.Analyze(mix), out double analyze);
            Time(() => AudioFixtures.MixDown(mix, analysis), out double normalised);
            var (l, r) = AudioFixtures.MixDown(mix);
            Time(() =>
            {
                var m = new LoudnessMeter();
                var p = new TruePeakMeter();
                m.Process(l, r);
                p.Process(l, r);
            }, out double meters);

            TestContext.Out.WriteLine($"{analysis}");
            TestContext.Out.WriteLine($"per second of audio ({Environment.ProcessorCount} cores): mix {raw / seconds:0.00} ms, " +
                $"analyse {analyze / seconds:0.00} ms, normalised mix + limiter {normalised / seconds:0.00} ms, meters alone {meters / seconds:0.00} ms");
            TestContext.Out.WriteLine($"AudioClipInfo.DurationSeconds on a 1.5 s MP3: {clipMs:0.00} ms");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Best of three runs: the machine is shared, and the minimum is the cost without interference.</summary>
    private static void Time(Action action, out double ms)
    {
        ms = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            ms = Math.Min(ms, sw.Elapsed.TotalMilliseconds);
        }
    }
}
