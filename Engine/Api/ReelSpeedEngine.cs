using System.Text.Json;
using ReelSpeed.Engine.Assets;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Metrics;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Api;

/// <summary>The limits of one engine instance (<c>new VideoEngine(options)</c> in JavaScript).</summary>
public sealed record EngineOptions(int MaxConcurrentJobs, long MemoryLimitBytes, string? TempDirectory, HardwareAcceleration HardwareAcceleration)
{
    /// <summary>One job per core, no memory limit, temp files beside the output, software encoding.</summary>
    public static EngineOptions Default => new(Math.Max(1, Environment.ProcessorCount), 0, null, HardwareAcceleration.Off);

    public const int MaxJobs = 64;

    /// <summary><c>x264Threads</c>: how libx264 spreads a job over its threads ('auto', 'frames', 'slices'; see <see cref="Pipeline.X264Threads"/>).</summary>
    public X264Threads X264Threads { get; init; } = X264Threads.Auto;

    // ---- remote assets (Engine/Assets) ----

    /// <summary><c>allowedHosts</c>: host names or CIDRs that remote assets may come from even when private or loopback.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = Array.Empty<string>();

    /// <summary><c>assetCacheMb</c>: the bound of the downloaded-asset cache under the temp folder (least recently used out first).</summary>
    public double AssetCacheMb { get; init; } = DefaultAssetCacheMb;

    public const double DefaultAssetCacheMb = 1024;

    // ---- resource limits (Engine/Config/ResourceLimits.cs) ----

    /// <summary><c>maxFramePixels</c>, <c>maxDurationSeconds</c>, <c>maxMessages</c>, <c>maxTextLength</c>, <c>maxPicturePixels</c>: what one config may ask for.</summary>
    public ResourceLimits Limits { get; init; } = ResourceLimits.Default;

    /// <summary>The asset cache folder: <c>assets</c> under the temp folder, or under the OS temp dir's <c>reelspeed</c> folder.</summary>
    public string AssetCacheFolder => Path.Combine(TempDirectory ?? Path.Combine(Path.GetTempPath(), "reelspeed"), "assets");

    private static IReadOnlyList<string> ParseAllowedHosts(ConfigReader r, JsonElement o)
    {
        if (!ConfigReader.TryGet(o, "allowedHosts", out var v)) return Array.Empty<string>();
        if (v.ValueKind != JsonValueKind.Array)
        {
            r.Error("options.allowedHosts", $"expected an array of host names or CIDRs such as [\"cdn.example.com\", \"10.0.0.0/8\"], got {ConfigReader.Describe(v)}");
            return Array.Empty<string>();
        }
        var list = new List<string>();
        int i = 0;
        foreach (var e in v.EnumerateArray())
        {
            var text = e.ValueKind == JsonValueKind.String ? ConfigReader.Text(e) : null;
            var why = text is null ? "expected a host name or CIDR string" : Assets.AssetPolicy.CheckHostEntry(text);
            if (why is null) list.Add(text!.Trim());
            else r.Error($"options.allowedHosts[{i}]", $"{why}, got {ConfigReader.Describe(e)}");
            i++;
        }
        return list.Count == 0 ? Array.Empty<string>() : list;
    }

    // ---- local paths (Engine/Assets/LocalRoots) ----

    /// <summary>
    /// <c>allowedRoots</c>: the folders (real paths) every local path a config or call names must
    /// resolve into; null when unset (no confinement: only for trusted configs).
    /// </summary>
    public IReadOnlyList<string>? AllowedRoots { get; init; }

    private static IReadOnlyList<string>? ParseAllowedRoots(ConfigReader r, JsonElement o)
    {
        if (!ConfigReader.TryGet(o, "allowedRoots", out var v)) return null;
        if (v.ValueKind != JsonValueKind.Array)
        {
            r.Error("options.allowedRoots", $"expected an array of existing folders such as [\"/srv/media\"], got {ConfigReader.Describe(v)}");
            return null;
        }
        var list = new List<string>();
        int i = 0;
        foreach (var e in v.EnumerateArray())
        {
            var text = e.ValueKind == JsonValueKind.String ? ConfigReader.Text(e) : null;
            var why = text is null ? "expected the path of an existing folder" : LocalRoots.CheckRoot(text);
            if (why is null) list.AddRange(LocalRoots.Create(new[] { text! }).Roots);
            else r.Error($"options.allowedRoots[{i}]", $"{why}, got {ConfigReader.Describe(e)}");
            i++;
        }
        return list;
    }

