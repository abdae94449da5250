using ReelSpeed.Engine.Config;
using SkiaSharp;

namespace ReelSpeed.Engine.Scenes;

/// <summary>How a template shapes a message.</summary>
public enum BubbleStyle
{
    /// <summary>Rounded bubbles, a tighter corner on the sender's side (modern-light/dark).</summary>
    Rounded,
    /// <summary>iOS Messages: a curved tail on the last bubble of a run from one sender.</summary>
    IMessage,
    /// <summary>WhatsApp: a small notch at the top corner of the first bubble of a run.</summary>
    WhatsApp,
    /// <summary>Instagram DMs: pill bubbles, a purple-to-blue gradient for "me".</summary>
    Instagram,
    /// <summary>Discord: no bubbles; rows of avatar, coloured name and text, all on the left.</summary>
    Discord,
}

/// <summary>The chat header of a template: a bar with the avatar, the contact's name and a subtitle.</summary>
public sealed record HeaderTheme(
    SKColor Background, SKColor Title, SKColor Subtitle, string SubtitleText, bool CenteredAvatar, SKColor Divider, float Height);

/// <summary>The look of a template: colours and geometry (in 1080-wide units).</summary>
public sealed record ChatTheme(
    string Name,
    BubbleStyle Style,
    SKColor[] BackgroundGradient,
    SKColor SenderBubble,
    SKColor SenderText,
    SKColor ReceiverBubble,
    SKColor ReceiverText,
    SKColor Shadow,
    float CornerRadius,
    float TailCornerRadius,
    HeaderTheme Header,
    SKColor[] NamePalette,
    SKColor TypingDots,
    SKColor[]? SenderGradient = null,
    float SameSenderGap = 10,
    float Gap = 22);

/// <summary>The catalogue of chat templates. <c>colorCustomization</c> overrides their colours.</summary>
public static class Templates
{
    /// <summary>Name-label colours for group chats, readable on light and dark bubbles alike.</summary>
    private static readonly SKColor[] Palette =
    {
        new(0xE1, 0x1D, 0x48), new(0x0E, 0x9F, 0x6E), new(0x7C, 0x3A, 0xED), new(0xD9, 0x77, 0x06),
        new(0x02, 0x84, 0xC7), new(0xDB, 0x27, 0x77), new(0x65, 0xA3, 0x0D), new(0x93, 0x33, 0xEA),
    };

    public static readonly ChatTheme ModernLight = new(
        TemplateNames.ModernLight, BubbleStyle.Rounded,
        new[] { new SKColor(0xF4, 0xF7, 0xFB), new SKColor(0xDD, 0xE5, 0xF0) },
        SenderBubble: new SKColor(0x25, 0x63, 0xEB), SenderText: SKColors.White,
        ReceiverBubble: SKColors.White, ReceiverText: new SKColor(0x11, 0x18, 0x27),
        Shadow: new SKColor(0x0F, 0x17, 0x2A, 0x30), CornerRadius: 40, TailCornerRadius: 10,
        Header: new HeaderTheme(new SKColor(0xFF, 0xFF, 0xFF, 0xF0), new SKColor(0x11, 0x18, 0x27), new SKColor(0x64, 0x74, 0x8B), "online", false, new SKColor(0xE2, 0xE8, 0xF0), 150),
        NamePalette: Palette, TypingDots: new SKColor(0x94, 0xA3, 0xB8));

    public static readonly ChatTheme ModernDark = new(
        TemplateNames.ModernDark, BubbleStyle.Rounded,
        new[] { new SKColor(0x0B, 0x10, 0x20), new SKColor(0x1E, 0x29, 0x3B) },
        SenderBubble: new SKColor(0x63, 0x66, 0xF1), SenderText: SKColors.White,
        ReceiverBubble: new SKColor(0x33, 0x41, 0x55), ReceiverText: new SKColor(0xF1, 0xF5, 0xF9),
        Shadow: new SKColor(0x00, 0x00, 0x00, 0x50), CornerRadius: 40, TailCornerRadius: 10,
        Header: new HeaderTheme(new SKColor(0x0F, 0x17, 0x2A, 0xF0), new SKColor(0xF1, 0xF5, 0xF9), new SKColor(0x94, 0xA3, 0xB8), "online", false, new SKColor(0x1E, 0x29, 0x3B), 150),
        NamePalette: new[] { new SKColor(0xFB, 0x71, 0x85), new SKColor(0x34, 0xD3, 0x99), new SKColor(0xA7, 0x8B, 0xFA), new SKColor(0xFB, 0xBF, 0x24), new SKColor(0x38, 0xBD, 0xF8), new SKColor(0xF4, 0x72, 0xB6) },
        TypingDots: new SKColor(0x94, 0xA3, 0xB8));

