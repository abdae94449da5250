using NUnit.Framework;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>Reusing a still frame must give exactly the video full re-rendering gives.</summary>
[NonParallelizable]
public class FrameReuseTests
{
    [Test]
    public void Frames_with_equal_state_render_identically()
    {
        using var scene = TestSupport.Scene(Render.TemplateGoldenTests.TemplateStory("whatsapp", "360x640"));
        using var renderer = new FrameRenderer(scene);
        var prev = new List<double>();
        var cur = new List<double>();
        int equalPairs = 0;
        for (int f = 1; f < 200; f += 1)
        {
            renderer.CaptureState(scene.FrameTimeMs(f - 1), prev);
            renderer.CaptureState(scene.FrameTimeMs(f), cur);
            if (!prev.SequenceEqual(cur)) continue;
            equalPairs++;
            if (equalPairs % 10 != 1) continue; // pixel-compare a sample of them
            using var a = renderer.RenderImage(scene.FrameTimeMs(f - 1));
            using var b = renderer.RenderImage(scene.FrameTimeMs(f));
            using var pa = a.PeekPixels();
            using var pb = b.PeekPixels();
            Assert.That(pa.GetPixelSpan().SequenceEqual(pb.GetPixelSpan()), Is.True, $"frames {f - 1} and {f}");
        }
        Assert.That(equalPairs, Is.GreaterThan(50), "a story holds still most of the time");
    }

    [Test]
    public void A_video_rendered_with_frame_reuse_equals_one_fully_rerendered()
    {
        var dir = TestSupport.TempDir();
        try
        {
            var json = Render.TemplateGoldenTests.TemplateStory("imessage", "360x640").Replace("\"fps\": 30", "\"fps\": 30, \"duration\": 5");
            using var scene = TestSupport.Scene(json);
            RenderResult reused, full;
            try
            {
                RenderJob.ReuseStaticFrames = true;
                reused = RenderJob.Run(scene, Path.Combine(dir, "reused.mp4"));
                RenderJob.ReuseStaticFrames = false;
                full = RenderJob.Run(scene, Path.Combine(dir, "full.mp4"));
            }
            finally
            {
                RenderJob.ReuseStaticFrames = true;
            }
            Assert.That(reused.ReusedFrames, Is.GreaterThan(30));
            Assert.That(full.ReusedFrames, Is.Zero);
            string Md5s(string file)
            {
                var md5 = Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".md5");
                TestSupport.Ffmpeg("-i", file, "-map", "0:v", "-f", "framemd5", md5);
                return string.Join('\n', File.ReadLines(md5).Where(l => !l.StartsWith('#')));
            }
            Assert.That(Md5s(reused.OutputPath), Is.EqualTo(Md5s(full.OutputPath)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
