using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// Watches the quantisers libx264 reports with the packets of a first pass at the bit rate (<see cref="QuantizerWatch.PacketQuantizer"/>)
/// and says once, after the <see cref="Packets"/> packets that follow the opening keyframe, whether the pass looks stuck at x264's top
/// (<see cref="LooksStuck"/>): then the constant-quality trial that the whole pass would end in (<see cref="RenderJob.MayBeStuck"/>) can run
/// now, and the rest of the pass is not paid for where the trial replaces it. A 30 s 1080x1920 screen recording at 263 kbit/s sat at 68..69
/// for 83 % of those packets (the whole pass: a mean of 62.3, 17 % at the top); the ffmpeg CLI's first pass of starved gameplay at 0.004
/// bits per pixel, 87 %, where the trial overshoots in its first packets and the pass runs again. Content that is not starved sits far
/// under the top (talking head, grain and animation at 0.004..0.01 bits per pixel: none of those packets at 68 or over).
/// Forwards every packet to <paramref name="inner"/>; a packet sink on the pass's encoder, one thread.
/// </summary>
/// <param name="inner">The pass's own packet sink, or null.</param>
/// <param name="mainEnded">Whether the pass's frame tap has ended it (<see cref="IFrameTap.EndsMainPass"/>): packets then flush a pass that
/// is kept, and the watch no longer speaks.</param>
/// <param name="stuck">Called once, from the packet's thread, when the packets watched look stuck.</param>
internal sealed class EarlyStuckWatch(IPacketSink? inner, Func<bool> mainEnded, Action stuck) : IPacketSink
{
    /// <summary>Packets after the opening keyframe watched: 2 s at 30 fps. They come out behind x264's lookahead (about 45 frames at the medium preset).</summary>
    public const int Packets = 60;

    /// <summary>The share of them at <see cref="RenderJob.TopQuantizer"/> or over from which the pass looks stuck (with a mean of <see cref="RenderJob.StuckQuantizer"/> or over).</summary>
    public const double TopShare = 0.5;

    /// <summary>
    /// The fewest frames a pass must have for the watch to run: the packets watched and x264's lookahead in front of them then take a sixth
    /// of the pass or less, which is what a pass cut where the trial then overshoots costs (it runs again from its start).
    /// </summary>
    public const int MinFrames = 10 * Packets;

    private int _seen, _top;
    private double _sum;

    /// <summary>Whether the watch decided the pass looks stuck (and called its action).</summary>
    public bool LooksStuck { get; private set; }

    /// <summary>Frames the watch saw after the opening keyframe, at most <see cref="Packets"/>.</summary>
    public int Watched => Math.Max(0, Math.Min(_seen - 1, Packets));

    /// <summary>Mean quantiser of the packets watched (NaN before any).</summary>
    public double MeanQuantizer => Watched == 0 ? double.NaN : _sum / Watched;

    /// <summary>
    /// Whether a first pass of <paramref name="frames"/> frames in <paramref name="codec"/> is watched: libx264's (h264's two-pass always runs
    /// it; its quantisers go to 69 and the trial is an x264 pass), long enough (<see cref="MinFrames"/>).
    /// </summary>
    public static bool Applies(int frames, string codec) => codec == EncodeSettings.H264 && frames >= MinFrames;

    /// <summary>Whether quantisers of the packets watched look stuck: <see cref="TopShare"/> of them at the top, and a mean a stuck pass reaches.</summary>
    internal static bool Stuck(int top, int watched, double mean) => watched > 0 && top >= TopShare * watched && mean >= RenderJob.StuckQuantizer;

    public void Write(nint packet, bool isVideo)
    {
        inner?.Write(packet, isVideo);
        if (!isVideo || _seen > Packets || QuantizerWatch.PacketQuantizer(packet) is not { } q) return;
        if (_seen++ == 0) return; // the opening keyframe
        _sum += q;
        if (q >= RenderJob.TopQuantizer) _top++;
        if (_seen - 1 < Packets || mainEnded() || !Stuck(_top, Packets, MeanQuantizer)) return;
        LooksStuck = true;
        stuck();
    }
}
