using System.Diagnostics;
using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// A pass-through re-encode at the input's own size hands the encoder the decoder's frames by reference
/// (<see cref="FrameProducer.ShareDecodedFrames"/>) instead of copying each into a picture of its own. The encoder must get
/// the pictures the copies give: the same pixels, and nothing else of the decoded frame (its frame type would force x264's,
/// its side data would become SEI). What the encoder is handed is compared, not the files: this libx264's output depends on
/// what its heap held before (weighted prediction reads memory it never wrote), so two encodes of the same pictures in one
/// process may differ.
/// </summary>
[NonParallelizable]
public class PassThroughShareTests : TempDirTest
{
    /// <summary>
    /// 3 s of 320x240: an I frame every 7 frames and B frames (what each decoded frame says of itself, pict_type), side-by-side
    /// frame packing (side data: stereo 3D), a limited-range BT.709 colour description (the decoded frames' colour fields).
    /// </summary>
    private string Input(string extraFilter = "")
    {
        var input = Path.Combine(_dir, "in.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=3" + extraFilter, "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p",
            "-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
            "-x264-params", "keyint=7:min-keyint=7:scenecut=0:bframes=2:frame-packing=3", input);
        return input;
    }

    [Test]
    public void The_encoder_is_handed_the_decoders_frame_with_the_properties_of_a_converted_picture()
    {
        using var plain = EngineApi.CompileScene("""{ "video": { "quality": "high" } }""", null, Input());
        using var scene = TwoPass(plain);
        Assert.That(scene.Composition, Is.Not.Null.And.Property("PassThrough").True);
        Assert.That((scene.Width, scene.Height), Is.EqualTo((320, 240)), "encoded at the input's size: nothing to convert");

        var shared = Pictures(scene, share: true);
        var copied = Pictures(scene, share: false);
        Assert.That(shared.Records, Has.Count.EqualTo(90));
        Assert.That(shared.Records.All(r => r.Shared), Is.True, "each picture is the decoded frame itself");
        Assert.That(copied.Records.Any(r => r.Shared), Is.False, "with sharing off, each is a copy");
        // The same pixels, and the same properties as the converter's pictures: a new frame's.
        Assert.That(shared.Records.Select(r => (r.Hash, r.Props)), Is.EqualTo(copied.Records.Select(r => (r.Hash, r.Props))));
        Assert.That(shared.Records[0].Props, Is.EqualTo(new Props(PictType: 0, KeyFrame: 1, SideData: 0, ColorRange: 0, Colorspace: 2, Metadata: false)));
        // ...where the decoded frames said otherwise (so the test exercises each field).
        Assert.That(shared.Sources.Count(p => p.PictType == 1), Is.GreaterThan(10), "I frames");
        Assert.That(shared.Sources.Any(p => p.PictType == 3), Is.True, "B frames");
        Assert.That(shared.Sources.Count(p => p.SideData > 0), Is.GreaterThan(10), "stereo 3D side data (with each I frame)");
        Assert.That(shared.Sources.All(p => p.ColorRange == 1 && p.Colorspace == 1), Is.True, "limited-range BT.709");
    }

    [Test]
    public void The_output_has_the_engines_keyframes_and_none_of_the_inputs_side_data()
    {
        var input = Input();
        using var scene = EngineApi.CompileScene("""{ "video": { "quality": "high" } }""", null, input);
        Assert.That(KeyFrames(input), Is.GreaterThan(10), "the input has an I frame every 7 frames or so");
        Assert.That(StereoFrames(input), Is.GreaterThan(10), "the input's I frames carry stereo 3D side data");
        var output = Path.Combine(_dir, "out.mp4");
        new RenderJob(scene, output).Run(new ProgressTracker(null, scene.FrameCount).Root, default);
        // The engine's keyframe interval (2 s at 30 fps: frames 0 and 60 of 90), not the input's I frames.
        Assert.That(KeyFrames(output), Is.EqualTo(2));
        Assert.That(StereoFrames(output), Is.Zero);
    }

