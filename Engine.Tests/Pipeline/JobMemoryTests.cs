using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// The job memory estimate counts what the renderer holds: frame size and encoder threads, the text of
/// every message, the sprites of one screenful (not of every message), pictures at their drawn size
/// and the largest one while it decodes. The measured side is scripts/memory-check.js and js/test/memory-limits.test.js.
/// </summary>
public class JobMemoryTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TestSupport.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static string Messages(int count, Func<int, string> text, Func<int, string>? extra = null) =>
        "[" + string.Join(",", Enumerable.Range(0, count).Select(i =>
            $$"""{ "text": "{{text(i)}}", "sender": "{{(i % 2 == 0 ? "me" : "them")}}", "audioDuration": 0.5{{extra?.Invoke(i) ?? ""}} }""")) + "]";

    private static long Estimate(string messages, string resolution = "1080x1920", int threads = 2)
    {
        using var scene = TestSupport.Scene($$"""{ "videoSettings": { "resolution": "{{resolution}}" }, "messages": {{messages}} }""");
        return JobMemory.Estimate(scene, threads);
    }

    private string Png(int width, int height, int i)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(new SKColor((byte)(i * 40), 90, 200));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        var path = Path.Combine(_dir, $"p{i}.png");
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Test]
    public void Frame_size_and_encoder_threads_scale_the_estimate()
    {
        var one = Messages(1, _ => "hi");
        long small = Estimate(one, "720x1280"), big = Estimate(one, "2160x3840");
        // Per pixel: the frame, the ring, the cached background and x264 (measured ~104 bytes a pixel on two threads), plus the headroom.
        double perPixel = (big - small) / (2160.0 * 3840 - 720.0 * 1280);
        Assert.That(perPixel, Is.InRange(104, 140));
        Assert.That(Estimate(one, "1080x1920", threads: 8), Is.GreaterThan(Estimate(one, "1080x1920", threads: 2) + 6L * 1080 * 1920 * 9));
    }

    [Test]
    public async Task Slice_threads_are_counted_as_one_frame_in_flight_and_chosen_under_frame_threads_only_where_those_do_not_fit_the_limit()
    {
        using var scene = TestSupport.Scene("""{ "videoSettings": { "resolution": "1080x1920" }, "messages": [{ "text": "hi", "sender": "me", "audioDuration": 0.5 }] }""");
        long frames = JobMemory.Estimate(scene), slices = JobMemory.Estimate(scene, Environment.ProcessorCount, sliceThreads: true);
        // Slice threads share one frame: x264 holds what one thread holds, and each further thread its context (its scratch).
        Assert.That(JobMemory.Estimate(scene, 1, sliceThreads: true), Is.EqualTo(JobMemory.Estimate(scene, 1)));
        Assert.That(JobMemory.Estimate(scene, 8, sliceThreads: true) - JobMemory.Estimate(scene, 2, sliceThreads: true),
            Is.EqualTo(1080L * 1920 * 6 * JobMemory.SliceThreadBytesPerPixel * JobMemory.Headroom).Within(16), "and each further thread its context");
        // No limit, or room under it: the encoder's frame threads, as without a limit.
        var plain = new JobMemory.Admission(frames, false, frames);
        Assert.That(JobMemory.Admit(scene, 0, X264Threads.Frames), Is.EqualTo(plain));
        Assert.That(JobMemory.Admit(scene, frames, X264Threads.Frames), Is.EqualTo(plain));
        Assert.That(plain.Note, Is.Null);
        Assert.That(plain.RefusalDetail, Is.Null);
        if (Environment.ProcessorCount < 2)
        {
            Assert.That(JobMemory.Admit(scene, frames - 1, X264Threads.Frames), Is.EqualTo(plain), "one core: one thread either way, nothing to save");
            return;
        }
        // Two cores or more: a thread's frames and the frame-threading queue fewer (measured 22-25 bytes a pixel on two cores).
        Assert.That(frames - slices, Is.GreaterThanOrEqualTo((long)(1080L * 1920 * (JobMemory.EncoderBytesPerPixelPerThread + JobMemory.FrameThreadingBytesPerPixel))));
        var lean = JobMemory.Admit(scene, frames - 1, X264Threads.Frames);
        Assert.That(lean, Is.EqualTo(new JobMemory.Admission(slices, true, frames) { ForLimit = true }));
        Assert.That(lean.Note, Does.StartWith("memoryLimitMb: x264 encoded with its threads on slices of one frame")
            .And.Contain($"(about {(slices + 999_999) / 1_000_000} MB instead of {(frames + 999_999) / 1_000_000} MB)"));
        // Slice threads where x264 gets more than one thread; a job that starts beside another, with one thread, has nothing to split.
        Assert.That(lean.JobOptionsWith(new JobOptions { EncoderThreads = 2 }).SliceThreads, Is.True);
        var alone = lean.JobOptionsWith(new JobOptions { EncoderThreads = 1 });
        Assert.That(alone.SliceThreads, Is.False);
        Assert.That(lean.NoteFor(alone, "libx264"), Is.Null);
        Assert.That(lean.NoteFor(lean.JobOptionsWith(new JobOptions { EncoderThreads = 2 }), "libx264"), Is.EqualTo(lean.Note));
        Assert.That(lean.NoteFor(lean.JobOptionsWith(new JobOptions { EncoderThreads = 2 }), "h264_nvenc"), Is.Null, "a hardware encoder has no slices");
        Assert.That(plain.NoteFor(new JobOptions { EncoderThreads = 2 }, "libx264"), Is.Null);
        // Where a hardware encoder is required, x264 does not run: its estimate as it is.
        Assert.That(JobMemory.Admit(scene, frames - 1, X264Threads.Frames, x264: false), Is.EqualTo(plain));
        // Under the slice threads' estimate too: refused at once (the scheduler's CheckFits), naming both figures.
        var scheduler = new JobScheduler(1, slices - 1);
        var refused = JobMemory.Admit(scene, slices - 1, X264Threads.Frames);
        var e = (await Assert.ThrowsAsync<EngineException>(() => scheduler.AcquireAsync(refused, default)))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.ResourceLimit));
        Assert.That(e.Message, Does.StartWith($"this job needs about {(slices + 999_999) / 1_000_000} MB even with x264's threads on slices of one frame (about {(frames + 999_999) / 1_000_000} MB with its frame threads), more than the engine's memoryLimitMb"));
        // Slice threads are x264's: another codec is admitted, or refused, with its estimate as it is.
        var hevc = scene.WithEncode(scene.Encode with { Codec = "h265" }); // shares the scene's fonts: the scene disposes them
        Assert.That(JobMemory.Admit(hevc, frames - 1, X264Threads.Frames), Is.EqualTo(new JobMemory.Admission(frames, false, frames)));
    }

    [Test]
    public void The_x264_threads_policy_puts_jobs_that_decode_no_video_on_slices_on_two_cores()
    {
        using var story = TestSupport.Scene("""{ "videoSettings": { "resolution": "1080x1920" }, "messages": [{ "text": "hi", "sender": "me", "audioDuration": 0.5 }] }""");
        long frames = JobMemory.Estimate(story), slices = JobMemory.Estimate(story, Environment.ProcessorCount, sliceThreads: true);
        bool saves = slices < frames; // false on one core: one thread either way
        var plain = new JobMemory.Admission(frames, false, frames);
        // auto: on two cores a chat story without a video background takes slice threads with or without a limit, and says nothing
        // (it is the engine's choice, not the limit's); on more cores, frame threads, and slice threads only where a limit needs them.
        var auto = JobMemory.Admit(story, 0, X264Threads.Auto, cores: 2);
        Assert.That(auto, Is.EqualTo(new JobMemory.Admission(Math.Min(slices, frames), saves, frames)));
        Assert.That(auto.Note, Is.Null);
        Assert.That(JobMemory.Admit(story, frames - 1, X264Threads.Auto, cores: 2).Note, Is.Null);
        Assert.That(JobMemory.Admit(story, 0, X264Threads.Auto, cores: 4), Is.EqualTo(plain));
        Assert.That(JobMemory.Admit(story, frames - 1, X264Threads.Auto, cores: 4).Note is not null, Is.EqualTo(saves));
        // frames: never preferred; slices: always, whatever the cores.
        Assert.That(JobMemory.Admit(story, 0, X264Threads.Frames, cores: 2), Is.EqualTo(plain));
        Assert.That(JobMemory.Admit(story, 0, X264Threads.Slices, cores: 16), Is.EqualTo(auto));
        // Preferred slice threads under a limit they do not fit either: refused with both figures, as under frame threads.
        if (saves) Assert.That(JobMemory.Admit(story, slices - 1, X264Threads.Auto, cores: 2).RefusalDetail, Does.StartWith(" even with x264's threads on slices of one frame"));
        // x264 only: not where a hardware encoder is required, nor for another codec.
        Assert.That(JobMemory.Admit(story, 0, X264Threads.Slices, x264: false), Is.EqualTo(plain));
        using var hevc = story.WithEncode(story.Encode with { Codec = "h265" });
        Assert.That(JobMemory.Admit(hevc, 0, X264Threads.Slices), Is.EqualTo(plain));

        // A job that decodes video (a chat story's video background, a processing config's clip): frame threads under auto, where
        // slice threads measured up to 18 % slower; slice threads when asked for.
        var clip = Path.Combine(_dir, "gameplay.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip);
        using var background = TestSupport.Scene("""{ "backgroundSettings": { "backgroundType": "video", "backgroundUrl": "gameplay.mp4" }, "messages": [{ "text": "hi", "sender": "me" }] }""", _dir);
        using var processing = ReelSpeed.Engine.Api.EngineApi.CompileScene("""{ "video": { "quality": "high" } }""", null, clip);
        foreach (var scene in new[] { background, processing })
        {
            Assert.That(JobMemory.DecodesVideo(scene), Is.True);
            Assert.That(JobMemory.PrefersSlices(scene, X264Threads.Auto, cores: 2), Is.False);
            Assert.That(JobMemory.PrefersSlices(scene, X264Threads.Slices, cores: 2), Is.True);
        }
        Assert.That(JobMemory.DecodesVideo(story), Is.False);
        // A green-screen story draws chroma green where the clip would be: nothing decodes.
        using var green = TestSupport.Scene("""{ "videoSettings": { "greenScreen": true }, "backgroundSettings": { "backgroundType": "video", "backgroundUrl": "gameplay.mp4" }, "messages": [{ "text": "hi", "sender": "me" }] }""", _dir);
        Assert.That(JobMemory.DecodesVideo(green), Is.False);
    }

    [Test]
    public void An_optimize_measured_in_flight_counts_the_source_pictures_the_encoder_still_holds()
    {
        using var scene = TestSupport.Scene("""{ "videoSettings": { "resolution": "1080x1920" }, "messages": [{ "text": "hi", "sender": "me", "audioDuration": 0.5 }] }""");
        long yuv = 1080L * 1920 * 3 / 2;
        Assert.That(JobMemory.EstimateOptimize(scene, measureQuality: false),
            Is.EqualTo(JobMemory.Estimate(scene, JobMemory.OptimizeEncoderThreads(scene, Environment.ProcessorCount, sliceThreads: false))));
        // ~150 MB measured at 1080x1920 on two cores (about 50 pictures of the source held by reference).
        long extra = JobMemory.EstimateOptimize(scene, measureQuality: true) - JobMemory.Estimate(scene);
        Assert.That(extra, Is.GreaterThanOrEqualTo(48 * yuv));
        // While the first passes decide the size, the smaller size's x264 runs beside the full size's, and both passes are scored
        // in flight, holding source pictures, whether or not the output's quality is measured.
        long beside = 774L * 1374;
        long deciding = JobMemory.EstimateOptimize(scene, measureQuality: false, besidePixels: beside);
        Assert.That(deciding - JobMemory.EstimateOptimize(scene, measureQuality: true), Is.GreaterThan((long)(beside * JobMemory.EncoderBytesPerPixel)));
        Assert.That(JobMemory.EstimateOptimize(scene, measureQuality: true, besidePixels: beside), Is.EqualTo(deciding));
        // With slice threads both x264s hold one thread's frames; the pictures the measurement holds stay.
        long sliced = JobMemory.EstimateOptimize(scene, measureQuality: true, besidePixels: beside, sliceThreads: true);
        // Frame threads are x264's own 1.5 a core for optimizeVideo (JobMemory.OptimizeEncoderThreads), slice threads one a core.
        int cores = Environment.ProcessorCount, frames = JobMemory.OptimizeEncoderThreads(scene, cores, sliceThreads: false);
        Assert.That(frames, Is.EqualTo(Math.Max(1, cores * 3 / 2)));
        Assert.That(JobMemory.OptimizeEncoderThreads(scene, cores, sliceThreads: true), Is.EqualTo(cores));
        double perPixelSaved = cores > 1
            ? JobMemory.EncoderBytesPerPixelPerThread * (frames - 1) + JobMemory.FrameThreadingBytesPerPixel - JobMemory.SliceThreadBytesPerPixel * (cores - 1)
            : 0;
        long fullSaved = JobMemory.Estimate(scene, frames) - JobMemory.Estimate(scene, cores, sliceThreads: true);
        Assert.That(fullSaved, Is.EqualTo(1080L * 1920 * perPixelSaved * JobMemory.Headroom).Within(16));
        Assert.That(deciding - sliced - fullSaved, Is.EqualTo(beside * perPixelSaved * JobMemory.Headroom).Within(16), "the smaller size's x264 saves too");
        if (cores > 1)
        {
            var admission = JobMemory.AdmitOptimize(scene, measureQuality: true, beside, deciding - 1, X264Threads.Frames);
            Assert.That(admission, Is.EqualTo(new JobMemory.Admission(sliced, true, deciding) { ForLimit = true }));
        }
        Assert.That(JobMemory.AdmitOptimize(scene, measureQuality: true, beside, deciding, X264Threads.Frames), Is.EqualTo(new JobMemory.Admission(deciding, false, deciding)));
    }

    [Test]
    public void A_two_pass_encode_of_a_plain_clip_counts_the_decode_logs_staging_frame()
    {
        // Its later passes may read the first pass's decoded frames back from a file (DecodeLog), through one frame of the clip's size.
        var input = Path.Combine(_dir, "clip.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", input);
        using var plain = ReelSpeed.Engine.Api.EngineApi.CompileScene("""{ "video": { "quality": "high" } }""", null, input);
        using var twoPass = plain.WithEncode(plain.Encode with { RateControl = RateControlMode.TwoPass, BitrateKbps = 300 });
        Assert.That((RenderJob.MayKeepDecodeLog(plain), RenderJob.MayKeepDecodeLog(twoPass)), Is.EqualTo((false, true)));
        long staging = (long)(320L * 240 * 3 / 2 * JobMemory.Headroom);
        Assert.That(JobMemory.Estimate(twoPass) - JobMemory.Estimate(plain), Is.InRange(staging - 1, staging + 1));
    }

    [Test]
    public void Long_stories_count_their_text_and_one_screenful_of_sprites_not_every_message()
    {
        string longText = new string('w', 1990);
        long one = Estimate(Messages(1, _ => longText));
        long many = Estimate(Messages(500, _ => longText));
        long text = (long)(499L * 1990 * JobMemory.TextBytesPerChar * JobMemory.Headroom);
        long frame = 1080L * 1920 * 4;
        // Each message is about a screen tall: a frame shows two or three of them, never 500.
        Assert.That(many - one - text, Is.InRange(frame / 2, 4 * frame));
        Assert.That(many, Is.LessThan(1_000_000_000), "500 long messages fit well under a gigabyte");
    }

    [Test]
    public void Pictures_count_at_their_drawn_size_plus_the_largest_decode()
    {
        var paths = Enumerable.Range(0, 6).Select(i => Png(4000, 3000, i)).ToArray();
        long none = Estimate(Messages(6, i => $"p{i}"));
        long one = Estimate(Messages(6, i => $"p{i}", i => i == 0 ? $$""", "imageUrl": "{{paths[0]}}" """ : ""));
        long six = Estimate(Messages(6, i => $"p{i}", i => $$""", "imageUrl": "{{paths[i]}}" """));
        long decode = (long)(ImageLoader.DecodeBytes(4000, 3000) * JobMemory.Headroom);
        Assert.That(one - none, Is.GreaterThan(decode), "the full decode of the picture is counted");
        Assert.That(one - none, Is.LessThan(decode + (12L << 20)));
        Assert.That(six - one, Is.LessThan(decode), "more pictures add their drawn size, not another full decode each");
        Assert.That(six - one, Is.GreaterThan(0));
    }

    [Test]
    public void Pictures_are_decoded_down_to_the_size_they_are_drawn_at()
    {
        var path = Png(4000, 3000, 0);
        Assert.That(ImageLoader.ReadSize(path, "p"), Is.EqualTo((4000, 3000)));
        using (var image = ImageLoader.Load(path, "p", 300, 300))
            Assert.That((image.Width, image.Height), Is.EqualTo((400, 300)), "the smallest size that covers 300x300");
        Assert.That(ImageLoader.KeptSize(4000, 3000, 300, 300), Is.EqualTo((400, 300)));
        using (var image = ImageLoader.Load(path, "p", 8000, 100))
            Assert.That((image.Width, image.Height), Is.EqualTo((4000, 3000)), "never enlarged");

        var cache = new ImageCache();
        var a = cache.Get(path, "p", new SKSize(299.5f, 300));
        Assert.That(cache.Get(path, "p", new SKSize(300, 300)), Is.SameAs(a));
        cache.Remove(path, new SKSize(300, 300));
        Assert.That(cache.Count, Is.Zero);
        cache.Dispose();
    }

    [Test]
    public void Chat_painter_keeps_only_the_sprites_on_screen()
    {
        string longText = new string('w', 1500);
        var paths = Enumerable.Range(0, 4).Select(i => Png(2000, 2000, i)).ToArray();
        using var scene = TestSupport.Scene($$"""{ "videoSettings": { "resolution": "360x640" }, "messages": {{Messages(40, _ => longText, i => i < 4 ? $$""", "imageUrl": "{{paths[i]}}" """ : "")}} }""");
        using var renderer = new FrameRenderer(scene);
        var painter = (ChatPainter)renderer.Painter;
        for (double t = 0; t < scene.DurationMs; t += 250)
        {
            using var frame = renderer.RenderImage(t);
            Assert.That(painter.SpritesHeld, Is.LessThanOrEqualTo(4), $"sprites held at {t} ms");
            Assert.That(painter.ImagesHeld, Is.LessThanOrEqualTo(3), $"pictures held at {t} ms");
        }
    }
}
