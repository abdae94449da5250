using SkiaSharp;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// Decodes still images (PNG, JPEG, WebP, GIF's first frame, BMP, ICO, WBMP — whatever Skia's
/// codecs read) into upright raster BGRA8888 premultiplied images: the EXIF orientation a
/// camera wrote is applied, so a portrait photo stays portrait.
/// </summary>
public static class ImageLoader
{
    /// <summary>Largest accepted side, in pixels.</summary>
    public const int MaxSide = 16384;

    /// <summary>Largest accepted area (100 megapixels: 400 MB decoded).</summary>
    public const long MaxPixels = 100_000_000;

    /// <summary>
    /// The upright size of the image at <paramref name="path"/>, read from its header: nothing is
    /// decoded. The same checks and errors as <see cref="Load"/> up to decoding.
    /// </summary>
    public static (int Width, int Height) ReadSize(string path, string field)
    {
        using var codec = Open(path, field, out _);
        return Upright(codec);
    }

    /// <summary>Decodes the image at <paramref name="path"/>.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="field">The config field that named the file, used in error messages.</param>
    /// <param name="coverWidth">With <paramref name="coverHeight"/>: the size the image is drawn at (cover-fitted). A larger
    /// source is decoded at a reduced scale where its codec can (JPEG, WebP) and resized to the smallest size that still
    /// covers it, so only that stays in memory; a smaller one is kept as it is.</param>
    /// <param name="coverHeight">The drawn height; see <paramref name="coverWidth"/>.</param>
    /// <returns>A raster BGRA8888 premultiplied image the caller owns, already turned upright.</returns>
    /// <exception cref="EngineException">
    /// ERR_INPUT_NOT_FOUND (no such file), ERR_UNSUPPORTED_MEDIA (empty, not an image, truncated
    /// or corrupt), ERR_RESOURCE_LIMIT (over <see cref="MaxSide"/> on a side or <see cref="MaxPixels"/>).
    /// </exception>
    public static SKImage Load(string path, string field, int coverWidth = 0, int coverHeight = 0)
    {
        using var codec = Open(path, field, out var fullPath);
        var encoded = codec.Info;
        var (uw, uh) = Upright(codec);
        // The size kept, in the file's own orientation (the scale is the same both ways round).
        double k = CoverScale(uw, uh, coverWidth, coverHeight);
        int keepW = Scaled(encoded.Width, k), keepH = Scaled(encoded.Height, k);
        // A codec that decodes at a reduced scale (JPEG's 1/2, 1/4, 1/8) never holds the full picture.
        var decodeSize = new SKSizeI(encoded.Width, encoded.Height);
        if (keepW < encoded.Width)
        {
            var scaled = codec.GetScaledDimensions((float)keepW / encoded.Width);
            if (scaled.Width >= keepW && scaled.Height >= keepH && scaled.Width < encoded.Width) decodeSize = scaled;
        }

        // Decoding converts to sRGB, so photos tagged with a wider gamut (Display P3) keep their colours.
        var info = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Bgra8888, SKAlphaType.Premul, SKColorSpace.CreateSrgb());
        var decoded = new SKBitmap();
        try
        {
            if (!decoded.TryAllocPixels(info))
                throw new EngineException(ErrorCodes.ResourceLimit, $"{field}: {fullPath}: cannot allocate {decodeSize.Width}x{decodeSize.Height} pixels");
            var result = codec.GetPixels(info, decoded.GetPixels());
            // Incomplete or erroneous input still yields a partly filled bitmap; a background with
            // a grey band is worse than a clear error, so both are refused.
            if (result != SKCodecResult.Success)
                throw NotDecodable(field, fullPath, result == SKCodecResult.IncompleteInput ? "truncated: IncompleteInput" : result.ToString());

            if (keepW < decoded.Width || keepH < decoded.Height)
            {
                var small = Resize(decoded, keepW, keepH, field, fullPath);
                decoded.Dispose();
                decoded = small;
            }
            var upright = Orient(decoded, codec.EncodedOrigin, field, fullPath);
            if (!ReferenceEquals(upright, decoded))
            {
                decoded.Dispose();
                decoded = upright;
            }
            // Immutable, so the image shares the bitmap's pixels instead of copying them.
            decoded.SetImmutable();
            return SKImage.FromBitmap(decoded)
                ?? throw new EngineException(ErrorCodes.ResourceLimit, $"{field}: {fullPath}: cannot create the image");
        }
        finally
        {
            decoded.Dispose();
        }
    }

    /// <summary>The bytes <see cref="Load"/> holds at its peak for a picture of <paramref name="width"/>x<paramref name="height"/> (upright): the full decode.</summary>
    public static long DecodeBytes(int width, int height) => (long)width * height * 4;

    /// <summary>The size <see cref="Load"/> keeps a <paramref name="width"/>x<paramref name="height"/> picture at when drawn cover-fitted into <paramref name="coverWidth"/>x<paramref name="coverHeight"/>.</summary>
    public static (int Width, int Height) KeptSize(int width, int height, int coverWidth, int coverHeight)
    {
        double k = CoverScale(width, height, coverWidth, coverHeight);
        return (Scaled(width, k), Scaled(height, k));
    }

    /// <summary>The scale (at most 1) that makes a picture just cover the drawn size; 1 when no size is given.</summary>
    private static double CoverScale(int width, int height, int coverWidth, int coverHeight) =>
        coverWidth <= 0 || coverHeight <= 0 ? 1 : Math.Min(1, Math.Max((double)coverWidth / width, (double)coverHeight / height));

    private static int Scaled(int side, double k) => k >= 1 ? side : Math.Clamp((int)Math.Ceiling(side * k), 1, side);

    /// <summary>Opens the file's codec after the checks every image gets: a regular, non-empty file, a known format, a size within the caps.</summary>
    private static SKCodec Open(string path, string field, out string fullPath)
    {
        // A FIFO or device would block the reader for ever: refused before opening, like a directory.
        if (!path.Contains('\0') && Directory.Exists(Path.GetFullPath(path))) throw NotDecodable(field, Path.GetFullPath(path), "it is a directory");
        (fullPath, var size) = MediaRoles.CheckRegularFile(path, field);
        if (size == 0) throw NotDecodable(field, fullPath, "the file is empty");

        var codec = SKCodec.Create(fullPath, out var created);
        if (codec is null) throw NotDecodable(field, fullPath, $"no image codec recognises it: {created}");

        var encoded = codec.Info;
        if (encoded.Width <= 0 || encoded.Height <= 0)
        {
            codec.Dispose();
            throw NotDecodable(field, fullPath, $"invalid size {encoded.Width}x{encoded.Height}");
        }
        if (encoded.Width > MaxSide || encoded.Height > MaxSide || (long)encoded.Width * encoded.Height > MaxPixels)
        {
            codec.Dispose();
            throw new EngineException(ErrorCodes.ResourceLimit,
                $"{field}: {fullPath}: {encoded.Width}x{encoded.Height} image exceeds the limit of {MaxSide} pixels on a side and {MaxPixels / 1_000_000} megapixels");
        }
        return codec;
    }

    private static (int Width, int Height) Upright(SKCodec codec) =>
        codec.EncodedOrigin >= SKEncodedOrigin.LeftTop ? (codec.Info.Height, codec.Info.Width) : (codec.Info.Width, codec.Info.Height);

    /// <summary>A resized copy, sampled as the picture is drawn (Mitchell cubic).</summary>
    private static SKBitmap Resize(SKBitmap source, int width, int height, string field, string fullPath)
    {
        var small = new SKBitmap();
        if (!small.TryAllocPixels(source.Info.WithSize(width, height)))
        {
            small.Dispose();
            throw new EngineException(ErrorCodes.ResourceLimit, $"{field}: {fullPath}: cannot allocate {width}x{height} pixels");
        }
        source.ScalePixels(small, new SKSamplingOptions(SKCubicResampler.Mitchell));
        return small;
    }

    /// <summary>
    /// Redraws <paramref name="bitmap"/> so that the EXIF <paramref name="origin"/> becomes the
    /// top-left corner; returns the same bitmap when it already is upright. Each transform maps
    /// whole pixels onto whole pixels, so the copy is exact.
    /// </summary>
    private static SKBitmap Orient(SKBitmap bitmap, SKEncodedOrigin origin, string field, string fullPath)
    {
        int w = bitmap.Width, h = bitmap.Height;
        // Destination x' = a·x + b·y + c, y' = d·x + e·y + f for a source pixel corner (x, y).
        SKMatrix m;
        switch (origin)
        {
            case SKEncodedOrigin.TopRight: m = new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1); break; // mirrored horizontally
            case SKEncodedOrigin.BottomRight: m = new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1); break; // rotated 180°
            case SKEncodedOrigin.BottomLeft: m = new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1); break; // mirrored vertically
            case SKEncodedOrigin.LeftTop: m = new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1); break; // transposed
            case SKEncodedOrigin.RightTop: m = new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1); break; // needs 90° clockwise
            case SKEncodedOrigin.RightBottom: m = new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1); break; // transversed
            case SKEncodedOrigin.LeftBottom: m = new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1); break; // needs 90° counter-clockwise
            default: return bitmap;
        }
        bool swapsSides = origin >= SKEncodedOrigin.LeftTop;
        var info = bitmap.Info.WithSize(swapsSides ? h : w, swapsSides ? w : h);
        var upright = new SKBitmap();
        if (!upright.TryAllocPixels(info))
        {
            upright.Dispose();
            throw new EngineException(ErrorCodes.ResourceLimit, $"{field}: {fullPath}: cannot allocate {info.Width}x{info.Height} pixels");
        }
        bitmap.SetImmutable(); // lets the image below share its pixels instead of copying them
        using (var source = SKImage.FromBitmap(bitmap))
        using (var canvas = new SKCanvas(upright))
        using (var paint = new SKPaint { BlendMode = SKBlendMode.Src })
        {
            canvas.SetMatrix(m);
            canvas.DrawImage(source, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), paint);
        }
        return upright;
    }

    private static EngineException NotDecodable(string field, string fullPath, string why) =>
        new(ErrorCodes.UnsupportedMedia, $"{field}: {fullPath}: not a decodable image ({why})");
}
