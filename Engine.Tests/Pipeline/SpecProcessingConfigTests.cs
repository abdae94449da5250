using System.Text.Json;
using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Scenes;
using ReelSpeed.Engine.Tests.Render;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// The processing config exactly as the spec's §5.2 <c>convertToRustConfig</c> / <c>convertEffectsConfig</c> write it
/// from a stored ReelSpeed config: percent volumes and opacities, millisecond transitions, overlays in seconds that
/// follow one another, styled by a template name, a background object, the 50 MB ceiling — with no input clip.
/// </summary>
public class SpecProcessingConfigTests : TempDirTest
{
    /// <summary>What §5.2's conversion writes (its code, transcribed), for a stored config's parts.</summary>
    public static string Converted(int width, int height, string template, double?[] audioDurations, string backgroundType = "gradient",
        string backgroundUrl = "", double opacity = 100, string animation = "slide", double transitionMs = 500, bool animations = true, double masterVolume = 80)
    {
        var overlays = audioDurations.Select((d, i) => new Dictionary<string, object>
        {
            ["text"] = $"message {i + 1}",
            ["duration"] = d ?? 2.0,
            ["style"] = template,
        }).ToArray();
        var config = new Dictionary<string, object>
        {
            ["video"] = new Dictionary<string, object> { ["width"] = width, ["height"] = height, ["fps"] = 30, ["codec"] = "h264", ["quality"] = "high" },
            ["audio"] = new Dictionary<string, object> { ["enabled"] = true, ["volume"] = masterVolume },
            ["effects"] = new Dictionary<string, object>
            {
                ["text_overlays"] = overlays,
                ["background"] = new Dictionary<string, object> { ["type"] = backgroundType, ["source"] = backgroundUrl, ["opacity"] = opacity },
                ["transitions"] = new Dictionary<string, object> { ["enabled"] = animations, ["type"] = animation, ["duration"] = transitionMs },
            },
            ["optimization"] = new Dictionary<string, object> { ["target_size_mb"] = 50, ["hardware_acceleration"] = false, ["memory_optimization"] = true },
        };
        return JsonSerializer.Serialize(config, new JsonSerializerOptions { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() });
    }

    private static SKImage Frame(Scene scene, double t)
    {
        using var r = new FrameRenderer(scene);
        return r.RenderImage(t);
    }

