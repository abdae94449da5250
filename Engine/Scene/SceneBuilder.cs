using System.Globalization;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Text;
using SkiaSharp;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Audio;

namespace ReelSpeed.Engine.Scenes;

/// <summary>Normalises a validated chat-story config into a <see cref="Scene"/>.</summary>
public static class SceneBuilder
{
    public static Scene Build(ChatStoryConfig config, FontChain? fonts = null)
    {
        var warnings = new List<string>(config.Warnings);
        var v = config.Video;
        var theme = Templates.Get(config.Template);
        var overlay = config.Overlay;

        FontChain? owned = null;
        fonts ??= FontChain.Default;
        if (config.Fonts.Count > 0)
            fonts = owned = fonts.WithCustomFonts(config.Fonts.Select(f => (f.Family, f.Path)).ToArray());
        try
        {
            var metrics = ChatLayout.Measure(v.Width, v.Height, overlay, v.BrainrotMode, overlay.ShowHeader ? theme.Header.Height : 0);
            // A voice clip without audioDuration drives the timeline with its real length.
            var clipSeconds = config.Messages.Select((m, i) => m.AudioPath is { } clip && m.AudioDurationSeconds is null && config.Audio.Enabled
                ? (double?)Audio.AudioClipInfo.DurationSeconds(clip, $"messages[{i}].audioUrl") : null).ToArray();
            var timings = Timeline.Compute(config.Messages, config.Animation, clipSeconds, v.Fps);
            double durationMs = Timeline.DurationMs(timings, v.DurationSeconds);
            int frames = Timeline.FrameCount(durationMs, v.Fps);
            foreach (var t in timings)
                if (t.StartMs >= durationMs)
                    warnings.Add($"messages[{t.Index}]: appears at {t.StartMs / 1000:0.###} s, after the video ends ({durationMs / 1000:0.###} s); it is not shown");

            var text = new TextLayoutEngine(fonts);
            var header = overlay.ShowHeader
                ? ChatLayout.LayoutHeader(overlay, theme, config.Colors, metrics, text, cp => warnings.Add(MissingGlyph("chatOverlay.contactName", cp)), v.GreenScreen)
                : null;
            var bubbles = ChatLayout.LayoutBubbles(config.Messages, timings, metrics, theme, config.Colors, config.Animation,
                overlay.ContactName, text, ImageSize, (index, cp) => warnings.Add(MissingGlyph($"messages[{index}].text", cp)), v.GreenScreen);
            var typing = ChatLayout.LayoutTypingIndicators(bubbles, config.Animation, theme, metrics);
            var scroll = ChatLayout.BuildScroll(bubbles, typing, metrics, config.Animation);

            var audio = new AudioPlan(BuildMix(config, timings, frames * 1000.0 / v.Fps), config.Audio.BitRate);
            var encode = new EncodeSettings(EncodeSettings.H264, v.Crf, v.Preset, v.Quality);

            var chat = new ChatContent(theme, BuildBackground(config, theme, metrics), metrics.Panel, metrics.Viewport, metrics.ClipBottom,
                (float)overlay.Opacity, header, bubbles, typing, scroll, timings);
            return new Scene(new SceneParts(v.Width, v.Height, v.Fps, frames, durationMs, chat, audio, encode, warnings, owned));
        }
        catch
        {
            owned?.Dispose();
            throw;
        }
    }

    /// <summary>Headroom the true-peak limiter keeps below the configured ceiling for the AAC encoder's overshoot.</summary>
    public const double CodecPeakHeadroomDb = 1.0;

