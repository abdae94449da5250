using System.Diagnostics;
using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Scenes;
using static ReelSpeed.Engine.Tests.Media.EncoderFixtures;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// The software encoders (libx264, libx265, libvpx-vp9) in each rate-control mode, encoding 3 s
/// of 320x240 testsrc2 and probed back with ffprobe: codec, profile, pixel format, colour tags,
/// and the bit rate against the target.
/// </summary>
public class VideoEncoderTests : TempDirTest
{
    /// <summary>Encodes the fixture clip to <paramref name="path"/> (video only), running both passes for two-pass settings.</summary>
    private string EncodeFile(string path, EncodeSettings settings, Action<TwoPassStats>? afterPass1 = null, bool sliceThreads = false)
    {
        string format = Path.GetExtension(path) switch { ".mkv" => "matroska", ".webm" => "webm", ".mov" => "mov", _ => "mp4" };
        using var muxer = new MediaMuxer(path, format);
        var spec = new VideoEncoderSpec(Width, Height, Fps, settings, muxer.NeedsGlobalHeader, Threads: 2) { SliceThreads = sliceThreads };
        if (settings.RateControl == RateControlMode.TwoPass)
        {
            using var stats = TwoPassStats.Create(_dir);
            using (var pass1 = new VideoEncoder(spec with { Pass = EncodePass.First, Stats = stats }))
                EncodeClip(pass1, new NullPacketSink());
            afterPass1?.Invoke(stats);
            using var pass2 = new VideoEncoder(spec with { Pass = EncodePass.Second, Stats = stats });
            Write(pass2);
        }
        else
        {
            using var encoder = new VideoEncoder(spec);
            Write(encoder);
        }
        return path;

        void Write(VideoEncoder encoder)
        {
            muxer.AddVideo(encoder.Context, encoder.TimeBase);
            muxer.Start();
            EncodeClip(encoder, muxer);
            muxer.Finish();
        }
    }

    private static void AssertStream(string file, string codec, string profile)
    {
        var v = VideoStream(file);
        Assert.Multiple(() =>
        {
            Assert.That(v.GetProperty("codec_name").GetString(), Is.EqualTo(codec));
            Assert.That(v.GetProperty("profile").GetString(), Is.EqualTo(profile));
            Assert.That(v.GetProperty("pix_fmt").GetString(), Is.EqualTo("yuv420p"));
            Assert.That(v.GetProperty("width").GetInt32(), Is.EqualTo(Width));
            Assert.That(v.GetProperty("height").GetInt32(), Is.EqualTo(Height));
            Assert.That(v.GetProperty("color_space").GetString(), Is.EqualTo("bt709"));
            Assert.That(v.GetProperty("color_range").GetString(), Is.EqualTo("tv"));
        });
    }

    [TestCase("h264", "h264", "High")]
    [TestCase("h265", "hevc", "Main")]
    [TestCase("vp9", "vp9", "Profile 0")]
    public void Crf_mode_encodes_the_codec_and_a_lower_crf_spends_more_bits(string codec, string ffprobeCodec, string profile)
    {
        var high = EncodeFile(Path.Combine(_dir, "high.mp4"), EncodeSettings.Default(codec, "high"));
        var low = EncodeFile(Path.Combine(_dir, "low.mp4"), EncodeSettings.Default(codec, "low"));
        AssertStream(high, ffprobeCodec, profile);
        double highKbps = VideoKbps(high), lowKbps = VideoKbps(low);
        TestContext.Out.WriteLine($"{codec}: crf {EncodeSettings.CrfForQuality(codec, "high")} {highKbps:0} kbit/s, crf {EncodeSettings.CrfForQuality(codec, "low")} {lowKbps:0} kbit/s");
        Assert.That(highKbps, Is.GreaterThan(lowKbps * 1.3));
    }

