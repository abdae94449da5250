using System.Runtime.InteropServices;
using System.Text.Json;
using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Scenes;
using ReelSpeed.Engine.Api;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// Hardware encoder probing, the per-job fallback to software, and the frame upload path.
/// The test machines have no encoder hardware (no /dev/dri, no libcuda): every hardware encoder
/// in Debian's FFmpeg is present but fails to open, which exercises the failure paths for real.
/// The upload path is exercised on Vulkan's software rasteriser (lavapipe), which libav treats
/// like any other hardware device.
/// </summary>
[NonParallelizable]
public class HardwareEncoderTests : TempDirTest
{
    private static readonly Lazy<bool> s_noHardware = new(() =>
    {
        if (Directory.Exists("/dev/dri")) return false;
        if (NativeLibrary.TryLoad("libcuda.so.1", out var cuda))
        {
            NativeLibrary.Free(cuda);
            return false;
        }
        return true;
    });

    /// <summary>No VAAPI/QSV render node and no CUDA driver: nothing can open.</summary>
    private static bool NoHardware => s_noHardware.Value;

    [TearDown]
    public void ClearHook() => HardwareEncoders.ForcedEncoder = null;

    [Test]
    public void The_probe_reports_every_device_type_and_encoder_with_a_reason()
    {
        var info = HardwareEncoders.Probe();
        TestContext.Out.WriteLine(info.ToJson());
        Assert.That(info.DeviceTypes, Is.SupersetOf(new[] { "cuda", "vaapi", "qsv" }), "Debian's FFmpeg 5.1 knows these");
        Assert.That(info.Devices.Select(d => d.Type), Is.EqualTo(new[] { "cuda", "qsv", "vaapi", "videotoolbox" }));
        Assert.That(info.Encoders.Select(e => e.Name), Is.EqualTo(HardwareEncoders.Candidates.Select(c => c.Name)));
        foreach (var d in info.Devices)
            Assert.That(d.Available || !string.IsNullOrWhiteSpace(d.Error), $"{d.Type} unavailable without a reason");
        foreach (var e in info.Encoders)
        {
            if (e.Usable) Assert.That((e.Input is not null, e.Error), Is.EqualTo((true, (string?)null)), e.Name);
            else Assert.That(e.Error, Is.Not.Null.And.Not.Empty, $"{e.Name} unusable without a reason");
        }
        var vt = info.Devices.Single(d => d.Type == "videotoolbox");
        Assert.That((vt.InBuild, vt.Available, vt.Error), Is.EqualTo((false, false, "device type videotoolbox is not in this FFmpeg build")));
        Assert.That(info.Encoders.Single(e => e.Name == "h264_videotoolbox").Error, Is.EqualTo("encoder h264_videotoolbox is not in this FFmpeg build"));
        Assert.That(info.Encoders.Where(e => e.Name is "h264_nvenc" or "hevc_nvenc" or "h264_vaapi" or "vp9_vaapi" or "h264_qsv").Select(e => e.InBuild), Is.All.True);

        if (!NoHardware) Assert.Inconclusive("this machine has GPU devices; the no-hardware expectations below do not apply");
        Assert.That(info.Devices.Select(d => d.Available), Is.All.False);
        Assert.That(info.Encoders.Select(e => e.Usable), Is.All.False);
        Assert.That(info.Devices.Single(d => d.Type == "cuda").Error, Does.Contain("libcuda"));
        Assert.That(info.Devices.Single(d => d.Type == "vaapi").Error, Does.StartWith("cannot open a vaapi device: ").And.Contain("DRM"));
        Assert.That(info.Encoders.Single(e => e.Name == "h264_nvenc").Error, Does.Contain("cannot open h264_nvenc").And.Contain("libcuda"));
        Assert.That(info.Encoders.Single(e => e.Name == "h264_vaapi").Error, Does.Contain("cannot open a vaapi device"));
        foreach (var codec in EncodeSettings.Codecs)
        {
            Assert.That(info.BestFor(codec), Is.Null);
            Assert.That(info.AutoChoice(codec), Is.EqualTo(VideoEncoder.SoftwareEncoder(codec)));
        }
    }

