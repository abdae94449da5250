using NUnit.Framework;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;
using ReelSpeed.Engine.Api;

namespace ReelSpeed.Engine.Tests.Render;

/// <summary>Each chat-story feature changes the frame the documented way.</summary>
public class ChatFeatureTests : TempDirTest
{
    private static SKImage Frame(ReelSpeed.Engine.Scenes.Scene scene, double t)
    {
        using var r = new FrameRenderer(scene);
        return r.RenderImage(t);
    }

    private string SolidImage(string name, SKColor color, int w = 64, int h = 48) => DrawnImage(name, w, h, c => c.Clear(color));

    /// <summary>Writes an image drawn by <paramref name="draw"/> as PNG (or JPEG for .jpg) into the test folder.</summary>
    private string DrawnImage(string name, int w, int h, Action<SKCanvas> draw)
    {
        using var surface = SKSurface.Create(new SKImageInfo(w, h));
        draw(surface.Canvas);
        using var img = surface.Snapshot();
        using var data = img.Encode(name.EndsWith(".jpg") ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 95);
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Test]
    public void Green_screen_puts_the_chat_over_pure_chroma_green_without_shadows()
    {
        using var scene = TestSupport.Scene("""
            { "videoSettings": { "resolution": "540x960", "greenScreen": true }, "template": "modern-light",
              "animationSettings": { "messageAnimationType": "none", "baseDelay": 0 }, "messages": [ { "text": "keyed", "sender": "them" } ] }
            """);
        Assert.That(scene.Chat!.Bubbles[0].Shadow.Alpha, Is.Zero, "a shadow would tint the key colour");
        using var frame = Frame(scene, 100);
        var green = new SKColor(0, 255, 0);
        foreach (var (x, y) in new[] { (0, 0), (539, 0), (0, 959), (539, 959), (270, 900) })
            Assert.That(Pixels.At(frame, x, y), Is.EqualTo(green), $"({x},{y})");
        var b = scene.Chat!.Bubbles[0];
        Assert.That(Pixels.At(frame, (int)b.Bounds.Left + 4, (int)(scene.Chat!.Viewport.Top + b.Bounds.MidY)), Is.EqualTo(SKColors.White));
    }

    [TestCase("modern-light", "")]
    [TestCase("modern-light", ", \"chatOverlay\": { \"position\": \"top\", \"widthPercent\": 100, \"contactName\": \"Sam\", \"showHeader\": true }")]
    [TestCase("imessage", ", \"chatOverlay\": { \"position\": \"top\", \"widthPercent\": 100, \"showHeader\": true }")]
    [TestCase("whatsapp", ", \"chatOverlay\": { \"widthPercent\": 100, \"showHeader\": true }")]
    [TestCase("modern-dark", ", \"chatOverlay\": { \"position\": \"center\" }")]
    public void Green_screen_keys_cleanly_every_pixel_outside_the_chat_is_pure_green(string template, string overlay)
    {
        using var scene = TestSupport.Scene($$"""
            { "videoSettings": { "resolution": "540x960", "greenScreen": true }, "template": "{{template}}"{{overlay}},
              "animationSettings": { "messageAnimationType": "none", "baseDelay": 0, "showTypingIndicator": false },
              "messages": [ { "text": "keyed", "sender": "me" }, { "text": "and the reply", "sender": "them" } ] }
            """);
        var chat = scene.Chat!;
        using var image = Frame(scene, 5000);
        using var frame = SKBitmap.FromImage(image);
        var green = new SKColor(0, 255, 0);
        var content = new List<SKRect>();
        if (chat.Header is { } h) content.Add(new SKRect(h.Bounds.Left, h.BackgroundTop, h.Bounds.Right, h.Bounds.Bottom));
        foreach (var b in chat.Bubbles)
        {
            var r = b.Bounds;
            r.Offset(0, chat.Viewport.Top);
            r.Inflate(MessagePainter.Margin(b), MessagePainter.Margin(b)); // the sprite's margin: tails reach outside the box
            content.Add(r);
        }
        int off = 0, checkedPixels = 0;
        string? first = null;
        for (int y = 0; y < frame.Height; y++)
            for (int x = 0; x < frame.Width; x++)
            {
                if (content.Any(r => r.Contains(x + 0.5f, y + 0.5f))) continue;
                checkedPixels++;
                if (frame.GetPixel(x, y) != green) { off++; first ??= $"({x},{y}) = {frame.GetPixel(x, y)}"; }
            }
        Assert.That(off, Is.Zero, $"{off} of {checkedPixels} pixels outside the chat are not #00FF00, first {first}");
        Assert.That(checkedPixels, Is.GreaterThan(frame.Width * frame.Height / 2));
        Assert.That(chat.Header is not null, Is.EqualTo(overlay.Contains("showHeader")));
        if (chat.Header is { } header)
        {
            // The header itself is opaque: no green shows through it to tint it.
            var inside = frame.GetPixel((int)header.Bounds.Right - 3, (int)header.Bounds.Top + 3);
            Assert.That(inside, Is.EqualTo(header.Background.WithAlpha(255)), "header background");
            Assert.That(header.Background.Alpha, Is.EqualTo(255));
        }
    }

