using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// BGRA (opaque, full-range RGB) → yuv420p with BT.709 coefficients and limited range
/// (Y 16–235, U/V 16–240), in fixed-point integer maths, vectorised with AVX2 or SSSE3 where the
/// CPU has them. Every path computes the same integers, so all give identical bytes.
/// <para>
/// Chroma is filtered the way swscale (the converter this one replaces) filters it, so the
/// encoded picture does not change: each chroma sample takes the sum of the two pixels of its
/// column pair, and vertically the rows 2k-1, 2k, 2k+1, 2k+2 weighted 1, 3, 3, 1 (swscale's
/// bilinear 2:1 downscale; a plain 2x2 box differs from it by up to ~1/8 of the chroma range on a
/// horizontal edge). Rows and columns past the picture repeat the edge, as swscale's filter does;
/// an odd last column pairs its pixel with itself. Because the colour transform is linear, it is
/// applied once to the weighted RGB sum (total weight 16, kept exact in 16 bits) rather than to
/// each pixel: the same value as averaging per-pixel U/V, with one rounding instead of five.
/// </para>
/// <para>
/// Work is one pass over the rows: each source row gives its Y row and its column-pair RGB sums,
/// which go into a ring of four rows; a chroma row is written as soon as its four rows are in.
/// The ring is the only buffer, allocated once per converter.
/// </para>
/// </summary>
internal sealed unsafe class Yuv420Converter
{
    /// <summary>The instruction set a conversion uses (all give the same bytes).</summary>
    public enum Path { Scalar, Ssse3, Avx2 }

    /// <summary>The fastest path this CPU runs.</summary>
    public static Path Best => Avx2.IsSupported ? Path.Avx2 : Ssse3.IsSupported ? Path.Ssse3 : Path.Scalar;

    // BT.709 (Kr 0.2126, Kb 0.0722), scaled by 2^15. Luma: Kx * 219/255; the three sum to
    // round(219/255 * 2^15) so that white is exactly 235. Chroma: the Cb/Cr rows * 224/255,
    // each row summing to 0 so that every grey is exactly 128.
    private const int YR = 5983, YG = 20127, YB = 2032;
    private const int UR = -3298, UG = -11094, UB = 14392;
    private const int VR = 14392, VG = -13072, VB = -1320;
    private const int YShift = 15, YBias = (16 << YShift) + (1 << (YShift - 1));
    // Chroma comes from a weighted sum of 16 pixels: 4 more bits to drop.
    private const int CShift = 19, CBias = (128 << CShift) + (1 << (CShift - 1));

    private const int RingRows = 4;
    private readonly int _width, _height, _chromaWidth;
    /// <summary>Four rows of column-pair sums, (B, G, R, A) per chroma column, 16 bits each.</summary>
    private readonly ushort[] _ring;

