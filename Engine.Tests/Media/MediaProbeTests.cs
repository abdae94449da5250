using System.Globalization;
using System.Text.Json;
using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// getVideoMetadata's probe against ffprobe on real files of every family the engine reads
/// (H.264/AAC MP4, 10-bit HEVC PQ/HLG, VP9/Opus WebM, AV1 MKV, ProRes MOV, anamorphic,
/// rotated, chapters and 5.1, MP3 with cover art, PNG), made by the ffmpeg CLI once per run.
/// </summary>
public class MediaProbeTests
{
    private string _dir = "";

    [OneTimeSetUp]
    public void MakeFixtures()
    {
        _dir = TestSupport.TempDir();
        ProbeFixtures.MakeAll(_dir);
    }

    [OneTimeTearDown]
    public void RemoveFixtures() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    public static IEnumerable<string> FixtureNames() =>
        ProbeFixtures.All.Select(f => f.Name).Concat(new[] { "chapters_51.mp4", "marker.mp4", "cw90.mp4", "cw180.mp4", "cw270.mp4" });

    // ---- every field against ffprobe ------------------------------------------------------

    [TestCaseSource(nameof(FixtureNames))]
    public void Every_field_matches_ffprobe(string name)
    {
        var path = F(name);
        var info = MediaProbe.Probe(path);
        var probe = ProbeFixtures.Ffprobe(path);
        var format = probe.GetProperty("format");
        Assert.Multiple(() =>
        {
            Assert.That(info.Container, Is.EqualTo(Str(format, "format_name")), "container");
            Assert.That(info.ContainerLongName, Is.EqualTo(Str(format, "format_long_name")), "long name");
            Assert.That(info.DurationSeconds, Is.EqualTo(Num(format, "duration") ?? 0).Within(1e-6), "duration");
            Assert.That(info.StartTimeSeconds, Is.EqualTo(Num(format, "start_time")).Within(1e-6), "start time");
            Assert.That(info.Size, Is.EqualTo((long)Num(format, "size")!.Value), "size");
            Assert.That(info.BitRate, Is.EqualTo((long)(Num(format, "bit_rate") ?? 0)), "format bit rate");
            Assert.That(info.Streams, Has.Count.EqualTo(format.GetProperty("nb_streams").GetInt32()), "stream count");
            Assert.That(Map(info.Tags), Is.EquivalentTo(Tags(format)), "format tags");
            var chapters = probe.GetProperty("chapters").EnumerateArray().ToList();
            Assert.That(info.Chapters, Has.Count.EqualTo(chapters.Count), "chapters");
            for (int i = 0; i < chapters.Count && i < info.Chapters.Count; i++)
            {
                Assert.That(info.Chapters[i].Start, Is.EqualTo(Num(chapters[i], "start_time")).Within(1e-6));
                Assert.That(info.Chapters[i].End, Is.EqualTo(Num(chapters[i], "end_time")).Within(1e-6));
                Assert.That(info.Chapters[i].Title, Is.EqualTo(Tags(chapters[i]).GetValueOrDefault("title")));
            }
            var counts = info.StreamCounts;
            Assert.That(counts.Video + counts.Audio + counts.Subtitle + counts.Data + counts.Attachment + counts.Other, Is.EqualTo(info.Streams.Count));

            var streams = probe.GetProperty("streams").EnumerateArray().ToList();
            for (int i = 0; i < streams.Count && i < info.Streams.Count; i++) CompareStream(path, info.Streams[i], streams[i]);
        });
    }

