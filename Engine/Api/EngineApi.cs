using System.Text.Json;
using ReelSpeed.Engine.Assets;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;

namespace ReelSpeed.Engine.Api;

/// <summary>The image format of <see cref="EngineApi.RenderFrameAsync"/>.</summary>
public enum FrameFormat
{
    Png,
    Jpeg,
}

/// <summary>
/// The engine's public operations in plain .NET terms (strings in, JSON out), shared by the
/// Node layer, the tests and any other host. Validation of configs and files happens here,
/// at the boundary; everything below trusts its inputs.
/// </summary>
public static class EngineApi
{
    public const string Version = "0.1.0";

    /// <summary>
    /// Parses, validates and normalises a config into a scene (dispose it when done): a chat story
    /// (<paramref name="inputVideoPath"/>, when given, is its background video) or a processing
    /// config (<paramref name="inputVideoPath"/> is its clip unless the config lists clips).
    /// </summary>
    /// <remarks>
    /// http(s) URLs in asset fields (and <paramref name="inputVideoPath"/>) are fetched through
    /// <paramref name="assets"/> (the job's session; without one, the default engine's resolver
    /// for this call) after validation and before the scene is built. What the config asks for is
    /// checked against <paramref name="limits"/> (the engine's options; by default
    /// <see cref="ResourceLimits.Default"/>) before anything is decoded.
    /// </remarks>
    public static Scene CompileScene(string configJson, string? baseDirectory = null, string? inputVideoPath = null, AssetSession? assets = null,
        ResourceLimits? limits = null)
    {
        limits ??= ResourceLimits.Default;
        RefuseNul(inputVideoPath, "inputPath");
        RefuseNul(baseDirectory, "baseDirectory");
        if (assets is null && MayHaveRemoteAssets(configJson, inputVideoPath))
        {
            using var own = ReelSpeedEngine.Default.Assets.OpenSession(CancellationToken.None);
            return CompileScene(configJson, baseDirectory, inputVideoPath, own, limits);
        }
        // The text is parsed once; its kind picks the parser that validates it.
        using var doc = ConfigReader.ParseDocument(configJson);
        var root = doc.RootElement;
        if (ProcessingConfigParser.IsProcessingConfig(root)) return CompileProcessing(root, baseDirectory, inputVideoPath, assets, limits);
        // allowedRoots: the input and then every local path, before anything is opened or fetched.
        if (assets?.Roots is { } roots && !string.IsNullOrEmpty(inputVideoPath) && !AssetResolver.IsRemote(inputVideoPath))
            inputVideoPath = roots.ConfineFile("inputPath", Path.GetFullPath(inputVideoPath));
        if (!string.IsNullOrEmpty(inputVideoPath) && !AssetResolver.IsRemote(inputVideoPath) && !File.Exists(inputVideoPath))
            throw new EngineException(ErrorCodes.InputNotFound, $"inputPath: file not found: {Path.GetFullPath(inputVideoPath)}");
        var config = ChatStoryConfigParser.Parse(root, baseDirectory, inputVideoPath);
        if (assets?.Roots is { } confine) config = AssetFields.Confine(config, confine);
        if (assets is not null) config = AssetFields.Localize(config, Fetch(assets, AssetFields.Remote(config), inputVideoPath));
        // Missing files, and FIFOs, devices or symlink loops that would block or fail later.
        foreach (var (field, path) in ChatStoryConfigParser.ReferencedFiles(config))
            MediaRoles.CheckRegularFile(path, field);
        NamingSources(assets, () => { limits.Check(config); return true; });
        return WithinLimits(NamingSources(assets, () => SceneBuilder.Build(config)), limits, "videoSettings.resolution",
            config.Video.DurationSeconds is null ? "messages" : "videoSettings.duration");
    }

    /// <summary>The built scene, checked for what only it knows (a frame size taken from the input, a length from the timing); disposed if over a limit.</summary>
    private static Scene WithinLimits(Scene scene, ResourceLimits limits, string frameField, string durationField)
    {
        try
        {
            limits.CheckBuilt(scene.Width, scene.Height, scene.DurationMs, frameField, durationField);
            return scene;
        }
        catch
        {
            scene.Dispose();
            throw;
        }
    }

    /// <summary>A NUL cannot be in a file name; .NET would throw an uncoded ArgumentException for it.</summary>
    private static void RefuseNul(string? path, string field)
    {
        if (path is not null && path.Contains('\0'))
            throw new EngineException(ErrorCodes.InvalidArg, $"{field}: the path contains a NUL character: {path.Replace("\0", "\\0")}");
    }

    // ---- remote assets (Engine/Assets) ----

