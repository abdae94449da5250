using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Effects;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>One picture size optimizeVideo considered, with the SSIM its sample encode reached (null: not measured).</summary>
public sealed record SizeCandidate(int Width, int Height, double? SampleSsim);

/// <summary>
/// Why optimizeVideo encoded at its size. <see cref="Method"/>: "fixed" (allowDownscale false),
/// "enough-bits" (the budget gives at least <see cref="SizeTarget.MinBitsPerPixel"/>: full size, not measured),
/// "first-pass" (x264's full-size first pass shows the picture is not starved), "first-passes" (x264's first passes
/// at both sizes, scored as they encode, decided) or "measured" (samples encoded at each candidate, the higher SSIM kept). Far under it the smaller
/// size used to be taken unmeasured ("too-few-bits", under 0.0125): a screen recording at 0.011 bits per pixel
/// then lost 0.28 SSIM to the ffmpeg CLI's full-size encode, which needed only half the budget.
/// </summary>
public sealed record SizeDecision(string Method, int Width, int Height, double BitsPerPixel, IReadOnlyList<SizeCandidate> Candidates,
    int SampleSegments, double SampleSeconds, string Reason);

/// <summary>
/// Decides optimizeVideo's picture size. At or above <see cref="SizeTarget.MinBitsPerPixel"/> the full size
/// is kept. Under it, with x264, the full size's first pass runs first (the encode needs it anyway when the
/// full size is kept: <see cref="FirstPass"/> hands it on) and its mean quantiser decides where it is clear:
/// under <see cref="KeepFullBelowQp"/> the picture is not starved and stays full size. Otherwise it is measured.
/// Where the encode can score itself against the input (<see cref="FirstPassesDecide"/>), the first pass was scored as it
/// encoded, the smaller size's first pass over the whole clip runs scored the same way, and the higher SSIM wins (the smaller size
/// by more than <see cref="FirstPassMargin"/>); the chosen size's pass goes on to the encode, so deciding costs the smaller size's
/// first pass and the scoring. Otherwise (and for other encoders) a few short segments spread over the clip are cut into one sample,
/// kept uncompressed (or lossless) at full size as the reference (written from the first pass's pictures as it runs,
/// <see cref="SampleReference"/>; without a first pass, the input is decoded once for it), then that sample is
/// encoded two-pass at the planned video bit rate with the job's codec and preset at the full size and at the
/// rule's smaller size; each is compared with the reference at full size (the smaller one scaled back up
/// bicubic, as a viewer's player does) and the higher SSIM wins (full size on a tie).
/// </summary>
public sealed class SizeSampling : IDisposable
{
    /// <summary>Segments cut from the clip for the sample, spread evenly over it.</summary>
    public const int Segments = 3;

    /// <summary>
    /// Longest segment, in ms (a shorter clip gives each segment a third of it). 0.5 s segments were
    /// tried to cut the cost: they turned a zooming fractal's decision to the smaller size (0.014 SSIM
    /// under the ffmpeg CLI's full-size two-pass, where 1.5 s segments keep the full size).
    /// </summary>
    public const double SegmentMs = 1500;

    /// <summary>
    /// Progress weight of the sampling in frames of the sample: the reference, two two-pass encodes (2 each), two comparisons
    /// (made as they encode when their frames come straight from the reference). A reference the first pass writes weighs nothing.
    /// </summary>
    public const int ProgressUnitsPerFrame = 7;

    /// <summary>
    /// Mean first-pass quantiser (x264, at the planned rate and full size) under which the full size is kept
    /// without sample encodes. Fitted on whole-clip two-pass encodes of 10 s of lavfi content (grain, gameplay-like
    /// motion, talking head, screen recording, animation) at 540x960 and 1080x1920, 25 cases under 0.05 bits per
    /// pixel (scripts/size-decision-data.js): every case under 30 (talking head 23-27, screen 7-23) scored the same
    /// (within 0.0002 SSIM) or better at full size; the smaller size won only from 33 up (grain 33-35, by under 0.006).
    /// No quantiser is safe the other way: a screen recording at 34 lost 0.22 SSIM scaled down, animation at 38-40
    /// lost 0.003, and a static fine texture at 49 lost 0.37, so above the bound the samples decide.
    /// </summary>
    public const double KeepFullBelowQp = 30;

    private readonly string _input;
    private readonly double _targetSizeMb;
    private readonly OptimizeOptions _options;

    /// <summary>The full-size plan's scene (owned by the caller).</summary>
    public Scene Full { get; }

    public double BitsPerPixel { get; }

    /// <summary>Whether <see cref="Decide"/> may encode samples.</summary>
    public bool Measures { get; }

    /// <summary>Whether <see cref="Decide"/> first runs the full size's first pass (x264 under the bits-per-pixel bound).</summary>
    public bool RunsFirstPass { get; }

    /// <summary>
    /// Whether the first passes decide (x264, and an input the encode can score itself against, <see cref="Optimize.MeasuresInFlight"/>):
    /// each size's first pass over the whole clip is scored as it encodes and the higher SSIM wins, with no sample encodes.
    /// </summary>
    public bool FirstPassesDecide { get; }

    /// <summary>
    /// The chosen size's completed first pass, when <see cref="Decide"/> ran it (the full size's, or the smaller size's when the
    /// first passes decided for it): the encode takes it (<see cref="JobOptions.FirstPass"/>) instead of running it again. Owned here.
    /// </summary>
    public TwoPassStats? FirstPass { get; private set; }

    /// <summary>
    /// The input's frames as the full size's first pass decoded them, when <see cref="Decide"/> ran it (<see cref="DecodeLog"/>): a
    /// smaller pass run after it and the encode read them back instead of decoding the input again. Owned here.
    /// </summary>
    internal DecodeLog? Decoded { get; private set; }

    /// <summary>
    /// Pixels of the smaller size's first pass that runs beside the full size's where the first passes decide (0 otherwise): the
    /// size <see cref="Decide"/> compares with the full one (for the memory estimate, before it runs).
    /// </summary>
    public long BesidePixels()
    {
        if (!RunsBeside) return 0;
        using var rule = Optimize.BuildScene(_input, _targetSizeMb, _options);
        return rule.Width == Full.Width && rule.Height == Full.Height ? 0 : (long)rule.Width * rule.Height;
    }

