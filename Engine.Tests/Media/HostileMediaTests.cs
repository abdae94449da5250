using NUnit.Framework;
using ReelSpeed.Engine.Audio;
using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// Files that are not media, or not files, given where media is expected (issue #13 item 2):
/// text opened by the tty demuxer, concat playlists, HLS, image patterns, FIFOs, devices,
/// symlinks and their loops. Each must give a coded error at once naming the file, or, for a
/// symlink to a good file, the same result as the file itself.
/// </summary>
public class HostileMediaTests : TempDirTest
{
    private static string? s_mp4;

    /// <summary>A 1 s H.264/AAC MP4, made once per run.</summary>
    private static string Mp4()
    {
        if (s_mp4 is not null && File.Exists(s_mp4)) return s_mp4;
        var path = Path.Combine(TestSupport.TempDir(), "good.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x48:r=30:d=1", "-f", "lavfi", "-i", "sine=d=1",
            "-c:v", "libx264", "-c:a", "aac", "-shortest", path);
        return s_mp4 = path;
    }

    /// <summary>The shared MP4's folder goes with the fixture (it outlives each test's own folder).</summary>
    [OneTimeTearDown]
    public void RemoveSharedMp4()
    {
        if (s_mp4 is not null) Directory.Delete(Path.GetDirectoryName(s_mp4)!, recursive: true);
        s_mp4 = null;
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static void Run(string cmd, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(cmd, args)!;
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, $"{cmd} {string.Join(' ', args)}");
    }

    /// <summary>Runs <paramref name="open"/> with a deadline, so that a regression fails instead of hanging on a pipe.</summary>
    private static EngineException Refused(Action open, string code, string mentions, string? releaseFifo = null)
    {
        var task = Task.Run(open);
        bool finished = ((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10));
        if (!finished && releaseFifo is not null) using (File.OpenWrite(releaseFifo)) { } // unblock the reader before failing
        Assert.That(finished, Is.True, "the call returned at once instead of blocking");
        Assert.That(task.IsFaulted, Is.True, "the call was refused");
        var e = task.Exception!.InnerException as EngineException;
        Assert.That(e, Is.Not.Null, task.Exception!.InnerException!.ToString());
        Assert.That(e!.Code, Is.EqualTo(code), e.Message);
        Assert.That(e.Message, Does.Contain(mentions));
        return e;
    }

    /// <summary>Each entry point that opens a file as media, named by the field it reports.</summary>
    private static readonly (string Name, Action<string> Open)[] s_openers =
    [
        ("probe", p => MediaProbe.Probe(p)),
        ("video", p => new VideoDecoder(p, "backgroundUrl").Dispose()),
        ("frames", p => new VideoFrameSource(p, "backgroundUrl", 64, 64).Dispose()),
        ("audio", p => new AudioDecoder(p, 48000).Dispose()),
        ("clip", p => AudioClipInfo.DurationSeconds(p, "messages[0].audioUrl")),
        ("image", p => ImageLoader.Load(p, "messages[0].imageUrl").Dispose()),
    ];

    private static IEnumerable<string> Openers() => s_openers.Select(o => o.Name);

    private static Action<string> Opener(string name) => s_openers.First(o => o.Name == name).Open;

    [Test]
    public void Text_files_are_never_opened_as_video([Values(".nfo", ".asc", ".ans", ".txt", ".diz", ".vt")] string ext)
    {
        var env = Write("secrets" + ext, "API_KEY=hunter2\nDATABASE_URL=postgres://user:pw@db/prod\n");
        Refused(() => new VideoDecoder(env, "backgroundSettings.backgroundUrl").Dispose(), ErrorCodes.UnsupportedMedia, env);
        Refused(() => MediaProbe.Probe(env), ErrorCodes.UnsupportedMedia, env);
    }

