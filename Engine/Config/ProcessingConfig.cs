using System.Text.Json;
using ReelSpeed.Engine.Effects;
using ReelSpeed.Engine.Media;
using SkiaSharp;

namespace ReelSpeed.Engine.Config;

public enum TransitionKind { Fade, Slide, Wipe, Zoom, Custom }

public enum TransitionDirection { Left, Right, Up, Down }

public enum OverlayAnchor { Top, Center, Bottom }

/// <summary>
/// A validated processing config (<c>{ video, audio, effects, trim, clips, optimization }</c>)
/// with every default applied. Times are milliseconds; sizes pixels; volumes and opacities
/// factors 0..1 (the config gives them in percent, as the spec's §5.2 conversion writes them). Produced only by
/// <see cref="ProcessingConfigParser"/>. Output size and rate may be left to the first clip
/// (<see cref="ProcessingVideo.Width"/> etc. null).
/// </summary>
public sealed record ProcessingConfig(
    ProcessingVideo Video,
    ProcessingAudio Audio,
    ColorCorrection Color,
    double BlurRadius,
    double Sharpen,
    IReadOnlyList<TextOverlaySpec> TextOverlays,
    SKColor Background,
    TransitionSpec? Transition,
    double TrimStartMs,
    double? TrimEndMs,
    IReadOnlyList<ClipSpec> Clips,
    ProcessingOptimization Optimization,
    IReadOnlyList<string> Warnings)
{
    /// <summary><c>effects.background</c> given as <c>{ type, source, opacity }</c> (null: a plain colour, <see cref="Background"/>).</summary>
    public ProcessingBackground? Backdrop { get; init; }

    /// <summary>How the text overlays enter (<c>effects.transitions</c>; null: they appear at once).</summary>
    public OverlayEntrance? Entrance { get; init; }
}

/// <summary>
/// <c>effects.background { type, source, opacity }</c>: a colour (source a colour, or '' for the
/// template's), a gradient (source "#a,#b[,...]", or '' for the template's), an image (cover-fit)
/// or a looped video (cover-fit). <see cref="Template"/> is the template whose colours '' means
/// (the overlays' style, else the default). <see cref="Opacity"/> 0..1 dims it over black.
/// </summary>
public sealed record ProcessingBackground(string Type, IReadOnlyList<SKColor>? Colors, string? MediaPath, double Opacity, string Template);

/// <summary>How each text overlay enters: the chat animations (slide, fade, pop, typewriter) over <see cref="DurationMs"/>.</summary>
public sealed record OverlayEntrance(MessageAnimation Kind, double DurationMs);

/// <summary>
/// <c>video</c>: output size (null: the first clip's upright size), rate (null: the first
/// clip's, at most 60), codec, quality or an explicit CRF / bit rate, x264-style preset, fit.
/// </summary>
public sealed record ProcessingVideo(
    int? Width, int? Height, int? Fps, string Codec, string Quality, int? Crf, string Preset, int? BitrateKbps, VideoFit Fit)
{
    public static readonly string[] Fits = { "cover", "contain", "fill" };
}

/// <summary><c>audio</c>: the clips' own sound carried through at <see cref="Volume"/>, and optional added music. Both are
/// factors here (1 = as recorded); the config gives them in percent 0..100.</summary>
public sealed record ProcessingAudio(bool Enabled, double Volume, string? MusicPath, double MusicVolume)
{
    /// <summary>The most a volume may be, in percent (as recorded).</summary>
    public const double MaxVolumePercent = 100;
}

/// <summary>
/// One <c>effects.text_overlays[i]</c>: text shown from <see cref="StartMs"/> for <see cref="DurationMs"/> (null: to the end).
/// <see cref="Template"/>: <c>style</c> named a chat template, and the overlay is drawn as that template's bubble.
/// </summary>
public sealed record TextOverlaySpec(
    string Text, double StartMs, double? DurationMs, OverlayAnchor Anchor, double? X, double? Y,
    double FontSize, SKColor Color, SKColor? BackgroundColor, bool Bold, SKColor? StrokeColor, double StrokeWidth, double MaxWidthFraction,
    string? Template = null);

