using System.Text.Json;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Scenes;
using ReelSpeed.Engine.Config;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// Writes results as camelCase JSON by hand (Utf8JsonWriter: no reflection, AOT-safe).
/// The field names are the public contract typed in types/results.d.ts.
/// </summary>
public static class ResultJson
{
    /// <summary>
    /// <c>x264Threads</c>: how libx264 ran its threads, <c>"slices"</c> (of one frame) or <c>"frames"</c> (the engine option
    /// x264Threads, or memoryLimitMb, decided it); written for libx264 only.
    /// </summary>
    public static void WriteX264Threads(Utf8JsonWriter w, string encoder, bool sliceThreads)
    {
        if (encoder == VideoEncoder.SoftwareEncoder(EncodeSettings.H264)) w.WriteString("x264Threads", sliceThreads ? "slices" : "frames");
    }

    /// <param name="notes">Job-level warnings added to the scene's (e.g. a size target the content did not need); nulls are skipped.</param>
    public static string Write(RenderResult r, params string?[] notes)
    {
        var scene = r.Scene;
        return JsonText.Build(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("success", true);
            w.WriteString("outputPath", r.OutputPath);
            w.WriteNumber("durationMs", Math.Round(r.DurationMs, 3));
            w.WriteNumber("fileSize", r.FileSize);
            w.WriteStartObject("metadata");
            w.WriteNumber("width", scene.Width);
            w.WriteNumber("height", scene.Height);
            w.WriteNumber("fps", scene.Fps);
            w.WriteString("frameRate", $"{scene.FrameRateNum}/{scene.FrameRateDen}");
            w.WriteNumber("frames", r.Frames);
            if (scene.Chat is { } chat) w.WriteString("template", chat.Template);
            w.WriteString("videoCodec", scene.Encode.Codec);
            w.WriteString("encoder", r.VideoEncoder);
            w.WriteBoolean("hardwareEncoder", VideoEncoder.IsHardwareEncoder(r.VideoEncoder));
            if (r.HardwareFallback is not null) w.WriteString("hardwareFallback", r.HardwareFallback);
            w.WriteString("rateControl", EncodeSettings.Mode(scene.Encode.RateControl));
            w.WriteNumber("crf", scene.Encode.Crf);
            if (scene.Encode.RateControl != RateControlMode.Crf) w.WriteNumber("bitrateKbps", scene.Encode.BitrateKbps);
            w.WriteString("preset", scene.Encode.Preset);
            if (r.SliceThreads is { } sliced) WriteX264Threads(w, r.VideoEncoder, sliced);
            w.WriteString("quality", scene.Encode.Quality);
            w.WriteString("audioCodec", AudioEncoder.CodecOf(r.AudioEncoder));
            w.WriteString("audioEncoder", r.AudioEncoder);
            w.WriteNumber("sampleRate", AudioPlan.SampleRate);
            w.WriteNumber("channels", AudioPlan.Channels);
            w.WriteBoolean("music", scene.Audio.MusicPath is not null);
            w.WriteNumber("audioBitrate", scene.Audio.BitRate);
            w.WriteStartObject("loudness");
            var levels = r.Audio;
            w.WriteNumber("targetLufs", scene.Audio.Mix.LoudnessTargetLufs);
            WriteLevel(w, "integratedLufs", levels?.IntegratedLufs);
            WriteLevel(w, "truePeakDbtp", levels?.TruePeakDbtp);
            WriteLevel(w, "sourceLufs", levels?.SourceLufs);
            WriteLevel(w, "gainDb", levels?.GainDb);
            w.WriteBoolean("normalized", levels?.GainDb is not null);
            w.WriteEndObject();
            w.WriteStartArray("timeline");
            foreach (var t in scene.Chat?.Timeline ?? [])
            {
                var b = scene.Chat!.Bubbles[t.Index];
                w.WriteStartObject();
                w.WriteNumber("index", t.Index);
                w.WriteString("sender", b.Sender == Config.Sender.Me ? "me" : "them");
                if (b.Name is not null) w.WriteString("name", b.Name);
                w.WriteNumber("startMs", Math.Round(t.StartMs, 3));
                w.WriteNumber("endMs", Math.Round(t.EndMs, 3));
                w.WriteNumber("holdMs", Math.Round(t.HoldMs, 3));
                w.WriteString("holdSource", t.Source switch { HoldSource.AudioDuration => "audioDuration", HoldSource.AudioClip => "audioClip", _ => "readingTime" });
                var voice = scene.Audio.Mix.Voices.FirstOrDefault(v => v.MessageIndex == t.Index);
                if (voice is not null) w.WriteString("audioFile", voice.Path);
                w.WriteBoolean("visible", t.StartMs < scene.DurationMs);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (scene.Composition is { } composition)
            {
                w.WriteStartArray("clips");
                foreach (var c in composition.Clips)
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", c.Index);
                    w.WriteString("file", c.Path);
                    w.WriteNumber("startMs", Math.Round(c.StartMs - composition.OffsetMs, 3));
                    w.WriteNumber("endMs", Math.Round(c.EndMs - composition.OffsetMs, 3));
                    w.WriteNumber("sourceStartMs", Math.Round(c.SourceStartMs, 3));
                    w.WriteNumber("rotation", c.Rotation);
                    w.WriteBoolean("audio", c.HasAudio);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (r.SizeTarget is { } size)
            {
                w.WriteStartObject("sizeTarget");
                w.WriteNumber("ceilingMb", size.CeilingMb);
                w.WriteString("action", size.Action);
                w.WriteNumber("firstEncodeBytes", size.FirstEncodeBytes);
                w.WriteNumber("encodes", size.Encodes);
                w.WriteEndObject();
            }
            w.WriteNumber("wallMs", Math.Round(r.WallMs, 1));
            w.WriteNumber("renderFps", Math.Round(r.Frames / Math.Max(1e-9, r.WallMs / 1000), 1));
            w.WriteNumber("reusedFrames", r.ReusedFrames);
            WriteStages(w, r.Stages);
            WriteWarnings(w, [.. scene.Warnings, .. notes.OfType<string>()]);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>The getVideoMetadata JSON; see <see cref="MediaInfoJson"/>.</summary>
    public static string Write(MediaInfo info) => JsonText.Build(w => MediaInfoJson.Write(w, info));

    /// <summary>A level in dB/LUFS rounded to 0.01; null for silence (-∞) or when not measured.</summary>
    private static void WriteLevel(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, 2));
        else w.WriteNull(name);
    }

    /// <summary>The <c>stages</c> object of a render's or a chunk's result: where the wall time went.</summary>
    internal static void WriteStages(Utf8JsonWriter w, StageTimes stages)
    {
        w.WriteStartObject("stages");
        w.WriteNumber("renderMs", stages.RenderMs);
        w.WriteNumber("convertMs", stages.ConvertMs);
        w.WriteNumber("encodeMs", stages.EncodeMs);
        w.WriteNumber("audioMs", stages.AudioMs);
        w.WriteNumber("muxMs", stages.MuxMs);
        w.WriteEndObject();
    }

    internal static void WriteWarnings(Utf8JsonWriter w, IReadOnlyList<string> warnings)
    {
        w.WriteStartArray("warnings");
        foreach (var s in warnings) w.WriteStringValue(s);
        w.WriteEndArray();
    }
}
