using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Benchmarks;

/// <summary>
/// The story the stage benchmarks draw: the bench story's look (modern-dark, header, gradient,
/// slide animations) with enough messages to overflow the chat area at any resolution, and
/// no music (no stage here touches audio, and no file has to be found from the bin folder).
/// </summary>
internal static class BenchScenes
{
    private static readonly (string Text, string Sender)[] Messages =
    {
        ("are you awake?? 😳", "them"),
        ("barely. it's 2am. what happened", "me"),
        ("ok so you know the new neighbour with the huge dog 🐕", "them"),
        ("the one that howls at the microwave?", "me"),
        ("yes. he just knocked on my door holding a PIZZA 🍕 and asked if I'd seen his dog", "them"),
        ("wait why is that a problem 😂", "me"),
        ("because the dog is currently asleep on MY couch", "them"),
        ("HOW 💀💀", "me"),
        ("he walked in when I got the groceries and just… stayed 🤷‍♀️", "them"),
        ("so did you tell him??", "me"),
        ("I said I'd check. then I shared the pizza with the dog 🙈", "them"),
        ("you are a criminal 👮‍♂️🚨", "me"),
    };

    /// <summary>A 9:16 scene <paramref name="lines"/> pixels wide (480 → 480x854, 1080 → 1080x1920).</summary>
    public static Scene Story(int lines)
    {
        int height = (int)Math.Round(lines * 16 / 9.0 / 2) * 2;
        var messages = string.Join(",\n", Messages.Select(m =>
            $$"""    { "text": "{{m.Text}}", "sender": "{{m.Sender}}", "audioDuration": 1.4 }"""));
        var json = $$"""
            {
              "videoSettings": { "resolution": "{{lines}}x{{height}}", "fps": 30, "quality": "medium" },
              "template": "modern-dark",
              "chatOverlay": { "contactName": "Sam", "showHeader": true },
              "backgroundSettings": { "backgroundType": "gradient", "gradientColors": ["#0F172A", "#312E81", "#1E1B4B"], "gradientAngle": 160 },
              "animationSettings": { "messageAnimationType": "slide", "transitionDuration": 320, "baseDelay": 600, "messageDelay": 350 },
              "voiceAudioSettings": { "enableAudio": false },
              "messages": [
            {{messages}}
              ]
            }
            """;
        return SceneBuilder.Build(ChatStoryConfigParser.Parse(json));
    }

    /// <summary>
    /// Halfway through the last scroll step, which is also the last message sliding in: an
    /// animated bubble, a moving stack and the fade band at the top all at once.
    /// </summary>
    public static double MidAnimationMs(Scene scene)
    {
        var last = scene.Chat!.Scroll.Segments[^1];
        return last.StartMs + last.DurationMs / 2;
    }

    /// <summary>Renders frame <paramref name="timeMs"/> into a job's surface, as a job does.</summary>
    public static void RenderInto(FrameRenderer renderer, FrameSurface surface, double timeMs)
    {
        var canvas = surface.Canvas;
        renderer.Render(canvas, timeMs);
        canvas.Flush();
    }
}
