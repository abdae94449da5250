using System.Runtime.InteropServices;
using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Render;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// The engine's BGRA → yuv420p converter against swscale (the reference it replaced) on
/// gradients, noise, primaries, high-contrast line art and a rendered story frame, at even and
/// odd sizes; and its AVX2, SSSE3 and scalar paths against each other, byte for byte.
/// </summary>
public unsafe class Yuv420ConverterTests
{
    private const int Tolerance = 2;

    [OneTimeSetUp]
    public void Load() => LibAvLoader.EnsureLoaded();

    /// <summary>An owned BGRA image with a chosen stride (wider than the row, and not a multiple of 32).</summary>
    private sealed class Bgra : IDisposable
    {
        public readonly int Width, Height, Stride;
        public readonly nint Pixels;
        private readonly byte* _block;

        public Bgra(int width, int height)
        {
            Width = width;
            Height = height;
            Stride = width * 4 + 20;
            // Offset by 4 bytes from the allocation's alignment: the converter must not need aligned rows.
            _block = (byte*)NativeMemory.AllocZeroed((nuint)(Stride * height + 4));
            Pixels = (nint)(_block + 4);
        }

        public byte* Row(int y) => (byte*)Pixels + (nint)y * Stride;

        public void Set(int x, int y, byte r, byte g, byte b)
        {
            byte* p = Row(y) + 4 * x;
            p[0] = b;
            p[1] = g;
            p[2] = r;
            p[3] = 255;
        }

        public void Dispose() => NativeMemory.Free(_block);
    }

    // ---- images -------------------------------------------------------------------------------------

    private delegate void Painter(Bgra image);

