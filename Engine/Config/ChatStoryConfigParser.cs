using ReelSpeed.Engine.Assets;
using ReelSpeed.Engine.Media;
using System.Text.Json;

namespace ReelSpeed.Engine.Config;

/// <summary>
/// Parses and validates a ReelSpeed chat-story config (camelCase JSON). Every problem is
/// collected with its path and thrown at once as a <see cref="ConfigValidationException"/>.
/// </summary>
public static class ChatStoryConfigParser
{
    private static readonly string[] Speeds = { "slow", "normal", "fast" };
    private static readonly string[] Positions = { "top", "center" };
    private static readonly string[] ImageExtensions = { ".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp" };
    private static readonly string[] BackgroundTypes = { "color", "gradient", "image", "video" };
    private static readonly string[] AnimationTypes = { "slide", "fade", "none", "pop", "typewriter" };

    public const int MaxMessages = 500;
    public const int MaxMessageLength = 2000;
    public const int MaxNameLength = 40;
    public const int MaxFonts = 16;

    /// <param name="json">The config as JSON text.</param>
    /// <param name="baseDirectory">Relative file paths in the config are resolved against it.</param>
    /// <param name="inputVideoPath">processVideo's inputPath: when given, it is the background video.</param>
    public static ChatStoryConfig Parse(string json, string? baseDirectory = null, string? inputVideoPath = null)
    {
        using var doc = ConfigReader.ParseDocument(json);
        return Parse(doc.RootElement, baseDirectory, inputVideoPath);
    }

    /// <summary>Parses an already parsed config (the engine parses each config's text once, then picks the parser by its kind).</summary>
    public static ChatStoryConfig Parse(JsonElement root, string? baseDirectory, string? inputVideoPath) =>
        ParseRoot(root, baseDirectory ?? Environment.CurrentDirectory, inputVideoPath);

    private static ChatStoryConfig ParseRoot(JsonElement root, string baseDirectory, string? inputVideoPath)
    {
        var r = new ConfigReader();
        if (root.ValueKind != JsonValueKind.Object)
            throw new ConfigValidationException(new[] { new ConfigError("config", $"expected an object, got {ConfigReader.Describe(root)}") });

        r.WarnUnknownKeys(root, "", new[]
        {
            "videoSettings", "template", "colorCustomization", "backgroundSettings", "animationSettings",
            "messages", "voiceAudioSettings", "audioSettings", "chatOverlay", "fonts", "id", "title", "name", "version",
        });

        var video = ParseVideo(r, root);
        var template = ParseTemplate(r, root);
        var colors = ParseColors(r, root);
        var overlay = ParseOverlay(r, root, baseDirectory);
        var background = ParseBackground(r, root, baseDirectory, inputVideoPath);
        var animation = ParseAnimation(r, root);
        var messages = ParseMessages(r, root, baseDirectory, video?.DurationSeconds);
        var audio = ParseAudio(r, root, baseDirectory);
        var fonts = ParseFonts(r, root, baseDirectory);

        if (video is not null && background is not null)
        {
            if (video.BrainrotMode && background.Kind != BackgroundKind.Video)
                r.Error("videoSettings.brainrotMode", "needs a background video: backgroundSettings { backgroundType: \"video\", backgroundUrl } or an inputPath");
            if (video.BrainrotMode && video.GreenScreen)
                r.Error("videoSettings.greenScreen", "cannot be combined with brainrotMode (the lower half is the video, not green)");
        }

        if (r.Errors.Count > 0) throw new ConfigValidationException(r.Errors.ToArray());
        return new ChatStoryConfig(video!, template, colors, overlay, background!, animation!, messages, audio!, fonts, r.Warnings.ToArray());
    }

