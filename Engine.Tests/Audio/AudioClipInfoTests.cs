using NUnit.Framework;
using ReelSpeed.Engine.Audio;
using static ReelSpeed.Engine.Tests.Audio.AudioFixtures;

namespace ReelSpeed.Engine.Tests.Audio;

/// <summary>Voice clip durations for the timeline, and their coded errors.</summary>
public class AudioClipInfoTests
{
    private string _dir = "";

    [OneTimeSetUp]
    public void CreateDir() => _dir = TestSupport.TempDir();

    [OneTimeTearDown]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    [TestCase("wav", 48000, 1.25, 1e-9, "pcm_s16le")]
    [TestCase("wav", 44100, 1.0, 1.0 / 48000, "pcm_s16le")]
    [TestCase("flac", 22050, 0.75, 1.0 / 22050, "flac")]  // 16537.5 source samples: ffmpeg writes one more
    [TestCase("mp3", 44100, 1.5, 0.03, "libmp3lame")]   // MP3 frames are 1152 samples
    [TestCase("m4a", 48000, 0.9, 0.03, "aac")]          // AAC frames are 1024 samples
    [TestCase("opus", 48000, 0.6, 0.03, "libopus")]
    public void The_duration_is_the_decoded_length(string ext, int rate, double seconds, double tolerance, string codec)
    {
        var path = Eval(Path.Combine(_dir, $"clip-{rate}-{seconds}.{ext}"), "0.3*sin(2*PI*500*t)", seconds, rate, 1, "-c:a", codec);
        Assert.That(AudioClipInfo.DurationSeconds(path, "messages[0].audioUrl"), Is.EqualTo(seconds).Within(tolerance));
    }

    [Test]
    public void A_missing_clip_is_input_not_found_naming_the_field()
    {
        var e = Assert.Throws<EngineException>(() => AudioClipInfo.DurationSeconds(Path.Combine(_dir, "gone.mp3"), "messages[4].audioUrl"))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InputNotFound));
        Assert.That(e.Message, Does.StartWith("messages[4].audioUrl: ").And.Contain("gone.mp3"));
        e = Assert.Throws<EngineException>(() => AudioClipInfo.DurationSeconds("", "messages[1].audioUrl"))!;
        Assert.That((e.Code, e.Message.StartsWith("messages[1].audioUrl: ")), Is.EqualTo((ErrorCodes.InputNotFound, true)));
    }

    [Test]
    public void Files_that_are_not_audio_are_unsupported_media_naming_the_field()
    {
        var text = Path.Combine(_dir, "text.mp3");
        File.WriteAllText(text, "not audio at all, only words that happen to sit in a file called .mp3");
        var empty = Path.Combine(_dir, "empty.wav");
        File.WriteAllBytes(empty, []);
        var video = Path.Combine(_dir, "silent-video.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=black:s=64x64:d=0.2", "-c:v", "libx264", "-pix_fmt", "yuv420p", video);
        foreach (var path in new[] { text, empty, video, _dir })
        {
            var e = Assert.Throws<EngineException>(() => AudioClipInfo.DurationSeconds(path, "messages[2].audioUrl"), path)!;
            Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia).Or.EqualTo(ErrorCodes.Decode), path);
            Assert.That(e.Message, Does.StartWith("messages[2].audioUrl: "), path);
        }
    }

    [Test]
    public void A_truncated_clip_reports_what_it_holds()
    {
        var full = Eval(Path.Combine(_dir, "full.wav"), "0.3*sin(2*PI*500*t)", 2, codec: ["-c:a", "pcm_s16le"]);
        var bytes = File.ReadAllBytes(full);
        var cut = Path.Combine(_dir, "cut.wav");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]); // header still claims 2 s
        Assert.That(AudioClipInfo.DurationSeconds(cut, "messages[0].audioUrl"), Is.EqualTo(1.0).Within(0.01));
    }
}
