using System.Diagnostics;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>A hardware device type the engine can encode with, and whether one opened here.</summary>
public sealed record HardwareDeviceStatus(string Type, bool InBuild, bool Available, string? Error);

/// <summary>
/// A hardware encoder: whether this FFmpeg build has it and whether a trial encode worked
/// (<see cref="Usable"/>), what it is fed (<see cref="Input"/>: yuv420p or nv12 from system
/// memory, or vaapi surfaces uploaded from NV12), and libav's reason when it did not work.
/// </summary>
public sealed record HardwareEncoderStatus(string Name, string Codec, string Device, bool InBuild, bool Usable, string? Input, string? Error);

/// <summary>What <see cref="HardwareEncoders"/> found in this process.</summary>
public sealed class HardwareInfo
{
    internal HardwareInfo(string ffmpeg, IReadOnlyList<string> deviceTypes, IReadOnlyList<HardwareDeviceStatus> devices,
        IReadOnlyList<HardwareEncoderStatus> encoders, double probeMs)
    {
        Ffmpeg = ffmpeg;
        DeviceTypes = deviceTypes;
        Devices = devices;
        Encoders = encoders;
        ProbeMs = probeMs;
    }

    public string Ffmpeg { get; }

    /// <summary>Every hardware device type this FFmpeg build knows (<c>av_hwdevice_iterate_types</c>).</summary>
    public IReadOnlyList<string> DeviceTypes { get; }

    /// <summary>The device types encoders use (cuda, qsv, vaapi, videotoolbox), each opened once.</summary>
    public IReadOnlyList<HardwareDeviceStatus> Devices { get; }

    /// <summary>Every hardware encoder the engine knows, in the order <c>"auto"</c> prefers them.</summary>
    public IReadOnlyList<HardwareEncoderStatus> Encoders { get; }

    public double ProbeMs { get; }

    /// <summary>The first usable hardware encoder for <paramref name="codec"/>, or null.</summary>
    public string? BestFor(string codec) => Encoders.FirstOrDefault(e => e.Codec == codec && e.Usable)?.Name;

    /// <summary>The encoder <c>enableHardwareAcceleration: "auto"</c> uses for <paramref name="codec"/>.</summary>
    public string AutoChoice(string codec) => BestFor(codec) ?? VideoEncoder.SoftwareEncoder(codec);

    /// <summary>Why no hardware encoder for <paramref name="codec"/> is usable: each candidate's reason.</summary>
    public string WhyNone(string codec)
    {
        var reasons = Encoders.Where(e => e.Codec == codec && !e.Usable).Select(e => $"{e.Name}: {e.Error}").ToList();
        return reasons.Count == 0 ? $"no hardware {codec} encoder is known" : string.Join("; ", reasons);
    }

