using System.Text.Json;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;

namespace ReelSpeed.Engine;

/// <summary>
/// The engine's public operations in plain .NET terms (strings in, JSON out), shared by the
/// Node layer, the tests and any other host. Validation of configs and files happens here,
/// at the boundary; everything below trusts its inputs.
/// </summary>
public static class EngineApi
{
    public const string Version = "0.1.0";

    /// <summary>
    /// Parses, validates and normalises a chat-story config into a scene (dispose it when done).
    /// <paramref name="inputVideoPath"/>, when given, is the background video.
    /// </summary>
    public static Scene CompileScene(string configJson, string? baseDirectory = null, string? inputVideoPath = null)
    {
        RejectProcessingConfig(configJson);
        if (!string.IsNullOrEmpty(inputVideoPath) && !File.Exists(inputVideoPath))
            throw new EngineException(ErrorCodes.InputNotFound, $"inputPath: file not found: {Path.GetFullPath(inputVideoPath)}");
        var config = ChatStoryConfigParser.Parse(configJson, baseDirectory, inputVideoPath);
        foreach (var (field, path) in ChatStoryConfigParser.ReferencedFiles(config))
            if (!File.Exists(path))
                throw new EngineException(ErrorCodes.InputNotFound, $"{field}: file not found: {path}");
        return SceneBuilder.Build(config);
    }

    /// <summary>The scene a config compiles to, as versioned JSON (docs/scene-format.md).</summary>
    public static Task<string> CompileSceneJsonAsync(string configJson, string? baseDirectory) =>
        DedicatedThread.Run("reelspeed-compile", () =>
        {
            using var scene = CompileScene(configJson, baseDirectory);
            return SceneJson.Write(scene);
        });

    /// <summary>Probes a media file and returns its metadata as JSON.</summary>
    public static Task<string> GetVideoMetadataAsync(string filePath) =>
        DedicatedThread.Run("reelspeed-probe", () => ResultJson.Write(MediaProbe.Probe(filePath)));

    /// <summary>Renders one frame of a chat story at <paramref name="timeMs"/> as PNG or JPEG bytes.</summary>
    public static Task<byte[]> RenderFrameAsync(string configJson, double timeMs, string format, int quality, string? baseDirectory) =>
        DedicatedThread.Run("reelspeed-frame", () =>
        {
            var fmt = format.ToLowerInvariant() switch
            {
                "png" => SKEncodedImageFormat.Png,
                "jpeg" or "jpg" => SKEncodedImageFormat.Jpeg,
                _ => throw new EngineException(ErrorCodes.InvalidConfig, $"options.format: expected \"png\" or \"jpeg\", got \"{format}\""),
            };
            if (quality is < 1 or > 100)
                throw new EngineException(ErrorCodes.InvalidConfig, $"options.quality: expected an integer 1..100, got {quality}");
            if (!double.IsFinite(timeMs) || timeMs < 0)
                throw new EngineException(ErrorCodes.InvalidConfig, $"timeMs: expected a number of milliseconds >= 0, got {timeMs}");
            using var scene = CompileScene(configJson, baseDirectory);
            using var renderer = new FrameRenderer(scene);
            using var image = renderer.RenderImage(timeMs);
            using var data = image.Encode(fmt, quality) ?? throw new EngineException(ErrorCodes.Encode, $"cannot encode the frame as {format}");
            return data.ToArray();
        });

    /// <summary>The engine and FFmpeg versions, and the fonts in the fallback chain.</summary>
    public static string VersionJson()
    {
        string ffmpeg;
        try
        {
            ffmpeg = LibAvLoader.EnsureLoaded();
        }
        catch (EngineException e)
        {
            ffmpeg = "unavailable: " + e.Message;
        }
        return ResultJson.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("engine", Version);
            w.WriteString("ffmpeg", ffmpeg);
            w.WriteString("skia", SkiaSharpVersion.Native.ToString());
            w.WriteEndObject();
        });
    }

    /// <summary>Processing configs (clips + effects) come with a later engine version; say so instead of misreading them.</summary>
    private static void RejectProcessingConfig(string configJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(configJson, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("messages", out _) &&
                (root.TryGetProperty("video", out _) || root.TryGetProperty("effects", out _) || root.TryGetProperty("clips", out _)))
                throw new ConfigValidationException(new[]
                {
                    new ConfigError("config", "processing configs ({ video, audio, effects, ... }) are not supported by this engine version yet; expected a chat-story config with messages"),
                });
        }
        catch (JsonException)
        {
            // The chat-story parser reports malformed JSON with its position.
        }
    }
}