    private static void CompareStream(string path, StreamInfo s, JsonElement p)
    {
        string at = $"stream {s.Index}";
        Assert.That(s.Index, Is.EqualTo(p.GetProperty("index").GetInt32()), at);
        Assert.That(s.Type, Is.EqualTo(Str(p, "codec_type")), at + " type");
        Assert.That(s.Codec, Is.EqualTo(Str(p, "codec_name")), at + " codec");
        Assert.That(s.Profile, Is.EqualTo(Str(p, "profile")), at + " profile");
        Assert.That(s.BitRate, Is.EqualTo((long)(Num(p, "bit_rate") ?? 0)), at + " bit rate");
        Assert.That(s.DurationSeconds, Is.EqualTo(Num(p, "duration") ?? 0).Within(1e-6), at + " duration");
        Assert.That(Map(s.Tags), Is.EquivalentTo(Tags(p)), at + " tags");
        Assert.That(s.Language, Is.EqualTo(Tags(p).GetValueOrDefault("language")), at + " language");
        var disposition = p.GetProperty("disposition");
        Assert.That(s.IsDefault, Is.EqualTo(disposition.GetProperty("default").GetInt32() == 1), at + " default");
        Assert.That(s.AttachedPic, Is.EqualTo(disposition.GetProperty("attached_pic").GetInt32() == 1), at + " attached pic");
        if (Num(p, "nb_frames") is { } frames)
            Assert.That(s.Frames, Is.EqualTo((long)frames), at + " frames");
        else if (s.Type == "video" && !s.StillImage)
            Assert.That(s.Frames, Is.EqualTo(ProbeFixtures.FfprobePacketCount(path, s.Index)), at + " frames counted (the whole short file was read)");

        if (s.Type == "video")
        {
            Assert.That(s.Width, Is.EqualTo(p.GetProperty("width").GetInt32()), at + " width");
            Assert.That(s.Height, Is.EqualTo(p.GetProperty("height").GetInt32()), at + " height");
            Assert.That(s.PixelFormat, Is.EqualTo(Str(p, "pix_fmt")), at + " pixel format");
            int level = p.GetProperty("level").GetInt32();
            Assert.That(s.Level, Is.EqualTo(level == -99 ? null : level), at + " level");
            Assert.That(s.ColorRange, Is.EqualTo(Str(p, "color_range")), at + " range");
            Assert.That(s.ColorSpace, Is.EqualTo(Str(p, "color_space")), at + " space");
            Assert.That(s.ColorTransfer, Is.EqualTo(Str(p, "color_transfer")), at + " transfer");
            Assert.That(s.ColorPrimaries, Is.EqualTo(Str(p, "color_primaries")), at + " primaries");
            string? chroma = Str(p, "chroma_location");
            Assert.That(s.ChromaLocation, Is.EqualTo(chroma == "unspecified" ? null : chroma), at + " chroma location");
            Assert.That(s.SampleAspectRatio, Is.EqualTo(Str(p, "sample_aspect_ratio")), at + " SAR");
            Assert.That(s.DisplayAspectRatio, Is.EqualTo(Str(p, "display_aspect_ratio")), at + " DAR");
            Assert.That(s.AvgFrameRate, Is.EqualTo(Rational(Str(p, "avg_frame_rate"))).Within(1e-6), at + " avg frame rate");
            Assert.That(s.NominalFrameRate, Is.EqualTo(Rational(Str(p, "r_frame_rate"))).Within(1e-6), at + " nominal frame rate");
            if (Num(p, "bits_per_raw_sample") is { } bits) Assert.That(s.BitDepth, Is.EqualTo((int)bits), at + " bit depth");
            double? ccw = null;
            if (p.TryGetProperty("side_data_list", out var sides))
                foreach (var sd in sides.EnumerateArray())
                    if (sd.TryGetProperty("rotation", out var r)) ccw = r.GetDouble();
            Assert.That(s.Rotation, Is.EqualTo(ccw is { } c ? (int)((360 - c) % 360) : 0), at + " rotation (ffprobe's is counterclockwise)");
        }
        else if (s.Type == "audio")
        {
            Assert.That(s.SampleRate, Is.EqualTo((int)Num(p, "sample_rate")!.Value), at + " sample rate");
            Assert.That(s.Channels, Is.EqualTo(p.GetProperty("channels").GetInt32()), at + " channels");
            Assert.That(s.ChannelLayout, Is.EqualTo(Str(p, "channel_layout")), at + " channel layout");
            Assert.That(s.SampleFormat, Is.EqualTo(Str(p, "sample_fmt")), at + " sample format");
        }
    }

    // ---- video facts ------------------------------------------------------------------------

