using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Text;
using SkiaSharp;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Audio;

namespace ReelSpeed.Engine.Scenes;

/// <summary>
/// The immutable description of a whole video: what every kind shares — size, frame rate and
/// count, the audio plan, the encode settings, warnings — and its <see cref="Content"/>, either a
/// chat (<see cref="ChatContent"/>) or a composition of clips (<see cref="Composition"/>), each
/// drawn by its own painter. Rendering frame t is a pure function of (Scene, t, decoded inputs).
/// A scene built with custom fonts owns them: dispose it when done.
/// </summary>
public sealed class Scene : IDisposable
{
    internal Scene(SceneParts p)
    {
        Width = p.Width;
        Height = p.Height;
        Fps = p.Fps;
        FrameRateDen = p.FrameRateDen;
        FrameRateNum = p.FrameRateDen == 1 ? p.Fps : p.FrameRateNum;
        FrameCount = p.FrameCount;
        DurationMs = p.DurationMs;
        Content = p.Content;
        Audio = p.Audio;
        Encode = p.Encode;
        Warnings = p.Warnings;
        _ownedFonts = p.OwnedFonts;
        _parts = p;
    }

    private readonly SceneParts _parts;

    /// <summary>The same scene encoded with other settings (it shares, and does not own, this scene's fonts).</summary>
    public Scene WithEncode(EncodeSettings encode) => new(_parts with { Encode = encode, OwnedFonts = null });

    /// <summary>The same scene encoded with other settings and another audio bit rate (bits a second).</summary>
    public Scene WithEncode(EncodeSettings encode, int audioBitRate) => new(_parts with { Encode = encode, Audio = _parts.Audio with { BitRate = audioBitRate }, OwnedFonts = null });

    private readonly IDisposable? _ownedFonts;

    public int Width { get; }
    public int Height { get; }
    public int Fps { get; }
    public int FrameCount { get; }
    public double DurationMs { get; }

    /// <summary>What the frames show: a <see cref="ChatContent"/> or a <see cref="Composition"/>.</summary>
    public SceneContent Content { get; }

    /// <summary>The chat of a chat story; null for a processing scene.</summary>
    public ChatContent? Chat => Content as ChatContent;

    /// <summary>The input clips, effects and overlays of a processing config; null for a chat story.</summary>
    public Composition? Composition => Content as Composition;

    public AudioPlan Audio { get; }
    public EncodeSettings Encode { get; }
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// The exact frame rate as a fraction (30/1, or 30000/1001 for a clip recorded at 29.97):
    /// frame times, the encoder's time base and the audio schedule all use it. <see cref="Fps"/> is
    /// its rounded value.
    /// </summary>
    public int FrameRateNum { get; }
    public int FrameRateDen { get; }

    public double FrameTimeMs(long frame) => frame * 1000.0 * FrameRateDen / FrameRateNum;

    /// <summary>Audio samples (at <paramref name="sampleRate"/>) from the start to the start of <paramref name="frame"/>.</summary>
    public long SamplesBefore(long frame, int sampleRate) => frame * sampleRate * FrameRateDen / FrameRateNum;

    public void Dispose() => _ownedFonts?.Dispose();
}

/// <summary>Everything a scene is made of, gathered by <see cref="SceneBuilder"/> or <see cref="ProcessingSceneBuilder"/>.</summary>
internal sealed record SceneParts(
    int Width, int Height, int Fps, int FrameCount, double DurationMs, SceneContent Content, AudioPlan Audio, EncodeSettings Encode,
    IReadOnlyList<string> Warnings, IDisposable? OwnedFonts, int FrameRateNum = 0, int FrameRateDen = 1);

/// <summary>What a scene's frames show; each kind has its own painter.</summary>
public abstract record SceneContent;

/// <summary>
/// A chat story's picture: the template, the background, the chat panel and viewport, the header,
/// the bubbles and typing indicators with their animations, the scroll over time, and the
/// messages' timeline.
/// </summary>
/// <param name="Panel">The chat panel (header + conversation) in frame coordinates.</param>
/// <param name="Viewport">The area the conversation scrolls in; bubbles fade out at its top edge.</param>
/// <param name="ClipBottom">Bubbles are not drawn below this line (the middle of the frame in brainrot mode).</param>
/// <param name="ChatOpacity">Opacity of the whole chat layer (header and bubbles), 0..1.</param>
public sealed record ChatContent(
    ChatTheme Theme, BackgroundLayer Background, SKRect Panel, SKRect Viewport, float ClipBottom, float ChatOpacity,
    HeaderElement? Header, IReadOnlyList<Bubble> Bubbles, IReadOnlyList<TypingIndicator> TypingIndicators,
    ScrollTrack Scroll, IReadOnlyList<MessageTiming> Timeline) : SceneContent
{
    public string Template => Theme.Name;
}

