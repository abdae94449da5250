using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NUnit.Framework;
using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// <see cref="VideoQuality.Compare"/> against FFmpeg's own ssim and psnr filters (ffmpeg CLI)
/// on real encodes: several CRFs, two sources, a downscaled output, a different pixel format,
/// another container with another start time; plus pairing, errors and cancellation.
/// </summary>
public class VideoQualityTests
{
    private string _dir = "";

    // Reference clips: 2 s at 30 fps, near-lossless.
    private string _testsrc = "", _mandel = "", _testsrc444 = "", _odd = "";

    [OneTimeSetUp]
    public void MakeFixtures()
    {
        _dir = TestSupport.TempDir();
        _testsrc = Encode("testsrc2.mp4", "testsrc2=s=320x240:r=30:d=2", "-crf", "8");
        _mandel = Encode("mandelbrot.mp4", "mandelbrot=s=640x360:r=30", "-crf", "8", "-t", "2");
        _testsrc444 = Encode("testsrc2-444.mp4", "testsrc2=s=320x240:r=30:d=2", "-crf", "8", "-pix_fmt", "yuv444p");
        // Planes that are no multiple of 4 (330x250, chroma 165x125): partial blocks are left out.
        _odd = Encode("testsrc2-330x250.mp4", "testsrc2=s=330x250:r=30:d=2", "-crf", "8");
    }

    [OneTimeTearDown]
    public void RemoveFixtures() => Directory.Delete(_dir, recursive: true);

