using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// Per-plane SSIM and squared error of two 8-bit planes, computed the way FFmpeg's
/// <c>ssim</c> and <c>psnr</c> filters compute them, so that the engine's scores agree with
/// <c>ffmpeg -lavfi ssim/psnr</c>:
/// <list type="bullet">
/// <item>SSIM (x264's approximation, as vf_ssim): the plane is cut into 4x4 blocks (pixels
/// past the last whole block on the right and bottom are ignored); for each block the sums
/// Σa, Σb, Σ(a²+b²), Σab are taken; every 8x8 window made of 2x2 neighbouring blocks gives
/// one SSIM value, from integer sums converted to float exactly as vf_ssim's
/// <c>ssim_end1</c> does (same constants, same int→float points, same float operation order).
/// The plane's SSIM is the mean over the ((w/4)−1)·((h/4)−1) windows.</item>
/// <item>Squared error (as vf_psnr): Σ(a−b)² over every pixel of the plane.</item>
/// </list>
/// Three paths, chosen as <see cref="Yuv420Converter"/> chooses (<see cref="Best"/>): AVX2 does
/// 8 blocks (32 pixels) and 8 windows per step; SSSE3 (128-bit: SSE2 plus one SSSE3
/// <c>phaddd</c>) does 4 blocks (16 pixels) and 4 windows per step; the scalar path is the
/// reference and does the tails of rows. The NativeAOT addon is published at the default
/// instruction-set baseline, where <c>Avx2.IsSupported</c> is constant false but the SSE family
/// is checked at run time, so the addon runs the SSSE3 path. All paths give identical integer
/// sums and identical window values; the SSSE3 path also adds the window values in the scalar
/// order, so its SSIM sums are bit-identical to the scalar path's, while the AVX2 path sums 8
/// lanes apart and its SSIM sum differs from them in the last float bits.
/// </summary>
internal static unsafe class QualityKernels
{
    /// <summary>Scores of one frame pair: SSIM per plane and of all planes, mean squared error of all planes and of luma.</summary>
    public readonly record struct FrameScore(double Ssim, double SsimY, double SsimU, double SsimV, double Mse, double MseY);

    /// <summary>
    /// Scores two AVFrames of the same 3-plane 8-bit format and size: planes weighted by their
    /// share of the samples, as vf_ssim ("All") and vf_psnr (the MSE behind "average") weight
    /// them; summed as sample counts and divided once, so identical frames give exactly 1.
    /// <paramref name="scratch"/> holds <see cref="SsimScratchInts"/>(width) ints.
    /// </summary>
    public static FrameScore ScoreFrames(nint a, nint b, int width, int height, int chromaWidth, int chromaHeight, int* scratch) =>
        ScoreFrames(a, b, width, height, chromaWidth, chromaHeight, scratch, Best);

    /// <summary>As <see cref="ScoreFrames(nint, nint, int, int, int, int, int*)"/> with a chosen path (tests, benchmarks).</summary>
    public static FrameScore ScoreFrames(nint a, nint b, int width, int height, int chromaWidth, int chromaHeight, int* scratch, Path path)
    {
        Require(path);
        var dataA = (byte**)((byte*)a + AvLayout.Frame.Data);
        var linesA = (int*)((byte*)a + AvLayout.Frame.Linesize);
        var dataB = (byte**)((byte*)b + AvLayout.Frame.Data);
        var linesB = (int*)((byte*)b + AvLayout.Frame.Linesize);
        double samples = (double)width * height + 2.0 * chromaWidth * chromaHeight;
        double all = 0, mse = 0;
        Span<double> ssim = stackalloc double[3];
        Span<double> planeMse = stackalloc double[3];
        for (int p = 0; p < 3; p++)
        {
            int w = p == 0 ? width : chromaWidth, h = p == 0 ? height : chromaHeight;
            double planeSamples = (double)w * h;
            ssim[p] = PlaneSums(dataA[p], linesA[p], dataB[p], linesB[p], w, h, scratch, path, out long sse) / SsimWindows(w, h);
            planeMse[p] = sse / planeSamples;
            all += planeSamples * ssim[p];
            mse += planeSamples * planeMse[p];
        }
        return new FrameScore(all / samples, ssim[0], ssim[1], ssim[2], mse / samples, planeMse[0]);
    }

