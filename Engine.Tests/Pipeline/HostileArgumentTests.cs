using System.Text;
using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Pipeline;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// Arguments and configs that used to end in ERR_INTERNAL or in unbounded messages (issue #13
/// item 6): NULs in paths, lone surrogates, symlink loops, pipes, 20,000 invalid messages.
/// </summary>
public class HostileArgumentTests : TempDirTest
{
    private static EngineException Coded(Action a, string code, params string[] mentions)
    {
        var e = Assert.Catch<EngineException>(() => a())!;
        Assert.That(e.Code, Is.EqualTo(code), e.Message);
        foreach (var m in mentions) Assert.That(e.Message, Does.Contain(m));
        return e;
    }

    private static string Story(string extra) => TestSupport.SmallStory(extra: extra);

    [Test]
    public void A_nul_in_an_asset_path_is_an_invalid_config([Values("backgroundSettings", "audioSettings", "chatOverlay")] string where)
    {
        string extra = where switch
        {
            "backgroundSettings" => """, "backgroundSettings": { "backgroundType": "image", "backgroundUrl": "bg\u0000.png" }""",
            "audioSettings" => """, "audioSettings": { "backgroundMusicUrl": "/tmp/m\u0000.mp3" }""",
            _ => """, "chatOverlay": { "avatarUrl": "file:///tmp/a\u0000.png" }""",
        };
        var e = Coded(() => EngineApi.CompileScene(Story(extra), _dir).Dispose(), ErrorCodes.InvalidConfig, where, "NUL");
        Assert.That(e, Is.InstanceOf<ConfigValidationException>());
    }

    [Test]
    public void A_nul_in_a_processing_clip_path_is_an_invalid_config() =>
        Coded(() => EngineApi.CompileScene("""{ "video": {}, "clips": [ { "path": "a\u0000.mp4" } ] }""", _dir).Dispose(), ErrorCodes.InvalidConfig, "NUL");

    [Test]
    public void A_nul_in_input_or_output_is_a_coded_error()
    {
        Coded(() => EngineApi.CompileScene("""{ "video": {} }""", _dir, Path.Combine(_dir, "in\0.mp4")).Dispose(), ErrorCodes.InvalidArg, "inputPath", "NUL");
        Coded(() => EngineApi.CompileScene(Story(""), _dir, Path.Combine(_dir, "in\0.mp4")).Dispose(), ErrorCodes.InvalidArg, "inputPath", "NUL");
        using var scene = EngineApi.CompileScene(Story(""), _dir);
        Coded(() => RenderJob.Run(scene, Path.Combine(_dir, "out\0.mp4")), ErrorCodes.Output, "outputPath", "NUL");
        Coded(() => TargetedRender.Run(scene, Path.Combine(_dir, "out\0.mp4"), null, default, null, 0, HardwareAcceleration.Off), ErrorCodes.Output, "NUL");
        Coded(() => Optimize.CheckInput("/tmp/in\0.mp4", _dir), ErrorCodes.InvalidArg, "inputPath", "NUL");
        Coded(() => OptimizeOptions.Parse("""{ "outputPath": "o\u0000.mp4" }""", _dir), ErrorCodes.InvalidConfig, "options.outputPath", "NUL");
        Coded(() => ReelSpeed.Engine.Media.MediaProbe.Probe("/tmp/x\0.mp4"), ErrorCodes.InvalidArg, "filePath", "NUL");
    }

    [Test]
    public void A_lone_surrogate_in_config_text_is_an_invalid_config()
    {
        var json = Story("").Replace("Hi!", "Hi\uD800!");
        Coded(() => EngineApi.CompileScene(json, _dir).Dispose(), ErrorCodes.InvalidConfig, "lone surrogate");
        Coded(() => OptimizeOptions.Parse("{ \"codec\": \"h\uDC00\" }", _dir), ErrorCodes.InvalidConfig, "options");
    }

    [Test]
    public void A_symlink_loop_as_an_asset_is_not_found()
    {
        var a = Path.Combine(_dir, "a.png");
        File.CreateSymbolicLink(a, Path.Combine(_dir, "b.png"));
        File.CreateSymbolicLink(Path.Combine(_dir, "b.png"), a);
        Coded(() => EngineApi.CompileScene(Story($$""", "chatOverlay": { "avatarUrl": "{{a}}" }"""), _dir).Dispose(),
            ErrorCodes.InputNotFound, "chatOverlay.avatarUrl", "symlink loop");
        Coded(() => EngineApi.CompileScene("""{ "video": {} }""", _dir, a).Dispose(), ErrorCodes.InputNotFound, "symlink loop");
    }

    [Test]
    public void A_fifo_as_a_picture_or_voice_is_refused_at_compile_time()
    {
        var fifo = Path.Combine(_dir, "pipe.png");
        using (var p = System.Diagnostics.Process.Start("mkfifo", fifo)!) p.WaitForExit();
        var task = Task.Run(() => EngineApi.CompileScene(Story($$""", "chatOverlay": { "avatarUrl": "{{fifo}}" }"""), _dir).Dispose());
        bool finished = ((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10));
        if (!finished) using (File.OpenWrite(fifo)) { }
        Assert.That(finished, Is.True, "compileScene returned instead of blocking on the FIFO");
        var e = (EngineException)task.Exception!.InnerException!;
        Assert.That((e.Code, e.Message.Contains("named pipe")), Is.EqualTo((ErrorCodes.UnsupportedMedia, true)), e.Message);
    }

    [Test]
    public void Twenty_thousand_invalid_messages_give_a_bounded_error()
    {
        var sb = new StringBuilder("""{ "videoSettings": { "resolution": "360x640" }, "messages": [""");
        for (int i = 0; i < 20_000; i++) sb.Append(i == 0 ? "" : ",").Append("""{ "text": 5, "sender": "nobody" }""");
        sb.Append("] }");
        var e = (ConfigValidationException)Coded(() => EngineApi.CompileScene(sb.ToString(), _dir).Dispose(), ErrorCodes.InvalidConfig, "expected at most 500 messages", "more");
        Assert.That(e.Message.Length, Is.LessThan(5_000), "the message lists the first errors only");
        Assert.That(e.Errors.Count, Is.LessThanOrEqualTo(ReelSpeed.Engine.Config.ConfigReader.MaxErrors + 1));
        Assert.That(e.Errors.Any(x => x.Path.StartsWith("messages[500]")), Is.False, "validation stops at the message cap");
    }

    [Test]
    public void More_than_a_thousand_errors_are_counted_not_kept()
    {
        var errors = Enumerable.Range(0, 30).Select(i => new ConfigError($"f{i}", "bad")).ToList();
        var e = new ConfigValidationException(errors);
        Assert.That(e.Message, Does.Contain("f19: bad").And.Not.Contain("f20: bad").And.Contain("and 10 more"));
        var r = new ReelSpeed.Engine.Config.ConfigReader();
        for (int i = 0; i < 1500; i++) r.Error($"x{i}", "bad");
        Assert.That(r.Errors.Count, Is.EqualTo(ReelSpeed.Engine.Config.ConfigReader.MaxErrors + 1));
        Assert.That(r.Errors[^1].Message, Does.Contain("500 more errors not listed"));
    }
}
