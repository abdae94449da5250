using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// Watches the quantiser libx264 reports with each packet of optimizeVideo's full-size first pass, and says once, after the
/// watched frames, when the pass looks to end under a mean quantiser (<see cref="Expected"/>): the size rule will keep the full
/// size whatever the first passes score (<see cref="SizeSampling.KeepFullBelowQp"/>), so what only serves the comparison can stop
/// (the smaller size's pass beside it, the full size's own scoring). A packet sink on the pass's encoder; one thread.
/// </summary>
internal sealed unsafe class QuantizerWatch : IPacketSink
{
    /// <summary>Packets whose mean quantiser stands for the rest of the clip (x264's one-pass rate control settles as it goes).</summary>
    private const int RecentPackets = 30;

    private readonly int _totalFrames, _watchFrames;
    private readonly double _keepBelowQp;
    private readonly Action _onKeep;
    private readonly double[] _recent = new double[RecentPackets];
    private double _sum, _recentSum;
    private int _packets;

    /// <param name="totalFrames">Frames of the whole pass.</param>
    /// <param name="watchFrames">Packets seen before the watch may call <paramref name="onKeep"/>.</param>
    /// <param name="keepBelowQp">The mean the pass must look to end under.</param>
    /// <param name="onKeep">Called once, from the packet's thread, when it does.</param>
    public QuantizerWatch(int totalFrames, int watchFrames, double keepBelowQp, Action onKeep)
    {
        _totalFrames = totalFrames;
        _watchFrames = Math.Max(1, watchFrames);
        _keepBelowQp = keepBelowQp;
        _onKeep = onKeep;
    }

    /// <summary>Whether the watch called its action.</summary>
    public bool Kept { get; private set; }

    /// <summary>Packets seen.</summary>
    public int Packets => _packets;

    /// <summary>Mean quantiser of the packets so far (null before any).</summary>
    public double? Mean => _packets == 0 ? null : _sum / _packets;

    /// <summary>The mean quantiser the pass looks to end at: the packets so far, the last <see cref="RecentPackets"/>' mean for the rest.</summary>
    public double Expected
    {
        get
        {
            int recent = Math.Min(_packets, RecentPackets);
            if (recent == 0) return double.NaN;
            int rest = Math.Max(0, _totalFrames - _packets);
            return (_sum + _recentSum / recent * rest) / (_packets + rest);
        }
    }

    public void Write(nint packet, bool isVideo)
    {
        if (!isVideo || PacketQuantizer(packet) is not { } qp) return;
        _sum += qp;
        _recentSum += qp - _recent[_packets % RecentPackets];
        _recent[_packets % RecentPackets] = qp;
        _packets++;
        if (!Kept && _packets >= _watchFrames && Expected < _keepBelowQp)
        {
            Kept = true;
            _onKeep();
        }
    }

    /// <summary>The quantiser libx264 reports with an encoded packet (its quality-stats side data, in lambda units); null where it has none.</summary>
    internal static double? PacketQuantizer(nint packet)
    {
        int count = LibAv.Field<int>(packet, AvLayout.Packet.SideDataElems);
        nint entries = LibAv.Field<nint>(packet, AvLayout.Packet.SideData);
        for (int i = 0; i < count; i++)
        {
            nint entry = entries + i * AvLayout.PacketSideData.StructSize;
            if (LibAv.Field<int>(entry, AvLayout.PacketSideData.Type) != AvConst.PktDataQualityStats) continue;
            if (LibAv.Field<nuint>(entry, AvLayout.PacketSideData.Size) < 4) return null;
            return *(int*)LibAv.Field<nint>(entry, AvLayout.PacketSideData.Data) / (double)AvConst.QpToLambda;
        }
        return null;
    }
}