    /// <summary>Parses and validates the JS options object (as JSON); every problem is reported with its path.</summary>
    public static EngineOptions Parse(string json)
    {
        var r = new ConfigReader();
        using (var doc = ConfigReader.ParseDocument(json, "options"))
        {
            var o = doc.RootElement;
            if (o.ValueKind != JsonValueKind.Object)
                throw new ConfigValidationException(new[] { new ConfigError("options", $"expected an object, got {ConfigReader.Describe(o)}") });
            r.RejectUnknownKeys(o, "options", new[] { "maxConcurrentJobs", "memoryLimitMb", "memoryLimit", "x264Threads", "tempDirectory", "enableHardwareAcceleration", "allowedHosts", "assetCacheMb",
                "allowedRoots", "maxFramePixels", "maxDurationSeconds", "maxMessages", "maxTextLength", "maxPicturePixels" });
            var d = Default;
            int jobs = r.Integer(o, "options", "maxConcurrentJobs", 1, MaxJobs) ?? d.MaxConcurrentJobs;
            // memoryLimit is the spec's name (§5.2, in MB); memoryLimitMb says its unit. One or the other.
            double? mb = r.Number(o, "options", "memoryLimitMb", 64, 1 << 20, "MB");
            double? specMb = r.Number(o, "options", "memoryLimit", 64, 1 << 20, "MB");
            if (mb is not null && specMb is not null)
                r.Error("options.memoryLimit", "give memoryLimit or memoryLimitMb (the same limit in MB), not both");
            mb ??= specMb;
            var x264Threads = r.Choice(o, "options", "x264Threads", ["auto", "frames", "slices"]) switch
            {
                "frames" => X264Threads.Frames,
                "slices" => X264Threads.Slices,
                _ => X264Threads.Auto,
            };
            var temp = r.String(o, "options", "tempDirectory");
            var hw = r.Hardware(o, "options", "enableHardwareAcceleration") ?? HardwareAcceleration.Off;
            var allowedHosts = ParseAllowedHosts(r, o);
            double cacheMb = r.Number(o, "options", "assetCacheMb", 1, 1 << 20, "MB") ?? DefaultAssetCacheMb;
            var allowedRoots = ParseAllowedRoots(r, o);
            var limits = ResourceLimits.Parse(r, o);
            if (r.Errors.Count > 0) throw new ConfigValidationException(r.Errors.ToArray());
            return new EngineOptions(jobs, mb is { } m ? (long)(m * 1_000_000) : 0, string.IsNullOrEmpty(temp) ? null : Path.GetFullPath(temp), hw)
            {
                X264Threads = x264Threads,
                AllowedHosts = allowedHosts,
                AssetCacheMb = cacheMb,
                AllowedRoots = allowedRoots,
                Limits = limits,
            };
        }
    }
}

/// <summary>
/// An engine instance: its options, its job queue (FIFO under <c>maxConcurrentJobs</c> and
/// <c>memoryLimitMb</c>) and its metrics. <see cref="Default"/> serves the module-level calls.
/// </summary>
public sealed class ReelSpeedEngine
{
    /// <exception cref="EngineException"><see cref="ErrorCodes.Output"/> when the temp folder is missing and cannot be created.</exception>
    public ReelSpeedEngine(EngineOptions options)
    {
        try
        {
            Roots = options.AllowedRoots is { } roots ? LocalRoots.Create(roots) : null;
        }
        catch (ArgumentException e)
        {
            throw new ConfigValidationException(new[] { new ConfigError("options.allowedRoots", e.Message) }); // a root removed since the options were parsed
        }
        // The temp folder is checked before it is created, and used by its real path.
        if (Roots is not null && options.TempDirectory is { } wanted)
            options = options with { TempDirectory = Roots.ConfineFolder("options.tempDirectory", wanted) };
        Options = options;
        if (options.TempDirectory is { } temp)
        {
            try
            {
                Directory.CreateDirectory(temp); // the spec's '/tmp/rust-video-processing' need not exist yet
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new EngineException(ErrorCodes.Output, $"options.tempDirectory: cannot create the folder \"{temp}\": {e.Message}");
            }
        }
        Scheduler = new JobScheduler(options.MaxConcurrentJobs, options.MemoryLimitBytes);
        Assets = new AssetResolver(new AssetPolicy(options.AllowedHosts), options.AssetCacheFolder, (long)(options.AssetCacheMb * 1_000_000), Roots);
    }

