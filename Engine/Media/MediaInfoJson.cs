using System.Text.Json;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// The getVideoMetadata JSON (camelCase, typed as <c>VideoMetadata</c> in types/metadata.d.ts),
/// written by hand with Utf8JsonWriter: no reflection, AOT-safe.
/// Fields that can be unknown are always present and null when unknown.
/// </summary>
internal static class MediaInfoJson
{
    public static void Write(Utf8JsonWriter w, MediaInfo info)
    {
        w.WriteStartObject();
        w.WriteString("path", info.Path);
        w.WriteString("container", info.Container);
        w.WriteString("containerLongName", info.ContainerLongName);
        w.WriteString("kind", info.Kind);
        w.WriteNumber("duration", Math.Round(info.DurationSeconds, 6));
        w.WriteNumber("durationMs", Math.Round(info.DurationSeconds * 1000, 3));
        Number(w, "startTime", info.StartTimeSeconds is { } st ? Math.Round(st, 6) : null);
        w.WriteNumber("size", info.Size);
        w.WriteNumber("bitRate", info.BitRate);
        String(w, "title", info.Title);
        String(w, "creationTime", info.CreationTime);
        String(w, "encoder", info.Encoder);
        Tags(w, info.Tags);

        var c = info.StreamCounts;
        w.WriteStartObject("streamCounts");
        w.WriteNumber("video", c.Video);
        w.WriteNumber("audio", c.Audio);
        w.WriteNumber("subtitle", c.Subtitle);
        w.WriteNumber("data", c.Data);
        w.WriteNumber("attachment", c.Attachment);
        w.WriteNumber("other", c.Other);
        w.WriteEndObject();

        w.WriteNumber("chapterCount", info.Chapters.Count);
        w.WriteStartArray("chapters");
        foreach (var ch in info.Chapters)
        {
            w.WriteStartObject();
            w.WriteNumber("id", ch.Id);
            w.WriteNumber("start", ch.Start);
            w.WriteNumber("end", ch.End);
            String(w, "title", ch.Title);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("streams");
        foreach (var s in info.Streams) Stream(w, s);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Stream(Utf8JsonWriter w, StreamInfo s)
    {
        w.WriteStartObject();
        w.WriteNumber("index", s.Index);
        w.WriteString("type", s.Type);
        w.WriteString("codec", s.Codec);
        if (s.Profile is not null) w.WriteString("profile", s.Profile);
        w.WriteNumber("bitRate", s.BitRate);
        w.WriteNumber("duration", Math.Round(s.DurationSeconds, 6));
        String(w, "language", s.Language);
        String(w, "title", s.Title);
        w.WriteBoolean("default", s.IsDefault);
        if (s.Type == "video")
        {
            w.WriteNumber("width", s.Width);
            w.WriteNumber("height", s.Height);
            w.WriteNumber("displayWidth", s.DisplayWidth);
            w.WriteNumber("displayHeight", s.DisplayHeight);
            w.WriteNumber("rotation", s.Rotation);
            String(w, "sampleAspectRatio", s.SampleAspectRatio);
            String(w, "displayAspectRatio", s.DisplayAspectRatio);
            w.WriteNumber("fps", s.Fps);
            Number(w, "avgFrameRate", s.AvgFrameRate);
            Number(w, "nominalFrameRate", s.NominalFrameRate);
            w.WriteNumber("frames", s.Frames);
            if (s.PixelFormat is not null) w.WriteString("pixelFormat", s.PixelFormat);
            Number(w, "bitDepth", s.BitDepth);
            Number(w, "level", s.Level);
            String(w, "colorRange", s.ColorRange);
            String(w, "colorSpace", s.ColorSpace);
            String(w, "colorTransfer", s.ColorTransfer);
            String(w, "colorPrimaries", s.ColorPrimaries);
            String(w, "chromaLocation", s.ChromaLocation);
            w.WriteBoolean("hdr", s.Hdr);
            if (s.MasteringDisplay is { } md)
            {
                w.WriteStartObject("masteringDisplay");
                Number(w, "minLuminance", md.MinLuminance);
                Number(w, "maxLuminance", md.MaxLuminance);
                w.WriteEndObject();
            }
            else w.WriteNull("masteringDisplay");
            if (s.ContentLightLevel is { } cll)
            {
                w.WriteStartObject("contentLightLevel");
                w.WriteNumber("maxCll", cll.MaxCll);
                w.WriteNumber("maxFall", cll.MaxFall);
                w.WriteEndObject();
            }
            else w.WriteNull("contentLightLevel");
            w.WriteBoolean("attachedPic", s.AttachedPic);
            w.WriteBoolean("stillImage", s.StillImage);
            if (s.KeyframeInterval is { } k)
            {
                w.WriteStartObject("keyframeInterval");
                Number(w, "frames", k.Frames);
                Number(w, "seconds", k.Seconds);
                w.WriteNumber("keyframes", k.Keyframes);
                w.WriteNumber("sampledFrames", k.SampledFrames);
                w.WriteNumber("sampledSeconds", k.SampledSeconds);
                w.WriteBoolean("complete", k.Complete);
                w.WriteBoolean("estimate", true);
                w.WriteEndObject();
            }
            else w.WriteNull("keyframeInterval");
        }
        else if (s.Type == "audio")
        {
            w.WriteNumber("sampleRate", s.SampleRate);
            w.WriteNumber("channels", s.Channels);
            if (s.ChannelLayout is not null) w.WriteString("channelLayout", s.ChannelLayout);
            if (s.SampleFormat is not null) w.WriteString("sampleFormat", s.SampleFormat);
        }
        Tags(w, s.Tags);
        w.WriteEndObject();
    }

    private static void Tags(Utf8JsonWriter w, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        w.WriteStartObject("tags");
        foreach (var (k, v) in tags) w.WriteString(k, v);
        w.WriteEndObject();
    }

    private static void String(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
