using System.Diagnostics;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>What <see cref="ChunkStitch.Run"/> wrote.</summary>
public sealed record StitchResult(string OutputPath, long FileSize, int Frames, double DurationMs, int Segments, long AudioPackets, double WallMs)
{
    public string ToJson() => JsonText.Build(w =>
    {
        w.WriteStartObject();
        w.WriteString("outputPath", OutputPath);
        w.WriteNumber("fileSize", FileSize);
        w.WriteNumber("frames", Frames);
        w.WriteNumber("durationMs", Math.Round(DurationMs, 3));
        w.WriteNumber("segments", Segments);
        w.WriteNumber("audioPackets", AudioPackets);
        w.WriteNumber("wallMs", Math.Round(WallMs, 1));
        w.WriteEndObject();
    });
}

/// <summary>
/// Joins the segments of a chunked render (<see cref="ChunkedRender.Chunk"/>, in frame order) and
/// its soundtrack (<see cref="ChunkedRender.Soundtrack"/>) into one MP4 by copying packets: no
/// re-encoding. Each segment's timestamps are shifted by the length of the segments before it, so
/// presentation and decoding times run on across every seam (a segment's B-frame decode delay
/// makes its first decoding time negative; shifted, it still follows the previous segment's last).
/// Segments must share their codec parameters (the same H.264 parameter sets) and time base.
/// The audio packets are interleaved by time and keep their priming (the edit list of the file).
/// </summary>
public static unsafe class ChunkStitch
{
    private const string Mp4Demuxers = "mov,mp4,m4a,3gp,3g2,mj2";

    public static StitchResult Run(IReadOnlyList<string> segments, string audioPath, string outputPath, string? tempDirectory, CancellationToken cancel)
    {
        LibAvLoader.EnsureLoaded();
        var wall = Stopwatch.StartNew();
        if (segments.Count == 0) throw new EngineException(ErrorCodes.InvalidArg, "segments: expected at least one segment file, got none");
        var segmentPaths = segments.Select((s, i) => MediaRoles.CheckRegularFile(s, $"segments[{i}]").FullPath).ToList();
        string audioFull = MediaRoles.CheckRegularFile(audioPath, "audio").FullPath;
        OutputFile.RefuseOwnInputs(outputPath, segmentPaths.Append(audioFull));
        using var output = OutputFile.Create(outputPath, tempDirectory);
        ChunkedRender.CheckMp4(output, "outputPath");

        using var audioIn = Open(audioFull, "audio");
        var (audioStream, audioIndex) = OnlyStream(audioIn.Ptr, AvConst.MediaTypeAudio, audioFull, "audio");
        var audioTb = LibAv.RationalAt(audioStream, AvLayout.Stream.TimeBase);

        using var packet = AvPacketHandle.Alloc();
        using var audioPacket = AvPacketHandle.Alloc();
        var pkt = packet.Ptr;
        var apkt = audioPacket.Ptr;
        using var muxer = new MediaMuxer(output.TempPath, output.MuxerFormat);
        // First pass, headers only: the segments agree, each starts on a keyframe, and how far its
        // decoding times run ahead of its presentation times (x264's B-frame delay; shorter in a
        // chunk of one or two frames). Every segment is shifted to the largest delay, so decoding
        // times rise across each seam.
        var delays = new long[segmentPaths.Count];
        byte[]? headers = null;
        AVRational videoTb = default;
        for (int i = 0; i < segmentPaths.Count; i++)
        {
            string field = $"segments[{i}]";
            using var input = Open(segmentPaths[i], field);
            var (stream, index) = OnlyStream(input.Ptr, AvConst.MediaTypeVideo, segmentPaths[i], field);
            var par = LibAv.PtrAt(stream, AvLayout.Stream.Codecpar);
            var tb = LibAv.RationalAt(stream, AvLayout.Stream.TimeBase);
            var extradata = Extradata(par);
            if (headers is null)
            {
                headers = extradata;
                videoTb = tb;
                muxer.AddCopied(stream, isVideo: true);
                muxer.AddCopied(audioStream, isVideo: false);
            }
            else if (!extradata.AsSpan().SequenceEqual(headers) || tb.Num != videoTb.Num || tb.Den != videoTb.Den)
            {
                throw new EngineException(ErrorCodes.InvalidArg,
                    $"{field}: {segmentPaths[i]} was encoded with other parameters than segments[0] (its codec headers or time base differ); the segments must be chunks of one render");
            }
            if (!ReadStream(input.Ptr, pkt, index)) throw new EngineException(ErrorCodes.InvalidArg, $"{field}: {segmentPaths[i]} holds no video frames");
            if ((LibAv.Field<int>(pkt, AvLayout.Packet.Flags) & AvConst.PktFlagKey) == 0)
                throw new EngineException(ErrorCodes.InvalidArg, $"{field}: {segmentPaths[i]} does not start with a keyframe; it is not a chunk of a distributed render");
            long firstDts = LibAv.Field<long>(pkt, AvLayout.Packet.Dts);
            delays[i] = firstDts == AvConst.NoPtsValue ? 0 : Math.Max(0, -firstDts);
            LibAv.av_packet_unref(pkt);
        }
        long maxDelay = delays.Max();
        muxer.Start();

        long offset = 0, audioPackets = 0;
        int frames = 0;
        bool audioPending = ReadStream(audioIn.Ptr, apkt, audioIndex);
        for (int i = 0; i < segmentPaths.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            string field = $"segments[{i}]";
            using var input = Open(segmentPaths[i], field);
            var (_, index) = OnlyStream(input.Ptr, AvConst.MediaTypeVideo, segmentPaths[i], field);
            long dtsShift = offset - (maxDelay - delays[i]);
            long end = 0;
            while (ReadStream(input.Ptr, pkt, index))
            {
                cancel.ThrowIfCancellationRequested();
                long pts = LibAv.Field<long>(pkt, AvLayout.Packet.Pts), dts = LibAv.Field<long>(pkt, AvLayout.Packet.Dts);
                long duration = LibAv.Field<long>(pkt, AvLayout.Packet.Duration);
                if (pts == AvConst.NoPtsValue || dts == AvConst.NoPtsValue)
                    throw new EngineException(ErrorCodes.InvalidArg, $"{field}: {segmentPaths[i]} has a packet without timestamps");
                end = Math.Max(end, pts + Math.Max(duration, 0));
                LibAv.Field<long>(pkt, AvLayout.Packet.Pts) = pts + offset;
                LibAv.Field<long>(pkt, AvLayout.Packet.Dts) = dts + dtsShift;
                // Audio up to this video packet's decoding time goes first: the file stays interleaved.
                double videoTime = (double)(dts + dtsShift) * videoTb.Num / videoTb.Den;
                while (audioPending && (double)LibAv.Field<long>(apkt, AvLayout.Packet.Dts) * audioTb.Num / audioTb.Den <= videoTime)
                {
                    muxer.Write(apkt, isVideo: false);
                    audioPackets++;
                    audioPending = ReadStream(audioIn.Ptr, apkt, audioIndex);
                }
                muxer.Write(pkt, isVideo: true);
                frames++;
            }
            offset += end;
        }
        while (audioPending)
        {
            cancel.ThrowIfCancellationRequested();
            muxer.Write(apkt, isVideo: false);
            audioPackets++;
            audioPending = ReadStream(audioIn.Ptr, apkt, audioIndex);
        }
        muxer.Finish();
        muxer.Dispose();
        long size = output.Commit();
        double durationMs = offset * 1000.0 * videoTb.Num / videoTb.Den;
        return new StitchResult(output.FinalPath, size, frames, durationMs, segmentPaths.Count, audioPackets, wall.Elapsed.TotalMilliseconds);
    }

