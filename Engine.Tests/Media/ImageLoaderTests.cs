using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;
using ReelSpeed.Engine.Media;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>Decoding, EXIF orientation, limits and failure codes of <see cref="ImageLoader"/>.</summary>
public class ImageLoaderTests
{
    // A 64x32 picture with a distinct colour per quadrant: any rotation or flip moves them.
    private const int Width = 64, Height = 32;
    private static readonly SKColor TopLeft = SKColors.Red, TopRight = new(0, 255, 0), BottomLeft = SKColors.Blue, BottomRight = SKColors.Yellow;

    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TestSupport.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static byte[] Quadrants(SKEncodedImageFormat format, int quality = 100)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Bgra8888, SKAlphaType.Premul))!;
        var c = surface.Canvas;
        using var paint = new SKPaint();
        (SKColor Colour, int X, int Y)[] quads = { (TopLeft, 0, 0), (TopRight, 1, 0), (BottomLeft, 0, 1), (BottomRight, 1, 1) };
        foreach (var (colour, x, y) in quads)
        {
            paint.Color = colour;
            c.DrawRect(x * Width / 2, y * Height / 2, Width / 2, Height / 2, paint);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }

    private static SKColor QuadrantColour(int sx, int sy) =>
        (sx < Width / 2, sy < Height / 2) switch
        {
            (true, true) => TopLeft,
            (false, true) => TopRight,
            (true, false) => BottomLeft,
            _ => BottomRight,
        };

    private static void AssertClose(SKColor actual, SKColor expected, int tolerance, string what)
    {
        int d = Math.Max(Math.Abs(actual.Red - expected.Red), Math.Max(Math.Abs(actual.Green - expected.Green), Math.Abs(actual.Blue - expected.Blue)));
        Assert.That(d, Is.LessThanOrEqualTo(tolerance), $"{what}: expected {expected}, got {actual}");
    }

    private static void AssertRasterBgraPremul(SKImage image)
    {
        Assert.That(image.IsTextureBacked, Is.False);
        Assert.That(image.ColorType, Is.EqualTo(SKColorType.Bgra8888));
        Assert.That(image.AlphaType, Is.EqualTo(SKAlphaType.Premul));
        using var pixmap = image.PeekPixels();
        Assert.That(pixmap, Is.Not.Null, "raster pixels");
    }

    [TestCase(SKEncodedImageFormat.Png, "png", 0)]
    [TestCase(SKEncodedImageFormat.Jpeg, "jpg", 12)]
    [TestCase(SKEncodedImageFormat.Webp, "webp", 12)]
    public void Common_formats_decode_to_raster_bgra_premul(SKEncodedImageFormat format, string ext, int tolerance)
    {
        var path = Path.Combine(_dir, "quads." + ext);
        File.WriteAllBytes(path, Quadrants(format));
        using var image = ImageLoader.Load(path, "messages[0].imageUrl");
        Assert.That((image.Width, image.Height), Is.EqualTo((Width, Height)));
        AssertRasterBgraPremul(image);
        using var pixmap = image.PeekPixels();
        foreach (var (x, y) in new[] { (16, 8), (48, 8), (16, 24), (48, 24) })
            AssertClose(pixmap.GetPixelColor(x, y), QuadrantColour(x, y), tolerance, $"{ext} at ({x},{y})");
    }

    [TestCase("bmp")]
    [TestCase("gif")]
    public void Other_formats_skia_reads_decode_too(string ext)
    {
        var path = Path.Combine(_dir, "red." + ext);
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=c=red:s=20x10", "-frames:v", "1", path);
        using var image = ImageLoader.Load(path, "bg");
        Assert.That((image.Width, image.Height), Is.EqualTo((20, 10)));
        AssertRasterBgraPremul(image);
        using var pixmap = image.PeekPixels();
        AssertClose(pixmap.GetPixelColor(10, 5), SKColors.Red, 8, ext);
    }

    [Test]
    public void A_png_with_transparency_comes_back_premultiplied()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(4, 4, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(new SKColor(255, 0, 0, 128));
        var path = Path.Combine(_dir, "half.png");
        using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)) File.WriteAllBytes(path, data.ToArray());
        using var image = ImageLoader.Load(path, "bg");
        using var pixmap = image.PeekPixels();
        var bgra = pixmap.GetPixelSpan<byte>()[..4].ToArray();
        Assert.That(bgra[3], Is.EqualTo(128));
        Assert.That(bgra[2], Is.EqualTo(128).Within(1), "red stored premultiplied by alpha");
    }

    /// <summary>
    /// EXIF orientations 1-8: where the pixel at display (x, y) comes from in the stored image.
    /// The display of 5-8 is the stored image with width and height exchanged.
    /// </summary>
    private static (int Sx, int Sy) StoredPixelShownAt(int orientation, int x, int y) => orientation switch
    {
        1 => (x, y),
        2 => (Width - 1 - x, y),
        3 => (Width - 1 - x, Height - 1 - y),
        4 => (x, Height - 1 - y),
        5 => (y, x),
        6 => (y, Height - 1 - x),
        7 => (Width - 1 - y, Height - 1 - x),
        8 => (Width - 1 - y, x),
        _ => throw new ArgumentOutOfRangeException(nameof(orientation)),
    };

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    [TestCase(6)]
    [TestCase(7)]
    [TestCase(8)]
    public void Exif_orientation_is_applied_so_the_image_is_upright(int orientation)
    {
        var path = Path.Combine(_dir, $"exif{orientation}.jpg");
        File.WriteAllBytes(path, WithExifOrientation(Quadrants(SKEncodedImageFormat.Jpeg), orientation));
        using (var codec = SKCodec.Create(path))
            Assert.That((int)codec.EncodedOrigin, Is.EqualTo(orientation), "fixture carries the tag");

        using var image = ImageLoader.Load(path, "bg");
        bool swapped = orientation >= 5;
        int w = swapped ? Height : Width, h = swapped ? Width : Height;
        Assert.That((image.Width, image.Height), Is.EqualTo((w, h)));
        AssertRasterBgraPremul(image);
        using var pixmap = image.PeekPixels();
        foreach (var (x, y) in new[] { (w / 4, h / 4), (3 * w / 4, h / 4), (w / 4, 3 * h / 4), (3 * w / 4, 3 * h / 4) })
        {
            var (sx, sy) = StoredPixelShownAt(orientation, x, y);
            AssertClose(pixmap.GetPixelColor(x, y), QuadrantColour(sx, sy), 12, $"orientation {orientation} at ({x},{y})");
        }
    }

    /// <summary>Inserts an APP1 Exif segment holding only an Orientation tag right after the JPEG's SOI marker.</summary>
    private static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        Assert.That(jpeg[0] == 0xFF && jpeg[1] == 0xD8, "JPEG SOI");
        var app1 = new List<byte> { 0xFF, 0xE1, 0, 0 };
        app1.AddRange(Encoding.ASCII.GetBytes("Exif\0\0"));
        app1.AddRange(new byte[] { (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8 }); // big-endian TIFF header, IFD0 at 8
        app1.AddRange(new byte[] { 0, 1 }); // one entry
        app1.AddRange(new byte[] { 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0 }); // Orientation, SHORT, 1 value
        app1.AddRange(new byte[] { 0, 0, 0, 0 }); // no next IFD
        int length = app1.Count - 2;
        app1[2] = (byte)(length >> 8);
        app1[3] = (byte)length;
        return jpeg.Take(2).Concat(app1).Concat(jpeg.Skip(2)).ToArray();
    }

    [Test]
    public void A_missing_file_is_input_not_found_with_the_full_path()
    {
        var path = Path.Combine(_dir, "missing.png");
        var e = Assert.Throws<EngineException>(() => ImageLoader.Load(path, "chatOverlay.avatarUrl"))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InputNotFound));
        Assert.That(e.Message, Is.EqualTo($"chatOverlay.avatarUrl: file not found: {path}"));
    }

    [TestCase("empty")]
    [TestCase("garbage")]
    [TestCase("text")]
    [TestCase("truncated-png")]
    [TestCase("truncated-jpeg")]
    [TestCase("truncated-webp")]
    [TestCase("directory")]
    public void Undecodable_input_is_unsupported_media(string kind)
    {
        var path = Path.Combine(_dir, kind + ".img");
        byte[] Half(byte[] b) => b[..(b.Length / 2)];
        switch (kind)
        {
            case "empty": File.WriteAllBytes(path, Array.Empty<byte>()); break;
            case "garbage":
                var junk = new byte[4096];
                new Random(3).NextBytes(junk);
                File.WriteAllBytes(path, junk);
                break;
            case "text": File.WriteAllText(path, "<html>not an image</html>"); break;
            case "truncated-png": File.WriteAllBytes(path, Half(BigPicture(SKEncodedImageFormat.Png))); break;
            case "truncated-jpeg": File.WriteAllBytes(path, Half(BigPicture(SKEncodedImageFormat.Jpeg))); break;
            case "truncated-webp": File.WriteAllBytes(path, Half(BigPicture(SKEncodedImageFormat.Webp))); break;
            case "directory": Directory.CreateDirectory(path); break;
        }
        var e = Assert.Throws<EngineException>(() => ImageLoader.Load(path, "bg"))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia), e.Message);
        Assert.That(e.Message, Does.StartWith($"bg: {path}: not a decodable image ("));
    }

    /// <summary>A noisy picture, so its encoding is long enough that half of it cuts pixel data.</summary>
    private static byte[] BigPicture(SKEncodedImageFormat format)
    {
        var info = new SKImageInfo(128, 128, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        var rng = new Random(5);
        var span = bitmap.GetPixelSpan();
        rng.NextBytes(span);
        for (int i = 3; i < span.Length; i += 4) span[i] = 255;
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    [TestCase(16385, 1, TestName = "A side over 16384 pixels is a resource limit")]
    [TestCase(12000, 9000, TestName = "Over 100 megapixels is a resource limit")]
    public void Oversized_images_are_refused_before_decoding(int width, int height)
    {
        // Only the header is real: the limit must apply before any pixel is decoded or allocated.
        var path = Path.Combine(_dir, "huge.png");
        File.WriteAllBytes(path, PngHeaderOnly(width, height));
        var e = Assert.Throws<EngineException>(() => ImageLoader.Load(path, "bg"))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.ResourceLimit), e.Message);
        Assert.That(e.Message, Does.Contain($"{width}x{height}"));
    }

    [Test]
    public void Exactly_at_the_side_limit_decodes()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(16384, 1, SKColorType.Bgra8888, SKAlphaType.Premul));
        bitmap.Erase(SKColors.Teal);
        var path = Path.Combine(_dir, "wide.png");
        using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)) File.WriteAllBytes(path, data.ToArray());
        using var image = ImageLoader.Load(path, "bg");
        Assert.That(image.Width, Is.EqualTo(16384));
    }

    /// <summary>A PNG signature, an IHDR of the given size, a one-byte IDAT and IEND, with valid CRCs.</summary>
    private static byte[] PngHeaderOnly(int width, int height)
    {
        var png = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", new byte[] { 0x78 });
        Chunk(png, "IEND", Array.Empty<byte>());
        return png.ToArray();
    }

    private static void Chunk(List<byte> png, string type, byte[] data)
    {
        var len = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        png.AddRange(len);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.AddRange(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.AddRange(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
