using System.Runtime.InteropServices;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>What <see cref="MediaProbe"/> finds in a file.</summary>
public sealed record MediaInfo
{
    public required string Path { get; init; }
    /// <summary>libavformat's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "png_pipe".</summary>
    public required string Container { get; init; }
    public required string ContainerLongName { get; init; }
    /// <summary>"video" (has a moving picture), "audio" (sound only; cover art does not count) or "image" (still pictures only).</summary>
    public required string Kind { get; init; }
    /// <summary>Seconds; 0 when unknown (a still image).</summary>
    public required double DurationSeconds { get; init; }
    /// <summary>Seconds; null when the container does not say.</summary>
    public double? StartTimeSeconds { get; init; }
    public required long Size { get; init; }
    /// <summary>Overall bit rate (bit/s) the container reports or libavformat derives; 0 when unknown.</summary>
    public required long BitRate { get; init; }
    public required StreamCounts StreamCounts { get; init; }
    public required IReadOnlyList<ChapterInfo> Chapters { get; init; }
    /// <summary>Every format-level tag, in the container's order (first of duplicate keys kept).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; }
    public required IReadOnlyList<StreamInfo> Streams { get; init; }

    public string? Title => MediaProbe.Tag(Tags, "title");
    public string? CreationTime => MediaProbe.Tag(Tags, "creation_time");
    public string? Encoder => MediaProbe.Tag(Tags, "encoder");
}

public sealed record StreamCounts(int Video, int Audio, int Subtitle, int Data, int Attachment, int Other);

/// <summary>A chapter; times in seconds.</summary>
public sealed record ChapterInfo(long Id, double Start, double End, string? Title);

/// <summary>HDR mastering display luminance (cd/m²), from the stream's side data.</summary>
public sealed record MasteringDisplay(double? MinLuminance, double? MaxLuminance);

/// <summary>HDR content light level (cd/m²): maximum content and maximum frame-average light level.</summary>
public sealed record ContentLightLevel(int MaxCll, int MaxFall);

public sealed record StreamInfo
{
    public required int Index { get; init; }
    /// <summary>"video", "audio", "subtitle", "data", "attachment" or "other".</summary>
    public required string Type { get; init; }
    public required string Codec { get; init; }
    public string? Profile { get; init; }
    /// <summary>bit/s; 0 when the container does not say (Matroska, Opus...).</summary>
    public long BitRate { get; init; }
    /// <summary>Seconds; 0 when the container gives no per-stream duration (Matroska).</summary>
    public double DurationSeconds { get; init; }
    /// <summary>When the stream's first packet is presented, in seconds; null when unknown.</summary>
    public double? StartSeconds { get; init; }
    /// <summary>Frame (packet) count: from the container's index, or counted when the probe read the whole stream; 0 when unknown.</summary>
    public long Frames { get; init; }
    public string? Language { get; init; }
    public string? Title { get; init; }
    public bool IsDefault { get; init; }
    /// <summary>Cover art (an MP3's or M4A's picture), not a moving video.</summary>
    public bool AttachedPic { get; init; }
    /// <summary>A still picture (an image file, cover art).</summary>
    public bool StillImage { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    // ---- video ----
    public int Width { get; init; }
    public int Height { get; init; }
    /// <summary>Average frame rate when known, else the nominal one; 0 when neither.</summary>
    public double Fps { get; init; }
    public double? AvgFrameRate { get; init; }
    /// <summary>The nominal (base) frame rate, libavformat's r_frame_rate.</summary>
    public double? NominalFrameRate { get; init; }
    public string? PixelFormat { get; init; }
    public int? BitDepth { get; init; }
    /// <summary>The codec level as libavcodec numbers it (H.264 31 = 3.1, HEVC 93 = 3.1); null when unknown.</summary>
    public int? Level { get; init; }
    /// <summary>Clockwise rotation a player applies: 0, 90, 180 or 270. See <see cref="DisplayMatrix"/>.</summary>
    public int Rotation { get; init; }
    /// <summary>Shown size: width scaled by the sample aspect ratio, then swapped when rotated by 90 or 270.</summary>
    public int DisplayWidth { get; init; }
    public int DisplayHeight { get; init; }
    /// <summary>"num:den" as ffprobe prints it; null when unknown.</summary>
    public string? SampleAspectRatio { get; init; }
    public string? DisplayAspectRatio { get; init; }
    public string? ColorRange { get; init; }
    public string? ColorSpace { get; init; }
    public string? ColorTransfer { get; init; }
    public string? ColorPrimaries { get; init; }
    public string? ChromaLocation { get; init; }
    /// <summary>PQ (smpte2084) or HLG (arib-std-b67) transfer, or HDR mastering / light-level side data.</summary>
    public bool Hdr { get; init; }
    public MasteringDisplay? MasteringDisplay { get; init; }
    public ContentLightLevel? ContentLightLevel { get; init; }
    public KeyframeInterval? KeyframeInterval { get; init; }

    // ---- audio ----
    public int SampleRate { get; init; }
    public int Channels { get; init; }
    public string? ChannelLayout { get; init; }
    public string? SampleFormat { get; init; }
}

/// <summary>
/// Reads container and stream facts with libavformat. Nothing is decoded: stream parameters
/// come from probing (bounded by libavformat's probesize/analyzeduration), keyframe spacing
/// from packet headers near the start (<see cref="KeyframeScan"/>), and truncation from
/// container headers and the index (<see cref="ContainerIntegrity"/>), so the cost does not
/// grow with the file's length.
/// </summary>
public static unsafe class MediaProbe
{
    /// <summary>Codecs libavformat reports as "video" that are text-mode art (.ans, .bin, .xb, .idf), not pictures.</summary>
    private static readonly HashSet<string> s_textArtCodecs = new(StringComparer.Ordinal) { "ansi", "bintext", "xbin", "idf" };

