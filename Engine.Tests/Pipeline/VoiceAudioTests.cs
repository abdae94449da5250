using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Scenes;
using ReelSpeed.Engine.Api;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>Voiced stories rendered and decoded back: sync, ducking, loudness, formats, errors.</summary>
public class VoiceAudioTests : TempDirTest
{
    /// <summary>A voice clip that begins with a sharp 2 ms click, then a quiet 300 Hz tone.</summary>
    private string ClickClip(string name = "click.wav", double seconds = 0.8, int rate = 44100)
    {
        var path = Path.Combine(_dir, name);
        TestSupport.Ffmpeg("-f", "lavfi", "-i", $"aevalsrc='if(lt(t,0.002),0.9,0.05*sin(2*PI*300*t))':s={rate}:d={seconds.ToString(CultureInfo.InvariantCulture)}", "-ac", "1", path);
        return path;
    }

    private static (float[] Left, int Count) DecodeAudio(string file, int seconds)
    {
        using var d = new AudioDecoder(file, 48000);
        var l = new float[48000 * seconds];
        var r = new float[48000 * seconds];
        int n = d.Read(l, r);
        return (l, n);
    }

    /// <summary>The first sample after <paramref name="fromMs"/> whose level exceeds half the window's peak (the click's onset), in ms.</summary>
    private static double Onset(float[] pcm, int count, double fromMs, double toMs)
    {
        int a = (int)Math.Max(0, fromMs * 48), b = (int)Math.Min(count, toMs * 48);
        float peak = 0;
        for (int i = a; i < b; i++) peak = Math.Max(peak, Math.Abs(pcm[i]));
        for (int i = a; i < b; i++)
            if (Math.Abs(pcm[i]) >= peak * 0.5f) return i / 48.0;
        return double.NaN;
    }

    private static string Story(int messages, string resolution, double delayMs, string extraAudio = "", string messageExtra = "") =>
        $$"""
        { "videoSettings": { "resolution": "{{resolution}}", "fps": 30 },
          "animationSettings": { "messageAnimationType": "none", "baseDelay": 500, "messageDelay": {{delayMs.ToString(CultureInfo.InvariantCulture)}} },
          "voiceAudioSettings": { "enableAudio": true {{extraAudio}} },
          "messages": [ {{string.Join(",", Enumerable.Range(0, messages).Select(i => $"{{\"text\": \"line {i}\", \"sender\": \"{(i % 2 == 0 ? "them" : "me")}\", \"audioUrl\": \"click.wav\"{messageExtra}}}"))}} ] }
        """;

    /// <summary>Each click's onset in the output is within a frame of its bubble's first frame; returns the worst offset in ms.</summary>
    private double AssertInSync(RenderResult result, int seconds)
    {
        var (pcm, n) = DecodeAudio(result.OutputPath, seconds);
        var scene = result.Scene;
        double worst = 0;
        foreach (var t in scene.Chat!.Timeline)
        {
            if (t.StartMs >= scene.DurationMs - 100) continue;
            double onset = Onset(pcm, n, t.StartMs - 150, t.StartMs + 150);
            // The bubble is first drawn on the first frame at or after its start.
            double bubbleFrameMs = Math.Ceiling(t.StartMs * scene.Fps / 1000 - 1e-9) * 1000 / scene.Fps;
            double offset = onset - bubbleFrameMs;
            worst = Math.Max(worst, Math.Abs(offset));
            Assert.That(Math.Abs(offset), Is.LessThanOrEqualTo(1000.0 / scene.Fps), $"message {t.Index}: click at {onset:0.0} ms, bubble at {bubbleFrameMs:0.0} ms");
            Assert.That(Math.Abs(onset - t.StartMs), Is.LessThanOrEqualTo(2), $"message {t.Index}: the clip starts where the timeline says");
        }
        return worst;
    }

    [Test]
    public void Voice_clips_start_with_their_bubbles_and_their_length_drives_the_timeline()
    {
        ClickClip();
        using var scene = EngineApi.CompileScene(Story(6, "360x640", 400), _dir);
        Assert.That(scene.Chat!.Timeline.Select(t => t.Source), Is.All.EqualTo(HoldSource.AudioClip));
        Assert.That(scene.Chat!.Timeline[1].StartMs - scene.Chat!.Timeline[0].StartMs, Is.EqualTo(800 + 400).Within(1), "clip length + messageDelay");
        var result = RenderJob.Run(scene, Path.Combine(_dir, "sync.mp4"));
        double worst = AssertInSync(result, 12);
        TestContext.Out.WriteLine($"worst A/V offset (6 messages): {worst:0.0} ms");
    }