    [TestCase("marker.mp4", 0)]
    [TestCase("cw90.mp4", 90)]
    [TestCase("cw180.mp4", 180)]
    [TestCase("cw270.mp4", 270)]
    public void Rotation_is_the_clockwise_turn_ffmpeg_applies_when_showing_the_clip(string name, int expected)
    {
        var path = F(name);
        var v = MediaProbe.Probe(path).Streams.Single();
        Assert.That(v.Rotation, Is.EqualTo(expected));
        Assert.That((v.Width, v.Height), Is.EqualTo((64, 48)), "stored size is unchanged");
        var (w, h) = expected is 90 or 270 ? (48, 64) : (64, 48);
        Assert.That((v.DisplayWidth, v.DisplayHeight), Is.EqualTo((w, h)));

        // ffmpeg autorotates the first frame; it must have our display size and show the marker
        // (the stored picture's top-left corner) where a clockwise turn by `rotation` puts it.
        var shown = ProbeFixtures.ShownFrame(path);
        Assert.That(shown, Has.Length.EqualTo(w * h), "ffmpeg shows the frame at displayWidth x displayHeight");
        byte Corner(bool right, bool bottom) => shown[(bottom ? h - 5 : 4) * w + (right ? w - 5 : 4)];
        var corners = new[] { Corner(false, false), Corner(true, false), Corner(true, true), Corner(false, true) }; // TL, TR, BR, BL: clockwise
        int lit = expected / 90;
        for (int i = 0; i < 4; i++)
            Assert.That(corners[i], i == lit ? Is.GreaterThan(200) : Is.LessThan(50), $"corner {i} (0 = top-left, clockwise)");
    }

    [Test]
    public void Ten_bit_hevc_with_pq_transfer_is_hdr()
    {
        var v = MediaProbe.Probe(F("hevc_pq.mp4")).Streams.Single();
        Assert.Multiple(() =>
        {
            Assert.That(v.Codec, Is.EqualTo("hevc"));
            Assert.That(v.Profile, Is.EqualTo("Main 10"));
            Assert.That(v.PixelFormat, Is.EqualTo("yuv420p10le"));
            Assert.That(v.BitDepth, Is.EqualTo(10));
            Assert.That(v.ColorTransfer, Is.EqualTo("smpte2084"));
            Assert.That(v.ColorPrimaries, Is.EqualTo("bt2020"));
            Assert.That(v.ColorSpace, Is.EqualTo("bt2020nc"));
            Assert.That(v.ColorRange, Is.EqualTo("tv"));
            Assert.That(v.Hdr, Is.True);
            Assert.That(v.MasteringDisplay, Is.Null);
            Assert.That(v.ContentLightLevel, Is.Null);
        });
    }

    [Test]
    public void Hlg_transfer_is_hdr_and_bt709_is_not()
    {
        var hlg = MediaProbe.Probe(F("hevc_hlg.mkv")).Streams.Single();
        Assert.That((hlg.ColorTransfer, hlg.Hdr, hlg.BitDepth), Is.EqualTo(("arib-std-b67", true, 10)));
        var sdr = MediaProbe.Probe(F("hevc_sdr.mp4")).Streams.Single();
        Assert.That((sdr.ColorTransfer, sdr.ColorPrimaries, sdr.Hdr, sdr.BitDepth), Is.EqualTo(("bt709", "bt709", false, 8)));
    }

