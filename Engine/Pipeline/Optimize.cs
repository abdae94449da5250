using System.Text.Json;
using ReelSpeed.Engine.Assets;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Effects;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// <c>optimizeVideo(inputPath, targetSizeMb, options)</c> options, validated: where the result
/// goes (default beside the input as <c>&lt;name&gt;.optimized.mp4</c>, never over it), whether
/// the picture may shrink when the budget is tight, the codec and x264-style preset, and how
/// the quality is measured afterwards.
/// </summary>
public sealed record OptimizeOptions(string? OutputPath, bool AllowDownscale, string Codec, string Preset, bool MeasureQuality, int QualitySampleEvery,
    HardwareAcceleration? Hardware)
{
    /// <summary>x264's own default: at a fixed size, a slower preset buys quality, and two-pass runs its first pass fast anyway.</summary>
    public const string DefaultPreset = "medium";

    /// <summary>optimizeVideo's option keys: the one list (the Node layer takes its allowed options from here).</summary>
    public static readonly string[] Keys = { "outputPath", "allowDownscale", "codec", "preset", "measureQuality", "qualitySampleEvery", "hardwareAcceleration" };

    public static OptimizeOptions Parse(string json, string? baseDirectory)
    {
        var r = new ConfigReader();
        using (var doc = ConfigReader.ParseDocument(string.IsNullOrWhiteSpace(json) ? "{}" : json, "options"))
        {
            var o = doc.RootElement;
            const string P = "options";
            r.RejectUnknownKeys(o, P, Keys);
            var output = r.String(o, P, "outputPath");
            if (output is not null && output.Contains('\0')) r.Error(P + ".outputPath", $"contains a NUL character, which no file name can: {JsonSerializerHelpers.Quote(output)}");
            bool downscale = r.Bool(o, P, "allowDownscale") ?? true;
            string codec = r.Choice(o, P, "codec", EncodeSettings.Codecs) ?? EncodeSettings.H264;
            string preset = r.Choice(o, P, "preset", EncodeSettings.Presets) ?? DefaultPreset;
            bool measure = r.Bool(o, P, "measureQuality") ?? true;
            int every = r.Integer(o, P, "qualitySampleEvery", 1, QualityOptions.MaxSampleEvery) ?? QualityOptions.DefaultSampleEvery;
            var hw = r.Hardware(o, P, "hardwareAcceleration");
            if (r.Errors.Count > 0) throw new ConfigValidationException(r.Errors.ToArray());
            return new OptimizeOptions(string.IsNullOrWhiteSpace(output) ? null : Path.GetFullPath(output, baseDirectory ?? Environment.CurrentDirectory),
                downscale, codec, preset, measure, every, hw);
        }
    }
}

/// <summary>
/// What optimizeVideo did: sizes, the encode and the measured quality. <see cref="WallMs"/>: the whole job, from its
/// admission (after any wait in the queue) to its result: the size decision, every encode and the quality measurement
/// (<see cref="RenderResult.WallMs"/> of <see cref="Render"/> is the last encode's alone).
/// </summary>
public sealed record OptimizeResult(
    string OutputPath, long OriginalSize, long OptimizedSize, long TargetSize, RenderResult Render, int Attempts,
    QualityResult? Quality, IReadOnlyList<string> Warnings, double WallMs, SizeDecision? SizeDecision = null, OptimizeStages? Stages = null)
{
    public double CompressionRatio => OptimizedSize == 0 ? 0 : (double)OriginalSize / OptimizedSize;
}

/// <summary>
/// Where optimizeVideo's time went: deciding the size (sample encodes), the encode (both passes of
/// every attempt; with an in-flight measurement, that too), and a separate quality measurement
/// (0 when the encode measured itself). <see cref="QualityMethod"/>: "in-flight", "decode" or "none".
/// </summary>
public sealed record OptimizeStages(double SizingMs, double EncodeMs, double QualityMs, string QualityMethod);

/// <summary>
/// Re-encodes a video to fit a size: the input becomes a one-clip processing scene with a size
/// target (two-pass at the bit rate the budget leaves, downscaled when that is too few bits per
/// pixel and sample encodes measure the smaller size better, corrected after encoding; see
/// <see cref="SizeTarget"/>, <see cref="SizeSampling"/> and <see cref="TargetedRender"/>),
/// then the output is decoded and compared with the input frame by frame for SSIM and PSNR.
/// </summary>
public static class Optimize
{
    /// <summary>How the input fills optimizeVideo's picture, downscaled or not (the size samples use it too).</summary>
    public const VideoFit Fit = VideoFit.Fill;

    /// <summary>
    /// Longest stretch between optimizeVideo's keyframes, in seconds (x264 still puts one at each scene cut), near
    /// x264's own 250 frames: a keyframe every 2 s, the engine's default, spends a tight budget on pictures that
    /// repeat. A 20 s screen recording at 90 kbit/s (540x960, the ffmpeg CLI two-pass): SSIM 0.786 with a keyframe
    /// every 2 s, 0.943 every 250 frames, and optimizeVideo's 2 s keyframes fell 0.11 under the CLI there.
    /// </summary>
    public const double KeyframeSeconds = 10;