    private static readonly Dictionary<string, Painter> Images = new()
    {
        ["gradients"] = img =>
        {
            for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
                img.Set(x, y, (byte)(255 * x / Math.Max(1, img.Width - 1)), (byte)(255 * y / Math.Max(1, img.Height - 1)),
                    (byte)(255 * (x + y) / Math.Max(1, img.Width + img.Height - 2)));
        },
        ["noise"] = img =>
        {
            var random = new Random(1234);
            for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
                img.Set(x, y, (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        },
        // Bands of black, white, grey, primaries and secondaries, each a few pixels, both ways.
        ["primaries"] = img =>
        {
            (byte R, byte G, byte B)[] colours = [(0, 0, 0), (255, 255, 255), (128, 128, 128), (255, 0, 0), (0, 255, 0), (0, 0, 255), (0, 255, 255), (255, 0, 255), (255, 255, 0)];
            for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
            {
                var c = colours[(x / 7 + y / 5) % colours.Length];
                img.Set(x, y, c.R, c.G, c.B);
            }
        },
        // Line art: one-pixel rules, a checkerboard, antialiased strokes and circles in saturated
        // colours on white and black, the edges that text has.
        ["line-art"] = img =>
        {
            var info = new SKImageInfo(img.Width, img.Height, SKColorType.Bgra8888, SKAlphaType.Premul);
            using var surface = SKSurface.Create(info, img.Pixels, img.Stride)!;
            var canvas = surface.Canvas;
            canvas.Clear(SKColors.White);
            using var paint = new SKPaint { IsAntialias = true, StrokeWidth = 1.3f, Style = SKPaintStyle.Stroke };
            canvas.DrawRect(0, img.Height / 2f, img.Width, img.Height / 2f, new SKPaint { Color = SKColors.Black });
            SKColor[] inks = [SKColors.Black, SKColors.Red, new SKColor(0, 0, 255), new SKColor(0, 200, 0), SKColors.White, SKColors.Magenta];
            for (int i = 0; i * 3 < img.Width + img.Height; i++)
            {
                paint.Color = inks[i % inks.Length];
                canvas.DrawLine(i * 3, 0, i * 3 - img.Height * 0.6f, img.Height, paint);
                canvas.DrawCircle(i * 9 % Math.Max(1, img.Width), i * 13 % Math.Max(1, img.Height), 3 + i % 5, paint);
            }
            for (int y = 0; y < img.Height; y += 4)
            for (int x = 0; x < img.Width / 3; x++)
                img.Set(x, y, 255, 0, 0); // one-pixel red rules on white and on black
            for (int y = 0; y < img.Height / 4; y++)
            for (int x = img.Width / 2; x < img.Width; x++)
                if (((x ^ y) & 1) == 0) img.Set(x, y, 0, 0, 0); // checkerboard
            canvas.Flush();
        },
    };

    private static readonly (int W, int H)[] Sizes = [(1, 1), (2, 2), (3, 5), (17, 9), (33, 17), (64, 48), (101, 57), (102, 58), (360, 640)];

    private static IEnumerable<TestCaseData> ImagesAndSizes() =>
        from image in Images.Keys from size in Sizes select new TestCaseData(image, size.W, size.H).SetArgDisplayNames(image, $"{size.W}x{size.H}");

    // ---- planes -------------------------------------------------------------------------------------

    /// <summary>The three planes of a frame, copied out without their padding.</summary>
    private sealed record Planes(int Width, int Height, byte[] Y, byte[] U, byte[] V)
    {
        public int ChromaWidth => (Width + 1) / 2;
        public int ChromaHeight => (Height + 1) / 2;
    }

    private static Planes Read(nint frame, int width, int height, bool yuv444 = false)
    {
        var data = (byte**)((byte*)frame + AvLayout.Frame.Data);
        var linesize = (int*)((byte*)frame + AvLayout.Frame.Linesize);
        int cw = yuv444 ? width : (width + 1) / 2, ch = yuv444 ? height : (height + 1) / 2;
        byte[] Copy(int plane, int w, int h)
        {
            var bytes = new byte[w * h];
            for (int y = 0; y < h; y++) new ReadOnlySpan<byte>(data[plane] + (nint)y * linesize[plane], w).CopyTo(bytes.AsSpan(y * w));
            return bytes;
        }
        return new Planes(width, height, Copy(0, width, height), Copy(1, cw, ch), Copy(2, cw, ch));
    }

    private static Planes Engine(Bgra image, Yuv420Converter.Path path)
    {
        using var frame = FrameConverter.AllocateFrame(image.Width, image.Height);
        var data = (byte**)((byte*)frame.Ptr + AvLayout.Frame.Data);
        var linesize = (int*)((byte*)frame.Ptr + AvLayout.Frame.Linesize);
        new Yuv420Converter(image.Width, image.Height).Convert((byte*)image.Pixels, image.Stride, data[0], linesize[0], data[1], linesize[1], data[2], linesize[2], path);
        return Read(frame.Ptr, image.Width, image.Height);
    }

    private static Planes Swscale(Bgra image, int format = AvConst.PixFmtYuv420p)
    {
        using var sws = new SwscaleFrameConverter(image.Width, image.Height, format);
        using var frame = FrameConverter.AllocateFrame(image.Width, image.Height, format);
        sws.Convert(image.Pixels, image.Stride, frame.Ptr);
        return Read(frame.Ptr, image.Width, image.Height, yuv444: format == AvConst.PixFmtYuv444p);
    }

    private static IEnumerable<Yuv420Converter.Path> Paths()
    {
        yield return Yuv420Converter.Path.Scalar;
        if (System.Runtime.Intrinsics.X86.Ssse3.IsSupported) yield return Yuv420Converter.Path.Ssse3;
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) yield return Yuv420Converter.Path.Avx2;
    }

    /// <summary>Counts of |a - b| = 0, 1, 2, and more.</summary>
    private static int[] Histogram(byte[] a, byte[] b)
    {
        var counts = new int[4];
        for (int i = 0; i < a.Length; i++) counts[Math.Min(3, Math.Abs(a[i] - b[i]))]++;
        return counts;
    }

    private static string Describe(string plane, int[] h) => $"{plane} |diff| 0:{h[0]} 1:{h[1]} 2:{h[2]} >2:{h[3]}";

    private static void AssertNear(string what, Planes actual, Planes expected, bool lumaOnly = false)
    {
        var hy = Histogram(actual.Y, expected.Y);
        var hu = Histogram(actual.U, expected.U);
        var hv = Histogram(actual.V, expected.V);
        TestContext.Out.WriteLine($"{what}: {Describe("Y", hy)}; {Describe("U", hu)}; {Describe("V", hv)}");
        Assert.Multiple(() =>
        {
            Assert.That(hy[3], Is.Zero, $"{what}: Y differs by more than {Tolerance} at {hy[3]} samples");
            if (lumaOnly) return;
            Assert.That(hu[3], Is.Zero, $"{what}: U differs by more than {Tolerance} at {hu[3]} samples");
            Assert.That(hv[3], Is.Zero, $"{what}: V differs by more than {Tolerance} at {hv[3]} samples");
        });
    }

    // ---- tests --------------------------------------------------------------------------------------

    [TestCaseSource(nameof(ImagesAndSizes))]
    public void Every_path_gives_the_same_bytes(string image, int width, int height)
    {
        using var img = new Bgra(width, height);
        Images[image](img);
        var scalar = Engine(img, Yuv420Converter.Path.Scalar);
        foreach (var path in Paths().Skip(1))
        {
            var planes = Engine(img, path);
            Assert.That(planes.Y, Is.EqualTo(scalar.Y), $"{path} Y");
            Assert.That(planes.U, Is.EqualTo(scalar.U), $"{path} U");
            Assert.That(planes.V, Is.EqualTo(scalar.V), $"{path} V");
        }
    }

    /// <summary>
    /// Within 2 of swscale's yuv420p on every plane at even sizes 8 rows high or more (the
    /// encoder takes even sides of 64 or more). Elsewhere swscale's chroma is not the filter it
    /// uses for video frames, so only luma is compared with it (chroma: the next test): at odd
    /// sizes it stretches the chroma grid (w/ceil(w/2) instead of 2), and it cuts its vertical
    /// filter to fewer than 4 taps when the picture has fewer than 8 rows (at 2 rows it keeps one).
    /// </summary>
    [TestCaseSource(nameof(ImagesAndSizes))]
    public void Matches_swscale_yuv420p(string image, int width, int height)
    {
        using var img = new Bgra(width, height);
        Images[image](img);
        bool sameChromaFilter = width % 2 == 0 && height % 2 == 0 && height >= 8;
        AssertNear($"{image} {width}x{height} vs swscale yuv420p", Engine(img, Yuv420Converter.Best), Swscale(img), lumaOnly: !sameChromaFilter);
    }

    /// <summary>
    /// Chroma at every size against swscale's own per-pixel U and V (yuv444p), filtered here in
    /// floating point the way the converter documents: column pairs, rows 1-3-3-1, edges repeated.
    /// </summary>
    [TestCaseSource(nameof(ImagesAndSizes))]
    public void Chroma_is_swscale_per_pixel_chroma_filtered_as_documented(string image, int width, int height)
    {
        using var img = new Bgra(width, height);
        Images[image](img);
        var full = Swscale(img, AvConst.PixFmtYuv444p);
        var engine = Engine(img, Yuv420Converter.Best);
        byte[] Filter(byte[] plane)
        {
            int cw = (width + 1) / 2, ch = (height + 1) / 2;
            var result = new byte[cw * ch];
            int[] rowWeights = [1, 3, 3, 1];
            for (int k = 0; k < ch; k++)
            for (int j = 0; j < cw; j++)
            {
                double sum = 0;
                for (int t = 0; t < 4; t++)
                {
                    int row = Math.Clamp(2 * k - 1 + t, 0, height - 1);
                    for (int dx = 0; dx < 2; dx++) sum += rowWeights[t] * plane[row * width + Math.Min(2 * j + dx, width - 1)];
                }
                result[k * cw + j] = (byte)Math.Round(sum / 16);
            }
            return result;
        }
        var expected = full with { Y = full.Y, U = Filter(full.U), V = Filter(full.V) };
        AssertNear($"{image} {width}x{height} vs swscale yuv444p filtered", engine, expected);
    }

    [Test]
    public void A_rendered_story_frame_matches_swscale()
    {
        using var scene = TestSupport.Scene(Render.TemplateGoldenTests.TemplateStory("imessage", "1080x1920"));
        using var renderer = new FrameRenderer(scene);
        using var img = new Bgra(scene.Width, scene.Height);
        var info = FrameRenderer.FrameInfo(scene);
        using (var surface = SKSurface.Create(info, img.Pixels, img.Stride)!)
        {
            renderer.Render(surface.Canvas, 4000);
            surface.Canvas.Flush();
        }
        var engine = Engine(img, Yuv420Converter.Best);
        AssertNear("story frame 1080x1920 vs swscale yuv420p", engine, Swscale(img));
        foreach (var path in Paths().Where(p => p != Yuv420Converter.Best))
            Assert.That(Engine(img, path).Y.AsSpan().SequenceEqual(engine.Y), $"{path} Y equals {Yuv420Converter.Best}");
    }

    /// <summary>The BT.709 limited-range values of the reference colours, known independently of either converter.</summary>
    [TestCase(0, 0, 0, 16, 128, 128)]
    [TestCase(255, 255, 255, 235, 128, 128)]
    [TestCase(128, 128, 128, 126, 128, 128)]
    [TestCase(255, 0, 0, 63, 102, 240)]
    [TestCase(0, 255, 0, 173, 42, 26)]
    [TestCase(0, 0, 255, 32, 240, 118)]
    public void Solid_colours_have_their_bt709_limited_range_values(int r, int g, int b, int y, int u, int v)
    {
        using var img = new Bgra(6, 4);
        for (int j = 0; j < img.Height; j++)
        for (int i = 0; i < img.Width; i++)
            img.Set(i, j, (byte)r, (byte)g, (byte)b);
        foreach (var path in Paths())
        {
            var planes = Engine(img, path);
            Assert.That(planes.Y.Distinct(), Is.EqualTo(new[] { (byte)y }), $"{path} Y");
            Assert.That(planes.U.Distinct(), Is.EqualTo(new[] { (byte)u }), $"{path} U");
            Assert.That(planes.V.Distinct(), Is.EqualTo(new[] { (byte)v }), $"{path} V");
        }
    }

    [Test]
    public void Converting_a_frame_allocates_nothing()
    {
        using var converter = new FrameConverter(360, 640);
        using var frame = converter.AllocateFrame();
        using var img = new Bgra(360, 640);
        Images["noise"](img);
        converter.Convert(img.Pixels, img.Stride, frame.Ptr);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) converter.Convert(img.Pixels, img.Stride, frame.Ptr);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void A_frame_of_another_size_is_refused()
    {
        using var converter = new FrameConverter(64, 48);
        using var frame = FrameConverter.AllocateFrame(64, 50);
        using var img = new Bgra(64, 48);
        var e = Assert.Throws<EngineException>(() => converter.Convert(img.Pixels, img.Stride, frame.Ptr))!;
        Assert.That(e.Message, Does.Contain("64x50"));
    }
}
