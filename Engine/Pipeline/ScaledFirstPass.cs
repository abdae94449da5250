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
/// full size.</para>
/// </summary>
internal sealed unsafe class ScaledFirstPass : IFrameTap, IPacketSink, IDisposable
{
    /// <summary>AV_PKT_DATA_QUALITY_STATS: the packet's quality, the quantiser times FF_QP2LAMBDA (118), as its first 4 bytes.</summary>
    private const int QualityStatsSideData = 8;
    private const double QpToLambda = 118;

    private readonly Scene _small;
    private readonly double _stopBelowQp;
    private readonly int _watchFrames;
    private VideoEncoder? _encoder;
    private InFlightQuality? _quality;
    private IPacketSink? _sink;
    private readonly AvFrameHandle _picture;
    private SwsContextHandle? _sws;
    private int _swsWidth, _swsHeight, _swsFormat = AvConst.PixFmtNone;
    private readonly int _totalFrames;
    private readonly double[] _recent = new double[RecentPackets];
    private double _qpSum, _recentSum;
    private int _qpPackets;
    private readonly double[]? _fullSsim, _smallSsim;
    private readonly int _endFrom, _leadEvery;

    /// <summary>
    /// Share of the clip both passes must have scored (and at least <see cref="EndFromFrames"/>) before one may end the other. The frames
    /// scored trail the frames handed to the encoders by x264's lookahead (about 45 at the medium preset).
    /// </summary>
    public const double EndFrom = 0.2;

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

    /// <summary>How often (in frames) the lead is looked at, at least: a long clip's every hundredth of it, as each look reads the scores so far.</summary>
    private const int LeadEvery = 15;

    /// <summary>Packets whose mean quantiser stands for the rest of the clip (x264's one-pass rate control settles as it goes).</summary>
    private const int RecentPackets = 30;

