using System.Diagnostics;
using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// A pass-through re-encode at the input's own size hands the encoder the decoder's frames by reference
/// (<see cref="FrameProducer.ShareDecodedFrames"/>) instead of copying each into a picture of its own: the output must be
/// the one the copies give, and nothing of the decoded frame but its pixels may reach the encoder (its frame type would force
/// x264's).
/// </summary>
[NonParallelizable]
public class PassThroughShareTests : TempDirTest
{
    [Test]
    public void Encoding_the_decoders_frames_by_reference_makes_the_file_copies_make_and_leaves_the_frame_types_to_x264()
    {
        // An I frame every 7 frames and B frames: what the decoder's frames say of themselves (pict_type), which libx264
        // would take as forced frame types; and side-by-side frame packing, which the decoder gives as side data (stereo 3D)
        // and libx264 would write into the output as an SEI.
        var input = Path.Combine(_dir, "in.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=3", "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p",
            "-x264-params", "keyint=7:min-keyint=7:scenecut=0:bframes=2:frame-packing=3", input);
        Assert.That(KeyFrames(input), Is.GreaterThan(10), "the input has an I frame every 7 frames or so");

        using var scene = EngineApi.CompileScene("""{ "video": { "quality": "high" } }""", null, input);
        Assert.That(scene.Composition, Is.Not.Null.And.Property("PassThrough").True);
        Assert.That((scene.Width, scene.Height), Is.EqualTo((320, 240)), "encoded at the input's size: nothing to convert");
        // One x264 thread: the bit stream then depends on nothing but the pictures.
        var options = new JobOptions { EncoderThreads = 1 };
        string shared = Path.Combine(_dir, "shared.mp4"), copied = Path.Combine(_dir, "copied.mp4");
        try
        {
            FrameProducer.ShareDecodedFrames = true;
            new RenderJob(scene, shared, options).Run(new ProgressTracker(null, scene.FrameCount).Root, default);
            FrameProducer.ShareDecodedFrames = false;
            new RenderJob(scene, copied, options).Run(new ProgressTracker(null, scene.FrameCount).Root, default);
        }
        finally
        {
            FrameProducer.ShareDecodedFrames = true;
        }
        Assert.That(File.ReadAllBytes(shared), Is.EqualTo(File.ReadAllBytes(copied)), "the same encode");
        // The engine's keyframe interval (2 s at 30 fps: frames 0 and 60 of 90), not the input's I frames.
        Assert.That(KeyFrames(shared), Is.EqualTo(2));
    }

    [Test]
    public void A_source_that_needs_converting_is_still_converted_and_measured_in_flight()
    {
        // Non-square pixels: the picture is the displayed shape, scaled by the converter, never the decoded frame itself.
        var input = Path.Combine(_dir, "anamorphic.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=1", "-vf", "setsar=4/3", "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", input);
        using var scene = EngineApi.CompileScene("""{ "video": { "quality": "high" } }""", null, input);
        Assert.That(scene.Composition, Is.Not.Null.And.Property("PassThrough").True);
        var output = Path.Combine(_dir, "out.mp4");
        var probe = new InFlightQualityProbe(new QualityOptions { DistortedName = "outputPath", ReferenceName = "inputPath" });
        new RenderJob(scene, output, new JobOptions { Quality = probe }).Run(new ProgressTracker(null, scene.FrameCount).Root, default);
        TestContext.Out.WriteLine($"320x240 at 4:3 pixels encoded at {scene.Width}x{scene.Height}");
        Assert.That(scene.Width, Is.Not.EqualTo(320), "the output has square pixels: the decoded frame is scaled");
        Assert.That(probe.Result!.FramesCompared, Is.EqualTo(30));
        Assert.That(probe.Result.Ssim, Is.GreaterThan(0.9));
    }

    /// <summary>How many of the file's video packets are key frames (ffprobe).</summary>
    private static int KeyFrames(string file)
    {
        var psi = new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=flags", "-of", "csv=p=0", file])
        { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var lines = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        p.WaitForExit();
        Assert.That(lines, Has.Length.GreaterThan(0), $"ffprobe read no packet of {file}");
        return lines.Count(l => l.Contains('K'));
    }
}
