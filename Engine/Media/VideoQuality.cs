using System.Diagnostics;
using System.Runtime.InteropServices;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>Options of <see cref="VideoQuality.Compare"/>.</summary>
public sealed record QualityOptions
{
    /// <summary>
    /// Default of <see cref="SampleEvery"/>: every pair, so the score is ffmpeg's over all
    /// frames. Sampling saves only the measuring share of the time: every frame of both files
    /// is decoded whatever N is, and decoding is most of the cost. Measured on the 2-core
    /// development machine (shared, load ~6): 10 s of 1080x1920 H.264 (16 Mbit/s reference,
    /// 3 Mbit/s output) took 2.2-2.35 s with every pair, of which 0.43-0.52 s measuring, and
    /// 2.14 s with every 2nd pair; 640x360, 10 s: 0.70 s, of which 0.03-0.05 s measuring. No N
    /// brings 60 s of 1080x1920 under ~10 s there, while sampling moves the score: on a noisy
    /// 60 s 1080x1920 encode (per-frame SSIM s.d. 0.055) by 0.0008 (N=2), 0.0015 (N=4),
    /// 0.003 (N=8) SSIM RMS.
    /// </summary>
    public const int DefaultSampleEvery = 1;

    /// <summary>Largest accepted <see cref="SampleEvery"/>.</summary>
    public const int MaxSampleEvery = 1000;

    /// <summary>
    /// Compare one matched frame pair in every N (1: all): the first pair, then a hashed
    /// position in each run of N (see <see cref="VideoQuality.SampleOffset"/>). Every frame is
    /// decoded either way.
    /// </summary>
    public int SampleEvery { get; init; } = DefaultSampleEvery;

    /// <summary>How errors name the distorted file (e.g. the API field it came from).</summary>
    public string DistortedName { get; init; } = "distorted";

    /// <summary>How errors name the reference file.</summary>
    public string ReferenceName { get; init; } = "reference";

    public static QualityOptions Default { get; } = new();
}

/// <summary>
/// Similarity of a distorted video to its reference, averaged over the compared frame pairs
/// exactly as FFmpeg's <c>ssim</c> and <c>psnr</c> filters report their totals.
/// </summary>
/// <param name="Ssim">Mean over frames of each frame's SSIM of all planes, weighted by plane size (ffmpeg's "All").</param>
/// <param name="SsimY">Mean SSIM of the luma plane (ffmpeg's "Y").</param>
/// <param name="SsimU">Mean SSIM of the first chroma plane.</param>
/// <param name="SsimV">Mean SSIM of the second chroma plane.</param>
/// <param name="Psnr">
/// PSNR in dB of the mean squared error (planes weighted by size, then averaged over frames):
/// ffmpeg's "average". Identical inputs have no error (ffmpeg prints "inf"); the value is then
/// capped at <see cref="VideoQuality.MaxPsnrDb"/>, so it is always finite (JSON has no ∞).
/// </param>
/// <param name="PsnrY">PSNR in dB of the luma plane's mean squared error (ffmpeg's "y"), capped the same way.</param>
/// <param name="FramesCompared">Frame pairs measured (after <see cref="QualityOptions.SampleEvery"/>).</param>
/// <param name="Width">Width of the compared frames: the reference's.</param>
/// <param name="Height">Height of the compared frames: the reference's.</param>
/// <param name="UnmatchedFrames">Distorted frames with no reference frame at their time (before its start or after its end).</param>
/// <param name="WallMs">Wall-clock time of the whole comparison.</param>
/// <param name="MeasureMs">Of which scaling/converting and scoring frame pairs; the rest is decoding both files.</param>
public sealed record QualityResult(
    double Ssim, double SsimY, double SsimU, double SsimV, double Psnr, double PsnrY,
    int FramesCompared, int Width, int Height, int UnmatchedFrames, double WallMs, double MeasureMs)
{
    /// <summary>Measured in flight on the encoder's own reconstructions (bit for bit the decoded output) rather than on decoded packets or a decoded file.</summary>
    public bool FromReconstructions { get; init; }
}

