using NUnit.Framework;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Tests.Render;
using SkiaSharp;
using ReelSpeed.Engine.Api;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>Rendered videos decoded back: what the file shows is what the Scene says.</summary>
public class ChatStoryVideoTests : TempDirTest
{
    /// <summary>Frame n of a 30 fps file, decoded by the ffmpeg CLI (accurate seek to just before its pts).</summary>
    private static SKImage DecodedFrame(string file, int n) => Pixels.DecodeFrame(file, (n - 0.1) / 30.0);

    [Test]
    public void RenderFrame_equals_the_frame_decoded_from_the_video()
    {
        var json = TemplateGoldenTests.TemplateStory("whatsapp", "540x960").Replace("\"fps\": 30", "\"fps\": 30, \"duration\": 4");
        using var scene = TestSupport.Scene(json);
        var result = RenderJob.Run(scene, Path.Combine(_dir, "story.mp4"));
        using var renderer = new FrameRenderer(scene);
        foreach (int n in new[] { 20, 47, 100 })
        {
            using var expected = renderer.RenderImage(scene.FrameTimeMs(n));
            using var decoded = DecodedFrame(result.OutputPath, n);
            double ssim = Pixels.Ssim(expected, decoded);
            Assert.That(ssim, Is.GreaterThanOrEqualTo(0.98), $"frame {n}: SSIM {ssim:0.0000}");
        }
        // And a different frame is measurably different: the comparison can fail.
        using var other = renderer.RenderImage(scene.FrameTimeMs(20));
        using var late = DecodedFrame(result.OutputPath, 100);
        Assert.That(Pixels.Ssim(other, late), Is.LessThan(0.98));
    }

    [Test]
    public void Green_screen_stays_chroma_green_after_the_codec()
    {
        using var scene = TestSupport.Scene("""
            { "videoSettings": { "resolution": "360x640", "duration": 1, "greenScreen": true },
              "animationSettings": { "baseDelay": 100 }, "messages": [ { "text": "keyed", "sender": "them" }, { "text": "out", "sender": "me" } ] }
            """);
        var result = RenderJob.Run(scene, Path.Combine(_dir, "green.mp4"));
        using var frame = DecodedFrame(result.OutputPath, 25);
        foreach (var (x, y) in new[] { (2, 2), (357, 2), (2, 637), (357, 637), (180, 600) })
        {
            var c = Pixels.At(frame, x, y);
            Assert.That(Pixels.Near(c, new SKColor(0, 255, 0), 6), Is.True, $"({x},{y}) = {c}");
        }
    }

    /// <summary>The spec's §7.1 test config, verbatim: no messages, a duration.</summary>
    public const string SpecTestConfig = """
        {
            "videoSettings": {
                "duration": 30,
                "resolution": "1080x1920",
                "fps": 30,
                "quality": "high"
            },
            "animationSettings": {
                "messageAnimationType": "slide",
                "transitionDuration": 500,
                "showMessageAnimations": true
            }
        }
        """;

    [Test]
    public void A_config_without_messages_but_with_a_duration_is_its_background_for_that_long_with_a_warning()
    {
        using (var spec = TestSupport.Scene(SpecTestConfig))
        {
            Assert.That(spec.Chat!.Bubbles, Is.Empty);
            Assert.That(spec.DurationMs, Is.EqualTo(30_000));
            Assert.That(spec.FrameCount, Is.EqualTo(900));
            Assert.That((spec.Width, spec.Height), Is.EqualTo((1080, 1920)));
            Assert.That(spec.Warnings, Has.Some.Contains("messages: none given").And.Contains("30 s"));
        }
        // Rendered (shorter and smaller, with a header and an empty messages array): the background and the header, every frame.
        using var scene = TestSupport.Scene("""
            { "videoSettings": { "resolution": "360x640", "duration": 1.5, "fps": 30 }, "template": "modern-dark",
              "chatOverlay": { "contactName": "Nobody yet" }, "messages": [] }
            """);
        Assert.That(scene.Warnings, Has.Some.Contains("messages: empty").And.Contains("background and header"));
        Assert.That(scene.Chat!.Header, Is.Not.Null);
        var result = RenderJob.Run(scene, Path.Combine(_dir, "empty.mp4"));
        Assert.That(result.Frames, Is.EqualTo(45));
        Assert.That(ResultJson.Write(result), Does.Contain("\"timeline\":[]").And.Contain("messages: empty"));
        using var renderer = new FrameRenderer(scene);
        using var expected = renderer.RenderImage(scene.FrameTimeMs(40));
        using var decoded = DecodedFrame(result.OutputPath, 40);
        Assert.That(Pixels.Ssim(expected, decoded), Is.GreaterThanOrEqualTo(0.98));
        var header = scene.Chat.Header!;
        var bgTop = Pixels.At(decoded, 180, 630);
        var theme = ReelSpeed.Engine.Scenes.Templates.ModernDark;
        Assert.That(Pixels.Near(bgTop, theme.BackgroundGradient[1], 12), Is.True, $"background near the bottom: {bgTop}");
        var inHeader = Pixels.At(decoded, (int)header.Bounds.Right - 6, (int)header.Bounds.MidY);
        Assert.That(Pixels.Near(inHeader, header.Background, 14) || Pixels.Near(inHeader, theme.Header.Background.WithAlpha(255), 14), Is.True, $"header: {inHeader}");
    }