    private string Encode(string name, string lavfiSource, params string[] args)
    {
        var path = Path.Combine(_dir, name);
        if (File.Exists(path)) return path;
        var all = new List<string> { "-f", "lavfi", "-i", lavfiSource, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p" };
        all.AddRange(args); // a later -pix_fmt overrides the default above
        all.Add(path);
        TestSupport.Ffmpeg(all.ToArray());
        return path;
    }

    /// <summary>Re-encodes <paramref name="source"/> with x264 and extra arguments (the "optimized" output).</summary>
    private string Reencode(string source, string name, params string[] args)
    {
        var path = Path.Combine(_dir, name);
        if (File.Exists(path)) return path;
        var all = new List<string> { "-i", source, "-c:v", "libx264", "-preset", "ultrafast" };
        all.AddRange(args);
        all.Add(path);
        TestSupport.Ffmpeg(all.ToArray());
        return path;
    }

    private string Source(string which) => which switch
    {
        "testsrc2" => _testsrc,
        "mandelbrot" => _mandel,
        "testsrc2-444" => _testsrc444,
        "testsrc2-330x250" => _odd,
        _ => throw new ArgumentException(which),
    };

    private sealed record CliScores(double All, double Y, double U, double V, double Psnr, double PsnrY, int Frames);

    /// <summary>
    /// FFmpeg's verdict: <c>ffmpeg -i distorted -i reference</c> through psnr then ssim, with
    /// <paramref name="prepareDistorted"/> (e.g. the bicubic scale) on the distorted input.
    /// </summary>
    /// <param name="filterOptions">Options of both filters, e.g. "=shortest=1".</param>
    /// <param name="cpuFlags">ffmpeg's -cpuflags, e.g. "0" for its plain C code.</param>
    private static CliScores Ffmpeg(string distorted, string reference, string prepareDistorted = "null", string prepareReference = "null",
        string filterOptions = "", string cpuFlags = "")
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        if (cpuFlags != "")
        {
            psi.ArgumentList.Add("-cpuflags");
            psi.ArgumentList.Add(cpuFlags);
        }
        foreach (var a in new[]
        {
            "-hide_banner", "-nostats", "-i", distorted, "-i", reference, "-lavfi",
            $"[0:v]{prepareDistorted}[d];[1:v]{prepareReference},split[r1][r2];[d][r1]psnr{filterOptions}[p];[p][r2]ssim{filterOptions}", "-f", "null", "-",
        })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, err);
        var ssim = Regex.Match(err, @"SSIM Y:(\S+) \(\S+\) U:(\S+) \(\S+\) V:(\S+) \(\S+\) All:(\S+)");
        var psnr = Regex.Match(err, @"PSNR y:(\S+) u:\S+ v:\S+ average:(\S+)");
        var frames = Regex.Matches(err, @"frame=\s*(\d+)");
        Assert.That(ssim.Success && psnr.Success, err);
        static double D(Group g) => g.Value == "inf" ? double.PositiveInfinity : double.Parse(g.Value, CultureInfo.InvariantCulture);
        return new CliScores(D(ssim.Groups[4]), D(ssim.Groups[1]), D(ssim.Groups[2]), D(ssim.Groups[3]), D(psnr.Groups[2]), D(psnr.Groups[1]),
            frames.Count > 0 ? int.Parse(frames[^1].Groups[1].Value, CultureInfo.InvariantCulture) : -1);
    }

    private static readonly QualityOptions EveryFrame = new() { SampleEvery = 1 };

    // ---- agreement with ffmpeg ---------------------------------------------------------

    [TestCase("testsrc2", 18)]
    [TestCase("testsrc2", 30)]
    [TestCase("testsrc2", 45)]
    [TestCase("testsrc2-330x250", 35)]
    [TestCase("mandelbrot", 23)]
    [TestCase("mandelbrot", 40)]
    public void Scores_agree_with_ffmpeg_ssim_and_psnr_filters(string source, int crf)
    {
        var reference = Source(source);
        var distorted = Reencode(reference, $"{source}-crf{crf}.mp4", "-crf", crf.ToString(CultureInfo.InvariantCulture));
        var cli = Ffmpeg(distorted, reference);
        var q = VideoQuality.Compare(distorted, reference, EveryFrame);
        AssertAgrees(q, cli);
        Assert.That(q.FramesCompared, Is.EqualTo(60));
        Assert.That((q.Width, q.Height), Is.EqualTo(source switch { "mandelbrot" => (640, 360), "testsrc2-330x250" => (330, 250), _ => (320, 240) }));
        Assert.That(q.UnmatchedFrames, Is.Zero);
    }

    [Test]
    public void A_downscaled_output_is_scaled_back_with_bicubic_as_ffmpeg_scale_does()
    {
        var distorted = Reencode(_testsrc, "testsrc2-160x120.mp4", "-crf", "23", "-vf", "scale=160:120");
        var cli = Ffmpeg(distorted, _testsrc, "scale=320:240:flags=bicubic");
        var q = VideoQuality.Compare(distorted, _testsrc, EveryFrame);
        AssertAgrees(q, cli);
        Assert.That((q.Width, q.Height, q.FramesCompared), Is.EqualTo((320, 240, 60)));
        Assert.That(q.Ssim, Is.LessThan(Ffmpeg(Reencode(_testsrc, "testsrc2-crf23.mp4", "-crf", "23"), _testsrc).All), "a quarter of the pixels loses detail");
    }

    [Test]
    public void Different_pixel_formats_are_both_compared_as_yuv420p()
    {
        var distorted = Reencode(_testsrc444, "testsrc2-444-to-420.mp4", "-crf", "23", "-pix_fmt", "yuv420p");
        var cli = Ffmpeg(distorted, _testsrc444, "format=yuv420p", "format=yuv420p");
        AssertAgrees(VideoQuality.Compare(distorted, _testsrc444, EveryFrame), cli);
    }

    [Test]
    public void A_full_range_reference_is_converted_to_limited_range_yuv420p_like_ffmpeg_does()
    {
        var reference = Encode("testsrc2-yuvj.mp4", "testsrc2=s=320x240:r=30:d=2", "-crf", "8", "-pix_fmt", "yuvj420p");
        var distorted = Reencode(reference, "testsrc2-yuvj-to-yuv.mp4", "-crf", "28", "-pix_fmt", "yuv420p");
        var q = VideoQuality.Compare(distorted, reference, EveryFrame);
        AssertAgrees(q, Ffmpeg(distorted, reference, "format=yuv420p", "format=yuv420p"));
        Assert.That(q.Ssim, Is.GreaterThan(0.95), "compared in one range, not full against limited");
    }

    [Test]
    public void A_10_bit_reference_against_an_8_bit_output_agrees_with_plain_ffmpeg()
    {
        // The phone-HDR case: ffmpeg converts the 10-bit input to the output's yuv420p, as we do.
        var reference = Encode("testsrc2-10bit.mp4", "testsrc2=s=320x240:r=30:d=2", "-crf", "8", "-pix_fmt", "yuv420p10le");
        var distorted = Reencode(reference, "testsrc2-10bit-to-8bit.mp4", "-crf", "28", "-pix_fmt", "yuv420p");
        AssertAgrees(VideoQuality.Compare(distorted, reference, EveryFrame), Ffmpeg(distorted, reference));
    }

    [Test]
    public void Two_10_bit_files_are_measured_on_8_bit_conversions_close_to_ffmpegs_10_bit_scores()
    {
        var reference = Encode("testsrc2-10bit.mp4", "testsrc2=s=320x240:r=30:d=2", "-crf", "8", "-pix_fmt", "yuv420p10le");
        var distorted = Reencode(reference, "testsrc2-10bit-crf35.mp4", "-crf", "35", "-pix_fmt", "yuv420p10le");
        var q = VideoQuality.Compare(distorted, reference, EveryFrame);
        var cli = Ffmpeg(distorted, reference); // measured at 10 bits
        TestContext.Out.WriteLine($"engine {q.Ssim:0.000000} / {q.Psnr:0.000} dB, ffmpeg at 10 bits {cli.All:0.000000} / {cli.Psnr:0.000} dB");
        AssertAgrees(q, Ffmpeg(distorted, reference, "format=yuv420p", "format=yuv420p"));
        Assert.That(q.Ssim, Is.EqualTo(cli.All).Within(0.005));
        Assert.That(q.Psnr, Is.EqualTo(cli.Psnr).Within(0.2));
    }

    [Test]
    public void Same_yuv444p_format_is_compared_as_it_is()
    {
        var distorted = Reencode(_testsrc444, "testsrc2-444-crf30.mp4", "-crf", "30", "-pix_fmt", "yuv444p");
        var cli = Ffmpeg(distorted, _testsrc444);
        AssertAgrees(VideoQuality.Compare(distorted, _testsrc444, EveryFrame), cli);
    }

    [Test]
    public void Another_container_with_another_start_time_is_aligned_on_the_first_frames()
    {
        // MPEG-TS starts at 1.4 s plus the offset; the MP4 reference at 0.
        var distorted = Reencode(_testsrc, "testsrc2-crf23-offset.ts", "-crf", "23", "-output_ts_offset", "5");
        var q = VideoQuality.Compare(distorted, _testsrc, EveryFrame);
        AssertAgrees(q, Ffmpeg(distorted, _testsrc));
        var same = VideoQuality.Compare(Reencode(_testsrc, "testsrc2-crf23.mp4", "-crf", "23"), _testsrc, EveryFrame);
        Assert.That(q.FramesCompared, Is.EqualTo(60));
        Assert.That(q.Ssim, Is.EqualTo(same.Ssim).Within(0.001));
    }

    [Test]
    public void Where_ffmpegs_x86_ssim_mishandles_the_row_end_the_scores_are_its_c_codes()
    {
        // FFmpeg 5.1's SSE4 ssim_end_line, on rows of 4k+1 windows (planes (16k+8)..(16k+11)
        // pixels wide: 360, 1080), drops the last window of each row and counts a window of
        // zero sums (SSIM 1) instead. Its C code, and this engine, average the real windows.
        var reference = Encode("testsrc2-360.mp4", "testsrc2=s=360x240:r=30:d=2", "-crf", "8");
        var distorted = Reencode(reference, "testsrc2-360-crf40.mp4", "-crf", "40");
        var q = VideoQuality.Compare(distorted, reference, EveryFrame);
        AssertAgrees(q, Ffmpeg(distorted, reference, cpuFlags: "0"));
        var simd = Ffmpeg(distorted, reference);
        Assert.That(simd.Y, Is.GreaterThan(q.SsimY + 1e-5), "ffmpeg's x86 path counts a perfect window per row");
        Assert.That(q.Ssim, Is.EqualTo(simd.All).Within(0.001));
        Assert.That((q.SsimU, q.SsimV), Is.EqualTo((simd.U, simd.V)).Within(0.000001), "chroma rows (44 windows) are not affected");
    }

    private static void AssertAgrees(QualityResult q, CliScores cli)
    {
        TestContext.Out.WriteLine($"engine: {q}");
        TestContext.Out.WriteLine($"ffmpeg: {cli}");
        Assert.Multiple(() =>
        {
            // ffmpeg prints 6 decimals; the float sums differ from its SIMD order only far below that.
            Assert.That(q.Ssim, Is.EqualTo(cli.All).Within(0.0001), "All");
            Assert.That(q.SsimY, Is.EqualTo(cli.Y).Within(0.0001), "Y");
            Assert.That(q.SsimU, Is.EqualTo(cli.U).Within(0.0001), "U");
            Assert.That(q.SsimV, Is.EqualTo(cli.V).Within(0.0001), "V");
            Assert.That(q.Psnr, Is.EqualTo(cli.Psnr).Within(0.01), "PSNR average");
            Assert.That(q.PsnrY, Is.EqualTo(cli.PsnrY).Within(0.01), "PSNR y");
        });
    }

    // ---- pairing --------------------------------------------------------------------------

    [Test]
    public void Identical_files_score_exactly_one_and_the_capped_psnr()
    {
        var cli = Ffmpeg(_mandel, _mandel);
        Assert.That(cli.Psnr, Is.EqualTo(double.PositiveInfinity), "ffmpeg's psnr has no finite value here");
        var q = VideoQuality.Compare(_mandel, _mandel, EveryFrame);
        Assert.That((q.Ssim, q.SsimY, q.SsimU, q.SsimV), Is.EqualTo((1.0, 1.0, 1.0, 1.0)));
        Assert.That((q.Psnr, q.PsnrY), Is.EqualTo((VideoQuality.MaxPsnrDb, VideoQuality.MaxPsnrDb)));
        Assert.That(q.FramesCompared, Is.EqualTo(60));
        Assert.That(q.MeasureMs, Is.GreaterThan(0).And.LessThan(q.WallMs), "measuring is part of the wall time, decoding the rest");
    }

    [Test]
    public void A_copy_shifted_by_one_frame_scores_clearly_lower()
    {
        var aligned = VideoQuality.Compare(Reencode(_testsrc, "testsrc2-crf23.mp4", "-crf", "23"), _testsrc);
        var shifted = VideoQuality.Compare(Reencode(_testsrc, "testsrc2-crf23-shifted.mp4", "-crf", "23", "-vf", "trim=start_frame=1,setpts=PTS-STARTPTS"), _testsrc);
        TestContext.Out.WriteLine($"aligned {aligned.Ssim}, shifted {shifted.Ssim}");
        Assert.That(aligned.Ssim, Is.GreaterThan(0.99));
        Assert.That(shifted.Ssim, Is.LessThan(aligned.Ssim - 0.05));
        Assert.That(shifted.Psnr, Is.LessThan(aligned.Psnr - 10));
    }

    [Test]
    public void An_output_missing_its_last_frames_is_compared_where_both_have_frames()
    {
        var full = VideoQuality.Compare(Reencode(_testsrc, "testsrc2-crf23.mp4", "-crf", "23"), _testsrc, EveryFrame);
        var cut = VideoQuality.Compare(Reencode(_testsrc, "testsrc2-crf23-50frames.mp4", "-crf", "23", "-frames:v", "50"), _testsrc, EveryFrame);
        Assert.That((cut.FramesCompared, cut.UnmatchedFrames), Is.EqualTo((50, 0)));
        Assert.That(cut.Ssim, Is.EqualTo(full.Ssim).Within(0.002));
    }

    [Test]
    public void Output_frames_past_the_end_of_the_reference_are_unmatched()
    {
        var shortReference = Reencode(_testsrc, "testsrc2-45frames.mp4", "-crf", "8", "-frames:v", "45");
        var distorted = Reencode(_testsrc, "testsrc2-crf23.mp4", "-crf", "23");
        var q = VideoQuality.Compare(distorted, shortReference, EveryFrame);
        Assert.That((q.FramesCompared, q.UnmatchedFrames), Is.EqualTo((45, 15)));
        Assert.That(q.Ssim, Is.GreaterThan(0.98));
    }

    [Test]
    public void Another_frame_rate_pairs_each_output_frame_with_the_reference_frame_on_screen()
    {
        // 15 fps output keeping the even frames of a 30 fps source: frame k (at 2k/30 s) is source frame 2k.
        var distorted = Reencode(_testsrc, "testsrc2-15fps-even.mp4", "-crf", "23", "-vf", "select='not(mod(n,2))',setpts=N/15/TB", "-r", "15");
        var q = VideoQuality.Compare(distorted, _testsrc, EveryFrame);
        Assert.That((q.FramesCompared, q.UnmatchedFrames), Is.EqualTo((30, 0)));
        // Without shortest=1 ffmpeg's framesync would add a 31st pair: the reference's last
        // frame (1.967 s) against the distorted's last one repeated, which we do not compare.
        AssertAgrees(q, Ffmpeg(distorted, _testsrc, filterOptions: "=shortest=1"));
        Assert.That(q.Ssim, Is.GreaterThan(0.99));
    }

    [Test]
    public void Frames_duplicated_past_the_reference_end_are_unmatched()
    {
        // ffmpeg's -r 15 pads the end with 2 duplicates (at 2.0 and 2.067 s), after the
        // reference's last frame has ended (1.967 + 0.033 s): those have no partner. (Its rate
        // conversion also keeps the odd source frames, shown at even frames' times, so the
        // score is low: pairing goes by time, never by content.)
        var distorted = Reencode(_testsrc, "testsrc2-15fps.mp4", "-crf", "23", "-r", "15");
        var q = VideoQuality.Compare(distorted, _testsrc, EveryFrame);
        Assert.That((q.FramesCompared, q.UnmatchedFrames), Is.EqualTo((30, 2)));
    }

    [Test]
    public void Every_pair_is_compared_by_default_and_sampling_every_second_stays_close()
    {
        Assert.That(QualityOptions.Default.SampleEvery, Is.EqualTo(1));
        foreach (var (source, crf) in new[] { ("testsrc2", 30), ("mandelbrot", 40) })
        {
            var distorted = Reencode(Source(source), $"{source}-crf{crf}.mp4", "-crf", crf.ToString(CultureInfo.InvariantCulture));
            var all = VideoQuality.Compare(distorted, Source(source));
            var sampled = VideoQuality.Compare(distorted, Source(source), new QualityOptions { SampleEvery = 2 });
            TestContext.Out.WriteLine($"{source} crf {crf}: all {all.Ssim:0.000000} / {all.Psnr:0.000} dB, every 2nd {sampled.Ssim:0.000000} / {sampled.Psnr:0.000} dB");
            Assert.That(all.FramesCompared, Is.EqualTo(60));
            Assert.That(sampled.FramesCompared, Is.EqualTo(30));
            Assert.That(sampled.Ssim, Is.EqualTo(all.Ssim).Within(0.002));
            Assert.That(sampled.Psnr, Is.EqualTo(all.Psnr).Within(0.2));
        }
    }

    [Test]
    public void Sampled_positions_cover_every_slot_of_a_run_evenly()
    {
        foreach (int n in new[] { 2, 3, 4, 5 })
        {
            var counts = new int[n];
            for (int block = 1; block <= 3000; block++) counts[VideoQuality.SampleOffset(block, n)]++;
            Assert.That(counts, Has.All.InRange(3000 / n * 0.85, 3000 / n * 1.15), $"n={n}: {string.Join(",", counts)}");
        }
        Assert.That(VideoQuality.SampleOffset(0, 7), Is.Zero, "the first pair is always compared");
    }

    // ---- kernels ----------------------------------------------------------------------------

    [TestCase(8, 8)]
    [TestCase(19, 12)]
    [TestCase(37, 29)]
    [TestCase(64, 64)]
    [TestCase(250, 97)]
    [TestCase(1083, 41)]
    public unsafe void Every_kernel_path_agrees_with_a_direct_window_by_window_computation(int width, int height)
    {
        var random = new Random(width * 1000 + height);
        int strideA = width + random.Next(0, 40), strideB = width + random.Next(0, 40);
        var a = new byte[strideA * height];
        var b = new byte[strideB * height];
        // b: a plus noise and a local brightness change, so windows span the whole range of SSIM.
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int v = (x * 7 + y * 3 + random.Next(0, 60)) & 255;
                a[y * strideA + x] = (byte)v;
                b[y * strideB + x] = (byte)Math.Clamp(v + random.Next(-25, 26) + (x > width / 2 ? 30 : 0), 0, 255);
            }
        long expectedSse = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int d = a[y * strideA + x] - b[y * strideB + x];
                expectedSse += d * d;
            }
        double expectedSsim = DirectSsimSum(a, strideA, b, strideB, width, height);

        var scratch = new int[QualityKernels.SsimScratchInts(width)];
        var ssims = new Dictionary<QualityKernels.Path, double>();
        foreach (var path in KernelPaths())
            fixed (byte* pa = a, pb = b)
            fixed (int* ps = scratch)
            {
                double ssim = QualityKernels.SsimSum(pa, strideA, pb, strideB, width, height, ps, path);
                long sse = QualityKernels.SquaredError(pa, strideA, pb, strideB, width, height, path);
                Assert.That(sse, Is.EqualTo(expectedSse), $"squared error, {path}");
                // The same float per window; only the order of the float sums may differ.
                Assert.That(ssim, Is.EqualTo(expectedSsim).Within(1e-6 * QualityKernels.SsimWindows(width, height)), $"ssim, {path}");
                // One pass for both (what a frame's scoring runs): the blocks' squared error from their SSIM sums, the uncovered
                // right columns and bottom rows read directly.
                double fusedSsim = QualityKernels.PlaneSums(pa, strideA, pb, strideB, width, height, ps, path, out long fusedSse);
                Assert.That(fusedSse, Is.EqualTo(expectedSse), $"squared error in the SSIM pass, {path}");
                Assert.That(fusedSsim, Is.EqualTo(ssim), $"ssim in the one pass, {path}");
                ssims[path] = ssim;
            }
        // The 128-bit path (the one the NativeAOT addon runs) adds the windows in the scalar order.
        if (ssims.TryGetValue(QualityKernels.Path.Ssse3, out double ssse3))
            Assert.That(ssse3, Is.EqualTo(ssims[QualityKernels.Path.Scalar]), "ssim, SSSE3 bit-identical to scalar");
        double mean = expectedSsim / QualityKernels.SsimWindows(width, height);
        Assert.That(mean, Is.InRange(0.05, 0.95), "the planes are neither equal nor unrelated");
    }

    [Test]
    public void The_best_kernel_path_is_the_widest_the_CPU_has_and_an_absent_one_is_refused()
    {
        var expected = System.Runtime.Intrinsics.X86.Avx2.IsSupported ? QualityKernels.Path.Avx2
            : System.Runtime.Intrinsics.X86.Ssse3.IsSupported ? QualityKernels.Path.Ssse3 : QualityKernels.Path.Scalar;
        Assert.That(QualityKernels.Best, Is.EqualTo(expected));
        Assert.That(KernelPaths(), Does.Contain(QualityKernels.Best));
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported)
            Assert.Throws<PlatformNotSupportedException>(() => Squared(QualityKernels.Path.Avx2));
        Assert.That(Squared(QualityKernels.Path.Scalar), Is.EqualTo(64 * 9));

        static unsafe long Squared(QualityKernels.Path path)
        {
            byte* a = stackalloc byte[64], b = stackalloc byte[64];
            for (int i = 0; i < 64; i++) (a[i], b[i]) = ((byte)i, (byte)(i + 3));
            return QualityKernels.SquaredError(a, 8, b, 8, 8, 8, path);
        }
    }

    /// <summary>Every kernel path this CPU runs, scalar first.</summary>
    private static IEnumerable<QualityKernels.Path> KernelPaths()
    {
        yield return QualityKernels.Path.Scalar;
        if (System.Runtime.Intrinsics.X86.Ssse3.IsSupported) yield return QualityKernels.Path.Ssse3;
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) yield return QualityKernels.Path.Avx2;
    }

    /// <summary>x264/vf_ssim's window SSIM summed over every 8x8 window at 4-pixel steps, straight from the pixels.</summary>
    private static double DirectSsimSum(byte[] a, int strideA, byte[] b, int strideB, int width, int height)
    {
        const int c1 = 416, c2 = 235963;
        double total = 0;
        for (int by = 0; by + 1 < height / 4; by++)
            for (int bx = 0; bx + 1 < width / 4; bx++)
            {
                int s1 = 0, s2 = 0, ss = 0, s12 = 0;
                for (int y = 4 * by; y < 4 * by + 8; y++)
                    for (int x = 4 * bx; x < 4 * bx + 8; x++)
                    {
                        int va = a[y * strideA + x], vb = b[y * strideB + x];
                        s1 += va;
                        s2 += vb;
                        ss += va * va + vb * vb;
                        s12 += va * vb;
                    }
                int vars = ss * 64 - s1 * s1 - s2 * s2, covar = s12 * 64 - s1 * s2;
                total += (float)(2 * s1 * s2 + c1) * (float)(2 * covar + c2) / ((float)(s1 * s1 + s2 * s2 + c1) * (float)(vars + c2));
            }
        return total;
    }

    // ---- errors, progress, cancellation ---------------------------------------------------

    [Test]
    public void A_missing_file_is_input_not_found_naming_it()
    {
        var missing = Path.Combine(_dir, "nope.mp4");
        var e = Assert.Throws<EngineException>(() => VideoQuality.Compare(missing, _testsrc))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InputNotFound));
        Assert.That(e.Message, Does.Contain(missing).And.StartWith("distorted:"));
        e = Assert.Throws<EngineException>(() => VideoQuality.Compare(_testsrc, missing, new QualityOptions { ReferenceName = "inputPath" }))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InputNotFound));
        Assert.That(e.Message, Does.Contain(missing).And.StartWith("inputPath:"));
    }

    [TestCase("")]
    [TestCase("  ")]
    [TestCase(null)]
    public void An_empty_path_is_an_invalid_config_naming_the_argument(string? path)
    {
        var e = Assert.Throws<EngineException>(() => VideoQuality.Compare(_testsrc, path!, new QualityOptions { ReferenceName = "inputPath" }))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InvalidConfig));
        Assert.That(e.Message, Does.StartWith("inputPath: expected the path of a video file"));
        e = Assert.Throws<EngineException>(() => VideoQuality.Compare(path!, _testsrc))!;
        Assert.That(e.Message, Does.StartWith("distorted:"));
    }

    [Test]
    public void A_file_that_is_not_a_video_is_unsupported_media_naming_it()
    {
        var junk = Path.Combine(_dir, "junk.mp4");
        File.WriteAllBytes(junk, Enumerable.Range(0, 5000).Select(i => (byte)(i * 37 % 251)).ToArray());
        var e = Assert.Throws<EngineException>(() => VideoQuality.Compare(junk, _testsrc))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
        Assert.That(e.Message, Does.Contain(junk));
    }

    [Test]
    public void A_truncated_file_is_a_decode_error_naming_it()
    {
        var whole = Reencode(_testsrc, "testsrc2-faststart.mp4", "-crf", "23", "-movflags", "+faststart");
        var cut = Path.Combine(_dir, "truncated.mp4");
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 6 / 10)]);
        var e = Assert.Throws<EngineException>(() => VideoQuality.Compare(_testsrc, cut))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Decode));
        Assert.That(e.Message, Does.Contain(cut).And.StartWith("reference:"));
    }

    [Test]
    public void Frames_too_small_for_an_8x8_window_are_unsupported_media()
    {
        var tiny = Encode("tiny.mp4", "testsrc2=s=12x12:r=30:d=0.2");
        var e = Assert.Throws<EngineException>(() => VideoQuality.Compare(tiny, tiny))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
        Assert.That(e.Message, Does.Contain(tiny).And.Contain("12x12"));
    }

    [TestCase(0)]
    [TestCase(-3)]
    [TestCase(QualityOptions.MaxSampleEvery + 1)]
    public void A_bad_sample_interval_is_an_invalid_config(int every)
    {
        var e = Assert.Throws<EngineException>(() => VideoQuality.Compare(_testsrc, _testsrc, new QualityOptions { SampleEvery = every }))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InvalidConfig));
        Assert.That(e.Message, Does.StartWith("sampleEvery:").And.Contain(every.ToString(CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Progress_reports_the_quality_stage_up_to_every_frame()
    {
        var reports = new List<RenderProgress>();
        VideoQuality.Compare(_mandel, _mandel, progress: reports.Add);
        Assert.That(reports, Is.Not.Empty);
        Assert.That(reports.Select(r => r.Stage), Is.All.EqualTo(VideoQuality.ProgressStage));
        Assert.That(reports[^1].Frame, Is.EqualTo(60));
        Assert.That(reports[^1].TotalFrames, Is.EqualTo(60));
        Assert.That(reports.Select(r => r.Frame), Is.Ordered);
    }

    [Test]
    public void Cancelling_stops_the_measurement_with_aborted()
    {
        using var cts = new CancellationTokenSource();
        int reports = 0;
        var e = Assert.Throws<EngineException>(() => VideoQuality.Compare(_mandel, _mandel, EveryFrame, cts.Token, p =>
        {
            reports++;
            cts.Cancel();
        }))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Aborted));
        Assert.That(reports, Is.EqualTo(1), "stops at the next frame");

        cts.TryReset();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        e = Assert.Throws<EngineException>(() => VideoQuality.Compare(_mandel, _mandel, cancel: cancelled.Token))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Aborted));
    }
}
