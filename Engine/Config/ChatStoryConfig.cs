using SkiaSharp;

namespace ReelSpeed.Engine.Config;

/// <summary>
/// A validated ReelSpeed chat-story config with every default applied. Produced only by
/// <see cref="ChatStoryConfigParser"/>; everything downstream trusts its values.
/// </summary>
public sealed record ChatStoryConfig(
    VideoSettings Video,
    string Template,
    ColorOverrides Colors,
    BackgroundSpec Background,
    AnimationSpec Animation,
    IReadOnlyList<MessageSpec> Messages,
    AudioSpec Audio,
    IReadOnlyList<string> Warnings);

public sealed record VideoSettings(int Width, int Height, int Fps, double? DurationSeconds, string Quality, int Crf, string Preset)
{
    public const int MaxSide = 4096;
    public const int MinSide = 64;
    public const int MaxFps = 60;
    public const double MaxDurationSeconds = 3600;
    public const string DefaultQuality = "medium";
    public const string DefaultPreset = "veryfast";
    public static readonly string[] Qualities = { "low", "medium", "high" };
    public static readonly string[] Presets =
        { "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow" };

    /// <summary>x264 CRF for each quality preset (lower is better).</summary>
    public static int CrfForQuality(string quality) => quality switch
    {
        "low" => 28,
        "high" => 20,
        _ => 23,
    };
}

/// <summary><c>colorCustomization</c>: any colour left null comes from the template.</summary>
public sealed record ColorOverrides(
    SKColor? SenderBubble,
    SKColor? SenderText,
    SKColor? ReceiverBubble,
    SKColor? ReceiverText,
    SKColor? Background);

public enum BackgroundKind { Color, Gradient }

/// <summary><c>backgroundSettings</c>. Colours null means "the template's".</summary>
public sealed record BackgroundSpec(BackgroundKind Kind, SKColor? Color, IReadOnlyList<SKColor>? GradientColors, double GradientAngle)
{
    /// <summary>CSS convention: 180° runs top to bottom.</summary>
    public const double DefaultGradientAngle = 180;
}

public enum MessageAnimation { Slide, Fade, None }

/// <summary><c>animationSettings</c>; all times in milliseconds.</summary>
public sealed record AnimationSpec(MessageAnimation Type, double TransitionMs, double BaseDelayMs, double MessageDelayMs)
{
    public const double DefaultTransitionMs = 300;
    public const double DefaultBaseDelayMs = 500;
    public const double DefaultMessageDelayMs = 400;
}

public enum Sender { Me, Them }

/// <summary>One chat message. <see cref="AudioDurationSeconds"/> null means "reading time".</summary>
public sealed record MessageSpec(string Text, Sender Sender, double? AudioDurationSeconds);

/// <summary><c>voiceAudioSettings</c> (or <c>audioSettings</c>); volumes 0..100.</summary>
public sealed record AudioSpec(bool Enabled, string? BackgroundMusicPath, double BackgroundMusicVolume, double MasterVolume)
{
    public const double DefaultMusicVolume = 30;
    public const double DefaultMasterVolume = 100;
}
