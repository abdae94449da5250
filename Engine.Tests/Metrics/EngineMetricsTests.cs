using System.Text.RegularExpressions;
using NUnit.Framework;
using ReelSpeed.Engine.Api;

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
        var e = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse("""{ "maxConcurrentJobs": 0, "memoryLimitMb": "lots", "tempDirectory": "/no/such/dir", "colour": 1 }"""))!;
        Assert.That(e.Errors.Select(x => x.Path), Is.SupersetOf(new[] { "options.maxConcurrentJobs", "options.memoryLimitMb", "options.tempDirectory", "options.colour" }));
        var hw = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse("""{ "enableHardwareAcceleration": "yes" }"""))!;
        Assert.That(hw.Message, Does.Contain("options.enableHardwareAcceleration: expected true, false or \"auto\", got \"yes\""));
        var ok = EngineOptions.Parse("""{ "maxConcurrentJobs": 3, "memoryLimitMb": 512, "tempDirectory": "/tmp" }""");
        Assert.That(ok, Is.EqualTo(new EngineOptions(3, 512_000_000, "/tmp", HardwareAcceleration.Off)));
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
