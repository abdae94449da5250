using System.Diagnostics;
using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Tests;

/// <summary>Shared helpers: temp folders, configs, and the ffmpeg CLI for making fixtures.</summary>
internal static class TestSupport
{
    public static string SourceDir([System.Runtime.CompilerServices.CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "reelspeed-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static ReelSpeed.Engine.Scenes.Scene Scene(string json, string? baseDir = null) => SceneBuilder.Build(ChatStoryConfigParser.Parse(json, baseDir));

    /// <summary>Runs the ffmpeg CLI (a test-only dependency) to generate fixtures.</summary>
    public static void Ffmpeg(params string[] args)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-v");
        psi.ArgumentList.Add("error");
        psi.ArgumentList.Add("-y");
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg {string.Join(' ', args)} failed: {err}");
    }

    /// <summary>A small story: a "them" and a "me" message, fixed timings.</summary>
    public static string SmallStory(string resolution = "360x640", double duration = 1, string extra = "") => $$"""
        {
          "videoSettings": { "resolution": "{{resolution}}", "fps": 30, "duration": {{duration.ToString(System.Globalization.CultureInfo.InvariantCulture)}} },
          "animationSettings": { "messageAnimationType": "none", "baseDelay": 100, "messageDelay": 100 },
          "messages": [
            { "text": "Hello there 👋", "sender": "them", "audioDuration": 0.3 },
            { "text": "Hi!", "sender": "me", "audioDuration": 0.3 }
          ]{{extra}}
        }
        """;
}