    /// <summary>The JSON <c>getHardwareInfo()</c> resolves with (typed in types/results.d.ts).</summary>
    public string ToJson() => JsonText.Build(w =>
    {
        w.WriteStartObject();
        w.WriteString("ffmpeg", Ffmpeg);
        w.WriteStartArray("deviceTypes");
        foreach (var t in DeviceTypes) w.WriteStringValue(t);
        w.WriteEndArray();
        w.WriteStartArray("devices");
        foreach (var d in Devices)
        {
            w.WriteStartObject();
            w.WriteString("type", d.Type);
            w.WriteBoolean("inBuild", d.InBuild);
            w.WriteBoolean("available", d.Available);
            if (d.Error is null) w.WriteNull("error");
            else w.WriteString("error", d.Error);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("encoders");
        foreach (var e in Encoders)
        {
            w.WriteStartObject();
            w.WriteString("name", e.Name);
            w.WriteString("codec", e.Codec);
            w.WriteString("device", e.Device);
            w.WriteBoolean("inBuild", e.InBuild);
            w.WriteBoolean("usable", e.Usable);
            if (e.Input is null) w.WriteNull("input");
            else w.WriteString("input", e.Input);
            if (e.Error is null) w.WriteNull("error");
            else w.WriteString("error", e.Error);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("auto");
        foreach (var c in EncodeSettings.Codecs) w.WriteString(c, AutoChoice(c));
        w.WriteEndObject();
        w.WriteStartObject("software");
        foreach (var c in EncodeSettings.Codecs) w.WriteString(c, VideoEncoder.SoftwareEncoder(c));
        w.WriteEndObject();
        w.WriteBoolean("hardwareAvailable", Encoders.Any(e => e.Usable));
        w.WriteNumber("probeMs", Math.Round(ProbeMs, 1));
        w.WriteEndObject();
    });
}

/// <summary>
/// Finds the hardware encoders that work in this process: for each device type encoders use,
/// whether this FFmpeg build knows it (<c>av_hwdevice_find_type_by_name</c>) and whether a device
/// opens (<c>av_hwdevice_ctx_create</c>); for each encoder, whether the build has it
/// (<c>avcodec_find_encoder_by_name</c>) and whether a real trial encode of one 256x256 frame
/// through the same <see cref="VideoEncoder"/> a job uses succeeds. The probe runs once per
/// process, on first use, and is cached (thread-safe).
/// <para>Frames reach the encoders as each accepts them: NVENC and VideoToolbox take yuv420p
/// from system memory, QSV takes NV12 from system memory, VAAPI takes only its own surfaces, so
/// frames are uploaded (NV12 → <c>av_hwframe_transfer_data</c>) into a pool on a VAAPI device.</para>
/// </summary>
public static class HardwareEncoders
{
    /// <summary>Encoders in the order <c>"auto"</c> prefers them, with their codec and device type.</summary>
    internal static readonly (string Name, string Codec, string Device)[] Candidates =
    {
        ("h264_nvenc", EncodeSettings.H264, "cuda"),
        ("hevc_nvenc", EncodeSettings.H265, "cuda"),
        ("h264_qsv", EncodeSettings.H264, "qsv"),
        ("hevc_qsv", EncodeSettings.H265, "qsv"),
        ("vp9_qsv", EncodeSettings.Vp9, "qsv"),
        ("h264_vaapi", EncodeSettings.H264, "vaapi"),
        ("hevc_vaapi", EncodeSettings.H265, "vaapi"),
        ("vp9_vaapi", EncodeSettings.Vp9, "vaapi"),
        ("h264_videotoolbox", EncodeSettings.H264, "videotoolbox"),
        ("hevc_videotoolbox", EncodeSettings.H265, "videotoolbox"),
    };

    internal static readonly string[] EncoderDeviceTypes = { "cuda", "qsv", "vaapi", "videotoolbox" };

    private const int TrialSize = 256;

    private static readonly Lazy<HardwareInfo> s_info = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly AsyncLocal<string?> s_forced = new();

    /// <summary>The probe's result, computed on first use.</summary>
    public static HardwareInfo Info => s_info.Value;

    /// <summary>
    /// Test hook: the hardware encoder a job under "auto"/true tries, whether or not the probe
    /// found it usable (flows with the async context, so it stays with the test that set it).
    /// </summary>
    internal static string? ForcedEncoder
    {
        get => s_forced.Value;
        set => s_forced.Value = value;
    }

    /// <summary>Probes now, without the cache.</summary>
    internal static HardwareInfo Probe()
    {
        var ffmpeg = LibAvLoader.EnsureLoaded();
        var clock = Stopwatch.StartNew();
        var known = HardwareDevice.KnownTypes();
        var devices = new List<HardwareDeviceStatus>();
        foreach (var type in EncoderDeviceTypes)
        {
            if (!known.Contains(type))
            {
                devices.Add(new HardwareDeviceStatus(type, false, false, $"device type {type} is not in this FFmpeg build"));
                continue;
            }
            try
            {
                using var device = HardwareDevice.Open(type);
                devices.Add(new HardwareDeviceStatus(type, true, true, null));
            }
            catch (Exception e) when (e is EngineException or ObjectDisposedException or InvalidOperationException)
            {
                devices.Add(new HardwareDeviceStatus(type, true, false, e.Message));
            }
        }
        var encoders = Candidates.Select(c => TrialEncode(c.Name, c.Codec, c.Device)).ToList();
        return new HardwareInfo(ffmpeg, known, devices, encoders, clock.Elapsed.TotalMilliseconds);
    }

    private static unsafe HardwareEncoderStatus TrialEncode(string name, string codec, string device)
    {
        if (LibAv.avcodec_find_encoder_by_name(name) == 0)
            return new HardwareEncoderStatus(name, codec, device, false, false, null, $"encoder {name} is not in this FFmpeg build");
        try
        {
            var spec = new VideoEncoderSpec(TrialSize, TrialSize, 30, EncodeSettings.Default(codec), GlobalHeader: false);
            using var encoder = new VideoEncoder(spec, name);
            using var frame = BlackFrame(TrialSize, TrialSize);
            var sink = new NullPacketSink();
            encoder.Encode(frame.Ptr, sink);
            encoder.Encode(0, sink);
            return sink.Packets > 0
                ? new HardwareEncoderStatus(name, codec, device, true, true, encoder.InputPixelFormat, null)
                : new HardwareEncoderStatus(name, codec, device, true, false, encoder.InputPixelFormat, $"{name} opened but produced no packet for a test frame");
        }
        catch (Exception e) when (e is EngineException or ObjectDisposedException or InvalidOperationException)
        {
            // A probe that threw would fail every later hardware job (the result is cached), so
            // whatever goes wrong with one encoder is recorded as that encoder's reason.
            return new HardwareEncoderStatus(name, codec, device, true, false, null, e is EngineException ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>A limited-range black yuv420p frame at pts 0.</summary>
    internal static unsafe AvFrameHandle BlackFrame(int width, int height)
    {
        var frame = AvFrameHandle.Alloc();
        var f = frame.Ptr;
        LibAv.Field<int>(f, AvLayout.Frame.Width) = width;
        LibAv.Field<int>(f, AvLayout.Frame.Height) = height;
        LibAv.Field<int>(f, AvLayout.Frame.Format) = AvConst.PixFmtYuv420p;
        int ret = LibAv.av_frame_get_buffer(f, 32);
        if (ret < 0)
        {
            frame.Dispose();
            AvCheck.Ok(ret, ErrorCodes.Encode, "allocating a test frame");
        }
        var data = (byte**)((byte*)f + AvLayout.Frame.Data);
        var line = (int*)((byte*)f + AvLayout.Frame.Linesize);
        new Span<byte>(data[0], line[0] * height).Fill(16);
        new Span<byte>(data[1], line[1] * ((height + 1) / 2)).Fill(128);
        new Span<byte>(data[2], line[2] * ((height + 1) / 2)).Fill(128);
        LibAv.Field<long>(f, AvLayout.Frame.Pts) = 0;
        return frame;
    }
}
