using System.Globalization;
using System.Text;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Render.Text;

namespace ReelSpeed.Engine.Scenes;

/// <summary>Normalises a validated chat-story config into a <see cref="Scene"/>.</summary>
public static class SceneBuilder
{
    public static Scene Build(ChatStoryConfig config, FontChain? fonts = null)
    {
        fonts ??= FontChain.Default;
        var warnings = new List<string>(config.Warnings);
        var v = config.Video;
        var theme = Templates.Get(config.Template);
        var metrics = ChatLayout.Measure(v.Width, v.Height);

        var timings = Timeline.Compute(config.Messages, config.Animation);
        double durationMs = Timeline.DurationMs(timings, v.DurationSeconds);
        int frames = Timeline.FrameCount(durationMs, v.Fps);
        foreach (var t in timings)
            if (t.StartMs >= durationMs)
                warnings.Add($"messages[{t.Index}]: appears at {t.StartMs / 1000:0.###} s, after the video ends ({durationMs / 1000:0.###} s); it is not shown");

        var text = new TextLayoutEngine(fonts);
        var bubbles = ChatLayout.LayoutBubbles(config.Messages, timings, metrics, theme, config.Colors, config.Animation, text,
            (index, cp) => warnings.Add($"messages[{index}].text: no font in the chain has U+{cp:X4} ({Printable(cp)}); it renders as a missing-glyph box"));
        var scroll = ChatLayout.BuildScroll(bubbles, metrics, config.Animation);

        var bg = config.Background;
        var bgColors = bg.Kind == BackgroundKind.Color
            ? new[] { bg.Color ?? config.Colors.Background ?? theme.BackgroundGradient[0] }
            : bg.GradientColors?.ToArray() ?? (config.Colors.Background is { } c ? new[] { c, c } : theme.BackgroundGradient);
        var background = new BackgroundLayer(bg.Kind, bgColors, (float)bg.GradientAngle);

        var a = config.Audio;
        double gain = (a.MasterVolume / 100.0) * (a.BackgroundMusicVolume / 100.0);
        var audio = new AudioPlan(a.Enabled && a.BackgroundMusicPath is not null, a.Enabled ? a.BackgroundMusicPath : null, gain);
        var encode = new EncodeSettings("libx264", v.Crf, v.Preset, v.Quality);

        return new Scene(v.Width, v.Height, v.Fps, frames, durationMs, background, metrics.Viewport, bubbles, scroll,
            timings, audio, encode, config.Template, warnings);
    }

    private static string Printable(int cp)
    {
        var s = char.ConvertFromUtf32(cp);
        return CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.Control or UnicodeCategory.Format
            ? "invisible" : "'" + s + "'";
    }
}