    public static readonly ChatTheme IMessage = new(
        TemplateNames.IMessage, BubbleStyle.IMessage,
        new[] { SKColors.White, SKColors.White },
        SenderBubble: new SKColor(0x0A, 0x84, 0xFF), SenderText: SKColors.White,
        ReceiverBubble: new SKColor(0xE9, 0xE9, 0xEB), ReceiverText: SKColors.Black,
        Shadow: SKColors.Transparent, CornerRadius: 38, TailCornerRadius: 38,
        Header: new HeaderTheme(new SKColor(0xF6, 0xF6, 0xF6, 0xF5), SKColors.Black, new SKColor(0x8E, 0x8E, 0x93), "iMessage", true, new SKColor(0xD1, 0xD1, 0xD6), 230),
        NamePalette: new[] { new SKColor(0x8E, 0x8E, 0x93) }, TypingDots: new SKColor(0x8E, 0x8E, 0x93),
        SameSenderGap: 6, Gap: 20);

    public static readonly ChatTheme WhatsApp = new(
        TemplateNames.WhatsApp, BubbleStyle.WhatsApp,
        new[] { new SKColor(0xEF, 0xE7, 0xDE), new SKColor(0xE5, 0xDD, 0xD5) },
        SenderBubble: new SKColor(0xD9, 0xFD, 0xD3), SenderText: new SKColor(0x11, 0x1B, 0x21),
        ReceiverBubble: SKColors.White, ReceiverText: new SKColor(0x11, 0x1B, 0x21),
        Shadow: new SKColor(0x0B, 0x14, 0x1A, 0x28), CornerRadius: 18, TailCornerRadius: 18,
        Header: new HeaderTheme(new SKColor(0x00, 0x80, 0x69), SKColors.White, new SKColor(0xD1, 0xF4, 0xEC), "online", false, new SKColor(0x00, 0x6B, 0x58), 150),
        NamePalette: new[] { new SKColor(0x06, 0xCF, 0x9C), new SKColor(0xE5, 0x42, 0x7A), new SKColor(0x53, 0xBD, 0xEB), new SKColor(0xFF, 0x97, 0x2F), new SKColor(0xA7, 0x91, 0xFF) },
        TypingDots: new SKColor(0x86, 0x96, 0xA0),
        SameSenderGap: 6, Gap: 18);

    public static readonly ChatTheme Instagram = new(
        TemplateNames.Instagram, BubbleStyle.Instagram,
        new[] { SKColors.White, SKColors.White },
        SenderBubble: new SKColor(0x37, 0x97, 0xF0), SenderText: SKColors.White,
        ReceiverBubble: new SKColor(0xEF, 0xEF, 0xEF), ReceiverText: SKColors.Black,
        Shadow: SKColors.Transparent, CornerRadius: 46, TailCornerRadius: 46,
        Header: new HeaderTheme(SKColors.White, SKColors.Black, new SKColor(0x73, 0x73, 0x73), "Active now", false, new SKColor(0xDB, 0xDB, 0xDB), 150),
        NamePalette: new[] { new SKColor(0x73, 0x73, 0x73) }, TypingDots: new SKColor(0x8E, 0x8E, 0x8E),
        SenderGradient: new[] { new SKColor(0xA3, 0x3B, 0xF5), new SKColor(0x5B, 0x51, 0xF8), new SKColor(0x37, 0x97, 0xF0) },
        SameSenderGap: 6, Gap: 20);

    public static readonly ChatTheme Discord = new(
        TemplateNames.Discord, BubbleStyle.Discord,
        new[] { new SKColor(0x31, 0x33, 0x38), new SKColor(0x31, 0x33, 0x38) },
        SenderBubble: SKColors.Transparent, SenderText: new SKColor(0xDB, 0xDE, 0xE1),
        ReceiverBubble: SKColors.Transparent, ReceiverText: new SKColor(0xDB, 0xDE, 0xE1),
        Shadow: SKColors.Transparent, CornerRadius: 0, TailCornerRadius: 0,
        Header: new HeaderTheme(new SKColor(0x2B, 0x2D, 0x31), new SKColor(0xF2, 0xF3, 0xF5), new SKColor(0x94, 0x9B, 0xA4), "", false, new SKColor(0x1F, 0x20, 0x23), 130),
        NamePalette: new[] { new SKColor(0xF2, 0x3F, 0x43), new SKColor(0x23, 0xA5, 0x59), new SKColor(0xF0, 0xB2, 0x32), new SKColor(0xEB, 0x45, 0x9E), new SKColor(0x00, 0xA8, 0xFC), new SKColor(0x9B, 0x59, 0xB6) },
        TypingDots: new SKColor(0xB5, 0xBA, 0xC1),
        SameSenderGap: 4, Gap: 34);

    public static readonly IReadOnlyList<ChatTheme> All = new[] { ModernLight, ModernDark, IMessage, WhatsApp, Instagram, Discord };

    public static ChatTheme Get(string name)
    {
        foreach (var t in All)
            if (t.Name == name) return t;
        throw new ArgumentOutOfRangeException(nameof(name), name, "unknown template");
    }

    /// <summary>A stable colour for a participant's name: the same name gets the same colour in every frame and render.</summary>
    public static SKColor NameColor(ChatTheme theme, string name)
    {
        uint h = 2166136261;
        foreach (char c in name) h = (h ^ c) * 16777619;
        return theme.NamePalette[(int)(h % (uint)theme.NamePalette.Length)];
    }
}