/// <summary>
/// Measures how close a video (an encode's output, "distorted") is to another ("reference")
/// by decoding both and comparing frames: SSIM and PSNR exactly as FFmpeg's <c>ssim</c> and
/// <c>psnr</c> filters compute them (see <see cref="QualityKernels"/>), so the scores agree with
/// <c>ffmpeg -i distorted -i reference -lavfi ssim -f null -</c>.
/// </summary>
/// <remarks>
/// <para><b>Pairing by time.</b> Each file's frame times are taken relative to its own first
/// decoded frame, so a different start offset (edit lists, another container's start time)
/// does not matter. A distorted frame at time t is compared with the reference frame on screen
/// at t: the last reference frame whose time is ≤ t + tolerance, the tolerance being a quarter
/// of a reference frame period, which absorbs timestamp rounding between time bases. A
/// distorted frame later than the end of the reference's last frame (a frame duplicated or
/// added at the end) has no partner and is counted in <see cref="QualityResult.UnmatchedFrames"/>;
/// reference frames after the distorted file's end (a frame dropped at the end) are never
/// reached. Content is never used for pairing: a file whose frames are shifted scores low,
/// which is the point. Frame rotation metadata is ignored.</para>
/// <para><b>Sizes and formats.</b> Frames are compared at the reference's size: a distorted
/// frame of another size is scaled to it with swscale bicubic, which is what
/// <c>[0:v]scale=W:H:flags=bicubic[d];[d][1:v]ssim</c> does. When both files decode to the
/// same 8-bit planar YUV format (yuv420p, yuvj420p, yuv422p, yuv444p, ...) the planes are
/// compared as they are, like the filters do; otherwise (different formats, more than 8 bits,
/// RGB, semi-planar) both are converted to yuv420p first (swscale bicubic). A 10-bit input
/// against an 8-bit yuv420p output is thus what plain ffmpeg measures too (it converts the
/// input to the output's format). For two files of the same 10-bit format ffmpeg measures at
/// 10 bits; this measures their 8-bit conversions: 0.0018 SSIM / 0.07 dB lower on a CRF 35
/// test encode.</para>
/// <para><b>Where ffmpeg's numbers differ.</b> FFmpeg 5.1's x86 SSE4 <c>ssim_end_line</c>
/// mishandles rows of 4k+1 windows (planes 16k+8 to 16k+11 pixels wide, e.g. 360 and 1080):
/// it drops each row's last window and counts a window of zero sums (SSIM 1) instead, so its
/// Y is slightly high (≈0.0003 on a 1080x1920 CRF 30 encode; at most (1 − SSIM of the
/// dropped windows)/(windows per row)). This matches ffmpeg's C code (<c>-cpuflags 0</c>)
/// exactly. And ffmpeg's framesync, where one input runs longer, keeps comparing the shorter
/// one's last frame (repeatlast); this compares only frames that exist at the same time.</para>
/// <para><b>Cost.</b> Every frame of both files is decoded (the decoders' own threads); the
/// measuring runs on the calling thread and allocates nothing per frame.</para>
/// </remarks>
public static unsafe class VideoQuality
{
    /// <summary>PSNR reported for identical inputs (no error at all) and the cap of every PSNR.</summary>
    public const double MaxPsnrDb = 100;

    /// <summary>Stage name in progress reports.</summary>
    public const string ProgressStage = "quality";

    private const int ProgressIntervalMs = 100;

