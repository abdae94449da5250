using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Api;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>Bad inputs fail with a coded error and never leave an output or temp file behind.</summary>
public class FailureTests : TempDirTest
{
    private void AssertFolderEmpty() => Assert.That(Directory.GetFileSystemEntries(_dir), Is.Empty);

    [Test]
    public void Music_that_is_not_audio_fails_with_unsupported_media_and_leaves_nothing()
    {
        File.WriteAllText(Path.Combine(_dir, "music.mp3"), "definitely not an mp3 file, just some text");
        var scene = TestSupport.Scene(TestSupport.SmallStory(extra: """, "voiceAudioSettings": { "backgroundMusicUrl": "music.mp3" }"""), _dir);
        var e = Assert.Throws<EngineException>(() => RenderJob.Run(scene, Path.Combine(_dir, "out.mp4")))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
        Assert.That(e.Message, Does.Contain("music.mp3"));
        File.Delete(Path.Combine(_dir, "music.mp3"));
        AssertFolderEmpty();
    }

    [Test]
    public void Missing_music_is_input_not_found_naming_the_field()
    {
        var json = TestSupport.SmallStory(extra: """, "voiceAudioSettings": { "backgroundMusicUrl": "nope.mp3" }""");
        var e = Assert.Throws<EngineException>(() => EngineApi.CompileScene(json, _dir))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InputNotFound));
        Assert.That(e.Message, Does.Contain("voiceAudioSettings.backgroundMusicUrl").And.Contain("nope.mp3"));
    }

    [TestCase("out.txt")]
    [TestCase("out")]
    public void Output_without_a_video_extension_is_rejected(string name)
    {
        var scene = TestSupport.Scene(TestSupport.SmallStory());
        var e = Assert.Throws<EngineException>(() => RenderJob.Run(scene, Path.Combine(_dir, name)))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Output));
        Assert.That(e.Message, Does.Contain("outputPath"));
        AssertFolderEmpty();
    }

    [Test]
    public void Output_under_a_file_is_an_output_error()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        var scene = TestSupport.Scene(TestSupport.SmallStory());
        var e = Assert.Throws<EngineException>(() => RenderJob.Run(scene, Path.Combine(file, "out.mp4")))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Output));
        Assert.That(Directory.GetFileSystemEntries(_dir), Is.EqualTo(new[] { file }));
    }

    [Test]
    public void Cancelling_a_render_is_aborted_and_leaves_nothing()
    {
        var scene = TestSupport.Scene(TestSupport.SmallStory("720x1280", duration: 20));
        using var cts = new CancellationTokenSource();
        var e = Assert.Throws<EngineException>(() => RenderJob.Run(scene, Path.Combine(_dir, "out.mp4"), p =>
        {
            if (p.Frame > 10) cts.Cancel();
        }, cts.Token))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Aborted));
        AssertFolderEmpty();
        Assert.That(FrameSurface.LiveBytes, Is.Zero, "every frame buffer freed");
    }

    [Test]
    public void An_existing_output_is_replaced_only_on_success()
    {
        var target = Path.Combine(_dir, "out.mp4");
        File.WriteAllText(target, "previous");
        File.WriteAllText(Path.Combine(_dir, "bad.mp3"), "not audio");
        var bad = TestSupport.Scene(TestSupport.SmallStory(extra: """, "voiceAudioSettings": { "backgroundMusicUrl": "bad.mp3" }"""), _dir);
        Assert.Throws<EngineException>(() => RenderJob.Run(bad, target));
        Assert.That(File.ReadAllText(target), Is.EqualTo("previous"));
        RenderJob.Run(TestSupport.Scene(TestSupport.SmallStory()), target);
        Assert.That(MediaProbe.Probe(target).Streams, Has.Count.EqualTo(2));
    }

    [TestCase("", ErrorCodes.InputNotFound)]
    [TestCase("/definitely/not/here.mp4", ErrorCodes.InputNotFound)]
    public void Probing_a_missing_file_is_input_not_found(string path, string code)
    {
        var e = Assert.Throws<EngineException>(() => MediaProbe.Probe(path))!;
        Assert.That(e.Code, Is.EqualTo(code));
    }

    [TestCase("empty.mp4", "")]
    [TestCase("junk.mp4", "this is not a video at all, only text pretending")]
    public void Probing_a_non_media_file_is_unsupported_media(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        var e = Assert.Throws<EngineException>(() => MediaProbe.Probe(path))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
        Assert.That(e.Message, Does.Contain(name));
    }
}
