using NUnit.Framework;
using ReelSpeed.Engine.Render;

namespace ReelSpeed.Engine.Tests.Render;

/// <summary>
/// Reference frames per template (examples/templates/*.json at 540x960, header and typing
/// indicator on) and per animation type mid-animation. Tolerance as in <see cref="GoldenFrameTests"/>.
/// </summary>
public class TemplateGoldenTests
{
    private const int ChannelTolerance = 3;
    private const double MaxDifferentFraction = 0.0005;

    internal static string ExamplesDir => Path.GetFullPath(Path.Combine(TestSupport.SourceDir(), "..", "..", "examples"));

    internal static string TemplateStory(string template, string resolution = "540x960") =>
        File.ReadAllText(Path.Combine(ExamplesDir, "templates", template + ".json")).Replace("\"1080x1920\"", $"\"{resolution}\"");

    private static void AssertGolden(ReelSpeed.Engine.Scenes.Scene scene, double timeMs, string name)
    {
        using var renderer = new FrameRenderer(scene);
        using var frame = renderer.RenderImage(timeMs);
        var reference = Path.Combine(TestSupport.SourceDir(), "..", "Golden", name + ".png");
        var result = ImageComparer.Compare(frame, reference, ChannelTolerance, MaxDifferentFraction);
        Assert.That(result.Match, Is.True, result.Report);
    }

    [TestCase("modern-light")]
    [TestCase("modern-dark")]
    [TestCase("imessage")]
    [TestCase("whatsapp")]
    [TestCase("instagram")]
    [TestCase("discord")]
    public void Template(string template)
    {
        using var scene = TestSupport.Scene(TemplateStory(template));
        Assert.That(scene.Header, Is.Not.Null);
        Assert.That(scene.Warnings, Is.Empty);
        AssertGolden(scene, 9500, "template-" + template);
    }

    /// <summary>The second message caught 40 % into its entrance (typewriter: 40 % of its text).</summary>
    [TestCase("slide")]
    [TestCase("fade")]
    [TestCase("pop")]
    [TestCase("typewriter")]
    [TestCase("none")]
    public void Animation(string type)
    {
        var json = $$"""
            { "videoSettings": { "resolution": "540x960" }, "template": "modern-light",
              "animationSettings": { "messageAnimationType": "{{type}}", "transitionDuration": 400, "baseDelay": 200, "messageDelay": 200 },
              "messages": [ { "text": "first message, settled", "sender": "them", "audioDuration": 1 },
                            { "text": "second message entering now 🚀", "sender": "me", "audioDuration": 2 } ] }
            """;
        using var scene = TestSupport.Scene(json);
        var second = scene.Bubbles[1].Animation;
        double t = type == "typewriter" ? second.StartMs + second.RevealMs * 0.4 : second.StartMs + second.DurationMs * 0.4;
        AssertGolden(scene, t, "animation-" + type);
    }
}