    [Test]
    public void The_probe_runs_once_per_process_whatever_the_threads()
    {
        var seen = new HardwareInfo[8];
        Parallel.For(0, seen.Length, i => seen[i] = HardwareEncoders.Info);
        Assert.That(seen, Is.All.SameAs(HardwareEncoders.Info));
    }

    [Test]
    public void Hardware_info_json_has_the_documented_shape()
    {
        using var doc = JsonDocument.Parse(HardwareEncoders.Info.ToJson());
        var root = doc.RootElement;
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
            { "ffmpeg", "deviceTypes", "devices", "encoders", "auto", "software", "hardwareAvailable", "probeMs" }));
        Assert.That(root.GetProperty("ffmpeg").GetString(), Does.StartWith("5.1"));
        Assert.That(root.GetProperty("deviceTypes").EnumerateArray().Select(t => t.ValueKind), Is.All.EqualTo(JsonValueKind.String));
        foreach (var d in root.GetProperty("devices").EnumerateArray())
        {
            Assert.That(d.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "type", "inBuild", "available", "error" }));
            Assert.That(d.GetProperty("available").ValueKind, Is.AnyOf(JsonValueKind.True, JsonValueKind.False));
        }
        foreach (var e in root.GetProperty("encoders").EnumerateArray())
        {
            Assert.That(e.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "name", "codec", "device", "inBuild", "usable", "input", "error" }));
            Assert.That(e.GetProperty("codec").GetString(), Is.AnyOf("h264", "h265", "vp9"));
        }
        Assert.That(root.GetProperty("software").EnumerateObject().Select(p => (p.Name, p.Value.GetString())),
            Is.EqualTo(new[] { ("h264", "libx264"), ("h265", "libx265"), ("vp9", "libvpx-vp9") }));
        Assert.That(root.GetProperty("auto").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "h264", "h265", "vp9" }));
        Assert.That(root.GetProperty("probeMs").GetDouble(), Is.GreaterThanOrEqualTo(0));
        if (NoHardware)
        {
            Assert.That(root.GetProperty("hardwareAvailable").GetBoolean(), Is.False);
            Assert.That(root.GetProperty("auto").GetProperty("h264").GetString(), Is.EqualTo("libx264"));
        }
    }

    private RenderResult Render(HardwareAcceleration policy, string name = "story.mp4")
    {
        using var scene = TestSupport.Scene(TestSupport.SmallStory());
        return RenderJob.Run(scene, Path.Combine(_dir, name), hardware: policy);
    }

    [Test]
    public void Hardware_requested_but_absent_renders_with_libx264_and_says_why()
    {
        Assume.That(NoHardware, "needs a machine without encoder hardware");
        var result = Render(HardwareAcceleration.Required);
        Assert.That(result.VideoEncoder, Is.EqualTo("libx264"));
        Assert.That(result.HardwareFallback, Does.StartWith("no working hardware h264 encoder on this machine (h264_nvenc: ")
            .And.Contain("h264_qsv: ").And.Contain("h264_vaapi: ").And.Contain("h264_videotoolbox: ").And.EndWith("; libx264 was used"));
        var json = ResultJson.Write(result);
        Assert.That(json, Does.Contain("\"encoder\":\"libx264\",\"hardwareEncoder\":false,\"hardwareFallback\":\"no working hardware h264 encoder"));
        Assert.That(EncoderFixtures.VideoStream(result.OutputPath).GetProperty("codec_name").GetString(), Is.EqualTo("h264"));
    }

    [TestCase("h264_nvenc", "cannot open h264_nvenc", "libcuda")]
    [TestCase("h264_vaapi", "cannot open a vaapi device", "DRM")]
    public void A_hardware_encoder_that_fails_to_open_gives_way_to_libx264_for_the_job_without_leaks(string encoder, string what, string why)
    {
        Assume.That(NoHardware, "needs a machine where the encoder cannot open");
        _ = HardwareEncoders.Info; // the probe's own trial opens are done before the baseline
        int contexts = VideoEncoder.LiveContexts, buffers = AvBufferRefHandle.Live;
        HardwareEncoders.ForcedEncoder = encoder;
        var result = Render(HardwareAcceleration.Required);
        Assert.That(result.VideoEncoder, Is.EqualTo("libx264"));
        Assert.That(result.HardwareFallback, Does.StartWith($"{encoder} failed for this job ({what}").And.Contain(why).And.EndWith("; libx264 was used"));
        Assert.That(VideoEncoder.LiveContexts, Is.EqualTo(contexts), "every encoder context freed");
        Assert.That(AvBufferRefHandle.Live, Is.EqualTo(buffers), "every device and frame pool released");
        Assert.That(Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName), Is.EqualTo(new[] { "story.mp4" }), "no partial file");
        var v = EncoderFixtures.VideoStream(result.OutputPath);
        Assert.That((v.GetProperty("codec_name").GetString(), v.GetProperty("nb_frames").GetString()), Is.EqualTo(("h264", "30")));
    }

    [Test]
    public void Every_hardware_encoder_in_this_build_accepts_its_options_and_fails_only_at_the_device()
    {
        Assume.That(NoHardware, "needs a machine where the encoders cannot open");
        int contexts = VideoEncoder.LiveContexts, buffers = AvBufferRefHandle.Live;
        foreach (var (name, codec, _) in HardwareEncoders.Candidates.Where(c => LibAv.avcodec_find_encoder_by_name(c.Name) != 0))
        foreach (var settings in new[]
                 {
                     EncodeSettings.Default(codec, preset: "ultrafast"),
                     EncodeSettings.Default(codec, preset: "veryslow") with { RateControl = RateControlMode.Bitrate, BitrateKbps = 2000 },
                 })
        {
            var e = Assert.Throws<EngineException>(() => new VideoEncoder(new VideoEncoderSpec(640, 360, 30, settings, true), name))!;
            Assert.That(e.Code, Is.EqualTo(ErrorCodes.Encode));
            Assert.That(e.Message, Does.Not.Contain(" option "), $"{name} rejected an option: {e.Message}");
            Assert.That(e.Message, Does.StartWith($"cannot open {name} for 640x360@30").Or.StartWith("cannot open a vaapi device"), e.Message);
        }
        Assert.That(VideoEncoder.LiveContexts, Is.EqualTo(contexts));
        Assert.That(AvBufferRefHandle.Live, Is.EqualTo(buffers));
    }

    [Test]
    public void Auto_without_hardware_uses_libx264_silently()
    {
        Assume.That(NoHardware, "needs a machine without encoder hardware");
        var result = Render(HardwareAcceleration.Auto);
        Assert.That((result.VideoEncoder, result.HardwareFallback), Is.EqualTo(("libx264", (string?)null)));
        Assert.That(ResultJson.Write(result), Does.Not.Contain("hardwareFallback"));
    }

    [Test]
    public void Auto_reports_a_hardware_encoder_that_was_tried_and_failed()
    {
        Assume.That(NoHardware, "needs a machine where the encoder cannot open");
        HardwareEncoders.ForcedEncoder = "h264_nvenc";
        var result = Render(HardwareAcceleration.Auto);
        Assert.That(result.VideoEncoder, Is.EqualTo("libx264"));
        Assert.That(result.HardwareFallback, Does.StartWith("h264_nvenc failed for this job"));
    }

    [Test]
    public void Off_never_tries_hardware()
    {
        HardwareEncoders.ForcedEncoder = "h264_nvenc";
        var result = Render(HardwareAcceleration.Off);
        Assert.That((result.VideoEncoder, result.HardwareFallback), Is.EqualTo(("libx264", (string?)null)));
    }

    [Test]
    public void Two_pass_uses_the_software_encoder_and_says_so_when_hardware_was_asked_for()
    {
        HardwareEncoders.ForcedEncoder = "h264_nvenc";
        var settings = EncodeSettings.Default() with { RateControl = RateControlMode.TwoPass, BitrateKbps = 500 };
        using var stats = TwoPassStats.Create(_dir);
        using var encoder = VideoEncoder.Open(new VideoEncoderSpec(320, 240, 30, settings, false) { Pass = EncodePass.First, Stats = stats },
            HardwareAcceleration.Required, out var fallback);
        Assert.That(encoder.EncoderName, Is.EqualTo("libx264"));
        Assert.That(fallback, Is.EqualTo("h264_nvenc does not run two-pass encodes; libx264 was used"));
    }

    [Test]
    public void The_engine_option_takes_true_false_or_auto()
    {
        Assert.That(EngineOptions.Parse("{}").HardwareAcceleration, Is.EqualTo(HardwareAcceleration.Off));
        Assert.That(EngineOptions.Parse("""{ "enableHardwareAcceleration": false }""").HardwareAcceleration, Is.EqualTo(HardwareAcceleration.Off));
        Assert.That(EngineOptions.Parse("""{ "enableHardwareAcceleration": true }""").HardwareAcceleration, Is.EqualTo(HardwareAcceleration.Required));
        Assert.That(EngineOptions.Parse("""{ "enableHardwareAcceleration": "auto" }""").HardwareAcceleration, Is.EqualTo(HardwareAcceleration.Auto));
        foreach (var bad in new[] { "\"on\"", "1", "[]" })
        {
            var e = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse($$"""{ "enableHardwareAcceleration": {{bad}} }"""))!;
            Assert.That(e.Errors.Single().Path, Is.EqualTo("options.enableHardwareAcceleration"));
            Assert.That(e.Message, Does.Contain("expected true, false or \"auto\""));
        }
    }

    [Test]
    public async Task An_engine_with_hardware_requested_reports_the_encoder_it_used()
    {
        Assume.That(NoHardware, "needs a machine without encoder hardware");
        var engine = new ReelSpeedEngine(EngineOptions.Parse("""{ "enableHardwareAcceleration": true, "maxConcurrentJobs": 1 }"""));
        var json = await engine.ProcessVideoAsync("", Path.Combine(_dir, "v.mp4"), TestSupport.SmallStory(), null, null, default);
        using var doc = JsonDocument.Parse(json);
        var meta = doc.RootElement.GetProperty("metadata");
        Assert.That(meta.GetProperty("encoder").GetString(), Is.EqualTo("libx264"));
        Assert.That(meta.GetProperty("hardwareEncoder").GetBoolean(), Is.False);
        Assert.That(meta.GetProperty("hardwareFallback").GetString(), Does.StartWith("no working hardware h264 encoder"));
    }

    private static AvBufferRefHandle VulkanOrIgnore()
    {
        try
        {
            return HardwareDevice.Open("vulkan");
        }
        catch (EngineException e)
        {
            Assert.Ignore($"no Vulkan device to upload to (install mesa-vulkan-drivers for lavapipe): {e.Message}");
            throw;
        }
    }

    [Test]
    public unsafe void The_upload_path_puts_the_exact_picture_into_hardware_surfaces()
    {
        // Vulkan (lavapipe) stands in for VAAPI: same frames context, pool and transfer calls.
        int buffers = AvBufferRefHandle.Live;
        using (var device = VulkanOrIgnore())
        using (var uploader = new HardwareFrameUploader(device, AvConst.PixFmtVulkan, EncoderFixtures.Width, EncoderFixtures.Height, poolSize: 4))
        using (var source = EncoderFixtures.NewFrame())
        using (var back = AvFrameHandle.Alloc())
        {
            for (int index = 0; index < 6; index++) // more frames than the pool holds: surfaces are recycled
            {
                EncoderFixtures.Load(source, index * 7);
                var surface = uploader.Upload(source.Ptr);
                Assert.That(LibAv.Field<int>(surface, AvLayout.Frame.Format), Is.EqualTo(AvConst.PixFmtVulkan));
                Assert.That(LibAv.Field<long>(surface, AvLayout.Frame.Pts), Is.EqualTo(index * 7));
                LibAv.av_frame_unref(back.Ptr);
                AvCheck.Ok(LibAv.av_hwframe_transfer_data(back.Ptr, surface, 0), ErrorCodes.Encode, "download");
                Assert.That(LibAv.Field<int>(back.Ptr, AvLayout.Frame.Format), Is.EqualTo(AvConst.PixFmtNv12));
                AssertNv12Equals(source.Ptr, back.Ptr, EncoderFixtures.Width, EncoderFixtures.Height);
            }
        }
        Assert.That(AvBufferRefHandle.Live, Is.EqualTo(buffers));
    }

    [Test]
    public void A_surface_pool_that_cannot_be_created_fails_cleanly()
    {
        int buffers = AvBufferRefHandle.Live;
        using (var device = VulkanOrIgnore())
        {
            var e = Assert.Throws<EngineException>(() => new HardwareFrameUploader(device, AvConst.PixFmtVulkan, 100_000, 100_000))!;
            Assert.That(e.Message, Does.StartWith("cannot create 100000x100000 NV12 vulkan surfaces: "));
        }
        Assert.That(AvBufferRefHandle.Live, Is.EqualTo(buffers));
        var missing = Assert.Throws<EngineException>(() => HardwareDevice.Open("videotoolbox"))!;
        Assert.That(missing.Message, Is.EqualTo("hardware device type videotoolbox is not in this FFmpeg build"));
    }

    [TestCase(320, 240)]
    [TestCase(7, 5)]
    public unsafe void Yuv420p_becomes_nv12_with_interleaved_chroma(int width, int height)
    {
        using var src = HardwareEncoders.BlackFrame(width, height);
        using var dst = Nv12.AllocateFrame(width, height);
        var sp = (byte**)((byte*)src.Ptr + AvLayout.Frame.Data);
        var sl = (int*)((byte*)src.Ptr + AvLayout.Frame.Linesize);
        var rng = new Random(width);
        for (int plane = 0; plane < 3; plane++)
            rng.NextBytes(new Span<byte>(sp[plane], sl[plane] * (plane == 0 ? height : (height + 1) / 2)));
        LibAv.Field<long>(src.Ptr, AvLayout.Frame.Pts) = 42;
        Nv12.FromYuv420p(src.Ptr, dst.Ptr);
        AssertNv12Equals(src.Ptr, dst.Ptr, width, height);
        Assert.That(LibAv.Field<long>(dst.Ptr, AvLayout.Frame.Pts), Is.EqualTo(42));
    }

    private static unsafe void AssertNv12Equals(nint yuv420p, nint nv12, int width, int height)
    {
        var sp = (byte**)((byte*)yuv420p + AvLayout.Frame.Data);
        var sl = (int*)((byte*)yuv420p + AvLayout.Frame.Linesize);
        var dp = (byte**)((byte*)nv12 + AvLayout.Frame.Data);
        var dl = (int*)((byte*)nv12 + AvLayout.Frame.Linesize);
        for (int y = 0; y < height; y++)
            Assert.That(new ReadOnlySpan<byte>(dp[0] + y * dl[0], width).SequenceEqual(new ReadOnlySpan<byte>(sp[0] + y * sl[0], width)), $"Y row {y}");
        for (int y = 0; y < (height + 1) / 2; y++)
        for (int x = 0; x < (width + 1) / 2; x++)
        {
            byte* uv = dp[1] + y * dl[1] + 2 * x;
            if (uv[0] != sp[1][y * sl[1] + x] || uv[1] != sp[2][y * sl[2] + x])
                Assert.Fail($"chroma ({x},{y}): NV12 {uv[0]},{uv[1]} vs U {sp[1][y * sl[1] + x]} V {sp[2][y * sl[2] + x]}");
        }
    }
}
