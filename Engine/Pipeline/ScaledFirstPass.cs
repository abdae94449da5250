using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// optimizeVideo's smaller first pass run beside the full size's, from the same decoded frames: each source frame the
/// full size's first pass is handed (a <see cref="IFrameTap"/> of it) is scaled to the smaller size as the smaller
/// size's own render scales it (<see cref="VideoFrameSource.YuvScaler"/>: bicubic, whole frame), encoded by a first
/// pass of its own into its statistics, and scored in flight against that source frame at full size. One decode of
/// the input serves both passes: decoding a high-rate input costs about as much as an x264 first pass over it (10 s of
/// 540x960 at crf 8: 1.0 s to decode, 1.9 s for the CLI's whole first pass), and the passes ran one after the other.
/// <para>It also watches the full size's first-pass packets (the quantiser libx264 reports with each): once, after the
/// watched frames, they show the full size will not be starved, the smaller pass stops (<see cref="Stopped"/>), so
/// content the rule keeps at full size pays for a fraction of a pass, not all of it.</para>
/// <para>Given the full size's per-frame scores, it compares the two passes as they run (<see cref="Ended"/>): once both have scored
/// <see cref="EndFrom"/> of the clip, it asks what the rest of the clip would have to do for the decision to turn, taking the last
/// third of the frames scored as what the rest will look like (<see cref="SwingTo"/>). Where the rest would have to favour the full size
/// by <see cref="EndSwing"/> more than those frames do for the smaller size's lead over the whole clip to fall to the rule's margin
/// (<see cref="SizeSampling.FirstPassMargin"/>), the smaller pass ends the full size's (<see cref="EndsMainPass"/>: the rule will scale
/// down, and the full size's statistics are then dropped; the smaller pass runs on to the end). Where it would have to favour the smaller
/// size by <see cref="StopSwing"/> more for that lead to reach <see cref="StopTarget"/>, the smaller pass stops, and the rule keeps the
/// full size (whose scoring stops there too); where it trails by far (<see cref="EarlyStopSwing"/>), from <see cref="StopFrom"/> of the clip, half as far.</para>
/// </summary>
internal sealed unsafe class ScaledFirstPass : IFrameTap, IPacketSink, IDisposable
{
    private readonly Scene _small;
    private readonly QuantizerWatch _watch;
    private readonly Action? _onFullKept;
    private VideoEncoder? _encoder;
    private InFlightQuality? _quality;
    private IPacketSink? _sink;
    private readonly AvFrameHandle _picture;
    private SwsContextHandle? _sws;
    private int _swsWidth, _swsHeight, _swsFormat = AvConst.PixFmtNone;
    private readonly int _totalFrames;
    private readonly double[]? _fullSsim, _smallSsim;
    private readonly int _stopFrom, _leadEvery;

    /// <summary>
    /// Share of the clip both passes must have scored (and at least <see cref="EndFromFrames"/>) before one may end the other. The frames
    /// scored trail the frames handed to the encoders by x264's lookahead (about 45 at the medium preset).
    /// </summary>
    public const double EndFrom = 0.2;

    /// <summary>
    /// Share of the clip both passes must have scored (and at least <see cref="EndFromFrames"/>) before the smaller pass may stop behind the
    /// full size's scores, where it trails by far (<see cref="EarlyStopSwing"/>): half of <see cref="EndFrom"/>, as the quantiser watch
    /// starts after a tenth (<see cref="SizeSampling.WatchShare"/>). A 20 s 1080x1920 screen recording at 1 MB, where the full size led by
    /// 0.27 from the start, ran both passes to frame 180 waiting for a fifth of the clip (120 frames scored); it now stops at frame 120.
    /// </summary>
    public const double StopFrom = 0.1;

    /// <summary>
    /// Frames both passes must have scored at least: x264's one-pass rate control, in both first passes, settles over the first two
    /// seconds or so, and the lead over those frames can point the other way than the clip's (a starved gameplay clip's smaller size
    /// trailed by 0.02 over its first 15 frames scored and led by 0.14 over the clip).
    /// </summary>
    public const int EndFromFrames = 60;

    /// <summary>
    /// How much more, in mean SSIM over the rest of the clip, the rest would have to favour the full size than the last third of the
    /// frames scored do, for the smaller size's lead to fall to the rule's margin: at this or more the full size's pass ends. With a
    /// fifth of the clip scored and the smaller size leading by 0.008 over it and over its last third, the rest would have to average a
    /// lead of 0.0005 for the clip's to fall to 0.002: 0.0075 less than the last third, so the full size's pass ends.
    /// </summary>
    public const double EndSwing = 0.006;

