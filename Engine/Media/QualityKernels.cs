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
/// AVX2 paths do 8 blocks (32 pixels) and 8 windows per step; the scalar path is the
/// reference and serves machines without AVX2 and the tails of rows. Both give identical
/// integer sums; window values are identical, only the float summation order differs.
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
    public static FrameScore ScoreFrames(nint a, nint b, int width, int height, int chromaWidth, int chromaHeight, int* scratch)
    {
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
            ssim[p] = SsimSum(dataA[p], linesA[p], dataB[p], linesB[p], w, h, scratch) / SsimWindows(w, h);
            planeMse[p] = SquaredError(dataA[p], linesA[p], dataB[p], linesB[p], w, h) / planeSamples;
            all += planeSamples * ssim[p];
            mse += planeSamples * planeMse[p];
        }
        return new FrameScore(all / samples, ssim[0], ssim[1], ssim[2], mse / samples, planeMse[0]);
    }

    /// <summary>(int)(.01²·255²·64 + .5): vf_ssim's C1 for 8-bit sums over 64 pixels.</summary>
    private const int C1 = 416;

    /// <summary>(int)(.03²·255²·64·63 + .5): vf_ssim's C2 for 8-bit sums over 64 pixels.</summary>
    private const int C2 = 235963;

    /// <summary>Whether the AVX2 paths run; tests switch it off to check them against the scalar path.</summary>
    internal static bool UseAvx2 { get; set; } = Avx2.IsSupported;

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
    public static double SsimSum(byte* a, nint strideA, byte* b, nint strideB, int width, int height, int* scratch)
    {
        int blocksX = width >> 2, blocksY = height >> 2;
        int rowInts = BlockRowInts(width);
        // Two rows of block sums (the row above and the current one), each as four arrays.
        int* prev = scratch, cur = scratch + 4 * rowInts;
        bool avx2 = UseAvx2;
        double total = 0;
        for (int z = 0; z < blocksY; z++)
        {
            int* swap = prev;
            prev = cur;
            cur = swap;
            byte* rowA = a + 4 * z * strideA, rowB = b + 4 * z * strideB;
            int done = avx2 ? BlockSumsAvx2(rowA, strideA, rowB, strideB, blocksX, cur, rowInts) : 0;
            BlockSumsScalar(rowA, strideA, rowB, strideB, done, blocksX, cur, rowInts);
            if (z == 0) continue;
            int windows = blocksX - 1;
            float line = 0;
            int i = 0;
            if (avx2) (line, i) = WindowsAvx2(prev, cur, rowInts, windows);
            for (; i < windows; i++) line += WindowScalar(prev, cur, rowInts, i);
            total += line;
        }
        return total;
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

    /// <summary>Σ(a−b)² over every pixel of two <paramref name="width"/>x<paramref name="height"/> planes (vf_psnr's per-plane sum).</summary>
    public static long SquaredError(byte* a, nint strideA, byte* b, nint strideB, int width, int height)
    {
        bool avx2 = UseAvx2;
        long total = 0;
        for (int y = 0; y < height; y++)
        {
            byte* pa = a + y * strideA, pb = b + y * strideB;
            int x = 0;
            if (avx2)
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