    [Test]
    public void A_ten_minute_story_stays_in_sync_to_the_end()
    {
        ClickClip();
        // 121 messages × (0.8 s clip + 4.2 s delay) ≈ 603 s.
        using var scene = EngineApi.CompileScene(Story(121, "160x284", 4200), _dir);
        Assert.That(scene.DurationMs, Is.GreaterThan(600_000));
        var sw = Stopwatch.StartNew();
        var result = RenderJob.Run(scene, Path.Combine(_dir, "long.mp4"));
        double worst = AssertInSync(result, 610);
        TestContext.Out.WriteLine($"10-minute render: {sw.Elapsed.TotalSeconds:0.0} s, worst A/V offset {worst:0.0} ms");
        var info = MediaProbe.Probe(result.OutputPath);
        Assert.That(info.Streams.Single(s => s.Type == "audio").DurationSeconds,
            Is.EqualTo(info.Streams.Single(s => s.Type == "video").DurationSeconds).Within(0.05), "tracks end together");
    }

    [Test]
    public void Music_is_ducked_under_voices_by_the_configured_amount()
    {
        var silence = Path.Combine(_dir, "click.wav");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "1.5", silence);
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:duration=4", "-ar", "48000", Path.Combine(_dir, "music.wav"));
        using var scene = EngineApi.CompileScene(Story(2, "160x284", 2000,
            extraAudio: """, "backgroundMusicUrl": "music.wav", "backgroundMusicVolume": 50, "duckingDb": -12"""), _dir);
        var result = RenderJob.Run(scene, Path.Combine(_dir, "duck.mp4"));
        var (pcm, n) = DecodeAudio(result.OutputPath, 8);
        double Db(double fromMs, double toMs)
        {
            double sum = 0;
            int a = (int)(fromMs * 48), b = (int)(toMs * 48);
            for (int i = a; i < b; i++) sum += pcm[i] * pcm[i];
            return 10 * Math.Log10(sum / (b - a));
        }
        var t0 = scene.Chat!.Timeline[0];
        double during = Db(t0.StartMs + 500, t0.EndMs - 200);   // voice 0 plays (silent clip): music ducked
        double between = Db(t0.EndMs + 800, t0.EndMs + 1600);  // after the release, before voice 1
        Assert.That(during - between, Is.EqualTo(-12).Within(1), $"during {during:0.00} dB, between {between:0.00} dB");
    }

    /// <summary>Pink-noise music (several seeds: AAC's overshoot depends on the content) with clicks and pops.</summary>
    [TestCase(1)]
    [TestCase(7)]
    [TestCase(13)]
    [TestCase(42)]
    public void The_output_meets_the_loudness_target_and_true_peak_ceiling(int seed)
    {
        ClickClip();
        TestSupport.Ffmpeg("-f", "lavfi", "-i", $"anoisesrc=d=6:c=pink:a=0.3:seed={seed}", "-ar", "44100", Path.Combine(_dir, "music.mp3"));
        using var scene = EngineApi.CompileScene(Story(4, "160x284", 600,
            extraAudio: """, "backgroundMusicUrl": "music.mp3", "backgroundMusicVolume": 60, "loudnessTarget": -16, "messageSoundEffect": "pop" """), _dir);
        var result = RenderJob.Run(scene, Path.Combine(_dir, "loud.mp4"));
        Assert.That(result.Audio!.IntegratedLufs, Is.EqualTo(-16).Within(0.5), "measured on the PCM going into the encoder");
        Assert.That(result.Audio.TruePeakDbtp, Is.LessThanOrEqualTo(-1 - SceneBuilder.CodecPeakHeadroomDb + 0.01), "the limiter keeps codec headroom");
        // And measured independently on the decoded AAC by ffmpeg's ebur128.
        var (lufs, peak) = Ebur128(result.OutputPath);
        Assert.That(lufs, Is.EqualTo(-16).Within(1), "integrated loudness of the file");
        Assert.That(peak, Is.LessThanOrEqualTo(-1.0), $"true peak of the decoded AAC stays under the -1 dBTP ceiling: {peak} dBTP");
        TestContext.Out.WriteLine($"output: {lufs} LUFS, {peak} dBTP (engine: {result.Audio.IntegratedLufs:0.00} LUFS, {result.Audio.TruePeakDbtp:0.00} dBTP)");
    }

    private static (double Lufs, double PeakDbtp) Ebur128(string file)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-hide_banner", "-nostats", "-i", file, "-map", "0:a", "-af", "ebur128=peak=true", "-f", "null", "-" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var summary = err[err.LastIndexOf("Summary:", StringComparison.Ordinal)..];
        double lufs = double.Parse(Regex.Match(summary, @"I:\s+(-?[\d.]+) LUFS").Groups[1].Value, CultureInfo.InvariantCulture);
        double peak = double.Parse(Regex.Match(summary, @"Peak:\s+(-?[\d.]+) dBFS").Groups[1].Value, CultureInfo.InvariantCulture);
        return (lufs, peak);
    }

    [Test]
    public void The_engine_pop_sounds_when_each_bubble_appears()
    {
        var silence = Path.Combine(_dir, "click.wav");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "0.5", silence);
        using var scene = EngineApi.CompileScene(Story(3, "160x284", 700, extraAudio: """, "messageSoundEffect": "pop" """), _dir);
        Assert.That(scene.Audio.Mix.PopTimesMs, Is.EqualTo(scene.Chat!.Timeline.Select(t => t.StartMs)));
        var result = RenderJob.Run(scene, Path.Combine(_dir, "pop.mp4"));
        var (pcm, n) = DecodeAudio(result.OutputPath, 6);
        foreach (var t in scene.Chat!.Timeline)
        {
            double onset = Onset(pcm, n, t.StartMs - 150, t.StartMs + 150);
            Assert.That(onset - t.StartMs, Is.InRange(-2, 20), $"pop of message {t.Index}");
        }
    }

    [Test]
    public void Disabled_audio_is_a_silent_track_even_with_voices()
    {
        ClickClip();
        using var scene = EngineApi.CompileScene(Story(2, "160x284", 300).Replace("\"enableAudio\": true", "\"enableAudio\": false"), _dir);
        var result = RenderJob.Run(scene, Path.Combine(_dir, "mute.mp4"));
        var (pcm, n) = DecodeAudio(result.OutputPath, 5);
        Assert.That(pcm.Take(n).Max(Math.Abs), Is.LessThan(1e-4f));
        Assert.That(result.Audio!.GainDb, Is.Null);
    }

    [Test]
    public void A_missing_or_corrupt_clip_names_its_message()
    {
        var missing = Assert.Throws<EngineException>(() => EngineApi.CompileScene(Story(1, "160x284", 300), _dir))!;
        Assert.That(missing.Code, Is.EqualTo(ErrorCodes.InputNotFound));
        Assert.That(missing.Message, Does.Contain("messages[0].audioUrl"));
        File.WriteAllText(Path.Combine(_dir, "click.wav"), "RIFF but not really a wave file at all");
        var corrupt = Assert.Throws<EngineException>(() => EngineApi.CompileScene(Story(1, "160x284", 300), _dir))!;
        Assert.That(corrupt.Code, Is.AnyOf(ErrorCodes.UnsupportedMedia, ErrorCodes.Decode));
        Assert.That(corrupt.Message, Does.Contain("messages[0].audioUrl"));
    }

    [TestCase("mp3", 22050, 1)]
    [TestCase("m4a", 44100, 2)]
    [TestCase("ogg", 48000, 2)]
    [TestCase("opus", 48000, 1)]
    [TestCase("flac", 44100, 1)]
    public void Voice_clips_in_any_format_and_rate_start_in_sync(string ext, int rate, int channels)
    {
        var wav = ClickClip("src.wav", 0.8, 48000);
        var codec = ext switch { "mp3" => "libmp3lame", "ogg" => "libvorbis", "m4a" => "aac", "opus" => "libopus", _ => "flac" };
        TestSupport.Ffmpeg("-i", wav, "-ar", rate.ToString(CultureInfo.InvariantCulture), "-ac", channels.ToString(CultureInfo.InvariantCulture), "-c:a", codec, Path.Combine(_dir, "voice." + ext));
        using var scene = EngineApi.CompileScene(Story(2, "160x284", 400).Replace("click.wav", "voice." + ext), _dir);
        var result = RenderJob.Run(scene, Path.Combine(_dir, ext + ".mp4"));
        var (pcm, n) = DecodeAudio(result.OutputPath, 5);
        foreach (var t in scene.Chat!.Timeline)
        {
            double onset = Onset(pcm, n, t.StartMs - 150, t.StartMs + 150);
            // Lossy codecs carry their own encoder delay/padding; the click must still land within a frame.
            Assert.That(Math.Abs(onset - t.StartMs), Is.LessThanOrEqualTo(33), $"{ext}: message {t.Index} click at {onset:0.0} ms, expected {t.StartMs} ms");
        }
    }
}
