namespace ReelSpeed.Engine.Config;

/// <summary>
/// The chat templates a config may name (<c>template</c>, an overlay's <c>style</c>): the one list
/// of their names. Their looks are <c>Scenes.Templates</c>, keyed by these names.
/// </summary>
public static class TemplateNames
{
    public const string ModernLight = "modern-light";
    public const string ModernDark = "modern-dark";
    public const string IMessage = "imessage";
    public const string WhatsApp = "whatsapp";
    public const string Instagram = "instagram";
    public const string Discord = "discord";

    /// <summary>The template of a config that names none.</summary>
    public const string Default = ModernLight;

    public static readonly string[] All = { ModernLight, ModernDark, IMessage, WhatsApp, Instagram, Discord };
}