    [Test]
    public void Non_square_pixels_at_the_inputs_own_size_are_converted()
    {
        // 320x240 at 4:3 pixels shown in a 320x240 box: the picture is the cover crop of the displayed shape, not the frame.
        using var plain = EngineApi.CompileScene("""{ "video": { "width": 320, "height": 240 } }""", null, Input(",setsar=4/3"));
        using var scene = TwoPass(plain);
        Assert.That((scene.Width, scene.Height), Is.EqualTo((320, 240)));
        var pictures = Pictures(scene, share: true);
        Assert.That(pictures.Records, Has.Count.EqualTo(90));
        Assert.That(pictures.Records.Any(r => r.Shared), Is.False);
    }

    private static Scene TwoPass(Scene plain) => plain.WithEncode(plain.Encode with { RateControl = RateControlMode.TwoPass, BitrateKbps = 300 });

    /// <summary>A first pass over the scene (measured in flight, so the tap sees each picture's decoded source), recorded.</summary>
    private Recorder Pictures(Scene scene, bool share)
    {
        var recorder = new Recorder(scene.Width, scene.Height);
        var probe = new InFlightQualityProbe(new QualityOptions { DistortedName = "first pass", ReferenceName = "inputPath" });
        using var stats = TwoPassStats.Create(_dir);
        try
        {
            FrameProducer.ShareDecodedFrames = share;
            new RenderJob(scene, "", new JobOptions { Quality = probe }).RunFirstPass(stats, new ProgressTracker(null, scene.FrameCount).Root, default, tap: recorder);
        }
        finally
        {
            FrameProducer.ShareDecodedFrames = true;
        }
        return recorder;
    }

    private readonly record struct Props(int PictType, int KeyFrame, int SideData, int ColorRange, int Colorspace, bool Metadata);

    private sealed unsafe class Recorder(int width, int height) : IFrameTap
    {
        public List<(string Hash, Props Props, bool Shared)> Records { get; } = new();
        public List<Props> Sources { get; } = new();

        public void Frame(int frame, nint picture, nint source)
        {
            var hashes = new PictureHashes(width, height);
            hashes.Frame(frame, picture, source);
            bool shared = source != 0 && LibAv.Field<nint>(picture, AvLayout.Frame.Data) == LibAv.Field<nint>(source, AvLayout.Frame.Data);
            Records.Add((hashes.Hashes[0], Of(picture), shared));
            if (source != 0) Sources.Add(Of(source));
        }

        private static Props Of(nint f) => new(LibAv.Field<int>(f, AvLayout.Frame.PictType), LibAv.Field<int>(f, AvLayout.Frame.KeyFrame),
            LibAv.Field<int>(f, AvLayout.Frame.NbSideData), LibAv.Field<int>(f, AvLayout.Frame.ColorRange), LibAv.Field<int>(f, AvLayout.Frame.Colorspace),
            LibAv.Field<nint>(f, AvLayout.Frame.Metadata) != 0);
    }

    /// <summary>How many of the file's video packets are key frames (ffprobe).</summary>
    private static int KeyFrames(string file)
    {
        var lines = Probe(file, "-show_entries", "packet=flags", "-of", "csv=p=0").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.GreaterThan(0), $"ffprobe read no packet of {file}");
        return lines.Count(l => l.Contains('K'));
    }

    /// <summary>How many of the file's decoded video frames carry stereo 3D side data (frame packing; ffprobe).</summary>
    private static int StereoFrames(string file)
    {
        var lines = Probe(file, "-show_frames").Split('\n');
        Assert.That(lines.Count(l => l.Trim() == "[FRAME]"), Is.EqualTo(90), $"ffprobe's frames of {file}");
        return lines.Count(l => l.Trim() == "side_data_type=Stereo 3D");
    }

    /// <summary>What ffprobe prints of the file's video stream with these options.</summary>
    private static string Probe(string file, params string[] options)
    {
        var psi = new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "v:0", .. options, file])
        { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text;
    }
}
