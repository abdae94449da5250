using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Text;
using SkiaSharp;

namespace ReelSpeed.Engine.Scenes;

/// <summary>
/// Chat geometry in 1080-wide units. <see cref="Metrics.FrameScale"/> = min(width, height) / 1080
/// places the panel; <see cref="Metrics.Scale"/> (times <c>chatOverlay.scale</c>) sizes its content.
/// The chat is a column at most 1080 units wide (times <c>widthPercent</c>), centred; the top and
/// bottom margins keep it out of the areas the platforms' own UI covers.
/// </summary>
public static class ChatLayout
{
    public const float FontSize = 46;
    public const float DiscordFontSize = 42;
    public const float NameFontSize = 30;
    public const float DiscordNameFontSize = 40;
    public const float PaddingX = 34;
    public const float PaddingY = 22;
    public const float SideMargin = 40;
    public const float TopMargin = 150;
    public const float BottomMargin = 320;
    public const float HeaderGap = 16;
    public const float MaxBubbleWidthFraction = 0.74f;
    public const float MaxPictureWidthFraction = 0.62f;
    public const float MaxPictureHeightFraction = 0.45f;
    public const float PictureInset = 8;
    public const float DiscordAvatar = 84;
    public const float DiscordTextIndent = 28;
    public const float TailWidth = 14;
    public const float SlideDistance = 140;
    public const float ShadowBlur = 10;
    public const float ShadowOffsetY = 4;
    public const float TypingWidth = 150;
    public const double MinScrollMs = 250;
    public const double TypingMs = 1200;
    public const double MinTypingMs = 350;
    public const float HeaderAvatar = 96;
    public const float HeaderAvatarCentered = 120;
    public const float HeaderTitleSize = 40;
    public const float HeaderSubtitleSize = 28;

    public readonly record struct Metrics(float Scale, float FrameScale, float ColumnLeft, float ColumnWidth, SKRect Panel, SKRect Viewport, float ClipBottom)
    {
        public float MaxTextWidth => ColumnWidth * MaxBubbleWidthFraction - 2 * PaddingX * Scale;
        public float ColumnRight => ColumnLeft + ColumnWidth;
    }

    /// <summary>Panel and viewport for a frame; <paramref name="headerHeight"/> in 1080 units (0 without a header).</summary>
    public static Metrics Measure(int width, int height, ChatOverlaySpec? overlay = null, bool brainrot = false, float headerHeight = 0)
    {
        overlay ??= ChatOverlaySpec.Default;
        float s0 = Math.Min(width, height) / 1080f;
        float s = s0 * (float)overlay.Scale;
        float column = Math.Min(width, 1080 * s0) * (float)(overlay.WidthPercent / 100);
        float left = (width - column) / 2;

        float top, bottom, clip = height;
        if (brainrot)
        {
            top = 90 * s0;
            bottom = height / 2f - 20 * s0;
            clip = height / 2f;
        }
        else
        {
            top = TopMargin * s0;
            bottom = height - BottomMargin * s0;
            if (overlay.Position == OverlayPosition.Center)
            {
                float h = Math.Min(bottom - top, height * 0.6f);
                top = (height - h) / 2;
                bottom = top + h;
            }
        }
        var panel = new SKRect(left, top, left + column, bottom);
        float header = headerHeight > 0 ? headerHeight * s + HeaderGap * s : 0;
        var viewport = new SKRect(left, Math.Min(top + header, bottom - 1), left + column, bottom);
        return new Metrics(s, s0, left, column, panel, viewport, clip);
    }

