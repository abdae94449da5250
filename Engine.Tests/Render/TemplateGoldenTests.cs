using NUnit.Framework;
using ReelSpeed.Engine.Render;

namespace ReelSpeed.Engine.Tests.Render;

/// <summary>
/// Reference frames per template (examples/templates/*.json at 540x960, header and typing
/// indicator on) and per animation type mid-animation. Tolerance as in <see cref="GoldenFrameTests"/>.
/// </summary>
public class TemplateGoldenTests
{
    private const int ChannelTolerance = 3;
    private const double MaxDifferentFraction = 0.0005;

    internal static string ExamplesDir => Path.GetFullPath(Path.Combine(TestSupport.SourceDir(), "..", "..", "examples"));

    internal static string TemplateStory(string template, string resolution = "540x960") =>
        File.ReadAllText(Path.Combine(ExamplesDir, "templates", template + ".json")).Replace("\"1080x1920\"", $"\"{resolution}\"");

    private static void AssertGolden(ReelSpeed.Engine.Scenes.Scene scene, double timeMs, string name)
    {
        using var renderer = new FrameRenderer(scene);
        using var frame = renderer.RenderImage(timeMs);
        var reference = Path.Combine(TestSupport.SourceDir(), "..", "Golden", name + ".png");
        var result = ImageComparer.Compare(frame, reference, ChannelTolerance, MaxDifferentFraction);
        Assert.That(result.Match, Is.True, result.Report);
    }

    [TestCase("modern-light")]
    [TestCase("modern-dark")]
    [TestCase("imessage")]
    [TestCase("whatsapp")]
    [TestCase("instagram")]
    [TestCase("discord")]
    public void Template(string template)
    {
        using var scene = TestSupport.Scene(TemplateStory(template));
        Assert.That(scene.Chat!.Header, Is.Not.Null);
        Assert.That(scene.Warnings, Is.Empty);
        AssertGolden(scene, 9500, "template-" + template);
    }

    /// <summary>The second message caught 40 % into its entrance (typewriter: 40 % of its text).</summary>
    [TestCase("slide")]
    [TestCase("fade")]
    [TestCase("pop")]
    [TestCase("typewriter")]
    [TestCase("none")]
    public void Animation(string type)
    {
        var json = $$"""
            { "videoSettings": { "resolution": "540x960" }, "template": "modern-light",
              "animationSettings": { "messageAnimationType": "{{type}}", "transitionDuration": 400, "baseDelay": 200, "messageDelay": 200 },
              "messages": [ { "text": "first message, settled", "sender": "them", "audioDuration": 1 },
                            { "text": "second message entering now 🚀", "sender": "me", "audioDuration": 2 } ] }
            """;
        using var scene = TestSupport.Scene(json);
        var second = scene.Chat!.Bubbles[1].Animation;
        double t = type == "typewriter" ? second.StartMs + second.RevealMs * 0.4 : second.StartMs + second.DurationMs * 0.4;
        AssertGolden(scene, t, "animation-" + type);
    }

    private static readonly Dictionary<string, string[]> ScriptMessages = new()
    {
        ["latin"] = new[] { "Crème brûlée, naïve façade — ¿qué tal? Ærøskøbing", "Zażółć gęślą jaźń · Ǆemal" },
        ["cyrillic"] = new[] { "Привет! Как дела? Съешь же ещё этих мягких булок", "Ґанок і їжак — українська" },
        ["greek"] = new[] { "Γειά σου κόσμε! Τι κάνεις;", "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία" },
        ["chinese"] = new[] { "你好，世界！今天天气怎么样？", "我们明天一起去吃火锅吧，好不好？" },
        ["japanese"] = new[] { "こんにちは、世界。元気ですか？", "カタカナとひらがなと漢字を混ぜた文です。" },
        ["korean"] = new[] { "안녕하세요, 세계! 오늘 어때요?", "내일 같이 치킨 먹으러 갈래?" },
        ["arabic"] = new[] { "مرحبا بالعالم! كيف حالك اليوم؟", "الرقم ١٢٣ والرقم 456 في جملة واحدة" },
        ["hebrew"] = new[] { "שלום עולם, מה שלומך?", "אני קונה 3 תפוחים (ירוקים) ב-12 ₪" },
        ["devanagari"] = new[] { "नमस्ते दुनिया! आप कैसे हैं?", "क्षत्रिय और द्वितीय संयुक्ताक्षर" },
        ["thai"] = new[] { "สวัสดีชาวโลก คุณสบายดีไหม", "ภาษาไทยมีวรรณยุกต์และสระ" },
        ["emoji"] = new[] { "👍🏻👍🏽👍🏿 skin tones, 👩‍👩‍👧‍👦 ZWJ family", "flags 🇯🇵🇧🇷🇺🇦🏳️‍🌈 keycap 1️⃣ ❤️‍🔥" },
    };

