using System.Diagnostics;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// One progress bar over a whole job, whatever it is made of (a render, the two passes of an
/// encode, retries of a size target, a quality measurement): each part reports within its own
/// <see cref="ProgressScope"/>, a slice of the bar. Reports go out at most every
/// <see cref="IntervalMs"/> (stage changes at once), never go backwards, and end with one
/// <c>"done"</c> at 100 %. The bar counts <see cref="TotalFrames"/> units: the frames the job
/// goes through, so <c>frame</c>/<c>totalFrames</c> read naturally.
/// </summary>
public sealed class ProgressTracker
{
    public const int IntervalMs = 100;

    private readonly Action<RenderProgress>? _sink;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastReportMs = -IntervalMs;
    private int _lastFrame;
    private string? _lastStage;
    private double _lastFps;

    public ProgressTracker(Action<RenderProgress>? sink, int totalFrames)
    {
        _sink = sink;
        TotalFrames = Math.Max(0, totalFrames);
    }

    /// <summary>A tracker that reports nothing (a job nobody watches).</summary>
    public static ProgressTracker None => new(null, 0);

    public int TotalFrames { get; }

    /// <summary>The whole bar.</summary>
    public ProgressScope Root => new(this, 0, 1, "");

    /// <summary>Reports the end: every unit done, stage <c>"done"</c>.</summary>
    public void Done() => _sink?.Invoke(new RenderProgress(TotalFrames, TotalFrames, _lastFps, 0, "done"));

    internal void Report(double fraction, string stage, double fps, bool force)
    {
        if (_sink is null) return;
        long now = _clock.ElapsedMilliseconds;
        if (!force && stage == _lastStage && now - _lastReportMs < IntervalMs) return;
        int frame = Math.Max(_lastFrame, (int)Math.Round(Math.Clamp(fraction, 0, 1) * TotalFrames));
        _lastReportMs = now;
        _lastFrame = frame;
        _lastStage = stage;
        if (fps > 0) _lastFps = fps;
        double eta = fps > 0 ? Math.Round((TotalFrames - frame) / fps * 1000) : 0;
        _sink(new RenderProgress(frame, TotalFrames, fps, eta, stage));
    }
}

/// <summary>
/// A slice [<see cref="From"/>, <see cref="To"/>) of a job's progress bar, given to one part of
/// the job; <see cref="Part"/> slices it further. <see cref="Suffix"/> is added to every stage
/// reported inside it (a retry's <c>-retry1</c>).
/// </summary>
public readonly record struct ProgressScope(ProgressTracker Tracker, double From, double To, string Suffix)
{
    /// <summary>The slice from <paramref name="from"/> to <paramref name="to"/> of this one (fractions of it).</summary>
    public ProgressScope Part(double from, double to, string suffix = "") =>
        new(Tracker, From + (To - From) * from, From + (To - From) * to, Suffix + suffix);

    /// <summary>
    /// <paramref name="done"/> of <paramref name="count"/> frames of this part are through stage
    /// <paramref name="stage"/>, at <paramref name="fps"/> frames a second (throttled).
    /// </summary>
    public void Frames(string stage, int done, int count, double fps = 0) =>
        Tracker.Report(From + (To - From) * (count <= 0 ? 1 : (double)done / count), stage + Suffix, Math.Round(fps, 1), force: false);

    /// <summary>A new stage starts where the bar is (reported at once).</summary>
    public void Stage(string stage) => Tracker.Report(From, stage + Suffix, 0, force: true);
}