    /// <summary>
    /// The audio mix: each voice clip starts exactly when its bubble starts to appear, the pop
    /// (if any) with it; music loops under everything; volumes 0..100 become linear gains.
    /// </summary>
    private static Audio.AudioMix BuildMix(ChatStoryConfig config, IReadOnlyList<MessageTiming> timings, double durationMs)
    {
        var a = config.Audio;
        var voices = new List<Audio.VoiceClip>();
        var pops = new List<double>();
        for (int i = 0; i < config.Messages.Count; i++)
        {
            if (timings[i].StartMs >= durationMs) continue;
            if (config.Messages[i].AudioPath is { } clip) voices.Add(new Audio.VoiceClip(i, clip, timings[i].StartMs, a.VoiceVolume / 100));
            if (a.MessageSound != MessageSound.None) pops.Add(timings[i].StartMs);
        }
        var mix = new Audio.AudioMix
        {
            Enabled = a.Enabled,
            DurationMs = durationMs,
            Voices = voices,
            MusicPath = a.BackgroundMusicPath,
            MusicGain = a.BackgroundMusicVolume / 100,
            DuckMusicUnderVoice = a.DuckMusicUnderVoice,
            DuckingDb = a.DuckingDb,
            DuckAttackMs = a.DuckAttackMs,
            DuckReleaseMs = a.DuckReleaseMs,
            PopTimesMs = pops,
            PopSoundPath = a.MessageSound == MessageSound.File ? a.MessageSoundPath : null,
            PopGain = a.MessageSoundVolume / 100,
            MasterGain = a.MasterVolume / 100,
            LoudnessTargetLufs = a.LoudnessTarget,
            // The limiter works on the PCM; AAC's reconstruction overshoots by up to about half a
            // dB, so it aims lower for the decoded file to stay under the configured ceiling.
            TruePeakCeilingDbtp = a.TruePeakCeiling - CodecPeakHeadroomDb,
        };
        mix.Validate();
        return mix;
    }

    private static BackgroundLayer BuildBackground(ChatStoryConfig config, ChatTheme theme, ChatLayout.Metrics m)
    {
        var bg = config.Background;
        var v = config.Video;
        var full = SKRect.Create(0, 0, v.Width, v.Height);
        float blur = (float)(bg.BlurRadius * m.FrameScale);
        if (v.GreenScreen)
            return new BackgroundLayer(BackgroundKind.Color, new[] { BackgroundLayer.ChromaGreen }, 0, null, full, 1, 0, true);
        if (v.BrainrotMode)
        {
            // The chat's half keeps the template's (or the configured) colours; the clip fills the lower half.
            var solid = bg.Color ?? config.Colors.Background;
            var upper = bg.GradientColors?.ToArray() ?? (solid is { } c ? new[] { c, c } : theme.BackgroundGradient);
            return new BackgroundLayer(BackgroundKind.Video, upper, (float)bg.GradientAngle, bg.MediaPath,
                SKRect.Create(0, v.Height / 2f, v.Width, v.Height - v.Height / 2f), (float)bg.Opacity, blur, false);
        }
        var colors = bg.Kind switch
        {
            BackgroundKind.Color => new[] { bg.Color ?? config.Colors.Background ?? theme.BackgroundGradient[0] },
            BackgroundKind.Gradient => bg.GradientColors?.ToArray() ?? (config.Colors.Background is { } c ? new[] { c, c } : theme.BackgroundGradient),
            _ => new[] { SKColors.Black },
        };
        return new BackgroundLayer(bg.Kind, colors, (float)bg.GradientAngle, bg.MediaPath, full, (float)bg.Opacity, blur, false);
    }

    /// <summary>An image's upright size from its header (no full decode at layout time).</summary>
    private static SKSizeI ImageSize(string path, string field)
    {
        if (!File.Exists(path)) throw new EngineException(ErrorCodes.InputNotFound, $"{field}: file not found: {path}");
        using var codec = SKCodec.Create(path)
            ?? throw new EngineException(ErrorCodes.UnsupportedMedia, $"{field}: {path}: not a decodable image");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            throw new EngineException(ErrorCodes.UnsupportedMedia, $"{field}: {path}: image has no pixels");
        bool swap = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        return swap ? new SKSizeI(info.Height, info.Width) : new SKSizeI(info.Width, info.Height);
    }

    private static string MissingGlyph(string field, int cp) =>
        $"{field}: no font in the chain has U+{cp:X4} ({Printable(cp)}); it renders as a missing-glyph box";

    private static string Printable(int cp)
    {
        var s = char.ConvertFromUtf32(cp);
        return CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.Control or UnicodeCategory.Format
            ? "invisible" : "'" + s + "'";
    }
}
