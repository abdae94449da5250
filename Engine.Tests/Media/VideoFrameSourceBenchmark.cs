using System.Diagnostics;
using NUnit.Framework;
using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// Per-frame cost of a 1080p background video cover-fitted into a 1080x1920 frame, in
/// sequential (render-loop) access. A measurement, not an assertion: run it explicitly with
/// <c>dotnet test -c Release --filter "FullyQualifiedName~VideoFrameSourceBenchmark"</c>.
/// </summary>
[Explicit("measurement; takes ~20 s on 2 cores")]
public class VideoFrameSourceBenchmark
{
    [Test]
    public void Sequential_frame_cost_for_a_1080p_source_in_a_1080x1920_box()
    {
        var dir = TestSupport.TempDir();
        try
        {
            var path = Path.Combine(dir, "hd.mp4");
            TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=3", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", path);

            var open = Stopwatch.StartNew();
            using var source = new VideoFrameSource(path, "bg", 1080, 1920);
            open.Stop();
            for (int i = 0; i < 30; i++) source.FrameAt(i * 1000.0 / 30); // warm-up: JIT, decoder threads
            const int frames = 150; // 5 s of output: the 3 s clip loops once
            var run = Stopwatch.StartNew();
            for (int i = 30; i < 30 + frames; i++) source.FrameAt(i * 1000.0 / 30);
            run.Stop();

            // The decode share of that cost: the same frames through the decoder alone.
            using var decoder = new VideoDecoder(path, "bg");
            using var frame = ReelSpeed.Engine.Media.Native.AvFrameHandle.Alloc();
            var decodeOnly = Stopwatch.StartNew();
            int decoded = 0;
            while (decoder.ReadFrame(frame, out _)) decoded++;
            decodeOnly.Stop();

            TestContext.Out.WriteLine($"open (incl. packet scan and first frame): {open.Elapsed.TotalMilliseconds:0.0} ms");
            TestContext.Out.WriteLine($"decode only: {decodeOnly.Elapsed.TotalMilliseconds / decoded:0.00} ms/frame over {decoded} frames");
            TestContext.Out.WriteLine($"FrameAt 1920x1080 H.264 -> 1080x1920 box, sequential: {run.Elapsed.TotalMilliseconds / frames:0.00} ms/frame over {frames} frames ({Environment.ProcessorCount} cores)");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