    [Test]
    public void Background_opacity_dims_over_black_and_blur_softens_edges()
    {
        using var dim = TestSupport.Scene("""
            { "videoSettings": { "resolution": "360x640" }, "backgroundSettings": { "backgroundType": "color", "backgroundColor": "#FFFFFF", "backgroundOpacity": 0.5 },
              "messages": [ { "text": "a", "sender": "me" } ] }
            """);
        using (var f = Frame(dim, 0)) Assert.That(Pixels.Near(Pixels.At(f, 5, 5), new SKColor(128, 128, 128), 2), Is.True, Pixels.At(f, 5, 5).ToString());

        // Left half black, right half white: unblurred the edge is a step, blurred it is a ramp.
        DrawnImage("edge.png", 360, 640, c =>
        {
            c.Clear(SKColors.Black);
            using var white = new SKPaint { Color = SKColors.White };
            c.DrawRect(180, 0, 180, 640, white);
        });
        string Story(int blur) => $$"""{ "videoSettings": { "resolution": "360x640" }, "backgroundSettings": { "backgroundType": "image", "backgroundUrl": "edge.png", "backgroundBlur": {{blur}} }, "messages": [ { "text": "a", "sender": "me" } ] }""";
        using var sharp = TestSupport.Scene(Story(0), _dir);
        using var soft = TestSupport.Scene(Story(40), _dir);
        using var fs = Frame(sharp, 0);
        using var fb = Frame(soft, 0);
        Assert.That(Pixels.At(fs, 176, 20).Red, Is.LessThan(5));
        Assert.That(Pixels.At(fb, 176, 20).Red, Is.InRange(40, 200), "blurred across the edge");
    }

    [Test]
    public void Image_background_is_cover_fitted()
    {
        // A landscape image, red with a green centre third, into a portrait frame: only green remains at the sides.
        DrawnImage("wide.png", 900, 300, c =>
        {
            c.Clear(SKColors.Red);
            using var g = new SKPaint { Color = SKColors.Lime };
            c.DrawRect(300, 0, 300, 300, g);
        });
        using var scene = TestSupport.Scene("""{ "videoSettings": { "resolution": "360x640" }, "backgroundSettings": { "backgroundUrl": "wide.png" }, "messages": [ { "text": "a", "sender": "me" } ] }""", _dir);
        using var f = Frame(scene, 0);
        Assert.That(Pixels.At(f, 2, 320), Is.EqualTo(SKColors.Lime));
        Assert.That(Pixels.At(f, 357, 320), Is.EqualTo(SKColors.Lime));
    }

    [Test]
    public void Header_shows_the_avatar_image_and_the_conversation_starts_below_it()
    {
        SolidImage("avatar.png", new SKColor(0x12, 0x34, 0xEE));
        using var scene = TestSupport.Scene("""
            { "videoSettings": { "resolution": "540x960" }, "template": "whatsapp", "chatOverlay": { "contactName": "Alex Morgan", "avatarUrl": "avatar.png" },
              "messages": [ { "text": "hi", "sender": "them" } ] }
            """, _dir);
        var h = scene.Chat!.Header!;
        Assert.That(scene.Chat!.Viewport.Top, Is.GreaterThanOrEqualTo(h.Bounds.Bottom));
        Assert.That(h.Initials, Is.EqualTo("AM"));
        using var f = Frame(scene, 5000);
        Assert.That(Pixels.At(f, (int)h.AvatarRect.MidX, (int)h.AvatarRect.MidY), Is.EqualTo(new SKColor(0x12, 0x34, 0xEE)));
        Assert.That(Pixels.At(f, (int)h.Bounds.Right - 3, (int)h.Bounds.MidY), Is.EqualTo(Templates.WhatsApp.Header.Background));
        Assert.That(Pixels.At(f, (int)h.Bounds.Right - 3, 2), Is.EqualTo(Templates.WhatsApp.Header.Background), "a top header fills the strip above it");
    }