    public static MediaInfo Probe(string path)
    {
        LibAvLoader.EnsureLoaded();
        if (string.IsNullOrWhiteSpace(path))
            throw new EngineException(ErrorCodes.InputNotFound, "filePath: expected a path to a media file, got an empty string");
        // Pipes, devices, directories and symlink loops are refused before anything opens them
        // (a FIFO would block the probe for ever); the size is the symlink target's.
        var (full, size) = MediaRoles.CheckRegularFile(path, "filePath");
        if (size == 0) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{full}: file is empty (or not a regular file)");

        using var input = OpenOrExplain(full, size);
        var ctx = input.Ptr;
        int ret = input.FindStreamInfo();
        if (ret < 0)
        {
            ThrowIfStructurallyBroken(full, size, 0);
            string format = LibAv.Utf8At(LibAv.PtrAt(ctx, AvLayout.FormatContext.Iformat), AvLayout.InputFormat.Name) ?? "unknown";
            throw new EngineException(ErrorCodes.Decode, $"{full}: cannot read stream info as {format} ({LibAv.ErrorText(ret)}); the file is damaged or not media");
        }

        var iformat = LibAv.PtrAt(ctx, AvLayout.FormatContext.Iformat);
        string container = LibAv.Utf8At(iformat, AvLayout.InputFormat.Name) ?? "unknown";
        int count = (int)LibAv.Field<uint>(ctx, AvLayout.FormatContext.NbStreams);
        if (count == 0)
            throw new EngineException(ErrorCodes.UnsupportedMedia, $"{full}: contains no audio or video streams ({container} with no streams at all)");

        // Structure first: a cut file should say "truncated", not whatever half-read stream it shows.
        ThrowIfStructurallyBroken(full, size, ctx);

        bool imageDemuxer = container == "image2" || container.EndsWith("_pipe", StringComparison.Ordinal);
        var arr = (nint*)LibAv.PtrAt(ctx, AvLayout.FormatContext.Streams);
        var streams = new List<StreamInfo>(count);
        for (int i = 0; i < count; i++) streams.Add(ReadStream(ctx, arr[i], imageDemuxer));
        CheckUsable(full, container, streams);

        // Keyframe spacing (and exact frame counts of short files) from packet headers.
        var video = streams.Where(s => s.Type == "video" && !s.AttachedPic && !s.StillImage).Select(s => s.Index).ToList();
        var keyframes = KeyframeScan.Run(input, video);
        for (int i = 0; i < streams.Count; i++)
        {
            if (!keyframes.TryGetValue(streams[i].Index, out var k)) continue;
            streams[i] = streams[i] with
            {
                KeyframeInterval = k,
                Frames = streams[i].Frames > 0 ? streams[i].Frames : k.Complete ? k.SampledFrames : 0,
            };
        }

        long duration = LibAv.Field<long>(ctx, AvLayout.FormatContext.Duration);
        long start = LibAv.Field<long>(ctx, AvLayout.FormatContext.StartTime);
        return new MediaInfo
        {
            Path = full,
            Container = container,
            ContainerLongName = LibAv.Utf8At(iformat, AvLayout.InputFormat.LongName) ?? "",
            Kind = KindOf(streams),
            DurationSeconds = duration is <= 0 or AvConst.NoPtsValue ? 0 : duration / (double)AvConst.TimeBase,
            StartTimeSeconds = start == AvConst.NoPtsValue ? null : start / (double)AvConst.TimeBase,
            Size = size,
            BitRate = Math.Max(0, LibAv.Field<long>(ctx, AvLayout.FormatContext.BitRate)),
            StreamCounts = new StreamCounts(
                streams.Count(s => s.Type == "video"), streams.Count(s => s.Type == "audio"),
                streams.Count(s => s.Type == "subtitle"), streams.Count(s => s.Type == "data"),
                streams.Count(s => s.Type == "attachment"), streams.Count(s => s.Type == "other")),
            Chapters = ReadChapters(ctx),
            Tags = ReadTags(LibAv.PtrAt(ctx, AvLayout.FormatContext.Metadata)),
            Streams = streams,
        };
    }