    /// <summary>(int)(.01²·255²·64 + .5): vf_ssim's C1 for 8-bit sums over 64 pixels.</summary>
    private const int C1 = 416;

    /// <summary>(int)(.03²·255²·64·63 + .5): vf_ssim's C2 for 8-bit sums over 64 pixels.</summary>
    private const int C2 = 235963;

    /// <summary>The instruction set the kernels use (all give the same integer sums).</summary>
    public enum Path { Scalar, Ssse3, Avx2 }

    /// <summary>
    /// The fastest path this CPU runs. Under NativeAOT at the default baseline the AVX2 test is
    /// folded to false at compile time and the SSSE3 test is made at run time.
    /// </summary>
    public static Path Best => Avx2.IsSupported ? Path.Avx2 : Ssse3.IsSupported ? Path.Ssse3 : Path.Scalar;

    private static void Require(Path path)
    {
        if (path == Path.Avx2 && !Avx2.IsSupported || path == Path.Ssse3 && !Ssse3.IsSupported)
            throw new PlatformNotSupportedException($"this CPU has no {path}");
    }

    /// <summary>Smallest plane side SSIM can measure: two 4x4 blocks make one 8x8 window.</summary>
    public const int MinSsimSide = 8;

    /// <summary>Ints of scratch <see cref="SsimSum"/> needs for planes up to <paramref name="maxWidth"/> wide.</summary>
    public static int SsimScratchInts(int maxWidth) => 8 * BlockRowInts(maxWidth);

    /// <summary>Ints of one block sum row (blocks plus padding for the 8-wide loads at i+1).</summary>
    private static int BlockRowInts(int width) => (width >> 2) + 16;

    /// <summary>Windows <see cref="SsimSum"/> sums over for a plane of this size.</summary>
    public static long SsimWindows(int width, int height) => (long)((width >> 2) - 1) * ((height >> 2) - 1);

    /// <summary>
    /// Sum of the SSIM of every 8x8 window (4-pixel steps) of two planes; divide by
    /// <see cref="SsimWindows"/> for the plane's SSIM. Both planes are
    /// <paramref name="width"/>x<paramref name="height"/> (each ≥ <see cref="MinSsimSide"/>).
    /// <paramref name="scratch"/> holds <see cref="SsimScratchInts"/>(width) ints.
    /// </summary>
    public static double SsimSum(byte* a, nint strideA, byte* b, nint strideB, int width, int height, int* scratch) =>
        SsimSum(a, strideA, b, strideB, width, height, scratch, Best);

    /// <summary>As <see cref="SsimSum(byte*, nint, byte*, nint, int, int, int*)"/> with a chosen path (tests, benchmarks).</summary>
    public static double SsimSum(byte* a, nint strideA, byte* b, nint strideB, int width, int height, int* scratch, Path path) =>
        PlaneSums(a, strideA, b, strideB, width, height, scratch, path, out _);

