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
    ChatOverlaySpec Overlay,
    BackgroundSpec Background,
    AnimationSpec Animation,
    IReadOnlyList<MessageSpec> Messages,
    AudioSpec Audio,
    IReadOnlyList<CustomFont> Fonts,
    IReadOnlyList<string> Warnings);

public sealed record VideoSettings(
    int Width, int Height, int Fps, double? DurationSeconds, string Quality, int Crf, string Preset,
    bool GreenScreen, bool BrainrotMode)
{
    public const int MaxSide = 4096;
    public const int MinSide = 64;
    public const int MaxFps = 60;
    public const double MaxDurationSeconds = 3600;
}

/// <summary><c>colorCustomization</c>: any colour left null comes from the template.</summary>
public sealed record ColorOverrides(
    SKColor? SenderBubble,
    SKColor? SenderText,
    SKColor? ReceiverBubble,
    SKColor? ReceiverText,
    SKColor? Background,
    SKColor? HeaderBackground,
    SKColor? HeaderText)
{
    public static readonly ColorOverrides None = new(null, null, null, null, null, null, null);
}

public enum OverlayPosition { Top, Center }

/// <summary>
/// <c>chatOverlay</c>: the chat panel (header and bubbles) over the background — who the
/// conversation is with, and where, how wide, how large and how opaque the panel is.
/// </summary>
public sealed record ChatOverlaySpec(
    string? ContactName, string? AvatarPath, bool ShowHeader, OverlayPosition Position,
    double WidthPercent, double Scale, double Opacity)
{
    public const double DefaultWidthPercent = 100;
    public const double MinWidthPercent = 30;
    public const double MinScale = 0.5, MaxScale = 2;
    public static readonly ChatOverlaySpec Default = new(null, null, false, OverlayPosition.Top, DefaultWidthPercent, 1, 1);
}

public enum BackgroundKind { Color, Gradient, Image, Video }

/// <summary>
/// <c>backgroundSettings</c>. Colours null means "the template's". <see cref="Opacity"/> dims
/// the background over black (for legibility over busy footage); <see cref="BlurRadius"/> in
/// pixels at 1080 wide.
/// </summary>
public sealed record BackgroundSpec(
    BackgroundKind Kind, SKColor? Color, IReadOnlyList<SKColor>? GradientColors, double GradientAngle,
    string? MediaPath, double Opacity, double BlurRadius)
{
    /// <summary>CSS convention: 180° runs top to bottom.</summary>
    public const double DefaultGradientAngle = 180;
    public const double DefaultBlurRadius = 16;
    public const double MaxBlurRadius = 100;
}

public enum MessageAnimation { Slide, Fade, Pop, Typewriter, None }

/// <summary><c>animationSettings</c>; all times in milliseconds, already scaled by <c>animationSpeed</c>.</summary>
public sealed record AnimationSpec(
    MessageAnimation Type, double TransitionMs, double BaseDelayMs, double MessageDelayMs,
    double SpeedFactor = 1, bool ShowTypingIndicator = false)
{
    public const double DefaultTransitionMs = 300;
    public const double DefaultBaseDelayMs = 500;
    public const double DefaultMessageDelayMs = 400;

    /// <summary>Duration multipliers of <c>animationSpeed</c>.</summary>
    public static double SpeedFactorOf(string speed) => speed switch
    {
        "slow" => 1.6,
        "fast" => 0.6,
        _ => 1,
    };
}

public enum Sender { Me, Them }

/// <summary>
/// One chat message. <see cref="Name"/> is set for group chats (a sender other than
/// "me"/"them"), shown as a label above the bubble. <see cref="AudioDurationSeconds"/>
/// null means "reading time".
/// </summary>
public sealed record MessageSpec(
    string Text, Sender Sender, double? AudioDurationSeconds, string? Name = null, string? ImagePath = null, string? AudioPath = null);

/// <summary>
/// <c>voiceAudioSettings</c> (or <c>audioSettings</c>): volumes 0..100; ducking in dB with
/// attack/release in ms; the message sound effect; the loudness target (LUFS), the true-peak
/// ceiling (dBTP) and the AAC bit rate.
/// </summary>
public sealed record AudioSpec(
    bool Enabled, string? BackgroundMusicPath, double BackgroundMusicVolume, double MasterVolume,
    double VoiceVolume = AudioSpec.DefaultVoiceVolume,
    bool DuckMusicUnderVoice = true, double DuckingDb = AudioSpec.DefaultDuckingDb,
    double DuckAttackMs = AudioSpec.DefaultDuckAttackMs, double DuckReleaseMs = AudioSpec.DefaultDuckReleaseMs,
    MessageSound MessageSound = MessageSound.None, string? MessageSoundPath = null, double MessageSoundVolume = AudioSpec.DefaultMessageSoundVolume,
    double LoudnessTarget = AudioSpec.DefaultLoudnessTarget, double TruePeakCeiling = AudioSpec.DefaultTruePeakCeiling,
    int BitRate = AudioSpec.DefaultBitRate)
{
    public const double DefaultMusicVolume = 30;
    public const double DefaultMasterVolume = 100;
    public const double DefaultVoiceVolume = 100;
    // The mixer's own defaults: one source for both.
    public const double DefaultDuckingDb = Audio.AudioMix.DefaultDuckingDb;
    public const double DefaultDuckAttackMs = Audio.AudioMix.DefaultDuckAttackMs;
    public const double DefaultDuckReleaseMs = Audio.AudioMix.DefaultDuckReleaseMs;
    public const double DefaultMessageSoundVolume = 60;
    public const double DefaultLoudnessTarget = Audio.AudioMix.DefaultLoudnessTargetLufs;
    public const double DefaultTruePeakCeiling = Audio.AudioMix.DefaultTruePeakCeilingDbtp;
    public const int DefaultBitRate = 128_000;
    public const int MinBitRate = 32_000, MaxBitRate = 320_000;

    /// <summary>The key the config gave these settings under (<c>voiceAudioSettings</c> or <c>audioSettings</c>), to name its fields.</summary>
    public string Key { get; init; } = "voiceAudioSettings";
}

/// <summary><c>messageSoundEffect</c>: nothing, the engine's own pop, or a sound file.</summary>
public enum MessageSound { None, Pop, File }

/// <summary>A font file from <c>fonts[]</c>, tried before the built-in fallback chain.</summary>
public sealed record CustomFont(string Family, string Path);