    [Test]
    public void Default_avatar_uses_initials_of_letters_only()
    {
        Assert.That(ChatLayout.Initials("Mom ❤️"), Is.EqualTo("M"));
        Assert.That(ChatLayout.Initials("jess.codes"), Is.EqualTo("J"));
        Assert.That(ChatLayout.Initials("Ana María López"), Is.EqualTo("AL"));
        Assert.That(ChatLayout.Initials("🔥🔥"), Is.EqualTo("?"));
    }

    [Test]
    public void Group_chats_label_the_first_bubble_of_each_participants_run_with_a_stable_colour()
    {
        using var scene = TestSupport.Scene("""
            { "messages": [ { "text": "a", "sender": "Priya" }, { "text": "b", "sender": "Priya" }, { "text": "c", "sender": "Tom" },
                            { "text": "d", "sender": "me" }, { "text": "e", "sender": "Priya" } ] }
            """);
        var b = scene.Chat!.Bubbles;
        Assert.That(b.Select(x => x.Label is not null), Is.EqualTo(new[] { true, false, true, false, true }));
        Assert.That(b[0].Label!.Color, Is.EqualTo(b[4].Label!.Color));
        Assert.That(b[0].Name, Is.EqualTo("Priya"));
        Assert.That(b[0].Sender, Is.EqualTo(Sender.Them));
        Assert.That(b[0].Body.Top, Is.GreaterThan(0), "the body sits below its label");
        Assert.That(b[1].Body.Top, Is.Zero);
        Assert.That(b[2].Bounds.Left, Is.EqualTo(b[0].Bounds.Left), "every participant but me is on the left");
    }

    [Test]
    public void Picture_messages_keep_the_image_aspect_and_show_the_image()
    {
        SolidImage("pic.jpg", new SKColor(200, 30, 30), 400, 200);
        using var scene = TestSupport.Scene("""
            { "videoSettings": { "resolution": "540x960" }, "animationSettings": { "messageAnimationType": "none", "baseDelay": 0 },
              "messages": [ { "sender": "them", "imageUrl": "pic.jpg" }, { "text": "with caption", "sender": "me", "imageUrl": "pic.jpg" } ] }
            """, _dir);
        var p = scene.Chat!.Bubbles[0].Picture!;
        Assert.That(p.Rect.Width / p.Rect.Height, Is.EqualTo(2).Within(0.02));
        var withText = scene.Chat!.Bubbles[1];
        Assert.That(withText.Body.Height, Is.GreaterThan(withText.Picture!.Rect.Height + withText.TextBlock.Height));
        using var f = Frame(scene, 60_000);
        var b = scene.Chat!.Bubbles[0];
        float scroll = scene.Chat!.Scroll.Evaluate(60_000);
        var c = Pixels.At(f, (int)(b.Bounds.Left + b.Body.Left + p.Rect.MidX), (int)(scene.Chat!.Viewport.Top + b.Bounds.Top + b.Body.Top + p.Rect.MidY - scroll));
        Assert.That(Pixels.Near(c, new SKColor(200, 30, 30), 6), Is.True, c.ToString());
    }

    [Test]
    public void A_missing_picture_or_avatar_names_its_field()
    {
        var e = Assert.Throws<EngineException>(() => EngineApi.CompileScene("""{ "messages": [ { "sender": "me", "imageUrl": "gone.png" } ] }""", _dir))!;
        Assert.That((e.Code, e.Message.Contains("messages[0].imageUrl")), Is.EqualTo((ErrorCodes.InputNotFound, true)));
        File.WriteAllText(Path.Combine(_dir, "fake.png"), "not a png");
        var u = Assert.Throws<EngineException>(() => EngineApi.CompileScene("""{ "messages": [ { "sender": "me", "imageUrl": "fake.png" } ] }""", _dir))!;
        Assert.That((u.Code, u.Message.Contains("messages[0].imageUrl")), Is.EqualTo((ErrorCodes.UnsupportedMedia, true)));
        var a = Assert.Throws<EngineException>(() => EngineApi.CompileScene("""{ "chatOverlay": { "avatarUrl": "nope.webp" }, "messages": [ { "text": "x", "sender": "me" } ] }""", _dir))!;
        Assert.That((a.Code, a.Message.Contains("chatOverlay.avatarUrl")), Is.EqualTo((ErrorCodes.InputNotFound, true)));
    }