    [TestCase("h264", 0)]
    [TestCase("h264", 51)]
    [TestCase("h265", 0)]
    [TestCase("h265", 51)]
    [TestCase("vp9", 0)]
    [TestCase("vp9", 63)]
    public void Both_ends_of_each_crf_range_and_every_preset_encode(string codec, int crf)
    {
        foreach (var preset in EncodeSettings.Presets)
        {
            using var encoder = new VideoEncoder(Width, Height, Fps, EncodeSettings.Default(codec, preset: preset) with { Crf = crf }, false);
            using var frame = NewFrame();
            var sink = new NullPacketSink();
            Load(frame, 0);
            encoder.Encode(frame.Ptr, sink);
            encoder.Encode(0, sink);
            Assert.That(sink.Packets, Is.EqualTo(1), $"{codec} crf {crf} {preset}");
        }
    }

    [Test]
    public void Crf_0_in_h264_is_lossless()
    {
        var file = EncodeFile(Path.Combine(_dir, "lossless.mkv"), EncodeSettings.Default("h264") with { Crf = 0 });
        Assert.That(VideoStream(file).GetProperty("profile").GetString(), Is.EqualTo("High 4:4:4 Predictive"));
    }

    [TestCase("h264")]
    [TestCase("h265")]
    [TestCase("vp9")]
    public void Bitrate_mode_lands_near_the_target(string codec)
    {
        var settings = EncodeSettings.Default(codec) with { RateControl = RateControlMode.Bitrate, BitrateKbps = 200 };
        var file = EncodeFile(Path.Combine(_dir, "abr.mkv"), settings);
        double kbps = VideoKbps(file);
        TestContext.Out.WriteLine($"{codec} one-pass 200 kbit/s: {kbps:0.0} kbit/s");
        Assert.That(kbps, Is.EqualTo(200).Within(15).Percent);
    }

