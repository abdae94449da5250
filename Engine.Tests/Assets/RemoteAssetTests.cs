using System.Diagnostics;
using System.Net;
using System.Text;
using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Assets;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Render;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Assets;

/// <summary>
/// Remote assets over a local HTTP server on 127.0.0.1 (allowed through allowedHosts): fetched,
/// cached, bounded, refused by the address policy, limited, aborted. No test contacts any
/// address but loopback: private and metadata addresses must be refused before connecting.
/// </summary>
public class RemoteAssetTests : TempDirTest
{
    private TestHttpServer _server = null!;

    [SetUp]
    public void StartServer() => _server = new TestHttpServer();

    [TearDown]
    public void StopServer() => _server.Dispose();

    private static byte[] Png(SKColor color, int w = 64, int h = 64)
    {
        using var surface = SKSurface.Create(new SKImageInfo(w, h));
        surface.Canvas.Clear(color);
        using var img = surface.Snapshot();
        using var data = img.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private byte[] Wav(double seconds = 1)
    {
        var path = Path.Combine(_dir, $"tone-{Guid.NewGuid():N}.wav");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=44100:duration={seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}", path);
        return File.ReadAllBytes(path);
    }

    private ReelSpeedEngine Engine(string extra = "") =>
        new(EngineOptions.Parse($$"""{ "allowedHosts": ["127.0.0.1"], "tempDirectory": "{{_dir}}", "maxConcurrentJobs": 1 {{extra}} }"""));

    private AssetResolver Resolver(AssetPolicy? policy = null, long cacheBytes = 100_000_000) =>
        new(policy ?? new AssetPolicy(new[] { "127.0.0.1" }), Path.Combine(_dir, "cache-" + Guid.NewGuid().ToString("N")[..6]), cacheBytes);

    private static string Story(string extraMessage = "", string extra = "") => $$"""
        {
          "videoSettings": { "resolution": "160x284", "fps": 15, "duration": 1 },
          "animationSettings": { "messageAnimationType": "none", "baseDelay": 0, "messageDelay": 100 },
          "messages": [ { "text": "hi", "sender": "them", "audioDuration": 0.3 }{{extraMessage}} ]{{extra}}
        }
        """;

    private static string Metric(string text, string name) =>
        text.Split('\n').Single(l => l.StartsWith("reelspeed_engine_" + name + " ")).Split(' ')[1];

    [Test]
    public async Task A_remote_picture_and_music_render_as_local_files_do_and_a_second_job_hits_the_cache()
    {
        var png = Png(new SKColor(200, 30, 40));
        var wav = Wav();
        _server.Serve("/pic.png", png, "image/png");
        _server.Serve("/music.wav", wav, "audio/wav");
        File.WriteAllBytes(Path.Combine(_dir, "pic.png"), png);
        File.WriteAllBytes(Path.Combine(_dir, "music.wav"), wav);

        string Config(string pic, string music) => Story(
            $$""", { "sender": "me", "imageUrl": "{{pic}}" }""",
            $$""", "backgroundSettings": { "backgroundType": "image", "backgroundUrl": "{{pic}}" }, "voiceAudioSettings": { "backgroundMusicUrl": "{{music}}" }""");

        var engine = Engine();
        // The same frame from URLs and from local files.
        using (var session = engine.Assets.OpenSession(CancellationToken.None))
        using (var remoteScene = EngineApi.CompileScene(Config(_server.Url("/pic.png?v=1"), _server.Url("/music.wav")), _dir, null, session))
        using (var localScene = EngineApi.CompileScene(Config("pic.png", "music.wav"), _dir))
        using (var a = new FrameRenderer(remoteScene))
        using (var b = new FrameRenderer(localScene))
        using (var ia = a.RenderImage(900))
        using (var ib = b.RenderImage(900))
        {
            using var pa = SKBitmap.FromImage(ia);
            using var pb = SKBitmap.FromImage(ib);
            Assert.That(pa.Bytes, Is.EqualTo(pb.Bytes), "a fetched asset renders exactly as the local file");
        }
        Assert.That(Metric(engine.MetricsText(), "asset_cache_misses_total"), Is.EqualTo("2"));

        // Two full jobs: the second downloads nothing.
        var json = Config(_server.Url("/pic.png?v=1"), _server.Url("/music.wav"));
        for (int i = 0; i < 2; i++)
        {
            var result = await engine.ProcessVideoAsync("", Path.Combine(_dir, $"out{i}.mp4"), json, _dir, null, CancellationToken.None);
            Assert.That(result, Does.Contain("\"success\":true"));
        }
        var info = MediaProbe.Probe(Path.Combine(_dir, "out1.mp4"));
        Assert.That(info.Streams.Any(s => s.Type == "audio"), "the remote music is in the mix");
        Assert.That(_server.RequestCount("/pic.png") + _server.RequestCount("/music.wav"), Is.EqualTo(2), "each URL fetched once");
        var metrics = engine.MetricsText();
        Assert.That(Metric(metrics, "asset_cache_misses_total"), Is.EqualTo("2"));
        Assert.That(long.Parse(Metric(metrics, "asset_cache_hits_total")), Is.GreaterThanOrEqualTo(4));
        Assert.That(long.Parse(Metric(metrics, "asset_cache_downloaded_bytes_total")), Is.EqualTo(png.Length + wav.Length));
    }

    [Test]
    public void The_cache_evicts_the_least_recently_used_file_under_its_bound()
    {
        var resolver = Resolver(cacheBytes: 250_000);
        var rnd = new Random(1);
        foreach (var name in new[] { "a", "b", "c" })
        {
            var body = new byte[100_000];
            rnd.NextBytes(body);
            body[0] = 0x1A; body[1] = 0x45; body[2] = 0xDF; body[3] = 0xA3; // an MKV signature: a plausible video
            _server.Serve($"/{name}.mkv", body);
        }
        string Fetch(string name)
        {
            using var s = resolver.OpenSession(CancellationToken.None);
            return s.FetchAsync("clips[0]", _server.Url($"/{name}.mkv"), AssetKind.Video).GetAwaiter().GetResult();
        }
        var a = Fetch("a");
        Fetch("b");
        Fetch("a"); // a is now more recent than b
        var c = Fetch("c");
        Assert.That(File.Exists(a) && File.Exists(c), "the recently used stay");
        Assert.That(resolver.Cache.Bytes, Is.LessThanOrEqualTo(250_000));
        Fetch("b");
        Assert.That(_server.RequestCount("/b.mkv"), Is.EqualTo(2), "b was the least recently used: evicted and fetched again");
        Assert.That(_server.RequestCount("/a.mkv"), Is.EqualTo(1));
        Assert.That(resolver.Stats, Has.Property("Hits").EqualTo(1).And.Property("Misses").EqualTo(4));
        Assert.That(Directory.GetFiles(resolver.CacheFolder).Sum(f => new FileInfo(f).Length), Is.LessThanOrEqualTo(250_000));
    }

    [Test]
    public void A_later_process_reuses_the_cache_folder()
    {
        _server.Serve("/a.mkv", Mkv(10_000));
        var folder = Path.Combine(_dir, "shared-cache");
        string Fetch()
        {
            var resolver = new AssetResolver(new AssetPolicy(new[] { "127.0.0.1" }), folder, 1_000_000);
            using var s = resolver.OpenSession(CancellationToken.None);
            return s.FetchAsync("clips[0]", _server.Url("/a.mkv"), AssetKind.Video).GetAwaiter().GetResult();
        }
        var first = Fetch();
        AssetCache.ForgetInstance(folder); // a new process: only the folder remains
        Assert.That(Fetch(), Is.EqualTo(first));
        Assert.That(_server.RequestCount("/a.mkv"), Is.EqualTo(1));
    }

    [Test]
    public void A_file_in_use_by_a_job_is_not_evicted_under_it()
    {
        var resolver = Resolver(cacheBytes: 150_000);
        _server.Serve("/a.mkv", Mkv(100_000));
        _server.Serve("/b.mkv", Mkv(100_000));
        using var job = resolver.OpenSession(CancellationToken.None);
        var a = job.FetchAsync("clips[0]", _server.Url("/a.mkv"), AssetKind.Video).GetAwaiter().GetResult();
        using (var other = resolver.OpenSession(CancellationToken.None))
            other.FetchAsync("clips[0]", _server.Url("/b.mkv"), AssetKind.Video).GetAwaiter().GetResult();
        Assert.That(File.Exists(a), "pinned by the running job");
    }

    private static byte[] Mkv(int size)
    {
        var body = new byte[size];
        new Random(size).NextBytes(body);
        body[0] = 0x1A; body[1] = 0x45; body[2] = 0xDF; body[3] = 0xA3;
        return body;
    }

    private static EngineException Fails(Func<Task> action)
    {
        try
        {
            action().GetAwaiter().GetResult();
        }
        catch (EngineException e)
        {
            return e;
        }
        Assert.Fail("expected an EngineException");
        return null!;
    }

    private static EngineException FetchFails(AssetResolver resolver, string field, string url, AssetKind kind) =>
        Fails(async () =>
        {
            using var s = resolver.OpenSession(CancellationToken.None);
            await s.FetchAsync(field, url, kind);
        });

    [Test]
    public void A_redirect_to_a_forbidden_address_is_refused_at_the_hop()
    {
        _server.Serve("/real.png", Png(SKColors.Blue));
        _server.Redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/");
        _server.Redirect("/to-loopback", _server.Url("/real.png"));
        _server.Redirect("/to-ftp", "ftp://example.invalid/x.png");
        // Only the name "localhost" is allowed: the hop to the literal 127.0.0.1 is not.
        var resolver = Resolver(new AssetPolicy(new[] { "localhost" }));
        string Local(string path) => $"http://localhost:{_server.Port}{path}";

        var e = FetchFails(resolver, "chatOverlay.avatarUrl", Local("/to-metadata"), AssetKind.Image);
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.AssetForbidden));
        Assert.That(e.Message, Does.Contain("chatOverlay.avatarUrl").And.Contain("169.254.169.254").And.Contain("redirects to"));