    /// <summary>The value of a tag, matching the key case-insensitively (Matroska tags are upper case).</summary>
    public static string? Tag(IReadOnlyList<KeyValuePair<string, string>> tags, string key)
    {
        foreach (var (k, v) in tags)
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) return v;
        return null;
    }

    /// <summary>Opens the demuxer; when it refuses, says whether the file is a damaged MP4/Matroska or not media at all.</summary>
    private static AvInputContextHandle OpenOrExplain(string full, long size)
    {
        try
        {
            return MediaRoles.Open(full, MediaRole.Probe);
        }
        catch (EngineException e) when (e.Code == ErrorCodes.UnsupportedMedia)
        {
            var family = ContainerIntegrity.Sniff(full);
            if (family == ContainerIntegrity.Family.Unknown)
                throw new EngineException(ErrorCodes.UnsupportedMedia, $"{full}: not a recognised audio, video or image file ({Reason(e)})", e);
            string name = ContainerIntegrity.Name(family);
            var problem = ContainerIntegrity.CheckStructure(full, size);
            if (problem is { Truncated: true })
                throw new EngineException(ErrorCodes.Decode, $"{full}: truncated {name} file: {problem.Detail}", e);
            throw new EngineException(ErrorCodes.Decode,
                $"{full}: damaged {name} file: {problem?.Detail ?? "the demuxer cannot read it"} ({Reason(e)})", e);
        }
    }

    private static string Reason(EngineException e)
    {
        int open = e.Message.LastIndexOf('(');
        return open >= 0 ? e.Message[(open + 1)..].TrimEnd(')') : e.Message;
    }

    /// <summary>Throws ERR_DECODE when the container structure or the index shows missing data.</summary>
    private static void ThrowIfStructurallyBroken(string full, long size, nint ctx)
    {
        var problem = ContainerIntegrity.CheckStructure(full, size);
        if (problem is null && ctx != 0) problem = ContainerIntegrity.CheckIndex(ctx, size);
        if (problem is null) return;
        throw new EngineException(ErrorCodes.Decode, $"{full}: {(problem.Truncated ? "truncated" : "damaged")} {problem.Container} file: {problem.Detail}");
    }