    /// <summary>
    /// The smaller pass stops where it looks to lead the whole clip by less than this, twice the rule's margin: the rest of the clip
    /// would have to favour it by <see cref="StopSwing"/> more than the last third of the frames scored do for its lead to reach this.
    /// A lead under it is worth at most a few thousandths of SSIM, where the smaller pass costs a third to a half of the job, and
    /// stopping it can only keep the full size, which is what the ffmpeg CLI encodes.
    /// </summary>
    public const double StopTarget = 2 * SizeSampling.FirstPassMargin;

    /// <summary>See <see cref="StopTarget"/>.</summary>
    public const double StopSwing = 0.001;

    /// <summary>
    /// The swing (<see cref="StopSwing"/>'s) at which the smaller pass stops between <see cref="StopFrom"/> and <see cref="EndFrom"/> of the clip:
    /// there only a lead far beyond what the rest of a clip has been seen to turn stops it. At <see cref="StopSwing"/> from a tenth, 30 s of
    /// 540x960 grain at 0.25 MB stopped at frame 150, the smaller size 0.001 ahead over the first 102 frames (a swing of 0.0023 to reach
    /// <see cref="StopTarget"/>), and kept the full size; its whole first pass would have led by 0.0045 over 327 frames, 0.0084 over their
    /// last third, and scaled down (0.0036 SSIM better).
    /// </summary>
    public const double EarlyStopSwing = 0.05;

    /// <summary>How often (in frames) the lead is looked at, at least: a long clip's every hundredth of it, as each look reads the scores so far.</summary>
    private const int LeadEvery = 15;