    [TestCase("h264", "h264", "High")]
    [TestCase("h265", "hevc", "Main")]
    [TestCase("vp9", "vp9", "Profile 0")]
    public void Two_pass_lands_within_5_percent_of_the_target_and_deletes_its_statistics(string codec, string ffprobeCodec, string profile)
    {
        var settings = EncodeSettings.Default(codec) with { RateControl = RateControlMode.TwoPass, BitrateKbps = 200 };
        string? statsFolder = null;
        var clock = Stopwatch.StartNew();
        var file = EncodeFile(Path.Combine(_dir, "2pass.mp4"), settings, stats =>
        {
            statsFolder = stats.Folder;
            Assert.That(stats.FirstPassEncoder, Is.EqualTo(VideoEncoder.SoftwareEncoder(codec)));
            if (codec == "vp9") Assert.That(stats.VpxStats, Is.Not.Empty);
            else Assert.That(new FileInfo(Path.Combine(stats.Folder, "pass1.log")).Length, Is.GreaterThan(0));
        });
        double kbps = VideoKbps(file);
        TestContext.Out.WriteLine($"{codec} two-pass 200 kbit/s: {kbps:0.0} kbit/s in {clock.ElapsedMilliseconds} ms");
        AssertStream(file, ffprobeCodec, profile);
        Assert.That(kbps, Is.EqualTo(200).Within(5).Percent);
        Assert.That(statsFolder, Is.Not.Null);
        Assert.That(Directory.Exists(statsFolder), Is.False, "statistics folder deleted");
        Assert.That(Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName), Is.EqualTo(new[] { "2pass.mp4" }));
    }

    [Test]
    public void Slice_threads_split_each_frame_among_x264s_threads_in_one_pass_and_beside_a_rate_tolerance_in_two()
    {
        // The low-memory layout a job gets where only it fits memoryLimitMb (JobMemory.Admit): x264 says what it ran in its settings SEI.
        var crf = EncodeFile(Path.Combine(_dir, "sliced.mp4"), EncodeSettings.Default("h264"), sliceThreads: true);
        Assert.That(TestSupport.X264Settings(crf), Does.Contain(" threads=2 ").And.Contain(" sliced_threads=1 ").And.Contain(" slices=2 "));
        Assert.That(TestSupport.X264Settings(EncodeFile(Path.Combine(_dir, "framed.mp4"), EncodeSettings.Default("h264"))), Does.Contain(" sliced_threads=0 "));
        var twoPass = EncodeSettings.Default("h264") with { RateControl = RateControlMode.TwoPass, BitrateKbps = 200, RateTolerance = 0.5 };
        var file = EncodeFile(Path.Combine(_dir, "sliced-2pass.mp4"), twoPass, sliceThreads: true);
        Assert.That(TestSupport.X264Settings(file), Does.Contain(" sliced_threads=1 ").And.Contain(" ratetol=0.5 "));
        AssertStream(file, "h264", "High");
        Assert.That(VideoKbps(file), Is.EqualTo(200).Within(5).Percent);
    }

    [Test]
    public void Statistics_are_deleted_even_when_pass_2_never_runs()
    {
        var settings = EncodeSettings.Default("h264") with { RateControl = RateControlMode.TwoPass, BitrateKbps = 200 };
        string folder;
        using (var stats = TwoPassStats.Create(_dir))
        {
            folder = stats.Folder;
            using var pass1 = new VideoEncoder(new VideoEncoderSpec(Width, Height, Fps, settings, false) { Pass = EncodePass.First, Stats = stats });
            using var frame = NewFrame();
            Load(frame, 0);
            pass1.Encode(frame.Ptr, new NullPacketSink());
            Assert.That(Directory.GetFiles(folder), Is.Not.Empty, "x264 writes its statistics as it goes");
        }
        Assert.That(Directory.Exists(folder), Is.False);
    }

    [Test]
    public void Two_pass_misuse_is_refused_before_encoding()
    {
        var twoPass = EncodeSettings.Default("h264") with { RateControl = RateControlMode.TwoPass, BitrateKbps = 300 };
        var spec = new VideoEncoderSpec(Width, Height, Fps, twoPass, false);
        Assert.That(Assert.Throws<EngineException>(() => new VideoEncoder(spec))!.Message, Does.Contain("pass-1 then a pass-2"));
        using var stats = TwoPassStats.Create(_dir);
        Assert.That(Assert.Throws<EngineException>(() => new VideoEncoder(spec with { Pass = EncodePass.Second, Stats = stats }))!.Message,
            Does.Contain("needs a completed pass 1"));
        using (var pass1 = new VideoEncoder(spec with { Pass = EncodePass.First, Stats = stats }))
            EncodeClip(pass1, new NullPacketSink());
        var h265 = spec with { Settings = twoPass with { Codec = "h265" }, Pass = EncodePass.Second, Stats = stats };
        Assert.That(Assert.Throws<EngineException>(() => new VideoEncoder(h265))!.Message, Does.Contain("libx264's pass 1, not libx265's"));
        Assert.That(Assert.Throws<EngineException>(() => new VideoEncoder(spec with { Settings = EncodeSettings.Default("h264"), Pass = EncodePass.First, Stats = stats }))!.Message,
            Does.Contain("needs two-pass settings"));
        Assert.That(VideoEncoder.LiveContexts, Is.Zero);
    }

    [Test]
    public void H265_in_mp4_is_tagged_hvc1_for_apple_players()
    {
        var file = EncodeFile(Path.Combine(_dir, "hevc.mp4"), EncodeSettings.Default("h265") with { Preset = "ultrafast" });
        Assert.That(VideoStream(file).GetProperty("codec_tag_string").GetString(), Is.EqualTo("hvc1"));
        var mov = EncodeFile(Path.Combine(_dir, "hevc.mov"), EncodeSettings.Default("h265") with { Preset = "ultrafast" });
        Assert.That(VideoStream(mov).GetProperty("codec_tag_string").GetString(), Is.EqualTo("hvc1"));
    }

    [Test]
    public void Vp9_and_opus_make_a_webm_file()
    {
        var path = Path.Combine(_dir, "clip.webm");
        using (var muxer = new MediaMuxer(path, "webm"))
        {
            using var video = new VideoEncoder(new VideoEncoderSpec(Width, Height, Fps, EncodeSettings.Default("vp9") with { Preset = "ultrafast" }, muxer.NeedsGlobalHeader));
            using var audio = new AudioEncoder(48000, 96000, muxer.NeedsGlobalHeader, AudioEncoder.ForContainer("webm"));
            Assert.That((audio.Name, audio.Codec, audio.FrameSize), Is.EqualTo(("libopus", "opus", 960)));
            muxer.AddVideo(video.Context, video.TimeBase);
            muxer.AddAudio(audio.Context, audio.TimeBase);
            muxer.Start();
            var l = new float[audio.FrameSize];
            var r = new float[audio.FrameSize];
            using var frame = NewFrame();
            for (int i = 0; i < FrameCount; i++)
            {
                Load(frame, i);
                video.Encode(frame.Ptr, muxer);
                while (audio.SamplesEncoded < (i + 1) * 48000L / Fps)
                {
                    for (int k = 0; k < l.Length; k++)
                        l[k] = r[k] = 0.25f * MathF.Sin(2 * MathF.PI * 440 * (audio.SamplesEncoded + k) / 48000f);
                    audio.EncodeFrame(l, r, muxer);
                }
            }
            video.Encode(0, muxer);
            audio.Flush(muxer);
            muxer.Finish();
        }
        using var doc = Ffprobe("-show_format", "-show_streams", path);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("format").GetProperty("format_name").GetString(), Does.Contain("webm"));
        var streams = root.GetProperty("streams").EnumerateArray().ToList();
        Assert.That(streams.Select(s => s.GetProperty("codec_name").GetString()), Is.EqualTo(new[] { "vp9", "opus" }));
        Assert.That(streams[1].GetProperty("sample_rate").GetString(), Is.EqualTo("48000"));
        Assert.That(streams[1].GetProperty("channels").GetInt32(), Is.EqualTo(2));
        double duration = double.Parse(root.GetProperty("format").GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(duration, Is.EqualTo(Seconds).Within(0.1));
    }

    [TestCase("h264", "webm", "holds VP9 video only")]
    [TestCase("h265", "webm", "holds VP9 video only")]
    [TestCase("vp9", "mov", "cannot hold VP9")]
    public void A_codec_the_container_cannot_hold_is_an_invalid_config(string codec, string format, string message)
    {
        var e = Assert.Throws<ConfigValidationException>(() => VideoEncoder.CheckContainer(codec, format, "/out/v." + format))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InvalidConfig));
        Assert.That(e.Message, Does.Contain("video.codec").And.Contain(message).And.Contain("/out/v." + format));
    }

    [TestCase("h264", "mp4")]
    [TestCase("h265", "mp4")]
    [TestCase("vp9", "mp4")]
    [TestCase("h264", "matroska")]
    [TestCase("h265", "matroska")]
    [TestCase("vp9", "matroska")]
    [TestCase("h264", "mov")]
    [TestCase("h265", "mov")]
    [TestCase("vp9", "webm")]
    public void Codecs_go_into_the_containers_that_hold_them(string codec, string format) =>
        Assert.DoesNotThrow(() => VideoEncoder.CheckContainer(codec, format, "v"));

    [Test]
    public void Settings_are_validated_with_paths_and_per_codec_crf_ranges()
    {
        Assert.That(EncodeSettings.Default("vp9") with { Crf = 60 }, Has.Property("Crf").EqualTo(60));
        Assert.That((EncodeSettings.Default("vp9") with { Crf = 60 }).Validate(), Is.Empty);
        var errors = (EncodeSettings.Default("h264") with { Crf = 60, Preset = "turbo" }).Validate("video");
        Assert.That(errors.Select(e => e.ToString()), Is.EquivalentTo(new[]
        {
            "video.crf: expected an integer 0..51 for h264, got 60",
            "video.preset: expected one of \"ultrafast\", \"superfast\", \"veryfast\", \"faster\", \"fast\", \"medium\", \"slow\", \"slower\", \"veryslow\", got \"turbo\"",
        }));
        var rate = (EncodeSettings.Default("h265") with { RateControl = RateControlMode.Bitrate, BitrateKbps = 0 }).Validate("video");
        Assert.That(rate.Select(e => e.Path), Is.EqualTo(new[] { "video.bitrateKbps" }));
        var peak = (EncodeSettings.Default("h264") with { RateControl = RateControlMode.Bitrate, BitrateKbps = 1000, MaxRateKbps = 500 }).Validate("video");
        Assert.That(peak.Select(e => e.ToString()), Is.EqualTo(new[] { "video.maxRateKbps: expected at least bitrateKbps (1000), got 500" }));
        var codec = Assert.Throws<ConfigValidationException>(() => new VideoEncoder(Width, Height, Fps, EncodeSettings.Default("h264") with { Codec = "av1" }, false))!;
        Assert.That(codec.Message, Does.Contain("video.codec: expected one of \"h264\", \"h265\", \"vp9\", got \"av1\""));
        var defaults = EncodeSettings.Default("h264") with { RateControl = RateControlMode.Bitrate, BitrateKbps = 1000 };
        Assert.That((defaults.EffectiveMaxRateKbps, defaults.EffectiveBufferKbps), Is.EqualTo((1500, 2000)));
        var twoPass = defaults with { RateControl = RateControlMode.TwoPass };
        Assert.That((twoPass.EffectiveMaxRateKbps, twoPass.EffectiveBufferKbps), Is.EqualTo((0, 0)));
    }

    [Test]
    public void A_chat_story_renders_into_matroska_with_h264_and_aac()
    {
        using var scene = TestSupport.Scene(TestSupport.SmallStory());
        var result = RenderJob.Run(scene, Path.Combine(_dir, "story.mkv"));
        using var doc = Ffprobe("-show_streams", "-show_format", result.OutputPath);
        Assert.That(doc.RootElement.GetProperty("format").GetProperty("format_name").GetString(), Does.Contain("matroska"));
        Assert.That(doc.RootElement.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString()), Is.EqualTo(new[] { "h264", "aac" }));
        // Matroska keeps times in milliseconds: without the stated rate a reader guessed 29.97 fps from them.
        var video = doc.RootElement.GetProperty("streams")[0];
        Assert.That((video.GetProperty("r_frame_rate").GetString(), video.GetProperty("avg_frame_rate").GetString()), Is.EqualTo(("30/1", "30/1")));
        using (var decoder = new VideoDecoder(result.OutputPath, "story"))
            Assert.That(decoder.FrameRate, Is.EqualTo(30));
        var json = ResultJson.Write(result);
        Assert.That(json, Does.Contain("\"videoCodec\":\"h264\",\"encoder\":\"libx264\",\"hardwareEncoder\":false,\"rateControl\":\"crf\""));
        Assert.That(json, Does.Contain("\"audioCodec\":\"aac\""));
    }

    [Test]
    public void Uncompressed_video_goes_into_matroska_only_and_reads_back_exactly()
    {
        // optimizeVideo's size sample reference (EncodeSettings.Raw): never a config's codec, never into MP4.
        var raw = EncodeSettings.Default("h264") with { Codec = EncodeSettings.Raw, Crf = 0 };
        Assert.That(EncodeSettings.Codecs, Does.Not.Contain(EncodeSettings.Raw));
        var e = Assert.Throws<ConfigValidationException>(() => VideoEncoder.CheckContainer(EncodeSettings.Raw, "mp4", "x.mp4"))!;
        Assert.That(e.Message, Does.Contain("Matroska (.mkv) only"));
        var file = EncodeFile(Path.Combine(_dir, "raw.mkv"), raw);
        using var doc = Ffprobe("-show_streams", file);
        var video = doc.RootElement.GetProperty("streams")[0];
        Assert.That((video.GetProperty("codec_name").GetString(), video.GetProperty("pix_fmt").GetString()), Is.EqualTo(("rawvideo", "yuv420p")));
        var lossless = EncodeFile(Path.Combine(_dir, "lossless.mkv"), EncodeSettings.Default("h264") with { Crf = 0 });
        var same = VideoQuality.Compare(file, lossless, new QualityOptions(), default, null);
        Assert.That((same.Psnr, same.UnmatchedFrames), Is.EqualTo((100.0, 0)), "the same pictures as a lossless encode, frame for frame");
    }

    [Test]
    public void A_chat_story_into_webm_is_refused_before_rendering_and_leaves_no_file()
    {
        using var scene = TestSupport.Scene(TestSupport.SmallStory());
        var e = Assert.Throws<ConfigValidationException>(() => RenderJob.Run(scene, Path.Combine(_dir, "story.webm")))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InvalidConfig));
        Assert.That(e.Message, Does.Contain("holds VP9 video only, got \"h264\""));
        Assert.That(Directory.GetFileSystemEntries(_dir), Is.Empty);
    }
}