    /// <summary>The allowedRoots local paths are confined to; null: not confined (the default engine).</summary>
    public LocalRoots? Roots { get; }

    /// <summary>Remote assets of this engine's jobs: its allowedHosts, its cache bound, its counters.</summary>
    public AssetResolver Assets { get; }

    /// <summary>
    /// Loads what jobs need before the first one runs, so a missing piece fails here and not in a
    /// job: FFmpeg's libraries (and their versions), the font chain, and — when this engine may use
    /// hardware encoders — the hardware probe. Rejects with <see cref="ErrorCodes.Dependency"/>
    /// naming what is missing; resolves with what was found, as JSON. Safe to call again (cached).
    /// </summary>
    public Task<string> InitializeAsync() => DedicatedThread.Run("reelspeed-init", () =>
    {
        string ffmpeg = Media.Native.LibAvLoader.EnsureLoaded();
        Text.FontChain fonts;
        try
        {
            fonts = Text.FontChain.Default;
        }
        catch (EngineException e) when (e.Code != ErrorCodes.Dependency)
        {
            throw new EngineException(ErrorCodes.Dependency, $"fonts: {e.Message}", e);
        }
        var hardware = Options.HardwareAcceleration == HardwareAcceleration.Off ? null : HardwareEncoders.Info;
        return JsonText.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("engine", EngineApi.Version);
            w.WriteString("ffmpeg", ffmpeg);
            w.WriteString("skia", SkiaSharp.SkiaSharpVersion.Native.ToString());
            w.WriteStartObject("fonts");
            w.WriteString("primary", fonts.Primary.Path);
            w.WriteString("emoji", fonts.Emoji?.Path);
            w.WriteNumber("faces", fonts.Faces.Count);
            w.WriteEndObject();
            w.WriteStartObject("hardware");
            w.WriteString("policy", Options.HardwareAcceleration switch { HardwareAcceleration.Required => "required", HardwareAcceleration.Auto => "auto", _ => "off" });
            if (hardware is not null)
                foreach (var codec in EncodeSettings.Codecs) w.WriteString(codec, hardware.AutoChoice(codec));
            w.WriteEndObject();
            w.WriteEndObject();
        });
    });

    public static ReelSpeedEngine Default { get; } = new(EngineOptions.Default);

    public EngineOptions Options { get; }
    public JobScheduler Scheduler { get; }
    public EngineMetrics Metrics { get; } = new();

    /// <summary>Validates, queues and renders a chat story; returns the result JSON.</summary>
    public Task<string> ProcessVideoAsync(
        string inputPath, string outputPath, string configJson, string? baseDirectory,
        Action<RenderProgress>? progress, CancellationToken cancel)
    {
        return RunJobAsync(async () =>
        {
            outputPath = OutputFile.Confine(outputPath, Roots); // allowedRoots: before the inputs are looked at
            using var assets = Assets.OpenSession(cancel); // the job's remote assets stay cached until it ends
            using var scene = await DedicatedThread.Run("reelspeed-compile", () => EngineApi.CompileScene(configJson, baseDirectory, inputPath, assets, Options.Limits)).ConfigureAwait(false);
            var tracker = new ProgressTracker(progress, scene.FrameCount);
            tracker.Root.Stage("queued");
            var admission = JobMemory.Admit(scene, Scheduler.MemoryLimitBytes, Options.X264Threads, x264: HardwareFor(scene) != HardwareAcceleration.Required);
            using var slot = await Scheduler.AcquireAsync(admission, cancel).ConfigureAwait(false);
            var options = admission.JobOptionsWith(JobOptionsFor(scene)); // the threads counted now that the job starts
            var (result, _, note) = await DedicatedThread.Run("reelspeed-job", () => TargetedRender.Run(scene, outputPath, options, tracker.Root, cancel)).ConfigureAwait(false);
            tracker.Done();
            Metrics.AddRender(result);
            return ResultJson.Write(result, note, admission.NoteFor(options, result.VideoEncoder)); // a hardware encoder has no slices
        }, cancel);
    }

    /// <summary>
    /// Validates, queues and re-encodes a video to fit <paramref name="targetSizeMb"/> (see
    /// <see cref="Optimize"/>), then measures its quality against the input; returns the result JSON.
    /// </summary>
    public Task<string> OptimizeVideoAsync(
        string inputPath, double targetSizeMb, string optionsJson, string? baseDirectory,
        Action<RenderProgress>? progress, CancellationToken cancel)
    {
        return RunJobAsync(async () =>
        {
            var options = OptimizeOptions.Parse(optionsJson, baseDirectory);
            string input = Optimize.CheckInput(inputPath, baseDirectory ?? Environment.CurrentDirectory, Roots);
            string output = Optimize.OutputPathFor(input, options, Roots);
            // The full-size plan; a smaller picture only when sample encodes measure it better (SizeSampling).
            using var full = await DedicatedThread.Run("reelspeed-compile", () => Optimize.BuildScene(input, targetSizeMb, options with { AllowDownscale = false })).ConfigureAwait(false);
            Options.Limits.CheckBuilt(full.Width, full.Height, full.DurationMs, "inputPath", "inputPath");
            using var sizing = new SizeSampling(input, targetSizeMb, options, full);
            // One progress bar over all phases: the size decision (see SizeSampling.ProgressUnits),
            // the encode's two passes (2N frames), then the quality measurement (N frames).
            int n = full.FrameCount;
            double sampling = sizing.ProgressUnits;
            double total = sampling + (options.MeasureQuality ? 3 * n : 2 * n);
            var tracker = new ProgressTracker(progress, (int)Math.Ceiling(total));
            var samplingPart = tracker.Root.Part(0, sampling / total);
            tracker.Root.Stage("queued");
            var admission = JobMemory.AdmitOptimize(full, options.MeasureQuality, sizing.BesidePixels(), Scheduler.MemoryLimitBytes, Options.X264Threads, x264: HardwareFor(full) != HardwareAcceleration.Required);
            using var slot = await Scheduler.AcquireAsync(admission, cancel).ConfigureAwait(false);
            var jobOptions = admission.JobOptionsWith(JobOptionsFor(full)); // the size decision's passes and the encode alike
            jobOptions = jobOptions with { EncoderThreads = JobMemory.OptimizeEncoderThreads(full, jobOptions.EncoderThreads, jobOptions.SliceThreads) };
            var job = System.Diagnostics.Stopwatch.StartNew();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (chosen, decision) = await DedicatedThread.Run("reelspeed-job", () => sizing.Decide(jobOptions, samplingPart, cancel)).ConfigureAwait(false);
            double sizingMs = clock.Elapsed.TotalMilliseconds;
            using var downscaled = ReferenceEquals(chosen, full) ? null : chosen;
            // The chosen size's first pass, when the decision ran it: the encode starts at pass 2, from the frames it decoded.
            var firstPass = sizing.FirstPass;
            // The samples measured x264 falling short of the rate: the encode asks that much more (SizeSampling.RateFactor); or the
            // chosen size's first pass predicts a miss: its second pass gets a tight rate tolerance or another rate (SizeSampling.PlanFrom).
            using var adjusted = sizing.RateFactor == 1 && sizing.RateTolerance is null ? null
                : chosen.WithEncode(chosen.Encode with
                {
                    BitrateKbps = EncodeSettings.ScaledKbps(chosen.Encode.BitrateKbps, sizing.RateFactor),
                    RateTolerance = sizing.RateTolerance,
                });
            var scene = adjusted ?? chosen;
            var qualityOptions = new QualityOptions { SampleEvery = options.QualitySampleEvery, DistortedName = "outputPath", ReferenceName = "inputPath" };
            // The encode measures itself when the pictures it is given are the input's frames (see Optimize.MeasuresInFlight).
            var probe = options.MeasureQuality && Optimize.MeasuresInFlight(scene, input) ? new InFlightQualityProbe(qualityOptions) : null;
            // Measured in flight, the encode takes the quality measurement's share of the bar too.
            var encodePart = tracker.Root.Part(sampling / total, probe is null ? (sampling + 2 * n) / total : 1);
            clock.Restart();
            // A rate the samples raised is not planned again from a first pass the encode runs on its own (a downscaled size's).
            var targeted = await DedicatedThread.Run("reelspeed-job", () => TargetedRender.Run(scene, output,
                jobOptions with { Quality = probe, FirstPass = firstPass, DecodeLog = sizing.Decoded, RateFromFirstPass = sizing.RateFactor == 1 }, encodePart, cancel)).ConfigureAwait(false);
            var (result, attempts, note) = targeted;
            if (targeted.SecondPassNote is { } plan) decision = decision with { Reason = decision.Reason + "; " + plan };
            double encodeMs = clock.Elapsed.TotalMilliseconds;
            Metrics.AddRender(result);
            QualityResult? quality = probe?.Result;
            clock.Restart();
            if (options.MeasureQuality && quality is null)
            {
                var qualityPart = tracker.Root.Part((sampling + 2 * n) / total, 1);
                try
                {
                    quality = await DedicatedThread.Run("reelspeed-quality", () => VideoQuality.Compare(result.OutputPath, input, qualityOptions,
                        cancel, p => qualityPart.Frames(p.Stage, p.Frame, p.TotalFrames, p.Fps))).ConfigureAwait(false);
                }
                catch (EngineException)
                {
                    File.Delete(result.OutputPath); // a job that fails or is aborted leaves nothing behind
                    throw;
                }
            }
            double qualityMs = clock.Elapsed.TotalMilliseconds;
            var stages = new OptimizeStages(sizingMs, encodeMs, qualityMs, probe is not null ? "in-flight" : options.MeasureQuality ? "decode" : "none");
            tracker.Done();
            var warnings = new List<string>(scene.Warnings);
            if (note is not null) warnings.Add(note);
            if (admission.NoteFor(jobOptions, result.VideoEncoder) is { } sliced) warnings.Add(sliced);
            long original = MediaRoles.CheckRegularFile(input, "inputPath").Size; // the file a symlink leads to
            if (original <= (long)(targetSizeMb * SizeTarget.BytesPerMb))
                warnings.Add($"targetSizeMb: the input ({original / (double)SizeTarget.BytesPerMb:0.###} MB) was already within the target; it was re-encoded to the target anyway");
            return Optimize.ToJson(new OptimizeResult(result.OutputPath, original, result.FileSize, scene.Composition!.TargetBytes!.Value, result, attempts, quality, warnings, job.Elapsed.TotalMilliseconds, decision, stages));
        }, cancel);
    }

    // ---- distributed rendering: chunks, the soundtrack, the stitch (Pipeline/ChunkedRender, ChunkStitch) ----

    /// <summary>
    /// Validates a config, queues, and renders frames <paramref name="startFrame"/> (included) to
    /// <paramref name="endFrame"/> (excluded) as a video-only H.264 segment; returns the chunk JSON.
    /// </summary>
    public Task<string> RenderChunkAsync(string configJson, string? baseDirectory, int startFrame, int endFrame, string outputPath,
        Action<RenderProgress>? progress, CancellationToken cancel)
    {
        return RunJobAsync(async () =>
        {
            outputPath = OutputFile.Confine(outputPath, Roots);
            using var assets = Assets.OpenSession(cancel);
            using var scene = await DedicatedThread.Run("reelspeed-compile", () => EngineApi.CompileScene(configJson, baseDirectory, null, assets, Options.Limits)).ConfigureAwait(false);
            ChunkedRender.CheckScene(scene);
            var range = new FrameRange(startFrame, endFrame).CheckWithin(scene);
            var tracker = new ProgressTracker(progress, range.Count);
            tracker.Root.Stage("queued");
            // As processVideo's. A chunk's parameter sets are the same with slice threads or frame threads, so chunks made on
            // workers with different options, limits or cores still join.
            var admission = JobMemory.Admit(scene, Scheduler.MemoryLimitBytes, Options.X264Threads); // chunks are libx264's
            using var slot = await Scheduler.AcquireAsync(admission, cancel).ConfigureAwait(false);
            var options = admission.JobOptionsWith(JobOptionsFor(scene));
            var result = await DedicatedThread.Run("reelspeed-job", () => ChunkedRender.Chunk(scene, range, outputPath, options, tracker.Root, cancel)).ConfigureAwait(false);
            tracker.Done();
            return (admission.NoteFor(options, result.Encoder) is { } note ? result with { Warnings = [note] } : result).ToJson();
        }, cancel);
    }

    /// <summary>
    /// Validates a config and renders its whole soundtrack once as an AAC file; returns the result
    /// JSON of processVideo's shape for the scene (the video fields are those chunks get).
    /// </summary>
    public Task<string> RenderAudioAsync(string configJson, string? baseDirectory, string outputPath, Action<RenderProgress>? progress, CancellationToken cancel)
    {
        return RunJobAsync(async () =>
        {
            outputPath = OutputFile.Confine(outputPath, Roots);
            using var assets = Assets.OpenSession(cancel);
            using var scene = await DedicatedThread.Run("reelspeed-compile", () => EngineApi.CompileScene(configJson, baseDirectory, null, assets, Options.Limits)).ConfigureAwait(false);
            ChunkedRender.CheckScene(scene);
            var tracker = new ProgressTracker(progress, scene.FrameCount);
            var result = await DedicatedThread.Run("reelspeed-job", () => ChunkedRender.Soundtrack(scene, outputPath, JobOptionsFor(scene), tracker.Root, cancel)).ConfigureAwait(false);
            tracker.Done();
            return ResultJson.Write(result);
        }, cancel);
    }

    /// <summary>Joins chunk segments (in frame order) and a soundtrack into one MP4 without re-encoding; returns the stitch JSON.</summary>
    public Task<string> StitchAsync(IReadOnlyList<string> segments, string audioPath, string outputPath, CancellationToken cancel) =>
        RunJobAsync(() => DedicatedThread.Run("reelspeed-stitch", () =>
        {
            // allowedRoots: the segments, the soundtrack and the output, each named by its field.
            var output = OutputFile.Confine(outputPath, Roots);
            string Input(string field, string path) => Roots is null || string.IsNullOrEmpty(path) || path.Contains('\0') ? path : Roots.ConfineFile(field, Path.GetFullPath(path));
            var inputs = segments.Select((s, i) => Input($"segments[{i}]", s)).ToArray();
            var audio = Input("audio", audioPath);
            return ChunkStitch.Run(inputs, audio, output, Options.TempDirectory, cancel).ToJson();
        }), cancel);

    /// <summary>Runs one job's body and counts it in the metrics as started, then succeeded, failed or aborted.</summary>
    private async Task<string> RunJobAsync(Func<Task<string>> body, CancellationToken cancel)
    {
        if (IsClosed) throw new EngineException(ErrorCodes.EngineClosed, "this VideoEngine was closed: create a new one to start jobs");
        using var io = Media.Native.MediaIo.Bind(cancel); // libav reads and writes of the job stop when it is aborted
        Metrics.JobStarted();
        try
        {
            cancel.ThrowIfCancellationRequested();
            var json = await body().ConfigureAwait(false);
            Metrics.JobSucceeded();
            return json;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Metrics.JobAborted();
            throw new EngineException(ErrorCodes.Aborted, "the job was aborted");
        }
        catch (EngineException e) when (e.Code == ErrorCodes.Aborted)
        {
            Metrics.JobAborted();
            throw;
        }
        catch
        {
            Metrics.JobFailed();
            throw;
        }
    }

    public string MetricsText() => Metrics.ToPrometheus(Scheduler, Assets.Stats);

    /// <summary>Whether <see cref="Close"/> was called: new jobs then fail with <see cref="ErrorCodes.EngineClosed"/>.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    private bool _closed;

    /// <summary>Refuses new jobs from now on; jobs already started or queued run to their end.</summary>
    public void Close() => Volatile.Write(ref _closed, true);

    /// <summary>How a job starting now runs: this engine's temp folder, its share of the cores, the scene's or the engine's hardware policy.</summary>
    private JobOptions JobOptionsFor(Scenes.Scene scene) => new()
    {
        TempDirectory = Options.TempDirectory,
        EncoderThreads = EncoderThreads(),
        Hardware = HardwareFor(scene),
    };

    /// <summary>The hardware encoder policy of a job: the scene's, or the engine's.</summary>
    private HardwareAcceleration HardwareFor(Scenes.Scene scene) => scene.Encode.Hardware ?? Options.HardwareAcceleration;

    /// <summary>
    /// x264 threads for a job starting now: the cores shared out among the running jobs, so
    /// concurrent jobs do not oversubscribe the machine. Alone, one per core rather than x264's
    /// own 1.5 per core: measured as fast on 2 cores, with ~22 MB fewer frames in flight.
    /// </summary>
    private int EncoderThreads()
    {
        int running = Math.Max(1, Scheduler.Running);
        return Math.Max(1, Environment.ProcessorCount / running);
    }
}