    private static VideoSettings? ParseVideo(ConfigReader r, JsonElement root)
    {
        const string P = "videoSettings";
        var vs = r.Object(root, "", P) ?? default;
        r.WarnUnknownKeys(vs, P, new[] { "duration", "resolution", "fps", "quality", "crf", "preset", "greenScreen", "brainrotMode", "format" });

        int width = 1080, height = 1920;
        var res = r.String(vs, P, "resolution");
        if (res is not null && !TryParseResolution(res, out width, out height))
            r.Error(P + ".resolution", $"expected \"WIDTHxHEIGHT\" with even sides {VideoSettings.MinSide}..{VideoSettings.MaxSide} such as \"1080x1920\", got {JsonSerializerHelpers.Quote(res)}");

        var fps = r.Integer(vs, P, "fps", 1, VideoSettings.MaxFps) ?? 30;
        var duration = r.Number(vs, P, "duration", 0, VideoSettings.MaxDurationSeconds, "seconds");
        var quality = r.Choice(vs, P, "quality", EncodeSettings.Qualities) ?? EncodeSettings.DefaultQuality;
        var crf = r.Integer(vs, P, "crf", 0, 51) ?? EncodeSettings.CrfForQuality(EncodeSettings.H264, quality);
        var preset = r.Choice(vs, P, "preset", EncodeSettings.Presets) ?? EncodeSettings.DefaultPreset;
        var greenScreen = r.Bool(vs, P, "greenScreen") ?? false;
        var brainrot = r.Bool(vs, P, "brainrotMode") ?? false;
        r.RejectUnlessNeutral(vs, P, "format", v => v.ValueKind == JsonValueKind.String && (ConfigReader.Text(v) ?? "").Equals("mp4", StringComparison.OrdinalIgnoreCase), "a format other than \"mp4\"");

        return new VideoSettings(width, height, fps, duration is > 0 ? duration : null, quality, crf, preset, greenScreen, brainrot);
    }

