using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>Real encodes through libx264/aac/mp4, probed back with the engine's own demuxer.</summary>
public class EncodeProbeRoundTripTests : TempDirTest
{
    [Test]
    public void A_rendered_story_probes_back_as_h264_and_aac_mp4()
    {
        var scene = TestSupport.Scene(TestSupport.SmallStory("360x640", duration: 1.5));
        var progress = new List<RenderProgress>();
        var result = RenderJob.Run(scene, Path.Combine(_dir, "story.mp4"), progress.Add);

        Assert.That(File.Exists(result.OutputPath));
        Assert.That(result.FileSize, Is.EqualTo(new FileInfo(result.OutputPath).Length));
        Assert.That(result.Frames, Is.EqualTo(45));
        var info = MediaProbe.Probe(result.OutputPath);
        var video = info.Streams.Single(s => s.Type == "video");
        var audio = info.Streams.Single(s => s.Type == "audio");
        Assert.Multiple(() =>
        {
            Assert.That(info.Container, Does.Contain("mp4"));
            Assert.That(video.Codec, Is.EqualTo("h264"));
            Assert.That((video.Width, video.Height), Is.EqualTo((360, 640)));
            Assert.That(video.Fps, Is.EqualTo(30));
            Assert.That(video.Frames, Is.EqualTo(45));
            Assert.That(video.PixelFormat, Is.EqualTo("yuv420p"));
            Assert.That(video.DurationSeconds, Is.EqualTo(1.5).Within(1.0 / 30));
            Assert.That(audio.Codec, Is.EqualTo("aac"));
            Assert.That(audio.SampleRate, Is.EqualTo(48000));
            Assert.That(audio.Channels, Is.EqualTo(2));
            Assert.That(audio.DurationSeconds, Is.EqualTo(1.5).Within(0.05));
            Assert.That(info.DurationSeconds, Is.EqualTo(1.5).Within(0.05));
        });
        Assert.That(progress.Select(p => p.Frame), Is.Ordered);
        Assert.That(progress[^1].Frame, Is.EqualTo(45));
        Assert.That(progress[^1].Percent, Is.EqualTo(100));
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EqualTo(new[] { "story.mp4" }), "no temp file left");
    }

    [Test]
    public void Faststart_puts_the_index_before_the_media_data()
    {
        var scene = TestSupport.Scene(TestSupport.SmallStory());
        var result = RenderJob.Run(scene, Path.Combine(_dir, "fs.mp4"));
        var bytes = File.ReadAllBytes(result.OutputPath);
        int moov = IndexOf(bytes, "moov"u8), mdat = IndexOf(bytes, "mdat"u8);
        Assert.That(moov, Is.GreaterThan(0).And.LessThan(mdat));
    }

    [TestCase("low", 28)]
    [TestCase("high", 20)]
    public void Quality_sets_the_crf_reported_in_the_result(string quality, int crf)
    {
        var scene = TestSupport.Scene(TestSupport.SmallStory().Replace("\"fps\": 30", $"\"fps\": 30, \"quality\": \"{quality}\""));
        Assert.That(scene.Encode.Crf, Is.EqualTo(crf));
        var json = ResultJson.Write(RenderJob.Run(scene, Path.Combine(_dir, quality + ".mp4")));
        Assert.That(json, Does.Contain($"\"crf\":{crf}"));
        Assert.That(json, Does.Contain("\"encoder\":\"libx264\""));
    }

    [TestCase("mp3", 22050, 1)]
    [TestCase("wav", 44100, 2)]
    [TestCase("ogg", 48000, 1)]
    [TestCase("flac", 32000, 2)]
    [TestCase("m4a", 44100, 2)]
    public void Background_music_in_any_format_is_resampled_and_heard(string ext, int rate, int channels)
    {
        var music = Path.Combine(_dir, "music." + ext);
        var codec = ext switch { "mp3" => "libmp3lame", "ogg" => "libvorbis", "m4a" => "aac", "flac" => "flac", _ => "pcm_s16le" };
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=0.7", "-ar", rate.ToString(), "-ac", channels.ToString(), "-c:a", codec, music);
        var scene = TestSupport.Scene(TestSupport.SmallStory(duration: 2,
            extra: $$""", "voiceAudioSettings": { "backgroundMusicUrl": "music.{{ext}}", "backgroundMusicVolume": 100, "masterVolume": 100 }"""), _dir);
        Assert.That(scene.Audio.MusicPath, Is.EqualTo(music));
        var result = RenderJob.Run(scene, Path.Combine(_dir, "out.mp4"));

        // Decode the output's audio with the engine's decoder: the 0.7 s clip loops, so both
        // ends of the 2 s video carry the tone (lavfi's sine has amplitude 1/8: RMS ~0.088, less
        // for mono upmixed to two channels), while silence measures below 1e-4.
        using var decoder = new AudioDecoder(result.OutputPath, 48000);
        var l = new float[48000 * 2];
        var r = new float[48000 * 2];
        int n = decoder.Read(l, r);
        Assert.That(n, Is.GreaterThan(48000 * 19 / 10));
        double rmsFirst = Rms(l.AsSpan(4800, 24000)), rmsLast = Rms(r.AsSpan(n - 30000, 24000));
        Assert.That(rmsFirst, Is.GreaterThan(0.03), "music audible at the start");
        Assert.That(rmsLast, Is.GreaterThan(0.03), "music looped to the end");
    }

    [Test]
    public void Without_music_the_audio_track_is_present_and_silent()
    {
        var scene = TestSupport.Scene(TestSupport.SmallStory());
        var result = RenderJob.Run(scene, Path.Combine(_dir, "silent.mp4"));
        using var decoder = new AudioDecoder(result.OutputPath, 48000);
        var l = new float[48000];
        var r = new float[48000];
        int n = decoder.Read(l, r);
        Assert.That(n, Is.GreaterThan(40000));
        Assert.That(Rms(l.AsSpan(0, n)), Is.LessThan(1e-4));
    }

    [Test]
    public void Music_volume_scales_the_mix_and_normalisation_brings_the_output_to_the_target()
    {
        var music = Path.Combine(_dir, "m.wav");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-ar", "48000", music);
        RenderResult Render(int volume)
        {
            using var scene = TestSupport.Scene(TestSupport.SmallStory(duration: 3,
                extra: $$""", "voiceAudioSettings": { "backgroundMusicUrl": "m.wav", "backgroundMusicVolume": {{volume}}, "masterVolume": 100 }"""), _dir);
            return RenderJob.Run(scene, Path.Combine(_dir, $"v{volume}.mp4"));
        }
        var full = Render(100).Audio!;
        var quarter = Render(25).Audio!;
        // Before normalisation the mix follows the volume: 25 % is -12.04 dB.
        Assert.That(quarter.SourceLufs!.Value - full.SourceLufs!.Value, Is.EqualTo(20 * Math.Log10(0.25)).Within(0.3));
        // After it, both reach the default -14 LUFS target.
        Assert.That(full.IntegratedLufs, Is.EqualTo(-14).Within(1));
        Assert.That(quarter.IntegratedLufs, Is.EqualTo(-14).Within(1));
        Assert.That(full.TruePeakDbtp, Is.LessThanOrEqualTo(-1 - SceneBuilder.CodecPeakHeadroomDb + 0.01));
    }

    private static double Rms(ReadOnlySpan<float> s)
    {
        double sum = 0;
        foreach (var v in s) sum += v * v;
        return Math.Sqrt(sum / Math.Max(1, s.Length));
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