    /// <summary>At least one audio or picture stream with readable parameters, or a precise error.</summary>
    private static void CheckUsable(string full, string container, List<StreamInfo> streams)
    {
        bool usable = streams.Any(s =>
            (s.Type == "audio" && s.SampleRate > 0 && s.Channels > 0) ||
            (s.Type == "video" && s.Width > 0 && s.Height > 0 && !s_textArtCodecs.Contains(s.Codec)));
        if (usable) return;
        var av = streams.Where(s => s.Type is "audio" or "video").ToList();
        if (av.Count > 0 && av.All(s => s_textArtCodecs.Contains(s.Codec)))
            throw new EngineException(ErrorCodes.UnsupportedMedia, $"{full}: text-mode art ({container}, {av[0].Codec}), not audio, video or an image");
        if (av.Count > 0)
        {
            var s = av[0];
            string missing = s.Type == "audio" ? "no sample rate or channel count" : "no picture size";
            throw new EngineException(ErrorCodes.Decode,
                $"{full}: stream {s.Index} ({s.Type}, {s.Codec}) has {missing}: the data is not valid {s.Codec} or the file is damaged");
        }
        var found = string.Join(", ", streams.GroupBy(s => s.Type).Select(g => $"{g.Count()} {g.Key}"));
        throw new EngineException(ErrorCodes.UnsupportedMedia, $"{full}: contains no audio or video streams (found {found})");
    }

    private static string KindOf(List<StreamInfo> streams)
    {
        var video = streams.Where(s => s.Type == "video" && s.Width > 0 && !s_textArtCodecs.Contains(s.Codec)).ToList();
        if (video.Any(s => !s.AttachedPic && !s.StillImage)) return "video";
        if (streams.Any(s => s.Type == "audio")) return "audio";
        return "image";
    }

    private static StreamInfo ReadStream(nint ctx, nint st, bool imageDemuxer)
    {
        var par = LibAv.PtrAt(st, AvLayout.Stream.Codecpar);
        int type = LibAv.Field<int>(par, AvLayout.CodecParameters.CodecType);
        int codecId = LibAv.Field<int>(par, AvLayout.CodecParameters.CodecId);
        int format = LibAv.Field<int>(par, AvLayout.CodecParameters.Format);
        int profile = LibAv.Field<int>(par, AvLayout.CodecParameters.Profile);
        int disposition = LibAv.Field<int>(st, AvLayout.Stream.Disposition);
        var tb = LibAv.RationalAt(st, AvLayout.Stream.TimeBase);
        long d = LibAv.Field<long>(st, AvLayout.Stream.Duration);
        var tags = ReadTags(LibAv.PtrAt(st, AvLayout.Stream.Metadata));
        string typeName = type switch
        {
            AvConst.MediaTypeVideo => "video",
            AvConst.MediaTypeAudio => "audio",
            AvConst.MediaTypeSubtitle => "subtitle",
            AvConst.MediaTypeData => "data",
            AvConst.MediaTypeAttachment => "attachment",
            _ => "other",
        };
        bool attachedPic = (disposition & AvConst.DispositionAttachedPic) != 0;
        var info = new StreamInfo
        {
            Index = LibAv.Field<int>(st, AvLayout.Stream.Index),
            Type = typeName,
            Codec = LibAv.CodecName(codecId) ?? "unknown",
            Profile = profile == AvConst.ProfileUnknown ? null : Marshal.PtrToStringUTF8(LibAv.avcodec_profile_name(codecId, profile)),
            BitRate = Math.Max(0, LibAv.Field<long>(par, AvLayout.CodecParameters.BitRate)),
            DurationSeconds = d is <= 0 or AvConst.NoPtsValue ? 0 : d * tb.ToDouble(),
            StartSeconds = LibAv.Field<long>(st, AvLayout.Stream.StartTime) is var s0 && s0 != AvConst.NoPtsValue ? s0 * tb.ToDouble() : null,
            Frames = Math.Max(0, LibAv.Field<long>(st, AvLayout.Stream.NbFrames)),
            Language = Tag(tags, "language"),
            Title = Tag(tags, "title"),
            IsDefault = (disposition & AvConst.DispositionDefault) != 0,
            AttachedPic = attachedPic,
            StillImage = type == AvConst.MediaTypeVideo && (attachedPic || imageDemuxer || (disposition & AvConst.DispositionStillImage) != 0),
            Tags = tags,
        };
        if (type == AvConst.MediaTypeVideo) return ReadVideo(ctx, st, par, format, info);
        if (type == AvConst.MediaTypeAudio)
        {
            var layout = par + AvLayout.CodecParameters.ChLayout;
            int channels = LibAv.Field<int>(layout, AvLayout.ChannelLayout.NbChannels);
            return info with
            {
                SampleRate = LibAv.Field<int>(par, AvLayout.CodecParameters.SampleRate),
                Channels = channels,
                // Like ffprobe: a layout whose channel order is unspecified ("2 channels") has no name.
                ChannelLayout = channels > 0 && LibAv.Field<int>(layout, AvLayout.ChannelLayout.Order) != AvConst.ChannelOrderUnspec
                    ? LibAv.ChannelLayoutName(layout) : null,
                SampleFormat = LibAv.SampleFormatName(format),
            };
        }
        return info;
    }

