using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Text;
using SkiaSharp;
using ReelSpeed.Engine.Audio;

namespace ReelSpeed.Engine.Scenes;

/// <summary>
/// Normalises a validated processing config into a <see cref="Scene"/> with a
/// <see cref="Composition"/>: probes each clip (length, size, rotation, rate, audio), lays the
/// clips on one timeline overlapping by the transition, applies the global trim, resolves the
/// output size and rate, lays out the text overlays and builds the audio mix of the clips' sound.
/// The scene then renders and encodes through the same pipeline as a chat story.
/// </summary>
public static class ProcessingSceneBuilder
{
    /// <summary>Output rate when neither the config nor the first clip gives one.</summary>
    public const int DefaultFps = 30;

    /// <summary>Reference width that overlay font sizes and strokes are given at (as chat stories are).</summary>
    public const float ReferenceWidth = 1080;

    public static Scene Build(ProcessingConfig config, FontChain? fonts = null)
    {
        var warnings = new List<string>(config.Warnings);
        var probed = config.Clips.Select(Probe).ToArray();
        double transitionMs = config.Transition?.DurationMs ?? 0;
        var errors = new List<ConfigError>();

        // Each clip's used span, then the timeline: the next clip starts a transition before this one ends.
        var segments = new List<ClipSegment>(probed.Length);
        double start = 0;
        for (int i = 0; i < probed.Length; i++)
        {
            var (spec, info) = (config.Clips[i], probed[i]);
            double end = Math.Min(spec.TrimEndMs ?? info.DurationMs, info.DurationMs);
            string clipField = spec.Field.EndsWith(".path", StringComparison.Ordinal) ? spec.Field[..^5] : spec.Field;
            if (spec.TrimStartMs >= info.DurationMs)
            {
                errors.Add(new ConfigError(clipField + ".trim.start", $"{spec.TrimStartMs / 1000:0.###} s is past the end of {spec.Path} ({info.DurationMs / 1000:0.###} s long)"));
                continue;
            }
            if (spec.TrimEndMs > info.DurationMs)
                warnings.Add($"{clipField}.trim.end: {spec.TrimEndMs / 1000:0.###} s is past the end of the clip ({info.DurationMs / 1000:0.###} s); it plays to its end");
            double duration = end - spec.TrimStartMs;
            if (probed.Length > 1 && transitionMs > 0 && duration <= transitionMs * (i == 0 || i == probed.Length - 1 ? 1 : 2))
                errors.Add(new ConfigError("effects.transitions.duration",
                    $"{transitionMs / 1000:0.###} s is too long for {clipField} ({duration / 1000:0.###} s used): a clip must outlast the transitions at its ends"));
            segments.Add(new ClipSegment(i, spec.Field, spec.Path, start, duration, spec.TrimStartMs,
                info.Width, info.Height, info.Rotation, info.Fps, info.HasAudio, spec.Volume, info.AudioOffsetMs));
            start += duration - (probed.Length > 1 ? transitionMs : 0);
        }
        if (errors.Count > 0) throw new ConfigValidationException(errors);

        // Without a clip the composition is its background for as long as the overlays last.
        double length = segments.Count > 0 ? segments[^1].EndMs : config.TextOverlays.Max(o => o.StartMs + (o.DurationMs ?? 0));
        if (config.TrimStartMs >= length)
            throw new ConfigValidationException(new[] { new ConfigError("trim.start", $"{config.TrimStartMs / 1000:0.###} s is past the end of the input ({length / 1000:0.###} s)") });
        double durationMs = Math.Min(config.TrimEndMs ?? length, length) - config.TrimStartMs;

        bool keepRotation = config.Optimization.KeepRotation;
        var (width, height) = probed.Length == 0 ? (config.Video.Width ?? DefaultWidth, config.Video.Height ?? DefaultHeight)
            : OutputSize(config.Video, keepRotation ? probed[0] with { DisplayWidth = probed[0].StoredWidth, DisplayHeight = probed[0].Height } : probed[0]);
        var (rateNum, rateDen) = config.Video.Fps is { } given ? (given, 1) : probed.Length == 0 ? (DefaultFps, 1) : OutputRate(probed[0].Rate, probed[0].Fps);
        int fps = (int)Math.Round((double)rateNum / rateDen);
        int frames = Timeline.FrameCount(durationMs, rateNum, rateDen);
        var transition = segments.Count > 1 ? config.Transition : null;

        var encode = EncodeFor(config.Video, config.Optimization);
        if (config.Optimization.KeyframeSeconds is { } keyframes) encode = encode with { KeyframeSeconds = keyframes };
        int audioBitRate = Config.AudioSpec.DefaultBitRate;
        long? targetBytes = null;
        (int, int)? ceilingPlan = null;
        bool audibleOutput = config.Audio.Enabled && (segments.Any(c => c.HasAudio) || config.Audio.MusicPath is not null);
        if (config.Optimization.TargetSizeMb is { } ceilingMb && config.Optimization.SizeIsCeiling)
        {
            // A ceiling: encode as the quality asks; the plan is the two-pass re-encode used only if the file
            // exceeds it (at this size: an upload limit does not change the picture's size). Unreachable
            // ceilings fail then, not now: the first encode may well fit.
            targetBytes = (long)Math.Round(ceilingMb * SizeTarget.BytesPerMb);
            try
            {
                var plan = SizeTarget.Plan(targetBytes.Value, frames * (double)rateDen / rateNum, width, height, fps, audibleOutput,
                    allowDownscale: false, field: config.Optimization.TargetField);
                ceilingPlan = (plan.VideoKbps, plan.AudioKbps);
            }
            catch (EngineException e) when (e.Code == ErrorCodes.TargetUnreachable)
            {
                ceilingPlan = null;
            }
        }
        else if (config.Optimization.TargetSizeMb is { } mb)
        {
            // A size target: two passes at the bit rate the budget leaves, a smaller picture when
            // that is too few bits for the size (unless the config fixed the size).
            bool audible = config.Audio.Enabled && (segments.Any(c => c.HasAudio) || config.Audio.MusicPath is not null);
            targetBytes = (long)Math.Round(mb * SizeTarget.BytesPerMb);
            var plan = SizeTarget.Plan(targetBytes.Value, frames * (double)rateDen / rateNum, width, height, fps, audible,
                allowDownscale: config.Video.Width is null && config.Optimization.AllowDownscale, field: config.Optimization.TargetField);
            if (plan.Downscaled)
                warnings.Add($"{config.Optimization.TargetField}: {plan.VideoKbps} kbit/s is too little for {width}x{height}; the output is scaled to {plan.Width}x{plan.Height}");
            (width, height) = (plan.Width, plan.Height);
            encode = encode with { RateControl = RateControlMode.TwoPass, BitrateKbps = plan.VideoKbps };
            if (plan.AudioKbps > 0) audioBitRate = plan.AudioKbps * 1000;
        }

        var overlays = LayoutOverlays(config.TextOverlays, width, height, durationMs, fonts ?? FontChain.Default, warnings, config.Entrance);
        var backdrop = Backdrop(config.Backdrop, width, height);
        var composition = new Composition(segments, transition, config.Video.Fit, backdrop is { Kind: BackgroundKind.Color } b ? b.Colors[0] : config.Background, config.Color,
            config.BlurRadius, config.Sharpen, overlays, config.TrimStartMs, config.Optimization.MemoryOptimization, targetBytes, keepRotation)
        {
            Backdrop = backdrop,
            SilentTrack = config.Optimization.SilentTrack,
            SizeIsCeiling = config.Optimization.SizeIsCeiling && targetBytes is not null,
            CeilingPlan = ceilingPlan,
        };
        var audio = new AudioPlan(BuildMix(config, segments, transition, frames * 1000.0 * rateDen / rateNum), audioBitRate);
        // Frames passed through keep the clip's colours, so the output says what they are.
        if (composition.PassThrough && probed.Length > 0) encode = encode with { Color = probed[0].Color, DisplayRotation = keepRotation ? probed[0].Rotation : 0 };
        return new Scene(new SceneParts(width, height, fps, frames, durationMs, composition, audio, encode, warnings, null, rateNum, rateDen));
    }

