using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Render;

/// <summary>
/// Compares a rendered image to a reference PNG with an explicit tolerance: a pixel differs
/// when any channel is off by more than <c>channelTolerance</c>; the images match when at
/// most <c>maxDifferentFraction</c> of pixels differ. On a mismatch the actual image and a
/// diff map are written under Engine.Tests/artifacts/ for a person to look at.
/// References are created only on request (REELSPEED_UPDATE_GOLDEN=1), never to make a test pass.
/// </summary>
internal static class ImageComparer
{
    public sealed record Result(bool Match, double DifferentFraction, int MaxChannelDelta, double MeanAbsDelta, string Report);

    public static Result Compare(SKImage actual, string referencePath, int channelTolerance, double maxDifferentFraction)
    {
        if (Environment.GetEnvironmentVariable("REELSPEED_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(referencePath)!);
            using var png = actual.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(referencePath, png.ToArray());
        }
        if (!File.Exists(referencePath))
            return new Result(false, 1, 255, 255, $"reference {referencePath} does not exist (create it deliberately with REELSPEED_UPDATE_GOLDEN=1 and review it)");

        using var expected = SKBitmap.Decode(referencePath);
        using var got = SKBitmap.FromImage(actual);
        if (expected.Width != got.Width || expected.Height != got.Height)
            return new Result(false, 1, 255, 255, $"size {got.Width}x{got.Height} differs from the reference {expected.Width}x{expected.Height}");

        using var diff = new SKBitmap(got.Width, got.Height, SKColorType.Bgra8888, SKAlphaType.Premul);
        long different = 0, sum = 0;
        int maxDelta = 0;
        for (int y = 0; y < got.Height; y++)
        {
            for (int x = 0; x < got.Width; x++)
            {
                var a = got.GetPixel(x, y);
                var e = expected.GetPixel(x, y);
                int d = Math.Max(Math.Max(Math.Abs(a.Red - e.Red), Math.Abs(a.Green - e.Green)), Math.Max(Math.Abs(a.Blue - e.Blue), Math.Abs(a.Alpha - e.Alpha)));
                sum += d;
                if (d > maxDelta) maxDelta = d;
                if (d > channelTolerance) different++;
                byte v = (byte)Math.Min(255, d * 8);
                diff.SetPixel(x, y, d > channelTolerance ? new SKColor(255, 0, 0) : new SKColor(v, v, v));
            }
        }
        double fraction = different / (double)(got.Width * got.Height);
        double mean = sum / (double)(got.Width * got.Height);
        bool match = fraction <= maxDifferentFraction;
        string report = $"{fraction:P3} of pixels differ by more than {channelTolerance} (allowed {maxDifferentFraction:P3}); max delta {maxDelta}, mean {mean:0.###}";
        if (!match)
        {
            var dir = Path.Combine(TestSupport.SourceDir(), "..", "artifacts");
            Directory.CreateDirectory(dir);
            var name = Path.GetFileNameWithoutExtension(referencePath);
            using (var png = actual.Encode(SKEncodedImageFormat.Png, 100)) File.WriteAllBytes(Path.Combine(dir, name + ".actual.png"), png.ToArray());
            using (var img = SKImage.FromBitmap(diff))
            using (var png = img.Encode(SKEncodedImageFormat.Png, 100)) File.WriteAllBytes(Path.Combine(dir, name + ".diff.png"), png.ToArray());
            report += $"; actual and diff written to {Path.GetFullPath(dir)}";
        }
        return new Result(match, fraction, maxDelta, mean, report);
    }
}