    /// <summary>
    /// Decodes <paramref name="distortedPath"/> and <paramref name="referencePath"/> and measures
    /// SSIM and PSNR of the distorted video against the reference (see the class remarks).
    /// </summary>
    /// <param name="progress">Called at most every 100 ms with the distorted frames done so far, stage "quality".</param>
    /// <exception cref="EngineException">
    /// ERR_INPUT_NOT_FOUND (a file is missing), ERR_UNSUPPORTED_MEDIA (not a video, or frames
    /// too small to measure, or no frame of the two overlaps in time), ERR_DECODE (truncated or
    /// corrupt), ERR_RESOURCE_LIMIT (frames over 16384 pixels on a side), ERR_INVALID_CONFIG
    /// (bad options or an empty path), ERR_ABORTED (<paramref name="cancel"/> was cancelled). Messages name the file.
    /// </exception>
    public static QualityResult Compare(string distortedPath, string referencePath, QualityOptions? options = null,
        CancellationToken cancel = default, Action<RenderProgress>? progress = null)
    {
        options ??= QualityOptions.Default;
        if (options.SampleEvery is < 1 or > QualityOptions.MaxSampleEvery)
            throw new EngineException(ErrorCodes.InvalidConfig, $"sampleEvery: expected an integer 1..{QualityOptions.MaxSampleEvery}, got {options.SampleEvery}");
        foreach (var (path, name) in new[] { (distortedPath, options.DistortedName), (referencePath, options.ReferenceName) })
            if (string.IsNullOrWhiteSpace(path))
                throw new EngineException(ErrorCodes.InvalidConfig, $"{name}: expected the path of a video file, got {(path == null ? "null" : "\"" + path + "\"")}");
        try
        {
            using var comparison = new Comparison(distortedPath, referencePath, options);
            return comparison.Run(cancel, progress);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new EngineException(ErrorCodes.Aborted, "the quality measurement was aborted");
        }
    }

    /// <summary>
    /// Which pair of block <paramref name="block"/> (pairs [block·n, block·n + n)) is compared:
    /// the first of block 0, so even a one-frame video gets a score, then a position drawn
    /// by a fixed hash of the block number (stratified sampling, reproducible). A fixed phase
    /// would alias with a fixed frame-type pattern (hardware encoders, x264 with b-adapt off:
    /// I/P/B repeating every 2-4 frames, B frames coded worse, by 0.02 SSIM in the 60 s clip
    /// measured) or with duplicated frames of a rate conversion, and score that slot instead
    /// of the video.
    /// </summary>
    internal static int SampleOffset(int block, int n)
    {
        if (block == 0 || n == 1) return 0;
        uint x = (uint)block * 0x9E3779B1u;
        x ^= x >> 15;
        x *= 0x85EBCA77u;
        x ^= x >> 13;
        return (int)(x % (uint)n);
    }

    /// <summary>One run: the two decoders, their frames and the scorer.</summary>
    private sealed class Comparison : IDisposable
    {
        private readonly QualityOptions _options;
        private readonly VideoDecoder _dist, _ref;
        private readonly AvFrameHandle _distFrame = AvFrameHandle.Alloc();
        private AvFrameHandle _refShown = AvFrameHandle.Alloc(), _refNext = AvFrameHandle.Alloc();
        private FrameScorer? _scorer;

        public Comparison(string distortedPath, string referencePath, QualityOptions options)
        {
            _options = options;
            try
            {
                _dist = new VideoDecoder(distortedPath, options.DistortedName);
                _ref = new VideoDecoder(referencePath, options.ReferenceName);
                _scorer = new FrameScorer(_dist.ErrorPrefix, _ref.ErrorPrefix);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public QualityResult Run(CancellationToken cancel, Action<RenderProgress>? progress)
        {
            var clock = Stopwatch.StartNew();
            long measureTicks = 0;
            long nextReport = 0;
            double tolerance = 1000 / _ref.FrameRate / 4; // a quarter of a reference frame period
            var scorer = _scorer!;

            if (!_ref.ReadFrame(_refNext, out double refFirst))
                throw new EngineException(ErrorCodes.Decode, $"{_ref.ErrorPrefix}: no decodable video frame");
            // Times below are relative to each file's first frame.
            double refEnd = _ref.DurationMs - refFirst;
            double refNextTime = 0;
            bool haveNext = true, haveShown = false;

            double distFirst = double.NaN;
            int decoded = 0, matched = 0, unmatched = 0;
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                if (!_dist.ReadFrame(_distFrame, out double distTime)) break;
                decoded++;
                if (decoded == 1) distFirst = distTime;
                double t = distTime - distFirst;
                if (t + tolerance >= refEnd)
                {
                    // Past the end of the reference's last frame: this and every later distorted frame.
                    unmatched += 1 + Math.Max(0, _dist.FrameCount - decoded);
                    break;
                }

                // The reference frame on screen at t: advance while the next one starts by then.
                while (haveNext && refNextTime <= t + tolerance)
                {
                    (_refShown, _refNext) = (_refNext, _refShown);
                    haveShown = true;
                    haveNext = _ref.ReadFrame(_refNext, out double next);
                    refNextTime = next - refFirst;
                }

                if (!haveShown) unmatched++; // only if times run backwards: the first frames are both at 0
                else
                {
                    if (Sampled(matched, _options.SampleEvery))
                    {
                        long start = Stopwatch.GetTimestamp();
                        scorer.Measure(_distFrame.Ptr, _refShown.Ptr);
                        measureTicks += Stopwatch.GetTimestamp() - start;
                    }
                    matched++;
                }

                if (progress != null && clock.ElapsedMilliseconds >= nextReport)
                {
                    nextReport = clock.ElapsedMilliseconds + ProgressIntervalMs;
                    double fps = decoded / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                    int total = Math.Max(decoded, _dist.FrameCount);
                    progress(new RenderProgress(decoded, total, fps, (total - decoded) / Math.Max(1e-9, fps) * 1000, ProgressStage));
                }
            }
            if (decoded == 0) throw new EngineException(ErrorCodes.Decode, $"{_dist.ErrorPrefix}: no decodable video frame");
            if (scorer.Compared == 0)
                throw new EngineException(ErrorCodes.UnsupportedMedia,
                    $"{_dist.ErrorPrefix}: no frame overlaps in time with {_options.ReferenceName}: {_ref.FullPath} ({_dist.DurationMs:0.###} ms against {_ref.DurationMs:0.###} ms)");

            int frames = Math.Max(decoded, _dist.FrameCount);
            progress?.Invoke(new RenderProgress(frames, frames, decoded / Math.Max(1e-9, clock.Elapsed.TotalSeconds), 0, ProgressStage));
            return scorer.Result(unmatched, clock.Elapsed.TotalMilliseconds, measureTicks * 1000.0 / Stopwatch.Frequency);
        }

        public void Dispose()
        {
            _distFrame.Dispose();
            _refShown.Dispose();
            _refNext.Dispose();
            _scorer?.Dispose();
            _dist?.Dispose();
            _ref?.Dispose();
        }
    }

    /// <summary>Whether matched pair <paramref name="matched"/> (0-based) is measured with one pair in every <paramref name="every"/> (see <see cref="SampleOffset"/>).</summary>
    internal static bool Sampled(int matched, int every) => matched % every == SampleOffset(matched / every, every);

    internal static double Psnr(double mse) => mse <= 0 ? MaxPsnrDb : Math.Min(MaxPsnrDb, 10 * Math.Log10(255.0 * 255.0 / mse));

    /// <summary>
    /// Scores frame pairs (a distorted frame against its reference frame) and keeps the running
    /// sums as FFmpeg's ssim and psnr filters do: the pair is brought to the reference's size and
    /// a common 8-bit planar YUV format first (see the class remarks). Allocates nothing per frame.
    /// </summary>
    internal sealed class FrameScorer : IDisposable
    {
        private readonly string _distName, _refName;
        private readonly FrameAdapter _distAdapter = new(), _refAdapter = new();
        private int* _scratch;
        private int _scratchWidth;
        private int _lastFormat = AvConst.PixFmtNone;
        private bool _lastFormatNative;

        // Sums over compared frames, as the ffmpeg filters keep them.
        private double _ssimAll, _ssimY, _ssimU, _ssimV, _mseAll, _mseY;
        private int _width, _height;

        /// <param name="distortedName">How errors name the distorted frames' source.</param>
        /// <param name="referenceName">How errors name the reference frames' source.</param>
        public FrameScorer(string distortedName, string referenceName) => (_distName, _refName) = (distortedName, referenceName);

        public int Compared { get; private set; }

        /// <summary>The averages over the pairs measured so far.</summary>
        public QualityResult Result(int unmatched, double wallMs, double measureMs)
        {
            double n = Math.Max(1, Compared);
            return new QualityResult(
                _ssimAll / n, _ssimY / n, _ssimU / n, _ssimV / n,
                Psnr(_mseAll / n), Psnr(_mseY / n), Compared, _width, _height, unmatched, wallMs, measureMs);
        }

        /// <summary>Brings one pair to a common size and format, adds its scores to the sums and returns its SSIM.</summary>
        public double Measure(nint dist, nint reference)
        {
            int refW = LibAv.Field<int>(reference, AvLayout.Frame.Width), refH = LibAv.Field<int>(reference, AvLayout.Frame.Height);
            int refFmt = LibAv.Field<int>(reference, AvLayout.Frame.Format);
            int distFmt = LibAv.Field<int>(dist, AvLayout.Frame.Format);
            int fmt = distFmt == refFmt && IsPlanarYuv8(refFmt) ? refFmt : AvConst.PixFmtYuv420p;

            int cw, ch;
            LibAv.av_pix_fmt_get_chroma_sub_sample(fmt, &cw, &ch);
            int chromaW = -(-refW >> cw), chromaH = -(-refH >> ch);
            if (Math.Min(chromaW, chromaH) < QualityKernels.MinSsimSide || Math.Min(refW, refH) < QualityKernels.MinSsimSide)
                throw new EngineException(ErrorCodes.UnsupportedMedia,
                    $"{_refName}: {refW}x{refH} frames are too small to measure: SSIM needs at least {QualityKernels.MinSsimSide}x{QualityKernels.MinSsimSide} pixels in every plane");

            nint d = _distAdapter.Adapt(dist, refW, refH, fmt, _distName);
            nint r = _refAdapter.Adapt(reference, refW, refH, fmt, _refName);
            if (refW > _scratchWidth)
            {
                NativeMemory.AlignedFree(_scratch);
                _scratch = null;
                _scratch = (int*)NativeMemory.AlignedAlloc((nuint)QualityKernels.SsimScratchInts(refW) * sizeof(int), 64);
                _scratchWidth = refW;
            }

            var score = QualityKernels.ScoreFrames(d, r, refW, refH, chromaW, chromaH, _scratch);
            _ssimAll += score.Ssim;
            _ssimY += score.SsimY;
            _ssimU += score.SsimU;
            _ssimV += score.SsimV;
            _mseAll += score.Mse;
            _mseY += score.MseY;
            if (Compared++ == 0) (_width, _height) = (refW, refH);
            return score.Ssim;
        }

        /// <summary>
        /// Whether frames of this format can be compared plane by plane as they are: three
        /// planes of one byte per sample, YUV (the formats FFmpeg's ssim filter measures at 8 bits).
        /// </summary>
        private bool IsPlanarYuv8(int fmt)
        {
            if (fmt == _lastFormat) return _lastFormatNative;
            bool native = false;
            if (fmt >= 0 && LibAv.av_pix_fmt_count_planes(fmt) == 3 && (LibAv.PixelFormatName(fmt) ?? "").StartsWith("yuv", StringComparison.Ordinal))
            {
                int cw, ch;
                LibAv.av_pix_fmt_get_chroma_sub_sample(fmt, &cw, &ch);
                native = LibAv.av_image_get_linesize(fmt, 64, 0) == 64 && LibAv.av_image_get_linesize(fmt, 64, 1) == 64 >> cw;
            }
            (_lastFormat, _lastFormatNative) = (fmt, native);
            return native;
        }

        public void Dispose()
        {
            _distAdapter.Dispose();
            _refAdapter.Dispose();
            NativeMemory.AlignedFree(_scratch);
            _scratch = null;
        }
    }

    /// <summary>
    /// Converts frames to a target size and pixel format with swscale bicubic when they differ
    /// from it, into one reused frame; passes matching frames through untouched.
    /// </summary>
    private sealed class FrameAdapter : IDisposable
    {
        private SwsContextHandle? _sws;
        private (int W, int H, int Fmt, int DstW, int DstH, int DstFmt) _swsKey;
        private AvFrameHandle? _frame;
        private (int W, int H, int Fmt) _frameKey;

        public nint Adapt(nint src, int width, int height, int format, string errorPrefix)
        {
            int srcW = LibAv.Field<int>(src, AvLayout.Frame.Width), srcH = LibAv.Field<int>(src, AvLayout.Frame.Height);
            int srcFmt = LibAv.Field<int>(src, AvLayout.Frame.Format);
            if (srcW == width && srcH == height && srcFmt == format) return src;

            var key = (srcW, srcH, srcFmt, width, height, format);
            if (_sws == null || _swsKey != key)
            {
                _sws?.Dispose();
                _sws = null;
                var ctx = LibAv.sws_getContext(srcW, srcH, srcFmt, width, height, format, AvConst.SwsBicubic, 0, 0, null);
                if (ctx == 0)
                    throw new EngineException(ErrorCodes.UnsupportedMedia,
                        $"{errorPrefix}: cannot convert {srcW}x{srcH} {LibAv.PixelFormatName(srcFmt) ?? srcFmt.ToString()} frames to {width}x{height} {LibAv.PixelFormatName(format)}");
                _sws = new SwsContextHandle(ctx);
                _swsKey = key;
            }
            if (_frame == null || _frameKey != (width, height, format))
            {
                _frame?.Dispose();
                _frame = AvFrameHandle.Alloc();
                var f = _frame.Ptr;
                LibAv.Field<int>(f, AvLayout.Frame.Width) = width;
                LibAv.Field<int>(f, AvLayout.Frame.Height) = height;
                LibAv.Field<int>(f, AvLayout.Frame.Format) = format;
                AvCheck.Ok(LibAv.av_frame_get_buffer(f, 64), ErrorCodes.ResourceLimit, $"{errorPrefix}: allocating a {width}x{height} comparison frame");
                _frameKey = (width, height, format);
            }
            var dst = _frame.Ptr;
            LibAv.sws_scale(_sws.Ptr, (byte**)((byte*)src + AvLayout.Frame.Data), (int*)((byte*)src + AvLayout.Frame.Linesize), 0, srcH,
                (byte**)((byte*)dst + AvLayout.Frame.Data), (int*)((byte*)dst + AvLayout.Frame.Linesize));
            return dst;
        }

        public void Dispose()
        {
            _sws?.Dispose();
            _frame?.Dispose();
        }
    }
}