    /// <summary>The scene that re-encodes <paramref name="inputPath"/> to <paramref name="targetSizeMb"/>.</summary>
    public static Scene BuildScene(string inputPath, double targetSizeMb, OptimizeOptions options) => BuildScene(inputPath, targetSizeMb, options, silentTrack: false);

    /// <param name="silentTrack">Whether a silent input still gets an audio track (tests: a render's habit, <see cref="Composition.SilentTrack"/>).</param>
    internal static Scene BuildScene(string inputPath, double targetSizeMb, OptimizeOptions options, bool silentTrack)
    {
        if (!double.IsFinite(targetSizeMb) || targetSizeMb <= 0)
            throw new EngineException(ErrorCodes.InvalidConfig, $"targetSizeMb: expected a number of megabytes > 0, got {targetSizeMb}");
        // Fill, not cover: a smaller size keeps the input's aspect only to the even pixel, and cover cropped that
        // pixel away, shifting the whole picture against the input a player scales it back over (a zooming fractal
        // at 380x674 of 540x960 measured 0.937 SSIM scaled back, 0.967 stretched; the stretch is under 0.3 %).
        var config = new ProcessingConfig(
            new ProcessingVideo(null, null, null, options.Codec, "medium", null, options.Preset, null, Fit),
            new ProcessingAudio(true, 1, null, 1), ColorCorrection.Neutral, 0, 0, [], SKColors.Black, null, 0, null,
            [new ClipSpec("inputPath", inputPath, 0, null, 1)],
            new ProcessingOptimization(targetSizeMb, options.Hardware, false, options.AllowDownscale, KeepRotation: true, TargetField: "targetSizeMb", KeyframeSeconds: KeyframeSeconds,
                SilentTrack: silentTrack),
            []);
        return ProcessingSceneBuilder.Build(config);
    }

    /// <summary>
    /// Whether the encode of <paramref name="scene"/> can measure its own quality against the input
    /// (<see cref="InFlightQuality"/>): the pictures it is given must come straight from the input's decoded frames,
    /// which are the reference — a pass-through composition of the input, yuv420p, at the input's frame rate, either
    /// at the input's size or stretched whole to another (the encoded frames are scaled back up to the input's,
    /// bicubic, as a separate measurement does). Otherwise the output is decoded and compared with the input afterwards.
    /// </summary>
    public static bool MeasuresInFlight(Scene scene, string inputPath)
    {
        if (scene.Composition is not { PassThrough: true } composition) return false;
        using var input = new VideoDecoder(inputPath, "inputPath");
        bool sameSize = input.Width == scene.Width && input.Height == scene.Height;
        return (sameSize || composition.Fit == VideoFit.Fill) && input.PixelFormat == Media.Native.AvConst.PixFmtYuv420p
            && Math.Abs(input.FrameRate - scene.FrameRateNum / (double)scene.FrameRateDen) < 1e-3;
    }

