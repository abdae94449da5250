using System.Text.Json;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Text;
using SkiaSharp;
using ReelSpeed.Engine.Effects;

namespace ReelSpeed.Engine.Scenes;

/// <summary>
/// The Scene as versioned JSON (<c>compileScene</c>): the contract a browser preview renders
/// from. Documented in docs/scene-format.md; bump <see cref="SchemaVersion"/> on any
/// incompatible change. Coordinates are frame pixels; times are milliseconds.
/// </summary>
public static class SceneJson
{
    public const int SchemaVersion = 1;

    public static string Write(Scene scene) => JsonText.Build(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", SchemaVersion);
            w.WriteNumber("width", scene.Width);
            w.WriteNumber("height", scene.Height);
            w.WriteNumber("fps", scene.Fps);
            w.WriteString("frameRate", $"{scene.FrameRateNum}/{scene.FrameRateDen}");
            w.WriteNumber("frameCount", scene.FrameCount);
            w.WriteNumber("durationMs", Round(scene.DurationMs));
            // A composition has no chat: schema 1 still lists the chat's fields, empty.
            var chat = scene.Chat ?? NoChat(scene);
            w.WriteString("template", chat.Template);
            w.WriteString("bubbleStyle", Camel(chat.Theme.Style.ToString()));

            var bg = chat.Background;
            w.WriteStartObject("background");
            w.WriteString("type", bg.GreenScreen ? "greenScreen" : Camel(bg.Kind.ToString()));
            w.WriteStartArray("colors");
            foreach (var c in bg.Colors) w.WriteStringValue(ColorParser.ToHex(c));
            w.WriteEndArray();
            w.WriteNumber("angle", bg.AngleDegrees);
            if (bg.MediaPath is not null) w.WriteString("media", bg.MediaPath);
            Rect(w, "mediaRect", bg.MediaRect);
            w.WriteNumber("opacity", bg.Opacity);
            w.WriteNumber("blur", bg.BlurRadius);
            w.WriteEndObject();

            Rect(w, "panel", chat.Panel);
            Rect(w, "viewport", chat.Viewport);
            w.WriteNumber("clipBottom", chat.ClipBottom);
            w.WriteNumber("chatOpacity", chat.ChatOpacity);

            // How every text run's font is set up (avatar initials say their own hinting).
            w.WriteStartObject("fontSettings");
            w.WriteBoolean("subpixel", true);
            w.WriteString("edging", "antialias");
            w.WriteString("hinting", "slight");
            w.WriteEndObject();

            if (chat.Header is { } h)
            {
                w.WriteStartObject("header");
                Rect(w, "bounds", h.Bounds);
                w.WriteNumber("backgroundTop", h.BackgroundTop);
                w.WriteString("background", ColorParser.ToHex(h.Background));
                w.WriteStartObject("avatar");
                Rect(w, "rect", h.AvatarRect);
                if (h.AvatarPath is not null) w.WriteString("image", h.AvatarPath);
                w.WriteString("initials", h.Initials);
                w.WriteString("color", ColorParser.ToHex(h.AvatarColor));
                if (h.AvatarPath is null) Initials(w, h.Initials, h.AvatarRect);
                w.WriteEndObject();
                w.WriteStartObject("divider");
                w.WriteString("color", ColorParser.ToHex(h.Divider));
                w.WriteNumber("width", h.DividerWidth);
                w.WriteEndObject();
                Text(w, "title", h.Title, h.TitleOrigin, h.TitleColor);
                if (h.Subtitle is not null) Text(w, "subtitle", h.Subtitle, h.SubtitleOrigin, h.SubtitleColor);
                w.WriteEndObject();
            }

            w.WriteStartArray("messages");
            foreach (var b in chat.Bubbles) Message(w, b, chat.Timeline[b.Index]);
            w.WriteEndArray();

            w.WriteStartArray("typingIndicators");
            foreach (var t in chat.TypingIndicators)
            {
                w.WriteStartObject();
                w.WriteNumber("message", t.ForMessage);
                Rect(w, "bounds", t.Bounds);
                w.WriteNumber("startMs", Round(t.StartMs));
                w.WriteNumber("endMs", Round(t.EndMs));
                w.WriteString("fill", ColorParser.ToHex(t.Fill));
                w.WriteString("dots", ColorParser.ToHex(t.Dots));
                w.WriteNumber("cornerRadius", t.CornerRadius);
                w.WriteNumber("dotPeriodMs", TypingIndicator.DotPeriodMs);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartObject("scroll");
            w.WriteString("easing", "easeOutCubic");
            w.WriteStartArray("segments");
            foreach (var s in chat.Scroll.Segments)
            {
                w.WriteStartObject();
                w.WriteNumber("startMs", Round(s.StartMs));
                w.WriteNumber("durationMs", Round(s.DurationMs));
                w.WriteNumber("from", s.From);
                w.WriteNumber("to", s.To);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();

            var mix = scene.Audio.Mix;
            w.WriteStartObject("audio");
            w.WriteBoolean("enabled", mix.Enabled);
            w.WriteNumber("sampleRate", AudioPlan.SampleRate);
            w.WriteNumber("bitRate", scene.Audio.BitRate);
            if (mix.MusicPath is not null) w.WriteString("music", mix.MusicPath);
            w.WriteNumber("musicGain", mix.MusicGain);
            w.WriteNumber("masterGain", mix.MasterGain);
            w.WriteStartArray("voices");
            foreach (var v in mix.Voices)
            {
                w.WriteStartObject();
                w.WriteNumber("message", v.MessageIndex);
                w.WriteString("file", v.Path);
                w.WriteNumber("startMs", Round(v.StartMs));
                w.WriteNumber("gain", v.Gain);
                // A processed clip's sound: where it starts in its file, how long it plays, its crossfades.
                if (v.SourceStartMs > 0) w.WriteNumber("sourceStartMs", Round(v.SourceStartMs));
                if (v.MaxDurationMs is { } max) w.WriteNumber("durationMs", Round(max));
                if (v.FadeInMs > 0) w.WriteNumber("fadeInMs", Round(v.FadeInMs));
                if (v.FadeInStartMs > 0) w.WriteNumber("fadeInStartMs", Round(v.FadeInStartMs));
                if (v.FadeOutMs > 0) w.WriteNumber("fadeOutMs", Round(v.FadeOutMs));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("ducking");
            w.WriteBoolean("enabled", mix.DuckMusicUnderVoice);
            w.WriteNumber("db", mix.DuckingDb);
            w.WriteNumber("attackMs", mix.DuckAttackMs);
            w.WriteNumber("releaseMs", mix.DuckReleaseMs);
            w.WriteEndObject();
            w.WriteStartArray("popsMs");
            foreach (var p in mix.PopTimesMs) w.WriteNumberValue(Round(p));
            w.WriteEndArray();
            if (mix.PopTimesMs.Count > 0)
            {
                w.WriteNumber("popGain", mix.PopGain);
                if (mix.PopSoundPath is { } popSound) w.WriteString("popSound", popSound);
            }
            // What a second mixer (the browser preview's) needs to mix as the engine does.
            w.WriteNumber("musicFadeInMs", Round(mix.MusicFadeInMs));
            w.WriteNumber("musicFadeOutMs", Round(mix.MusicFadeOutMs));
            w.WriteNumber("loopCrossfadeMs", Round(mix.LoopCrossfadeMs));
            w.WriteBoolean("normalize", mix.Normalize);
            w.WriteNumber("loudnessTargetLufs", mix.LoudnessTargetLufs);
            w.WriteNumber("truePeakCeilingDbtp", mix.TruePeakCeilingDbtp);
            w.WriteEndObject();

            if (scene.Composition is { } composition) Composition(w, composition);

            w.WriteStartArray("assets");
            foreach (var a in Assets(scene).Distinct()) w.WriteStringValue(a);
            w.WriteEndArray();

            w.WriteStartArray("warnings");
            foreach (var s in scene.Warnings) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteEndObject();
        });

    private static void Message(Utf8JsonWriter w, Bubble b, MessageTiming t)
    {
        w.WriteStartObject();
        w.WriteNumber("index", b.Index);
        w.WriteString("sender", b.Sender == Sender.Me ? "me" : "them");
        if (b.Name is not null) w.WriteString("name", b.Name);
        w.WriteString("text", b.Text);
        Rect(w, "bounds", b.Bounds);
        Rect(w, "body", b.Body);
        w.WriteString("style", Camel(b.Style.ToString()));
        w.WriteString("tail", Camel(b.Tail.ToString()));
        w.WriteNumber("cornerRadius", b.CornerRadius);
        w.WriteNumber("tailCornerRadius", b.TailCornerRadius);
        w.WriteString("fill", ColorParser.ToHex(b.Fill));
        if (b.FillGradient is not null)
        {
            w.WriteStartArray("fillGradient");
            foreach (var c in b.FillGradient) w.WriteStringValue(ColorParser.ToHex(c));
            w.WriteEndArray();
        }
        if (b.Shadow.Alpha > 0)
        {
            w.WriteStartObject("shadow");
            w.WriteString("color", ColorParser.ToHex(b.Shadow));
            w.WriteNumber("blur", b.ShadowBlur);
            w.WriteNumber("offsetY", b.ShadowOffsetY);
            w.WriteEndObject();
        }
        Text(w, "textBlock", b.TextBlock, b.TextOrigin, b.TextColor);
        if (b.Label is { } l) Text(w, "label", l.Block, l.Origin, l.Color);
        if (b.Picture is { } p)
        {
            w.WriteStartObject("picture");
            w.WriteString("image", p.Path);
            Rect(w, "rect", p.Rect);
            w.WriteNumber("cornerRadius", p.CornerRadius);
            w.WriteEndObject();
        }
        if (b.Avatar is { } a)
        {
            w.WriteStartObject("avatar");
            Rect(w, "rect", a.Rect);
            w.WriteString("initials", a.Initials);
            w.WriteString("color", ColorParser.ToHex(a.Color));
            if (a.Path is null) Initials(w, a.Initials, a.Rect);
            w.WriteEndObject();
        }
        var an = b.Animation;
        w.WriteStartObject("animation");
        w.WriteString("type", Camel(an.Kind.ToString()));
        w.WriteNumber("startMs", Round(an.StartMs));
        w.WriteNumber("durationMs", Round(an.DurationMs));
        w.WriteNumber("slideDistance", an.SlideDistance);
        if (an.RevealMs > 0) w.WriteNumber("revealMs", Round(an.RevealMs));
        w.WriteEndObject();
        w.WriteNumber("holdMs", Round(t.HoldMs));
        w.WriteEndObject();
    }

    /// <summary>The processing layer (absent for chat stories): clips on the timeline, transition, effects, overlays.</summary>
    private static void Composition(Utf8JsonWriter w, Composition c)
    {
        w.WriteStartObject("composition");
        w.WriteNumber("offsetMs", Round(c.OffsetMs));
        w.WriteString("fit", Camel(c.Fit.ToString()));
        w.WriteString("background", ColorParser.ToHex(c.Background));
        w.WriteStartArray("clips");
        foreach (var clip in c.Clips)
        {
            w.WriteStartObject();
            w.WriteNumber("index", clip.Index);
            w.WriteString("file", clip.Path);
            w.WriteNumber("startMs", Round(clip.StartMs));
            w.WriteNumber("durationMs", Round(clip.DurationMs));
            w.WriteNumber("sourceStartMs", Round(clip.SourceStartMs));
            w.WriteNumber("sourceWidth", clip.SourceWidth);
            w.WriteNumber("sourceHeight", clip.SourceHeight);
            w.WriteNumber("rotation", clip.Rotation);
            w.WriteNumber("sourceFps", Math.Round(clip.SourceFps, 3));
            w.WriteBoolean("hasAudio", clip.HasAudio);
            w.WriteNumber("volume", clip.Volume);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (c.Transition is { } t)
        {
            w.WriteStartObject("transition");
            w.WriteString("type", Camel(t.Kind.ToString()));
            w.WriteNumber("durationMs", Round(t.DurationMs));
            w.WriteString("direction", Camel(t.Direction.ToString()));
            if (t.Shader is not null) w.WriteString("shader", t.Shader);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("transition");
        }
        w.WriteStartObject("effects");
        w.WriteNumber("brightness", c.Color.Brightness);
        w.WriteNumber("contrast", c.Color.Contrast);
        w.WriteNumber("saturation", c.Color.Saturation);
        w.WriteNumber("hueShift", c.Color.HueShiftDegrees);
        w.WriteStartArray("colorMatrices");
        foreach (var m in ClipEffects.ColorMatrices(c.Color))
        {
            w.WriteStartArray();
            foreach (var v in m) w.WriteNumberValue(MathF.Round(v, 6));
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteNumber("blur", c.BlurRadius);
        w.WriteNumber("sharpen", c.Sharpen);
        w.WriteEndObject();
        w.WriteStartArray("textOverlays");
        foreach (var o in c.Overlays)
        {
            w.WriteStartObject();
            w.WriteNumber("startMs", Round(o.StartMs));
            if (double.IsFinite(o.EndMs)) w.WriteNumber("endMs", Round(o.EndMs));
            else w.WriteNull("endMs");
            Text(w, "text", o.Block, o.Origin, o.Color);
            // The rectangle is written with or without a background: a pop entrance scales the overlay about its centre.
            Rect(w, "backgroundRect", o.BackgroundRect);
            if (o.Background is { } bg)
            {
                w.WriteString("backgroundColor", ColorParser.ToHex(bg));
                w.WriteNumber("backgroundRadius", o.BackgroundRadius);
            }
            if (o.Stroke is { } stroke)
            {
                w.WriteString("strokeColor", ColorParser.ToHex(stroke));
                w.WriteNumber("strokeWidth", o.StrokeWidth);
            }
            if (o.Entrance is { } e)
            {
                // As a message's animation: evaluated the same way (BubbleAnimation), offsets from the settled place.
                w.WriteStartObject("entrance");
                w.WriteString("type", Camel(e.Kind.ToString()));
                w.WriteNumber("startMs", Round(e.StartMs));
                w.WriteNumber("durationMs", Round(e.DurationMs));
                w.WriteNumber("slideDistance", e.SlideDistance);
                w.WriteNumber("revealMs", Round(e.RevealMs));
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Text(Utf8JsonWriter w, string name, TextBlock block, SKPoint origin, SKColor color)
    {
        w.WriteStartObject(name);
        w.WriteNumber("x", origin.X);
        w.WriteNumber("y", origin.Y);
        w.WriteString("color", ColorParser.ToHex(color));
        w.WriteNumber("fontSize", block.FontSize);
        w.WriteNumber("lineHeight", block.LineHeight);
        w.WriteNumber("baseline", block.Baseline);
        w.WriteNumber("width", block.Width);
        w.WriteStartArray("lines");
        foreach (var line in block.Lines)
        {
            w.WriteStartObject();
            w.WriteNumber("width", line.Width);
            w.WriteBoolean("rtl", line.RightToLeft);
            w.WriteStartArray("runs");
            foreach (var run in line.Runs)
            {
                w.WriteStartObject();
                w.WriteString("font", Path.GetFileName(run.Run.Face.Path));
                w.WriteNumber("x", run.X);
                w.WriteNumber("width", run.Run.Width);
                w.WriteNumber("fontSize", run.Run.FontSize);
                w.WriteBoolean("rtl", run.Run.RightToLeft);
                w.WriteStartArray("clusters");
                foreach (var c in run.Run.Clusters) w.WriteNumberValue(c);
                w.WriteEndArray();
                w.WriteStartArray("glyphs");
                foreach (var g in run.Run.Glyphs) w.WriteNumberValue(g);
                w.WriteEndArray();
                w.WriteStartArray("positions");
                // Exact (shortest round-trip float): rounding would move glyphs to other subpixel slots.
                foreach (var p in run.Run.Positions)
                {
                    w.WriteNumberValue(p.X);
                    w.WriteNumberValue(p.Y);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>An avatar's initials as glyphs: origin relative to the avatar rect's top-left, glyph positions relative to the origin.</summary>
    private static void Initials(Utf8JsonWriter w, string initials, SKRect rect)
    {
        if (initials.Length == 0) return;
        var l = AvatarInitials.Layout(initials, rect);
        w.WriteStartObject("initialsText");
        w.WriteString("font", Path.GetFileName(l.Face.Path));
        w.WriteNumber("fontSize", l.FontSize);
        w.WriteString("hinting", "normal");
        w.WriteString("color", "#FFFFFFFF");
        w.WriteNumber("x", l.X - rect.Left);
        w.WriteNumber("y", l.Baseline - rect.Top);
        w.WriteStartArray("glyphs");
        foreach (var g in l.Glyphs) w.WriteNumberValue(g);
        w.WriteEndArray();
        w.WriteStartArray("positions");
        foreach (var p in l.Positions)
        {
            w.WriteNumberValue(p.X);
            w.WriteNumberValue(p.Y);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// The empty chat a composition is written with: its background (<c>effects.background</c>'s layer, or its colour) over
    /// the whole frame, no panel, no messages.
    /// </summary>
    private static ChatContent NoChat(Scene scene) => new(
        Templates.Get(TemplateNames.Default),
        scene.Composition!.Backdrop
            ?? new BackgroundLayer(BackgroundKind.Color, new[] { scene.Composition!.Background.WithAlpha(255) }, 0, null, SKRect.Create(0, 0, scene.Width, scene.Height), 1, 0, false),
        SKRect.Empty, SKRect.Empty, scene.Height, 1, null, [], [], new ScrollTrack([]), []);

    /// <summary>Every file the scene reads (media, pictures, fonts); the pipeline refuses an output that is one of them.</summary>
    internal static IEnumerable<string> Assets(Scene scene)
    {
        var bubbles = scene.Chat?.Bubbles ?? [];
        if (scene.Chat?.Background.MediaPath is { } m) yield return m;
        if (scene.Chat?.Header?.AvatarPath is { } a) yield return a;
        foreach (var b in bubbles)
            if (b.Picture is { } p) yield return p.Path;
        if (scene.Audio.MusicPath is { } music) yield return music;
        foreach (var v in scene.Audio.Mix.Voices) yield return v.Path;
        if (scene.Audio.Mix.PopSoundPath is { } pop) yield return pop;
        if (scene.Composition is { } c)
        {
            if (c.Backdrop?.MediaPath is { } backdrop) yield return backdrop;
            foreach (var clip in c.Clips) yield return clip.Path;
        }
        foreach (var block in TextBlocks(scene))
            foreach (var line in block.Lines)
                foreach (var run in line.Runs)
                    yield return run.Run.Face.Path;
        // Default avatars draw their initials in the bold face.
        var header = scene.Chat?.Header;
        if ((header is not null && header.AvatarPath is null && header.Initials.Length > 0)
            || bubbles.Any(b => b.Avatar is { Path: null, Initials.Length: > 0 }))
            yield return FontChain.Default.Bold.Path;
    }

    /// <summary>Every shaped text the scene draws: messages, labels, the header, overlays.</summary>
    private static IEnumerable<TextBlock> TextBlocks(Scene scene)
    {
        if (scene.Chat is { } chat)
        {
            foreach (var b in chat.Bubbles)
            {
                yield return b.TextBlock;
                if (b.Label is { } l) yield return l.Block;
            }
            if (chat.Header is { } h)
            {
                yield return h.Title;
                if (h.Subtitle is not null) yield return h.Subtitle;
            }
        }
        if (scene.Composition is { } c)
            foreach (var o in c.Overlays) yield return o.Block;
    }

    private static void Rect(Utf8JsonWriter w, string name, SKRect r)
    {
        w.WriteStartObject(name);
        w.WriteNumber("x", r.Left);
        w.WriteNumber("y", r.Top);
        w.WriteNumber("width", r.Width);
        w.WriteNumber("height", r.Height);
        w.WriteEndObject();
    }

    private static double Round(double v) => Math.Round(v, 3);

    private static string Camel(string s) => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..];
}