    [Test]
    public void Mastering_display_and_content_light_side_data_mark_a_stream_hdr()
    {
        // An SDR-tagged file given 'mdcv' (1000 / 0.005 cd/m²) and 'clli' (MaxCLL 1000, MaxFALL 400) boxes.
        var path = F("hevc_sdr_hdrboxes.mp4");
        File.Copy(F("hevc_sdr.mp4"), path, overwrite: true);
        var mdcv = new byte[24];
        ushort[] chroma = { 13250, 34500, 7500, 3000, 34000, 16000, 15635, 16450 }; // BT.2020 primaries, D65 (units of 0.00002)
        for (int i = 0; i < chroma.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(mdcv.AsSpan(i * 2), chroma[i]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(mdcv.AsSpan(16), 1000 * 10000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(mdcv.AsSpan(20), 50);
        ProbeFixtures.AddToFirstSampleEntry(path, ProbeFixtures.Box("mdcv", mdcv).Concat(ProbeFixtures.Box("clli", 1000, 400)).ToArray());

        var v = MediaProbe.Probe(path).Streams.Single();
        Assert.That(v.ColorTransfer, Is.EqualTo("bt709"));
        Assert.That(v.Hdr, Is.True, "side data alone makes it HDR");
        Assert.That(v.ContentLightLevel, Is.EqualTo(new ContentLightLevel(1000, 400)));
        Assert.That(v.MasteringDisplay, Is.EqualTo(new MasteringDisplay(0.005, 1000)));

        // ffprobe reads the same side data back.
        var sides = ProbeFixtures.Ffprobe(path).GetProperty("streams")[0].GetProperty("side_data_list").EnumerateArray().ToList();
        var light = sides.Single(sd => sd.GetProperty("side_data_type").GetString() == "Content light level metadata");
        Assert.That((light.GetProperty("max_content").GetInt32(), light.GetProperty("max_average").GetInt32()), Is.EqualTo((1000, 400)));
        var mastering = sides.Single(sd => sd.GetProperty("side_data_type").GetString() == "Mastering display metadata");
        Assert.That(Rational(mastering.GetProperty("max_luminance").GetString()), Is.EqualTo(1000));
        Assert.That(Rational(mastering.GetProperty("min_luminance").GetString()), Is.EqualTo(0.005).Within(1e-9));
    }

    [Test]
    public void Vp9_webm_av1_mkv_and_prores_mov_report_codec_profile_and_depth()
    {
        var vp9 = MediaProbe.Probe(F("vp9_opus.webm"));
        Assert.That(vp9.Container, Is.EqualTo("matroska,webm"));
        var v = vp9.Streams.Single(s => s.Type == "video");
        var a = vp9.Streams.Single(s => s.Type == "audio");
        Assert.That((v.Codec, v.Profile, v.BitDepth, v.Frames), Is.EqualTo(("vp9", "Profile 0", 8, 25L)));
        Assert.That((a.Codec, a.Language, a.SampleRate, a.BitRate), Is.EqualTo(("opus", "deu", 48000, 0L)), "WebM gives no audio bit rate: 0");

        var av1 = MediaProbe.Probe(F("av1.mkv")).Streams.Single();
        Assert.That((av1.Codec, av1.Profile, av1.BitDepth, av1.Frames), Is.EqualTo(("av1", "Main", 8, 10L)));

        var prores = MediaProbe.Probe(F("prores.mov"));
        var p = prores.Streams.Single();
        Assert.That(prores.Tags.Single(t => t.Key == "major_brand").Value, Is.EqualTo("qt  "));
        Assert.That((p.Codec, p.Profile, p.PixelFormat, p.BitDepth), Is.EqualTo(("prores", "HQ", "yuv422p10le", 10)));
        Assert.That(p.KeyframeInterval!.Frames, Is.EqualTo(1), "ProRes is intra-only: every frame a keyframe");
    }

    [Test]
    public void Anamorphic_pixels_give_the_shown_width_and_an_ntsc_rate_is_kept_exact()
    {
        var v = MediaProbe.Probe(F("anamorphic.mp4")).Streams.Single();
        Assert.That((v.SampleAspectRatio, v.DisplayAspectRatio), Is.EqualTo(("4:3", "16:9")));
        Assert.That((v.DisplayWidth, v.DisplayHeight), Is.EqualTo((85, 48)), "64 x 4/3 = 85.3 wide on screen");
        Assert.That(v.AvgFrameRate, Is.EqualTo(24000.0 / 1001).Within(1e-6));
        Assert.That(v.NominalFrameRate, Is.EqualTo(24000.0 / 1001).Within(1e-6));
        Assert.That(v.Fps, Is.EqualTo(23.976));
    }

    // ---- container facts --------------------------------------------------------------------

    [Test]
    public void Chapters_title_creation_time_and_surround_audio_are_reported()
    {
        var info = MediaProbe.Probe(F("chapters_51.mp4"));
        Assert.Multiple(() =>
        {
            Assert.That(info.Title, Is.EqualTo("My Story"));
            Assert.That(info.CreationTime, Is.EqualTo("2024-05-06T07:08:09.000000Z"));
            Assert.That(info.Encoder, Does.StartWith("Lavf"));
            Assert.That(info.Tags.Select(t => t.Key), Is.SupersetOf(new[] { "major_brand", "compatible_brands", "title", "creation_time", "encoder" }));
            Assert.That(info.Chapters.Select(c => (c.Title, c.Start, c.End)), Is.EqualTo(new[] { ("Intro", 0.0, 0.5), ("Main", 0.5, 1.0) }));
            // MP4 stores chapters as a text track: a data stream.
            Assert.That(info.StreamCounts, Is.EqualTo(new StreamCounts(1, 1, 0, 1, 0, 0)));
            Assert.That(info.StartTimeSeconds, Is.EqualTo(0));
            var a = info.Streams.Single(s => s.Type == "audio");
            Assert.That((a.Channels, a.ChannelLayout, a.Language), Is.EqualTo((6, "5.1", "fra")));
            Assert.That(a.BitRate, Is.GreaterThan(50_000));
        });
    }

    [Test]
    public void An_mp3_with_cover_art_is_audio_and_a_png_is_an_image()
    {
        var mp3 = MediaProbe.Probe(F("tone.mp3"));
        Assert.That(mp3.Kind, Is.EqualTo("audio"));
        Assert.That(mp3.Title, Is.EqualTo("Tone"));
        var cover = mp3.Streams.Single(s => s.Type == "video");
        Assert.That((cover.AttachedPic, cover.StillImage, cover.Codec), Is.EqualTo((true, true, "mjpeg")));
        Assert.That(cover.KeyframeInterval, Is.Null, "no keyframe spacing for a picture");

        var png = MediaProbe.Probe(F("still.png"));
        Assert.That((png.Kind, png.Container, png.DurationSeconds), Is.EqualTo(("image", "png_pipe", 0.0)));
        var p = png.Streams.Single();
        Assert.That((p.Codec, p.Width, p.Height, p.StillImage, p.BitDepth), Is.EqualTo(("png", 64, 48, true, 8)));

        Assert.That(MediaProbe.Probe(F("h264_aac.mp4")).Kind, Is.EqualTo("video"));
    }

    // ---- keyframe interval --------------------------------------------------------------------

    [Test]
    public void Keyframe_interval_is_the_gop_read_from_packet_headers()
    {
        // -g 10 without scene cuts: a keyframe every 10 frames (1/3 s at 30 fps) for 2 s.
        var v = MediaProbe.Probe(F("h264_aac.mp4")).Streams.Single(s => s.Type == "video");
        Assert.That(v.KeyframeInterval, Is.EqualTo(new KeyframeInterval(10, 0.333333, 6, 60, 2, Complete: true)));
        var vp9 = MediaProbe.Probe(F("vp9_opus.webm")).Streams.Single(s => s.Type == "video");
        Assert.That((vp9.KeyframeInterval!.Frames, vp9.KeyframeInterval.Seconds), Is.EqualTo((5.0, 0.2)));
    }

    [Test]
    public void A_long_file_is_sampled_only_at_its_start()
    {
        // 20 minutes (600 copies of the 2 s clip, stream-copied: quick to make, 36 000 frames).
        var mp4 = F("long.mp4");
        var mkv = F("long.mkv");
        TestSupport.Ffmpeg("-stream_loop", "599", "-i", F("h264_aac.mp4"), "-map", "0:v", "-c", "copy", mp4);
        TestSupport.Ffmpeg("-i", mp4, "-c", "copy", mkv);
        try
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var info = MediaProbe.Probe(mp4);
            TestContext.Out.WriteLine($"probe of a 20-minute MP4: {sw.ElapsedMilliseconds} ms");
            Assert.That(info.DurationSeconds, Is.EqualTo(1200).Within(0.1));
            var v = info.Streams.Single();
            Assert.That(v.Frames, Is.EqualTo(36_000), "MP4 knows its frame count");
            var k = v.KeyframeInterval!;
            Assert.That(k.Complete, Is.False);
            Assert.That(k.SampledSeconds, Is.InRange(KeyframeScan.MaxSeconds, KeyframeScan.MaxSeconds + 0.1));
            Assert.That(k.SampledFrames, Is.LessThanOrEqualTo(KeyframeScan.MaxVideoPackets));
            Assert.That((k.Frames, k.Seconds), Is.EqualTo((10.0, 0.333333)));

            var fromMkv = MediaProbe.Probe(mkv).Streams.Single();
            Assert.That(fromMkv.Frames, Is.Zero, "Matroska has no frame count, and the probe does not read 20 minutes to count");
            Assert.That(fromMkv.KeyframeInterval!.Frames, Is.EqualTo(10));
        }
        finally
        {
            File.Delete(mp4);
            File.Delete(mkv);
        }
    }

    [Test]
    public void A_huge_file_is_probed_without_reading_it()
    {
        // A faststart MP4 followed by 8 GiB of (sparse) zeros: probing reads headers and the
        // first seconds only.
        var path = F("huge.mp4");
        TestSupport.Ffmpeg("-i", F("h264_aac.mp4"), "-c", "copy", "-movflags", "+faststart", path);
        using (var fs = new FileStream(path, FileMode.Open)) fs.SetLength(fs.Length + (8L << 30));
        try
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var info = MediaProbe.Probe(path);
            TestContext.Out.WriteLine($"probe of an 8 GiB file: {sw.ElapsedMilliseconds} ms");
            Assert.That(info.Size, Is.GreaterThan(8L << 30));
            Assert.That(info.Streams.Single(s => s.Type == "video").Frames, Is.EqualTo(60));
            Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "no full read of the file");
        }
        finally
        {
            File.Delete(path);
        }
    }

