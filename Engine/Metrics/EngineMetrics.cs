using System.Globalization;
using System.Text;
using ReelSpeed.Engine.Assets;
using ReelSpeed.Engine.Pipeline;

namespace ReelSpeed.Engine.Metrics;

/// <summary>
/// Counters and gauges of one engine, exposed in the Prometheus text format (version 0.0.4)
/// under the <c>reelspeed_engine_</c> namespace. Updated with interlocked operations from any thread.
/// </summary>
public sealed class EngineMetrics
{
    private long _started, _succeeded, _failed, _aborted, _frames, _renderMicros, _encodeMicros, _spriteHits, _spriteMisses;

    public void JobStarted() => Interlocked.Increment(ref _started);
    public void JobSucceeded() => Interlocked.Increment(ref _succeeded);
    public void JobFailed() => Interlocked.Increment(ref _failed);
    public void JobAborted() => Interlocked.Increment(ref _aborted);

    public void AddRender(RenderResult r)
    {
        Interlocked.Add(ref _frames, r.Frames);
        Interlocked.Add(ref _renderMicros, (long)(r.Stages.RenderMs * 1000));
        Interlocked.Add(ref _encodeMicros, (long)((r.Stages.ConvertMs + r.Stages.EncodeMs) * 1000));
        Interlocked.Add(ref _spriteHits, r.SpriteHits);
        Interlocked.Add(ref _spriteMisses, r.SpriteMisses);
    }

    public long JobsStarted => Interlocked.Read(ref _started);
    public long JobsSucceeded => Interlocked.Read(ref _succeeded);
    public long JobsFailed => Interlocked.Read(ref _failed);
    public long JobsAborted => Interlocked.Read(ref _aborted);
    public long FramesRendered => Interlocked.Read(ref _frames);

    public string ToPrometheus(JobScheduler scheduler, AssetStats assets = default)
    {
        var sb = new StringBuilder();
        Counter(sb, "jobs_started_total", "Jobs accepted (validated and queued).", JobsStarted);
        Counter(sb, "jobs_succeeded_total", "Jobs that wrote their output.", JobsSucceeded);
        Counter(sb, "jobs_failed_total", "Jobs that failed with an error.", JobsFailed);
        Counter(sb, "jobs_aborted_total", "Jobs cancelled through their AbortSignal.", JobsAborted);
        Counter(sb, "frames_rendered_total", "Video frames rendered and encoded.", FramesRendered);
        Counter(sb, "render_seconds_total", "Time spent drawing frames.", Interlocked.Read(ref _renderMicros) / 1e6);
        Counter(sb, "encode_seconds_total", "Time spent converting and encoding frames.", Interlocked.Read(ref _encodeMicros) / 1e6);
        Counter(sb, "cache_hits_total", "Message sprites reused from the cache.", Interlocked.Read(ref _spriteHits));
        Counter(sb, "cache_misses_total", "Message sprites drawn (cache misses).", Interlocked.Read(ref _spriteMisses));
        Gauge(sb, "jobs_running", "Jobs running now.", scheduler.Running);
        Gauge(sb, "queue_depth", "Jobs waiting for a slot.", scheduler.QueueDepth);
        Gauge(sb, "native_bytes_in_use", "Estimated bytes held by running jobs.", scheduler.BytesInUse);
        Gauge(sb, "frame_buffer_bytes", "Native frame buffers allocated now (all engines).", FrameSurface.LiveBytes);
        Gauge(sb, "max_concurrent_jobs", "The engine's maxConcurrentJobs.", scheduler.MaxConcurrentJobs);
        Gauge(sb, "memory_limit_bytes", "The engine's memory limit (0: none).", scheduler.MemoryLimitBytes);
        Gauge(sb, "peak_memory_bytes", "Peak resident set size of the process.", PeakResidentBytes());
        Counter(sb, "asset_cache_hits_total", "Remote assets found in the asset cache.", assets.Hits);
        Counter(sb, "asset_cache_misses_total", "Remote assets downloaded (asset cache misses).", assets.Misses);
        Counter(sb, "asset_cache_downloaded_bytes_total", "Bytes of remote assets downloaded.", assets.BytesDownloaded);
        Gauge(sb, "asset_cache_bytes", "Bytes held in the asset cache folder now.", assets.CachedBytes);
        return sb.ToString();
    }

    private static void Counter(StringBuilder sb, string name, string help, double value) => Line(sb, name, help, "counter", value);
    private static void Gauge(StringBuilder sb, string name, string help, double value) => Line(sb, name, help, "gauge", value);

    private static void Line(StringBuilder sb, string name, string help, string type, double value)
    {
        string full = "reelspeed_engine_" + name;
        sb.Append("# HELP ").Append(full).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(full).Append(' ').Append(type).Append('\n');
        sb.Append(full).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>VmHWM from /proc/self/status (the kernel's peak RSS), or the current working set elsewhere.</summary>
    public static long PeakResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
        }
        return Environment.WorkingSet;
    }
}
