using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// Raw yuv420p frames of moving, detailed content (ffmpeg's testsrc2) for encoder tests, and
/// ffprobe read-backs. The clip is made once per test run by the ffmpeg CLI.
/// </summary>
internal static unsafe class EncoderFixtures
{
    public const int Width = 320, Height = 240, Fps = 30, Seconds = 3;
    public const int FrameCount = Fps * Seconds;
    private static readonly Lazy<byte[]> s_clip = new(MakeClip);

    /// <summary>The testsrc2 clip as concatenated yuv420p frames.</summary>
    public static byte[] Clip => s_clip.Value;

    private static byte[] MakeClip()
    {
        var path = Path.Combine(Path.GetTempPath(), $"reelspeed-testsrc2-{Guid.NewGuid():N}.yuv");
        try
        {
            TestSupport.Ffmpeg("-f", "lavfi", "-i", $"testsrc2=s={Width}x{Height}:r={Fps}:d={Seconds}", "-pix_fmt", "yuv420p", "-f", "rawvideo", path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A yuv420p frame holding frame <paramref name="index"/> of the clip, pts = index.</summary>
    public static void Load(AvFrameHandle frame, int index)
    {
        var f = frame.Ptr;
        AvCheck.Ok(LibAv.av_frame_make_writable(f), ErrorCodes.Encode, "test frame");
        int frameBytes = Width * Height * 3 / 2;
        var src = Clip.AsSpan(index * frameBytes, frameBytes);
        var data = (byte**)((byte*)f + AvLayout.Frame.Data);
        var line = (int*)((byte*)f + AvLayout.Frame.Linesize);
        int offset = 0;
        for (int plane = 0; plane < 3; plane++)
        {
            int w = plane == 0 ? Width : Width / 2, h = plane == 0 ? Height : Height / 2;
            for (int y = 0; y < h; y++)
                src.Slice(offset + y * w, w).CopyTo(new Span<byte>(data[plane] + y * line[plane], w));
            offset += w * h;
        }
        LibAv.Field<long>(f, AvLayout.Frame.Pts) = index;
    }

    public static AvFrameHandle NewFrame() => HardwareEncoders.BlackFrame(Width, Height);

    /// <summary>Encodes the whole clip with <paramref name="encoder"/> into <paramref name="sink"/>, then flushes.</summary>
    public static void EncodeClip(VideoEncoder encoder, IPacketSink sink)
    {
        using var frame = NewFrame();
        for (int i = 0; i < FrameCount; i++)
        {
            Load(frame, i);
            encoder.Encode(frame.Ptr, sink);
        }
        encoder.Encode(0, sink);
    }

    /// <summary>Runs ffprobe and returns its JSON output.</summary>
    public static JsonDocument Ffprobe(params string[] args)
    {
        var psi = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-v", "error", "-of", "json" }.Concat(args)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffprobe {string.Join(' ', args)} failed: {err}");
        return JsonDocument.Parse(stdout.Result);
    }

    /// <summary>The first video stream's ffprobe description.</summary>
    public static JsonElement VideoStream(string file)
    {
        using var doc = Ffprobe("-show_streams", "-select_streams", "v:0", file);
        return doc.RootElement.GetProperty("streams")[0].Clone();
    }

    /// <summary>The video stream's bit rate in kbit/s from its packet sizes over its frame count.</summary>
    public static double VideoKbps(string file, int fps = Fps)
    {
        using var doc = Ffprobe("-select_streams", "v:0", "-show_entries", "packet=size", file);
        var packets = doc.RootElement.GetProperty("packets");
        long bytes = 0;
        int count = 0;
        foreach (var p in packets.EnumerateArray())
        {
            bytes += long.Parse(p.GetProperty("size").GetString()!, CultureInfo.InvariantCulture);
            count++;
        }
        return bytes * 8.0 / (count / (double)fps) / 1000;
    }
}
