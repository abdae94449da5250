using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// Small media files for the probe tests, made with the ffmpeg CLI (tiny frames, a second
/// or less), and ffprobe's view of them to compare against.
/// </summary>
internal static class ProbeFixtures
{
    /// <summary>A white square in the top-left corner of a black 64x48 picture: shows which way a rotation turns it.</summary>
    public const string CornerMarker = "color=black:s=64x48:r=30:d=0.2,drawbox=x=0:y=0:w=16:h=16:c=white:t=fill";

    private static readonly string[] Quiet = { "-x265-params", "log-level=error" };

    /// <summary>Every fixture by name, with the ffmpeg arguments that make it (the output path is appended).</summary>
    public static readonly (string Name, string[] Args)[] All =
    {
        ("h264_aac.mp4", new[] { "-f", "lavfi", "-i", "testsrc2=s=64x48:r=30:d=2", "-f", "lavfi", "-i", "sine=d=2",
            "-c:v", "libx264", "-g", "10", "-sc_threshold", "0", "-c:a", "aac", "-shortest" }),
        ("hevc_pq.mp4", new[] { "-f", "lavfi", "-i", "testsrc2=s=64x64:r=25:d=0.4", "-c:v", "libx265", "-pix_fmt", "yuv420p10le",
            "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc", "-color_range", "tv" }.Concat(Quiet).ToArray()),
        ("hevc_hlg.mkv", new[] { "-f", "lavfi", "-i", "testsrc2=s=64x64:r=25:d=0.4", "-c:v", "libx265", "-pix_fmt", "yuv420p10le",
            "-color_primaries", "bt2020", "-color_trc", "arib-std-b67", "-colorspace", "bt2020nc" }.Concat(Quiet).ToArray()),
        ("hevc_sdr.mp4", new[] { "-f", "lavfi", "-i", "testsrc2=s=64x64:r=25:d=0.4", "-c:v", "libx265", "-pix_fmt", "yuv420p",
            "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709" }.Concat(Quiet).ToArray()),
        ("vp9_opus.webm", new[] { "-f", "lavfi", "-i", "testsrc2=s=64x64:r=25:d=1", "-f", "lavfi", "-i", "sine=d=1",
            "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "5", "-c:a", "libopus", "-metadata:s:a:0", "language=deu" }),
        ("av1.mkv", new[] { "-f", "lavfi", "-i", "testsrc2=s=64x64:r=25:d=0.4", "-c:v", "libaom-av1", "-cpu-used", "8", "-usage", "realtime" }),
        ("prores.mov", new[] { "-f", "lavfi", "-i", "testsrc2=s=64x64:r=25:d=0.4", "-c:v", "prores_ks", "-profile:v", "3" }),
        ("anamorphic.mp4", new[] { "-f", "lavfi", "-i", "testsrc2=s=64x48:r=24000/1001:d=0.5", "-vf", "setsar=4/3", "-c:v", "libx264" }),
        ("tone.mp3", new[] { "-f", "lavfi", "-i", "sine=d=0.5", "-f", "lavfi", "-i", "color=red:s=32x32:d=1", "-map", "0", "-map", "1",
            "-frames:v", "1", "-c:v", "mjpeg", "-disposition:v", "attached_pic", "-c:a", "libmp3lame", "-metadata", "title=Tone" }),
        ("still.png", new[] { "-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1" }),
        ("mpeg4_mp3.avi", new[] { "-f", "lavfi", "-i", "testsrc2=s=64x48:r=25:d=1", "-f", "lavfi", "-i", "sine=d=1",
            "-c:v", "mpeg4", "-c:a", "libmp3lame", "-shortest" }),
        ("pcm.wav", new[] { "-f", "lavfi", "-i", "sine=d=0.5:sample_rate=22050", "-ac", "2" }),
    };

    /// <summary>Makes every fixture in <paramref name="dir"/>, plus those built from others.</summary>
    public static void MakeAll(string dir)
    {
        foreach (var (name, args) in All) TestSupport.Ffmpeg(args.Append(Path.Combine(dir, name)).ToArray());

        // Chapters, title and creation time from an ffmetadata file; 5.1 AAC in French.
        var meta = Path.Combine(dir, "chapters.ffmeta");
        File.WriteAllText(meta, ";FFMETADATA1\ntitle=My Story\ncomment=made for a test\n\n" +
            "[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=500\ntitle=Intro\n\n" +
            "[CHAPTER]\nTIMEBASE=1/1000\nSTART=500\nEND=1000\ntitle=Main\n");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x64:r=30:d=1", "-f", "lavfi", "-i", "sine=d=1", "-i", meta,
            "-map", "0:v", "-map", "1:a", "-map_metadata", "2", "-map_chapters", "2",
            "-c:v", "libx264", "-c:a", "aac", "-ac", "6", "-channel_layout", "5.1",
            "-metadata", "creation_time=2024-05-06T07:08:09Z", "-metadata:s:a:0", "language=fra", "-metadata:s:a:0", "title=Surround",
            Path.Combine(dir, "chapters_51.mp4"));

        // Rotated clips: cw{N}.mp4 is shown turned N degrees clockwise. ffmpeg 5.1 writes a display
        // matrix from the "rotate" tag only when stream-copying, and its matrix turns the picture
        // counterclockwise by the tag's angle, hence 360 - N (the rotation test checks the shown frame).
        var marker = Path.Combine(dir, "marker.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", CornerMarker, "-c:v", "libx264", "-pix_fmt", "yuv420p", marker);
        foreach (var r in new[] { 90, 180, 270 })
            TestSupport.Ffmpeg("-i", marker, "-c", "copy", "-metadata:s:v:0", $"rotate={360 - r}", Path.Combine(dir, $"cw{r}.mp4"));
    }

    /// <summary>ffprobe's JSON (-show_streams -show_format -show_chapters) for a file.</summary>
    public static JsonElement Ffprobe(string path, params string[] extra)
    {
        var args = new List<string> { "-v", "error", "-show_streams", "-show_format", "-show_chapters", "-of", "json" };
        args.AddRange(extra);
        args.Add(path);
        return JsonDocument.Parse(Run("ffprobe", args)).RootElement;
    }

    /// <summary>The number of packets of a stream, counted by ffprobe reading the whole file.</summary>
    public static long FfprobePacketCount(string path, int stream)
    {
        var json = JsonDocument.Parse(Run("ffprobe", new List<string> {
            "-v", "error", "-count_packets", "-select_streams", stream.ToString(), "-show_entries", "stream=nb_read_packets", "-of", "json", path })).RootElement;
        return long.Parse(json.GetProperty("streams")[0].GetProperty("nb_read_packets").GetString()!);
    }

    /// <summary>The first frame as ffmpeg shows it (autorotate on), as 8-bit grey bytes, row by row.</summary>
    public static byte[] ShownFrame(string path)
    {
        var raw = path + ".gray";
        TestSupport.Ffmpeg("-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", raw);
        var bytes = File.ReadAllBytes(raw);
        File.Delete(raw);
        return bytes;
    }

    /// <summary>
    /// Appends boxes (each a complete box: size, type, payload) to the first sample entry of an
    /// MP4 whose index (moov) follows its media data, and grows every enclosing box. Used to add
    /// HDR 'mdcv'/'clli' boxes, which libavformat 5.1 reads but the ffmpeg CLI cannot write.
    /// </summary>
    public static void AddToFirstSampleEntry(string path, byte[] boxes)
    {
        var data = File.ReadAllBytes(path);
        var chain = new List<int>(); // offsets of moov, trak, mdia, minf, stbl, stsd, sample entry
        int moov = FindChild(data, 0, data.Length, "moov");
        int mdat = FindChild(data, 0, data.Length, "mdat");
        if (moov < 0 || mdat < 0 || moov < mdat) throw new InvalidOperationException($"{path}: expected mdat before moov");
        chain.Add(moov);
        int at = moov;
        foreach (var type in new[] { "trak", "mdia", "minf", "stbl", "stsd" })
        {
            at = FindChild(data, at + 8, at + BoxSize(data, at), type);
            if (at < 0) throw new InvalidOperationException($"{path}: no {type} box");
            chain.Add(at);
        }
        int entry = at + 16; // stsd: header, version/flags, entry count
        chain.Add(entry);
        int insertAt = entry + BoxSize(data, entry);
        var patched = new byte[data.Length + boxes.Length];
        data.AsSpan(0, insertAt).CopyTo(patched);
        boxes.CopyTo(patched, insertAt);
        data.AsSpan(insertAt).CopyTo(patched.AsSpan(insertAt + boxes.Length));
        foreach (var offset in chain)
            BinaryPrimitives.WriteUInt32BigEndian(patched.AsSpan(offset), (uint)(BoxSize(data, offset) + boxes.Length));
        File.WriteAllBytes(path, patched);
    }

    /// <summary>A box: 32-bit size, four-letter type, payload.</summary>
    public static byte[] Box(string type, params ushort[] payload16) => Box(type, payload16.SelectMany(v => new[] { (byte)(v >> 8), (byte)v }).ToArray());

    public static byte[] Box(string type, byte[] payload)
    {
        var box = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(box, 4);
        payload.CopyTo(box, 8);
        return box;
    }

    public static int BoxSize(byte[] data, int offset) => (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset));

    /// <summary>Offset of the first box of <paramref name="type"/> among the boxes in [start, end), or -1.</summary>
    public static int FindChild(byte[] data, int start, int end, string type)
    {
        for (int at = start; at + 8 <= end;)
        {
            int size = BoxSize(data, at);
            if (System.Text.Encoding.ASCII.GetString(data, at + 4, 4) == type) return at;
            if (size < 8) return -1;
            at += size;
        }
        return -1;
    }

    private static string Run(string exe, List<string> args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var errTask = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)} failed: {errTask.Result}");
        return output;
    }
}