/// <summary>
/// The background: a static base (colour, gradient, image or chroma green) over the whole
/// frame, and for video backgrounds the looping clip cover-fitted into <see cref="MediaRect"/>
/// (the whole frame, or the lower half in brainrot mode). <see cref="Opacity"/> dims the
/// image/video over black; <see cref="BlurRadius"/> is in frame pixels.
/// </summary>
public sealed record BackgroundLayer(
    BackgroundKind Kind, IReadOnlyList<SKColor> Colors, float AngleDegrees, string? MediaPath,
    SKRect MediaRect, float Opacity, float BlurRadius, bool GreenScreen)
{
    /// <summary>Pure chroma green for keying.</summary>
    public static readonly SKColor ChromaGreen = new(0x00, 0xFF, 0x00);
}

/// <summary>
/// The chat header: avatar (image or initials), contact name and a subtitle, in frame
/// coordinates. Its background may reach up to <see cref="BackgroundTop"/> above its bounds.
/// </summary>
public sealed record HeaderElement(
    SKRect Bounds, float BackgroundTop, SKRect AvatarRect, string? AvatarPath, string Initials, SKColor AvatarColor,
    TextBlock Title, SKPoint TitleOrigin, TextBlock? Subtitle, SKPoint SubtitleOrigin,
    SKColor Background, SKColor TitleColor, SKColor SubtitleColor, SKColor Divider)
{
    /// <summary>The divider's thickness: 1/120 of the bar's whole-pixel height (from <see cref="BackgroundTop"/>), at least 1 px.</summary>
    public float DividerWidth => MathF.Max(1, (int)MathF.Ceiling(Bounds.Bottom - BackgroundTop) / 120f);
}

public enum TailKind { None, BottomCurve, TopNotch }

/// <summary>A participant's name above the first bubble of their run (group chats, Discord rows).</summary>
public sealed record NameLabel(TextBlock Block, SKPoint Origin, SKColor Color);

/// <summary>A picture inside a bubble, in coordinates relative to the bubble's element box.</summary>
public sealed record PictureElement(string Path, SKRect Rect, float CornerRadius);

/// <summary>A round avatar (image or initials) at <see cref="Rect"/>, relative to the element box.</summary>
public sealed record AvatarElement(string? Path, string Initials, SKColor Color, SKRect Rect);

/// <summary>
/// One message. <see cref="Bounds"/> is the element's box in chat-content coordinates: x as on
/// the frame, y from the top of the conversation (the scroll offset is subtracted when drawing).
/// <see cref="Body"/>, <see cref="TextOrigin"/>, the label, picture and avatar are relative to it.
/// </summary>
public sealed record Bubble(
    int Index,
    Sender Sender,
    string? Name,
    string Text,
    TextBlock TextBlock,
    SKRect Bounds,
    SKRect Body,
    SKPoint TextOrigin,
    BubbleStyle Style,
    TailKind Tail,
    float CornerRadius,
    float TailCornerRadius,
    SKColor Fill,
    IReadOnlyList<SKColor>? FillGradient,
    SKColor TextColor,
    SKColor Shadow,
    float ShadowBlur,
    float ShadowOffsetY,
    NameLabel? Label,
    PictureElement? Picture,
    AvatarElement? Avatar,
    BubbleAnimation Animation)
{
    /// <summary>The point pop animations scale around: the body's bottom corner on the sender's side.</summary>
    public SKPoint PopOrigin => Sender == Sender.Me && Style != BubbleStyle.Discord
        ? new SKPoint(Body.Right, Body.Bottom) : new SKPoint(Body.Left, Body.Bottom);
}

/// <summary>The three-dot "typing…" bubble shown before a message from the other side.</summary>
public sealed record TypingIndicator(int ForMessage, SKRect Bounds, double StartMs, double EndMs, SKColor Fill, SKColor Dots, float CornerRadius)
{
    public const double DotPeriodMs = 1200;

    public bool VisibleAt(double t) => t >= StartMs && t < EndMs;
}