    [Test]
    public void The_converted_config_compiles_without_an_input_to_the_background_for_the_overlays_total_length()
    {
        using var scene = EngineApi.CompileScene(Converted(360, 640, "imessage", new double?[] { 1.5, null, 0.75 }), _dir, "");
        var c = scene.Composition!;
        Assert.That(c.Clips, Is.Empty);
        Assert.That(scene.DurationMs, Is.EqualTo(1500 + 2000 + 750));
        Assert.That((scene.Width, scene.Height, scene.Fps), Is.EqualTo((360, 640, 30)));
        // Overlays follow one another, each for its duration (seconds).
        Assert.That(c.Overlays.Select(o => (o.StartMs, o.EndMs)), Is.EqualTo(new[] { (0.0, 1500.0), (1500.0, 3500.0), (3500.0, 4250.0) }));
        // Drawn as the template's bubble, entering as the chat's slide does, over the transition's 500 ms.
        var theme = Templates.IMessage;
        Assert.That(c.Overlays.All(o => o.Background == theme.SenderBubble && o.Color == theme.SenderText));
        Assert.That(c.Overlays[0].BackgroundRadius, Is.GreaterThan(0));
        Assert.That(c.Overlays[1].Entrance, Is.EqualTo(new BubbleAnimation(MessageAnimation.Slide, 1500, 500, ChatLayout.SlideDistance * 360 / 1080f)));
        // The ceiling does not change the encode: the quality's CRF.
        Assert.That(scene.Encode.RateControl, Is.EqualTo(RateControlMode.Crf));
        Assert.That(c.SizeIsCeiling, Is.True);
        Assert.That(c.TargetBytes, Is.EqualTo(50_000_000));
        Assert.That(JobMemory.Estimate(scene), Is.GreaterThan(360L * 640 * 4), "the engine's memory estimate handles a scene without clips");
        // The spec's layer sends every render with memory_optimization: x264's threads stay as the engine's x264Threads has them, and
        // under frame threads only a memoryLimitMb that they do not fit puts them on slices, as for any scene.
        long frames = JobMemory.Estimate(scene);
        Assert.That(JobMemory.Admit(scene, 0, X264Threads.Frames), Is.EqualTo(new JobMemory.Admission(frames, false, frames)));
        Assert.That(JobMemory.Admit(scene, frames, X264Threads.Frames), Is.EqualTo(new JobMemory.Admission(frames, false, frames)));
        Assert.That(JobMemory.Admit(scene, frames - 1, X264Threads.Frames).SliceThreads, Is.EqualTo(Environment.ProcessorCount > 1));
        Assert.That(JobMemory.PrefersSlices(scene, X264Threads.Auto, cores: 2), Is.True, "nothing decodes: as a chat story without a video background");
        // The Scene JSON (the browser preview's contract) carries the background layer and the entrances.
        using (var json = JsonDocument.Parse(SceneJson.Write(scene)))
        {
            var root = json.RootElement;
            Assert.That(root.GetProperty("background").GetProperty("type").GetString(), Is.EqualTo("gradient"));
            Assert.That(root.GetProperty("background").GetProperty("colors")[0].GetString(), Is.EqualTo(ColorParser.ToHex(theme.BackgroundGradient[0])));
            var entrance = root.GetProperty("composition").GetProperty("textOverlays")[1].GetProperty("entrance");
            Assert.That((entrance.GetProperty("type").GetString(), entrance.GetProperty("startMs").GetDouble(), entrance.GetProperty("durationMs").GetDouble()),
                Is.EqualTo(("slide", 1500.0, 500.0)));
        }

        // The background ('' with gradient: the template's colours), the bubble settled mid-way, and sliding in at its start.
        using var settled = Frame(scene, 2500);
        var o1 = c.Overlays[1];
        Assert.That(Pixels.Near(Pixels.At(settled, 4, 4), theme.BackgroundGradient[0], 2), Is.True, $"background {Pixels.At(settled, 4, 4)}");
        var inside = Pixels.At(settled, (int)o1.BackgroundRect.Left + 6, (int)o1.BackgroundRect.MidY);
        Assert.That(Pixels.Near(inside, theme.SenderBubble, 2), Is.True, $"bubble {inside}");
        using var entering = Frame(scene, 1500 + 100);
        var atLeftEdge = Pixels.At(entering, (int)o1.BackgroundRect.Left + 6, (int)o1.BackgroundRect.MidY);
        Assert.That(Pixels.Near(atLeftEdge, theme.SenderBubble, 30), Is.False, $"100 ms into its slide the bubble is still off to the right: {atLeftEdge}");
        // One at a time: at 1499 ms the first is still up and the second not yet.
        Assert.That(c.Overlays.Select(o => o.VisibleAt(1499)), Is.EqualTo(new[] { true, false, false }));
        Assert.That(c.Overlays.Select(o => o.VisibleAt(1500)), Is.EqualTo(new[] { false, true, false }));
    }

    [Test]
    public void Rendered_through_the_pipeline_it_is_within_the_ceiling_and_says_so()
    {
        using var scene = EngineApi.CompileScene(Converted(180, 320, "modern-dark", new double?[] { 0.5, 0.5 }, animation: "pop"), _dir, "");
        var output = Path.Combine(_dir, "story.mp4");
        var (result, attempts, _) = TargetedRender.Run(scene, output, null, default, null, 0, HardwareAcceleration.Off);
        Assert.That(attempts, Is.EqualTo(1));
        Assert.That(result.Frames, Is.EqualTo(30));
        Assert.That(result.SizeTarget!.Action, Is.EqualTo("within"));
        using var doc = JsonDocument.Parse(ResultJson.Write(result));
        var size = doc.RootElement.GetProperty("metadata").GetProperty("sizeTarget");
        Assert.That(size.GetProperty("ceilingMb").GetDouble(), Is.EqualTo(50));
        Assert.That(size.GetProperty("action").GetString(), Is.EqualTo("within"));
        using var decoded = Pixels.DecodeFrame(output, 0.7);
        var bg = Pixels.At(decoded, 3, 3);
        Assert.That(Pixels.Near(bg, Templates.ModernDark.BackgroundGradient[0], 10), Is.True, $"modern-dark's background: {bg}");
    }