    /// <summary>Output size without a clip and without video.width/height: the platform's vertical 1080x1920.</summary>
    public const int DefaultWidth = 1080, DefaultHeight = 1920;

    /// <summary>
    /// <c>effects.background { type, source, opacity }</c> as a background layer over the whole frame: '' for a colour or
    /// gradient means the template's colours (the overlays' style, else the default template).
    /// </summary>
    private static BackgroundLayer? Backdrop(ProcessingBackground? b, int width, int height)
    {
        if (b is null) return null;
        var theme = Templates.Get(b.Template);
        var kind = b.Type switch
        {
            "color" => BackgroundKind.Color,
            "image" => BackgroundKind.Image,
            "video" => BackgroundKind.Video,
            _ => BackgroundKind.Gradient,
        };
        IReadOnlyList<SKColor> colors = kind switch
        {
            BackgroundKind.Color => new[] { b.Colors?[0] ?? theme.BackgroundGradient[0] },
            BackgroundKind.Gradient => b.Colors ?? theme.BackgroundGradient,
            _ => new[] { SKColors.Black },
        };
        return new BackgroundLayer(kind, colors, (float)BackgroundSpec.DefaultGradientAngle, b.MediaPath, SKRect.Create(0, 0, width, height), (float)b.Opacity, 0, false);
    }