    /// <summary>
    /// Whether the smaller size's first pass runs beside the full size's (<see cref="ScaledFirstPass"/>): where the first passes
    /// decide, unless the input itself takes at most <see cref="QuietInputRate"/> times the planned rate (file size over duration).
    /// Re-encoding a picture at most that much below its own rate does not starve it (a crf 8 screen recording of 1.2 MB for
    /// 10 s at 1080x1920, shrunk to 2 MB: quantiser 10), so the rule keeps the full size, and the smaller pass, even stopped after
    /// its watch, cost 0.7-1.0 s there (its scoring at 1080x1920 against a first pass of 2.4 s). Should the full size still come
    /// out starved, the smaller pass runs on its own after it.
    /// </summary>
    public bool RunsBeside { get; }

    /// <summary>See <see cref="RunsBeside"/>.</summary>
    public const double QuietInputRate = 1.5;

    /// <summary>Frames of the sample (0 when not measuring).</summary>
    public int SampleFrames { get; }

    /// <summary>Whether the first pass writes the samples' reference as it goes (x264, and the reference small enough to keep uncompressed).</summary>
    public bool TapsReference { get; }

    private readonly IReadOnlyList<(double StartMs, double EndMs)> _segments;

    /// <summary>The segments as frames of the full-size scene: the first frame shown at each segment's start, and as many as it lasts.</summary>
    internal IReadOnlyList<(int First, int Count)> SampleRanges { get; }

    /// <param name="full">The scene optimizeVideo builds with allowDownscale false.</param>
    public SizeSampling(string input, double targetSizeMb, OptimizeOptions options, Scene full)
    {
        _input = input;
        _targetSizeMb = targetSizeMb;
        _options = options;
        Full = full;
        BitsPerPixel = full.Encode.BitrateKbps * 1000.0 / ((double)full.Width * full.Height * full.Fps);
        Measures = options.AllowDownscale && BitsPerPixel < SizeTarget.MinBitsPerPixel;
        _segments = SegmentsOf(full.DurationMs);
        RunsFirstPass = Measures && options.Codec == EncodeSettings.H264;
        FirstPassesDecide = RunsFirstPass && Optimize.MeasuresInFlight(full, input);
        double inputBitsPerSecond = new FileInfo(input).Length * 8.0 / Math.Max(1e-3, full.DurationMs / 1000);
        RunsBeside = FirstPassesDecide && inputBitsPerSecond > full.Encode.BitrateKbps * 1000.0 * QuietInputRate;
        SampleRanges = _segments.Select(s =>
        {
            int first = Math.Min(full.FrameCount - 1, (int)Math.Floor(s.StartMs * full.FrameRateNum / (full.FrameRateDen * 1000.0) + 1e-6));
            return (first, Math.Min(full.FrameCount - first, Timeline.FrameCount(s.EndMs - s.StartMs, full.FrameRateNum, full.FrameRateDen)));
        }).ToList();
        // Where the first passes decide, the samples still do when the full size's pass stopped its scoring and then came out starved.
        SampleFrames = Measures ? SampleRanges.Sum(f => f.Count) : 0;
        TapsReference = RunsFirstPass && !FirstPassesDecide && RawReferenceBytes <= MaxRawReferenceBytes;
    }

    /// <summary>Where the sample's segments lie: <see cref="Segments"/> of up to <see cref="SegmentMs"/>, centred in equal thirds of the clip.</summary>
    public static IReadOnlyList<(double StartMs, double EndMs)> SegmentsOf(double durationMs)
    {
        double length = Math.Min(SegmentMs, durationMs / Segments);
        var list = new List<(double, double)>();
        for (int i = 0; i < Segments; i++)
        {
            double centre = durationMs * (i + 0.5) / Segments;
            double start = Math.Max(0, centre - length / 2);
            list.Add((start, Math.Min(durationMs, start + length)));
        }
        return list;
    }