    /// <summary>
    /// <see cref="SsimSum(byte*, nint, byte*, nint, int, int, int*, Path)"/> and, in the same pass over the pixels,
    /// <see cref="SquaredError(byte*, nint, byte*, nint, int, int, Path)"/>: a block's Σ(a−b)² is its Σ(a²+b²) − 2Σab, which
    /// the SSIM sums already hold, so only the pixels past the last whole block (right and bottom) are read again. Scoring a
    /// frame reads each plane once instead of twice; frames that come from memory rather than cache (an encoder's reference
    /// pictures, a decoder's output) made the second read cost about as much as the first.
    /// </summary>
    public static double PlaneSums(byte* a, nint strideA, byte* b, nint strideB, int width, int height, int* scratch, Path path, out long squaredError)
    {
        Require(path);
        long sse = 0;
        int blocksX = width >> 2, blocksY = height >> 2;
        int rowInts = BlockRowInts(width);
        // Two rows of block sums (the row above and the current one), each as four arrays.
        int* prev = scratch, cur = scratch + 4 * rowInts;
        double total = 0;
        for (int z = 0; z < blocksY; z++)
        {
            int* swap = prev;
            prev = cur;
            cur = swap;
            byte* rowA = a + 4 * z * strideA, rowB = b + 4 * z * strideB;
            int done = path switch
            {
                Path.Avx2 => BlockSumsAvx2(rowA, strideA, rowB, strideB, blocksX, cur, rowInts),
                Path.Ssse3 => BlockSumsSsse3(rowA, strideA, rowB, strideB, blocksX, cur, rowInts),
                _ => 0,
            };
            BlockSumsScalar(rowA, strideA, rowB, strideB, done, blocksX, cur, rowInts);
            sse += BlockSquaredError(cur, rowInts, blocksX);
            if (z == 0) continue;
            int windows = blocksX - 1;
            float line = 0;
            int i = 0;
            if (path == Path.Avx2) (line, i) = WindowsAvx2(prev, cur, rowInts, windows);
            else if (path == Path.Ssse3) i = WindowsSsse3(prev, cur, rowInts, windows, ref line);
            for (; i < windows; i++) line += WindowScalar(prev, cur, rowInts, i);
            total += line;
        }
        // The pixels no whole block covers: the columns right of the last block, then the rows under the last block row.
        int covered = blocksX << 2, coveredRows = blocksY << 2;
        if (covered < width) sse += SquaredError(a + covered, strideA, b + covered, strideB, width - covered, height, path);
        if (coveredRows < height) sse += SquaredError(a + coveredRows * strideA, strideA, b + coveredRows * strideB, strideB, covered, height - coveredRows, path);
        squaredError = sse;
        return total;
    }

    /// <summary>Σ(a−b)² of one row of blocks from their sums: Σ(a²+b²) − 2Σab per block.</summary>
    private static long BlockSquaredError(int* sums, int rowInts, int blocks)
    {
        int* ss = sums + 2 * rowInts, s12 = sums + 3 * rowInts;
        long total = 0;
        for (int k = 0; k < blocks; k++) total += ss[k] - 2 * s12[k];
        return total;
    }

    /// <summary>
    /// Asks for the cache line at <paramref name="a"/> and <paramref name="b"/> in each of the 4 rows of the next block row (one call
    /// per 64 bytes of a block row). The pictures scored are seldom in cache (an encoder's input frames, held until their packet is
    /// decoded, a few dozen frames later), and the 8 row streams of a block row (4 rows of 2 pictures) are more than the hardware's
    /// prefetchers follow: with this (and the squared error taken from the block sums), a 1080x1920 pair scored from memory takes as
    /// long as one in cache, 0.65 ms on the 128-bit path instead of 1.52 (Engine.Benchmarks/RESULTS.md). A prefetch never faults, so
    /// the rows past a plane's last block row need no check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchNextBlockRow(byte* a, nint strideA, byte* b, nint strideB)
    {
        for (int y = 4; y < 8; y++)
        {
            Sse.Prefetch0(a + y * strideA);
            Sse.Prefetch0(b + y * strideB);
        }
    }

    /// <summary>Sums of blocks [from, to) of one block row into the four arrays at <paramref name="sums"/>.</summary>
    private static void BlockSumsScalar(byte* a, nint strideA, byte* b, nint strideB, int from, int to, int* sums, int rowInts)
    {
        for (int k = from; k < to; k++)
        {
            int s1 = 0, s2 = 0, ss = 0, s12 = 0;
            for (int y = 0; y < 4; y++)
            {
                byte* pa = a + y * strideA + 4 * k, pb = b + y * strideB + 4 * k;
                for (int x = 0; x < 4; x++)
                {
                    int va = pa[x], vb = pb[x];
                    s1 += va;
                    s2 += vb;
                    ss += va * va + vb * vb;
                    s12 += va * vb;
                }
            }
            sums[k] = s1;
            sums[rowInts + k] = s2;
            sums[2 * rowInts + k] = ss;
            sums[3 * rowInts + k] = s12;
        }
    }