    /// <summary>What the scene needs to know of a clip, read once when the scene is built.</summary>
    /// <param name="StoredWidth">Width in square pixels as stored (before rotation).</param>
    /// <param name="AudioOffsetMs">When the audio's first sample plays after the first video frame (negative: before).</param>
    private sealed record ClipInfo(double DurationMs, int Width, int Height, int Rotation, double Fps, bool HasAudio, int DisplayWidth, int DisplayHeight, ColorTags Color, int StoredWidth,
        double AudioOffsetMs, AVRational Rate);

    private static ClipInfo Probe(ClipSpec spec)
    {
        using var decoder = new VideoDecoder(spec.Path, spec.Field);
        var streams = MediaProbe.Probe(spec.Path).Streams;
        // The audio the decoder reads starts at the audio stream's first sample: where that lies
        // against the first video frame places it on the clip's timeline.
        var audio = streams.FirstOrDefault(s => s.Type == "audio" && !s.AttachedPic);
        var video = streams.FirstOrDefault(s => s.Type == "video" && !s.AttachedPic);
        bool hasAudio = audio is not null;
        double audioOffsetMs = audio?.StartSeconds is { } a0 && video?.StartSeconds is { } v0 ? (a0 - v0) * 1000 : 0;
        double pixelAspect = decoder.SampleAspect is { Num: > 0, Den: > 0 } a ? a.ToDouble() : 1;
        int shownWidth = (int)Math.Round(decoder.Width * pixelAspect);
        var (dw, dh) = decoder.Rotation is 90 or 270 ? (decoder.Height, shownWidth) : (shownWidth, decoder.Height);
        // yuvj formats are full range whatever the (often unset) range field says.
        var color = decoder.PixelFormat is AvConst.PixFmtYuvj420p or AvConst.PixFmtYuvj422p or AvConst.PixFmtYuvj444p or AvConst.PixFmtYuvj440p
            ? decoder.Color with { Range = AvConst.ColRangeJpeg }
            : decoder.Color;
        return new ClipInfo(decoder.DurationMs, decoder.Width, decoder.Height, decoder.Rotation, decoder.FrameRate, hasAudio, dw, dh, color, shownWidth, audioOffsetMs, decoder.AverageRate);
    }