    private static AvInputContextHandle Open(string fullPath, string field)
    {
        var input = AvInputContextHandle.Open(fullPath, Mp4Demuxers, $"an MP4 segment ({field})");
        int ret = LibAv.avformat_find_stream_info(input.Ptr, null);
        if (ret < 0)
        {
            input.Dispose();
            throw new EngineException(ErrorCodes.UnsupportedMedia, $"{field}: {fullPath}: cannot read its streams ({LibAv.ErrorText(ret)})");
        }
        return input;
    }

    /// <summary>The one stream of <paramref name="type"/> in the file (a chunk has one video stream, the soundtrack one audio stream).</summary>
    private static (nint Stream, int Index) OnlyStream(nint ctx, int type, string path, string field)
    {
        int n = LibAv.Field<int>(ctx, AvLayout.FormatContext.NbStreams);
        var streams = (nint*)LibAv.PtrAt(ctx, AvLayout.FormatContext.Streams);
        for (int i = 0; i < n; i++)
        {
            var par = LibAv.PtrAt(streams[i], AvLayout.Stream.Codecpar);
            if (LibAv.Field<int>(par, AvLayout.CodecParameters.CodecType) == type) return (streams[i], i);
        }
        string what = type == AvConst.MediaTypeVideo ? "video" : "audio";
        throw new EngineException(ErrorCodes.InvalidArg, $"{field}: {path} has no {what} stream");
    }

    private static bool ReadStream(nint ctx, nint pkt, int index)
    {
        while (true)
        {
            LibAv.av_packet_unref(pkt);
            int ret = LibAv.av_read_frame(ctx, pkt);
            if (ret == AvConst.ErrorEof) return false;
            if (ret < 0) throw new EngineException(ErrorCodes.Decode, $"reading a packet: {LibAv.ErrorText(ret)}");
            if (LibAv.Field<int>(pkt, AvLayout.Packet.StreamIndex) == index) return true;
        }
    }

    private static byte[] Extradata(nint par)
    {
        var data = LibAv.PtrAt(par, AvLayout.CodecParameters.Extradata);
        int size = LibAv.Field<int>(par, AvLayout.CodecParameters.ExtradataSize);
        return data == 0 || size <= 0 ? Array.Empty<byte>() : new ReadOnlySpan<byte>((void*)data, size).ToArray();
    }
}
