using NUnit.Framework;
using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// Files getVideoMetadata must refuse with a coded error naming the file: random bytes, text,
/// empty and stream-less files, and files cut short (which libavformat sometimes opens happily).
/// </summary>
public class MediaProbeErrorTests : TempDirTest
{
    private EngineException Refused(string path, string code, params string[] mentions)
    {
        var e = Assert.Throws<EngineException>(() => MediaProbe.Probe(path))!;
        Assert.That(e.Code, Is.EqualTo(code), e.Message);
        Assert.That(e.Message, Does.Contain(path), "the message names the file");
        foreach (var m in mentions) Assert.That(e.Message, Does.Contain(m));
        return e;
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] RandomBytes(int seed, int length) => new Random(seed).GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), length);

    /// <summary>The first <paramref name="fraction"/> of a file's bytes, as another file.</summary>
    private string Cut(string source, string name, double fraction) =>
        Write(name, File.ReadAllBytes(source).AsSpan(0, (int)(new FileInfo(source).Length * fraction)).ToArray());

    private string H264Mp4(string name, params string[] extra)
    {
        var path = Path.Combine(_dir, name);
        var args = new List<string> { "-f", "lavfi", "-i", "testsrc2=s=64x48:r=30:d=2", "-f", "lavfi", "-i", "sine=d=2",
            "-c:v", "libx264", "-g", "10", "-c:a", "aac", "-shortest" };
        args.AddRange(extra);
        args.Add(path);
        TestSupport.Ffmpeg(args.ToArray());
        return path;
    }

    [Test]
    public void An_empty_file_is_unsupported() => Refused(Write("empty.mp4", []), ErrorCodes.UnsupportedMedia, "empty");

    [TestCase("random.mp4")]
    [TestCase("random.mkv")]
    [TestCase("random.mov")]
    [TestCase("random")]
    public void Random_bytes_are_not_recognised(string name) =>
        Refused(Write(name, RandomBytes(42, 200_000)), ErrorCodes.UnsupportedMedia, "not a recognised");

    [Test]
    public void Random_bytes_named_mp3_are_a_decode_error()
    {
        // The mp3 reader accepts anything by extension (probe score 1) but finds no frame header.
        Refused(Write("random.mp3", RandomBytes(7, 200_000)), ErrorCodes.Decode, "no sample rate");
    }

    [Test]
    public void Random_bytes_named_bin_are_text_art_not_video()
    {
        // libavformat opens any .bin as "binary text" art, a 1280x10000 "video".
        Refused(Write("random.bin", RandomBytes(3, 200_000)), ErrorCodes.UnsupportedMedia, "text-mode art");
    }

    [TestCase("notes.txt")]
    [TestCase("notes.mp4")]
    public void A_text_file_is_unsupported(string name) =>
        Refused(Write(name, "hello, this is a plain text file\nwith two lines\n"u8.ToArray()), ErrorCodes.UnsupportedMedia);

    [Test]
    public void A_file_with_no_streams_is_unsupported()
    {
        // An ffmetadata file opens as a container with zero streams.
        Refused(Write("tags.mp4", ";FFMETADATA1\ntitle=only tags\n"u8.ToArray()), ErrorCodes.UnsupportedMedia, "no audio or video streams");
    }

    [Test]
    public void A_subtitle_file_has_no_audio_or_video()
    {
        var srt = Write("captions.srt", "1\n00:00:00,000 --> 00:00:01,000\nHello\n\n"u8.ToArray());
        Refused(srt, ErrorCodes.UnsupportedMedia, "no audio or video streams", "1 subtitle");
    }

    [Test]
    public void A_named_pipe_is_refused_without_blocking()
    {
        // Opening a FIFO for reading blocks until a writer appears; the probe must not try.
        var fifo = Path.Combine(_dir, "pipe.mp4");
        using (var mk = System.Diagnostics.Process.Start("mkfifo", fifo)) mk.WaitForExit();
        var probe = Task.Run(() => MediaProbe.Probe(fifo));
        bool finished = ((IAsyncResult)probe).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10));
        if (!finished) using (File.OpenWrite(fifo)) { } // release the blocked reader before failing
        Assert.That(finished, Is.True, "the probe returned instead of waiting for a writer");
        Assert.That(probe.IsFaulted, Is.True);
        var e = (EngineException)probe.Exception!.InnerException!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia), e.Message);
        Assert.That(e.Message, Does.Contain(fifo));
    }

    [Test]
    public void A_directory_is_unsupported() => Refused(_dir, ErrorCodes.UnsupportedMedia, "directory");

    [Test]
    public void An_mp4_cut_before_its_index_is_truncated()
    {
        // Without faststart the index (moov) is written last: cutting the file loses it, and
        // libavformat cannot open the file at all ("moov atom not found").
        var cut = Cut(H264Mp4("moov_last.mp4"), "moov_last_cut.mp4", 0.5);
        Refused(cut, ErrorCodes.Decode, "truncated", "'mdat'", "index (moov)");
    }

    [Test]
    public void A_faststart_mp4_cut_in_its_media_data_is_truncated()
    {
        // libavformat opens this one without complaint: the index is complete, the frames are not.
        var cut = Cut(H264Mp4("fast.mp4", "-movflags", "+faststart"), "fast_cut.mp4", 0.5);
        Assert.That(ProbeFixtures.Ffprobe(cut).GetProperty("streams").GetArrayLength(), Is.EqualTo(2), "ffprobe reads it as if whole");
        Refused(cut, ErrorCodes.Decode, "truncated", "'mdat'", "missing");
    }

    [Test]
    public void A_faststart_mp4_cut_inside_its_index_is_truncated()
    {
        var fast = H264Mp4("fast.mp4", "-movflags", "+faststart");
        var bytes = File.ReadAllBytes(fast);
        int moov = ProbeFixtures.FindChild(bytes, 0, bytes.Length, "moov");
        var cut = Write("fast_cut_in_moov.mp4", bytes.AsSpan(0, moov + ProbeFixtures.BoxSize(bytes, moov) / 2).ToArray());
        Refused(cut, ErrorCodes.Decode, "truncated", "index (moov) is incomplete");
    }

    [Test]
    public void An_mp4_whose_index_points_past_the_end_is_truncated()
    {
        // Cut exactly after a faststart index: every box present is whole, so only the index
        // itself (sample offsets beyond the end of the file) shows what is missing.
        var fast = H264Mp4("fast.mp4", "-movflags", "+faststart");
        var bytes = File.ReadAllBytes(fast);
        int moov = ProbeFixtures.FindChild(bytes, 0, bytes.Length, "moov");
        var cut = Write("fast_index_only.mp4", bytes.AsSpan(0, moov + ProbeFixtures.BoxSize(bytes, moov)).ToArray());
        Refused(cut, ErrorCodes.Decode, "truncated", "the index puts frame", "past the end of the file");
    }

    [Test]
    public void A_matroska_file_cut_short_is_truncated()
    {
        var mkv = Path.Combine(_dir, "whole.mkv");
        TestSupport.Ffmpeg("-i", H264Mp4("src.mp4"), "-c", "copy", mkv);
        Assert.That(MediaProbe.Probe(mkv).Streams, Has.Count.EqualTo(2), "the whole file probes fine");
        var cut = Cut(mkv, "cut.mkv", 0.6);
        Assert.That(double.Parse(ProbeFixtures.Ffprobe(cut).GetProperty("format").GetProperty("duration").GetString()!,
            System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(1.9), "libavformat trusts the header's duration");
        Refused(cut, ErrorCodes.Decode, "truncated", "Matroska segment declares");
    }

    [TestCase("avi", "-c:v", "mpeg4", "-c:a", "libmp3lame")]
    [TestCase("wav", "-vn", "-c:a", "pcm_s16le")]
    public void A_riff_file_cut_short_is_truncated(string ext, params string[] codec)
    {
        var whole = Path.Combine(_dir, "whole." + ext);
        TestSupport.Ffmpeg(new[] { "-i", H264Mp4("src.mp4") }.Concat(codec).Append(whole).ToArray());
        Assert.That(MediaProbe.Probe(whole).Streams, Is.Not.Empty, "the whole file probes fine");
        var cut = Cut(whole, "cut." + ext, 0.6);
        Assert.DoesNotThrow(() => ProbeFixtures.Ffprobe(cut), "libavformat reads what is left");
        Refused(cut, ErrorCodes.Decode, "truncated", "RIFF");
    }

    [Test]
    public void A_webm_cut_inside_its_header_is_truncated_or_damaged()
    {
        var webm = Path.Combine(_dir, "whole.webm");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x64:r=25:d=1", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", webm);
        var cut = Cut(webm, "header_only.webm", 0.02);
        var e = Assert.Throws<EngineException>(() => MediaProbe.Probe(cut))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Decode), e.Message);
        Assert.That(e.Message, Does.Contain(cut));
    }

    [Test]
    public void Every_cut_of_a_file_is_refused_or_whole_never_a_crash()
    {
        // Cut points every 5 % through an MP4 (moov last), a faststart MP4, a Matroska and an AVI file: each
        // cut either fails with ERR_DECODE/ERR_UNSUPPORTED_MEDIA naming the file, never anything else.
        var sources = new[]
        {
            H264Mp4("a.mp4"),
            H264Mp4("b.mp4", "-movflags", "+faststart"),
        }.ToList();
        var mkv = Path.Combine(_dir, "c.mkv");
        TestSupport.Ffmpeg("-i", sources[0], "-c", "copy", mkv);
        sources.Add(mkv);
        var avi = Path.Combine(_dir, "d.avi");
        TestSupport.Ffmpeg("-i", sources[0], "-c:v", "mpeg4", "-c:a", "libmp3lame", avi);
        sources.Add(avi);
        foreach (var source in sources)
            for (int pct = 5; pct < 100; pct += 5)
            {
                var cut = Cut(source, $"{Path.GetFileNameWithoutExtension(source)}_{pct}{Path.GetExtension(source)}", pct / 100.0);
                var e = Assert.Throws<EngineException>(() => MediaProbe.Probe(cut), cut)!;
                Assert.That(e.Code, Is.AnyOf(ErrorCodes.Decode, ErrorCodes.UnsupportedMedia), e.Message);
                Assert.That(e.Message, Does.Contain(cut));
            }
    }
}
