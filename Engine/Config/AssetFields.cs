using ReelSpeed.Engine.Assets;

namespace ReelSpeed.Engine.Config;

/// <summary>
/// The asset fields of both config shapes: which hold http(s) URLs (with the kind of file each
/// expects), and the same config with those URLs replaced by the local files they were fetched to.
/// Everything after this sees local paths only, so a fetched asset renders exactly as a local one.
/// </summary>
public static class AssetFields
{
    /// <summary>Every remote URL of a chat story, with its field and expected kind.</summary>
    public static List<(string Field, string Url, AssetKind Kind)> Remote(ChatStoryConfig c)
    {
        var list = new List<(string, string, AssetKind)>();
        Map(c, (field, value, kind) =>
        {
            if (AssetResolver.IsRemote(value)) list.Add((field, value, kind));
            return value;
        });
        return list;
    }

    /// <summary>Every remote URL of a processing config, with its field and expected kind.</summary>
    public static List<(string Field, string Url, AssetKind Kind)> Remote(ProcessingConfig c)
    {
        var list = new List<(string, string, AssetKind)>();
        Map(c, (field, value, kind) =>
        {
            if (AssetResolver.IsRemote(value)) list.Add((field, value, kind));
            return value;
        });
        return list;
    }

    /// <summary>The chat story with each remote URL replaced by <paramref name="local"/>[url].</summary>
    public static ChatStoryConfig Localize(ChatStoryConfig c, IReadOnlyDictionary<string, string> local) =>
        Map(c, (_, value, _) => AssetResolver.IsRemote(value) && local.TryGetValue(value, out var path) ? path : value);

    /// <summary>The processing config with each remote URL replaced by <paramref name="local"/>[url].</summary>
    public static ProcessingConfig Localize(ProcessingConfig c, IReadOnlyDictionary<string, string> local) =>
        Map(c, (_, value, _) => AssetResolver.IsRemote(value) && local.TryGetValue(value, out var path) ? path : value);

    /// <summary>
    /// The chat story with each local path replaced by its real path, checked against
    /// <paramref name="roots"/> (ERR_ASSET_FORBIDDEN naming the field); URLs are left to the fetch.
    /// </summary>
    public static ChatStoryConfig Confine(ChatStoryConfig c, LocalRoots roots) =>
        Map(c, (field, value, _) => AssetResolver.IsRemote(value) ? value : roots.ConfineFile(field, value));

    /// <summary>The processing config with each local path replaced by its real path within <paramref name="roots"/>.</summary>
    public static ProcessingConfig Confine(ProcessingConfig c, LocalRoots roots) =>
        Map(c, (field, value, _) => AssetResolver.IsRemote(value) ? value : roots.ConfineFile(field, value));

    private static ChatStoryConfig Map(ChatStoryConfig c, Func<string, string, AssetKind, string> f)
    {
        string? M(string field, string? value, AssetKind kind) => value is null ? null : f(field, value, kind);
        string audio = c.Audio.Key;
        var messages = c.Messages.Select((m, i) => m with
        {
            AudioPath = M($"messages[{i}].audioUrl", m.AudioPath, AssetKind.Audio),
            ImagePath = M($"messages[{i}].imageUrl", m.ImagePath, AssetKind.Image),
        }).ToList();
        return c with
        {
            Messages = messages,
            Overlay = c.Overlay with { AvatarPath = M("chatOverlay.avatarUrl", c.Overlay.AvatarPath, AssetKind.Image) },
            Background = c.Background with
            {
                MediaPath = M("backgroundSettings.backgroundUrl", c.Background.MediaPath,
                    c.Background.Kind == BackgroundKind.Image ? AssetKind.Image : AssetKind.Video),
            },
            Audio = c.Audio with
            {
                BackgroundMusicPath = M(audio + ".backgroundMusicUrl", c.Audio.BackgroundMusicPath, AssetKind.Audio),
                MessageSoundPath = M(audio + ".messageSoundEffect", c.Audio.MessageSoundPath, AssetKind.Audio),
            },
            Fonts = c.Fonts.Select((font, i) => font with { Path = f($"fonts[{i}].path", font.Path, AssetKind.Font) }).ToList(),
        };
    }

    private static ProcessingConfig Map(ProcessingConfig c, Func<string, string, AssetKind, string> f) => c with
    {
        Clips = c.Clips.Select(clip => clip with { Path = f(clip.Field, clip.Path, AssetKind.Video) }).ToList(),
        Audio = c.Audio with { MusicPath = c.Audio.MusicPath is { } music ? f("audio.music", music, AssetKind.Audio) : null },
        Backdrop = c.Backdrop is { MediaPath: { } media } backdrop
            ? backdrop with { MediaPath = f("effects.background.source", media, backdrop.Type == "image" ? AssetKind.Image : AssetKind.Video) }
            : c.Backdrop,
    };

    /// <summary>The pictures (still images) a chat story draws, with their fields: message pictures, the avatar, an image background.</summary>
    public static List<(string Field, string Path)> Pictures(ChatStoryConfig c) => OfKind(f => Map(c, f), AssetKind.Image);

    /// <summary>The pictures a processing config draws: an image background.</summary>
    public static List<(string Field, string Path)> Pictures(ProcessingConfig c) => OfKind(f => Map(c, f), AssetKind.Image);

    private static List<(string Field, string Path)> OfKind(Action<Func<string, string, AssetKind, string>> map, AssetKind kind)
    {
        var list = new List<(string, string)>();
        map((field, value, k) =>
        {
            if (k == kind) list.Add((field, value));
            return value;
        });
        return list;
    }
}