/// <summary><c>effects.transitions</c>: between every two consecutive clips.</summary>
public sealed record TransitionSpec(TransitionKind Kind, double DurationMs, TransitionDirection Direction, string? Shader);

/// <summary>One input clip: its file and the part of it used.</summary>
public sealed record ClipSpec(string Field, string Path, double TrimStartMs, double? TrimEndMs, double Volume);

/// <summary><c>optimization</c>: a target file size (<c>SizeIsCeiling</c>: a processing config's
/// <c>target_size_mb</c>, an upload limit the output must not exceed; otherwise, as optimizeVideo's, a size to aim at), this job's hardware policy (null follows the engine's) and low-memory decoding.</summary>
/// <c>KeepRotation</c> (optimizeVideo, not a config key) keeps a rotated clip's frames as stored, with its rotation as metadata.
/// <c>TargetField</c> names the size target in messages (optimizeVideo's argument is <c>targetSizeMb</c>).
/// <c>SilentTrack</c> false (optimizeVideo, not a config key): an output with no sound gets no audio track rather than a silent one.
public sealed record ProcessingOptimization(double? TargetSizeMb, HardwareAcceleration? HardwareAcceleration, bool MemoryOptimization, bool AllowDownscale = true,
    bool KeepRotation = false, string TargetField = "optimization.target_size_mb", bool SizeIsCeiling = false, double? KeyframeSeconds = null,
    bool SilentTrack = true);

/// <summary>
/// Parses and validates an engine processing config. Every problem is collected with its path
/// and thrown at once. Keys follow the platform's config: <c>video</c>, <c>audio</c>,
/// <c>effects</c> (snake_case inside, as <c>color_correction</c>), <c>trim</c>, <c>clips</c>,
/// <c>optimization</c>. Unknown keys are errors, so a misspelt effect is never silently dropped.
/// </summary>
public static class ProcessingConfigParser
{
    public const int MaxClips = 100;
    public const int MaxOverlays = 100;
    public const double MaxBlurRadius = 100;
    public const double MaxTransitionMs = 10_000;
    /// <summary>Shortest transition in ms: below it the value is taken for seconds (the old unit) and refused.</summary>
    public const double MinTransitionMs = 10;
    public const int MaxShaderLength = 20_000;
    /// <summary>Clip transitions, and the chat's message animations (pop, typewriter, none) the spec's conversion passes on.</summary>
    private static readonly string[] TransitionTypes = { "fade", "slide", "wipe", "zoom", "custom", "pop", "typewriter", "none" };
    private static readonly string[] BackgroundTypes = { "color", "gradient", "image", "video" };
    private static readonly string[] Directions = { "left", "right", "up", "down" };
    private static readonly string[] Anchors = { "top", "center", "bottom" };