    /// <summary>
    /// Block sums 8 blocks (32 pixels) at a time; returns how many blocks it did (a multiple of 8).
    /// Per row: bytes widen to 16-bit, pmaddwd gives sums of adjacent pixel pairs (a·a+b·b, a·b,
    /// a+a', b+b'), accumulated over the 4 rows; one phaddd then pairs the pairs into blocks,
    /// in the lane order [0 1 4 5 | 2 3 6 7], which a vpermd puts back in block order.
    /// </summary>
    private static int BlockSumsAvx2(byte* a, nint strideA, byte* b, nint strideB, int blocks, int* sums, int rowInts)
    {
        int chunks = blocks >> 3;
        var ones = Vector256.Create((short)1);
        var order = Vector256.Create(0, 1, 4, 5, 2, 3, 6, 7);
        for (int k = 0; k < chunks; k++)
        {
            Vector256<int> ssLo = default, ssHi = default, abLo = default, abHi = default;
            Vector256<short> sumALo = default, sumAHi = default, sumBLo = default, sumBHi = default;
            if ((k & 1) == 0) PrefetchNextBlockRow(a + 32 * k, strideA, b + 32 * k, strideB);
            for (int y = 0; y < 4; y++)
            {
                var va = Avx.LoadVector256(a + y * strideA + 32 * k);
                var vb = Avx.LoadVector256(b + y * strideB + 32 * k);
                var aLo = Avx2.ConvertToVector256Int16(va.GetLower());
                var aHi = Avx2.ConvertToVector256Int16(va.GetUpper());
                var bLo = Avx2.ConvertToVector256Int16(vb.GetLower());
                var bHi = Avx2.ConvertToVector256Int16(vb.GetUpper());
                ssLo = Avx2.Add(ssLo, Avx2.Add(Avx2.MultiplyAddAdjacent(aLo, aLo), Avx2.MultiplyAddAdjacent(bLo, bLo)));
                ssHi = Avx2.Add(ssHi, Avx2.Add(Avx2.MultiplyAddAdjacent(aHi, aHi), Avx2.MultiplyAddAdjacent(bHi, bHi)));
                abLo = Avx2.Add(abLo, Avx2.MultiplyAddAdjacent(aLo, bLo));
                abHi = Avx2.Add(abHi, Avx2.MultiplyAddAdjacent(aHi, bHi));
                // ≤ 4·255 per lane: fits 16 bits.
                sumALo = Avx2.Add(sumALo, aLo);
                sumAHi = Avx2.Add(sumAHi, aHi);
                sumBLo = Avx2.Add(sumBLo, bLo);
                sumBHi = Avx2.Add(sumBHi, bHi);
            }
            var s1 = Avx2.HorizontalAdd(Avx2.MultiplyAddAdjacent(sumALo, ones), Avx2.MultiplyAddAdjacent(sumAHi, ones));
            var s2 = Avx2.HorizontalAdd(Avx2.MultiplyAddAdjacent(sumBLo, ones), Avx2.MultiplyAddAdjacent(sumBHi, ones));
            var ss = Avx2.HorizontalAdd(ssLo, ssHi);
            var s12 = Avx2.HorizontalAdd(abLo, abHi);
            int at = 8 * k;
            Avx.Store(sums + at, Avx2.PermuteVar8x32(s1, order));
            Avx.Store(sums + rowInts + at, Avx2.PermuteVar8x32(s2, order));
            Avx.Store(sums + 2 * rowInts + at, Avx2.PermuteVar8x32(ss, order));
            Avx.Store(sums + 3 * rowInts + at, Avx2.PermuteVar8x32(s12, order));
        }
        return chunks << 3;
    }

    /// <summary>SSIM of window <paramref name="i"/>: blocks i, i+1 of the row above and of this row (vf_ssim's ssim_end1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float WindowScalar(int* prev, int* cur, int rowInts, int i)
    {
        int s1 = prev[i] + prev[i + 1] + cur[i] + cur[i + 1];
        int s2 = prev[rowInts + i] + prev[rowInts + i + 1] + cur[rowInts + i] + cur[rowInts + i + 1];
        int ss = prev[2 * rowInts + i] + prev[2 * rowInts + i + 1] + cur[2 * rowInts + i] + cur[2 * rowInts + i + 1];
        int s12 = prev[3 * rowInts + i] + prev[3 * rowInts + i + 1] + cur[3 * rowInts + i] + cur[3 * rowInts + i + 1];
        int vars = ss * 64 - s1 * s1 - s2 * s2;
        int covar = s12 * 64 - s1 * s2;
        return (float)(2 * s1 * s2 + C1) * (float)(2 * covar + C2) / ((float)(s1 * s1 + s2 * s2 + C1) * (float)(vars + C2));
    }

