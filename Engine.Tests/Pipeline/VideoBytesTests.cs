using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Pipeline;

namespace ReelSpeed.Engine.Tests.Pipeline;

/// <summary>
/// A render counts the bytes of the video packets it writes (<see cref="RenderResult.VideoBytes"/>): what the bit rate
/// bought, which optimizeVideo's samples compare with the rate they asked for (<see cref="SizeSampling.RateFactor"/>).
/// </summary>
[TestFixture]
public class VideoBytesTests : TempDirTest
{
    private static long ProbedVideoBytes(string file)
    {
        var p = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries", "packet=size", "-of", "csv=p=0", file])
            { RedirectStandardOutput = true })!;
        long sum = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Sum(l => long.Parse(l.Trim().TrimEnd(',')));
        p.WaitForExit();
        return sum;
    }

    [Test]
    public void The_video_bytes_are_the_files_video_packets()
    {
        var input = Path.Combine(_dir, "in.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
            "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", input);
        using var scene = EngineApi.CompileScene("""{ "video": { "quality": "high" } }""", null, input);
        string output = Path.Combine(_dir, "out.mp4");
        var result = new RenderJob(scene, output).Run(new ProgressTracker(null, scene.FrameCount).Root, default);
        long probed = ProbedVideoBytes(output);
        TestContext.Out.WriteLine($"{result.VideoBytes} video bytes counted, {probed} probed, {result.FileSize} in the file");
        // The MP4 muxer turns x264's Annex B start codes into 4-byte lengths: a 3-byte start code grows by one (1 byte of 89848).
        Assert.That(result.VideoBytes, Is.EqualTo(probed).Within(16));
        Assert.That(result.VideoBytes, Is.LessThan(result.FileSize), "without the audio and the tables");

        // Two passes in one job: only the second, the one written, counts.
        using var twoPass = scene.WithEncode(scene.Encode with { RateControl = RateControlMode.TwoPass, BitrateKbps = 300 });
        string output2 = Path.Combine(_dir, "two-pass.mp4");
        var result2 = new RenderJob(twoPass, output2).Run(new ProgressTracker(null, scene.FrameCount).Root, default);
        Assert.That(result2.VideoBytes, Is.EqualTo(ProbedVideoBytes(output2)).Within(16));
    }

    [Test]
    public void A_measured_decision_that_raises_the_rate_says_so_and_the_encode_asks_for_it()
    {
        // A turning test pattern, starved: the samples decide (a yuv422p input: the encode cannot score itself against it, so the
        // first passes do not), and x264's second pass on it falls short of its rate.
        var input = Path.Combine(_dir, "turning.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=540x960:r=30:d=6,hue=H=t*2,rotate=a=t/2:fillcolor=black", "-c:v", "libx264", "-crf", "10",
            "-preset", "ultrafast", "-pix_fmt", "yuv422p", input);
        var engine = new ReelSpeedEngine(EngineOptions.Default);
        var r = JsonDocument.Parse(engine.OptimizeVideoAsync(input, 0.3, "{}", null, null, default).GetAwaiter().GetResult()).RootElement;
        var decision = r.GetProperty("sizeDecision");
        string reason = decision.GetProperty("reason").GetString()!;
        TestContext.Out.WriteLine($"{reason}; {r.GetProperty("videoBitrateKbps")} kbit/s, {r.GetProperty("encodes")} encode(s), {r.GetProperty("optimizedSize")} bytes");
        Assert.That(decision.GetProperty("method").GetString(), Is.EqualTo("measured"));
        var m = System.Text.RegularExpressions.Regex.Match(reason, @"sample spent ([0-9.]+)% of the planned rate, so the encode asks ([0-9]+)% more");
        Assert.That(m.Success, Is.True, "this content falls short of its rate in the samples");
        double share = double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) / 100;
        Assert.That(share, Is.LessThan(SizeSampling.SpentShortfall));
        double size = r.GetProperty("optimizedSize").GetInt64() / 300_000.0;
        Assert.That(size, Is.InRange(0.95, 1.02), "and the raised encode lands in the window");
    }
}