    private static StreamInfo ReadVideo(nint ctx, nint st, nint par, int format, StreamInfo info)
    {
        int width = LibAv.Field<int>(par, AvLayout.CodecParameters.Width);
        int height = LibAv.Field<int>(par, AvLayout.CodecParameters.Height);
        var avg = LibAv.RationalAt(st, AvLayout.Stream.AvgFrameRate);
        var nominal = LibAv.RationalAt(st, AvLayout.Stream.RFrameRate);
        double? avgRate = Rate(avg), nominalRate = Rate(nominal);
        int level = LibAv.Field<int>(par, AvLayout.CodecParameters.Level);
        int rotation = DisplayMatrix.RotationOf(st);

        // Sample aspect ratio and display aspect ratio exactly as ffprobe derives them.
        var sar = LibAv.av_guess_sample_aspect_ratio(ctx, st, 0);
        string? sarText = null, darText = null;
        int shownWidth = width;
        if (sar.Num > 0 && sar.Den > 0 && width > 0 && height > 0)
        {
            sarText = $"{sar.Num}:{sar.Den}";
            int dn, dd;
            LibAv.av_reduce(&dn, &dd, (long)width * sar.Num, (long)height * sar.Den, 1024 * 1024);
            darText = $"{dn}:{dd}";
            shownWidth = (int)Math.Round((double)width * sar.Num / sar.Den);
        }
        bool swap = DisplayMatrix.SwapsAxes(rotation);

        int trc = LibAv.Field<int>(par, AvLayout.CodecParameters.ColorTrc);
        var mastering = ReadMasteringDisplay(st);
        var light = ReadContentLightLevel(st);
        return info with
        {
            Width = width,
            Height = height,
            Fps = Math.Round(avgRate ?? nominalRate ?? 0, 3),
            AvgFrameRate = avgRate,
            NominalFrameRate = nominalRate,
            PixelFormat = LibAv.PixelFormatName(format),
            BitDepth = BitDepth(format, LibAv.Field<int>(par, AvLayout.CodecParameters.BitsPerRawSample)),
            Level = level == AvConst.LevelUnknown ? null : level,
            Rotation = rotation,
            DisplayWidth = swap ? height : shownWidth,
            DisplayHeight = swap ? shownWidth : height,
            SampleAspectRatio = sarText,
            DisplayAspectRatio = darText,
            ColorRange = ColorName(LibAv.Field<int>(par, AvLayout.CodecParameters.ColorRange), AvConst.ColRangeUnspecified, LibAv.av_color_range_name),
            ColorSpace = ColorName(LibAv.Field<int>(par, AvLayout.CodecParameters.ColorSpace), AvConst.ColSpcUnspecified, LibAv.av_color_space_name),
            ColorTransfer = ColorName(trc, AvConst.ColTrcUnspecified, LibAv.av_color_transfer_name),
            ColorPrimaries = ColorName(LibAv.Field<int>(par, AvLayout.CodecParameters.ColorPrimaries), AvConst.ColPriUnspecified, LibAv.av_color_primaries_name),
            ChromaLocation = ColorName(LibAv.Field<int>(par, AvLayout.CodecParameters.ChromaLocation), AvConst.ChromaLocUnspecified, LibAv.av_chroma_location_name),
            Hdr = trc is AvConst.ColTrcSmpte2084 or AvConst.ColTrcAribStdB67 || mastering is not null || light is not null,
            MasteringDisplay = mastering,
            ContentLightLevel = light,
        };
    }

    private static double? Rate(AVRational r) => r.Num > 0 && r.Den > 0 ? Math.Round(r.ToDouble(), 6) : null;

    private static string? ColorName(int value, int unspecified, Func<int, nint> name) =>
        value == unspecified ? null : Marshal.PtrToStringUTF8(name(value));

