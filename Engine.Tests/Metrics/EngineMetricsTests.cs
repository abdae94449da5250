using System.Text.RegularExpressions;
using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Pipeline;

namespace ReelSpeed.Engine.Tests.Metrics;

public class EngineMetricsTests
{
    /// <summary>Parses Prometheus text exposition 0.0.4 strictly enough to reject malformed output.</summary>
    internal static Dictionary<string, double> Parse(string text)
    {
        var values = new Dictionary<string, double>();
        var types = new Dictionary<string, string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            var help = Regex.Match(line, @"^# HELP (reelspeed_engine_[a-z_]+) \S.*$");
            var type = Regex.Match(line, @"^# TYPE (reelspeed_engine_[a-z_]+) (counter|gauge)$");
            var sample = Regex.Match(line, @"^(reelspeed_engine_[a-z_]+) (-?[0-9.eE+]+)$");
            if (help.Success) continue;
            if (type.Success) { types[type.Groups[1].Value] = type.Groups[2].Value; continue; }
            Assert.That(sample.Success, Is.True, $"not a valid exposition line: '{line}'");
            var name = sample.Groups[1].Value;
            Assert.That(types.ContainsKey(name), Is.True, $"{name} has no TYPE line before it");
            if (types[name] == "counter") Assert.That(name, Does.EndWith("_total"));
            values[name] = double.Parse(sample.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        return values;
    }

    [Test]
    public async Task Metrics_count_jobs_frames_and_outcomes()
    {
        var dir = TestSupport.TempDir();
        try
        {
            var engine = new ReelSpeedEngine(new EngineOptions(1, 0, null, HardwareAcceleration.Off));
            await engine.ProcessVideoAsync("", Path.Combine(dir, "a.mp4"), TestSupport.SmallStory(), null, null, default);
            await engine.ProcessVideoAsync("", Path.Combine(dir, "b.mp4"), TestSupport.SmallStory(), null, null, default);
            await Assert.ThrowsAsync<ConfigValidationException>(() => engine.ProcessVideoAsync("", Path.Combine(dir, "c.mp4"), "{}", null, null, default));
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            var aborted = (await Assert.ThrowsAsync<EngineException>(() => engine.ProcessVideoAsync("", Path.Combine(dir, "d.mp4"), TestSupport.SmallStory(), null, null, cts.Token)))!;
            Assert.That(aborted.Code, Is.EqualTo(ErrorCodes.Aborted));

            var m = Parse(engine.MetricsText());
            Assert.Multiple(() =>
            {
                Assert.That(m["reelspeed_engine_jobs_started_total"], Is.EqualTo(4));
                Assert.That(m["reelspeed_engine_jobs_succeeded_total"], Is.EqualTo(2));
                Assert.That(m["reelspeed_engine_jobs_failed_total"], Is.EqualTo(1));
                Assert.That(m["reelspeed_engine_jobs_aborted_total"], Is.EqualTo(1));
                Assert.That(m["reelspeed_engine_frames_rendered_total"], Is.EqualTo(60));
                Assert.That(m["reelspeed_engine_render_seconds_total"], Is.GreaterThan(0));
                Assert.That(m["reelspeed_engine_encode_seconds_total"], Is.GreaterThan(0));
                Assert.That(m["reelspeed_engine_cache_misses_total"], Is.EqualTo(4), "two sprites per story, drawn once each");
                Assert.That(m["reelspeed_engine_cache_hits_total"], Is.GreaterThan(0));
                Assert.That(m["reelspeed_engine_jobs_running"], Is.Zero);
                Assert.That(m["reelspeed_engine_queue_depth"], Is.Zero);
                Assert.That(m["reelspeed_engine_native_bytes_in_use"], Is.Zero);
                Assert.That(m["reelspeed_engine_peak_memory_bytes"], Is.GreaterThan(50e6));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Engine_options_are_validated_with_paths()
    {
        // A missing tempDirectory is no longer an error: the engine creates it (issue 11; see below).
        var e = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse("""{ "maxConcurrentJobs": 0, "memoryLimitMb": "lots", "tempDirectory": 7, "colour": 1 }"""))!;
        Assert.That(e.Errors.Select(x => x.Path), Is.SupersetOf(new[] { "options.maxConcurrentJobs", "options.memoryLimitMb", "options.tempDirectory", "options.colour" }));
        var hw = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse("""{ "enableHardwareAcceleration": "yes" }"""))!;
        Assert.That(hw.Message, Does.Contain("options.enableHardwareAcceleration: expected true, false or \"auto\", got \"yes\""));
        var ok = EngineOptions.Parse("""{ "maxConcurrentJobs": 3, "memoryLimitMb": 512, "tempDirectory": "/tmp" }""");
        Assert.That(ok, Is.EqualTo(new EngineOptions(3, 512_000_000, "/tmp", HardwareAcceleration.Off)));
        Assert.That(ok.X264Threads, Is.EqualTo(X264Threads.Auto));
        Assert.That(EngineOptions.Parse("""{ "x264Threads": "Frames" }""").X264Threads, Is.EqualTo(X264Threads.Frames));
        Assert.That(EngineOptions.Parse("""{ "x264Threads": "slices" }""").X264Threads, Is.EqualTo(X264Threads.Slices));
        var threads = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse("""{ "x264Threads": 2 }"""))!;
        Assert.That(threads.Message, Does.Contain("options.x264Threads: expected one of \"auto\", \"frames\", \"slices\", got 2"));
    }

    [Test]
    public void The_specs_engine_options_are_accepted_as_written()
    {
        // §5.2: new RustVideoEngine({ enableHardwareAcceleration: true, maxConcurrentJobs: 4, memoryLimit: 2048, tempDirectory: '/tmp/rust-video-processing' })
        var dir = Path.Combine(TestSupport.TempDir(), "rust-video-processing");
        try
        {
            var spec = EngineOptions.Parse($$"""{ "enableHardwareAcceleration": true, "maxConcurrentJobs": 4, "memoryLimit": 2048, "tempDirectory": "{{dir}}" }""");
            Assert.That(spec, Is.EqualTo(new EngineOptions(4, 2_048_000_000, dir, HardwareAcceleration.Required)));
            Assert.That(Directory.Exists(dir), Is.False, "parsing has no side effects");
            _ = new ReelSpeedEngine(spec);
            Assert.That(Directory.Exists(dir), "the engine creates its temp folder");
            var both = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse("""{ "memoryLimit": 512, "memoryLimitMb": 512 }"""))!;
            Assert.That(both.Message, Does.Contain("options.memoryLimit"));
            var unknown = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse("""{ "memoryLimits": 512 }"""))!;
            Assert.That(unknown.Message, Does.Contain("options.memoryLimits"));

            var file = Path.Combine(Path.GetDirectoryName(dir)!, "a-file");
            File.WriteAllText(file, "");
            var blocked = Assert.Throws<EngineException>(() => new ReelSpeedEngine(EngineOptions.Parse($$"""{ "tempDirectory": "{{Path.Combine(file, "sub")}}" }""")))!;
            Assert.That(blocked.Code, Is.EqualTo(ErrorCodes.Output));
            Assert.That(blocked.Message, Does.Contain("options.tempDirectory").And.Contain("a-file"));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    [Test]
    public async Task Initialize_loads_ffmpeg_and_the_fonts_before_any_job()
    {
        var engine = new ReelSpeedEngine(EngineOptions.Parse("""{ "enableHardwareAcceleration": "auto" }"""));
        using var doc = System.Text.Json.JsonDocument.Parse(await engine.InitializeAsync());
        var r = doc.RootElement;
        Assert.That(r.GetProperty("ffmpeg").GetString(), Does.StartWith("5."), "the FFmpeg version loaded");
        Assert.That(File.Exists(r.GetProperty("fonts").GetProperty("primary").GetString()));
        Assert.That(r.GetProperty("hardware").GetProperty("policy").GetString(), Is.EqualTo("auto"));
        Assert.That(r.GetProperty("hardware").GetProperty("h264").GetString(), Is.Not.Empty, "auto's choice for H.264");
    }

    [Test]
    public async Task A_temp_directory_holds_the_partial_file_and_the_output_still_appears_whole()
    {
        var temp = TestSupport.TempDir();
        var outDir = TestSupport.TempDir();
        try
        {
            var engine = new ReelSpeedEngine(new EngineOptions(1, 0, temp, HardwareAcceleration.Off));
            await engine.ProcessVideoAsync("", Path.Combine(outDir, "v.mp4"), TestSupport.SmallStory(), null, null, default);
            Assert.That(Directory.GetFileSystemEntries(outDir).Select(Path.GetFileName), Is.EqualTo(new[] { "v.mp4" }));
            Assert.That(Directory.GetFileSystemEntries(temp), Is.Empty);
        }
        finally
        {
            Directory.Delete(temp, true);
            Directory.Delete(outDir, true);
        }
    }
}