    [Test]
    public void A_concat_playlist_is_not_audio_or_video([Values("list.ffconcat", "list.txt.mp3", "list.concat")] string name)
    {
        var wav = Path.Combine(_dir, "a.wav");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "sine=d=1", wav);
        var list = Write(name, "ffconcat version 1.0\nfile a.wav\nfile a.wav\n");
        foreach (var opener in new[] { "probe", "audio", "video", "clip" })
            Refused(() => Opener(opener)(list), opener == "probe" ? ErrorCodes.UnsupportedMedia : ErrorCodes.UnsupportedMedia, list);
    }

    [Test]
    public void An_hls_playlist_is_not_video()
    {
        var m3u8 = Write("live.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nseg.ts\n#EXT-X-ENDLIST\n");
        Refused(() => new VideoDecoder(m3u8, "inputPath").Dispose(), ErrorCodes.UnsupportedMedia, "inputPath");
        Refused(() => new AudioDecoder(m3u8, 48000).Dispose(), ErrorCodes.UnsupportedMedia, m3u8);
        Refused(() => MediaProbe.Probe(m3u8), ErrorCodes.UnsupportedMedia, m3u8);
    }

    [Test]
    public void An_image_pattern_is_not_expanded_into_a_sequence()
    {
        // img-%03d.png would be a numbered sequence for image2; only the named file may be read.
        for (int i = 1; i <= 3; i++)
            TestSupport.Ffmpeg("-f", "lavfi", "-i", "color=red:s=16x16:d=0.04", "-frames:v", "1", Path.Combine(_dir, $"img-{i:000}.png"));
        var pattern = Path.Combine(_dir, "img-%03d.png");
        Refused(() => MediaProbe.Probe(pattern), ErrorCodes.InputNotFound, pattern);
        Refused(() => new VideoDecoder(pattern, "inputPath").Dispose(), ErrorCodes.InputNotFound, pattern);
    }

    [TestCaseSource(nameof(Openers))]
    public void A_fifo_is_refused_at_once(string opener)
    {
        var fifo = Path.Combine(_dir, "pipe.mp4");
        Run("mkfifo", fifo);
        var e = Refused(() => Opener(opener)(fifo), ErrorCodes.UnsupportedMedia, fifo, releaseFifo: fifo);
        Assert.That(e.Message, Does.Contain("named pipe"));
    }

    [TestCaseSource(nameof(Openers))]
    public void Devices_are_refused_at_once(string opener)
    {
        foreach (var device in new[] { "/dev/zero", "/dev/null", "/dev/stdin" })
        {
            if (!File.Exists(device)) continue;
            Refused(() => Opener(opener)(device), ErrorCodes.UnsupportedMedia, "not a regular file");
        }
    }

    [TestCaseSource(nameof(Openers))]
    public void A_symlink_loop_is_not_found(string opener)
    {
        var a = Path.Combine(_dir, "a.mp4");
        var b = Path.Combine(_dir, "b.mp4");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);
        Refused(() => Opener(opener)(a), ErrorCodes.InputNotFound, "symlink loop");
    }

    [TestCaseSource(nameof(Openers))]
    public void A_nul_in_a_path_is_a_coded_error(string opener) =>
        Refused(() => Opener(opener)(Path.Combine(_dir, "a.mp4\0.txt")), ErrorCodes.InvalidArg, "NUL");

    [Test]
    public void A_valid_mp4_through_a_symlink_reads_as_the_file_itself()
    {
        var link = Path.Combine(_dir, "link.mp4");
        File.CreateSymbolicLink(link, Mp4());
        var direct = MediaProbe.Probe(Mp4());
        var viaLink = MediaProbe.Probe(link);
        Assert.That((viaLink.Size, viaLink.DurationSeconds, viaLink.Streams.Count), Is.EqualTo((direct.Size, direct.DurationSeconds, direct.Streams.Count)));
        using var decoder = new VideoDecoder(link, "inputPath");
        Assert.That(decoder.FrameCount, Is.EqualTo(30));
        Assert.That(AudioClipInfo.DurationSeconds(link, "voice"), Is.GreaterThan(0.9));
    }

    [Test]
    public void A_relative_symlink_chain_is_followed()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        File.Copy(Mp4(), Path.Combine(_dir, "sub", "real.mp4"));
        File.CreateSymbolicLink(Path.Combine(_dir, "one.mp4"), "sub/real.mp4");
        File.CreateSymbolicLink(Path.Combine(_dir, "two.mp4"), "one.mp4");
        Assert.That(MediaProbe.Probe(Path.Combine(_dir, "two.mp4")).Kind, Is.EqualTo("video"));
    }

    [Test]
    public void The_allow_lists_name_each_role()
    {
        Assert.That(MediaRoles.For(MediaRole.Video), Does.Contain("mov").And.Contain("matroska").And.Not.Contain("tty").And.Not.Contain("concat").And.Not.Contain("hls").And.Not.Contain("srt"));
        Assert.That(MediaRoles.For(MediaRole.Audio), Does.Contain("wav").And.Contain("mp3").And.Not.Contain("tty").And.Not.Contain("concat").And.Not.Contain("hls"));
        Assert.That(MediaRoles.For(MediaRole.Probe), Does.Not.Contain("tty").And.Not.Contain("concat").And.Not.Contain("hls").And.Not.Contain("ffconcat"));
    }
}