    /// <summary>
    /// The output rate when the config gives none: the first clip's, exactly — an integer rate,
    /// or an NTSC one (24000/1001, 30000/1001, 60000/1001) — so every source frame maps to one
    /// output frame. Other (variable or odd) rates are rounded to whole frames per second;
    /// unknown ones give <see cref="DefaultFps"/>. At most <see cref="VideoSettings.MaxFps"/>.
    /// </summary>
    private static (int Num, int Den) OutputRate(AVRational average, double fps)
    {
        double rate = average is { Num: > 0, Den: > 0 } ? average.ToDouble() : fps;
        if (!(rate > 0)) return (DefaultFps, 1);
        if (rate > VideoSettings.MaxFps + 0.5) return (VideoSettings.MaxFps, 1);
        double ntsc = Math.Round(rate * 1.001);
        if (Math.Abs(rate - Math.Round(rate)) > 0.005 && Math.Abs(rate * 1.001 - ntsc) < 0.005 && ntsc >= 1)
            return ((int)ntsc * 1000, 1001);
        return (Math.Clamp((int)Math.Round(rate), 1, VideoSettings.MaxFps), 1);
    }

    /// <summary>The configured size, or the first clip's upright size (even sides, at most <see cref="VideoSettings.MaxSide"/>).</summary>
    private static (int Width, int Height) OutputSize(ProcessingVideo v, ClipInfo first)
    {
        if (v.Width is { } w && v.Height is { } h) return (w, h);
        double scale = Math.Min(1, (double)VideoSettings.MaxSide / Math.Max(first.DisplayWidth, first.DisplayHeight));
        static int Even(double x) => Math.Max(VideoSettings.MinSide, (int)Math.Round(x / 2) * 2);
        return (Even(first.DisplayWidth * scale), Even(first.DisplayHeight * scale));
    }

    /// <summary>
    /// Encoder settings for the output: the codec's CRF for the quality unless a CRF or a bit rate
    /// is given, and this job's hardware policy.
    /// </summary>
    private static EncodeSettings EncodeFor(ProcessingVideo v, ProcessingOptimization o)
    {
        var settings = new EncodeSettings(v.Codec, v.Crf ?? EncodeSettings.CrfForQuality(v.Codec, v.Quality), v.Preset, v.Quality)
        {
            RateControl = v.BitrateKbps is null ? RateControlMode.Crf : RateControlMode.Bitrate,
            BitrateKbps = v.BitrateKbps ?? 0,
            Hardware = o.HardwareAcceleration,
        };
        var errors = settings.Validate("video");
        if (errors.Count > 0) throw new ConfigValidationException(errors);
        return settings;
    }

    /// <summary>
    /// The clips' own sound, each at its timeline place from its trimmed in-point for its used
    /// length, with equal-power fades across each transition so the two clips crossfade; added
    /// music under it. Levels are kept as recorded (volume is the caller's), with the true-peak
    /// limiter still guarding the ceiling.
    /// </summary>
    private static Audio.AudioMix BuildMix(ProcessingConfig config, IReadOnlyList<ClipSegment> segments, TransitionSpec? transition, double durationMs)
    {
        var a = config.Audio;
        var voices = new List<Audio.VoiceClip>();
        double fade = transition?.DurationMs ?? 0;
        for (int i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            double gain = a.Volume * s.Volume;
            if (!s.HasAudio || gain <= 0) continue;
            double startMs = s.StartMs - config.TrimStartMs, sourceStart = s.SourceStartMs - s.AudioOffsetMs, length = s.DurationMs;
            double fadeIn = i > 0 ? fade : 0, fadeOut = i < segments.Count - 1 ? fade : 0, fadeInStart = 0;
            if (sourceStart < 0)
            {
                // The audio begins after this point of the video: it enters that much later.
                startMs -= sourceStart;
                length += sourceStart;
                sourceStart = 0;
            }
            if (startMs < 0)
            {
                // The global trim cuts into this clip: start it later in its source.
                sourceStart -= startMs;
                length += startMs;
                fadeInStart = -startMs; // the crossfade goes on from where the trim cut into it
                startMs = 0;
            }
            if (length <= 0 || startMs >= durationMs) continue;
            voices.Add(new Audio.VoiceClip(i, s.Path, startMs, gain)
            {
                SourceStartMs = sourceStart,
                MaxDurationMs = length,
                FadeInMs = fadeIn,
                FadeInStartMs = fadeInStart,
                FadeOutMs = fadeOut,
                Label = s.Field,
            });
        }
        var mix = new Audio.AudioMix
        {
            Enabled = a.Enabled,
            DurationMs = durationMs,
            Voices = voices,
            MusicPath = a.MusicPath,
            MusicGain = a.MusicVolume,
            DuckMusicUnderVoice = false,
            Normalize = false,
            TruePeakCeilingDbtp = Audio.AudioMix.DefaultTruePeakCeilingDbtp - SceneBuilder.CodecPeakHeadroomDb,
        };
        mix.Validate();
        return mix;
    }