    /// <summary>Windows 8 at a time (same integer and float steps as <see cref="WindowScalar"/>); returns their sum and how many it did.</summary>
    private static (float Sum, int Done) WindowsAvx2(int* prev, int* cur, int rowInts, int windows)
    {
        int chunks = windows >> 3;
        var c1 = Vector256.Create(C1);
        var c2 = Vector256.Create(C2);
        var acc = Vector256<float>.Zero;
        for (int k = 0; k < chunks; k++)
        {
            int i = 8 * k;
            var s1 = Quad(prev, cur, i);
            var s2 = Quad(prev + rowInts, cur + rowInts, i);
            var ss = Quad(prev + 2 * rowInts, cur + 2 * rowInts, i);
            var s12 = Quad(prev + 3 * rowInts, cur + 3 * rowInts, i);
            var s1s1 = Avx2.MultiplyLow(s1, s1);
            var s2s2 = Avx2.MultiplyLow(s2, s2);
            var s1s2 = Avx2.MultiplyLow(s1, s2);
            var vars = Avx2.Subtract(Avx2.Subtract(Avx2.ShiftLeftLogical(ss, 6), s1s1), s2s2);
            var covar = Avx2.Subtract(Avx2.ShiftLeftLogical(s12, 6), s1s2);
            var num0 = Avx.ConvertToVector256Single(Avx2.Add(Avx2.ShiftLeftLogical(s1s2, 1), c1));
            var num1 = Avx.ConvertToVector256Single(Avx2.Add(Avx2.ShiftLeftLogical(covar, 1), c2));
            var den0 = Avx.ConvertToVector256Single(Avx2.Add(Avx2.Add(s1s1, s2s2), c1));
            var den1 = Avx.ConvertToVector256Single(Avx2.Add(vars, c2));
            acc = Avx.Add(acc, Avx.Divide(Avx.Multiply(num0, num1), Avx.Multiply(den0, den1)));
        }
        float sum = 0;
        for (int j = 0; j < 8; j++) sum += acc.GetElement(j);
        return (sum, chunks << 3);
    }

    /// <summary>x[i..i+8) + x[i+1..i+9) over the row above and this row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quad(int* prev, int* cur, int i) =>
        Avx2.Add(Avx2.Add(Avx.LoadVector256(prev + i), Avx.LoadVector256(prev + i + 1)),
                 Avx2.Add(Avx.LoadVector256(cur + i), Avx.LoadVector256(cur + i + 1)));

    // ---- SSSE3 (128-bit): 4 blocks / 4 windows a step ------------------------------------------