/// <summary>
/// How a message enters: kind, start and length in ms, the slide distance in pixels, and for
/// typewriter the span over which its characters appear.
/// </summary>
public sealed record BubbleAnimation(MessageAnimation Kind, double StartMs, double DurationMs, float SlideDistance, double RevealMs = 0)
{
    /// <summary>The message's look at time <paramref name="t"/>: hidden before it starts.</summary>
    public BubbleState Evaluate(double t)
    {
        if (t < StartMs) return BubbleState.Hidden;
        if (Kind == MessageAnimation.Typewriter)
        {
            float reveal = RevealMs <= 0 ? 1 : (float)Easing.Clamp01((t - StartMs) / RevealMs);
            float fadeIn = DurationMs <= 0 ? 1 : (float)Easing.EaseOutCubic((t - StartMs) / Math.Min(DurationMs, 150));
            return new BubbleState(true, fadeIn, 0, 0, 1, reveal);
        }
        if (Kind == MessageAnimation.None || DurationMs <= 0 || t >= StartMs + DurationMs) return BubbleState.Settled;
        double p = (t - StartMs) / DurationMs;
        double e = Easing.EaseOutCubic(p);
        return Kind switch
        {
            MessageAnimation.Slide => new BubbleState(true, (float)Easing.Clamp01(p * 2), (float)((1 - e) * SlideDistance), 0, 1, 1),
            MessageAnimation.Fade => new BubbleState(true, (float)e, 0, (float)((1 - e) * Math.Abs(SlideDistance) * 0.25), 1, 1),
            MessageAnimation.Pop => new BubbleState(true, (float)Easing.Clamp01(p * 3), 0, 0, (float)(0.5 + 0.5 * Easing.EaseOutBack(p)), 1),
            _ => BubbleState.Settled,
        };
    }
}

/// <summary>A message's animated state: visibility, opacity, offset, scale, and the revealed fraction of its text.</summary>
public readonly record struct BubbleState(bool Visible, float Opacity, float OffsetX, float OffsetY, float Scale, float Reveal)
{
    public static readonly BubbleState Hidden = new(false, 0, 0, 0, 1, 0);
    public static readonly BubbleState Settled = new(true, 1, 0, 0, 1, 1);
}

/// <summary>
/// How far the conversation has scrolled up over time: each time an element makes the stack
/// overflow the viewport, the offset eases from where it is to the new target.
/// </summary>
public sealed class ScrollTrack
{
    private readonly Segment[] _segments;

    public readonly record struct Segment(double StartMs, double DurationMs, float From, float To);

    public ScrollTrack(IReadOnlyList<Segment> segments) => _segments = segments.ToArray();

    public IReadOnlyList<Segment> Segments => _segments;

    public float Evaluate(double t)
    {
        float value = 0;
        foreach (var s in _segments)
        {
            if (t < s.StartMs) break;
            double p = s.DurationMs <= 0 ? 1 : (t - s.StartMs) / s.DurationMs;
            value = s.From + (s.To - s.From) * (float)Easing.EaseOutCubic(p);
        }
        return value;
    }

    /// <summary>
    /// Builds the track from (time, required offset) steps in time order; each segment starts
    /// from the value the previous one had reached at that moment.
    /// </summary>
    public static ScrollTrack Build(IEnumerable<(double StartMs, float Target)> steps, double durationMs)
    {
        var segs = new List<Segment>();
        float lastTarget = 0;
        foreach (var (start, target) in steps.OrderBy(s => s.StartMs))
        {
            if (target <= lastTarget) continue;
            float from = new ScrollTrack(segs).Evaluate(start);
            segs.Add(new Segment(start, durationMs, from, target));
            lastTarget = target;
        }
        return new ScrollTrack(segs);
    }
}

/// <summary>
/// What the audio track holds: the mix (voices at their messages' starts, looped and ducked
/// music, pops, gains, loudness target) and the AAC bit rate. 48 kHz stereo whatever the inputs.
/// </summary>
public sealed record AudioPlan(Audio.AudioMix Mix, int BitRate)
{
    public const int SampleRate = 48000;
    public const int Channels = 2;

    public bool Enabled => Mix.Enabled;
    public string? MusicPath => Mix.Enabled ? Mix.MusicPath : null;

    /// <summary>Whether anything audible is mixed (otherwise the track is silent and not normalised).</summary>
    public bool HasSources => Mix.Enabled && (Mix.MusicPath is not null || Mix.Voices.Count > 0 || Mix.PopTimesMs.Count > 0);
}