    /// <summary>Whether a parsed JSON object is a processing config rather than a chat story.</summary>
    public static bool IsProcessingConfig(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("messages", out _) &&
        (root.TryGetProperty("video", out _) || root.TryGetProperty("audio", out _) || root.TryGetProperty("effects", out _) || root.TryGetProperty("clips", out _)
         || root.TryGetProperty("trim", out _) || root.TryGetProperty("optimization", out _));

    /// <param name="root">The config object.</param>
    /// <param name="baseDirectory">Relative paths in the config resolve against it.</param>
    /// <param name="inputPath">processVideo's inputPath: the one clip when <c>clips</c> is absent.</param>
    public static ProcessingConfig Parse(JsonElement root, string baseDirectory, string? inputPath)
    {
        var r = new ConfigReader();
        r.RejectUnknownKeys(root, "", new[] { "video", "audio", "effects", "trim", "clips", "optimization" });
        var video = ParseVideo(r, root);
        var audio = ParseAudio(r, root, baseDirectory);
        var effects = r.Object(root, "", "effects") ?? default;
        r.RejectUnknownKeys(effects, "effects", new[] { "color_correction", "blur", "sharpen", "text_overlays", "background", "transitions" });
        var color = ParseColor(r, effects);
        double blur = r.Number(effects, "effects", "blur", 0, MaxBlurRadius, "pixels") ?? 0;
        double sharpen = r.Number(effects, "effects", "sharpen", 0, 1) ?? 0;
        var overlays = ParseOverlays(r, effects);
        var (background, backdrop) = ParseBackground(r, effects, baseDirectory, overlays.Select(o => o.Template).FirstOrDefault(t => t is not null) ?? TemplateNames.Default);
        var (transition, entrance) = ParseTransition(r, effects);
        var (trimStart, trimEnd) = ParseTrim(r, root, "trim");
        var clips = ParseClips(r, root, baseDirectory, inputPath, overlays);
        var optimization = ParseOptimization(r, root);
        if (optimization.TargetSizeMb is not null && (video.Crf is not null || video.BitrateKbps is not null))
            r.Error("optimization.target_size_mb", $"a file over the ceiling is re-encoded at a bit rate set from the size, so it cannot be combined with video.{(video.Crf is not null ? "crf" : "bitrateKbps")} (use video.quality)");
        if (transition is not null && clips.Count < 2 && overlays.Count == 0)
            r.Warn("effects.transitions: a transition needs at least two clips or text overlays; with one clip it does nothing");
        if (r.Errors.Count > 0) throw new ConfigValidationException(r.Errors.ToArray());
        return new ProcessingConfig(video, audio, color, blur, sharpen, overlays, background, transition, trimStart, trimEnd, clips, optimization, r.Warnings.ToArray())
        {
            Backdrop = backdrop,
            Entrance = entrance,
        };
    }

    /// <summary>
    /// A percentage 0..100 as a factor 0..1. A value strictly between 0 and 1 is the old factor
    /// unit (0.8 meaning 80 %) and is refused with the expected unit named, rather than read as 0.8 %.
    /// </summary>
    internal static double? Percent(ConfigReader r, JsonElement obj, string path, string name, double max = 100)
    {
        if (!ConfigReader.TryGet(obj, name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d > 0 && d < 1)
        {
            r.Error(path + "." + name, $"expected a percentage 0..{max:0} (100 = full), got {d.ToString(System.Globalization.CultureInfo.InvariantCulture)}: " +
                $"a factor is not accepted; for {d * 100:0.##} % write {d * 100:0.##}");
            return null;
        }
        return r.Number(obj, path, name, 0, max, "percent") / 100;
    }

    private static ProcessingVideo ParseVideo(ConfigReader r, JsonElement root)
    {
        const string P = "video";
        var v = r.Object(root, "", P) ?? default;
        r.RejectUnknownKeys(v, P, new[] { "width", "height", "fps", "codec", "quality", "crf", "preset", "bitrateKbps", "fit" });
        int? width = r.Integer(v, P, "width", VideoSettings.MinSide, VideoSettings.MaxSide, "pixels");
        int? height = r.Integer(v, P, "height", VideoSettings.MinSide, VideoSettings.MaxSide, "pixels");
        if (width % 2 == 1) r.Error(P + ".width", $"expected an even number of pixels (yuv420p halves it), got {width}");
        if (height % 2 == 1) r.Error(P + ".height", $"expected an even number of pixels (yuv420p halves it), got {height}");
        if ((width is null) != (height is null)) r.Error(P + (width is null ? ".width" : ".height"), "give both width and height, or neither (the first clip's size)");
        int? fps = r.Integer(v, P, "fps", 1, VideoSettings.MaxFps);
        string codec = r.Choice(v, P, "codec", EncodeSettings.Codecs) ?? EncodeSettings.H264;
        string quality = r.Choice(v, P, "quality", EncodeSettings.Qualities) ?? EncodeSettings.DefaultQuality;
        int? crf = r.Integer(v, P, "crf", 0, 63);
        string preset = r.Choice(v, P, "preset", EncodeSettings.Presets) ?? EncodeSettings.DefaultPreset;
        int? bitrate = r.Integer(v, P, "bitrateKbps", 50, 200_000, "kbit/s");
        if (crf is not null && bitrate is not null) r.Error(P + ".bitrateKbps", "give crf or bitrateKbps, not both");
        var fit = r.Choice(v, P, "fit", ProcessingVideo.Fits) switch
        {
            "contain" => VideoFit.Contain,
            "fill" => VideoFit.Fill,
            _ => VideoFit.Cover,
        };
        return new ProcessingVideo(width, height, fps, codec, quality, crf, preset, bitrate, fit);
    }

    private static ProcessingAudio ParseAudio(ConfigReader r, JsonElement root, string baseDirectory)
    {
        const string P = "audio";
        var a = r.Object(root, "", P) ?? default;
        r.RejectUnknownKeys(a, P, new[] { "enabled", "volume", "music", "musicVolume" });
        bool enabled = r.Bool(a, P, "enabled") ?? true;
        double volume = Percent(r, a, P, "volume") ?? 1;
        if (volume is > 0 and <= 0.04)
            r.Warn($"audio.volume: {volume * 100:0.##} % is nearly silent; volumes are percent 0..100 (100 = as recorded)");
        var music = r.String(a, P, "music");
        string? musicPath = string.IsNullOrWhiteSpace(music) ? null : ChatStoryConfigParser.ResolveLocalPath(r, P + ".music", music, baseDirectory);
        double musicVolume = Percent(r, a, P, "musicVolume") ?? 1;
        return new ProcessingAudio(enabled, volume, musicPath, musicVolume);
    }

    private static ColorCorrection ParseColor(ConfigReader r, JsonElement effects)
    {
        const string P = "effects.color_correction";
        var c = r.Object(effects, "effects", "color_correction") ?? default;
        r.RejectUnknownKeys(c, P, new[] { "brightness", "contrast", "saturation", "hue_shift" });
        return new ColorCorrection(
            r.Number(c, P, "brightness", 0, 4) ?? 1,
            r.Number(c, P, "contrast", 0, 4) ?? 1,
            r.Number(c, P, "saturation", 0, 4) ?? 1,
            r.Number(c, P, "hue_shift", -360, 360, "degrees") ?? 0);
    }

    private static IReadOnlyList<TextOverlaySpec> ParseOverlays(ConfigReader r, JsonElement effects)
    {
        var list = new List<TextOverlaySpec>();
        if (!ConfigReader.TryGet(effects, "text_overlays", out var arr)) return list;
        if (arr.ValueKind != JsonValueKind.Array)
        {
            r.Error("effects.text_overlays", $"expected an array, got {ConfigReader.Describe(arr)}");
            return list;
        }
        if (arr.GetArrayLength() > MaxOverlays)
        {
            r.Error("effects.text_overlays", $"at most {MaxOverlays} overlays, got {arr.GetArrayLength()}");
            return list;
        }
        int i = 0;
        double cursor = 0;
        foreach (var o in arr.EnumerateArray())
        {
            string p = $"effects.text_overlays[{i++}]";
            if (double.IsPositiveInfinity(cursor) && o.ValueKind == JsonValueKind.Object && !ConfigReader.TryGet(o, "start", out _))
            {
                r.Error(p + ".start", "is required after an overlay without a duration (overlays without a start follow one another, each for its duration)");
                cursor = 0;
            }
            if (o.ValueKind != JsonValueKind.Object)
            {
                r.Error(p, $"expected an object, got {ConfigReader.Describe(o)}");
                continue;
            }
            r.RejectUnknownKeys(o, p, new[] { "text", "start", "duration", "position", "style" });
            var text = r.String(o, p, "text", required: true);
            if (text is { Length: 0 } || text is { Length: > ChatStoryConfigParser.MaxMessageLength })
                r.Error(p + ".text", $"expected 1..{ChatStoryConfigParser.MaxMessageLength} characters, got {text.Length}");
            // Without a start, an overlay follows the one before it (the spec's conversion gives none).
            double start = r.Number(o, p, "start", 0, VideoSettings.MaxDurationSeconds, "seconds") ?? cursor;
            double? duration = r.Number(o, p, "duration", 0.001, VideoSettings.MaxDurationSeconds, "seconds");
            cursor = duration is { } dd ? start + dd : double.PositiveInfinity;
            string? template = null;
            if (ConfigReader.TryGet(o, "style", out var st) && st.ValueKind == JsonValueKind.String)
                template = r.Choice(o, p, "style", TemplateNames.All) ?? TemplateNames.Default;
            var anchor = template is null ? OverlayAnchor.Bottom : OverlayAnchor.Center;
            double? x = null, y = null;
            if (ConfigReader.TryGet(o, "position", out var pos))
            {
                if (pos.ValueKind == JsonValueKind.Object)
                {
                    r.RejectUnknownKeys(pos, p + ".position", new[] { "x", "y" });
                    x = r.Number(pos, p + ".position", "x", 0, 1, "(fraction of the width)");
                    y = r.Number(pos, p + ".position", "y", 0, 1, "(fraction of the height)");
                    if (x is null || y is null) r.Error(p + ".position", "expected { x, y } as fractions 0..1 of the frame (the text's centre)");
                }
                else
                {
                    anchor = r.Choice(o, p, "position", Anchors) switch
                    {
                        "top" => OverlayAnchor.Top,
                        "center" => OverlayAnchor.Center,
                        _ => OverlayAnchor.Bottom,
                    };
                }
            }
            const string S = "style";
            var style = template is null ? r.Object(o, p, S) ?? default : default;
            string sp = p + "." + S;
            r.RejectUnknownKeys(style, sp, new[] { "fontSize", "color", "backgroundColor", "bold", "strokeColor", "strokeWidth", "maxWidth" });
            list.Add(new TextOverlaySpec(
                text ?? "", start * 1000, duration * 1000, anchor, x, y,
                r.Number(style, sp, "fontSize", 6, 400, "pixels at 1080 wide") ?? 64,
                r.Color(style, sp, "color") ?? SKColors.White,
                r.Color(style, sp, "backgroundColor"),
                r.Bool(style, sp, "bold") ?? true,
                r.Color(style, sp, "strokeColor"),
                r.Number(style, sp, "strokeWidth", 0, 40, "pixels at 1080 wide") ?? 0,
                r.Number(style, sp, "maxWidth", 0.1, 1, "(fraction of the width)") ?? (template is null ? 0.9 : 0.74),
                template));
        }
        return list;
    }

    /// <summary>
    /// <c>effects.transitions { enabled, type, duration (ms), direction, shader }</c>: between clips (pop is a zoom,
    /// typewriter a fade) and as the text overlays' entrance (as the chat's message animations; wipe a slide, zoom a pop).
    /// </summary>
    private static (TransitionSpec?, OverlayEntrance?) ParseTransition(ConfigReader r, JsonElement effects)
    {
        const string P = "effects.transitions";
        var t = r.Object(effects, "effects", "transitions");
        if (t is not { } o) return (null, null);
        r.RejectUnknownKeys(o, P, new[] { "enabled", "type", "duration", "direction", "shader" });
        bool enabled = r.Bool(o, P, "enabled") ?? true;
        var type = r.Choice(o, P, "type", TransitionTypes) ?? "fade";
        double duration = 500;
        if (ConfigReader.TryGet(o, "duration", out var dv) && dv.ValueKind == JsonValueKind.Number && dv.TryGetDouble(out var dms) && dms > 0 && dms < MinTransitionMs)
            r.Error(P + ".duration", $"expected milliseconds {MinTransitionMs:0}..{MaxTransitionMs:0}, got {dms.ToString(System.Globalization.CultureInfo.InvariantCulture)}: " +
                $"the unit is milliseconds, not seconds (for {dms:0.###} s write {dms * 1000:0.#})");
        else duration = r.Number(o, P, "duration", MinTransitionMs, MaxTransitionMs, "milliseconds") ?? 500;
        var direction = r.Choice(o, P, "direction", Directions) switch
        {
            "right" => TransitionDirection.Right,
            "up" => TransitionDirection.Up,
            "down" => TransitionDirection.Down,
            _ => TransitionDirection.Left,
        };
        var shader = r.String(o, P, "shader");
        var kind = type switch
        {
            "slide" => TransitionKind.Slide,
            "wipe" => TransitionKind.Wipe,
            "zoom" or "pop" => TransitionKind.Zoom,
            "custom" => TransitionKind.Custom,
            _ => TransitionKind.Fade,
        };
        var entranceKind = type switch
        {
            "slide" or "wipe" => MessageAnimation.Slide,
            "pop" or "zoom" => MessageAnimation.Pop,
            "typewriter" => MessageAnimation.Typewriter,
            "none" => MessageAnimation.None,
            _ => MessageAnimation.Fade,
        };
        if (kind == TransitionKind.Custom)
        {
            if (string.IsNullOrWhiteSpace(shader)) r.Error(P + ".shader", "is required for a custom transition (SkSL with uniform shader from, to; uniform float progress)");
            else if (shader.Length > MaxShaderLength) r.Error(P + ".shader", $"at most {MaxShaderLength} characters, got {shader.Length}");
            else
            {
                var (compiled, error) = TransitionShader.Compile(shader);
                compiled?.Dispose();
                if (error is not null) r.Error(P + ".shader", error);
            }
        }
        else if (shader is not null)
        {
            r.Error(P + ".shader", $"is only used with type \"custom\", got type \"{type}\"");
        }
        if (!enabled || type == "none") return (null, null);
        return (new TransitionSpec(kind, duration, direction, kind == TransitionKind.Custom ? shader : null), new OverlayEntrance(entranceKind, duration));
    }

    /// <summary>
    /// <c>effects.background</c>: a colour string (the bars of a contain fit, and the frame without a clip), or the
    /// spec's <c>{ type, source, opacity }</c> with opacity in percent.
    /// </summary>
    private static (SKColor Color, ProcessingBackground? Backdrop) ParseBackground(ConfigReader r, JsonElement effects, string baseDirectory, string template)
    {
        const string P = "effects.background";
        if (!ConfigReader.TryGet(effects, "background", out var b)) return (SKColors.Black, null);
        if (b.ValueKind == JsonValueKind.String) return (r.Color(effects, "effects", "background") ?? SKColors.Black, null);
        if (b.ValueKind != JsonValueKind.Object)
        {
            r.Error(P, $"expected a colour or {{ type: color|gradient|image|video, source, opacity }}, got {ConfigReader.Describe(b)}");
            return (SKColors.Black, null);
        }
        r.RejectUnknownKeys(b, P, new[] { "type", "source", "opacity" });
        var type = r.Choice(b, P, "type", BackgroundTypes) ?? "gradient";
        var source = r.String(b, P, "source") ?? "";
        double opacity = Percent(r, b, P, "opacity") ?? 1;
        IReadOnlyList<SKColor>? colors = null;
        string? media = null;
        if (type is "color" or "gradient")
        {
            if (!string.IsNullOrWhiteSpace(source))
            {
                var parts = source.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var parsed = new List<SKColor>();
                foreach (var part in parts)
                    if (ColorParser.TryParse(part, out var c)) parsed.Add(c);
                if (parsed.Count != parts.Length || parsed.Count == 0 || (type == "color" && parsed.Count != 1) || parsed.Count > 16)
                    r.Error(P + ".source", type == "color"
                        ? $"expected a colour such as \"#1E3A8A\" (or '' for the template's), got {JsonSerializerHelpers.Quote(source)}"
                        : $"expected colours separated by commas such as \"#1E3A8A,#9333EA\" (or '' for the template's), got {JsonSerializerHelpers.Quote(source)}");
                else colors = type == "gradient" && parsed.Count == 1 ? new[] { parsed[0], parsed[0] } : parsed;
            }
        }
        else if (string.IsNullOrWhiteSpace(source))
            r.Error(P + ".source", $"is required for type \"{type}\" (a local path, file:// or http(s) URL)");
        else media = ChatStoryConfigParser.ResolveLocalPath(r, P + ".source", source, baseDirectory);
        var solid = type == "color" && colors is { Count: 1 } ? colors[0] : SKColors.Black;
        return (solid, new ProcessingBackground(type, colors, media, opacity, template));
    }

    private static (double StartMs, double? EndMs) ParseTrim(ConfigReader r, JsonElement obj, string name, string? parent = null)
    {
        string p = parent is null ? name : parent + "." + name;
        var t = r.Object(obj, parent ?? "", name) ?? default;
        r.RejectUnknownKeys(t, p, new[] { "start", "end" });
        double start = r.Number(t, p, "start", 0, VideoSettings.MaxDurationSeconds * 24, "seconds") ?? 0;
        double? end = r.Number(t, p, "end", 0, VideoSettings.MaxDurationSeconds * 24, "seconds");
        if (end is { } e && e <= start) r.Error(p + ".end", $"expected a time after start ({start:0.###} s), got {e:0.###} s");
        return (start * 1000, end * 1000);
    }

    private static IReadOnlyList<ClipSpec> ParseClips(ConfigReader r, JsonElement root, string baseDirectory, string? inputPath, IReadOnlyList<TextOverlaySpec> overlays)
    {
        var list = new List<ClipSpec>();
        bool hasInput = !string.IsNullOrWhiteSpace(inputPath);
        if (!ConfigReader.TryGet(root, "clips", out var arr))
        {
            // No clip: the composition is the background for as long as the overlays last.
            if (hasInput) list.Add(new ClipSpec("inputPath", Assets.AssetResolver.IsRemote(inputPath) ? inputPath!.Trim() : Path.GetFullPath(inputPath!, baseDirectory), 0, null, 1));
            else if (overlays.Count == 0)
                r.Error("inputPath", "a processing config needs an input: pass inputPath, list the inputs in clips, or give effects.text_overlays (shown over effects.background)");
            else if (overlays.Any(o => o.DurationMs is null))
                r.Error("effects.text_overlays", "without an input clip every overlay needs a duration (seconds): together they give the video's length");
            return list;
        }
        if (hasInput)
        {
            r.Error("clips", "give the input either as inputPath or in clips, not both (leave inputPath empty when using clips)");
            return list;
        }
        if (arr.ValueKind != JsonValueKind.Array || arr.GetArrayLength() is 0 or > MaxClips)
        {
            r.Error("clips", $"expected an array of 1..{MaxClips} clips, got {ConfigReader.Describe(arr)}");
            return list;
        }
        int i = 0;
        foreach (var c in arr.EnumerateArray())
        {
            string p = $"clips[{i++}]";
            string? path;
            JsonElement obj = default;
            if (c.ValueKind == JsonValueKind.String)
            {
                path = ConfigReader.Text(c);
                // Found by the fuzzer: a lone surrogate left the clip list empty with no error (ERR_INTERNAL later).
                if (path is null) { r.Error(p, "contains invalid UTF-16 (a lone surrogate)"); continue; }
            }
            else if (c.ValueKind == JsonValueKind.Object)
            {
                obj = c;
                r.RejectUnknownKeys(c, p, new[] { "path", "trim", "volume" });
                path = r.String(c, p, "path", required: true);
            }
            else
            {
                r.Error(p, $"expected a path or {{ path, trim, volume }}, got {ConfigReader.Describe(c)}");
                continue;
            }
            if (string.IsNullOrWhiteSpace(path))
            {
                if (path is not null) r.Error(p + (c.ValueKind == JsonValueKind.Object ? ".path" : ""), "expected a file path, got an empty string");
                continue;
            }
            string field = c.ValueKind == JsonValueKind.Object ? p + ".path" : p;
            var full = ChatStoryConfigParser.ResolveLocalPath(r, field, path, baseDirectory);
            var (start, end) = c.ValueKind == JsonValueKind.Object ? ParseTrim(r, obj, "trim", p) : (0, null);
            double volume = c.ValueKind == JsonValueKind.Object ? Percent(r, obj, p, "volume") ?? 1 : 1;
            if (full is not null) list.Add(new ClipSpec(field, full, start, end, volume));
        }
        return list;
    }

    private static ProcessingOptimization ParseOptimization(ConfigReader r, JsonElement root)
    {
        const string P = "optimization";
        var o = r.Object(root, "", P) ?? default;
        r.RejectUnknownKeys(o, P, new[] { "target_size_mb", "hardware_acceleration", "memory_optimization", "allow_downscale" });
        double? target = r.Number(o, P, "target_size_mb", 0.01, 100_000, "MB");
        var hw = r.Hardware(o, P, "hardware_acceleration");
        bool memory = r.Bool(o, P, "memory_optimization") ?? false;
        bool downscale = r.Bool(o, P, "allow_downscale") ?? true;
        if (ConfigReader.TryGet(o, "allow_downscale", out _))
            r.Warn("optimization.allow_downscale: has no effect: target_size_mb is a ceiling, and a file over it is re-encoded at the same size");
        return new ProcessingOptimization(target, hw, memory, downscale, SizeIsCeiling: true);
    }
}
