namespace ReelSpeed.Engine.Media;

/// <summary>
/// How a re-encode spends a byte budget: the MP4's own overhead first, then the audio (a
/// fraction of the budget, at most its usual 128 kbit/s), and the rest to video. When the
/// video bit rate would leave too few bits per pixel for the picture size, the plan scales the
/// picture down (if allowed) until it has enough — fewer, better pixels look better than many
/// starved ones.
/// </summary>
public sealed record SizePlan(
    long TargetBytes, double DurationSeconds, int VideoKbps, int AudioKbps, int Width, int Height, bool Downscaled, long OverheadBytes);

public static class SizeTarget
{
    /// <summary>1 MB as optimizeVideo counts it.</summary>
    public const long BytesPerMb = 1_000_000;

    /// <summary>
    /// Below this many bits per pixel per frame, H.264 at the source size may turn to mush; the plan downscales instead.
    /// optimizeVideo uses it as a bound only: at or above it the full size is kept, and between it and a quarter of it
    /// the full size and this plan's size are measured against each other (Pipeline's SizeSampling).
    /// </summary>
    public const double MinBitsPerPixel = 0.05;

    /// <summary>The smallest picture a downscale goes to (short side, pixels).</summary>
    public const int MinShortSide = 144;

    /// <summary>The least video bit rate planned at all; below it even the smallest picture cannot be encoded to size.</summary>
    public const int MinVideoKbps = 24;

    /// <summary>AAC rates the audio may get, best first; the smallest is the floor.</summary>
    public static readonly int[] AudioKbpsSteps = { 128, 96, 64, 48, 32 };

    /// <summary>Share of the budget audio may take before it steps down.</summary>
    public const double MaxAudioShare = 0.15;

    /// <summary>
    /// Container bookkeeping, measured on the engine's own MP4s (file size minus the packets' bytes, 30 fps): about 1 KB of
    /// headers and boxes, 11 bytes of sample tables per video frame, and 16 per AAC frame (1024 samples at 48 kHz), as the
    /// interleaving starts a chunk at each switch of track (a chunk offset and a sample-to-chunk entry): 4,236 bytes for 10 s
    /// without sound, 10,744 for 30 s; 12,201 and 33,557 with sound. MOV is the same, WebM less (2,544 and 5,793 for 10 s).
    /// Planned a little above: <see cref="OverheadFixedBytes"/> plus <see cref="OverheadPerVideoFrame"/> and
    /// <see cref="OverheadPerAudioFrame"/>. The plan used to reserve 16 KB plus 12 bytes a frame, 12–16 KB too much: a silent
    /// 10 s clip at 0.25 MB came out 6 % under the target and took a correction encode.
    /// </summary>
    public static long OverheadBytes(double seconds, int fps, bool audio) =>
        OverheadFixedBytes + (long)Math.Ceiling(seconds * (fps * OverheadPerVideoFrame + (audio ? AudioFramesPerSecond * OverheadPerAudioFrame : 0)));

    public const int OverheadFixedBytes = 2_000, OverheadPerVideoFrame = 12, OverheadPerAudioFrame = 18;

    /// <summary>AAC frames a second at the engine's 48 kHz (1024 samples each).</summary>
    private const double AudioFramesPerSecond = 48000.0 / 1024;

    /// <summary>The smallest file a plan can aim at for this length (MinVideoKbps, the lowest audio step).</summary>
    public static long SmallestBytes(double seconds, int fps, bool audio) =>
        OverheadBytes(seconds, fps, audio) + (long)Math.Ceiling(seconds * (MinVideoKbps + (audio ? AudioKbpsSteps[^1] : 0)) * 1000 / 8);

    /// <exception cref="EngineException">ERR_TARGET_UNREACHABLE when even the smallest plan exceeds the target (the message gives that smallest size).</exception>
    public static SizePlan Plan(long targetBytes, double seconds, int width, int height, int fps, bool audio, bool allowDownscale, string field = "targetSizeMb")
    {
        if (seconds <= 0) throw new EngineException(ErrorCodes.UnsupportedMedia, "the input has no duration to spread a size over");
        long overhead = OverheadBytes(seconds, fps, audio);
        long smallest = SmallestBytes(seconds, fps, audio);
        if (targetBytes < smallest)
            throw new EngineException(ErrorCodes.TargetUnreachable,
                $"{field}: {targetBytes / (double)BytesPerMb:0.###} MB cannot be met for {seconds:0.##} s of video; the smallest achievable size is {Math.Ceiling(smallest / 10_000.0) / 100:0.00} MB");
        double totalKbps = (targetBytes - overhead) * 8 / seconds / 1000;
        int audioKbps = 0;
        if (audio)
        {
            audioKbps = AudioKbpsSteps[^1];
            foreach (var step in AudioKbpsSteps)
                if (step <= totalKbps * MaxAudioShare) { audioKbps = step; break; }
        }
        int videoKbps = (int)Math.Clamp(Math.Floor(totalKbps - audioKbps), MinVideoKbps, EncodeSettings.MaxBitrateKbps);

        var (w, h) = (width, height);
        bool downscaled = false;
        if (allowDownscale)
        {
            double bpp = videoKbps * 1000.0 / ((double)w * h * fps);
            if (bpp < MinBitsPerPixel)
            {
                double scale = Math.Sqrt(bpp / MinBitsPerPixel);
                double minScale = Math.Min(1, (double)MinShortSide / Math.Min(width, height));
                scale = Math.Max(scale, minScale);
                (w, h) = (Even(width * scale), Even(height * scale));
                downscaled = w != width || h != height;
            }
        }
        return new SizePlan(targetBytes, seconds, videoKbps, audioKbps, w, h, downscaled, overhead);
    }

    private static int Even(double x) => Math.Max(2, (int)Math.Round(x / 2) * 2);
}