    [TestCase("{ \"videoSettings\": { \"fps\": 30 } }", "is required")]
    [TestCase("{ \"videoSettings\": { \"fps\": 30 }, \"messages\": [] }", "at least one message")]
    public void Without_messages_or_a_duration_it_is_still_an_error(string json, string message)
    {
        var e = Assert.Throws<ConfigValidationException>(() => TestSupport.Scene(json))!;
        Assert.That(e.Message, Does.Contain("messages").And.Contain(message).And.Contain("videoSettings.duration"));
    }

    [Test]
    public void Brainrot_puts_the_video_in_the_lower_half_and_the_chat_above()
    {
        var clip = Path.Combine(_dir, "gameplay.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=0x3366CC:s=320x180:r=30:d=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", clip);
        using var scene = TestSupport.Scene("""
            { "videoSettings": { "resolution": "360x640", "duration": 1.5, "brainrotMode": true }, "template": "imessage",
              "backgroundSettings": { "backgroundType": "video", "backgroundUrl": "gameplay.mp4" },
              "animationSettings": { "baseDelay": 100, "messageAnimationType": "none" }, "messages": [ { "text": "hi", "sender": "them" } ] }
            """, _dir);
        Assert.That(scene.Chat!.ClipBottom, Is.EqualTo(320));
        Assert.That(scene.Chat!.Viewport.Bottom, Is.LessThanOrEqualTo(320));
        var result = RenderJob.Run(scene, Path.Combine(_dir, "split.mp4"));
        using var frame = DecodedFrame(result.OutputPath, 30);
        foreach (var (x, y) in new[] { (5, 330), (180, 480), (354, 635) })
            Assert.That(Pixels.Near(Pixels.At(frame, x, y), new SKColor(0x33, 0x66, 0xCC), 8), Is.True, $"lower half ({x},{y}) = {Pixels.At(frame, x, y)}");
        Assert.That(Pixels.Near(Pixels.At(frame, 350, 300), SKColors.White, 6), Is.True, "upper half keeps the template background");
    }

    [Test]
    public void A_background_video_given_as_inputPath_loops_without_a_frame_jump()
    {
        // A 10-frame clip whose frame k is a flat grey of level 20 + 20k: the output at 30 fps must show
        // 0,1,...,9,0,1,...: each frame one step on from the previous, wrapping from 9 to 0 exactly.
        var clip = Path.Combine(_dir, "steps.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=black:s=160x284:r=30:d=0.3334", "-vf", "geq=lum='20+20*N':cb=128:cr=128",
            "-frames:v", "10", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", clip);
        using var scene = EngineApi.CompileScene("""
            { "videoSettings": { "resolution": "160x284", "duration": 1, "crf": 0 }, "animationSettings": { "baseDelay": 5000 },
              "messages": [ { "text": "later", "sender": "me" } ] }
            """, _dir, clip);
        var result = RenderJob.Run(scene, Path.Combine(_dir, "loop.mp4"));
        var raw = Path.Combine(_dir, "luma.raw");
        TestSupport.Ffmpeg("-i", result.OutputPath, "-vf", "crop=8:8:76:138,scale=1:1:flags=area,format=gray", "-f", "rawvideo", raw);
        var levels = File.ReadAllBytes(raw);
        Assert.That(levels.Length, Is.EqualTo(30));
        // Grey levels come back range-expanded (limited → full), so compare the sequence with itself:
        // ten distinct, rising levels, then exactly the same ten again, twice.
        string seen = string.Join(",", levels);
        for (int i = 1; i < 10; i++) Assert.That(levels[i] - levels[i - 1], Is.InRange(15, 35), $"step {i}: {seen}");
        for (int i = 10; i < 30; i++) Assert.That(Math.Abs(levels[i] - levels[i % 10]), Is.LessThanOrEqualTo(2), $"frame {i}: {seen}");
    }
}
