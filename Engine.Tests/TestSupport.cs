using System.Diagnostics;
using NUnit.Framework;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Tests;

/// <summary>Shared helpers: temp folders, configs, and the ffmpeg CLI for making fixtures.</summary>
internal static class TestSupport
{
    public static string SourceDir([System.Runtime.CompilerServices.CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;

    /// <summary>The repository's root folder (this file sits in Engine.Tests/).</summary>
    public static string RepoRoot => Path.GetFullPath(Path.Combine(SourceDir(), ".."));

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "reelspeed-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// A fresh folder on a disk: the system's temporary folder, or one under the repository's out/ where that is held in memory
    /// (a decode log is never kept in memory: <see cref="ReelSpeed.Engine.Media.DecodeLog.MemoryBacked"/>).
    /// </summary>
    public static string OnDiskTempDir()
    {
        string root = Path.GetTempPath();
        if (ReelSpeed.Engine.Media.DecodeLog.MemoryBacked.Contains(new DriveInfo(root).DriveFormat)) root = Path.Combine(RepoRoot, "out");
        var dir = Path.Combine(root, "reelspeed-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static ReelSpeed.Engine.Scenes.Scene Scene(string json, string? baseDir = null) => SceneBuilder.Build(ChatStoryConfigParser.Parse(json, baseDir));

    /// <summary>Runs the ffmpeg CLI (a test-only dependency) to generate fixtures.</summary>
    public static void Ffmpeg(params string[] args)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-v");
        psi.ArgumentList.Add("error");
        psi.ArgumentList.Add("-y");
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg {string.Join(' ', args)} failed: {err}");
    }

    /// <summary>
    /// The video's pictures in order as ffmpeg's framemd5 muxer hashes them, without their timestamps ("size, md5"): decoded
    /// frames, or with <paramref name="packets"/> the coded packets as stored.
    /// </summary>
    public static string[] VideoHashes(string file, bool packets = false)
    {
        var md5 = file + (packets ? ".packets.md5" : ".frames.md5");
        Ffmpeg(packets ? ["-i", file, "-map", "0:v", "-c", "copy", "-f", "framemd5", md5] : ["-i", file, "-map", "0:v", "-f", "framemd5", md5]);
        return File.ReadLines(md5).Where(l => !l.StartsWith('#')).Select(l => string.Join(',', l.Split(',').Skip(4)).Trim()).ToArray();
    }

    /// <summary>ffmpeg's "All" SSIM of <paramref name="distorted"/> against <paramref name="reference"/> (scaled to its size first, bicubic).</summary>
    public static double FfmpegSsim(string distorted, string reference, int width, int height)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-hide_banner", "-i", distorted, "-i", reference, "-lavfi", $"[0:v]scale={width}:{height}:flags=bicubic[d];[d][1:v]ssim", "-f", "null", "-" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var m = System.Text.RegularExpressions.Regex.Match(err, @"All:([0-9.]+)");
        if (!m.Success) throw new InvalidOperationException($"ffmpeg ssim of {distorted} against {reference} failed: {err}");
        return double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The settings string libx264 writes into its first SEI ("x264 - core ... options: ..."), with a space at the end.</summary>
    public static string X264Settings(string path)
    {
        var text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(path));
        int at = text.IndexOf("options: ", StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), $"{path} carries no x264 settings");
        return text.Substring(at, text.IndexOf('\0', at) - at) + " ";
    }

    /// <summary>A small story: a "them" and a "me" message, fixed timings.</summary>
    public static string SmallStory(string resolution = "360x640", double duration = 1, string extra = "") => $$"""
        {
          "videoSettings": { "resolution": "{{resolution}}", "fps": 30, "duration": {{duration.ToString(System.Globalization.CultureInfo.InvariantCulture)}} },
          "animationSettings": { "messageAnimationType": "none", "baseDelay": 100, "messageDelay": 100 },
          "messages": [
            { "text": "Hello there 👋", "sender": "them", "audioDuration": 0.3 },
            { "text": "Hi!", "sender": "me", "audioDuration": 0.3 }
          ]{{extra}}
        }
        """;
}

/// <summary>Pixel helpers over Skia images.</summary>
internal static class Pixels
{
    public static SkiaSharp.SKColor At(SkiaSharp.SKImage image, int x, int y)
    {
        using var bmp = SkiaSharp.SKBitmap.FromImage(image);
        return bmp.GetPixel(x, y);
    }

    public static bool Near(SkiaSharp.SKColor a, SkiaSharp.SKColor b, int tolerance) =>
        Math.Abs(a.Red - b.Red) <= tolerance && Math.Abs(a.Green - b.Green) <= tolerance && Math.Abs(a.Blue - b.Blue) <= tolerance;

    /// <summary>
    /// Mean SSIM of the luma (BT.709) of two same-sized images over 8x8 windows with a stride
    /// of 4 — the structural similarity the issue's "SSIM ≥ 0.98 after the codec" asks for.
    /// </summary>
    public static double Ssim(SkiaSharp.SKImage a, SkiaSharp.SKImage b)
    {
        using var ba = SkiaSharp.SKBitmap.FromImage(a);
        using var bb = SkiaSharp.SKBitmap.FromImage(b);
        if (ba.Width != bb.Width || ba.Height != bb.Height) throw new ArgumentException("sizes differ");
        int w = ba.Width, h = ba.Height;
        var la = Luma(ba);
        var lb = Luma(bb);
        const double c1 = 6.5025, c2 = 58.5225; // (0.01*255)^2, (0.03*255)^2
        double sum = 0;
        int n = 0;
        for (int y = 0; y + 8 <= h; y += 4)
        for (int x = 0; x + 8 <= w; x += 4)
        {
            double ma = 0, mb = 0;
            for (int j = 0; j < 8; j++)
            for (int i = 0; i < 8; i++) { ma += la[(y + j) * w + x + i]; mb += lb[(y + j) * w + x + i]; }
            ma /= 64; mb /= 64;
            double va = 0, vb = 0, cov = 0;
            for (int j = 0; j < 8; j++)
            for (int i = 0; i < 8; i++)
            {
                double da = la[(y + j) * w + x + i] - ma, db = lb[(y + j) * w + x + i] - mb;
                va += da * da; vb += db * db; cov += da * db;
            }
            va /= 63; vb /= 63; cov /= 63;
            sum += (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            n++;
        }
        return sum / n;
    }

    private static double[] Luma(SkiaSharp.SKBitmap bmp)
    {
        var l = new double[bmp.Width * bmp.Height];
        for (int y = 0; y < bmp.Height; y++)
        for (int x = 0; x < bmp.Width; x++)
        {
            var c = bmp.GetPixel(x, y);
            l[y * bmp.Width + x] = 0.2126 * c.Red + 0.7152 * c.Green + 0.0722 * c.Blue;
        }
        return l;
    }

    /// <summary>Decodes one frame of a video at <paramref name="seconds"/> with the ffmpeg CLI into an image.</summary>
    public static SkiaSharp.SKImage DecodeFrame(string video, double seconds)
    {
        var png = Path.Combine(Path.GetTempPath(), $"reelspeed-frame-{Guid.NewGuid():N}.png");
        try
        {
            TestSupport.Ffmpeg("-ss", seconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture), "-i", video, "-frames:v", "1", png);
            return SkiaSharp.SKImage.FromEncodedData(png).ToRasterImage(true);
        }
        finally
        {
            File.Delete(png);
        }
    }
}