    [Test]
    public void Typing_indicator_precedes_messages_from_the_other_side_only()
    {
        using var scene = TestSupport.Scene("""
            { "animationSettings": { "messageAnimationType": "slide", "baseDelay": 1500, "messageDelay": 1000, "showTypingIndicator": true },
              "messages": [ { "text": "a", "sender": "them", "audioDuration": 1 }, { "text": "b", "sender": "me", "audioDuration": 1 },
                            { "text": "c", "sender": "them", "audioDuration": 1 } ] }
            """);
        var ind = scene.Chat!.TypingIndicators;
        Assert.That(ind.Select(i => i.ForMessage), Is.EqualTo(new[] { 0, 2 }));
        foreach (var i in ind)
        {
            var start = scene.Chat!.Bubbles[i.ForMessage].Animation.StartMs;
            Assert.That(i.EndMs, Is.EqualTo(start));
            Assert.That(i.EndMs - i.StartMs, Is.EqualTo(ChatLayout.TypingMs).Within(1e-6));
            Assert.That(i.Bounds.Top, Is.EqualTo(scene.Chat!.Bubbles[i.ForMessage].Bounds.Top));
        }
        // Drawn: the dots' bubble colour is there while typing, and gone once the message is in.
        var t = ind[1];
        using var during = Frame(scene, t.StartMs + 100);
        using var after = Frame(scene, t.EndMs + 5000);
        int x = (int)t.Bounds.Left + 6, y = (int)(scene.Chat!.Viewport.Top + t.Bounds.MidY - scene.Chat!.Scroll.Evaluate(t.StartMs + 100));
        Assert.That(Pixels.At(during, x, y), Is.EqualTo(t.Fill));

        using var off = TestSupport.Scene("""{ "animationSettings": { "showTypingIndicator": true, "showMessageAnimations": false }, "messages": [ { "text": "a", "sender": "them" } ] }""");
        Assert.That(off.Chat!.TypingIndicators, Is.Empty, "showMessageAnimations: false turns every animation off");
    }

    [Test]
    public void Animation_speed_scales_durations()
    {
        string Story(string speed) => $$"""{ "animationSettings": { "animationSpeed": "{{speed}}", "transitionDuration": 500 }, "messages": [ { "text": "a", "sender": "me" } ] }""";
        using var slow = TestSupport.Scene(Story("slow"));
        using var fast = TestSupport.Scene(Story("fast"));
        Assert.That(slow.Chat!.Bubbles[0].Animation.DurationMs, Is.EqualTo(800).Within(1e-9));
        Assert.That(fast.Chat!.Bubbles[0].Animation.DurationMs, Is.EqualTo(300).Within(1e-9));
    }

    [Test]
    public void Pop_overshoots_then_settles_and_typewriter_reveals_over_the_hold()
    {
        var pop = new BubbleAnimation(MessageAnimation.Pop, 0, 400, 0);
        var scales = Enumerable.Range(0, 41).Select(i => pop.Evaluate(i * 10).Scale).ToArray();
        Assert.That(scales[0], Is.EqualTo(0.5f).Within(1e-4));
        Assert.That(scales.Max(), Is.GreaterThan(1.02f), "overshoot");
        Assert.That(scales[^1], Is.EqualTo(1f));
        var tw = new BubbleAnimation(MessageAnimation.Typewriter, 0, 300, 0, RevealMs: 1000);
        Assert.That(tw.Evaluate(0).Reveal, Is.Zero);
        Assert.That(tw.Evaluate(500).Reveal, Is.EqualTo(0.5f).Within(1e-4));
        Assert.That(tw.Evaluate(1000).Reveal, Is.EqualTo(1f));
        Assert.That(MessagePainter.RevealedLength("ab👨‍👩‍👧cd", 0.6f), Is.EqualTo("ab👨‍👩‍👧".Length), "whole graphemes");
    }

