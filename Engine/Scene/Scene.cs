using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Render.Text;
using SkiaSharp;

namespace ReelSpeed.Engine.Scenes;

/// <summary>
/// The immutable description of a whole video: every element with its resolved geometry
/// and its keyframes. Rendering frame t is a pure function of (Scene, t).
/// </summary>
public sealed class Scene
{
    internal Scene(
        int width, int height, int fps, int frameCount, double durationMs,
        BackgroundLayer background, SKRect viewport, IReadOnlyList<Bubble> bubbles,
        ScrollTrack scroll, IReadOnlyList<MessageTiming> timeline, AudioPlan audio,
        EncodeSettings encode, string template, IReadOnlyList<string> warnings)
    {
        Width = width;
        Height = height;
        Fps = fps;
        FrameCount = frameCount;
        DurationMs = durationMs;
        Background = background;
        Viewport = viewport;
        Bubbles = bubbles;
        Scroll = scroll;
        Timeline = timeline;
        Audio = audio;
        Encode = encode;
        Template = template;
        Warnings = warnings;
    }

    public int Width { get; }
    public int Height { get; }
    public int Fps { get; }
    public int FrameCount { get; }
    public double DurationMs { get; }
    public BackgroundLayer Background { get; }

    /// <summary>The area of the frame the chat is drawn in; bubbles are clipped to it.</summary>
    public SKRect Viewport { get; }

    public IReadOnlyList<Bubble> Bubbles { get; }
    public ScrollTrack Scroll { get; }
    public IReadOnlyList<MessageTiming> Timeline { get; }
    public AudioPlan Audio { get; }
    public EncodeSettings Encode { get; }
    public string Template { get; }
    public IReadOnlyList<string> Warnings { get; }

    public double FrameTimeMs(long frame) => Scenes.Timeline.FrameTimeMs(frame, Fps);
}

public sealed record BackgroundLayer(BackgroundKind Kind, IReadOnlyList<SKColor> Colors, float AngleDegrees);

/// <summary>
/// One chat bubble. <see cref="Bounds"/> is in chat-content coordinates: x as on the frame,
/// y from the top of the conversation (the scroll offset is subtracted when drawing).
/// </summary>
public sealed record Bubble(
    int Index,
    Sender Sender,
    string Text,
    TextBlock TextBlock,
    SKRect Bounds,
    SKPoint TextOrigin,
    float CornerRadius,
    float TailCornerRadius,
    SKColor Fill,
    SKColor TextColor,
    SKColor Shadow,
    float ShadowBlur,
    float ShadowOffsetY,
    BubbleAnimation Animation);

/// <summary>How a bubble enters: kind, start and length in ms, and the slide distance in pixels.</summary>
public sealed record BubbleAnimation(MessageAnimation Kind, double StartMs, double DurationMs, float SlideDistance)
{
    /// <summary>The bubble's look at time <paramref name="t"/>: hidden before it starts.</summary>
    public BubbleState Evaluate(double t)
    {
        if (t < StartMs) return BubbleState.Hidden;
        if (Kind == MessageAnimation.None || DurationMs <= 0 || t >= StartMs + DurationMs) return BubbleState.Settled;
        double p = (t - StartMs) / DurationMs;
        double e = Easing.EaseOutCubic(p);
        return Kind switch
        {
            MessageAnimation.Slide => new BubbleState(true, (float)Easing.Clamp01(p * 2), (float)((1 - e) * SlideDistance), 0),
            MessageAnimation.Fade => new BubbleState(true, (float)e, 0, (float)((1 - e) * SlideDistance * 0.25)),
            _ => BubbleState.Settled,
        };
    }
}

/// <summary>A bubble's animated state: visibility, opacity and offset from its settled place.</summary>
public readonly record struct BubbleState(bool Visible, float Opacity, float OffsetX, float OffsetY)
{
    public static readonly BubbleState Hidden = new(false, 0, 0, 0);
    public static readonly BubbleState Settled = new(true, 1, 0, 0);
    public bool IsSettled => Visible && Opacity >= 1 && OffsetX == 0 && OffsetY == 0;
}

/// <summary>
/// How far the conversation has scrolled up over time: each time a bubble makes the stack
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
    /// Builds the track from each bubble's appearance time and the scroll offset it requires;
    /// each segment starts from the value the previous one had reached at that moment.
    /// </summary>
    public static ScrollTrack Build(IReadOnlyList<(double StartMs, float Target)> steps, double durationMs)
    {
        var segs = new List<Segment>();
        float lastTarget = 0;
        foreach (var (start, target) in steps)
        {
            if (target <= lastTarget) continue;
            float from = new ScrollTrack(segs).Evaluate(start);
            segs.Add(new Segment(start, durationMs, from, target));
            lastTarget = target;
        }
        return new ScrollTrack(segs);
    }
}

/// <summary>What the audio track holds: a looped music bed at a linear gain, or silence.</summary>
public sealed record AudioPlan(bool Enabled, string? MusicPath, double MusicGain)
{
    public const int SampleRate = 48000;
    public const int Channels = 2;
    public const int BitRate = 128_000;
}

/// <summary>Encoder settings resolved from the config.</summary>
public sealed record EncodeSettings(string Codec, int Crf, string Preset, string Quality);
