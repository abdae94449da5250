using System.Text.Json;

namespace ReelSpeed.Engine.Config;

/// <summary>
/// Parses and validates a ReelSpeed chat-story config (camelCase JSON). Every problem is
/// collected with its path and thrown at once as a <see cref="ConfigValidationException"/>.
/// </summary>
public static class ChatStoryConfigParser
{
    public static readonly string[] Templates = { "modern-light", "modern-dark" };
    private static readonly string[] LaterTemplates = { "imessage", "whatsapp", "instagram", "discord" };
    private static readonly string[] BackgroundTypes = { "color", "gradient", "image", "video" };
    private static readonly string[] AnimationTypes = { "slide", "fade", "none", "pop", "typewriter" };
    private static readonly string[] Senders = { "me", "them" };

    public const int MaxMessages = 500;
    public const int MaxMessageLength = 2000;

    /// <param name="json">The config as JSON text.</param>
    /// <param name="baseDirectory">Relative file paths in the config are resolved against it.</param>
    public static ChatStoryConfig Parse(string json, string? baseDirectory = null)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ConfigValidationException(new[] { new ConfigError("config", $"is not valid JSON ({e.Message})") });
        }
        using (doc)
        {
            return Parse(doc.RootElement, baseDirectory ?? Environment.CurrentDirectory);
        }
    }

    private static ChatStoryConfig Parse(JsonElement root, string baseDirectory)
    {
        var r = new ConfigReader();
        if (root.ValueKind != JsonValueKind.Object)
            throw new ConfigValidationException(new[] { new ConfigError("config", $"expected an object, got {ConfigReader.Describe(root)}") });

        r.WarnUnknownKeys(root, "", new[]
        {
            "videoSettings", "template", "colorCustomization", "backgroundSettings", "animationSettings",
            "messages", "voiceAudioSettings", "audioSettings", "chatOverlay", "id", "title", "name", "version",
        });

        var video = ParseVideo(r, root);
        var template = ParseTemplate(r, root);
        var colors = ParseColors(r, root);
        var background = ParseBackground(r, root);
        var animation = ParseAnimation(r, root);
        var messages = ParseMessages(r, root);
        var audio = ParseAudio(r, root, baseDirectory);

        if (ConfigReader.TryGet(root, "chatOverlay", out var overlay))
        {
            if (overlay.ValueKind != JsonValueKind.Object)
                r.Error("chatOverlay", $"expected an object, got {ConfigReader.Describe(overlay)}");
            else
                r.RejectUnlessNeutral(overlay, "chatOverlay", "showHeader", v => v.ValueKind == JsonValueKind.False, "a chat header");
        }

        if (r.Errors.Count > 0) throw new ConfigValidationException(r.Errors.ToArray());
        return new ChatStoryConfig(video!, template, colors, background!, animation!, messages, audio!, r.Warnings.ToArray());
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
        var quality = r.Choice(vs, P, "quality", VideoSettings.Qualities) ?? VideoSettings.DefaultQuality;
        var crf = r.Integer(vs, P, "crf", 0, 51) ?? VideoSettings.CrfForQuality(quality);
        var preset = r.Choice(vs, P, "preset", VideoSettings.Presets) ?? VideoSettings.DefaultPreset;
        r.RejectUnlessNeutral(vs, P, "greenScreen", v => v.ValueKind == JsonValueKind.False, "greenScreen");
        r.RejectUnlessNeutral(vs, P, "brainrotMode", v => v.ValueKind == JsonValueKind.False, "brainrotMode");
        r.RejectUnlessNeutral(vs, P, "format", v => v.ValueKind == JsonValueKind.String && (ConfigReader.Text(v) ?? "").Equals("mp4", StringComparison.OrdinalIgnoreCase), "a format other than \"mp4\"");

        return new VideoSettings(width, height, fps, duration is > 0 ? duration : null, quality, crf, preset);
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

    private static string ParseTemplate(ConfigReader r, JsonElement root)
    {
        if (!ConfigReader.TryGet(root, "template", out var v)) return Templates[0];
        var s = v.ValueKind == JsonValueKind.String ? (ConfigReader.Text(v) ?? "").Trim().ToLowerInvariant() : null;
        if (s is not null && Templates.Contains(s)) return s;
        if (s is not null && LaterTemplates.Contains(s))
            r.Error("template", $"template \"{s}\" is not supported by this engine version yet; expected one of {string.Join(", ", Templates.Select(t => "\"" + t + "\""))}");
        else
            r.Error("template", $"expected one of {string.Join(", ", Templates.Select(t => "\"" + t + "\""))}, got {ConfigReader.Describe(v)}");
        return Templates[0];
    }

    private static ColorOverrides ParseColors(ConfigReader r, JsonElement root)
    {
        const string P = "colorCustomization";
        var c = r.Object(root, "", P) ?? default;
        r.WarnUnknownKeys(c, P, new[] { "senderBubbleColor", "senderTextColor", "receiverBubbleColor", "receiverTextColor", "backgroundColor" });
        return new ColorOverrides(
            r.Color(c, P, "senderBubbleColor"), r.Color(c, P, "senderTextColor"),
            r.Color(c, P, "receiverBubbleColor"), r.Color(c, P, "receiverTextColor"),
            r.Color(c, P, "backgroundColor"));
    }

    private static BackgroundSpec? ParseBackground(ConfigReader r, JsonElement root)
    {
        const string P = "backgroundSettings";
        var b = r.Object(root, "", P) ?? default;
        r.WarnUnknownKeys(b, P, new[] { "backgroundType", "backgroundColor", "gradientColors", "gradientAngle", "backgroundUrl", "backgroundOpacity", "backgroundBlur" });
        var type = r.Choice(b, P, "backgroundType", BackgroundTypes);
        if (type is "image" or "video")
        {
            r.Error(P + ".backgroundType", $"\"{type}\" backgrounds are not supported by this engine version yet; expected \"color\" or \"gradient\"");
            type = null;
        }
        r.RejectUnlessNeutral(b, P, "backgroundUrl", v => v.ValueKind == JsonValueKind.String && (ConfigReader.Text(v) ?? "").Length == 0, "backgroundUrl (image/video backgrounds)");
        r.RejectUnlessNeutral(b, P, "backgroundOpacity", v => v.ValueKind == JsonValueKind.Number && (v.GetDouble() == 1 || v.GetDouble() == 100), "backgroundOpacity other than full");
        r.RejectUnlessNeutral(b, P, "backgroundBlur", v => v.ValueKind == JsonValueKind.False || (v.ValueKind == JsonValueKind.Number && v.GetDouble() == 0), "backgroundBlur");

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
        var kind = type switch
        {
            "color" => BackgroundKind.Color,
            "gradient" => BackgroundKind.Gradient,
            _ => stops is not null || color is null ? BackgroundKind.Gradient : BackgroundKind.Color,
        };
        return new BackgroundSpec(kind, color, stops, angle);
    }

    private static AnimationSpec? ParseAnimation(ConfigReader r, JsonElement root)
    {
        const string P = "animationSettings";
        var a = r.Object(root, "", P) ?? default;
        r.WarnUnknownKeys(a, P, new[] { "messageAnimationType", "transitionDuration", "baseDelay", "messageDelay", "showMessageAnimations", "animationSpeed", "showTypingIndicator" });
        var typeText = r.Choice(a, P, "messageAnimationType", AnimationTypes) ?? "slide";
        if (typeText is "pop" or "typewriter")
            r.Error(P + ".messageAnimationType", $"\"{typeText}\" is not supported by this engine version yet; expected \"slide\", \"fade\" or \"none\"");
        var type = typeText switch { "fade" => MessageAnimation.Fade, "none" => MessageAnimation.None, _ => MessageAnimation.Slide };
        if (r.Bool(a, P, "showMessageAnimations") == false) type = MessageAnimation.None;
        r.RejectUnlessNeutral(a, P, "animationSpeed", v => v.ValueKind == JsonValueKind.String && ConfigReader.Text(v) == "normal", "animationSpeed other than \"normal\"");
        r.RejectUnlessNeutral(a, P, "showTypingIndicator", v => v.ValueKind == JsonValueKind.False, "showTypingIndicator");
        return new AnimationSpec(
            type,
            r.Number(a, P, "transitionDuration", 0, 5000, "ms") ?? AnimationSpec.DefaultTransitionMs,
            r.Number(a, P, "baseDelay", 0, 600_000, "ms") ?? AnimationSpec.DefaultBaseDelayMs,
            r.Number(a, P, "messageDelay", 0, 600_000, "ms") ?? AnimationSpec.DefaultMessageDelayMs);
    }

    private static IReadOnlyList<MessageSpec> ParseMessages(ConfigReader r, JsonElement root)
    {
        var list = new List<MessageSpec>();
        if (!ConfigReader.TryGet(root, "messages", out var arr))
        {
            r.Error("messages", "is required (an array of { text, sender })");
            return list;
        }
        if (arr.ValueKind != JsonValueKind.Array)
        {
            r.Error("messages", $"expected an array, got {ConfigReader.Describe(arr)}");
            return list;
        }
        if (arr.GetArrayLength() == 0) r.Error("messages", "expected at least one message, got an empty array");
        if (arr.GetArrayLength() > MaxMessages) r.Error("messages", $"expected at most {MaxMessages} messages, got {arr.GetArrayLength()}");

        int i = 0;
        foreach (var m in arr.EnumerateArray())
        {
            var path = $"messages[{i++}]";
            if (m.ValueKind != JsonValueKind.Object)
            {
                r.Error(path, $"expected an object {{ text, sender }}, got {ConfigReader.Describe(m)}");
                continue;
            }
            r.WarnUnknownKeys(m, path, new[] { "text", "sender", "audioDuration", "audioUrl", "imageUrl", "id", "timestamp" });
            var text = r.String(m, path, "text", required: true);
            if (text is not null && string.IsNullOrWhiteSpace(text)) r.Error(path + ".text", "must not be empty");
            if (text is not null && text.Length > MaxMessageLength) r.Error(path + ".text", $"expected at most {MaxMessageLength} characters, got {text.Length}");
            var sender = r.Choice(m, path, "sender", Senders);
            if (sender is null && !ConfigReader.TryGet(m, "sender", out _)) r.Error(path + ".sender", "is required (\"me\" or \"them\")");
            var audioDuration = r.Number(m, path, "audioDuration", 0.05, 600, "seconds");
            r.RejectUnlessNeutral(m, path, "audioUrl", v => v.ValueKind == JsonValueKind.String && (ConfigReader.Text(v) ?? "").Length == 0, "audioUrl (voice clips)");
            r.RejectUnlessNeutral(m, path, "imageUrl", v => v.ValueKind == JsonValueKind.String && (ConfigReader.Text(v) ?? "").Length == 0, "imageUrl (picture bubbles)");
            if (text is not null && sender is not null)
                list.Add(new MessageSpec(text.Trim(), sender == "me" ? Sender.Me : Sender.Them, audioDuration));
        }
        return list;
    }

    private static AudioSpec? ParseAudio(ConfigReader r, JsonElement root, string baseDirectory)
    {
        var name = ConfigReader.TryGet(root, "voiceAudioSettings", out _) ? "voiceAudioSettings" : "audioSettings";
        var a = r.Object(root, "", name) ?? default;
        r.WarnUnknownKeys(a, name, new[] { "enableAudio", "backgroundMusicUrl", "backgroundMusicVolume", "masterVolume" });
        var enabled = r.Bool(a, name, "enableAudio") ?? true;
        var url = r.String(a, name, "backgroundMusicUrl");
        string? path = null;
        if (!string.IsNullOrWhiteSpace(url))
            path = ResolveLocalPath(r, name + ".backgroundMusicUrl", url, baseDirectory);
        return new AudioSpec(
            enabled,
            path,
            r.Number(a, name, "backgroundMusicVolume", 0, 100) ?? AudioSpec.DefaultMusicVolume,
            r.Number(a, name, "masterVolume", 0, 100) ?? AudioSpec.DefaultMasterVolume);
    }

    /// <summary>Accepts a plain path or a file:// URL; remote URLs must be downloaded by the caller.</summary>
    internal static string? ResolveLocalPath(ConfigReader r, string path, string url, string baseDirectory)
    {
        var u = url.Trim();
        if (u.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || u.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            r.Error(path, $"remote URLs are not fetched by the engine; download the file and pass its local path, got {JsonSerializerHelpers.Quote(u)}");
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