    public Yuv420Converter(int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"a {width}x{height} picture has no pixels");
        _width = width;
        _height = height;
        _chromaWidth = (width + 1) / 2;
        _ring = new ushort[RingRows * _chromaWidth * 4];
    }

    public int Width => _width;
    public int Height => _height;

    /// <summary>
    /// Converts the BGRA image at <paramref name="src"/> (rows <paramref name="srcStride"/> bytes
    /// apart) into the three planes. Not thread-safe: one conversion at a time per converter.
    /// </summary>
    public void Convert(byte* src, int srcStride, byte* y, int yStride, byte* u, int uStride, byte* v, int vStride) =>
        Convert(src, srcStride, y, yStride, u, uStride, v, vStride, Best);

    /// <summary>As <see cref="Convert(byte*, int, byte*, int, byte*, int, byte*, int)"/> with a chosen path (tests, benchmarks).</summary>
    public void Convert(byte* src, int srcStride, byte* y, int yStride, byte* u, int uStride, byte* v, int vStride, Path path)
    {
        if (srcStride < _width * 4) throw new ArgumentOutOfRangeException(nameof(srcStride), $"a {_width}-pixel BGRA row needs {_width * 4} bytes, the stride is {srcStride}");
        if (path == Path.Avx2 && !Avx2.IsSupported || path == Path.Ssse3 && !Ssse3.IsSupported)
            throw new PlatformNotSupportedException($"this CPU has no {path}");
        fixed (ushort* ring = _ring)
        {
            int w = _width, h = _height, cw = _chromaWidth, ch = (h + 1) / 2;
            int ringStride = cw * 4;
            int next = 0; // the next source row to take in
            for (int k = 0; k < ch; k++)
            {
                int last = Math.Min(2 * k + 2, h - 1);
                for (; next <= last; next++)
                {
                    byte* s = src + (nint)next * srcStride;
                    byte* yRow = y + (nint)next * yStride;
                    ushort* pairs = ring + (next % RingRows) * ringStride;
                    if (path == Path.Avx2) RowAvx2(s, w, yRow, pairs);
                    else if (path == Path.Ssse3) RowSsse3(s, w, yRow, pairs);
                    else RowScalar(s, 0, w, yRow, pairs);
                }
                ushort* a = ring + (Math.Max(2 * k - 1, 0) % RingRows) * ringStride;
                ushort* b = ring + (2 * k % RingRows) * ringStride;
                ushort* c = ring + (Math.Min(2 * k + 1, h - 1) % RingRows) * ringStride;
                ushort* d = ring + (last % RingRows) * ringStride;
                byte* uRow = u + (nint)k * uStride, vRow = v + (nint)k * vStride;
                if (path == Path.Avx2) ChromaAvx2(a, b, c, d, cw, uRow, vRow);
                else if (path == Path.Ssse3) ChromaSsse3(a, b, c, d, cw, uRow, vRow);
                else ChromaScalar(a, b, c, d, 0, cw, uRow, vRow);
            }
        }
    }

    // ---- scalar: the definition, and the tails of the vector paths ---------------------------------

    /// <summary>Y of pixels [from, w) and the column-pair sums from pair from/2 on (<paramref name="from"/> even).</summary>
    private static void RowScalar(byte* s, int from, int w, byte* yRow, ushort* pairs)
    {
        for (int x = from; x < w; x++)
        {
            byte* p = s + 4 * x;
            yRow[x] = (byte)((YB * p[0] + YG * p[1] + YR * p[2] + YBias) >> YShift);
        }
        for (int x = from; x < w; x += 2)
        {
            byte* p0 = s + 4 * x;
            byte* p1 = x + 1 < w ? p0 + 4 : p0; // an odd last column pairs with itself
            ushort* o = pairs + 2 * x;
            o[0] = (ushort)(p0[0] + p1[0]);
            o[1] = (ushort)(p0[1] + p1[1]);
            o[2] = (ushort)(p0[2] + p1[2]);
            o[3] = (ushort)(p0[3] + p1[3]);
        }
    }

    /// <summary>U and V of chroma columns [from, cw) from four rows of pair sums weighted 1, 3, 3, 1.</summary>
    private static void ChromaScalar(ushort* a, ushort* b, ushort* c, ushort* d, int from, int cw, byte* uRow, byte* vRow)
    {
        for (int j = from; j < cw; j++)
        {
            int i = 4 * j;
            int sb = a[i] + d[i] + 3 * (b[i] + c[i]);
            int sg = a[i + 1] + d[i + 1] + 3 * (b[i + 1] + c[i + 1]);
            int sr = a[i + 2] + d[i + 2] + 3 * (b[i + 2] + c[i + 2]);
            uRow[j] = (byte)((UB * sb + UG * sg + UR * sr + CBias) >> CShift);
            vRow[j] = (byte)((VB * sb + VG * sg + VR * sr + CBias) >> CShift);
        }
    }

    // ---- AVX2: 32 pixels / 16 chroma samples a step ------------------------------------------------
    // A step past the last whole block is moved back to end at the edge: it recomputes a few
    // samples with the same values instead of leaving a tail to the scalar code.

    private static void RowAvx2(byte* s, int w, byte* yRow, ushort* pairs)
    {
        int even = w & ~1;
        int x = 0;
        if (even >= 32)
        {
            var coeffs = Vector256.Create((short)YB, YG, YR, 0, YB, YG, YR, 0, YB, YG, YR, 0, YB, YG, YR, 0);
            var bias = Vector256.Create(YBias);
            var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
            var pairOrder = Vector256.Create((byte)0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15, 0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15);
            var ones = Vector256.Create((sbyte)1);
            int lastBlock = even - 32;
            for (; ; x += 32)
            {
                if (x > lastBlock) x = lastBlock;
                byte* p = s + 4 * x;
                var v0 = Avx.LoadVector256(p);
                var v1 = Avx.LoadVector256(p + 32);
                var v2 = Avx.LoadVector256(p + 64);
                var v3 = Avx.LoadVector256(p + 96);
                var y01 = Avx2.PackSignedSaturate(Luma8(v0, coeffs, bias), Luma8(v1, coeffs, bias));
                var y23 = Avx2.PackSignedSaturate(Luma8(v2, coeffs, bias), Luma8(v3, coeffs, bias));
                // packs work within 128-bit lanes: groups of 4 come out as 0,2,4,6 | 1,3,5,7.
                var ys = Avx2.PermuteVar8x32(Avx2.PackUnsignedSaturate(y01, y23).AsInt32(), order);
                Avx.Store(yRow + x, ys.AsByte());
                ushort* o = pairs + 2 * x;
                Avx.Store((short*)o, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(v0, pairOrder), ones));
                Avx.Store((short*)o + 16, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(v1, pairOrder), ones));
                Avx.Store((short*)o + 32, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(v2, pairOrder), ones));
                Avx.Store((short*)o + 48, Avx2.MultiplyAddAdjacent(Avx2.Shuffle(v3, pairOrder), ones));
                if (x == lastBlock) break;
            }
            x = even;
        }
        RowScalar(s, x, w, yRow, pairs);
    }

    /// <summary>Y of 8 pixels as 32-bit integers, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Luma8(Vector256<byte> bgra, Vector256<short> coeffs, Vector256<int> bias)
    {
        var lo = Avx2.UnpackLow(bgra, Vector256<byte>.Zero).AsInt16();  // pixels 0,1 | 4,5
        var hi = Avx2.UnpackHigh(bgra, Vector256<byte>.Zero).AsInt16(); // pixels 2,3 | 6,7
        var sum = Avx2.HorizontalAdd(Avx2.MultiplyAddAdjacent(lo, coeffs), Avx2.MultiplyAddAdjacent(hi, coeffs));
        return Avx2.ShiftRightArithmetic(Avx2.Add(sum, bias), YShift);
    }

    private static void ChromaAvx2(ushort* a, ushort* b, ushort* c, ushort* d, int cw, byte* uRow, byte* vRow)
    {
        int j = 0;
        if (cw >= 16)
        {
            var cu = Vector256.Create((short)UB, UG, UR, 0, UB, UG, UR, 0, UB, UG, UR, 0, UB, UG, UR, 0);
            var cv = Vector256.Create((short)VB, VG, VR, 0, VB, VG, VR, 0, VB, VG, VR, 0, VB, VG, VR, 0);
            var bias = Vector256.Create(CBias);
            var split = Vector256.Create((byte)0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15, 0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
            int lastBlock = cw - 16;
            for (; ; j += 16)
            {
                if (j > lastBlock) j = lastBlock;
                int i = 4 * j;
                var uv0 = Chroma4(a + i, b + i, c + i, d + i, cu, cv, bias);
                var uv1 = Chroma4(a + i + 16, b + i + 16, c + i + 16, d + i + 16, cu, cv, bias);
                var uv2 = Chroma4(a + i + 32, b + i + 32, c + i + 32, d + i + 32, cu, cv, bias);
                var uv3 = Chroma4(a + i + 48, b + i + 48, c + i + 48, d + i + 48, cu, cv, bias);
                // Bytes per lane: U0 U1 V0 V1 U4 U5 V4 V5 U8 U9 V8 V9 U12 U13 V12 V13 | the same for 2,3,6,7,...
                var packed = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(uv0, uv1), Avx2.PackSignedSaturate(uv2, uv3));
                // → U pairs then V pairs in each lane; interleaving the lanes' 16-bit pairs restores the order.
                var grouped = Avx2.Shuffle(packed, split);
                var lo = Avx2.ExtractVector128(grouped, 0).AsInt16();
                var hi = Avx2.ExtractVector128(grouped, 1).AsInt16();
                Sse2.Store(uRow + j, Sse2.UnpackLow(lo, hi).AsByte());
                Sse2.Store(vRow + j, Sse2.UnpackHigh(lo, hi).AsByte());
                if (j == lastBlock) break;
            }
            j = cw;
        }
        ChromaScalar(a, b, c, d, j, cw, uRow, vRow);
    }

    /// <summary>U and V of 4 chroma columns: U0 U1 V0 V1 | U2 U3 V2 V3, as 32-bit integers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Chroma4(ushort* a, ushort* b, ushort* c, ushort* d, Vector256<short> cu, Vector256<short> cv, Vector256<int> bias)
    {
        var mid = Avx2.Add(Avx.LoadVector256((short*)b), Avx.LoadVector256((short*)c));
        var ends = Avx2.Add(Avx.LoadVector256((short*)a), Avx.LoadVector256((short*)d));
        var sum = Avx2.Add(ends, Avx2.Add(mid, Avx2.Add(mid, mid))); // ≤ 16 * 255: fits 16 bits
        var uv = Avx2.HorizontalAdd(Avx2.MultiplyAddAdjacent(sum, cu), Avx2.MultiplyAddAdjacent(sum, cv));
        return Avx2.ShiftRightArithmetic(Avx2.Add(uv, bias), CShift);
    }

    // ---- SSSE3: 16 pixels / 8 chroma samples a step ------------------------------------------------

    private static void RowSsse3(byte* s, int w, byte* yRow, ushort* pairs)
    {
        int even = w & ~1;
        int x = 0;
        if (even >= 16)
        {
            var coeffs = Vector128.Create((short)YB, YG, YR, 0, YB, YG, YR, 0);
            var bias = Vector128.Create(YBias);
            var pairOrder = Vector128.Create((byte)0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15);
            var ones = Vector128.Create((sbyte)1);
            int lastBlock = even - 16;
            for (; ; x += 16)
            {
                if (x > lastBlock) x = lastBlock;
                byte* p = s + 4 * x;
                var v0 = Sse2.LoadVector128(p);
                var v1 = Sse2.LoadVector128(p + 16);
                var v2 = Sse2.LoadVector128(p + 32);
                var v3 = Sse2.LoadVector128(p + 48);
                var y01 = Sse2.PackSignedSaturate(Luma4(v0, coeffs, bias), Luma4(v1, coeffs, bias));
                var y23 = Sse2.PackSignedSaturate(Luma4(v2, coeffs, bias), Luma4(v3, coeffs, bias));
                Sse2.Store(yRow + x, Sse2.PackUnsignedSaturate(y01, y23));
                ushort* o = pairs + 2 * x;
                Sse2.Store((short*)o, Ssse3.MultiplyAddAdjacent(Ssse3.Shuffle(v0, pairOrder), ones));
                Sse2.Store((short*)o + 8, Ssse3.MultiplyAddAdjacent(Ssse3.Shuffle(v1, pairOrder), ones));
                Sse2.Store((short*)o + 16, Ssse3.MultiplyAddAdjacent(Ssse3.Shuffle(v2, pairOrder), ones));
                Sse2.Store((short*)o + 24, Ssse3.MultiplyAddAdjacent(Ssse3.Shuffle(v3, pairOrder), ones));
                if (x == lastBlock) break;
            }
            x = even;
        }
        RowScalar(s, x, w, yRow, pairs);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Luma4(Vector128<byte> bgra, Vector128<short> coeffs, Vector128<int> bias)
    {
        var lo = Sse2.UnpackLow(bgra, Vector128<byte>.Zero).AsInt16();
        var hi = Sse2.UnpackHigh(bgra, Vector128<byte>.Zero).AsInt16();
        var sum = Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(lo, coeffs), Sse2.MultiplyAddAdjacent(hi, coeffs));
        return Sse2.ShiftRightArithmetic(Sse2.Add(sum, bias), YShift);
    }

    private static void ChromaSsse3(ushort* a, ushort* b, ushort* c, ushort* d, int cw, byte* uRow, byte* vRow)
    {
        int j = 0;
        if (cw >= 8)
        {
            var cu = Vector128.Create((short)UB, UG, UR, 0, UB, UG, UR, 0);
            var cv = Vector128.Create((short)VB, VG, VR, 0, VB, VG, VR, 0);
            var bias = Vector128.Create(CBias);
            var split = Vector128.Create((byte)0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
            int lastBlock = cw - 8;
            for (; ; j += 8)
            {
                if (j > lastBlock) j = lastBlock;
                int i = 4 * j;
                var uv0 = Chroma2(a + i, b + i, c + i, d + i, cu, cv, bias);
                var uv1 = Chroma2(a + i + 8, b + i + 8, c + i + 8, d + i + 8, cu, cv, bias);
                var uv2 = Chroma2(a + i + 16, b + i + 16, c + i + 16, d + i + 16, cu, cv, bias);
                var uv3 = Chroma2(a + i + 24, b + i + 24, c + i + 24, d + i + 24, cu, cv, bias);
                // U0 U1 V0 V1 U2 U3 V2 V3 U4 U5 V4 V5 U6 U7 V6 V7 → U0..U7 V0..V7
                var packed = Sse2.PackUnsignedSaturate(Sse2.PackSignedSaturate(uv0, uv1), Sse2.PackSignedSaturate(uv2, uv3));
                var grouped = Ssse3.Shuffle(packed, split).AsInt64();
                Sse2.StoreScalar((long*)(uRow + j), grouped);
                Sse2.StoreScalar((long*)(vRow + j), Sse2.UnpackHigh(grouped, grouped));
                if (j == lastBlock) break;
            }
            j = cw;
        }
        ChromaScalar(a, b, c, d, j, cw, uRow, vRow);
    }

    /// <summary>U and V of 2 chroma columns: U0 U1 V0 V1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Chroma2(ushort* a, ushort* b, ushort* c, ushort* d, Vector128<short> cu, Vector128<short> cv, Vector128<int> bias)
    {
        var mid = Sse2.Add(Sse2.LoadVector128((short*)b), Sse2.LoadVector128((short*)c));
        var ends = Sse2.Add(Sse2.LoadVector128((short*)a), Sse2.LoadVector128((short*)d));
        var sum = Sse2.Add(ends, Sse2.Add(mid, Sse2.Add(mid, mid)));
        var uv = Ssse3.HorizontalAdd(Sse2.MultiplyAddAdjacent(sum, cu), Sse2.MultiplyAddAdjacent(sum, cv));
        return Sse2.ShiftRightArithmetic(Sse2.Add(uv, bias), CShift);
    }
}