    // ---- JSON --------------------------------------------------------------------------------

    [Test]
    public void The_json_has_every_documented_field()
    {
        var json = JsonDocument.Parse(ResultJson.Write(MediaProbe.Probe(F("chapters_51.mp4")))).RootElement;
        Assert.That(json.GetProperty("kind").GetString(), Is.EqualTo("video"));
        Assert.That(json.GetProperty("title").GetString(), Is.EqualTo("My Story"));
        Assert.That(json.GetProperty("tags").GetProperty("major_brand").GetString(), Is.EqualTo("isom"));
        Assert.That(json.GetProperty("chapterCount").GetInt32(), Is.EqualTo(2));
        Assert.That(json.GetProperty("chapters")[1].GetProperty("title").GetString(), Is.EqualTo("Main"));
        Assert.That(json.GetProperty("streamCounts").GetProperty("data").GetInt32(), Is.EqualTo(1));
        var video = json.GetProperty("streams")[0];
        foreach (var key in new[] { "rotation", "displayWidth", "displayHeight", "bitDepth", "level", "avgFrameRate", "nominalFrameRate",
                     "colorRange", "colorSpace", "colorTransfer", "colorPrimaries", "hdr", "masteringDisplay", "contentLightLevel", "frames" })
            Assert.That(video.TryGetProperty(key, out _), key);
        var k = video.GetProperty("keyframeInterval");
        Assert.That(k.GetProperty("estimate").GetBoolean(), Is.True);
        Assert.That(k.GetProperty("sampledFrames").GetInt32(), Is.EqualTo(30));
        Assert.That(k.GetProperty("complete").GetBoolean(), Is.True);
        // x264's default GOP (250) is longer than this 1 s clip: one keyframe, no spacing to measure.
        Assert.That(k.GetProperty("keyframes").GetInt32(), Is.EqualTo(1));
        Assert.That(k.GetProperty("frames").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var audio = json.GetProperty("streams")[1];
        Assert.That(audio.GetProperty("language").GetString(), Is.EqualTo("fra"));
        Assert.That(audio.GetProperty("channelLayout").GetString(), Is.EqualTo("5.1"));
        Assert.That(audio.GetProperty("bitRate").GetInt64(), Is.GreaterThan(0));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ToString() : null;

    private static double? Num(JsonElement e, string name) =>
        Str(e, name) is { } s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    private static double? Rational(string? s)
    {
        if (s is null) return null;
        var parts = s.Split('/');
        double n = double.Parse(parts[0], CultureInfo.InvariantCulture), d = double.Parse(parts[1], CultureInfo.InvariantCulture);
        return n > 0 && d > 0 ? n / d : null;
    }

    private static Dictionary<string, string> Tags(JsonElement e) =>
        e.TryGetProperty("tags", out var t) ? t.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!) : new();

    private static Dictionary<string, string> Map(IReadOnlyList<KeyValuePair<string, string>> tags) => tags.ToDictionary(t => t.Key, t => t.Value);
}
