using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>What <see cref="MediaProbe"/> finds in a file.</summary>
public sealed record MediaInfo(
    string Path, string Container, string ContainerLongName, double DurationSeconds, long Size, long BitRate,
    IReadOnlyList<StreamInfo> Streams);

public sealed record StreamInfo(
    int Index, string Type, string Codec, string? Profile, long BitRate, double DurationSeconds, long Frames,
    int Width, int Height, double Fps, string? PixelFormat,
    int SampleRate, int Channels, string? ChannelLayout, string? SampleFormat);

/// <summary>Reads container and stream facts with libavformat (no decoding beyond what probing needs).</summary>
public static unsafe class MediaProbe
{
    public static MediaInfo Probe(string path)
    {
        LibAvLoader.EnsureLoaded();
        if (string.IsNullOrWhiteSpace(path))
            throw new EngineException(ErrorCodes.InputNotFound, "filePath: expected a path to a media file, got an empty string");
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{full}: is a directory, not a media file");
        if (!File.Exists(full)) throw new EngineException(ErrorCodes.InputNotFound, $"{full}: file not found");
        long size = new FileInfo(full).Length;
        if (size == 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{full}: file is empty");

        using var input = AvInputContextHandle.Open(full);
        var ctx = input.Ptr;
        int ret = LibAv.avformat_find_stream_info(ctx, null);
        if (ret < 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{full}: cannot read stream info ({LibAv.ErrorText(ret)})");

        var iformat = LibAv.PtrAt(ctx, AvLayout.FormatContext.Iformat);
        long duration = LibAv.Field<long>(ctx, AvLayout.FormatContext.Duration);
        double durationSec = duration is <= 0 or AvConst.NoPtsValue ? 0 : duration / (double)AvConst.TimeBase;
        int count = (int)LibAv.Field<uint>(ctx, AvLayout.FormatContext.NbStreams);
        var streams = new List<StreamInfo>(count);
        var arr = (nint*)LibAv.PtrAt(ctx, AvLayout.FormatContext.Streams);
        for (int i = 0; i < count; i++) streams.Add(ReadStream(arr[i]));
        if (streams.Count == 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{full}: no audio or video streams");

        return new MediaInfo(full,
            LibAv.Utf8At(iformat, AvLayout.InputFormat.Name) ?? "unknown",
            LibAv.Utf8At(iformat, AvLayout.InputFormat.LongName) ?? "",
            durationSec, size, LibAv.Field<long>(ctx, AvLayout.FormatContext.BitRate), streams);
    }

    private static StreamInfo ReadStream(nint st)
    {
        var par = LibAv.PtrAt(st, AvLayout.Stream.Codecpar);
        int type = LibAv.Field<int>(par, AvLayout.CodecParameters.CodecType);
        int codecId = LibAv.Field<int>(par, AvLayout.CodecParameters.CodecId);
        int format = LibAv.Field<int>(par, AvLayout.CodecParameters.Format);
        int profile = LibAv.Field<int>(par, AvLayout.CodecParameters.Profile);
        var tb = LibAv.RationalAt(st, AvLayout.Stream.TimeBase);
        long d = LibAv.Field<long>(st, AvLayout.Stream.Duration);
        double dur = d is <= 0 or AvConst.NoPtsValue ? 0 : d * tb.ToDouble();
        string typeName = type switch
        {
            AvConst.MediaTypeVideo => "video",
            AvConst.MediaTypeAudio => "audio",
            AvConst.MediaTypeSubtitle => "subtitle",
            AvConst.MediaTypeData => "data",
            _ => "other",
        };
        string? profileName = profile == AvConst.ProfileUnknown ? null
            : System.Runtime.InteropServices.Marshal.PtrToStringUTF8(LibAv.avcodec_profile_name(codecId, profile));

        double fps = 0;
        if (type == AvConst.MediaTypeVideo)
        {
            var avg = LibAv.RationalAt(st, AvLayout.Stream.AvgFrameRate);
            var r = LibAv.RationalAt(st, AvLayout.Stream.RFrameRate);
            fps = Math.Round(avg.Num > 0 && avg.Den > 0 ? avg.ToDouble() : r.ToDouble(), 3);
        }
        var layout = par + AvLayout.CodecParameters.ChLayout;
        int channels = type == AvConst.MediaTypeAudio ? LibAv.Field<int>(layout, AvLayout.ChannelLayout.NbChannels) : 0;

        return new StreamInfo(
            LibAv.Field<int>(st, AvLayout.Stream.Index), typeName, LibAv.CodecName(codecId) ?? "unknown", profileName,
            LibAv.Field<long>(par, AvLayout.CodecParameters.BitRate), dur, LibAv.Field<long>(st, AvLayout.Stream.NbFrames),
            type == AvConst.MediaTypeVideo ? LibAv.Field<int>(par, AvLayout.CodecParameters.Width) : 0,
            type == AvConst.MediaTypeVideo ? LibAv.Field<int>(par, AvLayout.CodecParameters.Height) : 0,
            fps,
            type == AvConst.MediaTypeVideo ? LibAv.PixelFormatName(format) : null,
            type == AvConst.MediaTypeAudio ? LibAv.Field<int>(par, AvLayout.CodecParameters.SampleRate) : 0,
            channels,
            channels > 0 ? LibAv.ChannelLayoutName(layout) : null,
            type == AvConst.MediaTypeAudio ? LibAv.SampleFormatName(format) : null);
    }
}