    /// <summary>
    /// The scene to encode (<see cref="Full"/> itself, or a new downscaled one the caller disposes) and why.
    /// </summary>
    public (Scene Scene, SizeDecision Decision) Decide(JobOptions job, ProgressScope progress, CancellationToken cancel)
    {
        var full = new SizeCandidate(Full.Width, Full.Height, null);
        string bpp = $"{Full.Encode.BitrateKbps} kbit/s is {BitsPerPixel:0.####} bits per pixel at {Full.Width}x{Full.Height}";
        if (!_options.AllowDownscale)
            return (Full, new SizeDecision("fixed", Full.Width, Full.Height, BitsPerPixel, [full], 0, 0, $"allowDownscale is false; {bpp}"));
        if (BitsPerPixel >= SizeTarget.MinBitsPerPixel)
            return (Full, new SizeDecision("enough-bits", Full.Width, Full.Height, BitsPerPixel, [full], 0, 0,
                $"{bpp}, at least {SizeTarget.MinBitsPerPixel}: full size, a downscale not considered"));
        var rule = Optimize.BuildScene(_input, _targetSizeMb, _options);
        string dir = Path.Combine(job.TempDirectory ?? Path.GetTempPath(), "reelspeed-sizing-" + Guid.NewGuid().ToString("N")[..12]);
        SampleReference? tapped = null;
        try
        {
            if (rule.Width == Full.Width && rule.Height == Full.Height)
            {
                rule.Dispose();
                return (Full, new SizeDecision("enough-bits", Full.Width, Full.Height, BitsPerPixel, [full], 0, 0,
                    $"{bpp}, but the picture cannot be made smaller (short side at least {SizeTarget.MinShortSide})"));
            }
            var small = new SizeCandidate(rule.Width, rule.Height, null);
            var samplesPart = progress;
            string quantiser = "";
            InFlightQualityProbe? fullScore = null;
            QualityResult? besideScore = null;
            ScaledFirstPass.PassesEnded? ended = null;
            if (RunsFirstPass)
            {
                // The encode's own first pass, at full size and the planned rate: its quantiser says how starved the picture is,
                // and (when the first passes decide) its SSIM how well the full size does at that rate.
                FirstPass = TwoPassStats.Create(job.TempDirectory);
                Decoded ??= DecodeLog.Create(_input, job.TempDirectory);
                job = job with { DecodeLog = Decoded };
                // The pass may be cut at its early stuck check (EarlyStuckWatch) where the constant-quality trial then overshoots: it runs
                // again from its start, with fresh scores, reference and smaller pass, and without the check (the trial ruled it out).
                bool ranAgain = false;
                for (bool early = true; ; early = false, ranAgain = true)
                {
                    // Scored frame by frame: the smaller pass, beside it or after it on its own, is compared as it runs (ScaledFirstPass.Judge).
                    if (FirstPassesDecide) fullScore = new InFlightQualityProbe(FirstPassQuality) { FrameSsim = ScaledFirstPass.NewFrameScores(Full.FrameCount) };
                    if (TapsReference)
                    {
                        tapped?.Dispose();
                        Directory.CreateDirectory(dir);
                        using var reference = ReferenceScene(raw: true); // its settings: what a reference render would write
                        tapped = new SampleReference(Path.Combine(dir, "reference.mkv"), Full, reference.Encode, SampleRanges);
                    }
                    // Where the first passes decide, the smaller size's runs beside the full size's, from the same decoded frames.
                    ScaledFirstPass? beside = null;
                    QuantizerWatch? alone = null;
                    bool cut;
                    try
                    {
                        // Where the full size's packets foresee it kept by its quantiser, the smaller pass stops and so does the full size's
                        // scoring: only a comparison needs it (should the pass still end starved, the samples decide instead).
                        if (RunsBeside)
                        {
                            DropSmallPass();
                            _smallPass = TwoPassStats.Create(job.TempDirectory);
                            beside = new ScaledFirstPass(rule, job, _smallPass, FirstPassQuality, Full.FrameCount, ForeseenKeepBelowQp,
                                WatchFrames, cancel, fullScore?.FrameSsim, fullScore is null ? null : fullScore.StopScoring) { StuckRuledOut = !early };
                        }
                        else if (fullScore is not null)
                        {
                            alone = new QuantizerWatch(Full.FrameCount, WatchFrames, ForeseenKeepBelowQp, fullScore.StopScoring);
                        }
                        cut = new RenderJob(Full, "", job with { Quality = fullScore }).RunFirstPass(FirstPass, progress.Part(0, FirstPassShare, "-sizing"), cancel,
                            checkStuck: early, tap: (IFrameTap?)beside ?? tapped, sink: (IPacketSink?)beside ?? alone, earlyStuck: early).Cut;
                        if (!cut && FirstPass.ConstantQuality is null)
                        {
                            besideScore = beside?.Complete();
                            ended = beside?.Ended;
                        }
                    }
                    finally
                    {
                        beside?.Dispose();
                    }
                    if (!cut) break;
                }
                samplesPart = progress.Part(FirstPassShare, 1);
                if (FirstPass.ConstantQuality is { } cq)
                {
                    rule.Dispose();
                    DropSmallPass();
                    return (Full, new SizeDecision("first-pass", Full.Width, Full.Height, BitsPerPixel, [full, small], 0, 0,
                        $"{bpp}; x264's first pass at that rate {cq.Averaged}, its rate control stuck high, but at constant quality "
                        + $"(crf {cq.Crf}) the full size needs {cq.Kbps} kbit/s, within {RenderJob.StuckBudgetFactor}x the rate: kept without sample encodes, the encode planned from the constant-quality pass"));
                }
                if (FirstPass.MeanQuantizer() is { } q)
                {
                    quantiser = ended is { SmallerAhead: true } end ? $"; x264's first pass at full size averaged quantiser {q:0.#} over its first {end.AtFrame} frames"
                        : $"; x264's first pass at full size averaged quantiser {q:0.#}";
                    if (ranAgain)
                        quantiser += $" (run again: half or more of its first {EarlyStuckWatch.Packets} frames after the keyframe sat at x264's top quantisers, but a constant-quality trial "
                            + $"at crf {RenderJob.StuckCrf} ran over {RenderJob.StuckBudgetFactor}x the budget's pace: starved, not stuck)";
                    if (q < KeepFullBelowQp && ended is not { SmallerAhead: true })
                    {
                        rule.Dispose();
                        DropSmallPass();
                        return (Full, new SizeDecision("first-pass", Full.Width, Full.Height, BitsPerPixel, [full, small], 0, 0,
                            $"{bpp}{quantiser}, under {KeepFullBelowQp}: the full size is not starved, kept without sample encodes{ScoringStoppedNote(ended is null ? fullScore : null)}"
                            + PlanSecondPass(FirstPass, "x264's first pass")));
                    }
                }
            }
            // The full size's score: over the whole clip, or over the frames it had scored where the smaller pass stopped behind it.
            if (fullScore is not null && (fullScore.Result?.Ssim ?? (ended is { SmallerAhead: false } behind ? behind.FullSsim : null)) is { } f)
            {
                // The smaller size's first pass over the whole clip, at the same rate, scored at full size as it encodes: run beside the
                // full size's, or on its own when that one stopped early or its rate control may have stuck (the check runs here).
                if (ended is null && (besideScore is null || _smallPass!.MeanQuantizer() is not { } sq || sq >= RenderJob.StuckQuantizer))
                {
                    // Compared with the full size's scores as it runs: one that falls behind stops there, and the full size is kept.
                    var smallScore = new InFlightQualityProbe(FirstPassQuality) { FrameSsim = ScaledFirstPass.NewFrameScores(Full.FrameCount) };
                    DropSmallPass();
                    _smallPass = TwoPassStats.Create(job.TempDirectory);
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                    var watch = new ScaledFirstPass.AloneWatch(fullScore.FrameSsim!, smallScore.FrameSsim, Full.FrameCount, stop);
                    try
                    {
                        new RenderJob(rule, "", job with { Quality = smallScore }).RunFirstPass(_smallPass, samplesPart.Part(0, 1, "-sizing-small"), stop.Token, tap: watch);
                        besideScore = smallScore.Result!;
                    }
                    catch (EngineException aborted) when (aborted.Code == ErrorCodes.Aborted && watch.Stopped is not null && !cancel.IsCancellationRequested)
                    {
                        ended = watch.Stopped;
                    }
                }
                double sm = ended is { } judged ? judged.SmallSsim : besideScore!.Ssim;
                bool smaller = ended is { } e ? e.SmallerAhead : sm > f + FirstPassMargin;
                full = full with { SampleSsim = f };
                small = small with { SampleSsim = sm };
                string reason = ended is { } end
                    ? $"{bpp}{quantiser}; x264's first passes at that rate (preset {_options.Preset}), scored at {Full.Width}x{Full.Height} as they ran: by frame {end.AtFrame}, "
                        + $"over the first {end.Scored} frames, {Leading(end.Lead)} ({Leading(end.RecentLead)} over the last third of them); "
                        + (end.SmallerAhead
                            ? $"for the whole clip's lead to fall to {FirstPassMargin}, where the decision turns, the rest would have had to favour the full size by {end.Swing:0.#####} more than that last third, at least {end.SwingAtLeast}, so the "
                                + $"full size's pass ended there (SSIM {f:0.#####} over its frames, {sm:0.#####} at {rule.Width}x{rule.Height} over the frames it had scored then; the smaller pass ran on for its statistics, unscored): scaled down"
                            : $"for the smaller size to lead the whole clip by {ScaledFirstPass.StopTarget} the rest would have had to favour it by {end.Swing:0.#####} more than that last third, at least {end.SwingAtLeast}, so the "
                                + $"smaller size's pass stopped there{(fullScore.Result is null ? ", and the full size's scoring with it" : "")} (SSIM {f:0.#####} over {(fullScore.Result is null ? "the frames the full size had scored then" : "the whole clip")}, "
                                + $"{sm:0.#####} at {rule.Width}x{rule.Height} over its own): kept full size")
                    : $"{bpp}{quantiser}; x264's first passes over the whole clip at that rate (preset {_options.Preset}) reached SSIM {f:0.#####} at {Full.Width}x{Full.Height} "
                        + $"and {sm:0.#####} at {rule.Width}x{rule.Height} (measured at {Full.Width}x{Full.Height}): "
                        + (smaller ? "scaled down" : sm > f ? $"kept full size (the smaller size must lead by more than {FirstPassMargin})" : "kept full size");
                string Leading(double lead) => lead >= 0 ? $"{rule.Width}x{rule.Height} led by {lead:0.#####} SSIM" : $"{Full.Width}x{Full.Height} led by {-lead:0.#####}";
                var (kept, dropped) = smaller ? (_smallPass, FirstPass) : (FirstPass, _smallPass);
                dropped.Dispose();
                FirstPass = kept; // the encode starts at the chosen size's second pass
                _smallPass = null;
                if (!smaller) rule.Dispose();
                var chosenPass = smaller ? rule : Full;
                reason += PlanSecondPass(kept, "the chosen size's first pass");
                return (chosenPass, new SizeDecision("first-passes", chosenPass.Width, chosenPass.Height, BitsPerPixel, [full, small], 0, 0, reason));
            }
            var (fullSsim, smallSsim, seconds, raises, spent) = Measure(rule, job, samplesPart, cancel, dir, tapped);
            full = full with { SampleSsim = fullSsim };
            small = small with { SampleSsim = smallSsim };
            bool downscale = smallSsim > fullSsim;
            string allowance = raises.Count == 2 ? $" (plus {raises[0]:0%} and {raises[1]:0%} for the keyframes the cuts add)" : "";
            string why = $"{bpp}{quantiser}{ScoringStoppedNote(fullScore)}{(fullScore is { ScoringStopped: true } ? ", so the samples decide" : "")}; samples ({Segments} segments, {seconds:0.##} s, preset {_options.Preset}) at the planned rate{allowance} reached SSIM {fullSsim:0.#####} at {Full.Width}x{Full.Height} "
                + $"and {smallSsim:0.#####} at {rule.Width}x{rule.Height} (measured at {Full.Width}x{Full.Height}): {(downscale ? "scaled down" : "kept full size")}";
            var chosen = downscale ? rule : Full;
            if (spent.Count == 2 && spent[downscale ? 1 : 0] is var share && share < SpentShortfall)
            {
                RateFactor = 1 / Math.Max(share, MinSpent);
                why += $"; the chosen size's sample spent {share:0.0%} of the planned rate, so the encode asks {RateFactor - 1:0%} more";
            }
            if (downscale) DropFirstPass();
            else rule.Dispose();
            // The full size kept with its first pass, the rate as planned: that pass plans the encode's second (a downscaled size's
            // encode runs its own first pass, which does the same where the samples left the rate alone).
            if (!downscale && RateFactor == 1 && FirstPass is { } own) why += PlanSecondPass(own, "x264's first pass");
            return (chosen, new SizeDecision("measured", chosen.Width, chosen.Height, BitsPerPixel, [full, small], Segments, seconds, why));
        }
        catch
        {
            rule.Dispose();
            DropFirstPass();
            throw;
        }
        finally
        {
            tapped?.Dispose();
            try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>What the reason says where the full size's first pass stopped scoring itself (<see cref="QuantizerWatch"/>).</summary>
    private string ScoringStoppedNote(InFlightQualityProbe? fullScore) => fullScore is { ScoringStopped: true }
        ? $" (the pass stopped scoring itself after its first {WatchFrames} frames, whose quantisers looked to end under {ForeseenKeepBelowQp}: only a comparison of sizes needs the scores)"
        : "";

    /// <summary>Progress weight of each frame of the sample.</summary>
    private int UnitsPerSampleFrame => TapsReference ? ProgressUnitsPerFrame - 1 : ProgressUnitsPerFrame;

    /// <summary>
    /// Share of the sizing's progress the first pass takes when it runs (the rest: samples, if measured; where the first passes
    /// decide, both sizes' passes run in it and the rest is for a smaller pass that has to run again on its own).
    /// </summary>
    public double FirstPassShare => !RunsFirstPass ? 0 : FirstPassesDecide ? 0.9 : Full.FrameCount / (Full.FrameCount + (double)SampleFrames * UnitsPerSampleFrame);

    /// <summary>Progress weight of the whole decision, in frames: the first pass (with the smaller size's beside it), then the samples.</summary>
    public double ProgressUnits => FirstPassesDecide ? 1.5 * Full.FrameCount : (RunsFirstPass ? Full.FrameCount : 0) + SampleFrames * (double)UnitsPerSampleFrame;

    /// <summary>
    /// The smaller first pass beside the full size's stops when, after <see cref="WatchShare"/> of the clip (at least
    /// <see cref="MinWatchFrames"/> frames), the full size's packets look to end at a mean quantiser this far under
    /// <see cref="KeepFullBelowQp"/> (<see cref="ScaledFirstPass.ExpectedQuantizer"/>): the rule will keep the full size (should the
    /// whole pass still reach it, the smaller pass runs on its own). A 10 s screen recording's quantiser starts high and
    /// settles near 18: its running mean alone kept the smaller pass going to the end.
    /// </summary>
    public const double StopBesideMargin = 1.5;
    public const double WatchShare = 0.1;
    public const int MinWatchFrames = 30;

    /// <summary>The mean quantiser the full size's first pass must look to end under for the watch to stop what only a comparison needs.</summary>
    private const double ForeseenKeepBelowQp = KeepFullBelowQp - StopBesideMargin;

    /// <summary>The full size's first-pass packets watched before its quantiser may stop what only a comparison needs.</summary>
    private int WatchFrames => Math.Max(MinWatchFrames, (int)(Full.FrameCount * WatchShare));

    /// <summary>
    /// A sample whose two-pass spent less than this share of the planned rate has the encode's rate raised to match (x264's second
    /// pass falls short on some content at low rates, the whole clip about as much as the sample: a turning test pattern at
    /// 380x674 and 384 kbit/s spent 94.2 % in the sample, 95.0 % over the clip), instead of a correction encode afterwards.
    /// The share is of the planned rate, not of the rate the sample was given with its keyframe allowance on top: a sample
    /// that leaves part of that allowance unspent says nothing about the clip, which has no such keyframes (the bench clip's
    /// sample spent 90.6 % of its raised rate, 93.7 % of the planned one, the clip 95.8 %; raised by the first, the encode
    /// came 3.6 % over the size and took a correction).
    /// </summary>
    public const double SpentShortfall = 0.97;

    /// <summary>
    /// Whether x264's second pass looks to fall short of the rate, described, or null: a first pass that averaged a quantiser of at
    /// least <see cref="ShortfallQuantizer"/>, spent at least <see cref="ShortfallSpent"/> of the rate and at least
    /// <see cref="ShortfallMotionShare"/> of it on motion vectors (gameplay-like motion: x264's fast first pass codes the turning
    /// picture far worse than the second pass, whose plan then leaves bytes unspent). Such a second pass gets
    /// <see cref="ShortfallTolerance"/>. Fitted on whole-clip ffmpeg CLI two-passes (preset medium) of the five lavfi contents and
    /// the bench clip at 540x960, 384x684 and 270x480, 10 s, 195-1595 kbit/s, plus gameplay and the bench clip at 600-1100 kbit/s,
    /// gameplay at 30 s and gameplay from 1080x1920 at 546x970 and 774x1374: the 23 cases this picks came to 0.90-0.97 of the rate
    /// at x264's tolerance and to 0.976-0.999 at 0.05 (raw H.264 bytes); the cases it leaves came over 0.97 at x264's tolerance
    /// (screen recordings too simple for the rate aside), and a tight tolerance would have sent some of them far over (grain at
    /// 540x960 and 195 kbit/s: 1.58, a talking head at 395: 1.12, a screen recording at 270x480: 1.20). Before the tolerance, the
    /// rate was raised 5 %, which the bench clip's size, growing half as fast as its rate, turned into 0.93 and a second encode.
    /// </summary>
    internal static string? Shortfall(IReadOnlyList<TwoPassStats.FrameStats> frames, int kbps, double seconds) =>
        PassFacts.Of(frames, kbps, seconds) is { } p && p.Quantizer >= ShortfallQuantizer && p.Spent >= ShortfallSpent && p.MotionShare >= ShortfallMotionShare
            ? $"quantiser {p.Quantizer:0.#}, {p.Spent * 100:0.0} % of the rate, {p.MotionShare * 100:0} % of it motion vectors"
            : null;

    /// <summary>
    /// Whether x264's second pass looks to run over the rate, described, or null: a first pass that spent at most
    /// <see cref="OvershootSpent"/> of the rate, at least <see cref="OvershootMotionShare"/> of it on motion vectors (temporal
    /// noise over a still picture: the talking head at 0.01-0.02 bits per pixel). Such a second pass is asked
    /// <see cref="OvershootRate"/> of the rate. A likely part of the cause: x264's second pass lowers the first pass's quantisers to
    /// spend what that pass left, and its plan grows motion-vector bits with only the square root of the quantiser step, texture bits
    /// about linearly (but two noisier and two quieter talking heads that spent as little came under). Fitted on optimizeVideo's own first encodes (libx264 preset medium, one keyframe in 10 s)
    /// of 17 inputs at 540x960, 10 s, 195-795 kbit/s (ten talking heads of different noise and motion, two grains, noise over
    /// colour bars and over a test pattern, gameplay, screen recording, animation), two talking heads at 20 s, one at 1080x1920 and
    /// the bench clip (76 cases): the 7 this picks (their first passes spent 81-93 % of the rate) came 2.9-8.1 % over the target, each then encoded again, and at 0.96 of the rate
    /// 6 of them landed at -1.7..-0.2 % in one encode (the 8.1 % one at +3.6 %, then corrected). Of the cases it leaves, those
    /// with at least 30 % motion vectors came at most 2.1 % over (11 cases; 4 % less would have put two of them at the window's -5 %),
    /// and the other 4 over 2 % are another pattern (grain, noisy colour bars, a noisy test pattern: at most 12 % motion vectors).
    /// </summary>
    internal static string? Overshoot(IReadOnlyList<TwoPassStats.FrameStats> frames, int kbps, double seconds) =>
        PassFacts.Of(frames, kbps, seconds) is { } p && p.Spent <= OvershootSpent && p.MotionShare >= OvershootMotionShare
            ? $"{p.Spent * 100:0.0} % of the rate, {p.MotionShare * 100:0} % of it motion vectors"
            : null;

    public const double OvershootSpent = 0.95, OvershootMotionShare = 0.375;

    /// <summary>
    /// Whether x264's second pass looks to run over the rate because its first pass could not keep to it, described, or null: a first
    /// pass that spent at least <see cref="OverspentShare"/> of the rate and under <see cref="OverspentMax"/> (content that grows more
    /// complex as it plays, like a zooming fractal: x264's one-pass rate control learns of each new detail too late). Such a second pass
    /// is asked <see cref="OvershootRate"/> of the rate, as for an <see cref="Overshoot"/>. Fitted on ffmpeg CLI two-passes (libx264
    /// preset medium, the passes optimizeVideo's match) of the grid's contents, 0.02-0.1 bits per pixel: the zooming fractal (lavfi
    /// mandelbrot) over 30 s at 270x480, 384x684 and 540x960 spent 104.7-114.9 % of the rate in its first passes, and its second passes
    /// came 2.0-3.7 % over (raw H.264 bytes; 9 cases); over 20 s 106.8-108.5 % and 1.4-2.0 % over (4 cases; the other two, at 0.02 bits
    /// per pixel, spent 98 %); over 10 s at most 102.1 % and at most 0.65 % over. In optimizeVideo's grid, the fractal's 30 s of
    /// 1080x1920 at 4 MB, scaled to 632x1122, spent 113 % and came over (the CLI's two-pass +3.0 %), which took a second encode. The
    /// band's top: at 1080x1920 the same fractal spent 118.7 and 126.5 % and came 0.5 and 4.5 % under (the latter is a
    /// <see cref="Shortfall"/>'s pattern as well). Gameplay, grain and talking heads over 30 s spent 98.2-101.6 % (15 cases).
    /// </summary>
    internal static string? Overspent(IReadOnlyList<TwoPassStats.FrameStats> frames, int kbps, double seconds) =>
        PassFacts.Of(frames, kbps, seconds) is { } p && p.Spent >= OverspentShare && p.Spent < OverspentMax ? $"{p.Spent * 100:0.0} % of the rate" : null;

    public const double OverspentShare = 1.04, OverspentMax = 1.165;

    /// <summary>The share of the planned rate a second pass gets where the first predicts an overshoot (<see cref="Overshoot"/>, <see cref="Overspent"/>).</summary>
    public const double OvershootRate = 0.96;

    /// <summary>A first pass's mean quantiser, the share of the rate it spent, and the share of that on motion vectors.</summary>
    private readonly record struct PassFacts(double Quantizer, double Spent, double MotionShare)
    {
        public static PassFacts? Of(IReadOnlyList<TwoPassStats.FrameStats> frames, int kbps, double seconds)
        {
            if (frames.Count == 0 || kbps <= 0 || seconds <= 0) return null;
            long bits = frames.Sum(f => f.Bits), motion = frames.Sum(f => f.MotionBits);
            return new PassFacts(frames.Average(f => f.Quantizer), bits / (kbps * 1000.0 * seconds), bits == 0 ? 0 : motion / (double)bits);
        }
    }

    /// <summary>
    /// A first pass that spent under <see cref="UnderspentShare"/> of the rate, and what its second pass is asked (<see cref="UnderspentMaxFactor"/>
    /// times the rate), or null: content that needs a fraction of the budget (a screen recording). x264's second pass at the rate lands about as far under, and more rate still raises its quality at no cost in size
    /// or time: the grid's 540x960 screen recording at 195 kbit/s (ffmpeg CLI two-pass, one pass 1): 70 KB at SSIM 0.99864; asked
    /// 573 kbit/s, 72 KB at 0.99951; 780 kbit/s, 68 KB at 0.99988, each second pass 0.47 s. Its 1080x1920 one at 795 and 3180 kbit/s:
    /// 150 and 182 KB of a 1 MB target, SSIM 0.99986 and 0.99997, 1.58 and 1.64 s. Asked the rate, optimizeVideo's first encode there
    /// sometimes measured under <see cref="TargetedRender.TransparentSsim"/> and was corrected upward in a second encode (7 of 18 grid
    /// runs at 0.25 MB, to 650-863 kbit/s). The other grid contents spent at least 80 % of the rate in their first passes.
    /// <para>Asked the rate divided by the share instead, a 20 s 1080x1920 screen recording whose pass spent 47.5 % of 264 kbit/s was asked
    /// 555 kbit/s and measured under <see cref="TargetedRender.TransparentSsim"/>, and a second encode at 1106 kbit/s reached 0.9986 in a smaller file (the CLI's second passes
    /// from one first pass: 435 KB at 0.945 asked 264 kbit/s, 536 KB at 0.9955 asked 555, 417 KB at 0.999 asked 1106): asked 4 times the
    /// rate, one encode, 0.9982.</para>
    /// </summary>
    internal static (double Factor, string Why)? Underspent(IReadOnlyList<TwoPassStats.FrameStats> frames, int kbps, double seconds) =>
        PassFacts.Of(frames, kbps, seconds) is { } p && p.Spent < UnderspentShare
            ? (UnderspentMaxFactor, $"{p.Spent * 100:0.0} % of the rate")
            : null;

    public const double UnderspentShare = 0.5, UnderspentMaxFactor = 4;

    /// <summary>What a second pass planned from a first pass needs: x264's rate tolerance (null: its own), a factor on the rate, and why.</summary>
    internal readonly record struct SecondPassPlan(double? Tolerance, double RateFactor, string Why);

    /// <summary>
    /// What the second pass at <paramref name="kbps"/> needs from <paramref name="pass"/> (named <paramref name="name"/> in the reason): a
    /// tight rate tolerance for a <see cref="Shortfall"/>, more of the rate for an <see cref="Underspent"/> pass, less for an
    /// <see cref="Overshoot"/> or an <see cref="Overspent"/> pass; null for none, or where a constant-quality pass replaced the statistics (its bits say nothing
    /// of the rate).
    /// </summary>
    internal static SecondPassPlan? PlanFrom(TwoPassStats pass, int kbps, double seconds, string name)
    {
        if (pass.ConstantQuality is not null) return null;
        var frames = pass.Frames();
        if (Shortfall(frames, kbps, seconds) is { } shortfall)
            return new SecondPassPlan(ShortfallTolerance, 1, $"{name} ({shortfall}) is of the kind x264's second pass leaves 3-10 % short of the rate, so the second pass corrects its size sooner (x264 ratetol {ShortfallTolerance.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        // Under half the rate the file lands far under the window whatever x264's second pass does with it: quality is what is left to gain.
        if (Underspent(frames, kbps, seconds) is { } under)
            return new SecondPassPlan(null, under.Factor, $"{name} spent {under.Why}: the content needs a fraction of the budget, so the encode asks {under.Factor:0.##} times the rate for its quality (the file stays as far under)");
        if (Overshoot(frames, kbps, seconds) is { } overshoot)
            return new SecondPassPlan(null, OvershootRate, $"{name} ({overshoot}) is of the kind x264's second pass runs 3-8 % over the rate on, so the encode asks {OvershootRate * 100:0} % of it");
        if (Overspent(frames, kbps, seconds) is { } overspent)
            return new SecondPassPlan(null, OvershootRate, $"{name} spent {overspent}, and x264's second pass after a first that overspent runs 1-4 % over, so the encode asks {OvershootRate * 100:0} % of it");
        return null;
    }

    /// <summary>Sets <see cref="RateTolerance"/> or <see cref="RateFactor"/> from <paramref name="kept"/>, the chosen size's first pass (<see cref="PlanFrom"/>); returns the reason's addition.</summary>
    private string PlanSecondPass(TwoPassStats kept, string name)
    {
        if (PlanFrom(kept, Full.Encode.BitrateKbps, Full.DurationMs / 1000, name) is not { } plan) return "";
        RateTolerance = plan.Tolerance;
        RateFactor = plan.RateFactor;
        return "; " + plan.Why;
    }

    public const double ShortfallQuantizer = 40, ShortfallSpent = 0.99, ShortfallMotionShare = 0.15;

    /// <summary>
    /// x264's rate tolerance (<c>ratetol</c>, its own 1) for a second pass whose first pass predicts a shortfall (<see cref="Shortfall"/>).
    /// x264's second pass divides each frame's planned quantiser by (allowance - overrun) / allowance, clipped to 0.5..2, where the
    /// allowance is the tolerance times a second's bits times the root of the frames still to come (at least half a second's): at 1,
    /// at the start of a 10 s clip at 30 fps, 1.7 times the whole clip's budget, so a plan that overestimates the frames' sizes is
    /// hardly corrected. At 0.05 it is corrected within the clip (the bench clip at 384x684 and 395 kbit/s, MP4 bytes over the
    /// rate's: 0.91 at 1, 0.94 at 0.2, 0.97 at 0.1, 1.00 at 0.05, 1.01 at 0.02).
    /// </summary>
    public const double ShortfallTolerance = 0.05;

    /// <summary>The most the rate is raised for a shortfall (to 1 / this).</summary>
    public const double MinSpent = 0.85;

    /// <summary>
    /// What the chosen size's planned video rate is multiplied by (1: as planned); set by a measured decision whose sample fell short
    /// of the rate, or from the kept first pass (<see cref="PlanFrom"/>: more where it spent under half the rate, less for an overshoot).
    /// </summary>
    public double RateFactor { get; private set; } = 1;

    /// <summary>x264's rate tolerance for the chosen size's second pass (null: x264's own); set where a first pass predicts a shortfall.</summary>
    public double? RateTolerance { get; private set; }

    private void DropFirstPass()
    {
        FirstPass?.Dispose();
        FirstPass = null;
        DropSmallPass();
    }

    private void DropSmallPass()
    {
        _smallPass?.Dispose();
        _smallPass = null;
    }

    /// <summary>The smaller size's first pass while the first passes decide (owned here until it becomes <see cref="FirstPass"/>).</summary>
    private TwoPassStats? _smallPass;

    /// <summary>How the first passes are scored: every frame, as the output's measurement does.</summary>
    /// <summary>
    /// How both first passes are scored: every second frame (both passes the same frames: the decoders' output order), as the scores
    /// only rank two sizes. On the bench clip the scores moved by under 0.0001 from every frame's; at 1080x1920 it saves about 1.7 s
    /// of CPU over 10 s of a talking head.
    /// </summary>
    private static readonly QualityOptions FirstPassQuality = new() { DistortedName = "first pass", ReferenceName = "inputPath", SampleEvery = 2 };

    /// <summary>
    /// How much higher the smaller size's first pass must score than the full size's to be chosen. A first pass is a real encode at
    /// the rate, with x264's fast first-pass analysis and one-pass rate control, and it tends to favour the smaller size more than the
    /// two-pass encodes do (see README: lavfi grids, whole-clip ffmpeg CLI passes at both sizes).
    /// </summary>
    public const double FirstPassMargin = 0.002;

    public void Dispose()
    {
        DropFirstPass();
        Decoded?.Dispose();
        Decoded = null;
    }

    /// <summary>
    /// How much more than the planned rate a sample candidate is given (0.25: 25 % more) for the keyframes the sample has beyond
    /// the whole clip's share (each cut starts on one; the clip has one every <see cref="Optimize.KeyframeSeconds"/> and at its
    /// own cuts): each extra keyframe costs what x264's first pass spent on the sample's keyframes over its other frames
    /// (so at most the keyframes' share of the sample's bits: under twice the planned rate in all).
    /// Without it the cuts' keyframes starved a static full-size picture that the whole clip codes well: a 20 s screen
    /// recording at 90 kbit/s scored 0.62 at full size in the sample, 0.71 scaled down, and the scaled output came 0.11 under
    /// the CLI's full-size encode.
    /// </summary>
    public static double KeyframeAllowance(IReadOnlyList<TwoPassStats.FrameStats> sample, IReadOnlyList<TwoPassStats.FrameStats> clip)
    {
        int keyframes = sample.Count(f => f.IsKeyframe), others = sample.Count - keyframes;
        double expected = clip.Count(f => f.IsKeyframe) * (double)sample.Count / Math.Max(1, clip.Count);
        double extra = keyframes - expected;
        long total = sample.Sum(f => f.Bits);
        if (extra <= 0 || others == 0 || keyframes == 0 || total <= 0) return 0;
        double keyframeBits = sample.Where(f => f.IsKeyframe).Average(f => (double)f.Bits), otherBits = sample.Where(f => !f.IsKeyframe).Average(f => (double)f.Bits);
        return extra * Math.Max(0, keyframeBits - otherBits) / total;
    }

    /// <param name="tapped">The reference the first pass wrote (completed here), or null to write one from the input.</param>
    private (double Full, double Small, double Seconds, IReadOnlyList<double> Raises, IReadOnlyList<double> Spent) Measure(Scene rule, JobOptions job, ProgressScope progress,
        CancellationToken cancel, string dir, SampleReference? tapped)
    {
        Directory.CreateDirectory(dir);
        string ext = _options.Codec == EncodeSettings.Vp9 ? ".webm" : ".mp4";
        double U = UnitsPerSampleFrame;
        var raises = new List<double>();
        var spent = new List<double>(); // per candidate: the video bytes its second pass wrote over the bytes the planned rate gives
        string referencePath;
        double seconds = Full.FrameTimeMs(SampleFrames) / 1000;
        if (tapped is not null)
        {
            tapped.Complete();
            referencePath = tapped.Path;
        }
        else
        {
            bool raw = RawReferenceBytes <= MaxRawReferenceBytes;
            using var reference = ReferenceScene(raw);
            referencePath = Path.Combine(dir, raw ? "reference.mkv" : "reference.mp4");
            // Uncompressed or lossless x264 (crf 0), whatever encoder the job may use for the candidates.
            new RenderJob(reference, referencePath, job with { Hardware = HardwareAcceleration.Off }).Run(progress.Part(0, 1 / U, "-sizing-reference"), cancel);
            seconds = reference.DurationMs / 1000;
        }
        double Score(int width, int height, double from, string name)
        {
            // From the lossless reference, not the input: the same pixels, decoded from the start of a small
            // file instead of seeking into the input (with long GOPs, decoding from far-away keyframes) twice per pass.
            using var sample = CandidateScene(referencePath, width, height);
            using var encoded = sample.WithEncode(Full.Encode with { RateControl = RateControlMode.TwoPass, BitrateKbps = Full.Encode.BitrateKbps });
            string path = Path.Combine(dir, name + ext);
            var compare = new QualityOptions { DistortedName = "sample", ReferenceName = "reference" };
            // Scored as it encodes where its frames come straight from the reference (no decode afterwards).
            var probe = Optimize.MeasuresInFlight(encoded, referencePath) ? new InFlightQualityProbe(compare) : null;
            var candidateJob = job with { Quality = probe };
            double end = from + (probe is null ? 2 : 3);
            if (FirstPass?.Frames() is { Count: > 0 } clip)
            {
                // x264: the candidate's own first pass says what the keyframes its cuts add cost; the second pass gets
                // that on top of the planned rate, so the rest of the sample has the bits it has in the whole clip.
                using var stats = TwoPassStats.Create(job.TempDirectory);
                new RenderJob(encoded, path, candidateJob).RunFirstPass(stats, progress.Part(from / U, (from + 1) / U, "-sizing-" + name), cancel,
                    checkStuck: false); // the whole clip's pass was checked: stuck, it would have been kept without samples
                double raise = KeyframeAllowance(stats.Frames(), clip);
                raises.Add(raise);
                int kbps = (int)Math.Round(encoded.Encode.BitrateKbps * (1 + raise));
                using var rated = kbps == encoded.Encode.BitrateKbps ? null : encoded.WithEncode(encoded.Encode with { BitrateKbps = kbps });
                var result = new RenderJob(rated ?? encoded, path, candidateJob with { FirstPass = stats }).Run(progress.Part((from + 1) / U, end / U, "-sizing-" + name), cancel);
                spent.Add(result.VideoBytes * 8.0 / (encoded.Encode.BitrateKbps * 1000.0 * result.DurationMs / 1000));
            }
            else
            {
                new RenderJob(encoded, path, candidateJob).Run(progress.Part(from / U, end / U, "-sizing-" + name), cancel);
            }
            if (probe?.Result is { } measured) return measured.Ssim;
            var part = progress.Part((from + 2) / U, (from + 3) / U, "-sizing-" + name);
            return VideoQuality.Compare(path, referencePath, compare, cancel, p => part.Frames(p.Stage, p.Frame, p.TotalFrames, p.Fps)).Ssim;
        }
        double start = tapped is null ? 1 : 0; // after the reference's unit
        double fullSsim = Score(Full.Width, Full.Height, start, "full");
        double smallSsim = Score(rule.Width, rule.Height, start + 3, "small");
        return (fullSsim, smallSsim, seconds, raises, spent);
    }

    /// <summary>
    /// Largest uncompressed reference written (bytes); a bigger sample is kept as lossless H.264 instead. 4.5 s at
    /// 1080x1920 is 420 MB; at 3840x2160 it would be 1.7 GB.
    /// </summary>
    public const long MaxRawReferenceBytes = 512L << 20;

    /// <summary>The sample's size uncompressed (yuv420p).</summary>
    public long RawReferenceBytes => (long)SampleFrames * Full.Width * Full.Height * 3 / 2;

    /// <summary>
    /// The sample: the segments of the input, one after another, silent, at full size, uncompressed (<paramref name="raw"/>,
    /// Matroska) or lossless x264 (crf 0). Uncompressed was measured cheaper: the candidates read the reference five
    /// times (each pass of both, then the smaller one's comparison), and lossless H.264 of film grain decodes at about
    /// 30 fps at 1080x1920 on one core, its encode at about the same.
    /// </summary>
    internal Scene ReferenceScene(bool raw)
    {
        var clips = _segments.Select(s => new ClipSpec("inputPath", _input, s.StartMs, s.EndMs, 1)).ToList();
        var video = new ProcessingVideo(Full.Width, Full.Height, null, raw ? EncodeSettings.Raw : EncodeSettings.H264, "high", 0, "ultrafast", null, Optimize.Fit);
        var config = new ProcessingConfig(video, new ProcessingAudio(false, 1, null, 1), ColorCorrection.Neutral, 0, 0, [], SKColors.Black, null, 0, null,
            clips, new ProcessingOptimization(null, HardwareAcceleration.Off, false, false, KeepRotation: true, TargetField: "targetSizeMb"), []);
        return ProcessingSceneBuilder.Build(config);
    }

    /// <summary>A candidate: the lossless sample at <paramref name="referencePath"/> at <paramref name="width"/>x<paramref name="height"/>, with the job's codec and the sample preset.</summary>
    private Scene CandidateScene(string referencePath, int width, int height)
    {
        // The job's own preset: samples decide between two sizes of this very encode.
        var video = new ProcessingVideo(width, height, null, _options.Codec, "medium", null, _options.Preset, null, Optimize.Fit);
        var config = new ProcessingConfig(video, new ProcessingAudio(false, 1, null, 1), ColorCorrection.Neutral, 0, 0, [], SKColors.Black, null, 0, null,
            [new ClipSpec("inputPath", referencePath, 0, null, 1)],
            new ProcessingOptimization(null, _options.Hardware, false, false, KeepRotation: true, TargetField: "targetSizeMb", KeyframeSeconds: Optimize.KeyframeSeconds), []);
        return ProcessingSceneBuilder.Build(config);
    }
}
