using System.Globalization;
using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// An output never replaces one of the job's own inputs (issue #13 item 3): the same string,
/// another spelling, a symlink, a hard link, or a background/music file of the job, all refused
/// with ERR_OUTPUT before anything is written, and the input left byte for byte as it was.
/// </summary>
public class OutputIdentityTests : TempDirTest
{
    private string Clip(string name = "in.mp4")
    {
        var path = Path.Combine(_dir, name);
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x64:r=30:d=0.5", "-f", "lavfi", "-i", "sine=d=0.5",
            "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", path);
        return path;
    }

    private static void Link(string target, string link, bool hard)
    {
        if (!hard)
        {
            File.CreateSymbolicLink(link, target);
            return;
        }
        using var p = System.Diagnostics.Process.Start("ln", [target, link])!;
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero);
    }

    /// <summary>The ways to name <paramref name="input"/> again: same string, "..", "//", symlink, hard link.</summary>
    private IEnumerable<string> Aliases(string input)
    {
        yield return input;
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        yield return Path.Combine(_dir, "sub", "..", Path.GetFileName(input));
        yield return _dir + "//" + Path.GetFileName(input);
        var sym = Path.Combine(_dir, "sym.mp4");
        if (!File.Exists(sym)) Link(input, sym, hard: false);
        yield return sym;
        var hard = Path.Combine(_dir, "hard.mp4");
        if (!File.Exists(hard)) Link(input, hard, hard: true);
        yield return hard;
    }

    [Test]
    public void ProcessVideo_refuses_an_output_that_is_its_input_under_any_name()
    {
        var input = Clip();
        var before = File.ReadAllBytes(input);
        using var scene = EngineApi.CompileScene("""{ "video": {} }""", null, input);
        foreach (var output in Aliases(input).ToList())
        {
            var e = Assert.Throws<EngineException>(() => RenderJob.Run(scene, output), output)!;
            Assert.That(e.Code, Is.EqualTo(ErrorCodes.Output), e.Message);
            Assert.That(e.Message, Does.Contain("outputPath").And.Contain(input).And.Contain("own inputs"));
        }
        Assert.That(File.ReadAllBytes(input), Is.EqualTo(before), "the input is untouched");
        Assert.That(Directory.GetFiles(_dir, "*.part", SearchOption.AllDirectories), Is.Empty, "nothing was written");
    }

    [Test]
    public void A_chat_story_refuses_an_output_that_is_its_background_or_music()
    {
        var background = Clip("bg.mp4");
        var music = Path.Combine(_dir, "music.mp4");
        File.Copy(background, music);
        var json = TestSupport.SmallStory(extra:
            $", \"backgroundSettings\": {{ \"backgroundType\": \"video\", \"backgroundUrl\": \"{background}\" }}, \"audioSettings\": {{ \"backgroundMusicUrl\": \"{music}\" }}");
        using var scene = EngineApi.CompileScene(json, _dir);
        foreach (var output in new[] { background, music })
        {
            var e = Assert.Throws<EngineException>(() => RenderJob.Run(scene, output))!;
            Assert.That(e.Code, Is.EqualTo(ErrorCodes.Output), e.Message);
            Assert.That(e.Message, Does.Contain(output));
        }
        // A new name beside them is fine.
        Assert.That(RenderJob.Run(scene, Path.Combine(_dir, "out.mp4")).FileSize, Is.GreaterThan(0));
    }

    [Test]
    public void A_size_targeted_render_refuses_its_input_before_any_attempt()
    {
        var input = Clip();
        using var scene = EngineApi.CompileScene("""{ "video": {}, "optimization": { "target_size_mb": 0.05 } }""", null, input);
        var sym = Path.Combine(_dir, "again.mp4");
        File.CreateSymbolicLink(sym, input);
        var e = Assert.Throws<EngineException>(() => TargetedRender.Run(scene, sym, null, default, null, 0, HardwareAcceleration.Off))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Output), e.Message);
        Assert.That(Directory.GetFiles(_dir, ".*attempt*"), Is.Empty);
    }

    [Test]
    public void OptimizeVideo_refuses_its_input_under_any_name()
    {
        var input = Clip();
        foreach (var output in Aliases(input).ToList())
        {
            var options = OptimizeOptions.Parse($$"""{ "outputPath": "{{output}}" }""", _dir);
            var e = Assert.Throws<EngineException>(() => Optimize.OutputPathFor(input, options), output)!;
            Assert.That(e.Code, Is.EqualTo(ErrorCodes.Output), e.Message);
        }
    }

    [Test]
    public void File_identity_compares_files_not_names()
    {
        var a = Clip("a.mp4");
        var b = Path.Combine(_dir, "b.mp4");
        File.Copy(a, b);
        Assert.That(FileIdentity.Same(a, b), Is.False, "a copy is another file");
        Assert.That(Aliases(a).All(x => FileIdentity.Same(a, x)), Is.True);
        Assert.That(FileIdentity.Of(Path.Combine(_dir, "missing.mp4")), Is.Null);
        Assert.That(FileIdentity.Of("x\0y"), Is.Null);
    }
}