    /// <summary>
    /// Block sums 4 blocks (16 pixels) at a time; returns how many blocks it did (a multiple of 4).
    /// As <see cref="BlockSumsAvx2"/> at half the width: bytes widen to 16 bits (unpack with zero),
    /// pmaddwd gives pair sums accumulated over the 4 rows, and one phaddd pairs the pairs into
    /// blocks, which in 128 bits come out in block order.
    /// </summary>
    private static int BlockSumsSsse3(byte* a, nint strideA, byte* b, nint strideB, int blocks, int* sums, int rowInts)
    {
        int chunks = blocks >> 2;
        var ones = Vector128.Create((short)1);
        var zero = Vector128<byte>.Zero;
        for (int k = 0; k < chunks; k++)
        {
            Vector128<int> ssLo = default, ssHi = default, abLo = default, abHi = default;
            Vector128<short> sumALo = default, sumAHi = default, sumBLo = default, sumBHi = default;
            if ((k & 3) == 0) PrefetchNextBlockRow(a + 16 * k, strideA, b + 16 * k, strideB);
            for (int y = 0; y < 4; y++)
            {
                var va = Sse2.LoadVector128(a + y * strideA + 16 * k);
                var vb = Sse2.LoadVector128(b + y * strideB + 16 * k);
                var aLo = Sse2.UnpackLow(va, zero).AsInt16();
                var aHi = Sse2.UnpackHigh(va, zero).AsInt16();
                var bLo = Sse2.UnpackLow(vb, zero).AsInt16();
                var bHi = Sse2.UnpackHigh(vb, zero).AsInt16();
                ssLo = Sse2.Add(ssLo, Sse2.Add(Sse2.MultiplyAddAdjacent(aLo, aLo), Sse2.MultiplyAddAdjacent(bLo, bLo)));
                ssHi = Sse2.Add(ssHi, Sse2.Add(Sse2.MultiplyAddAdjacent(aHi, aHi), Sse2.MultiplyAddAdjacent(bHi, bHi)));
                abLo = Sse2.Add(abLo, Sse2.MultiplyAddAdjacent(aLo, bLo));
                abHi = Sse2.Add(abHi, Sse2.MultiplyAddAdjacent(aHi, bHi));
                // ≤ 4·255 per lane: fits 16 bits.
                sumALo = Sse2.Add(sumALo, aLo);
                sumAHi = Sse2.Add(sumAHi, aHi);
                sumBLo = Sse2.Add(sumBLo, bLo);
                sumBHi = Sse2.Add(sumBHi, bHi);
            }
            int at = 4 * k;
            Sse2.Store(sums + at, Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(sumALo, ones), Sse2.MultiplyAddAdjacent(sumAHi, ones)));
            Sse2.Store(sums + rowInts + at, Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(sumBLo, ones), Sse2.MultiplyAddAdjacent(sumBHi, ones)));
            Sse2.Store(sums + 2 * rowInts + at, Ssse3.HorizontalAdd(ssLo, ssHi));
            Sse2.Store(sums + 3 * rowInts + at, Ssse3.HorizontalAdd(abLo, abHi));
        }
        return chunks << 2;
    }

    /// <summary>
    /// Windows 4 at a time with the integer and float steps of <see cref="WindowScalar"/>, each
    /// window's value added to <paramref name="line"/> in window order as the scalar loop adds
    /// them, so the row's sum is bit-identical to the scalar path's; returns how many it did.
    /// The products s1·s1, s2·s2, s1·s2 come from pmaddwd (SSE2): s1, s2 ≤ 64·255 fit the low
    /// 16 bits of each lane with a zero high half, so the pair sum is the product alone.
    /// </summary>
    private static int WindowsSsse3(int* prev, int* cur, int rowInts, int windows, ref float line)
    {
        int chunks = windows >> 2;
        var c1 = Vector128.Create(C1);
        var c2 = Vector128.Create(C2);
        float sum = line;
        for (int k = 0; k < chunks; k++)
        {
            int i = 4 * k;
            var s1 = Quad128(prev, cur, i);
            var s2 = Quad128(prev + rowInts, cur + rowInts, i);
            var ss = Quad128(prev + 2 * rowInts, cur + 2 * rowInts, i);
            var s12 = Quad128(prev + 3 * rowInts, cur + 3 * rowInts, i);
            var s1s1 = Sse2.MultiplyAddAdjacent(s1.AsInt16(), s1.AsInt16());
            var s2s2 = Sse2.MultiplyAddAdjacent(s2.AsInt16(), s2.AsInt16());
            var s1s2 = Sse2.MultiplyAddAdjacent(s1.AsInt16(), s2.AsInt16());
            var vars = Sse2.Subtract(Sse2.Subtract(Sse2.ShiftLeftLogical(ss, 6), s1s1), s2s2);
            var covar = Sse2.Subtract(Sse2.ShiftLeftLogical(s12, 6), s1s2);
            var num0 = Sse2.ConvertToVector128Single(Sse2.Add(Sse2.ShiftLeftLogical(s1s2, 1), c1));
            var num1 = Sse2.ConvertToVector128Single(Sse2.Add(Sse2.ShiftLeftLogical(covar, 1), c2));
            var den0 = Sse2.ConvertToVector128Single(Sse2.Add(Sse2.Add(s1s1, s2s2), c1));
            var den1 = Sse2.ConvertToVector128Single(Sse2.Add(vars, c2));
            var v = Sse.Divide(Sse.Multiply(num0, num1), Sse.Multiply(den0, den1));
            sum += v.ToScalar();
            sum += v.GetElement(1);
            sum += v.GetElement(2);
            sum += v.GetElement(3);
        }
        line = sum;
        return chunks << 2;
    }

    /// <summary>x[i..i+4) + x[i+1..i+5) over the row above and this row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Quad128(int* prev, int* cur, int i) =>
        Sse2.Add(Sse2.Add(Sse2.LoadVector128(prev + i), Sse2.LoadVector128(prev + i + 1)),
                 Sse2.Add(Sse2.LoadVector128(cur + i), Sse2.LoadVector128(cur + i + 1)));

    /// <summary>The four lanes' sum (SSE2 shuffles: no SSSE3/SSE4.1 needed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Sum(Vector128<int> v)
    {
        v = Sse2.Add(v, Sse2.Shuffle(v, 0b_01_00_11_10));
        v = Sse2.Add(v, Sse2.Shuffle(v, 0b_10_11_00_01));
        return v.ToScalar();
    }

    /// <summary>Σ(a−b)² over every pixel of two <paramref name="width"/>x<paramref name="height"/> planes (vf_psnr's per-plane sum).</summary>
    public static long SquaredError(byte* a, nint strideA, byte* b, nint strideB, int width, int height) =>
        SquaredError(a, strideA, b, strideB, width, height, Best);

    /// <summary>As <see cref="SquaredError(byte*, nint, byte*, nint, int, int)"/> with a chosen path (tests, benchmarks).</summary>
    public static long SquaredError(byte* a, nint strideA, byte* b, nint strideB, int width, int height, Path path)
    {
        Require(path);
        long total = 0;
        for (int y = 0; y < height; y++)
        {
            byte* pa = a + y * strideA, pb = b + y * strideB;
            int x = 0;
            if (path == Path.Avx2)
            {
                // Per lane ≤ 4·255² per 32 pixels: an int holds rows up to ~260k pixels.
                var acc = Vector256<int>.Zero;
                for (; x + 32 <= width; x += 32)
                {
                    var va = Avx.LoadVector256(pa + x);
                    var vb = Avx.LoadVector256(pb + x);
                    var dLo = Avx2.Subtract(Avx2.ConvertToVector256Int16(va.GetLower()), Avx2.ConvertToVector256Int16(vb.GetLower()));
                    var dHi = Avx2.Subtract(Avx2.ConvertToVector256Int16(va.GetUpper()), Avx2.ConvertToVector256Int16(vb.GetUpper()));
                    acc = Avx2.Add(acc, Avx2.Add(Avx2.MultiplyAddAdjacent(dLo, dLo), Avx2.MultiplyAddAdjacent(dHi, dHi)));
                }
                total += Vector256.Sum(acc);
            }
            else if (path == Path.Ssse3)
            {
                // |a−b| as bytes (two saturating subtractions, one of them 0), widened, squared and
                // pair-summed by pmaddwd. Per lane ≤ 4·255² per 16 pixels: rows up to ~130k pixels.
                var acc = Vector128<int>.Zero;
                for (; x + 16 <= width; x += 16)
                {
                    var va = Sse2.LoadVector128(pa + x);
                    var vb = Sse2.LoadVector128(pb + x);
                    var diff = Sse2.Or(Sse2.SubtractSaturate(va, vb), Sse2.SubtractSaturate(vb, va));
                    var dLo = Sse2.UnpackLow(diff, Vector128<byte>.Zero).AsInt16();
                    var dHi = Sse2.UnpackHigh(diff, Vector128<byte>.Zero).AsInt16();
                    acc = Sse2.Add(acc, Sse2.Add(Sse2.MultiplyAddAdjacent(dLo, dLo), Sse2.MultiplyAddAdjacent(dHi, dHi)));
                }
                total += Sum(acc);
            }
            int row = 0;
            for (; x < width; x++)
            {
                int d = pa[x] - pb[x];
                row += d * d;
            }
            total += row;
        }
        return total;
    }
}