    [TestCase("color", "#FF0000", 50)]
    [TestCase("color", "", 100)]
    [TestCase("gradient", "#0000FF,#0000FF", 100)]
    [TestCase("image", "bg.png", 100)]
    [TestCase("video", "bg.mp4", 100)]
    public void Each_background_type_fills_the_frame(string type, string source, double opacity)
    {
        using (var surface = SKSurface.Create(new SKImageInfo(40, 40)))
        {
            surface.Canvas.Clear(new SKColor(0, 200, 0));
            using var img = surface.Snapshot();
            using var png = img.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(_dir, "bg.png"), png.ToArray());
        }
        if (type == "video")
            TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=0xC8C800:s=64x64:r=30:d=0.5", "-c:v", "libx264", "-pix_fmt", "yuv444p", "-crf", "0", Path.Combine(_dir, "bg.mp4"));
        using var scene = EngineApi.CompileScene(Converted(120, 200, "whatsapp", new double?[] { 2 }, type, source, opacity, animation: "fade"), _dir, "");
        using var frame = Frame(scene, 1200); // past the background video's 0.5 s: it loops
        var p = Pixels.At(frame, 2, 198);
        var expected = (type, source) switch
        {
            ("color", "") => Templates.WhatsApp.BackgroundGradient[0],
            ("color", _) => new SKColor(128, 0, 0),
            ("gradient", _) => new SKColor(0, 0, 255),
            ("image", _) => new SKColor(0, 200, 0),
            _ => new SKColor(200, 200, 0),
        };
        Assert.That(Pixels.Near(p, expected, type == "video" ? 8 : 4), Is.True, $"{type} {source}: {p}, expected {expected}");
    }

    [TestCase("""{ "audio": { "volume": 0.8 } }""", "audio.volume", "percentage 0..100")]
    [TestCase("""{ "audio": { "musicVolume": 0.25 } }""", "audio.musicVolume", "for 25 % write 25")]
    [TestCase("""{ "effects": { "background": { "type": "color", "source": "#000000", "opacity": 0.5 } } }""", "effects.background.opacity", "percentage")]
    [TestCase("""{ "effects": { "transitions": { "type": "fade", "duration": 0.5 } } }""", "effects.transitions.duration", "milliseconds, not seconds (for 0.5 s write 500)")]
    [TestCase("""{ "effects": { "transitions": { "type": "fade", "duration": 20000 } } }""", "effects.transitions.duration", "milliseconds")]
    [TestCase("""{ "effects": { "text_overlays": [ { "text": "a", "duration": 1, "style": "fancy" } ] } }""", "effects.text_overlays[0].style", "imessage")]
    [TestCase("""{ "effects": { "background": { "type": "image", "source": "" } } }""", "effects.background.source", "required")]
    [TestCase("""{ "effects": { "text_overlays": [ { "text": "a", "style": "imessage" } ] } }""", "effects.text_overlays", "needs a duration")]
    [TestCase("""{ "effects": { "text_overlays": [] } }""", "inputPath", "text_overlays")]
    public void Values_in_the_old_units_and_other_mistakes_are_refused_naming_the_unit(string json, string path, string message)
    {
        var e = Assert.Throws<ConfigValidationException>(() => EngineApi.CompileScene(json, _dir, ""))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InvalidConfig));
        var error = e.Errors.FirstOrDefault(x => x.Path == path);
        Assert.That(error, Is.Not.Null, e.Message);
        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void Units_are_percent_and_milliseconds()
    {
        var config = ProcessingConfigParser.Parse(JsonDocument.Parse("""
            { "audio": { "volume": 80, "musicVolume": 25 },
              "effects": { "text_overlays": [ { "text": "a", "duration": 1.5 }, { "text": "b", "start": 4, "duration": 1 }, { "text": "c", "duration": 0.5 } ],
                           "background": { "type": "color", "source": "#102030", "opacity": 40 }, "transitions": { "enabled": true, "type": "typewriter", "duration": 250 } } }
            """).RootElement, _dir, "");
        Assert.That(config.Audio.Volume, Is.EqualTo(0.8).Within(1e-12));
        Assert.That(config.Audio.MusicVolume, Is.EqualTo(0.25).Within(1e-12));
        Assert.That(config.Backdrop!.Opacity, Is.EqualTo(0.4).Within(1e-12));
        Assert.That(config.Entrance, Is.EqualTo(new OverlayEntrance(MessageAnimation.Typewriter, 250)));
        Assert.That(config.Transition!.DurationMs, Is.EqualTo(250));
        // Without a start an overlay follows the previous one; a start places it.
        Assert.That(config.TextOverlays.Select(o => o.StartMs), Is.EqualTo(new[] { 0.0, 4000, 5000 }));
        var off = ProcessingConfigParser.Parse(JsonDocument.Parse("""{ "effects": { "text_overlays": [ { "text": "a", "duration": 1 } ], "transitions": { "enabled": false, "type": "slide", "duration": 500 } } }""").RootElement, _dir, "");
        Assert.That((off.Transition, off.Entrance), Is.EqualTo(((TransitionSpec?)null, (OverlayEntrance?)null)));
    }
}