    /// <summary>
    /// Lays out each overlay with the chat's text stack (shaping, fallback fonts, bidi, wrapping
    /// at the configured width), centred horizontally at its anchor or centred on its point.
    /// </summary>
    private static IReadOnlyList<TextOverlayElement> LayoutOverlays(IReadOnlyList<TextOverlaySpec> specs, int width, int height, double durationMs, FontChain fonts, List<string> warnings,
        OverlayEntrance? entrance)
    {
        var list = new List<TextOverlayElement>(specs.Count);
        var text = new TextLayoutEngine(fonts);
        float scale = width / ReferenceWidth;
        for (int i = 0; i < specs.Count; i++)
        {
            var s = specs[i];
            int index = i;
            if (s.StartMs >= durationMs)
                warnings.Add($"effects.text_overlays[{i}]: starts at {s.StartMs / 1000:0.###} s, after the video ends ({durationMs / 1000:0.###} s); it is not shown");
            // A template style: the template's "me" bubble — its colours, corner radius, padding and text size.
            var theme = s.Template is { } name ? Templates.Get(name) : null;
            float size = theme is null ? (float)(s.FontSize * scale) : ChatLayout.FontSize * scale;
            var fill = theme is null ? s.BackgroundColor : theme.SenderBubble;
            var color = theme?.SenderText ?? s.Color;
            float pad = theme is not null ? MathF.Round(ChatLayout.PaddingX * scale) : s.BackgroundColor is null ? 0 : MathF.Round(size * 0.35f);
            var block = text.Layout(s.Text, size, (float)(width * s.MaxWidthFraction) - 2 * pad,
                cp => warnings.Add($"effects.text_overlays[{index}].text: no font in the chain has U+{cp:X4}; it renders as a missing-glyph box"), theme is null && s.Bold);
            float cx = s.X is { } x ? (float)(x * width) : width / 2f;
            float cy = s.Y is { } y ? (float)(y * height) : s.Anchor switch
            {
                OverlayAnchor.Top => height * 0.1f + block.Height / 2,
                OverlayAnchor.Center => height / 2f,
                _ => height * 0.88f - block.Height / 2,
            };
            // Keep the whole block (with its background) inside the frame.
            float left = Math.Clamp(cx - block.Width / 2, pad, Math.Max(pad, width - pad - block.Width));
            float top = Math.Clamp(cy - block.Height / 2, pad, Math.Max(pad, height - pad - block.Height));
            var origin = new SKPoint(MathF.Round(left), MathF.Round(top));
            var bg = SKRect.Create(origin.X - pad, origin.Y - pad, block.Width + 2 * pad, block.Height + 2 * pad);
            double end = s.DurationMs is { } d ? s.StartMs + d : double.PositiveInfinity;
            float radius = theme is null ? pad : MathF.Min(theme.CornerRadius * scale, bg.Height / 2);
            BubbleAnimation? enter = entrance is null ? null : new BubbleAnimation(entrance.Kind, s.StartMs, entrance.DurationMs, ChatLayout.SlideDistance * scale,
                entrance.Kind == MessageAnimation.Typewriter ? Math.Clamp((end - s.StartMs) * 0.8, 300, 8000) : 0);
            list.Add(new TextOverlayElement(block, origin, s.StartMs, end, color, fill, bg, radius,
                s.StrokeColor, (float)(s.StrokeWidth * scale), enter));
        }
        return list;
    }
}