    /// <param name="greenScreen">Over chroma green the header is opaque and covers only its own bounds, so every pixel
    /// outside the chat is pure key colour and none inside it is tinted by the green showing through.</param>
    public static HeaderElement LayoutHeader(ChatOverlaySpec overlay, ChatTheme theme, ColorOverrides colors, Metrics m, TextLayoutEngine text, Action<int> missingGlyph,
        bool greenScreen = false)
    {
        float s = m.Scale;
        var h = theme.Header;
        string title = overlay.ContactName ?? "Chat";
        var bounds = new SKRect(m.Panel.Left, m.Panel.Top, m.Panel.Right, m.Panel.Top + h.Height * s);
        var titleColor = colors.HeaderText ?? h.Title;
        var titleBlock = text.Layout(title, HeaderTitleSize * s, bounds.Width * 0.7f, missingGlyph, bold: true);
        TextBlock? sub = string.IsNullOrEmpty(h.SubtitleText) ? null : text.Layout(h.SubtitleText, HeaderSubtitleSize * s, bounds.Width * 0.7f);
        SKRect avatar;
        SKPoint titleAt, subAt;
        if (h.CenteredAvatar)
        {
            float a = HeaderAvatarCentered * s;
            avatar = SKRect.Create(bounds.MidX - a / 2, bounds.Top + 18 * s, a, a);
            titleAt = new SKPoint(bounds.MidX - titleBlock.Width / 2, avatar.Bottom + 6 * s);
            subAt = new SKPoint(bounds.MidX - (sub?.Width ?? 0) / 2, titleAt.Y + titleBlock.Height);
        }
        else
        {
            float a = HeaderAvatar * s;
            avatar = SKRect.Create(bounds.Left + SideMargin * s, bounds.MidY - a / 2, a, a);
            float textX = avatar.Right + 24 * s;
            float blockH = titleBlock.Height + (sub?.Height ?? 0);
            titleAt = new SKPoint(textX, bounds.MidY - blockH / 2);
            subAt = new SKPoint(textX, titleAt.Y + titleBlock.Height);
        }
        // A full-width header at the top also fills the strip above it, like a phone's status bar.
        float backgroundTop = overlay.Position == OverlayPosition.Top && overlay.WidthPercent >= 100 && !greenScreen ? 0 : bounds.Top;
        var background = colors.HeaderBackground ?? h.Background;
        if (greenScreen) background = background.WithAlpha(255);
        return new HeaderElement(bounds, backgroundTop, avatar, overlay.AvatarPath, Initials(title), Templates.NameColor(theme, title),
            titleBlock, titleAt, sub, subAt, background, titleColor, h.Subtitle, greenScreen ? h.Divider.WithAlpha(255) : h.Divider);
    }