    /// <param name="small">The smaller size's scene (its size, frame rate and encode settings).</param>
    /// <param name="stats">Where its first pass writes x264's statistics (of the whole clip, from its first frame).</param>
    /// <param name="stopBelowQp">The smaller pass stops once, after <paramref name="watchFrames"/>, the full size's mean quantiser over its
    /// <paramref name="totalFrames"/> looks to end under this (<see cref="QuantizerWatch"/>).</param>
    /// <param name="fullSsim">The full size's per-frame SSIM as its in-flight score writes it (<see cref="InFlightQualityProbe.FrameSsim"/>,
    /// NaN where not yet scored), or null: the full size's pass is never ended early.</param>
    /// <param name="onFullKept">Called where the smaller pass stops, by the full size's quantiser or behind its scores (the rule will keep
    /// the full size): the full size's scoring is then no longer needed.</param>
    public ScaledFirstPass(Scene small, JobOptions options, TwoPassStats stats, QualityOptions quality, int totalFrames, double stopBelowQp,
        int watchFrames, CancellationToken cancel, double[]? fullSsim = null, Action? onFullKept = null)
    {
        _small = small;
        if (fullSsim is not null)
        {
            _fullSsim = fullSsim;
            _smallSsim = NewFrameScores(fullSsim.Length);
            _stopFrom = StopFromFrame(totalFrames);
            _leadEvery = LookEvery(totalFrames);
        }
        _totalFrames = totalFrames;
        _onFullKept = onFullKept;
        _watch = new QuantizerWatch(totalFrames, watchFrames, stopBelowQp, KeepFull);
        _picture = FrameConverter.AllocateFrame(small.Width, small.Height);
        try
        {
            _encoder = VideoEncoder.Open(Stitcher.FirstPassSpec(small, options, stats), options.Hardware, out _);
            _quality = new InFlightQuality(_encoder, quality, cancel, _smallSsim);
            _sink = _quality.Tee(new NullPacketSink());
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// The full size's pass runs again after its early stuck check cut it and the constant-quality trial overshot (<see cref="EarlyStuckWatch"/>):
    /// its rate control is at the top because the content is starved, not stuck, so a high quantiser no longer keeps it running for the check.
    /// </summary>
    public bool StuckRuledOut { get; init; }

    /// <summary>Sees each scaled picture before the smaller pass encodes it (tests).</summary>
    internal IFrameTap? Observer { get; init; }

    /// <summary>The smaller pass's per-frame scores as they are written (NaN where none is), where the full size's are compared; tests read them.</summary>
    internal double[]? SmallScores => _smallSsim;

    /// <summary>Whether the smaller pass stopped early (the full size's quantiser was low, or the smaller size fell behind: the full size is kept).</summary>
    public bool Stopped { get; private set; }

    /// <summary>Whether the full size's pass is to end here: the smaller pass leads it by far enough (see <see cref="Ended"/>).</summary>
    public bool EndsMainPass => Ended is { SmallerAhead: true };

    /// <summary>Where one pass's lead ended the other; null while both run.</summary>
    public PassesEnded? Ended { get; private set; }

    /// <param name="SmallerAhead">The smaller pass led (the full size's pass ended), or not (the smaller pass stopped).</param>
    /// <param name="Lead">The smaller pass's mean SSIM lead (negative: behind) over the frames both had scored when frame
    /// <paramref name="AtFrame"/> came, the first <paramref name="Scored"/> of the clip (<paramref name="Frames"/> compared).</param>
    /// <param name="RecentLead">Its lead over the last third of them.</param>
    /// <param name="Swing">How much more the rest of the clip would have had to favour the other size than that last third, on average, for
    /// the smaller size's lead over the whole clip to fall to the margin (<see cref="EndSwing"/>) or reach <see cref="StopTarget"/> (<see cref="StopSwing"/>).</param>
    /// <param name="SmallSsim">The smaller pass's mean SSIM over the frames it had scored then.</param>
    /// <param name="FullSsim">The full size's mean SSIM over the frames it had scored then.</param>
    /// <param name="SwingAtLeast">The swing that ended it (<see cref="EndSwing"/>, <see cref="StopSwing"/> or <see cref="EarlyStopSwing"/>).</param>
    internal readonly record struct PassesEnded(bool SmallerAhead, double Lead, double RecentLead, double Swing, int Frames, int Scored, int AtFrame, double SmallSsim,
        double FullSsim, double SwingAtLeast);

    /// <summary>An array for <see cref="InFlightQualityProbe.FrameSsim"/>: NaN, not yet scored.</summary>
    public static double[] NewFrameScores(int frames)
    {
        var scores = new double[frames];
        Array.Fill(scores, double.NaN);
        return scores;
    }

    /// <summary>Mean quantiser of the full size's first-pass packets seen so far (libx264's per-frame figure; null before any).</summary>
    public double? FullQuantizer => _watch.Mean;

    /// <summary>A packet of the full size's first pass: its quantiser is watched.</summary>
    public void Write(nint packet, bool isVideo) => _watch.Write(packet, isVideo);

    /// <inheritdoc cref="QuantizerWatch.Expected"/>
    internal double ExpectedQuantizer => _watch.Expected;

    /// <summary>The watch foresees the full size kept, or the smaller size fell behind: the smaller pass stops, and the full size's scoring.</summary>
    private void KeepFull()
    {
        if (Stopped) return;
        Stop();
        _onFullKept?.Invoke();
    }

    /// <summary>A picture of the full size's first pass: its source frame, scaled, goes to the smaller pass.</summary>
    public void Frame(int frame, nint picture, nint source)
    {
        if (Stopped) return;
        nint from = source != 0 ? source : picture;
        EnsureScaler(from);
        var dst = _picture.Ptr;
        AvCheck.Ok(LibAv.av_frame_make_writable(dst), ErrorCodes.Encode, "video frame");
        int height = LibAv.Field<int>(from, AvLayout.Frame.Height);
        int ret = LibAv.sws_scale(_sws!.Ptr, (byte**)(from + AvLayout.Frame.Data), (int*)(from + AvLayout.Frame.Linesize), 0, height,
            (byte**)(dst + AvLayout.Frame.Data), (int*)(dst + AvLayout.Frame.Linesize));
        if (ret <= 0) throw new EngineException(ErrorCodes.Decode, $"inputPath: scaling a frame to {_small.Width}x{_small.Height} failed");
        Observer?.Frame(frame, dst, from);
        long pts = frame; // the whole clip's pass: pts from 0, as the stitcher numbers the full size's
        LibAv.Field<long>(dst, AvLayout.Frame.Pts) = pts;
        _quality!.Source(pts, from);
        _encoder!.Encode(dst, _sink!);
        if (_fullSsim is not null && Ended is null && frame >= _stopFrom && frame % _leadEvery == 0) CompareScores(frame);
    }

    /// <summary>
    /// Compares the two passes over the frames both have scored so far (<see cref="Judge"/>): the full size's pass ends where the smaller one
    /// is <see cref="Standing.Ahead"/>, the smaller one stops where it is <see cref="Standing.Behind"/>.
    /// </summary>
    private void CompareScores(int frame)
    {
        if (Judge(_fullSsim!, _smallSsim!, frame, _totalFrames) is not { } standing || !(standing.Ahead || standing.Behind)) return;
        // The full size's pass runs on where its quantiser decides without the scores: one that looks to end under
        // SizeSampling.KeepFullBelowQp is kept whatever the smaller size scores, and one whose rate control may be stuck at the top
        // decides whether a constant-quality trial replaces it (RenderJob.StuckQuantizer), which can keep the full size sharp where the
        // smaller one only leads a stuck pass; unless an early trial already ruled that out (StuckRuledOut).
        if (standing.Ahead && (FullQuantizer is not { } q || q >= RenderJob.StuckQuantizer && !StuckRuledOut || ExpectedQuantizer < SizeSampling.KeepFullBelowQp)) return;
        Ended = standing.Ended(frame);
        // Behind: the rule keeps the full size, whose score stays the one over the frames judged (its pass runs on, unscored).
        if (!standing.Ahead) KeepFull();
        // Ahead: the rule scales down, and the pass runs on for its statistics only; its score stays the one over the frames judged.
        else _quality?.StopScoring();
    }

    /// <summary>Where the smaller pass stands against the full size's over the frames both have scored.</summary>
    /// <param name="Lead">The smaller pass's mean SSIM lead (negative: behind) over them.</param>
    /// <param name="RecentLead">Its lead over the last third of them.</param>
    /// <param name="Share">The share of the clip they make.</param>
    /// <param name="Compared">Frames compared (both scored).</param>
    /// <param name="Scored">Frames from the first to the last both scored.</param>
    /// <param name="SmallSsim">The smaller pass's mean SSIM over the frames it scored.</param>
    /// <param name="FullSsim">The full size's mean SSIM over the frames it scored.</param>
    /// <param name="MayEnd">Whether enough of the clip is scored for the smaller pass to end the full size's (<see cref="EndFrom"/>); before, only
    /// the smaller pass may stop (<see cref="StopFrom"/>).</param>
    internal readonly record struct Standing(double Lead, double RecentLead, double Share, int Compared, int Scored, double SmallSsim, double FullSsim,
        bool MayEnd)
    {
        /// <summary>How much more than the last third the rest would have to favour the full size for the lead to fall to the margin.</summary>
        public double Down => -SwingTo(Lead, RecentLead, Share, SizeSampling.FirstPassMargin);

        /// <summary>How much more than the last third the rest would have to favour the smaller size for its lead to reach <see cref="StopTarget"/>.</summary>
        public double Up => SwingTo(Lead, RecentLead, Share, StopTarget);

        /// <summary>The smaller size is far enough ahead for the full size's pass to end (<see cref="EndSwing"/>).</summary>
        public bool Ahead => MayEnd && Down >= EndSwing;

        /// <summary>The smaller size is far enough behind <see cref="StopTarget"/> for its pass to stop (<see cref="StopSwing"/>; before <see cref="EndFrom"/>, <see cref="EarlyStopSwing"/>).</summary>
        public bool Behind => !Ahead && Up >= BehindSwing;

        private double BehindSwing => MayEnd ? StopSwing : EarlyStopSwing;

        public PassesEnded Ended(int atFrame) =>
            new(Ahead, Lead, RecentLead, Ahead ? Down : Up, Compared, Scored, atFrame, SmallSsim, FullSsim, Ahead ? EndSwing : BehindSwing);
    }

    /// <summary>
    /// The smaller pass's standing over the frames before <paramref name="frame"/> that both passes have scored, once those reach
    /// <see cref="StopFromFrame"/> (and before the whole clip is scored: then the rule decides); null before. It may be
    /// <see cref="Standing.Ahead"/> only from <see cref="EndFromFrame"/>.
    /// </summary>
    internal static Standing? Judge(double[] full, double[] small, int frame, int totalFrames)
    {
        int limit = Math.Min(frame, full.Length); // frames not yet encoded are not scored
        double lead = 0, smallSum = 0, fullSum = 0;
        int n = 0, smallCount = 0, fullCount = 0, last = -1;
        for (int i = 0; i < limit; i++)
        {
            double f = Volatile.Read(ref full[i]), s = Volatile.Read(ref small[i]);
            if (!double.IsNaN(f))
            {
                fullSum += f;
                fullCount++;
            }
            if (double.IsNaN(s)) continue;
            smallSum += s;
            smallCount++;
            if (double.IsNaN(f)) continue;
            lead += s - f;
            n++;
            last = i;
        }
        int scored = last + 1;
        if (scored < StopFromFrame(totalFrames) || scored >= totalFrames) return null;
        double recent = 0;
        int recentCount = 0;
        for (int i = scored - scored / 3; i < scored; i++)
        {
            double f = Volatile.Read(ref full[i]), s = Volatile.Read(ref small[i]);
            if (double.IsNaN(s) || double.IsNaN(f)) continue;
            recent += s - f;
            recentCount++;
        }
        if (recentCount == 0) return null;
        return new Standing(lead / n, recent / recentCount, (double)scored / totalFrames, n, scored, smallSum / smallCount, fullSum / fullCount,
            scored >= EndFromFrame(totalFrames));
    }

    /// <summary>The frames both passes must have scored before either may end the other (<see cref="EndFrom"/>, <see cref="EndFromFrames"/>).</summary>
    internal static int EndFromFrame(int totalFrames) => Math.Max((int)Math.Ceiling(totalFrames * EndFrom), EndFromFrames);

    /// <summary>The frames both passes must have scored before the smaller pass may stop behind (<see cref="StopFrom"/>, <see cref="EndFromFrames"/>).</summary>
    internal static int StopFromFrame(int totalFrames) => Math.Max((int)Math.Ceiling(totalFrames * StopFrom), EndFromFrames);

    /// <summary>How often, in frames, the standing is looked at: a long clip's every hundredth of it, as each look reads the scores so far.</summary>
    internal static int LookEvery(int totalFrames) => Math.Max(LeadEvery, totalFrames / 100);

    /// <summary>
    /// Watches a smaller pass that runs on its own after the full size's whole scored pass (a quiet input's, or one whose rate control
    /// may have stuck beside it): where it stands <see cref="Standing.Behind"/> the full size's scores, it cancels
    /// <paramref name="stop"/>, and the rule keeps the full size without the rest of it. Nothing ends the other way: the full size's
    /// pass has run.
    /// </summary>
    internal sealed class AloneWatch(double[] full, double[] small, int totalFrames, CancellationTokenSource stop) : IFrameTap
    {
        private readonly int _stopFrom = StopFromFrame(totalFrames), _every = LookEvery(totalFrames);

        /// <summary>Where the smaller pass stopped; null while it runs.</summary>
        public PassesEnded? Stopped { get; private set; }

        public void Frame(int frame, nint picture, nint source)
        {
            if (Stopped is not null || frame < _stopFrom || frame % _every != 0) return;
            if (Judge(full, small, frame, totalFrames) is not { Behind: true } standing) return;
            Stopped = standing.Ended(frame);
            stop.Cancel();
        }
    }

    /// <summary>
    /// How far the rest of the clip (after <paramref name="share"/> of it, where the smaller size led by <paramref name="lead"/>) would
    /// have to move the smaller size's lead from <paramref name="recent"/> for the whole clip's lead to land on <paramref name="target"/>:
    /// negative where the rest would have to favour the full size more than the recent frames do, positive where it would have to favour
    /// the smaller size more.
    /// </summary>
    internal static double SwingTo(double lead, double recent, double share, double target) =>
        (target - share * lead) / (1 - share) - recent;

    /// <summary>
    /// After the full size's pass ended: flushes the smaller pass (completing its statistics) and returns its score over the whole clip;
    /// null when it stopped, or where it ended the full size's pass (its score is then <see cref="Ended"/>'s).
    /// </summary>
    public QualityResult? Complete()
    {
        if (Stopped) return null;
        _encoder!.Encode(0, _sink!);
        return _quality!.Complete();
    }

    private void Stop()
    {
        Stopped = true;
        _quality?.Dispose();
        _quality = null;
        _encoder?.Dispose();
        _encoder = null;
    }

    private void EnsureScaler(nint frame)
    {
        int width = LibAv.Field<int>(frame, AvLayout.Frame.Width), height = LibAv.Field<int>(frame, AvLayout.Frame.Height);
        int format = LibAv.Field<int>(frame, AvLayout.Frame.Format);
        if (_sws is not null && width == _swsWidth && height == _swsHeight && format == _swsFormat) return;
        _sws?.Dispose();
        _sws = null;
        var ctx = VideoFrameSource.YuvScaler(width, height, format, LibAv.Field<int>(frame, AvLayout.Frame.Colorspace),
            LibAv.Field<int>(frame, AvLayout.Frame.ColorRange), _small.Width, _small.Height);
        if (ctx == 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"inputPath: cannot scale {width}x{height} video to {_small.Width}x{_small.Height}");
        _sws = new SwsContextHandle(ctx);
        (_swsWidth, _swsHeight, _swsFormat) = (width, height, format);
    }

    public void Dispose()
    {
        _quality?.Dispose();
        _quality = null;
        _encoder?.Dispose();
        _encoder = null;
        _sws?.Dispose();
        _picture.Dispose();
    }
}
