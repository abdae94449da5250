using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// The spacing of keyframes near the start of a video stream, estimated from packet headers
/// (the keyframe flag and timestamps the demuxer reports); nothing is decoded.
/// </summary>
/// <param name="Frames">Median distance between consecutive keyframes, in frames; null with fewer than two keyframes in the sample.</param>
/// <param name="Seconds">The same distance in seconds (median of keyframe timestamp differences); null when unknown.</param>
/// <param name="Keyframes">Keyframes seen in the sample.</param>
/// <param name="SampledFrames">Packets (frames) of this stream read.</param>
/// <param name="SampledSeconds">Stream time the sample covers.</param>
/// <param name="Complete">True when the sample reached the end of the stream, so it covers the whole stream.</param>
public sealed record KeyframeInterval(double? Frames, double? Seconds, int Keyframes, int SampledFrames, double SampledSeconds, bool Complete);

/// <summary>
/// Reads packets from the start of a demuxer already opened by <see cref="MediaProbe"/>,
/// within fixed bounds, so a two-hour file costs what a short one does.
/// </summary>
internal static unsafe class KeyframeScan
{
    /// <summary>Stream time sampled per video stream (a clip up to this long is read whole).</summary>
    public const double MaxSeconds = 10;
    /// <summary>Packets sampled per video stream.</summary>
    public const int MaxVideoPackets = 600;
    /// <summary>Packets read in all (audio and other streams included).</summary>
    public const int MaxPackets = 4000;
    /// <summary>Bytes of packet data read in all (high-bitrate intra codecs reach this first).</summary>
    public const long MaxBytes = 32L << 20;

    private sealed class Track(AVRational timeBase)
    {
        public readonly AVRational TimeBase = timeBase;
        public readonly List<int> KeyIndices = new();
        public readonly List<long> KeyTimes = new();
        public int Packets;
        public long FirstTime = AvConst.NoPtsValue, EndTime = AvConst.NoPtsValue;
        public bool Done;
    }

    /// <summary>
    /// Samples the given video streams (indices into the format context's streams).
    /// Returns one result per stream index that had packets.
    /// </summary>
    public static Dictionary<int, KeyframeInterval> Run(AvInputContextHandle input, IReadOnlyList<int> videoStreams)
    {
        var results = new Dictionary<int, KeyframeInterval>();
        if (videoStreams.Count == 0) return results;
        var streams = (nint*)LibAv.PtrAt(input.Ptr, AvLayout.FormatContext.Streams);
        var tracks = new Dictionary<int, Track>();
        foreach (int i in videoStreams) tracks[i] = new Track(LibAv.RationalAt(streams[i], AvLayout.Stream.TimeBase));

        using var packet = AvPacketHandle.Alloc();
        var pkt = packet.Ptr;
        long bytes = 0;
        int total = 0, open = tracks.Count;
        bool reachedEnd = false;
        while (open > 0 && total < MaxPackets && bytes < MaxBytes)
        {
            int ret = input.ReadFrame(pkt);
            if (ret < 0)
            {
                reachedEnd = ret == AvConst.ErrorEof;
                break;
            }
            total++;
            bytes += LibAv.Field<int>(pkt, AvLayout.Packet.Size);
            int index = LibAv.Field<int>(pkt, AvLayout.Packet.StreamIndex);
            if (tracks.TryGetValue(index, out var t) && !t.Done)
            {
                long pts = LibAv.Field<long>(pkt, AvLayout.Packet.Pts);
                long time = pts != AvConst.NoPtsValue ? pts : LibAv.Field<long>(pkt, AvLayout.Packet.Dts);
                long duration = LibAv.Field<long>(pkt, AvLayout.Packet.Duration);
                if ((LibAv.Field<int>(pkt, AvLayout.Packet.Flags) & AvConst.PktFlagKey) != 0)
                {
                    t.KeyIndices.Add(t.Packets);
                    if (time != AvConst.NoPtsValue) t.KeyTimes.Add(time);
                }
                t.Packets++;
                if (time != AvConst.NoPtsValue)
                {
                    if (t.FirstTime == AvConst.NoPtsValue || time < t.FirstTime) t.FirstTime = time;
                    long end = time + Math.Max(0, duration);
                    if (t.EndTime == AvConst.NoPtsValue || end > t.EndTime) t.EndTime = end;
                }
                if (t.Packets >= MaxVideoPackets || Span(t) > MaxSeconds)
                {
                    t.Done = true;
                    open--;
                }
            }
            LibAv.av_packet_unref(pkt);
        }

        foreach (var (index, t) in tracks)
        {
            if (t.Packets == 0) continue;
            bool complete = reachedEnd && !t.Done;
            results[index] = new KeyframeInterval(
                MedianGap(t.KeyIndices, 1), MedianGap(t.KeyTimes, t.TimeBase.ToDouble()),
                t.KeyIndices.Count, t.Packets, Math.Round(Span(t), 6), complete);
        }
        return results;
    }

    private static double Span(Track t) =>
        t.FirstTime == AvConst.NoPtsValue ? 0 : (t.EndTime - t.FirstTime) * t.TimeBase.ToDouble();

    /// <summary>Median of the differences between consecutive values, times <paramref name="scale"/>; null with fewer than two values.</summary>
    private static double? MedianGap<T>(List<T> values, double scale) where T : System.Numerics.INumber<T>
    {
        if (values.Count < 2) return null;
        var gaps = new double[values.Count - 1];
        for (int i = 1; i < values.Count; i++) gaps[i - 1] = double.CreateChecked(values[i] - values[i - 1]) * scale;
        Array.Sort(gaps);
        int mid = gaps.Length / 2;
        double median = gaps.Length % 2 == 1 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2;
        return Math.Round(median, 6);
    }
}
