using NUnit.Framework;
using ReelSpeed.Engine.Config;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Config;

public class ChatStoryConfigParserTests
{
    private const string Minimal = """{ "messages": [ { "text": "hi", "sender": "me" } ] }""";

    private static ConfigValidationException Invalid(string json)
    {
        var e = Assert.Throws<ConfigValidationException>(() => ChatStoryConfigParser.Parse(json))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InvalidConfig));
        return e;
    }

    private static IEnumerable<string> Paths(ConfigValidationException e) => e.Errors.Select(x => x.Path);

    [Test]
    public void Minimal_config_gets_the_documented_defaults()
    {
        var c = ChatStoryConfigParser.Parse(Minimal);
        Assert.Multiple(() =>
        {
            Assert.That((c.Video.Width, c.Video.Height, c.Video.Fps), Is.EqualTo((1080, 1920, 30)));
            Assert.That(c.Video.DurationSeconds, Is.Null);
            Assert.That(c.Video.Quality, Is.EqualTo("medium"));
            Assert.That(c.Video.Crf, Is.EqualTo(23));
            Assert.That(c.Video.Preset, Is.EqualTo("veryfast"));
            Assert.That(c.Template, Is.EqualTo("modern-light"));
            Assert.That(c.Animation.Type, Is.EqualTo(MessageAnimation.Slide));
            Assert.That(c.Animation.BaseDelayMs, Is.EqualTo(AnimationSpec.DefaultBaseDelayMs));
            Assert.That(c.Audio.Enabled, Is.True);
            Assert.That(c.Audio.BackgroundMusicPath, Is.Null);
            Assert.That(c.Messages, Has.Count.EqualTo(1));
        });
    }

    [TestCase("low", 28)]
    [TestCase("medium", 23)]
    [TestCase("high", 20)]
    public void Quality_presets_map_to_crf(string quality, int crf)
    {
        var c = ChatStoryConfigParser.Parse($$"""{ "videoSettings": { "quality": "{{quality}}" }, "messages": [ { "text": "hi", "sender": "me" } ] }""");
        Assert.That(c.Video.Crf, Is.EqualTo(crf));
    }

    [Test]
    public void Crf_and_preset_override_the_quality_preset()
    {
        var c = ChatStoryConfigParser.Parse("""{ "videoSettings": { "quality": "low", "crf": 17, "preset": "medium" }, "messages": [ { "text": "hi", "sender": "me" } ] }""");
        Assert.That((c.Video.Crf, c.Video.Preset), Is.EqualTo((17, "medium")));
    }

    [TestCase("{\"videoSettings\": {\"fps\": \"thirty\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.fps", "\"thirty\"")]
    [TestCase("{\"videoSettings\": {\"fps\": 29.97}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.fps", "29.97")]
    [TestCase("{\"videoSettings\": {\"fps\": 0}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.fps", "0")]
    [TestCase("{\"videoSettings\": {\"resolution\": \"1081x1920\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.resolution", "1081x1920")]
    [TestCase("{\"videoSettings\": {\"resolution\": \"8192x8192\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.resolution", "8192x8192")]
    [TestCase("{\"videoSettings\": {\"duration\": -1}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.duration", "-1")]
    [TestCase("{\"videoSettings\": {\"quality\": \"ultra\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.quality", "\"ultra\"")]
    [TestCase("{\"videoSettings\": {\"crf\": 60}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.crf", "60")]
    [TestCase("{\"videoSettings\": {\"preset\": \"warp\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.preset", "\"warp\"")]
    [TestCase("{\"template\": \"neon\", \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "template", "\"neon\"")]
    [TestCase("{\"colorCustomization\": {\"senderBubbleColor\": \"blue-ish\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "colorCustomization.senderBubbleColor", "\"blue-ish\"")]
    [TestCase("{\"backgroundSettings\": {\"backgroundType\": \"plasma\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "backgroundSettings.backgroundType", "\"plasma\"")]
    [TestCase("{\"backgroundSettings\": {\"gradientColors\": [\"#fff\"]}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "backgroundSettings.gradientColors", "an array")]
    [TestCase("{\"backgroundSettings\": {\"gradientColors\": [\"#fff\", 12]}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "backgroundSettings.gradientColors[1]", "12")]
    [TestCase("{\"backgroundSettings\": {\"gradientAngle\": \"up\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "backgroundSettings.gradientAngle", "\"up\"")]
    [TestCase("{\"animationSettings\": {\"messageAnimationType\": \"spin\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "animationSettings.messageAnimationType", "\"spin\"")]
    [TestCase("{\"animationSettings\": {\"baseDelay\": -5}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "animationSettings.baseDelay", "-5")]
    [TestCase("{\"animationSettings\": {\"messageDelay\": \"soon\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "animationSettings.messageDelay", "\"soon\"")]
    [TestCase("{\"animationSettings\": {\"transitionDuration\": 99999}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "animationSettings.transitionDuration", "99999")]
    [TestCase("{\"animationSettings\": {\"showMessageAnimations\": \"yes\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "animationSettings.showMessageAnimations", "\"yes\"")]
    [TestCase("{\"messages\": [{\"text\": \"\", \"sender\": \"me\"}]}", "messages[0].text", "empty")]
    [TestCase("{\"messages\": [{\"text\": 5, \"sender\": \"me\"}]}", "messages[0].text", "5")]
    [TestCase("{\"messages\": [{\"text\": \"a\", \"sender\": \"\"}]}", "messages[0].sender", "\"\"")]
    [TestCase("{\"messages\": [{\"text\": \"a\", \"sender\": 3}]}", "messages[0].sender", "3")]
    [TestCase("{\"messages\": [{\"text\": \"a\", \"sender\": \"a-name-that-is-much-too-long-to-be-a-label-in-a-chat\"}]}", "messages[0].sender", "1..40")]
    [TestCase("{\"messages\": [{\"text\": \"a\", \"sender\": \"me\", \"imageUrl\": 7}]}", "messages[0].imageUrl", "7")]
    [TestCase("{\"messages\": [{\"sender\": \"me\", \"imageUrl\": \"ftp://x/y.png\"}]}", "messages[0].imageUrl", "http(s) URL")]
    [TestCase("{\"chatOverlay\": {\"position\": \"left\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "chatOverlay.position", "\"left\"")]
    [TestCase("{\"chatOverlay\": {\"widthPercent\": 10}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "chatOverlay.widthPercent", "10")]
    [TestCase("{\"chatOverlay\": {\"scale\": 5}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "chatOverlay.scale", "5")]
    [TestCase("{\"chatOverlay\": {\"opacity\": -0.5}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "chatOverlay.opacity", "-0.5")]
    [TestCase("{\"chatOverlay\": {\"showHeader\": \"yes\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "chatOverlay.showHeader", "\"yes\"")]
    [TestCase("{\"chatOverlay\": {\"contactName\": 42}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "chatOverlay.contactName", "42")]
    [TestCase("{\"chatOverlay\": {\"avatarUrl\": \"gopher://a/b.png\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "chatOverlay.avatarUrl", "http(s) URL")]
    [TestCase("{\"chatOverlay\": \"top\", \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "chatOverlay", "\"top\"")]
    [TestCase("{\"backgroundSettings\": {\"backgroundType\": \"image\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "backgroundSettings.backgroundUrl", "required")]
    [TestCase("{\"backgroundSettings\": {\"backgroundType\": \"video\", \"backgroundUrl\": \"\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "backgroundSettings.backgroundUrl", "required")]
    [TestCase("{\"backgroundSettings\": {\"backgroundOpacity\": 150}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "backgroundSettings.backgroundOpacity", "150")]
    [TestCase("{\"backgroundSettings\": {\"backgroundBlur\": \"lots\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "backgroundSettings.backgroundBlur", "\"lots\"")]
    [TestCase("{\"backgroundSettings\": {\"backgroundBlur\": 500}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "backgroundSettings.backgroundBlur", "500")]
    [TestCase("{\"animationSettings\": {\"animationSpeed\": \"ludicrous\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "animationSettings.animationSpeed", "\"ludicrous\"")]
    [TestCase("{\"animationSettings\": {\"showTypingIndicator\": 1}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "animationSettings.showTypingIndicator", "1")]
    [TestCase("{\"videoSettings\": {\"greenScreen\": \"on\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.greenScreen", "\"on\"")]
    [TestCase("{\"videoSettings\": {\"brainrotMode\": true}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.brainrotMode", "background video")]
    [TestCase("{\"videoSettings\": {\"brainrotMode\": true, \"greenScreen\": true}, \"backgroundSettings\": {\"backgroundType\": \"video\", \"backgroundUrl\": \"v.mp4\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "videoSettings.greenScreen", "brainrotMode")]
    [TestCase("{\"colorCustomization\": {\"headerBackgroundColor\": \"teal-ish\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "colorCustomization.headerBackgroundColor", "\"teal-ish\"")]
    [TestCase("{\"fonts\": {}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "fonts", "an object")]
    [TestCase("{\"fonts\": [{\"family\": \"X\"}], \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "fonts[0].path", "required")]
    [TestCase("{\"fonts\": [{\"path\": \"x.ttf\"}], \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "fonts[0].family", "required")]
    [TestCase("{\"fonts\": [3], \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "fonts[0]", "3")]
    [TestCase("{\"messages\": [{\"text\": \"a\"}]}", "messages[0].sender", "required")]
    [TestCase("{\"messages\": [{\"text\": \"a\", \"sender\": \"me\", \"audioDuration\": 0}]}", "messages[0].audioDuration", "0")]
    [TestCase("{\"messages\": []}", "messages", "empty")]
    [TestCase("{\"messages\": {}}", "messages", "an object")]
    [TestCase("{}", "messages", "required")]
    [TestCase("{\"voiceAudioSettings\": {\"enableAudio\": 1}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "voiceAudioSettings.enableAudio", "1")]
    [TestCase("{\"voiceAudioSettings\": {\"backgroundMusicVolume\": 150}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "voiceAudioSettings.backgroundMusicVolume", "150")]
    [TestCase("{\"voiceAudioSettings\": {\"masterVolume\": -1}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "voiceAudioSettings.masterVolume", "-1")]
    [TestCase("{\"voiceAudioSettings\": {\"backgroundMusicUrl\": \"ftp://x/y.mp3\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "voiceAudioSettings.backgroundMusicUrl", "http(s) URL")]
    [TestCase("{\"audioSettings\": {\"masterVolume\": \"loud\"}, \"messages\": [{\"text\": \"a\", \"sender\": \"me\"}]}", "audioSettings.masterVolume", "\"loud\"")]
    public void Each_bad_field_is_reported_with_its_path_and_what_was_found(string json, string path, string found)
    {
        var e = Invalid(json);
        var error = e.Errors.FirstOrDefault(x => x.Path == path);
        Assert.That(error, Is.Not.Null, $"no error for {path}; got: {e.Message}");
        Assert.That(error!.Message, Does.Contain(found));
        Assert.That(e.Message, Does.Contain(path));
    }

    [Test]
    public void Every_error_is_reported_at_once()
    {
        var e = Invalid("""
            { "videoSettings": { "fps": "thirty", "resolution": "big" }, "template": 7,
              "messages": [ { "text": "ok", "sender": "me" }, { "text": "", "sender": 5 } ] }
            """);
        Assert.That(Paths(e), Is.SupersetOf(new[] { "videoSettings.fps", "videoSettings.resolution", "template", "messages[1].text", "messages[1].sender" }));
    }

    [Test]
    public void Audio_settings_parse_with_their_defaults_and_values()
    {
        var d = ChatStoryConfigParser.Parse(Minimal).Audio;
        Assert.That((d.VoiceVolume, d.DuckMusicUnderVoice, d.DuckingDb, d.MessageSound, d.LoudnessTarget, d.TruePeakCeiling, d.BitRate),
            Is.EqualTo((100.0, true, -12.0, MessageSound.None, -14.0, -1.0, 128_000)));
        var c = ChatStoryConfigParser.Parse("""
            { "voiceAudioSettings": { "voiceVolume": 80, "duckMusicUnderVoice": false, "duckingDb": -18, "duckAttackMs": 50, "duckReleaseMs": 600,
                "messageSoundEffect": "sfx/ding.wav", "messageSoundVolume": 40, "loudnessTarget": -16, "truePeakCeiling": -2, "audioBitrate": "192k" },
              "messages": [ { "text": "a", "sender": "me", "audioUrl": "voice/0.mp3" } ] }
            """, "/d");
        var a = c.Audio;
        Assert.That((a.VoiceVolume, a.DuckMusicUnderVoice, a.DuckingDb, a.DuckAttackMs, a.DuckReleaseMs), Is.EqualTo((80.0, false, -18.0, 50.0, 600.0)));
        Assert.That((a.MessageSound, a.MessageSoundPath, a.MessageSoundVolume), Is.EqualTo((MessageSound.File, "/d/sfx/ding.wav", 40.0)));
        Assert.That((a.LoudnessTarget, a.TruePeakCeiling, a.BitRate), Is.EqualTo((-16.0, -2.0, 192_000)));
        Assert.That(c.Messages[0].AudioPath, Is.EqualTo("/d/voice/0.mp3"));
        Assert.That(ChatStoryConfigParser.Parse("""{ "voiceAudioSettings": { "messageSoundEffect": "pop", "audioBitrate": 96000 }, "messages": [ { "text": "a", "sender": "me" } ] }""").Audio,
            Has.Property("MessageSound").EqualTo(MessageSound.Pop).And.Property("BitRate").EqualTo(96_000));
    }

    [TestCase("voiceVolume", "120", "120")]
    [TestCase("duckingDb", "6", "6")]
    [TestCase("duckMusicUnderVoice", "\"yes\"", "\"yes\"")]
    [TestCase("duckAttackMs", "-1", "-1")]
    [TestCase("messageSoundEffect", "3", "3")]
    [TestCase("messageSoundEffect", "\"ftp://x/pop.wav\"", "http(s) URL")]
    [TestCase("loudnessTarget", "0", "0")]
    [TestCase("truePeakCeiling", "3", "3")]
    [TestCase("audioBitrate", "\"lots\"", "\"lots\"")]
    [TestCase("audioBitrate", "8000", "8000")]
    public void Bad_audio_settings_are_reported_with_their_path(string field, string value, string found)
    {
        var e = Invalid($$"""{ "voiceAudioSettings": { "{{field}}": {{value}} }, "messages": [ { "text": "a", "sender": "me" } ] }""");
        var error = e.Errors.Single();
        Assert.That(error.Path, Is.EqualTo("voiceAudioSettings." + field));
        Assert.That(error.Message, Does.Contain(found));
        var voice = Invalid("""{ "messages": [ { "text": "a", "sender": "me", "audioUrl": 5 } ] }""");
        Assert.That(voice.Errors.Single().Path, Is.EqualTo("messages[0].audioUrl"));
    }

    [Test]
    public void The_whole_format_parses_with_its_values()
    {
        var c = ChatStoryConfigParser.Parse("""
            { "videoSettings": { "resolution": "1080x1080", "greenScreen": true }, "template": "WhatsApp",
              "colorCustomization": { "headerBackgroundColor": "#112233", "headerTextColor": "#fff" },
              "chatOverlay": { "contactName": " Mia ", "avatarUrl": "a.png", "position": "center", "widthPercent": 90, "scale": 1.2, "opacity": 80 },
              "backgroundSettings": { "backgroundType": "image", "backgroundUrl": "bg.jpg", "backgroundOpacity": 0.5, "backgroundBlur": true },
              "animationSettings": { "messageAnimationType": "pop", "animationSpeed": "slow", "transitionDuration": 300, "showTypingIndicator": true },
              "fonts": [ { "family": "Brand", "path": "fonts/brand.ttf" } ],
              "messages": [ { "text": "hi", "sender": "Alex" }, { "text": "", "sender": "me", "imageUrl": "pic.png" } ] }
            """, "/data");
        Assert.Multiple(() =>
        {
            Assert.That((c.Video.Width, c.Video.Height, c.Video.GreenScreen), Is.EqualTo((1080, 1080, true)));
            Assert.That(c.Template, Is.EqualTo("whatsapp"));
            Assert.That(c.Colors.HeaderBackground, Is.EqualTo(new SKColor(0x11, 0x22, 0x33)));
            Assert.That(c.Overlay, Is.EqualTo(new ChatOverlaySpec("Mia", "/data/a.png", true, OverlayPosition.Center, 90, 1.2, 0.8)));
            Assert.That(c.Background.Kind, Is.EqualTo(BackgroundKind.Image));
            Assert.That((c.Background.MediaPath, c.Background.Opacity, c.Background.BlurRadius), Is.EqualTo(("/data/bg.jpg", 0.5, BackgroundSpec.DefaultBlurRadius)));
            Assert.That(c.Animation.Type, Is.EqualTo(MessageAnimation.Pop));
            Assert.That(c.Animation.SpeedFactor, Is.EqualTo(1.6));
            Assert.That(c.Animation.TransitionMs, Is.EqualTo(300 * 1.6).Within(1e-9), "animationSpeed scales durations");
            Assert.That(c.Animation.ShowTypingIndicator, Is.True);
            Assert.That(c.Fonts.Single(), Is.EqualTo(new CustomFont("Brand", "/data/fonts/brand.ttf")));
            Assert.That(c.Messages[0], Is.EqualTo(new MessageSpec("hi", Sender.Them, null, "Alex")));
            Assert.That(c.Messages[1].ImagePath, Is.EqualTo("/data/pic.png"));
            Assert.That(ChatStoryConfigParser.ReferencedFiles(c).Select(f => f.Field), Is.EquivalentTo(new[]
                { "chatOverlay.avatarUrl", "backgroundSettings.backgroundUrl", "messages[1].imageUrl", "fonts[0].path" }));
        });
    }

    [Test]
    public void An_input_path_is_the_background_video()
    {
        var c = ChatStoryConfigParser.Parse(Minimal, "/data", inputVideoPath: "/clips/gameplay.mp4");
        Assert.That((c.Background.Kind, c.Background.MediaPath), Is.EqualTo((BackgroundKind.Video, "/clips/gameplay.mp4")));
        var e = Invalid2("""{ "backgroundSettings": { "backgroundType": "video", "backgroundUrl": "x.mp4" }, "messages": [ { "text": "a", "sender": "me" } ] }""", "/clips/g.mp4");
        Assert.That(e.Errors.Single().Path, Is.EqualTo("backgroundSettings.backgroundUrl"));
    }

    private static ConfigValidationException Invalid2(string json, string input) =>
        Assert.Throws<ConfigValidationException>(() => ChatStoryConfigParser.Parse(json, "/data", input))!;

    [Test]
    public void A_background_url_without_a_type_is_an_image_or_video_by_extension()
    {
        var img = ChatStoryConfigParser.Parse("""{ "backgroundSettings": { "backgroundUrl": "b.webp" }, "messages": [ { "text": "a", "sender": "me" } ] }""");
        var vid = ChatStoryConfigParser.Parse("""{ "backgroundSettings": { "backgroundUrl": "b.mov" }, "messages": [ { "text": "a", "sender": "me" } ] }""");
        Assert.That((img.Background.Kind, vid.Background.Kind), Is.EqualTo((BackgroundKind.Image, BackgroundKind.Video)));
    }

    [Test]
    public void Unknown_fields_become_warnings()
    {
        var c = ChatStoryConfigParser.Parse("""{ "messages": [ { "text": "a", "sender": "me", "mood": "happy" } ], "sparkles": true }""");
        Assert.That(c.Warnings, Has.Some.Contains("messages[0].mood"));
        Assert.That(c.Warnings, Has.Some.Contains("sparkles"));
    }

    [Test]
    public void A_lone_surrogate_in_text_is_a_config_error_not_a_crash()
    {
        var e = Invalid("""{ "messages": [ { "text": "broken \ud800 text", "sender": "me" } ], "template": "\udfff" }""");
        Assert.That(e.Errors.Select(x => x.Path), Is.SupersetOf(new[] { "messages[0].text", "template" }));
        Assert.That(e.Errors.First(x => x.Path == "messages[0].text").Message, Does.Contain("lone surrogate"));
    }

    [Test]
    public void Invalid_json_is_a_config_error()
    {
        var e = Invalid("{ \"messages\": [ ");
        Assert.That(e.Errors.Single().Path, Is.EqualTo("config"));
        Assert.That(e.Message, Does.Contain("not valid JSON"));
        Assert.That(Invalid("[1, 2]").Message, Does.Contain("expected an object"));
    }

    [Test]
    public void Colours_parse_in_hex_and_css_forms()
    {
        var c = ChatStoryConfigParser.Parse("""
            { "colorCustomization": { "senderBubbleColor": "#0f0", "receiverBubbleColor": "#11223344", "senderTextColor": "rgb(1, 2, 3)", "receiverTextColor": "rgba(255,0,0,0.5)" },
              "messages": [ { "text": "a", "sender": "me" } ] }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(c.Colors.SenderBubble, Is.EqualTo(new SKColor(0, 255, 0)));
            Assert.That(c.Colors.ReceiverBubble, Is.EqualTo(new SKColor(0x11, 0x22, 0x33, 0x44)));
            Assert.That(c.Colors.SenderText, Is.EqualTo(new SKColor(1, 2, 3)));
            Assert.That(c.Colors.ReceiverText, Is.EqualTo(new SKColor(255, 0, 0, 128)));
        });
    }

    [Test]
    public void Relative_music_paths_resolve_against_the_base_directory()
    {
        var c = ChatStoryConfigParser.Parse("""{ "voiceAudioSettings": { "backgroundMusicUrl": "assets/m.mp3" }, "messages": [ { "text": "a", "sender": "me" } ] }""", "/srv/stories");
        Assert.That(c.Audio.BackgroundMusicPath, Is.EqualTo("/srv/stories/assets/m.mp3"));
        var f = ChatStoryConfigParser.Parse("""{ "voiceAudioSettings": { "backgroundMusicUrl": "file:///tmp/a%20b.mp3" }, "messages": [ { "text": "a", "sender": "me" } ] }""");
        Assert.That(f.Audio.BackgroundMusicPath, Is.EqualTo("/tmp/a b.mp3"));
    }

    [Test]
    public void ShowMessageAnimations_false_disables_animation()
    {
        var c = ChatStoryConfigParser.Parse("""{ "animationSettings": { "messageAnimationType": "slide", "showMessageAnimations": false }, "messages": [ { "text": "a", "sender": "me" } ] }""");
        Assert.That(c.Animation.Type, Is.EqualTo(MessageAnimation.None));
    }
}