    /// <summary>One frame per script: shaping, fallback fonts and (for Arabic/Hebrew) right-to-left lines.</summary>
    [TestCase("latin")]
    [TestCase("cyrillic")]
    [TestCase("greek")]
    [TestCase("chinese")]
    [TestCase("japanese")]
    [TestCase("korean")]
    [TestCase("arabic")]
    [TestCase("hebrew")]
    [TestCase("devanagari")]
    [TestCase("thai")]
    [TestCase("emoji")]
    public void Script(string script)
    {
        var m = ScriptMessages[script];
        var json = $$"""
            { "videoSettings": { "resolution": "540x960" }, "template": "modern-light",
              "animationSettings": { "messageAnimationType": "none", "baseDelay": 0 },
              "messages": [ { "text": "{{m[0]}}", "sender": "them", "audioDuration": 1 }, { "text": "{{m[1]}}", "sender": "me", "audioDuration": 1 } ] }
            """;
        using var scene = TestSupport.Scene(json);
        Assert.That(scene.Warnings, Is.Empty, "every character has a font");
        AssertGolden(scene, 3000, "script-" + script);
    }

    /// <summary>One frame per background type (fixtures made by the test: deterministic).</summary>
    [TestCase("color")]
    [TestCase("gradient")]
    [TestCase("image")]
    [TestCase("video")]
    [TestCase("brainrot")]
    public void Background(string kind)
    {
        var dir = TestSupport.TempDir();
        try
        {
            if (kind == "image")
            {
                using var s = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(300, 200));
                using var shader = SkiaSharp.SKShader.CreateRadialGradient(new SkiaSharp.SKPoint(150, 100), 150,
                    new[] { new SkiaSharp.SKColor(0xFF, 0xB0, 0x20), new SkiaSharp.SKColor(0x20, 0x30, 0x90) }, SkiaSharp.SKShaderTileMode.Clamp);
                using var paint = new SkiaSharp.SKPaint { Shader = shader };
                s.Canvas.DrawRect(0, 0, 300, 200, paint);
                using var img = s.Snapshot();
                using var png = img.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(dir, "bg.png"), png.ToArray());
            }
            if (kind is "video" or "brainrot")
                TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=30:d=1", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", Path.Combine(dir, "clip.mp4"));
            var background = kind switch
            {
                "color" => """{ "backgroundType": "color", "backgroundColor": "#2D1B69" }""",
                "gradient" => """{ "backgroundType": "gradient", "gradientColors": ["#FF5F6D", "#FFC371", "#47B8E0"], "gradientAngle": 135 }""",
                "image" => """{ "backgroundType": "image", "backgroundUrl": "bg.png", "backgroundOpacity": 0.7, "backgroundBlur": 8 }""",
                _ => """{ "backgroundType": "video", "backgroundUrl": "clip.mp4", "backgroundOpacity": 0.85 }""",
            };
            var json = $$"""
                { "videoSettings": { "resolution": "540x960", "brainrotMode": {{(kind == "brainrot" ? "true" : "false")}} }, "template": "modern-dark",
                  "backgroundSettings": {{background}}, "animationSettings": { "messageAnimationType": "none", "baseDelay": 0 },
                  "messages": [ { "text": "background: {{kind}}", "sender": "them", "audioDuration": 1 }, { "text": "looks good 👌", "sender": "me", "audioDuration": 1 } ] }
                """;
            using var scene = TestSupport.Scene(json, dir);
            AssertGolden(scene, 1500, "background-" + kind);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