    /// <summary>Bits per component: the deepest component of the pixel format, else the codec's bits_per_raw_sample.</summary>
    internal static int? BitDepth(int pixFmt, int bitsPerRawSample)
    {
        var desc = pixFmt < 0 ? 0 : LibAv.av_pix_fmt_desc_get(pixFmt);
        if (desc != 0)
        {
            int n = LibAv.Field<byte>(desc, AvLayout.PixFmtDescriptor.NbComponents);
            int depth = 0;
            for (int c = 0; c < Math.Min(n, 4); c++)
                depth = Math.Max(depth, LibAv.Field<int>(desc, AvLayout.PixFmtDescriptor.Comp + c * AvLayout.ComponentDescriptor.StructSize + AvLayout.ComponentDescriptor.Depth));
            if (depth > 0) return depth;
        }
        return bitsPerRawSample > 0 ? bitsPerRawSample : null;
    }

    private static MasteringDisplay? ReadMasteringDisplay(nint st)
    {
        nuint size = 0;
        var p = LibAv.av_stream_get_side_data(st, AvConst.PktDataMasteringDisplayMetadata, &size);
        if (p == 0 || size < (nuint)(AvLayout.MasteringDisplayMetadata.HasLuminance + sizeof(int))) return null;
        if (LibAv.Field<int>(p, AvLayout.MasteringDisplayMetadata.HasLuminance) == 0) return new MasteringDisplay(null, null);
        return new MasteringDisplay(
            Luminance(LibAv.RationalAt(p, AvLayout.MasteringDisplayMetadata.MinLuminance)),
            Luminance(LibAv.RationalAt(p, AvLayout.MasteringDisplayMetadata.MaxLuminance)));
    }

    private static double? Luminance(AVRational r) => r.Den > 0 && r.Num >= 0 ? Math.Round(r.ToDouble(), 4) : null;

    private static ContentLightLevel? ReadContentLightLevel(nint st)
    {
        nuint size = 0;
        var p = LibAv.av_stream_get_side_data(st, AvConst.PktDataContentLightLevel, &size);
        if (p == 0 || size < (nuint)(AvLayout.ContentLightMetadata.MaxFALL + sizeof(uint))) return null;
        return new ContentLightLevel(
            (int)LibAv.Field<uint>(p, AvLayout.ContentLightMetadata.MaxCLL),
            (int)LibAv.Field<uint>(p, AvLayout.ContentLightMetadata.MaxFALL));
    }

    private static List<ChapterInfo> ReadChapters(nint ctx)
    {
        int n = (int)LibAv.Field<uint>(ctx, AvLayout.FormatContext.NbChapters);
        var list = new List<ChapterInfo>(n);
        var chapters = (nint*)LibAv.PtrAt(ctx, AvLayout.FormatContext.Chapters);
        for (int i = 0; i < n && chapters != null; i++)
        {
            var c = chapters[i];
            double tb = LibAv.RationalAt(c, AvLayout.Chapter.TimeBase).ToDouble();
            list.Add(new ChapterInfo(
                LibAv.Field<long>(c, AvLayout.Chapter.Id),
                Math.Round(LibAv.Field<long>(c, AvLayout.Chapter.Start) * tb, 6),
                Math.Round(LibAv.Field<long>(c, AvLayout.Chapter.End) * tb, 6),
                Tag(ReadTags(LibAv.PtrAt(c, AvLayout.Chapter.Metadata)), "title")));
        }
        return list;
    }

    /// <summary>All entries of an AVDictionary, in order; the first of duplicate keys wins.</summary>
    private static List<KeyValuePair<string, string>> ReadTags(nint dict)
    {
        var list = new List<KeyValuePair<string, string>>();
        if (dict == 0) return list;
        nint entry = 0;
        while ((entry = LibAv.av_dict_get(dict, "", entry, AvConst.DictIgnoreSuffix)) != 0)
        {
            var key = LibAv.Utf8At(entry, AvLayout.DictionaryEntry.Key);
            if (key is null || list.Exists(kv => kv.Key == key)) continue;
            list.Add(new(key, LibAv.Utf8At(entry, AvLayout.DictionaryEntry.Value) ?? ""));
        }
        return list;
    }
}
