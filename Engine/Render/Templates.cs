using SkiaSharp;

namespace ReelSpeed.Engine.Render;

/// <summary>The look of a template: colours and bubble geometry (in 1080-wide units).</summary>
public sealed record ChatTheme(
    string Name,
    SKColor[] BackgroundGradient,
    SKColor SenderBubble,
    SKColor SenderText,
    SKColor ReceiverBubble,
    SKColor ReceiverText,
    SKColor Shadow,
    float CornerRadius,
    float TailCornerRadius);

/// <summary>The catalogue of chat templates. <c>colorCustomization</c> overrides their colours.</summary>
public static class Templates
{
    public static readonly ChatTheme ModernLight = new(
        "modern-light",
        new[] { new SKColor(0xF4, 0xF7, 0xFB), new SKColor(0xDD, 0xE5, 0xF0) },
        SenderBubble: new SKColor(0x25, 0x63, 0xEB),
        SenderText: SKColors.White,
        ReceiverBubble: SKColors.White,
        ReceiverText: new SKColor(0x11, 0x18, 0x27),
        Shadow: new SKColor(0x0F, 0x17, 0x2A, 0x30),
        CornerRadius: 40,
        TailCornerRadius: 10);

    public static readonly ChatTheme ModernDark = new(
        "modern-dark",
        new[] { new SKColor(0x0B, 0x10, 0x20), new SKColor(0x1E, 0x29, 0x3B) },
        SenderBubble: new SKColor(0x63, 0x66, 0xF1),
        SenderText: SKColors.White,
        ReceiverBubble: new SKColor(0x33, 0x41, 0x55),
        ReceiverText: new SKColor(0xF1, 0xF5, 0xF9),
        Shadow: new SKColor(0x00, 0x00, 0x00, 0x50),
        CornerRadius: 40,
        TailCornerRadius: 10);

    public static ChatTheme Get(string name) => name switch
    {
        "modern-dark" => ModernDark,
        "modern-light" => ModernLight,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown template"),
    };
}