    /// <summary>A cheap pre-check so configs without URLs never touch the asset cache.</summary>
    private static bool MayHaveRemoteAssets(string configJson, string? inputPath) =>
        AssetResolver.IsRemote(inputPath) || configJson.Contains("http://", StringComparison.OrdinalIgnoreCase) || configJson.Contains("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fetches a config's URLs in parallel; processVideo's inputPath is reported as "inputPath".</summary>
    private static IReadOnlyDictionary<string, string> Fetch(AssetSession assets, List<(string Field, string Url, AssetKind Kind)> remote, string? inputPath)
    {
        for (int i = 0; i < remote.Count; i++)
            if (inputPath is not null && remote[i].Url == inputPath.Trim()) remote[i] = ("inputPath", remote[i].Url, AssetKind.Video);
        return assets.FetchAll(remote);
    }

    /// <summary>Runs a build step; an error naming a fetched file names its URL instead of the cache path.</summary>
    private static T NamingSources<T>(AssetSession? assets, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (EngineException e) when (assets is not null && e is not ConfigValidationException && assets.Sources.Any(s => e.Message.Contains(s.Key)))
        {
            var message = assets.Sources.Aggregate(e.Message, (m, s) => m.Replace(s.Key, s.Value));
            throw new EngineException(e.Code, message, e);
        }
    }

    /// <summary>The scene a config compiles to, as versioned JSON (docs/scene-format.md).</summary>
    public static Task<string> CompileSceneJsonAsync(string configJson, string? baseDirectory, ReelSpeedEngine? engine = null) =>
        DedicatedThread.Run("reelspeed-compile", () =>
        {
            using var assets = (engine ?? ReelSpeedEngine.Default).Assets.OpenSession(CancellationToken.None);
            using var scene = CompileScene(configJson, baseDirectory, null, assets, (engine ?? ReelSpeedEngine.Default).Options.Limits);
            return SceneJson.Write(scene);
        });

    /// <summary>Probes a media file and returns its metadata as JSON; an engine with allowedRoots probes only a file within them.</summary>
    public static Task<string> GetVideoMetadataAsync(string filePath, ReelSpeedEngine? engine = null) =>
        DedicatedThread.Run("reelspeed-probe", () => ResultJson.Write(MediaProbe.Probe(
            engine?.Roots is { } roots && !filePath.Contains('\0') ? roots.ConfineFile("filePath", Path.GetFullPath(filePath)) : filePath)));

    /// <summary>
    /// Renders one frame of a config at <paramref name="timeMs"/> (&gt;= 0) as PNG or JPEG bytes
    /// (<paramref name="quality"/> 1..100); <paramref name="inputPath"/> is what processVideo's
    /// inputPath would be (a chat story's background video, a processing config's clip). The
    /// arguments are checked where they arrive (the Node layer); the config is validated here.
    /// </summary>
    public static Task<byte[]> RenderFrameAsync(string configJson, double timeMs, FrameFormat format, int quality, string? baseDirectory, string? inputPath = null,
        ReelSpeedEngine? engine = null) =>
        DedicatedThread.Run("reelspeed-frame", () =>
        {
            // Remote assets go through the engine's policy (allowedHosts) and cache.
            using var assets = (engine ?? ReelSpeedEngine.Default).Assets.OpenSession(CancellationToken.None);
            using var scene = CompileScene(configJson, baseDirectory, string.IsNullOrEmpty(inputPath) ? null : AssetResolver.IsRemote(inputPath) ? inputPath : Path.GetFullPath(inputPath, baseDirectory ?? Environment.CurrentDirectory), assets,
                (engine ?? ReelSpeedEngine.Default).Options.Limits);
            // One frame is drawn outside the job queue, but never past the engine's memory limit.
            (engine ?? ReelSpeedEngine.Default).Scheduler.CheckFits(JobMemory.EstimateFrame(scene), "this frame");
            using var renderer = new FrameRenderer(scene);
            using var image = renderer.RenderImage(timeMs);
            var fmt = format == FrameFormat.Jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;
            using var data = image.Encode(fmt, quality) ?? throw new EngineException(ErrorCodes.Encode, $"cannot encode the frame as {format}");
            return data.ToArray();
        });

    /// <summary>
    /// The hardware encoders this process can use, as JSON (device types the FFmpeg build knows,
    /// which devices opened, which encoders passed a trial encode and why the others did not, and
    /// what "auto" picks per codec). Probed once per process, off the caller's thread.
    /// </summary>
    public static Task<string> GetHardwareInfoAsync() =>
        DedicatedThread.Run("reelspeed-hwprobe", () => HardwareEncoders.Info.ToJson());

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
        return JsonText.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("engine", Version);
            w.WriteString("ffmpeg", ffmpeg);
            w.WriteString("skia", SkiaSharpVersion.Native.ToString());
            w.WriteEndObject();
        });
    }

    /// <summary>A processing config (<c>{ video, effects, clips, ... }</c>, no messages) validated, its URLs fetched, and built into its scene.</summary>
    private static Scene CompileProcessing(JsonElement root, string? baseDirectory, string? inputPath, AssetSession? assets, ResourceLimits limits)
    {
        var config = ProcessingConfigParser.Parse(root, baseDirectory ?? Environment.CurrentDirectory, inputPath);
        if (assets?.Roots is { } roots) config = AssetFields.Confine(config, roots); // before anything is opened or fetched
        if (assets is not null) config = AssetFields.Localize(config, Fetch(assets, AssetFields.Remote(config), inputPath));
        foreach (var clip in config.Clips)
            if (!File.Exists(clip.Path)) throw new EngineException(ErrorCodes.InputNotFound, $"{clip.Field}: file not found: {clip.Path}");
        if (config.Audio.MusicPath is { } music && !File.Exists(music))
            throw new EngineException(ErrorCodes.InputNotFound, $"audio.music: file not found: {music}");
        NamingSources(assets, () => { limits.Check(config); return true; });
        return WithinLimits(NamingSources(assets, () => ProcessingSceneBuilder.Build(config)), limits, config.Video.Width is null ? "inputPath" : "video", "clips");
    }
}
