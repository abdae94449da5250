using System.Globalization;

namespace ReelSpeed.Engine.Media;

/// <summary>A video's colour description as libav enums: matrix (AVColorSpace), primaries, transfer and range (1 limited, 2 full).</summary>
public sealed record ColorTags(int Space, int Primaries, int Transfer, int Range);

/// <summary>How the video encoder spends bits.</summary>
public enum RateControlMode
{
    /// <summary>Constant quality (<see cref="EncodeSettings.Crf"/>); the size follows the content.</summary>
    Crf,

    /// <summary>One pass at an average <see cref="EncodeSettings.BitrateKbps"/>, capped by a VBV (maxrate/bufsize).</summary>
    Bitrate,

    /// <summary>
    /// Two passes at <see cref="EncodeSettings.BitrateKbps"/>: pass 1 collects statistics, pass 2
    /// distributes the bits with them and lands close to the target. Software encoders only.
    /// </summary>
    TwoPass,
}

/// <summary>
/// Video encoder settings resolved from a config. <see cref="Codec"/> is the output codec
/// (<c>h264</c>, <c>h265</c> or <c>vp9</c>), not an encoder: the engine picks libx264 / libx265 /
/// libvpx-vp9, or a hardware encoder for the codec when the engine's policy allows one.
/// <see cref="Preset"/> uses x264's names for every codec (mapped to x265's presets and to
/// libvpx's deadline/cpu-used). <see cref="Crf"/> is used in <see cref="RateControlMode.Crf"/>
/// mode only (0..51 for h264/h265, 0..63 for vp9); <see cref="BitrateKbps"/> in the bitrate and
/// two-pass modes. Pixels are always 8-bit yuv420p, BT.709, limited range.
/// </summary>
public sealed record EncodeSettings(string Codec, int Crf, string Preset, string Quality)
{
    public const string H264 = "h264";
    public const string H265 = "h265";
    public const string Vp9 = "vp9";
    public const int MinBitrateKbps = 16;
    public const int MaxBitrateKbps = 500_000;

    /// <summary><paramref name="kbps"/> times <paramref name="factor"/>, rounded, within <see cref="MinBitrateKbps"/>..<see cref="MaxBitrateKbps"/> (a size plan's correction).</summary>
    public static int ScaledKbps(int kbps, double factor) => Math.Clamp((int)Math.Round(kbps * factor), MinBitrateKbps, MaxBitrateKbps);

    /// <summary>
    /// Uncompressed yuv420p (libavcodec's rawvideo, Matroska only). Not a codec a config may ask for (not in
    /// <see cref="Codecs"/>): optimizeVideo's size sample reference, read five times, where lossless H.264 of a
    /// noisy picture costs more to decode than the candidate encodes it feeds.
    /// </summary>
    public const string Raw = "rawvideo";

    public static readonly string[] Codecs = { H264, H265, Vp9 };
    public static readonly string[] Presets =
        { "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow" };
    public static readonly string[] Qualities = { "low", "medium", "high" };
    public const string DefaultQuality = "medium";
    public const string DefaultPreset = "veryfast";

    public RateControlMode RateControl { get; init; } = RateControlMode.Crf;

    /// <summary>Longest stretch between keyframes, in seconds (x264's keyint; 2 s by default, what players seek and streams cut on).</summary>
    public double KeyframeSeconds { get; init; } = 2;

    /// <summary>
    /// Colour tags written into the output (libav enum values); null writes BT.709 limited range,
    /// what rendered frames are converted with. A clip passed through without drawing keeps its own.
    /// </summary>
    public ColorTags? Color { get; init; }

    /// <summary>Clockwise quarter turn written into the output as a display matrix (0: frames are upright as stored).</summary>
    public int DisplayRotation { get; init; }

    /// <summary>This job's hardware encoder policy (a processing config's <c>optimization.hardware_acceleration</c>); null follows the engine's.</summary>
    public HardwareAcceleration? Hardware { get; init; }

    /// <summary>Average video bit rate in kbit/s (bitrate and two-pass modes).</summary>
    public int BitrateKbps { get; init; }

    /// <summary>VBV peak rate in kbit/s; 0 = 1.5 × <see cref="BitrateKbps"/> in bitrate mode, none in two-pass mode.</summary>
    public int MaxRateKbps { get; init; }

    /// <summary>VBV buffer in kbit; 0 = 2 × <see cref="BitrateKbps"/> whenever a peak rate applies.</summary>
    public int BufferKbps { get; init; }

    /// <summary>
    /// x264's rate tolerance (<c>ratetol</c>) for a second pass; null leaves x264's 1.0. Not a config field: set by a size plan
    /// whose first pass predicts that x264's second pass falls short of the rate (<c>SizeSampling.Shortfall</c>). A lower
    /// tolerance makes x264 correct its running size sooner.
    /// </summary>
    public double? RateTolerance { get; init; }