        var loop = FetchFails(resolver, "messages[0].imageUrl", Local("/to-loopback"), AssetKind.Image);
        Assert.That(loop.Code, Is.EqualTo(ErrorCodes.AssetForbidden));
        Assert.That(loop.Message, Does.Contain("127.0.0.1").And.Contain("loopback"));
        Assert.That(_server.RequestCount("/real.png"), Is.Zero, "the forbidden hop was never requested");

        var ftp = FetchFails(resolver, "messages[0].imageUrl", Local("/to-ftp"), AssetKind.Image);
        Assert.That(ftp.Code, Is.EqualTo(ErrorCodes.AssetForbidden));
        Assert.That(ftp.Message, Does.Contain("only http and https"));
    }

    [Test]
    public void At_most_five_redirects_are_followed()
    {
        for (int i = 0; i < 7; i++) _server.Redirect($"/r{i}", _server.Url($"/r{i + 1}"));
        _server.Serve("/r7", Png(SKColors.Red));
        var resolver = Resolver();
        var e = FetchFails(resolver, "messages[0].imageUrl", _server.Url("/r0"), AssetKind.Image);
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.AssetFetch));
        Assert.That(e.Message, Does.Contain("more than 5 redirects"));
        using var s = resolver.OpenSession(CancellationToken.None);
        Assert.That(File.Exists(s.FetchAsync("messages[0].imageUrl", _server.Url("/r2"), AssetKind.Image).GetAwaiter().GetResult()), "five redirects (r2 → r7) are fine");
    }

    [Test]
    public void A_private_or_metadata_address_without_allowedHosts_is_refused_before_connecting()
    {
        _server.Serve("/x.png", Png(SKColors.Green));
        var resolver = Resolver(new AssetPolicy());
        foreach (var url in new[]
        {
            _server.Url("/x.png"), $"http://localhost:{_server.Port}/x.png", $"http://[::ffff:127.0.0.1]:{_server.Port}/x.png",
            "http://10.1.2.3/x.png", "http://172.20.0.1/x.png", "http://192.168.1.1/x.png", "http://169.254.169.254/latest/meta-data/",
            "http://0.0.0.0/x.png", "http://[::1]/x.png", "http://[fd00:ec2::254]/", "http://[fe80::1]/x.png", "https://[::ffff:a9fe:a9fe]/x",
        })
        {
            var sw = Stopwatch.StartNew();
            var e = FetchFails(resolver, "messages[0].imageUrl", url, AssetKind.Image);
            Assert.That(e.Code, Is.EqualTo(ErrorCodes.AssetForbidden), url + ": " + e.Message);
            Assert.That(e.Message, Does.Contain("allowedHosts").And.Contain("messages[0].imageUrl"), url);
            Assert.That(sw.ElapsedMilliseconds, Is.LessThan(3000), url + ": refused without a network wait");
        }
        Assert.That(_server.Requests, Is.Empty, "nothing reached the server");

        // Through the engine: a story with a private URL and an engine without allowedHosts.
        var engine = new ReelSpeedEngine(EngineOptions.Parse($$"""{ "tempDirectory": "{{_dir}}" }"""));
        var job = Fails(() => engine.ProcessVideoAsync("", Path.Combine(_dir, "o.mp4"), Story($$""", { "sender": "me", "imageUrl": "{{_server.Url("/x.png")}}" }"""), _dir, null, CancellationToken.None));
        Assert.That(job.Code, Is.EqualTo(ErrorCodes.AssetForbidden));
        Assert.That(File.Exists(Path.Combine(_dir, "o.mp4")), Is.False);
    }

    [Test]
    public void A_slow_server_hits_the_timeout()
    {
        _server.Handle("/slow.wav", async (s, c) =>
        {
            await TestHttpServer.Write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nRIFF", c);
            for (int i = 0; i < 100; i++)
            {
                await Task.Delay(200, c);
                await s.WriteAsync(new byte[10], c);
            }
        });
        var resolver = Resolver(new AssetPolicy(new[] { "127.0.0.1" }) { TotalTimeout = TimeSpan.FromSeconds(1) });
        var sw = Stopwatch.StartNew();
        var e = FetchFails(resolver, "messages[0].audioUrl", _server.Url("/slow.wav"), AssetKind.Audio);
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.AssetFetch));
        Assert.That(e.Message, Does.Contain("timed out").And.Contain("messages[0].audioUrl"));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(Directory.GetFiles(resolver.CacheFolder), Is.Empty, "no partial file left");
    }

    [Test]
    public void An_oversize_body_is_refused_with_or_without_a_content_length()
    {
        _server.Serve("/big.mkv", Mkv(50_000));
        _server.Handle("/big-unannounced.mkv", async (s, c) =>
        {
            await TestHttpServer.Write(s, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", c);
            await s.WriteAsync(Mkv(50_000), c);
        });
        var resolver = Resolver(new AssetPolicy(new[] { "127.0.0.1" }) { MaxBytes = 10_000 });
        foreach (var path in new[] { "/big.mkv", "/big-unannounced.mkv" })
        {
            var e = FetchFails(resolver, "clips[0].path", _server.Url(path), AssetKind.Video);
            Assert.That(e.Code, Is.EqualTo(ErrorCodes.AssetFetch), path);
            Assert.That(e.Message, Does.Contain("limit of 10000"), path);
        }
        Assert.That(Directory.GetFiles(resolver.CacheFolder), Is.Empty);
    }

    [Test]
    public void A_404_names_the_field_the_url_without_its_query_and_the_status()
    {
        var resolver = Resolver();
        var e = FetchFails(resolver, "messages[2].imageUrl", _server.Url("/missing.png?token=s3cret&x=1"), AssetKind.Image);
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.AssetFetch));
        Assert.That(e.Message, Does.Contain("messages[2].imageUrl").And.Contain(_server.Url("/missing.png")).And.Contain("HTTP 404"));
        Assert.That(e.Message, Does.Not.Contain("s3cret").And.Not.Contain("?"));

        // A connection refused is a network error, named the same way.
        int closed = _server.Port;
        _server.Dispose();
        var refused = FetchFails(resolver, "audio.music", $"http://127.0.0.1:{closed}/m.mp3?sig=1", AssetKind.Audio);
        Assert.That(refused.Code, Is.EqualTo(ErrorCodes.AssetFetch));
        Assert.That(refused.Message, Does.Contain("audio.music").And.Contain($"http://127.0.0.1:{closed}/m.mp3").And.Not.Contain("sig="));
    }

    [Test]
    public async Task Text_where_audio_is_expected_is_unsupported_media_naming_the_url()
    {
        _server.Serve("/voice.mp3", Encoding.UTF8.GetBytes("<!doctype html><html><body>Access denied</body></html>"), "text/html");
        var engine = Engine();
        var e = Fails(() => engine.ProcessVideoAsync("", Path.Combine(_dir, "o.mp4"),
            Story(extra: $$""", "voiceAudioSettings": { "backgroundMusicUrl": "{{_server.Url("/voice.mp3?k=1")}}" }"""), _dir, null, CancellationToken.None));
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
        Assert.That(e.Message, Does.Contain(_server.Url("/voice.mp3")).And.Contain("expected audio").And.Contain("text"));
        Assert.That(e.Message, Does.Not.Contain("k=1"));
        await Task.CompletedTask;

        // A picture where audio is expected, and text where a picture is.
        _server.Serve("/pic.png", Png(SKColors.Red));
        using var s = engine.Assets.OpenSession(CancellationToken.None);
        var png = Fails(() => s.FetchAsync("messages[0].audioUrl", _server.Url("/pic.png"), AssetKind.Audio));
        Assert.That(png.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
        Assert.That(png.Message, Does.Contain("PNG"));
        var txt = Fails(() => s.FetchAsync("messages[0].imageUrl", _server.Url("/voice.mp3"), AssetKind.Image));
        Assert.That(txt.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
    }

    [Test]
    public async Task Aborting_a_job_cancels_its_download_promptly_and_leaves_no_partial_file()
    {
        var stalled = new TaskCompletionSource();
        _server.Handle("/stall.wav", async (s, c) =>
        {
            await TestHttpServer.Write(s, "HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n", c);
            await s.WriteAsync(Encoding.ASCII.GetBytes("RIFF").Concat(new byte[60_000]).ToArray(), c);
            stalled.TrySetResult();
            await Task.Delay(30_000, c);
        });
        var engine = Engine();
        using var abort = new CancellationTokenSource();
        var job = engine.ProcessVideoAsync("", Path.Combine(_dir, "o.mp4"),
            Story(extra: $$""", "voiceAudioSettings": { "backgroundMusicUrl": "{{_server.Url("/stall.wav")}}" }"""), _dir, null, abort.Token);
        await stalled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        var sw = Stopwatch.StartNew();
        abort.Cancel();
        var e = Fails(() => job);
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.Aborted));
        Assert.That(sw.ElapsedMilliseconds, Is.LessThan(2000), "promptly");
        var folder = engine.Options.AssetCacheFolder;
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (Directory.GetFiles(folder).Length > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.That(Directory.GetFiles(folder), Is.Empty, "no partial or cached file");
        Assert.That(File.Exists(Path.Combine(_dir, "o.mp4")), Is.False);
    }

    [Test]
    public async Task Concurrent_jobs_share_one_download_and_one_abort_does_not_stop_it_for_the_other()
    {
        var body = Mkv(200_000);
        _server.Handle("/shared.mkv", async (s, c) =>
        {
            await TestHttpServer.Write(s, $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n", c);
            await s.WriteAsync(body.AsMemory(0, 1000), c);
            await Task.Delay(600, c);
            await s.WriteAsync(body.AsMemory(1000), c);
        });
        var resolver = Resolver();
        using var abort = new CancellationTokenSource();
        using var a = resolver.OpenSession(abort.Token);
        using var b = resolver.OpenSession(CancellationToken.None);
        var first = a.FetchAsync("clips[0]", _server.Url("/shared.mkv"), AssetKind.Video);
        var second = b.FetchAsync("clips[0]", _server.Url("/shared.mkv"), AssetKind.Video);
        await Task.Delay(200);
        abort.Cancel();
        Assert.That(async () => await first, Throws.InstanceOf<OperationCanceledException>());
        var path = await second;
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(body));
        Assert.That(_server.RequestCount("/shared.mkv"), Is.EqualTo(1), "one download for both jobs");
    }

    [Test]
    public async Task A_remote_inputPath_is_the_background_video()
    {
        var clip = Path.Combine(_dir, "bg.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x284:rate=15:duration=1", "-pix_fmt", "yuv420p", "-c:v", "libx264", clip);
        _server.Serve("/bg.mp4", File.ReadAllBytes(clip), "video/mp4");
        var engine = Engine();
        var result = await engine.ProcessVideoAsync(_server.Url("/bg.mp4?sig=2"), Path.Combine(_dir, "o.mp4"), Story(), _dir, null, CancellationToken.None);
        Assert.That(result, Does.Contain("\"success\":true"));
        Assert.That(_server.RequestCount("/bg.mp4"), Is.EqualTo(1));
    }
}