    internal static bool TryParseResolution(string text, out int width, out int height)
    {
        width = height = 0;
        var parts = text.Trim().ToLowerInvariant().Split('x');
        if (parts.Length != 2) return false;
        if (!int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out width)) return false;
        if (!int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out height)) return false;
        static bool Ok(int v) => v >= VideoSettings.MinSide && v <= VideoSettings.MaxSide && v % 2 == 0;
        return Ok(width) && Ok(height);
    }

    private static string ParseTemplate(ConfigReader r, JsonElement root) =>
        r.Choice(root, "", "template", TemplateNames.All) ?? TemplateNames.Default;

    private static ColorOverrides ParseColors(ConfigReader r, JsonElement root)
    {
        const string P = "colorCustomization";
        var c = r.Object(root, "", P) ?? default;
        r.WarnUnknownKeys(c, P, new[] { "senderBubbleColor", "senderTextColor", "receiverBubbleColor", "receiverTextColor", "backgroundColor", "headerBackgroundColor", "headerTextColor" });
        return new ColorOverrides(
            r.Color(c, P, "senderBubbleColor"), r.Color(c, P, "senderTextColor"),
            r.Color(c, P, "receiverBubbleColor"), r.Color(c, P, "receiverTextColor"),
            r.Color(c, P, "backgroundColor"), r.Color(c, P, "headerBackgroundColor"), r.Color(c, P, "headerTextColor"));
    }

    private static ChatOverlaySpec ParseOverlay(ConfigReader r, JsonElement root, string baseDirectory)
    {
        const string P = "chatOverlay";
        var o = r.Object(root, "", P);
        if (o is null) return ChatOverlaySpec.Default;
        var c = o.Value;
        r.WarnUnknownKeys(c, P, new[] { "contactName", "avatarUrl", "showHeader", "position", "widthPercent", "scale", "opacity" });
        var name = r.String(c, P, "contactName");
        if (name is not null && name.Length > 100) r.Error(P + ".contactName", $"expected at most 100 characters, got {name.Length}");
        var avatarUrl = r.String(c, P, "avatarUrl");
        var avatar = string.IsNullOrWhiteSpace(avatarUrl) ? null : ResolveLocalPath(r, P + ".avatarUrl", avatarUrl, baseDirectory);
        var show = r.Bool(c, P, "showHeader") ?? (!string.IsNullOrWhiteSpace(name) || avatar is not null);
        var position = r.Choice(c, P, "position", Positions) == "center" ? OverlayPosition.Center : OverlayPosition.Top;
        return new ChatOverlaySpec(
            string.IsNullOrWhiteSpace(name) ? null : name.Trim(), avatar, show, position,
            r.Number(c, P, "widthPercent", ChatOverlaySpec.MinWidthPercent, 100, "percent") ?? ChatOverlaySpec.DefaultWidthPercent,
            r.Number(c, P, "scale", ChatOverlaySpec.MinScale, ChatOverlaySpec.MaxScale) ?? 1,
            Fraction(r, c, P, "opacity") ?? 1);
    }

    /// <summary>An opacity: a fraction 0..1, or a percentage when above 1 (platform configs store both).</summary>
    private static double? Fraction(ConfigReader r, JsonElement obj, string path, string name)
    {
        var v = r.Number(obj, path, name, 0, 100, "(a fraction 0..1 or a percentage)");
        return v is > 1 ? v / 100 : v;
    }

    private static BackgroundSpec? ParseBackground(ConfigReader r, JsonElement root, string baseDirectory, string? inputVideoPath)
    {
        const string P = "backgroundSettings";
        var b = r.Object(root, "", P) ?? default;
        r.WarnUnknownKeys(b, P, new[] { "backgroundType", "backgroundColor", "gradientColors", "gradientAngle", "backgroundUrl", "backgroundOpacity", "backgroundBlur" });
        var type = r.Choice(b, P, "backgroundType", BackgroundTypes);
        var url = r.String(b, P, "backgroundUrl");
        string? media = string.IsNullOrWhiteSpace(url) ? null : ResolveLocalPath(r, P + ".backgroundUrl", url, baseDirectory);
        if (type is null && media is not null)
            type = ImageExtensions.Contains(Path.GetExtension(AssetResolver.IsRemote(media) ? new Uri(media).AbsolutePath : media).ToLowerInvariant()) ? "image" : "video";
        if (!string.IsNullOrEmpty(inputVideoPath))
        {
            // processVideo's input clip is the background video.
            if (type is "image" || (type is "video" && media is not null))
                r.Error(P + ".backgroundUrl", "an inputPath was given as the background video; leave backgroundUrl empty or the inputPath empty");
            type = "video";
            media = AssetResolver.IsRemote(inputVideoPath) ? inputVideoPath.Trim() : Path.GetFullPath(inputVideoPath);
        }
        if (type is "image" or "video" && media is null)
            r.Error(P + ".backgroundUrl", $"is required for backgroundType \"{type}\" (a local path, file:// or http(s) URL)");

        var color = r.Color(b, P, "backgroundColor");
        List<SkiaSharp.SKColor>? stops = null;
        if (ConfigReader.TryGet(b, "gradientColors", out var g))
        {
            if (g.ValueKind != JsonValueKind.Array || g.GetArrayLength() < 2 || g.GetArrayLength() > 16)
            {
                r.Error(P + ".gradientColors", $"expected an array of 2..16 colours, got {ConfigReader.Describe(g)}" +
                    (g.ValueKind == JsonValueKind.Array ? $" of {g.GetArrayLength()}" : ""));
            }
            else
            {
                stops = new List<SkiaSharp.SKColor>();
                int i = 0;
                foreach (var e in g.EnumerateArray())
                {
                    if (e.ValueKind == JsonValueKind.String && ColorParser.TryParse((ConfigReader.Text(e) ?? ""), out var col)) stops.Add(col);
                    else r.Error($"{P}.gradientColors[{i}]", $"expected a colour such as \"#1E3A8A\", got {ConfigReader.Describe(e)}");
                    i++;
                }
            }
        }
        var angle = r.Number(b, P, "gradientAngle", -360, 360, "degrees") ?? BackgroundSpec.DefaultGradientAngle;
        var opacity = Fraction(r, b, P, "backgroundOpacity") ?? 1;
        double blur = 0;
        if (ConfigReader.TryGet(b, "backgroundBlur", out var bl))
        {
            if (bl.ValueKind == JsonValueKind.True) blur = BackgroundSpec.DefaultBlurRadius;
            else if (bl.ValueKind == JsonValueKind.False) blur = 0;
            else blur = r.Number(b, P, "backgroundBlur", 0, BackgroundSpec.MaxBlurRadius, "pixels (or true/false)") ?? 0;
        }
        var kind = type switch
        {
            "color" => BackgroundKind.Color,
            "gradient" => BackgroundKind.Gradient,
            "image" => BackgroundKind.Image,
            "video" => BackgroundKind.Video,
            _ => stops is not null || color is null ? BackgroundKind.Gradient : BackgroundKind.Color,
        };
        return new BackgroundSpec(kind, color, stops, angle, kind is BackgroundKind.Image or BackgroundKind.Video ? media : null, opacity, blur);
    }

    /// <summary>Whether the header shows (as <see cref="ParseOverlay"/> decides), for the no-messages warning.</summary>
    private static bool ShowsHeader(JsonElement root)
    {
        if (!ConfigReader.TryGet(root, "chatOverlay", out var c) || c.ValueKind != JsonValueKind.Object) return false;
        if (ConfigReader.TryGet(c, "showHeader", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False) return s.GetBoolean();
        return ConfigReader.TryGet(c, "contactName", out var n) && n.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(n.GetString())
            || ConfigReader.TryGet(c, "avatarUrl", out var a) && a.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(a.GetString());
    }

    private static AnimationSpec? ParseAnimation(ConfigReader r, JsonElement root)
    {
        const string P = "animationSettings";
        var a = r.Object(root, "", P) ?? default;
        r.WarnUnknownKeys(a, P, new[] { "messageAnimationType", "transitionDuration", "baseDelay", "messageDelay", "showMessageAnimations", "animationSpeed", "showTypingIndicator" });
        var typeText = r.Choice(a, P, "messageAnimationType", AnimationTypes) ?? "slide";
        var type = typeText switch
        {
            "fade" => MessageAnimation.Fade,
            "pop" => MessageAnimation.Pop,
            "typewriter" => MessageAnimation.Typewriter,
            "none" => MessageAnimation.None,
            _ => MessageAnimation.Slide,
        };
        bool animate = r.Bool(a, P, "showMessageAnimations") ?? true;
        if (!animate) type = MessageAnimation.None;
        double speed = AnimationSpec.SpeedFactorOf(r.Choice(a, P, "animationSpeed", Speeds) ?? "normal");
        bool typing = (r.Bool(a, P, "showTypingIndicator") ?? false) && animate;
        return new AnimationSpec(
            type,
            (r.Number(a, P, "transitionDuration", 0, 5000, "ms") ?? AnimationSpec.DefaultTransitionMs) * speed,
            r.Number(a, P, "baseDelay", 0, 600_000, "ms") ?? AnimationSpec.DefaultBaseDelayMs,
            r.Number(a, P, "messageDelay", 0, 600_000, "ms") ?? AnimationSpec.DefaultMessageDelayMs,
            speed, typing);
    }

    /// <param name="durationSeconds">videoSettings.duration: with it, no messages is allowed (the background and header for that long, with a warning).</param>
    private static IReadOnlyList<MessageSpec> ParseMessages(ConfigReader r, JsonElement root, string baseDirectory, double? durationSeconds)
    {
        var list = new List<MessageSpec>();
        bool present = ConfigReader.TryGet(root, "messages", out var arr);
        if (!present || arr.ValueKind == JsonValueKind.Array && arr.GetArrayLength() == 0)
        {
            if (durationSeconds is { } d)
                r.Warn($"messages: {(present ? "empty" : "none given")}; the video shows only the background{(ShowsHeader(root) ? " and header" : "")} for videoSettings.duration ({d:0.###} s)");
            else if (present) r.Error("messages", "expected at least one message, got an empty array (or give videoSettings.duration for a video of the background alone)");
            else r.Error("messages", "is required (an array of { text, sender }), unless videoSettings.duration gives the length of a video without messages");
            return list;
        }
        if (arr.ValueKind != JsonValueKind.Array)
        {
            r.Error("messages", $"expected an array, got {ConfigReader.Describe(arr)}");
            return list;
        }
        if (arr.GetArrayLength() > MaxMessages) r.Error("messages", $"expected at most {MaxMessages} messages, got {arr.GetArrayLength()}");

        int i = 0;
        foreach (var m in arr.EnumerateArray())
        {
            if (i == MaxMessages) break; // over the cap (reported above): the rest is not validated
            var path = $"messages[{i++}]";
            if (m.ValueKind != JsonValueKind.Object)
            {
                r.Error(path, $"expected an object {{ text, sender }}, got {ConfigReader.Describe(m)}");
                continue;
            }
            r.WarnUnknownKeys(m, path, new[] { "text", "sender", "audioDuration", "audioUrl", "imageUrl", "id", "timestamp" });
            var imageUrl = r.String(m, path, "imageUrl");
            string? image = string.IsNullOrWhiteSpace(imageUrl) ? null : ResolveLocalPath(r, path + ".imageUrl", imageUrl, baseDirectory);
            var text = image is null ? r.String(m, path, "text", required: true) : r.String(m, path, "text") ?? "";
            if (text is not null && image is null && string.IsNullOrWhiteSpace(text)) r.Error(path + ".text", "must not be empty (a picture message needs an imageUrl)");
            if (text is not null && text.Length > MaxMessageLength) r.Error(path + ".text", $"expected at most {MaxMessageLength} characters, got {text.Length}");
            var (sender, name) = ParseSender(r, m, path);
            var audioDuration = r.Number(m, path, "audioDuration", 0.05, 600, "seconds");
            var audioUrl = r.String(m, path, "audioUrl");
            string? voice = string.IsNullOrWhiteSpace(audioUrl) ? null : ResolveLocalPath(r, path + ".audioUrl", audioUrl, baseDirectory);
            if (text is not null && sender is not null)
                list.Add(new MessageSpec(text.Trim(), sender.Value, audioDuration, name, image, voice));
        }
        return list;
    }

    /// <summary>"me", "them", or a participant's name (a group chat: shown left, with a name label).</summary>
    private static (Sender?, string?) ParseSender(ConfigReader r, JsonElement m, string path)
    {
        if (!ConfigReader.TryGet(m, "sender", out var v))
        {
            r.Error(path + ".sender", "is required (\"me\", \"them\" or a participant's name)");
            return (null, null);
        }
        var s = v.ValueKind == JsonValueKind.String ? ConfigReader.Text(v)?.Trim() : null;
        if (string.IsNullOrEmpty(s) || s.Length > MaxNameLength)
        {
            r.Error(path + ".sender", $"expected \"me\", \"them\" or a participant's name of 1..{MaxNameLength} characters, got {ConfigReader.Describe(v)}");
            return (null, null);
        }
        return s.ToLowerInvariant() switch
        {
            "me" => (Sender.Me, null),
            "them" => (Sender.Them, null),
            _ => (Sender.Them, s),
        };
    }

    private static AudioSpec? ParseAudio(ConfigReader r, JsonElement root, string baseDirectory)
    {
        var name = ConfigReader.TryGet(root, "voiceAudioSettings", out _) ? "voiceAudioSettings" : "audioSettings";
        var a = r.Object(root, "", name) ?? default;
        r.WarnUnknownKeys(a, name, new[]
        {
            "enableAudio", "backgroundMusicUrl", "backgroundMusicVolume", "masterVolume", "voiceVolume", "duckMusicUnderVoice",
            "duckingDb", "duckAttackMs", "duckReleaseMs", "messageSoundEffect", "messageSoundVolume", "loudnessTarget",
            "truePeakCeiling", "audioBitrate",
        });
        var enabled = r.Bool(a, name, "enableAudio") ?? true;
        var url = r.String(a, name, "backgroundMusicUrl");
        string? path = null;
        if (!string.IsNullOrWhiteSpace(url))
            path = ResolveLocalPath(r, name + ".backgroundMusicUrl", url, baseDirectory);

        var sound = MessageSound.None;
        string? soundPath = null;
        var effect = r.String(a, name, "messageSoundEffect");
        if (effect is not null)
        {
            switch (effect.Trim().ToLowerInvariant())
            {
                case "none" or "": break;
                case "pop": sound = MessageSound.Pop; break;
                default:
                    sound = MessageSound.File;
                    soundPath = ResolveLocalPath(r, name + ".messageSoundEffect", effect, baseDirectory);
                    break;
            }
        }
        return new AudioSpec(
            enabled,
            path,
            r.Number(a, name, "backgroundMusicVolume", 0, 100) ?? AudioSpec.DefaultMusicVolume,
            r.Number(a, name, "masterVolume", 0, 100) ?? AudioSpec.DefaultMasterVolume,
            r.Number(a, name, "voiceVolume", 0, 100) ?? AudioSpec.DefaultVoiceVolume,
            r.Bool(a, name, "duckMusicUnderVoice") ?? true,
            r.Number(a, name, "duckingDb", -60, 0, "dB") ?? AudioSpec.DefaultDuckingDb,
            r.Number(a, name, "duckAttackMs", 0, 5000, "ms") ?? AudioSpec.DefaultDuckAttackMs,
            r.Number(a, name, "duckReleaseMs", 0, 5000, "ms") ?? AudioSpec.DefaultDuckReleaseMs,
            sound, soundPath,
            r.Number(a, name, "messageSoundVolume", 0, 100) ?? AudioSpec.DefaultMessageSoundVolume,
            r.Number(a, name, "loudnessTarget", -40, -5, "LUFS") ?? AudioSpec.DefaultLoudnessTarget,
            r.Number(a, name, "truePeakCeiling", -9, 0, "dBTP") ?? AudioSpec.DefaultTruePeakCeiling,
            ParseBitRate(r, a, name)) { Key = name };
    }

    /// <summary><c>audioBitrate</c>: bits per second (128000) or "128k".</summary>
    private static int ParseBitRate(ConfigReader r, JsonElement a, string path)
    {
        if (!ConfigReader.TryGet(a, "audioBitrate", out var v)) return AudioSpec.DefaultBitRate;
        double? bps = null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d)) bps = d;
        else if (v.ValueKind == JsonValueKind.String)
        {
            var t = (ConfigReader.Text(v) ?? "").Trim().ToLowerInvariant();
            double k = t.EndsWith('k') ? 1000 : 1;
            if (double.TryParse(t.TrimEnd('k'), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n)) bps = n * k;
        }
        if (bps is { } b && b >= AudioSpec.MinBitRate && b <= AudioSpec.MaxBitRate) return (int)b;
        r.Error(path + ".audioBitrate", $"expected a bit rate {AudioSpec.MinBitRate / 1000}k..{AudioSpec.MaxBitRate / 1000}k (a number of bits per second or a string such as \"128k\"), got {ConfigReader.Describe(v)}");
        return AudioSpec.DefaultBitRate;
    }

    private static IReadOnlyList<CustomFont> ParseFonts(ConfigReader r, JsonElement root, string baseDirectory)
    {
        var list = new List<CustomFont>();
        if (!ConfigReader.TryGet(root, "fonts", out var arr)) return list;
        if (arr.ValueKind != JsonValueKind.Array || arr.GetArrayLength() > MaxFonts)
        {
            r.Error("fonts", $"expected an array of at most {MaxFonts} {{ family, path }}, got {ConfigReader.Describe(arr)}");
            return list;
        }
        int i = 0;
        foreach (var f in arr.EnumerateArray())
        {
            var path = $"fonts[{i++}]";
            if (f.ValueKind != JsonValueKind.Object)
            {
                r.Error(path, $"expected an object {{ family, path }}, got {ConfigReader.Describe(f)}");
                continue;
            }
            var family = r.String(f, path, "family", required: true);
            var file = r.String(f, path, "path", required: true);
            var full = string.IsNullOrWhiteSpace(file) ? null : ResolveLocalPath(r, path + ".path", file, baseDirectory);
            if (string.IsNullOrWhiteSpace(file) && file is not null) r.Error(path + ".path", "must not be empty");
            if (family is not null && full is not null) list.Add(new CustomFont(family, full));
        }
        return list;
    }

    /// <summary>Every local file a config refers to, with the field that names it (checked before rendering).</summary>
    public static IEnumerable<(string Field, string Path)> ReferencedFiles(ChatStoryConfig c)
    {
        if (c.Audio.BackgroundMusicPath is { } music) yield return (c.Audio.Key + ".backgroundMusicUrl", music);
        if (c.Audio.MessageSoundPath is { } sound) yield return (c.Audio.Key + ".messageSoundEffect", sound);
        for (int i = 0; i < c.Messages.Count; i++)
            if (c.Messages[i].AudioPath is { } voice) yield return ($"messages[{i}].audioUrl", voice);
        if (c.Overlay.AvatarPath is { } avatar) yield return ("chatOverlay.avatarUrl", avatar);
        if (c.Background.MediaPath is { } media) yield return ("backgroundSettings.backgroundUrl", media);
        for (int i = 0; i < c.Messages.Count; i++)
            if (c.Messages[i].ImagePath is { } img) yield return ($"messages[{i}].imageUrl", img);
        for (int i = 0; i < c.Fonts.Count; i++) yield return ($"fonts[{i}].path", c.Fonts[i].Path);
    }

    /// <summary>
    /// Accepts a plain path or a file:// URL (made absolute), or an http(s) URL, kept as the URL:
    /// the caller fetches it (<see cref="AssetFields"/>) before the scene is built.
    /// </summary>
    internal static string? ResolveLocalPath(ConfigReader r, string path, string url, string baseDirectory)
    {
        var u = url.Trim();
        if (u.Contains('\0'))
        {
            r.Error(path, $"contains a NUL character, which no file name can: {JsonSerializerHelpers.Quote(u)}");
            return null;
        }
        if (AssetResolver.IsRemote(u))
        {
            if (!Uri.TryCreate(u, UriKind.Absolute, out var remote) || string.IsNullOrEmpty(remote.Host))
            {
                r.Error(path, $"expected a valid http(s) URL, got {JsonSerializerHelpers.Quote(AssetResolver.Display(u))}");
                return null;
            }
            return u;
        }
        if (System.Text.RegularExpressions.Regex.IsMatch(u, "^[A-Za-z][A-Za-z0-9+.-]+://") && !u.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            r.Error(path, $"expected a local path, a file:// URL or an http(s) URL, got {JsonSerializerHelpers.Quote(AssetResolver.Display(u))}");
            return null;
        }
        if (u.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(u, UriKind.Absolute, out var uri) || !uri.IsFile)
            {
                r.Error(path, $"expected a local path or file:// URL, got {JsonSerializerHelpers.Quote(u)}");
                return null;
            }
            u = uri.LocalPath;
        }
        return Path.GetFullPath(u, baseDirectory);
    }
}