    [Test]
    public void Chat_overlay_width_position_scale_and_opacity()
    {
        using var wide = TestSupport.Scene("""{ "videoSettings": { "resolution": "1080x1920" }, "messages": [ { "text": "hello there", "sender": "them" } ] }""");
        using var narrow = TestSupport.Scene("""
            { "videoSettings": { "resolution": "1080x1920" }, "backgroundSettings": { "backgroundType": "color", "backgroundColor": "#000000" },
              "colorCustomization": { "receiverBubbleColor": "#FFFFFF" }, "animationSettings": { "messageAnimationType": "none", "baseDelay": 0 },
              "chatOverlay": { "widthPercent": 80, "position": "center", "scale": 1.5, "opacity": 0.5 }, "messages": [ { "text": "hello there", "sender": "them" } ] }
            """);
        Assert.That(narrow.Chat!.Panel.Width, Is.EqualTo(1080 * 0.8f).Within(0.01));
        Assert.That(narrow.Chat!.Panel.MidY, Is.EqualTo(960).Within(1), "centred");
        Assert.That(narrow.Chat!.Bubbles[0].TextBlock.FontSize, Is.EqualTo(wide.Chat!.Bubbles[0].TextBlock.FontSize * 1.5f).Within(0.01));
        using var f = Frame(narrow, 1000);
        var b = narrow.Chat!.Bubbles[0];
        var c = Pixels.At(f, (int)b.Bounds.Left + 6, (int)(narrow.Chat!.Viewport.Top + b.Bounds.MidY));
        Assert.That(Pixels.Near(c, new SKColor(128, 128, 128), 2), Is.True, $"white bubble at 50 % over black: {c}");
    }

    [TestCase("1080x1920")]
    [TestCase("720x1280")]
    [TestCase("1920x1080")]
    [TestCase("1080x1080")]
    public void Every_template_lays_out_at_common_resolutions(string resolution)
    {
        foreach (var t in Templates.All)
        {
            using var scene = TestSupport.Scene(TemplateGoldenTests.TemplateStory(t.Name, resolution));
            Assert.That(scene.Width + "x" + scene.Height, Is.EqualTo(resolution));
            Assert.That(scene.Chat!.Bubbles.All(b => b.Bounds.Left >= 0 && b.Bounds.Right <= scene.Width), Is.True, t.Name);
            Assert.That(scene.Chat!.Viewport.Height, Is.GreaterThan(scene.Height * 0.3f), t.Name);
            using var f = Frame(scene, 9500);
        }
    }

    [Test]
    public void Custom_fonts_come_first_and_the_default_chain_still_serves_emoji()
    {
        var font = Path.Combine(_dir, "brand.ttf");
        File.Copy("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", font);
        using var scene = TestSupport.Scene("""
            { "fonts": [ { "family": "Brand", "path": "brand.ttf" } ], "messages": [ { "text": "Brand text 🎉", "sender": "me" } ] }
            """, _dir);
        var runs = scene.Chat!.Bubbles[0].TextBlock.Lines.SelectMany(l => l.Runs).Select(r => r.Run.Face).ToList();
        Assert.That(runs[0].Path, Is.EqualTo(font));
        Assert.That(runs.Any(f => f.IsColorEmoji), Is.True);
        var missing = Assert.Throws<EngineException>(() => EngineApi.CompileScene("""{ "fonts": [ { "family": "X", "path": "none.ttf" } ], "messages": [ { "text": "a", "sender": "me" } ] }""", _dir))!;
        Assert.That((missing.Code, missing.Message.Contains("fonts[0].path")), Is.EqualTo((ErrorCodes.InputNotFound, true)));
        File.WriteAllText(Path.Combine(_dir, "junk.ttf"), "not a font");
        var junk = Assert.Throws<EngineException>(() => EngineApi.CompileScene("""{ "fonts": [ { "family": "X", "path": "junk.ttf" } ], "messages": [ { "text": "a", "sender": "me" } ] }""", _dir))!;
        Assert.That((junk.Code, junk.Message.Contains("fonts[0]")), Is.EqualTo((ErrorCodes.UnsupportedMedia, true)), junk.Message);
    }
}