    /// <summary>Where the result goes: the option, or <c>&lt;name&gt;.optimized.mp4</c> beside the input; never the input itself.</summary>
    /// <param name="roots">The engine's allowedRoots: the output must be written within them (its real folder is used).</param>
    public static string OutputPathFor(string inputPath, OptimizeOptions options, LocalRoots? roots = null)
    {
        var output = options.OutputPath ?? Path.Combine(Path.GetDirectoryName(inputPath)!, Path.GetFileNameWithoutExtension(inputPath) + ".optimized.mp4");
        output = OutputFile.Confine(output, roots, "options.outputPath");
        if (string.Equals(Path.GetFullPath(output), Path.GetFullPath(inputPath), StringComparison.Ordinal) || FileIdentity.Same(output, inputPath))
            throw new EngineException(ErrorCodes.Output, $"options.outputPath: {output} is the input itself; optimizeVideo never overwrites its input");
        string ext = Path.GetExtension(output).ToLowerInvariant();
        if ((ext == ".webm" && options.Codec != EncodeSettings.Vp9) || (ext == ".mov" && options.Codec == EncodeSettings.Vp9))
            throw new ConfigValidationException(new[] { new ConfigError("options.codec", $"\"{options.Codec}\" cannot go into a {ext} file ({output}); use {(ext == ".webm" ? "\"vp9\"" : "\"h264\" or \"h265\"")} or another extension") });
        return output;
    }

    /// <summary>Checks the input before any work: it lies within the engine's allowedRoots (<paramref name="roots"/>; its real path is returned), it exists and is a video.</summary>
    public static string CheckInput(string inputPath, string? baseDirectory = null, LocalRoots? roots = null)
    {
        if (string.IsNullOrWhiteSpace(inputPath)) throw new EngineException(ErrorCodes.InputNotFound, "inputPath: expected a path to a video file, got an empty string");
        if (roots is not null && !inputPath.Contains('\0'))
            inputPath = roots.ConfineFile("inputPath", Path.GetFullPath(inputPath, baseDirectory ?? Environment.CurrentDirectory));
        // Pipes, devices, directories, NULs and symlink loops: a coded error before any work.
        return MediaRoles.CheckRegularFile(inputPath.Contains('\0') || baseDirectory is null ? inputPath : Path.GetFullPath(inputPath, baseDirectory), "inputPath").FullPath;
    }

    public static string ToJson(OptimizeResult r) => JsonText.Build(w =>
    {
        var s = r.Render.Scene;
        w.WriteStartObject();
        w.WriteBoolean("success", true);
        w.WriteString("outputPath", r.OutputPath);
        w.WriteNumber("originalSize", r.OriginalSize);
        w.WriteNumber("optimizedSize", r.OptimizedSize);
        w.WriteNumber("targetSize", r.TargetSize);
        w.WriteNumber("compressionRatio", Math.Round(r.CompressionRatio, 4));
        if (r.Quality is { } q)
        {
            w.WriteNumber("qualityScore", Math.Round(q.Ssim, 5));
            w.WriteNumber("ssim", Math.Round(q.Ssim, 5));
            w.WriteNumber("psnr", Math.Round(q.Psnr, 3));
        }
        else
        {
            w.WriteNull("qualityScore");
            w.WriteNull("ssim");
            w.WriteNull("psnr");
        }
        w.WriteString("encoder", r.Render.VideoEncoder);
        if (r.Render.HardwareFallback is { } fallback) w.WriteString("hardwareFallback", fallback);
        w.WriteString("videoCodec", s.Encode.Codec);
        w.WriteNumber("width", s.Width);
        w.WriteNumber("height", s.Height);
        w.WriteNumber("fps", s.Fps);
        w.WriteString("frameRate", $"{s.FrameRateNum}/{s.FrameRateDen}");
        w.WriteNumber("durationMs", Math.Round(r.Render.DurationMs, 3));
        w.WriteNumber("videoBitrateKbps", s.Encode.BitrateKbps);
        w.WriteNumber("audioBitrateKbps", s.Audio.HasSources ? s.Audio.BitRate / 1000 : 0);
        w.WriteNumber("encodes", r.Attempts);
        if (r.Quality is { } m)
        {
            w.WriteStartObject("quality");
            w.WriteNumber("ssimY", Math.Round(m.SsimY, 5));
            w.WriteNumber("ssimU", Math.Round(m.SsimU, 5));
            w.WriteNumber("ssimV", Math.Round(m.SsimV, 5));
            w.WriteNumber("psnrY", Math.Round(m.PsnrY, 3));
            w.WriteNumber("framesCompared", m.FramesCompared);
            const string InFlight = "against the decoded input frames the encoder's pictures came from (a smaller output scaled back up bicubic), as ffmpeg's ssim/psnr filters compute them (qualityScore = SSIM All)";
            w.WriteString("method", r.Stages?.QualityMethod != "in-flight"
                ? "SSIM and PSNR of the decoded output against the decoded input, as ffmpeg's ssim/psnr filters compute them (qualityScore = SSIM All)"
                : m.FromReconstructions
                ? "SSIM and PSNR of the output's frames as libx264 reconstructed them while encoding (what a decoder of the output shows, bit for bit), " + InFlight
                : "SSIM and PSNR of the output's packets, decoded as they were encoded, " + InFlight);
            w.WriteEndObject();
        }
        if (r.SizeDecision is { } d)
        {
            w.WriteStartObject("sizeDecision");
            w.WriteString("method", d.Method);
            w.WriteNumber("width", d.Width);
            w.WriteNumber("height", d.Height);
            w.WriteNumber("bitsPerPixel", Math.Round(d.BitsPerPixel, 5));
            w.WriteStartArray("candidates");
            foreach (var c in d.Candidates)
            {
                w.WriteStartObject();
                w.WriteNumber("width", c.Width);
                w.WriteNumber("height", c.Height);
                if (c.SampleSsim is { } ssim) w.WriteNumber("sampleSsim", Math.Round(ssim, 5));
                else w.WriteNull("sampleSsim");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("sampleSegments", d.SampleSegments);
            w.WriteNumber("sampleSeconds", Math.Round(d.SampleSeconds, 3));
            w.WriteString("reason", d.Reason);
            w.WriteEndObject();
        }
        w.WriteNumber("wallMs", Math.Round(r.WallMs, 1));
        if (r.Stages is { } st)
        {
            w.WriteStartObject("stages");
            w.WriteNumber("sizingMs", Math.Round(st.SizingMs, 1));
            w.WriteNumber("encodeMs", Math.Round(st.EncodeMs, 1));
            w.WriteNumber("qualityMs", Math.Round(st.QualityMs, 1));
            w.WriteString("quality", st.QualityMethod);
            w.WriteEndObject();
        }
        w.WriteStartArray("warnings");
        foreach (var warning in r.Warnings) w.WriteStringValue(warning);
        w.WriteEndArray();
        w.WriteEndObject();
    });
}