    /// <summary>H.264 at the default quality: what a chat story gets unless its config says otherwise.</summary>
    public static EncodeSettings Default(string codec = H264, string quality = DefaultQuality, string preset = DefaultPreset) =>
        new(codec, CrfForQuality(codec, quality), preset, quality);

    /// <summary>The CRF scale of a codec: x264/x265 0..51, libvpx 0..63 (lower is better).</summary>
    public static (int Min, int Max) CrfRange(string codec) => codec == Vp9 ? (0, 63) : (0, 51);

    /// <summary>CRF per quality level, per codec (x265 and libvpx need higher numbers for a similar look).</summary>
    public static int CrfForQuality(string codec, string quality) => (codec, quality) switch
    {
        (H265, "low") => 30,
        (H265, "high") => 23,
        (H265, _) => 26,
        (Vp9, "low") => 40,
        (Vp9, "high") => 28,
        (Vp9, _) => 33,
        (_, "low") => 28,
        (_, "high") => 20,
        _ => 23,
    };

    /// <summary>The peak rate the encoder is given (kbit/s), or 0 for none.</summary>
    public int EffectiveMaxRateKbps => MaxRateKbps > 0 ? MaxRateKbps
        : RateControl == RateControlMode.Bitrate ? BitrateKbps * 3 / 2 : 0;

    /// <summary>The VBV buffer the encoder is given (kbit), or 0 for none.</summary>
    public int EffectiveBufferKbps => EffectiveMaxRateKbps == 0 ? 0 : BufferKbps > 0 ? BufferKbps : BitrateKbps * 2;

    /// <summary>
    /// Every problem with these settings, located under <paramref name="path"/> (e.g. <c>video</c>
    /// gives <c>video.codec</c>, <c>video.crf</c>, <c>video.bitrateKbps</c>). Empty when valid.
    /// </summary>
    public IReadOnlyList<ConfigError> Validate(string path = "video")
    {
        var errors = new List<ConfigError>();
        string P(string name) => path.Length == 0 ? name : path + "." + name;
        if (!Codecs.Contains(Codec) && Codec != Raw)
            errors.Add(new ConfigError(P("codec"), $"expected one of \"h264\", \"h265\", \"vp9\", got \"{Codec}\""));
        if (!Presets.Contains(Preset))
            errors.Add(new ConfigError(P("preset"), $"expected one of {string.Join(", ", Presets.Select(p => $"\"{p}\""))}, got \"{Preset}\""));
        switch (RateControl)
        {
            case RateControlMode.Crf:
                var (min, max) = CrfRange(Codec);
                if (Crf < min || Crf > max)
                    errors.Add(new ConfigError(P("crf"), $"expected an integer {min}..{max} for {Codec}, got {Crf}"));
                break;
            case RateControlMode.Bitrate:
            case RateControlMode.TwoPass:
                if (BitrateKbps < MinBitrateKbps || BitrateKbps > MaxBitrateKbps)
                    errors.Add(new ConfigError(P("bitrateKbps"), $"expected {MinBitrateKbps}..{MaxBitrateKbps} kbit/s for {Mode(RateControl)}, got {BitrateKbps}"));
                break;
            default:
                errors.Add(new ConfigError(P("rateControl"), $"unknown rate control {(int)RateControl}"));
                break;
        }
        if (MaxRateKbps < 0 || MaxRateKbps > MaxBitrateKbps)
            errors.Add(new ConfigError(P("maxRateKbps"), $"expected 0..{MaxBitrateKbps} kbit/s, got {MaxRateKbps}"));
        else if (MaxRateKbps > 0 && RateControl != RateControlMode.Crf && MaxRateKbps < BitrateKbps)
            errors.Add(new ConfigError(P("maxRateKbps"), $"expected at least bitrateKbps ({BitrateKbps}), got {MaxRateKbps}"));
        if (BufferKbps < 0 || BufferKbps > 4 * MaxBitrateKbps)
            errors.Add(new ConfigError(P("bufferKbps"), $"expected 0..{4 * MaxBitrateKbps} kbit, got {BufferKbps}"));
        return errors;
    }

    /// <summary>The rate-control mode's name in configs and results: <c>crf</c>, <c>bitrate</c> or <c>two-pass</c>.</summary>
    public static string Mode(RateControlMode mode) => mode switch
    {
        RateControlMode.Bitrate => "bitrate",
        RateControlMode.TwoPass => "two-pass",
        _ => "crf",
    };

    public override string ToString() => RateControl == RateControlMode.Crf
        ? string.Create(CultureInfo.InvariantCulture, $"{Codec} crf {Crf} {Preset}")
        : string.Create(CultureInfo.InvariantCulture, $"{Codec} {Mode(RateControl)} {BitrateKbps} kbit/s {Preset}");
}
