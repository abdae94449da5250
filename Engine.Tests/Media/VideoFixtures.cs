using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// Test videos whose every frame says which frame it is: the top half is grey level
/// (N mod 32)·8 and the bottom half (N div 32)·8. Steps of 8 survive yuv420p and lossy coding
/// on large flat areas, so a frame number reads back exactly after any codec in the suite.
/// </summary>
internal static class VideoFixtures
{
    private const string GreyLevel = "if(lt(Y,H/2),mod(N,32)*8,floor(N/32)*8)";

    /// <summary>Encodes a numbered video with the given encoder arguments (ffmpeg CLI).</summary>
    public static string Numbered(string path, int fps, double seconds, string[] codecArgs, int width = 160, int height = 284, string extraFilter = "")
    {
        var args = new List<string>
        {
            "-f", "lavfi", "-i", FormattableString.Invariant($"color=c=black:s={width}x{height}:r={fps}:d={seconds}"),
            "-vf", $"format=rgb24,geq=r='{GreyLevel}':g='{GreyLevel}':b='{GreyLevel}'{extraFilter}",
        };
        args.AddRange(codecArgs);
        args.Add(path);
        TestSupport.Ffmpeg(args.ToArray());
        return path;
    }

    /// <summary>Lossless H.264 in MP4 (B-frames on, as x264 defaults).</summary>
    public static readonly string[] H264Lossless = { "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p" };

    /// <summary>Reads back the frame number of a numbered frame drawn full-box.</summary>
    public static int FrameNumber(SKImage image)
    {
        using var pixmap = image.PeekPixels() ?? throw new InvalidOperationException("not a raster image");
        int low = (int)Math.Round(Grey(pixmap, image.Width / 2, image.Height / 4) / 8);
        int high = (int)Math.Round(Grey(pixmap, image.Width / 2, image.Height * 3 / 4) / 8);
        return high * 32 + low;
    }

    /// <summary>Mean of R, G and B over a 5x5 patch centred on (x, y).</summary>
    public static double Grey(SKPixmap pixmap, int x, int y)
    {
        double sum = 0;
        for (int dy = -2; dy <= 2; dy++)
            for (int dx = -2; dx <= 2; dx++)
            {
                var c = pixmap.GetPixelColor(x + dx, y + dy);
                sum += (c.Red + c.Green + c.Blue) / 3.0;
            }
        return sum / 25;
    }
}
