using ReelSpeed.Engine.Config;

namespace ReelSpeed.Engine.Scenes;

/// <summary>Where a message's hold time comes from.</summary>
public enum HoldSource { AudioDuration, AudioClip, ReadingTime }

/// <summary>When one message appears and how long it holds the stage (voice clip or reading time).</summary>
public sealed record MessageTiming(int Index, double StartMs, double HoldMs, HoldSource Source)
{
    public double EndMs => StartMs + HoldMs;
    public bool HoldFromAudio => Source != HoldSource.ReadingTime;
}

/// <summary>
/// The story's clock. Message 0 appears at <c>baseDelay</c>; message i+1 at
/// start(i) + hold(i) + <c>messageDelay</c>, where hold is the voice clip's
/// <c>audioDuration</c> or, without one, a reading time from the text's length.
/// Without a fixed <c>duration</c> the video ends <see cref="TailMs"/> after the last hold.
/// Given a frame rate, every start is snapped to the nearest frame time (frame k at k·1000/fps
/// ms, as the renderer computes it), so a bubble's first frame and its voice clip's first sample
/// fall on the same instant; the next message counts on from the snapped start.
/// </summary>
public static class Timeline
{
    public const double TailMs = 1500;
    public const double ReadingBaseMs = 600;
    public const double ReadingPerCharacterMs = 55;
    public const double ReadingMinMs = 1200;
    public const double ReadingMaxMs = 6000;

    /// <summary>Time to read a message with no voice clip: grows with its length, within bounds.</summary>
    public static double ReadingTimeMs(string text)
    {
        int graphemes = new System.Globalization.StringInfo(text).LengthInTextElements;
        return Math.Clamp(ReadingBaseMs + ReadingPerCharacterMs * graphemes, ReadingMinMs, ReadingMaxMs);
    }

    /// <param name="clipSeconds">Real durations of voice clips, per message (null: no clip), used when audioDuration is absent.</param>
    /// <param name="fps">Frames a second to snap starts to (0: no snapping).</param>
    public static IReadOnlyList<MessageTiming> Compute(IReadOnlyList<MessageSpec> messages, AnimationSpec animation, IReadOnlyList<double?>? clipSeconds = null, int fps = 0)
    {
        var timings = new MessageTiming[messages.Count];
        double t = animation.BaseDelayMs;
        for (int i = 0; i < messages.Count; i++)
        {
            t = SnapToFrame(t, fps);
            var m = messages[i];
            double? clip = clipSeconds?[i];
            var (hold, source) = m.AudioDurationSeconds is { } given ? (given * 1000, HoldSource.AudioDuration)
                : clip is { } real ? (real * 1000, HoldSource.AudioClip)
                : (ReadingTimeMs(m.Text), HoldSource.ReadingTime);
            timings[i] = new MessageTiming(i, t, hold, source);
            t += hold + animation.MessageDelayMs;
        }
        return timings;
    }

    /// <summary>
    /// The frame time nearest <paramref name="ms"/> at <paramref name="fps"/>, computed as the
    /// renderer computes frame k's time (k·1000/fps), so the comparison "frame time ≥ start" is exact.
    /// </summary>
    public static double SnapToFrame(double ms, int fps)
    {
        if (fps <= 0) return ms;
        long k = (long)Math.Round(ms * fps / 1000.0);
        return k * 1000.0 / fps;
    }

    /// <summary>The video's length: the config's duration, or the end of the last hold plus a tail.</summary>
    public static double DurationMs(IReadOnlyList<MessageTiming> timings, double? fixedSeconds)
    {
        if (fixedSeconds is { } s) return s * 1000;
        return timings.Count == 0 ? TailMs : timings[^1].EndMs + TailMs;
    }

    /// <summary>Frames needed to cover <paramref name="durationMs"/> at <paramref name="fps"/> (at least one).</summary>
    public static int FrameCount(double durationMs, int fps) => FrameCount(durationMs, fps, 1);

    /// <summary>Frames of a video at <paramref name="rateNum"/>/<paramref name="rateDen"/> frames a second (30000/1001 for 29.97).</summary>
    public static int FrameCount(double durationMs, int rateNum, int rateDen) => Math.Max(1, (int)Math.Round(durationMs * rateNum / (rateDen * 1000.0)));
}