    /// <summary>Up to two initials for a default avatar ("Alex Morgan" → "AM"); words without a letter (emoji) are skipped.</summary>
    public static string Initials(string name)
    {
        var letters = name.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.EnumerateRunes().FirstOrDefault(System.Text.Rune.IsLetterOrDigit))
            .Where(r => r.Value != 0)
            .Select(r => r.ToString().ToUpperInvariant())
            .ToList();
        return letters.Count switch
        {
            0 => "?",
            1 => letters[0],
            _ => letters[0] + letters[^1],
        };
    }

    /// <summary>Lays out the messages top-down in content coordinates (y = 0 is the top of the conversation).</summary>
    public static IReadOnlyList<Bubble> LayoutBubbles(
        IReadOnlyList<MessageSpec> messages, IReadOnlyList<MessageTiming> timings, Metrics m, ChatTheme theme,
        ColorOverrides colors, AnimationSpec animation, string? contactName, TextLayoutEngine text,
        Func<string, string, SKSizeI> imageSize, Action<int, int> missingGlyph, bool noShadows)
    {
        float s = m.Scale;
        var bubbles = new List<Bubble>(messages.Count);
        float y = 0;
        for (int i = 0; i < messages.Count; i++)
        {
            var msg = messages[i];
            int index = i;
            bool firstOfRun = i == 0 || !SameAuthor(messages[i - 1], msg);
            bool lastOfRun = i == messages.Count - 1 || !SameAuthor(messages[i + 1], msg);
            if (i > 0) y += (firstOfRun ? theme.Gap : theme.SameSenderGap) * s;
            bool me = msg.Sender == Sender.Me;
            var fill = me ? colors.SenderBubble ?? theme.SenderBubble : colors.ReceiverBubble ?? theme.ReceiverBubble;
            var textColor = me ? colors.SenderText ?? theme.SenderText : colors.ReceiverText ?? theme.ReceiverText;
            var shadow = noShadows ? SKColors.Transparent : theme.Shadow;
            var anim = Animate(animation, timings[i], me && theme.Style != BubbleStyle.Discord, s);
            Action<int> missing = cp => missingGlyph(index, cp);

            Bubble b = theme.Style == BubbleStyle.Discord
                ? LayoutDiscordRow(msg, i, firstOfRun, y, m, theme, colors, contactName, text, imageSize, missing, textColor, anim)
                : LayoutBubble(msg, i, firstOfRun, lastOfRun, y, m, theme, text, imageSize, missing, fill, textColor, shadow, colors.SenderBubble is not null, anim);
            bubbles.Add(b);
            y = b.Bounds.Bottom;
        }
        return bubbles;
    }

    private static bool SameAuthor(MessageSpec a, MessageSpec b) => a.Sender == b.Sender && a.Name == b.Name;

    private static BubbleAnimation Animate(AnimationSpec a, MessageTiming t, bool me, float s)
    {
        double reveal = a.Type == MessageAnimation.Typewriter ? Math.Clamp(t.HoldMs * 0.8, 300, 8000) : 0;
        return new BubbleAnimation(a.Type, t.StartMs, a.TransitionMs, (me ? 1 : -1) * SlideDistance * s, reveal);
    }

    private static Bubble LayoutBubble(
        MessageSpec msg, int i, bool firstOfRun, bool lastOfRun, float y, Metrics m, ChatTheme theme, TextLayoutEngine text,
        Func<string, string, SKSizeI> imageSize, Action<int> missing, SKColor fill, SKColor textColor, SKColor shadow,
        bool senderColorOverridden, BubbleAnimation anim)
    {
        float s = m.Scale;
        bool me = msg.Sender == Sender.Me;
        var block = text.Layout(msg.Text, FontSize * s, m.MaxTextWidth, missing);
        bool hasText = msg.Text.Length > 0;
        float padX = PaddingX * s, padY = PaddingY * s;

        PictureElement? picture = null;
        float bodyW = hasText ? block.Width + 2 * padX : 0, bodyH = hasText ? block.Height + 2 * padY : 0;
        float textTop = padY;
        if (msg.ImagePath is { } path)
        {
            var size = imageSize(path, $"messages[{i}].imageUrl");
            float maxW = m.ColumnWidth * MaxPictureWidthFraction, maxH = m.Viewport.Height * MaxPictureHeightFraction;
            float k = Math.Min(maxW / size.Width, maxH / size.Height);
            float pw = MathF.Round(size.Width * k), ph = MathF.Round(size.Height * k);
            float inset = hasText ? PictureInset * s : 0;
            picture = new PictureElement(path, SKRect.Create(inset, inset, pw, ph), Math.Max(0, theme.CornerRadius * s - inset));
            bodyW = Math.Max(bodyW, pw + 2 * inset);
            bodyH = ph + 2 * inset + (hasText ? block.Height + padY : 0);
            textTop = ph + inset + (hasText ? padY * 0.6f : 0);
        }
        bodyW = MathF.Ceiling(bodyW);
        bodyH = MathF.Ceiling(bodyH);

        NameLabel? label = null;
        float labelH = 0;
        if (msg.Name is { } name && firstOfRun)
        {
            var lb = text.Layout(name, NameFontSize * s, m.MaxTextWidth, missing, bold: true);
            labelH = lb.Height + 2 * s;
            label = new NameLabel(lb, new SKPoint(padX * 0.5f, 0), Templates.NameColor(theme, name));
        }

        float x = me ? m.ColumnRight - SideMargin * s - bodyW : m.ColumnLeft + SideMargin * s;
        var bounds = SKRect.Create(MathF.Round(x), MathF.Round(y), bodyW, labelH + bodyH);
        var body = SKRect.Create(0, labelH, bodyW, bodyH);
        var tail = theme.Style switch
        {
            BubbleStyle.IMessage when lastOfRun => TailKind.BottomCurve,
            BubbleStyle.WhatsApp when firstOfRun => TailKind.TopNotch,
            _ => TailKind.None,
        };
        var gradient = me && theme.SenderGradient is not null && !senderColorOverridden ? theme.SenderGradient : null;
        return new Bubble(i, msg.Sender, msg.Name, msg.Text, block, bounds, body, new SKPoint(padX, labelH + textTop),
            theme.Style, tail, MathF.Min(theme.CornerRadius * s, bodyH / 2), theme.TailCornerRadius * s, fill, gradient, textColor,
            shadow, ShadowBlur * s, ShadowOffsetY * s, label, picture, null, anim);
    }

    /// <summary>Discord: avatar and coloured name on the first message of a run, text indented beside it.</summary>
    private static Bubble LayoutDiscordRow(
        MessageSpec msg, int i, bool firstOfRun, float y, Metrics m, ChatTheme theme, ColorOverrides colors, string? contactName,
        TextLayoutEngine text, Func<string, string, SKSizeI> imageSize, Action<int> missing, SKColor textColor, BubbleAnimation anim)
    {
        float s = m.Scale;
        float left = m.ColumnLeft + SideMargin * s;
        float avatar = DiscordAvatar * s;
        float textX = avatar + DiscordTextIndent * s;
        float width = m.ColumnRight - SideMargin * s - left;
        float maxText = width - textX;
        string displayName = msg.Name ?? (msg.Sender == Sender.Me ? "You" : contactName ?? "Them");
        var nameColor = msg.Sender == Sender.Me
            ? colors.SenderBubble ?? Templates.NameColor(theme, displayName)
            : colors.ReceiverBubble ?? Templates.NameColor(theme, displayName);

        NameLabel? label = null;
        AvatarElement? av = null;
        float top = 0;
        if (firstOfRun)
        {
            var lb = text.Layout(displayName, DiscordNameFontSize * s, maxText, missing, bold: true);
            label = new NameLabel(lb, new SKPoint(textX, 0), nameColor);
            av = new AvatarElement(null, Initials(displayName), nameColor, SKRect.Create(0, 2 * s, avatar, avatar));
            top = lb.Height;
        }
        var block = text.Layout(msg.Text, DiscordFontSize * s, maxText, missing);
        float h = top + (msg.Text.Length > 0 ? block.Height : 0);
        PictureElement? picture = null;
        if (msg.ImagePath is { } path)
        {
            var size = imageSize(path, $"messages[{i}].imageUrl");
            float k = Math.Min(maxText * 0.8f / size.Width, m.Viewport.Height * MaxPictureHeightFraction / size.Height);
            float pw = MathF.Round(size.Width * k), ph = MathF.Round(size.Height * k);
            picture = new PictureElement(path, SKRect.Create(textX, h + 8 * s, pw, ph), 12 * s);
            h += ph + 16 * s;
        }
        if (firstOfRun) h = Math.Max(h, avatar + 4 * s);
        var bounds = SKRect.Create(MathF.Round(left), MathF.Round(y), MathF.Ceiling(width), MathF.Ceiling(h));
        var body = SKRect.Create(textX, top, maxText, h - top);
        return new Bubble(i, msg.Sender, msg.Name, msg.Text, block, bounds, body, new SKPoint(textX, top),
            BubbleStyle.Discord, TailKind.None, 0, 0, SKColors.Transparent, null, textColor,
            SKColors.Transparent, 0, 0, label, picture, av, anim);
    }

    /// <summary>
    /// A typing indicator before each message from the other side: it appears once the previous
    /// message has finished entering and lasts up to <see cref="TypingMs"/> (scaled by the
    /// animation speed), in the place the message will take; too short a gap shows none.
    /// </summary>
    public static IReadOnlyList<TypingIndicator> LayoutTypingIndicators(
        IReadOnlyList<Bubble> bubbles, AnimationSpec animation, ChatTheme theme, Metrics m)
    {
        var list = new List<TypingIndicator>();
        if (!animation.ShowTypingIndicator) return list;
        float s = m.Scale;
        for (int i = 0; i < bubbles.Count; i++)
        {
            var b = bubbles[i];
            if (b.Sender == Sender.Me) continue;
            double start = b.Animation.StartMs;
            double earliest = i == 0 ? 0 : bubbles[i - 1].Animation.StartMs + animation.TransitionMs;
            double length = Math.Min(TypingMs * animation.SpeedFactor, start - earliest);
            if (length < MinTypingMs) continue;
            float h = MathF.Ceiling(FontSize * s * TextLayoutEngine.LineHeightFactor + 2 * PaddingY * s);
            float x = theme.Style == BubbleStyle.Discord ? b.Bounds.Left + b.Body.Left : m.ColumnLeft + SideMargin * s;
            float y = b.Bounds.Top + (b.Style == BubbleStyle.Discord ? b.Body.Top : b.Body.Top);
            var fill = theme.Style == BubbleStyle.Discord ? new SKColor(0x2B, 0x2D, 0x31) : b.Fill;
            list.Add(new TypingIndicator(i, SKRect.Create(MathF.Round(x), MathF.Round(y), TypingWidth * s, h), start - length, start, fill, theme.TypingDots, h / 2));
        }
        return list;
    }

    /// <summary>
    /// Each element that pushes the conversation's bottom past the viewport starts a scroll to
    /// bring it fully into view, eased over the message transition (at least <see cref="MinScrollMs"/>).
    /// </summary>
    public static ScrollTrack BuildScroll(IReadOnlyList<Bubble> bubbles, IReadOnlyList<TypingIndicator> typing, Metrics m, AnimationSpec animation)
    {
        float viewportHeight = m.Viewport.Height;
        var steps = new List<(double, float)>(bubbles.Count + typing.Count);
        foreach (var b in bubbles) steps.Add((b.Animation.StartMs, MathF.Max(0, b.Bounds.Bottom - viewportHeight)));
        foreach (var t in typing) steps.Add((t.StartMs, MathF.Max(0, t.Bounds.Bottom - viewportHeight)));
        return ScrollTrack.Build(steps, Math.Max(animation.TransitionMs, MinScrollMs));
    }
}