    /// <param name="small">The smaller size's scene (its size, frame rate and encode settings).</param>
    /// <param name="stats">Where its first pass writes x264's statistics (of the whole clip, from its first frame).</param>
    /// <param name="stopBelowQp">The smaller pass stops once, after <paramref name="watchFrames"/>, the full size's mean quantiser over its
    /// <paramref name="totalFrames"/> looks to end under this: the packets so far, and the last <see cref="RecentPackets"/>' mean for the rest.</param>
    /// <param name="fullSsim">The full size's per-frame SSIM as its in-flight score writes it (<see cref="InFlightQualityProbe.FrameSsim"/>,
    /// NaN where not yet scored), or null: the full size's pass is never ended early.</param>
    public ScaledFirstPass(Scene small, JobOptions options, TwoPassStats stats, QualityOptions quality, int totalFrames, double stopBelowQp,
        int watchFrames, CancellationToken cancel, double[]? fullSsim = null)
    {
        _small = small;
        if (fullSsim is not null)
        {
            _fullSsim = fullSsim;
            _smallSsim = NewFrameScores(fullSsim.Length);
            _endFrom = Math.Max((int)Math.Ceiling(totalFrames * EndFrom), EndFromFrames);
            _leadEvery = Math.Max(LeadEvery, totalFrames / 100);
        }
        _totalFrames = totalFrames;
        _stopBelowQp = stopBelowQp;
        _watchFrames = Math.Max(1, watchFrames);
        _picture = FrameConverter.AllocateFrame(small.Width, small.Height);
        try
        {
            _encoder = VideoEncoder.Open(Stitcher.FirstPassSpec(small, options, stats), options.Hardware, out _);
            _quality = new InFlightQuality(_encoder.Context, quality, cancel, _smallSsim);
            _sink = _quality.Tee(new NullPacketSink());
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Sees each scaled picture before the smaller pass encodes it (tests).</summary>
    internal IFrameTap? Observer { get; init; }

    /// <summary>Whether the smaller pass stopped early (the full size's quantiser was low: no smaller size to consider).</summary>
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
    internal readonly record struct PassesEnded(bool SmallerAhead, double Lead, double RecentLead, double Swing, int Frames, int Scored, int AtFrame, double SmallSsim);

    /// <summary>An array for <see cref="InFlightQualityProbe.FrameSsim"/>: NaN, not yet scored.</summary>
    public static double[] NewFrameScores(int frames)
    {
        var scores = new double[frames];
        Array.Fill(scores, double.NaN);
        return scores;
    }

    /// <summary>Mean quantiser of the full size's first-pass packets seen so far (libx264's per-frame figure; null before any).</summary>
    public double? FullQuantizer => _qpPackets == 0 ? null : _qpSum / _qpPackets;

    /// <summary>A packet of the full size's first pass: its quantiser is watched.</summary>
    public void Write(nint packet, bool isVideo)
    {
        if (!isVideo) return;
        int count = LibAv.Field<int>(packet, AvLayout.Packet.SideDataElems);
        nint entries = LibAv.Field<nint>(packet, AvLayout.Packet.SideData);
        for (int i = 0; i < count; i++)
        {
            nint entry = entries + i * AvLayout.PacketSideData.StructSize;
            if (LibAv.Field<int>(entry, AvLayout.PacketSideData.Type) != QualityStatsSideData) continue;
            if (LibAv.Field<nuint>(entry, AvLayout.PacketSideData.Size) < 4) break;
            double qp = *(int*)LibAv.Field<nint>(entry, AvLayout.PacketSideData.Data) / QpToLambda;
            _qpSum += qp;
            _recentSum += qp - _recent[_qpPackets % RecentPackets];
            _recent[_qpPackets % RecentPackets] = qp;
            _qpPackets++;
            break;
        }
        if (!Stopped && _qpPackets >= _watchFrames && ExpectedQuantizer < _stopBelowQp) Stop();
    }

    /// <summary>The full size's mean quantiser the clip looks to end at: the packets so far, the recent ones' mean for the rest.</summary>
    internal double ExpectedQuantizer
    {
        get
        {
            int recent = Math.Min(_qpPackets, RecentPackets);
            if (recent == 0) return double.NaN;
            int rest = Math.Max(0, _totalFrames - _qpPackets);
            return (_qpSum + _recentSum / recent * rest) / (_qpPackets + rest);
        }
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
        if (_fullSsim is not null && Ended is null && frame >= _endFrom && frame % _leadEvery == 0) CompareScores(frame);
    }

    /// <summary>
    /// Compares the two passes over the frames both have scored so far (once they reach <see cref="EndFrom"/> of the clip): the full
    /// size's pass ends where the rest of the clip would have to swing the lead by <see cref="EndSwing"/> to bring it down to the margin,
    /// the smaller one stops where it would have to swing it by <see cref="StopSwing"/> to bring it up to <see cref="StopTarget"/>.
    /// </summary>
    private void CompareScores(int frame)
    {
        int limit = Math.Min(frame, _fullSsim!.Length); // frames not yet encoded are not scored
        double lead = 0, small = 0;
        int n = 0, smallCount = 0, last = -1;
        for (int i = 0; i < limit; i++)
        {
            double f = Volatile.Read(ref _fullSsim[i]), s = Volatile.Read(ref _smallSsim![i]);
            if (double.IsNaN(s)) continue;
            small += s;
            smallCount++;
            if (double.IsNaN(f)) continue;
            lead += s - f;
            n++;
            last = i;
        }
        int scored = last + 1;
        if (scored < _endFrom || scored >= _totalFrames) return;
        double recent = 0;
        int recentCount = 0;
        for (int i = scored - scored / 3; i < scored; i++)
        {
            double f = Volatile.Read(ref _fullSsim[i]), s = Volatile.Read(ref _smallSsim![i]);
            if (double.IsNaN(s) || double.IsNaN(f)) continue;
            recent += s - f;
            recentCount++;
        }
        if (recentCount == 0) return;
        (double all, double last3, double share) = (lead / n, recent / recentCount, (double)scored / _totalFrames);
        double down = -SwingTo(all, last3, share, SizeSampling.FirstPassMargin), up = SwingTo(all, last3, share, StopTarget);
        bool ahead = down >= EndSwing;
        if (!ahead && up < StopSwing) return;
        // The full size's pass runs on where its quantiser decides without the scores: one that looks to end under
        // SizeSampling.KeepFullBelowQp is kept whatever the smaller size scores, and one whose rate control may be stuck at the top
        // decides whether a constant-quality trial replaces it (RenderJob.StuckQuantizer), which can keep the full size sharp where the
        // smaller one only leads a stuck pass.
        if (ahead && (FullQuantizer is not { } q || q >= RenderJob.StuckQuantizer || ExpectedQuantizer < SizeSampling.KeepFullBelowQp)) return;
        Ended = new PassesEnded(ahead, all, last3, ahead ? down : up, n, scored, frame, small / smallCount);
        if (!ahead) Stop();
    }

    /// <summary>
    /// How far the rest of the clip (after <paramref name="share"/> of it, where the smaller size led by <paramref name="lead"/>) would
    /// have to move the smaller size's lead from <paramref name="recent"/> for the whole clip's lead to land on <paramref name="target"/>:
    /// negative where the rest would have to favour the full size more than the recent frames do, positive where it would have to favour
    /// the smaller size more.
    /// </summary>
    internal static double SwingTo(double lead, double recent, double share, double target) =>
        (target - share * lead) / (1 - share) - recent;

    /// <summary>After the full size's pass ended: flushes the smaller pass (completing its statistics) and returns its score; null when it stopped.</summary>
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
