using System.Globalization;
using System.Text.Json;
using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Config;

/// <summary>
/// An engine's limits on what one config may ask for (engine options <c>maxFramePixels</c>,
/// <c>maxDurationSeconds</c>, <c>maxMessages</c>, <c>maxTextLength</c>, <c>maxPicturePixels</c>),
/// checked when a config is compiled, before anything is decoded or drawn. A config over a limit
/// fails with <see cref="ErrorCodes.ResourceLimit"/>, naming the field, the value, the limit and
/// the option that raises it. The format's own caps (4096 pixels a side, 3600 s, 500 messages,
/// 2000 characters a message, 100 megapixels a picture) stay validation errors; these limits can be
/// set up to those caps (overlay texts, which the format does not cap, up to 100,000 characters).
/// </summary>
public sealed record ResourceLimits(long MaxFramePixels, double MaxDurationSeconds, int MaxMessages, int MaxTextLength, long MaxPicturePixels)
{
    /// <summary>3840x2160: 4K UHD either way round.</summary>
    public const long DefaultMaxFramePixels = 3840L * 2160;
    public const double DefaultMaxDurationSeconds = 1200;
    public const int DefaultMaxMessages = ChatStoryConfigParser.MaxMessages;
    public const int DefaultMaxTextLength = ChatStoryConfigParser.MaxMessageLength;
    public const long DefaultMaxPicturePixels = 40_000_000;

    /// <summary>The most each option may be set to: the format's own caps.</summary>
    public const long FramePixelsCap = (long)VideoSettings.MaxSide * VideoSettings.MaxSide;
    public const int TextLengthCap = 100_000;

    public static ResourceLimits Default { get; } = new(DefaultMaxFramePixels, DefaultMaxDurationSeconds, DefaultMaxMessages, DefaultMaxTextLength, DefaultMaxPicturePixels);

    /// <summary>The option names, as the engine options object spells them.</summary>
    public static readonly string[] OptionNames = { "maxFramePixels", "maxDurationSeconds", "maxMessages", "maxTextLength", "maxPicturePixels" };

    /// <summary>Reads the limits from the engine options object; a missing one keeps its default, a bad one is reported on <paramref name="r"/>.</summary>
    internal static ResourceLimits Parse(ConfigReader r, JsonElement options, string path = "options")
    {
        var d = Default;
        return new ResourceLimits(
            (long?)r.Number(options, path, "maxFramePixels", VideoSettings.MinSide * VideoSettings.MinSide, FramePixelsCap, "pixels") is { } f ? f : d.MaxFramePixels,
            r.Number(options, path, "maxDurationSeconds", 1, VideoSettings.MaxDurationSeconds, "seconds") ?? d.MaxDurationSeconds,
            r.Integer(options, path, "maxMessages", 1, ChatStoryConfigParser.MaxMessages) ?? d.MaxMessages,
            r.Integer(options, path, "maxTextLength", 1, TextLengthCap, "characters") ?? d.MaxTextLength,
            (long?)r.Number(options, path, "maxPicturePixels", 1, ImageLoader.MaxPixels, "pixels") is { } p ? p : d.MaxPicturePixels);
    }

    // ---- the rules, one each ----

    /// <summary>The output frame: width x height within <see cref="MaxFramePixels"/>.</summary>
    public void CheckFrame(int width, int height, string field)
    {
        long pixels = (long)width * height;
        if (pixels > MaxFramePixels)
            throw Exceeded(field, $"the frame is {width}x{height} = {Count(pixels)} pixels", "maxFramePixels", $"{Count(MaxFramePixels)} pixels");
    }

    /// <summary>The video's length within <see cref="MaxDurationSeconds"/>.</summary>
    public void CheckDuration(double seconds, string field)
    {
        if (seconds > MaxDurationSeconds)
            throw Exceeded(field, $"the video lasts {Seconds(seconds)} s", "maxDurationSeconds", $"{Seconds(MaxDurationSeconds)} s");
    }

    public void CheckMessages(int count, string field)
    {
        if (count > MaxMessages)
            throw Exceeded(field, $"{count} messages", "maxMessages", $"{MaxMessages}");
    }

    /// <summary>A message's or an overlay's text within <see cref="MaxTextLength"/> characters (UTF-16 units, as validation counts them).</summary>
    public void CheckText(string text, string field)
    {
        if (text.Length > MaxTextLength)
            throw Exceeded(field, $"the text is {text.Length} characters", "maxTextLength", $"{MaxTextLength} characters");
    }

    /// <summary>A picture's pixels, read from its header (nothing is decoded), within <see cref="MaxPicturePixels"/>.</summary>
    public void CheckPicture(string path, string field)
    {
        var (w, h) = ImageLoader.ReadSize(path, field);
        long pixels = (long)w * h;
        if (pixels > MaxPicturePixels)
            throw Exceeded(field, $"the picture is {w}x{h} = {Megapixels(pixels)} MP", "maxPicturePixels", $"{Megapixels(MaxPicturePixels)} MP");
    }

    // ---- the two config shapes ----

    /// <summary>What a chat story asks for before its scene is built: frame, given duration, messages, texts, pictures.</summary>
    public void Check(ChatStoryConfig c)
    {
        CheckFrame(c.Video.Width, c.Video.Height, "videoSettings.resolution");
        if (c.Video.DurationSeconds is { } s) CheckDuration(s, "videoSettings.duration");
        CheckMessages(c.Messages.Count, "messages");
        for (int i = 0; i < c.Messages.Count; i++) CheckText(c.Messages[i].Text, $"messages[{i}].text");
        foreach (var (field, path) in AssetFields.Pictures(c)) CheckPicture(path, field);
    }

    /// <summary>What a processing config asks for before its scene is built: a given frame size, overlay texts, a picture background.</summary>
    public void Check(ProcessingConfig c)
    {
        if (c.Video is { Width: { } w, Height: { } h }) CheckFrame(w, h, "video");
        for (int i = 0; i < c.TextOverlays.Count; i++) CheckText(c.TextOverlays[i].Text, $"effects.text_overlays[{i}].text");
        foreach (var (field, path) in AssetFields.Pictures(c)) CheckPicture(path, field);
    }

    /// <summary>
    /// What is only known once the scene is built: the frame size a processing config takes from its
    /// input, and a length that follows from the messages' timing or the clips.
    /// </summary>
    public void CheckBuilt(int width, int height, double durationMs, string frameField, string durationField)
    {
        CheckFrame(width, height, frameField);
        CheckDuration(durationMs / 1000, durationField);
    }

    private static EngineException Exceeded(string field, string what, string option, string limit) =>
        new(ErrorCodes.ResourceLimit, $"{field}: {what}, above {option} ({limit}); raise the engine option {option} to allow it");

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
    private static string Seconds(double s) => s.ToString("0.###", CultureInfo.InvariantCulture);
    private static string Megapixels(long pixels) => (pixels / 1e6).ToString("0.#", CultureInfo.InvariantCulture);
}
