using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Media;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Config;

/// <summary>The engine's resource limits: options, defaults, and each limit's error, checked at compile before anything is decoded.</summary>
public class ResourceLimitsTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TestSupport.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static ResourceLimits Limits(string json) => EngineOptions.Parse(json).Limits;

    private static EngineException Rejected(string config, ResourceLimits limits, string? baseDir = null)
    {
        var e = Assert.Throws<EngineException>(() => EngineApi.CompileScene(config, baseDir, null, null, limits).Dispose())!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.ResourceLimit), e.Message);
        return e;
    }

    private static string Story(string video = """{ "resolution": "360x640", "duration": 1 }""", string messages = """[ { "text": "hi", "sender": "me", "audioDuration": 0.3 } ]""") =>
        $$"""{ "videoSettings": {{video}}, "animationSettings": { "messageAnimationType": "none" }, "messages": {{messages}} }""";

    private string Png(int width, int height, string name = "big.png")
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.Teal);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Test]
    public void Defaults_hold_the_format_and_safe_bounds_and_options_set_them()
    {
        Assert.That(Limits("{}"), Is.EqualTo(ResourceLimits.Default));
        Assert.That(ResourceLimits.Default, Is.EqualTo(new ResourceLimits(3840L * 2160, 1200, 500, 2000, 40_000_000)));
        var set = Limits("""{ "maxFramePixels": 1000000, "maxDurationSeconds": 30, "maxMessages": 20, "maxTextLength": 100, "maxPicturePixels": 5000000 }""");
        Assert.That(set, Is.EqualTo(new ResourceLimits(1_000_000, 30, 20, 100, 5_000_000)));
        var e = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse(
            """{ "maxFramePixels": 99999999999, "maxDurationSeconds": 0, "maxMessages": 501, "maxTextLength": "long", "maxPicturePixels": -1 }"""))!;
        Assert.That(e.Errors.Select(x => x.Path), Is.EquivalentTo(new[]
            { "options.maxFramePixels", "options.maxDurationSeconds", "options.maxMessages", "options.maxTextLength", "options.maxPicturePixels" }));
    }

    [Test]
    public void Frame_size_over_maxFramePixels_names_the_field_value_and_option()
    {
        var e = Rejected(Story("""{ "resolution": "1080x1920", "duration": 1 }"""), ResourceLimits.Default with { MaxFramePixels = 1_000_000 });
        Assert.That(e.Message, Is.EqualTo("videoSettings.resolution: the frame is 1080x1920 = 2,073,600 pixels, above maxFramePixels (1,000,000 pixels); raise the engine option maxFramePixels to allow it"));
        // 4096x4096 is valid, but above the default: an engine must ask for it.
        e = Rejected(Story("""{ "resolution": "4096x4096", "duration": 1 }"""), ResourceLimits.Default);
        Assert.That(e.Message, Does.StartWith("videoSettings.resolution: the frame is 4096x4096").And.Contain("maxFramePixels (8,294,400 pixels)"));
        using var ok = EngineApi.CompileScene(Story("""{ "resolution": "4096x4096", "duration": 1 }"""), null, null, null, ResourceLimits.Default with { MaxFramePixels = 4096 * 4096 });
    }

    [Test]
    public void Duration_over_maxDurationSeconds_given_or_from_the_messages()
    {
        var limits = ResourceLimits.Default with { MaxDurationSeconds = 10 };
        var e = Rejected(Story("""{ "resolution": "360x640", "duration": 20 }"""), limits);
        Assert.That(e.Message, Is.EqualTo("videoSettings.duration: the video lasts 20 s, above maxDurationSeconds (10 s); raise the engine option maxDurationSeconds to allow it"));
        var messages = "[" + string.Join(",", Enumerable.Range(0, 6).Select(i => """{ "text": "x", "sender": "me", "audioDuration": 3 }""")) + "]";
        e = Rejected(Story("""{ "resolution": "360x640" }""", messages), limits);
        Assert.That(e.Message, Does.StartWith("messages: the video lasts ").And.Contain("above maxDurationSeconds (10 s)"));
    }

    [Test]
    public void Messages_over_maxMessages_and_text_over_maxTextLength()
    {
        var three = """[ { "text": "a", "sender": "me" }, { "text": "bbbbbbbbbbbb", "sender": "them" }, { "text": "c", "sender": "me" } ]""";
        var e = Rejected(Story(messages: three), ResourceLimits.Default with { MaxMessages = 2 });
        Assert.That(e.Message, Is.EqualTo("messages: 3 messages, above maxMessages (2); raise the engine option maxMessages to allow it"));
        e = Rejected(Story(messages: three), ResourceLimits.Default with { MaxTextLength = 10 });
        Assert.That(e.Message, Is.EqualTo("messages[1].text: the text is 12 characters, above maxTextLength (10 characters); raise the engine option maxTextLength to allow it"));
    }

    [Test]
    public void Picture_over_maxPicturePixels_is_refused_from_its_header_without_decoding()
    {
        var path = Png(3000, 2000);
        var messages = $$"""[ { "text": "look", "sender": "me", "imageUrl": "{{path}}" } ]""";
        var e = Rejected(Story(messages: messages), ResourceLimits.Default with { MaxPicturePixels = 1_000_000 });
        Assert.That(e.Message, Is.EqualTo("messages[0].imageUrl: the picture is 3000x2000 = 6 MP, above maxPicturePixels (1 MP); raise the engine option maxPicturePixels to allow it"));

        // A file cut after its header cannot be decoded; the limit still names its size, so only the header was read.
        var bytes = File.ReadAllBytes(path);
        var cut = Path.Combine(_dir, "cut.png");
        File.WriteAllBytes(cut, bytes[..64]);
        Assert.That(ImageLoader.ReadSize(cut, "x"), Is.EqualTo((3000, 2000)));
        e = Rejected(Story(messages: $$"""[ { "text": "look", "sender": "me", "imageUrl": "{{cut}}" } ]"""), ResourceLimits.Default with { MaxPicturePixels = 1_000_000 });
        Assert.That(e.Message, Does.Contain("3000x2000"));

        var avatar = $$"""{ "videoSettings": { "resolution": "360x640", "duration": 1 }, "chatOverlay": { "contactName": "A", "avatarUrl": "{{path}}", "showHeader": true }, "messages": [ { "text": "hi", "sender": "me" } ] }""";
        e = Rejected(avatar, ResourceLimits.Default with { MaxPicturePixels = 1_000_000 });
        Assert.That(e.Message, Does.StartWith("chatOverlay.avatarUrl: the picture is 3000x2000"));
    }

    [Test]
    public void Processing_configs_are_held_to_the_frame_text_and_picture_limits()
    {
        var limits = ResourceLimits.Default with { MaxFramePixels = 100_000, MaxTextLength = 5, MaxPicturePixels = 1_000_000 };
        var e = Rejected("""{ "video": { "width": 640, "height": 360 }, "effects": { "background": { "type": "color", "source": "#000000" }, "text_overlays": [ { "text": "hi", "duration": 1 } ] } }""", limits);
        Assert.That(e.Message, Does.StartWith("video: the frame is 640x360 = 230,400 pixels, above maxFramePixels"));
        e = Rejected("""{ "video": { "width": 320, "height": 240 }, "effects": { "background": { "type": "color", "source": "#000000" }, "text_overlays": [ { "text": "a long text", "duration": 1 } ] } }""", limits);
        Assert.That(e.Message, Does.StartWith("effects.text_overlays[0].text: the text is 11 characters, above maxTextLength (5 characters)"));
        var picture = Png(2000, 2000);
        e = Rejected($$"""{ "video": { "width": 320, "height": 240 }, "effects": { "background": { "type": "image", "source": "{{picture}}" }, "text_overlays": [ { "text": "hi", "duration": 1 } ] } }""", limits);
        Assert.That(e.Message, Does.StartWith("effects.background.source: the picture is 2000x2000 = 4 MP, above maxPicturePixels (1 MP)"));
    }
}
