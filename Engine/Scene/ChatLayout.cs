using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Render.Text;
using SkiaSharp;

namespace ReelSpeed.Engine.Scenes;

/// <summary>
/// Chat geometry in 1080-wide units, scaled by <see cref="Metrics.Scale"/> = min(width, height) / 1080.
/// The chat is a column at most 1080 units wide, centred; the top and bottom margins keep
/// bubbles out of the areas the platforms' own UI covers.
/// </summary>
public static class ChatLayout
{
    public const float FontSize = 46;
    public const float PaddingX = 34;
    public const float PaddingY = 22;
    public const float SideMargin = 40;
    public const float TopMargin = 150;
    public const float BottomMargin = 320;
    public const float Gap = 22;
    public const float SameSenderGap = 10;
    public const float MaxBubbleWidthFraction = 0.74f;
    public const float SlideDistance = 140;
    public const float ShadowBlur = 10;
    public const float ShadowOffsetY = 4;
    public const double MinScrollMs = 250;

    public readonly record struct Metrics(float Scale, float ColumnLeft, float ColumnWidth, SKRect Viewport)
    {
        public float MaxTextWidth => ColumnWidth * MaxBubbleWidthFraction - 2 * PaddingX * Scale;
    }

    public static Metrics Measure(int width, int height)
    {
        float s = Math.Min(width, height) / 1080f;
        float column = Math.Min(width, 1080 * s);
        float left = (width - column) / 2;
        var viewport = new SKRect(left, TopMargin * s, left + column, height - BottomMargin * s);
        return new Metrics(s, left, column, viewport);
    }

    /// <summary>Lays out the bubbles top-down in content coordinates (y = 0 is the top of the conversation).</summary>
    public static IReadOnlyList<Bubble> LayoutBubbles(
        IReadOnlyList<MessageSpec> messages, IReadOnlyList<MessageTiming> timings, Metrics m,
        ChatTheme theme, ColorOverrides colors, AnimationSpec animation, TextLayoutEngine text, Action<int, int> missingGlyph)
    {
        float s = m.Scale;
        var bubbles = new List<Bubble>(messages.Count);
        float y = 0;
        for (int i = 0; i < messages.Count; i++)
        {
            var msg = messages[i];
            int index = i;
            var block = text.Layout(msg.Text, FontSize * s, m.MaxTextWidth, cp => missingGlyph(index, cp));
            float w = MathF.Ceiling(block.Width + 2 * PaddingX * s);
            float h = MathF.Ceiling(block.Height + 2 * PaddingY * s);
            bool me = msg.Sender == Sender.Me;
            float x = me ? m.ColumnLeft + m.ColumnWidth - SideMargin * s - w : m.ColumnLeft + SideMargin * s;
            if (i > 0) y += messages[i - 1].Sender == msg.Sender ? SameSenderGap * s : Gap * s;
            var bounds = SKRect.Create(MathF.Round(x), MathF.Round(y), w, h);
            y += h;

            bubbles.Add(new Bubble(
                i, msg.Sender, msg.Text, block, bounds,
                new SKPoint(PaddingX * s, PaddingY * s),
                MathF.Min(theme.CornerRadius * s, h / 2),
                theme.TailCornerRadius * s,
                me ? colors.SenderBubble ?? theme.SenderBubble : colors.ReceiverBubble ?? theme.ReceiverBubble,
                me ? colors.SenderText ?? theme.SenderText : colors.ReceiverText ?? theme.ReceiverText,
                theme.Shadow, ShadowBlur * s, ShadowOffsetY * s,
                new BubbleAnimation(animation.Type, timings[i].StartMs, animation.TransitionMs, (me ? 1 : -1) * SlideDistance * s)));
        }
        return bubbles;
    }

    /// <summary>
    /// Each bubble that pushes the conversation's bottom past the viewport starts a scroll
    /// to bring it fully into view, eased over the message transition (at least <see cref="MinScrollMs"/>).
    /// </summary>
    public static ScrollTrack BuildScroll(IReadOnlyList<Bubble> bubbles, Metrics m, AnimationSpec animation)
    {
        float viewportHeight = m.Viewport.Height;
        var steps = new List<(double, float)>(bubbles.Count);
        foreach (var b in bubbles)
            steps.Add((b.Animation.StartMs, MathF.Max(0, b.Bounds.Bottom - viewportHeight)));
        return ScrollTrack.Build(steps, Math.Max(animation.TransitionMs, MinScrollMs));
    }
}
