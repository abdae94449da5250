using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Assets;
using ReelSpeed.Engine.Config;
using SkiaSharp;

namespace ReelSpeed.Engine.Tests.Assets;

/// <summary>
/// allowedRoots: the path rule (<see cref="LocalRoots"/>) on real folders, files and symlinks,
/// the option's parsing, and the engine applying it to a config before anything is opened.
/// </summary>
public class LocalRootsTests : TempDirTest
{
    private string _root = "", _outside = "";

    [SetUp]
    public void MakeTree()
    {
        _root = Path.Combine(_dir, "root");
        _outside = Path.Combine(_dir, "outside");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        Directory.CreateDirectory(_outside);
        Directory.CreateDirectory(_root + "-evil");
        File.WriteAllText(Path.Combine(_root, "a.txt"), "in");
        File.WriteAllText(Path.Combine(_root, "sub", "b.txt"), "in");
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "out");
        File.WriteAllText(Path.Combine(_root + "-evil", "x.txt"), "out");
    }

    private LocalRoots Roots() => LocalRoots.Create(new[] { _root });

    private static string Code(Action d) => Assert.Throws<EngineException>(() => d())!.Code;

    [Test]
    public void A_file_inside_is_allowed_and_returned_as_its_real_path()
    {
        var roots = Roots();
        Assert.That(roots.ConfineFile("f", Path.Combine(_root, "a.txt")), Is.EqualTo(Path.Combine(_root, "a.txt")));
        Assert.That(roots.ConfineFile("f", Path.GetFullPath(Path.Combine(_root, "sub", "..", "a.txt"))), Is.EqualTo(Path.Combine(_root, "a.txt")));
        Assert.That(roots.ConfineFile("f", _root), Is.EqualTo(_root), "the root itself");
    }

    [Test]
    public void Dotdot_absolute_and_prefix_tricks_are_forbidden_naming_the_field()
    {
        var roots = Roots();
        var e = Assert.Throws<EngineException>(() => roots.ConfineFile("messages[3].imageUrl", Path.GetFullPath(Path.Combine(_root, "..", "outside", "secret.txt"))))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.AssetForbidden));
        Assert.That(e.Message, Does.StartWith("messages[3].imageUrl: ").And.Contain("allowedRoots"));
        Assert.That(Code(() => roots.ConfineFile("f", "/etc/passwd")), Is.EqualTo(ErrorCodes.AssetForbidden));
        Assert.That(Code(() => roots.ConfineFile("f", Path.Combine(_root + "-evil", "x.txt"))), Is.EqualTo(ErrorCodes.AssetForbidden), "/x/root-evil is not in /x/root");
        Assert.That(Code(() => roots.ConfineFile("f", _root + "-evil")), Is.EqualTo(ErrorCodes.AssetForbidden));
        Assert.That(Code(() => roots.ConfineFile("f", _dir)), Is.EqualTo(ErrorCodes.AssetForbidden), "the root's parent");
    }

    [Test]
    public void A_symlink_inside_pointing_outside_is_forbidden_and_one_pointing_inside_resolves()
    {
        var roots = Roots();
        File.CreateSymbolicLink(Path.Combine(_root, "out.txt"), Path.Combine(_outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "outdir"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "rel.txt"), "../outside/secret.txt");
        File.CreateSymbolicLink(Path.Combine(_root, "in.txt"), "sub/b.txt");
        File.CreateSymbolicLink(Path.Combine(_root, "dangling.txt"), Path.Combine(_outside, "missing.txt"));
        var e = Assert.Throws<EngineException>(() => roots.ConfineFile("backgroundSettings.backgroundUrl", Path.Combine(_root, "out.txt")))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.AssetForbidden));
        Assert.That(e.Message, Does.Contain("resolves to " + Path.Combine(_outside, "secret.txt")));
        Assert.That(Code(() => roots.ConfineFile("f", Path.Combine(_root, "outdir", "secret.txt"))), Is.EqualTo(ErrorCodes.AssetForbidden), "a linked folder");
        Assert.That(Code(() => roots.ConfineFile("f", Path.Combine(_root, "rel.txt"))), Is.EqualTo(ErrorCodes.AssetForbidden), "a relative link");
        Assert.That(Code(() => roots.ConfineFile("f", Path.Combine(_root, "dangling.txt"))), Is.EqualTo(ErrorCodes.AssetForbidden), "a dangling link out");
        Assert.That(roots.ConfineFile("f", Path.Combine(_root, "in.txt")), Is.EqualTo(Path.Combine(_root, "sub", "b.txt")), "opened by its real path");
    }

    [Test]
    public void A_links_dotdot_applies_after_the_links_before_it_as_the_kernel_does()
    {
        // root/hop -> ../outside/deep (a folder outside); root/sneaky -> hop/../../root/a.txt.
        // Lexically "hop/.." is root, but the kernel goes to outside/deep/.. = outside, then ../root/a.txt.
        Directory.CreateDirectory(Path.Combine(_outside, "deep"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "hop"), "../outside/deep");
        File.CreateSymbolicLink(Path.Combine(_root, "sneaky"), "hop/../secret.txt");
        var real = LocalRoots.RealPath(Path.Combine(_root, "sneaky"));
        Assert.That(real.Path, Is.EqualTo(Path.Combine(_outside, "secret.txt")));
        Assert.That(File.ReadAllText(Path.Combine(_root, "sneaky")), Is.EqualTo("out"), "what the kernel opens through the link");
        Assert.That(Code(() => Roots().ConfineFile("f", Path.Combine(_root, "sneaky"))), Is.EqualTo(ErrorCodes.AssetForbidden));
    }

    [Test]
    public void A_missing_file_is_judged_by_where_it_would_be()
    {
        var roots = Roots();
        Assert.That(roots.ConfineFile("f", Path.Combine(_root, "nope", "x.png")), Is.EqualTo(Path.Combine(_root, "nope", "x.png")));
        Assert.That(Code(() => roots.ConfineFile("f", Path.Combine(_outside, "nope.png"))), Is.EqualTo(ErrorCodes.AssetForbidden), "refused, not reported missing");
        // A link to a missing folder, then "..": folded, then resolved again.
        Directory.CreateSymbolicLink(Path.Combine(_root, "ghost"), "missing/../../outside");
        Assert.That(Code(() => roots.ConfineFile("f", Path.Combine(_root, "ghost", "secret.txt"))), Is.EqualTo(ErrorCodes.AssetForbidden));
    }

    [Test]
    public void A_symlink_loop_is_a_coded_error()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "l1"), "l2");
        File.CreateSymbolicLink(Path.Combine(_root, "l2"), "l1");
        var e = Assert.Throws<EngineException>(() => Roots().ConfineFile("audio.music", Path.Combine(_root, "l1")))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.InputNotFound));
        Assert.That(e.Message, Does.StartWith("audio.music: ").And.Contain("symlink loop"));
    }

    [Test]
    public void An_output_is_judged_by_its_real_folder()
    {
        var roots = Roots();
        Assert.That(roots.ConfineOutput("outputPath", Path.Combine(_root, "out.mp4")), Is.EqualTo(Path.Combine(_root, "out.mp4")));
        Assert.That(roots.ConfineOutput("outputPath", Path.Combine(_root, "new", "deeper", "out.mp4")), Is.EqualTo(Path.Combine(_root, "new", "deeper", "out.mp4")));
        Assert.That(Code(() => roots.ConfineOutput("outputPath", Path.Combine(_outside, "out.mp4"))), Is.EqualTo(ErrorCodes.AssetForbidden));
        Assert.That(Code(() => roots.ConfineOutput("outputPath", Path.Combine(_root + "-evil", "out.mp4"))), Is.EqualTo(ErrorCodes.AssetForbidden));
        Directory.CreateSymbolicLink(Path.Combine(_root, "outdir"), _outside);
        Assert.That(Code(() => roots.ConfineOutput("outputPath", Path.Combine(_root, "outdir", "out.mp4"))), Is.EqualTo(ErrorCodes.AssetForbidden));
        Assert.That(Code(() => roots.ConfineOutput("outputPath", Path.Combine(_root, "outdir", "new", "out.mp4"))), Is.EqualTo(ErrorCodes.AssetForbidden));
        // A link in the root named like the output is replaced by the rename, not written through.
        File.CreateSymbolicLink(Path.Combine(_root, "link.mp4"), Path.Combine(_outside, "victim.mp4"));
        Assert.That(roots.ConfineOutput("outputPath", Path.Combine(_root, "link.mp4")), Is.EqualTo(Path.Combine(_root, "link.mp4")));
    }

    [Test]
    public void Roots_are_kept_as_real_paths_and_an_empty_list_allows_nothing()
    {
        Directory.CreateSymbolicLink(Path.Combine(_dir, "alias"), _root);
        var roots = LocalRoots.Create(new[] { Path.Combine(_dir, "alias") });
        Assert.That(roots.Roots, Is.EqualTo(new[] { _root }));
        Assert.That(roots.ConfineFile("f", Path.Combine(_dir, "alias", "a.txt")), Is.EqualTo(Path.Combine(_root, "a.txt")));
        Assert.That(roots.ConfineFile("f", Path.Combine(_root, "a.txt")), Is.EqualTo(Path.Combine(_root, "a.txt")));
        var none = LocalRoots.Create(Array.Empty<string>());
        var e = Assert.Throws<EngineException>(() => none.ConfineFile("f", Path.Combine(_root, "a.txt")))!;
        Assert.That(e.Message, Does.Contain("allowedRoots is empty"));
        Assert.That(LocalRoots.Create(new[] { "/" }).ConfineFile("f", Path.Combine(_outside, "secret.txt")), Is.EqualTo(Path.Combine(_outside, "secret.txt")));
    }

    [Test]
    public void The_option_must_name_existing_folders()
    {
        var good = EngineOptions.Parse($$"""{ "allowedRoots": [{{Json(_root)}}] }""");
        Assert.That(good.AllowedRoots, Is.EqualTo(new[] { _root }));
        Assert.That(EngineOptions.Parse("{}").AllowedRoots, Is.Null, "unset: no confinement");
        var e = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse(
            $$"""{ "allowedRoots": [{{Json(_root)}}, {{Json(Path.Combine(_dir, "missing"))}}, {{Json(Path.Combine(_root, "a.txt"))}}, 5, ""] }"""))!;
        Assert.That(e.Errors.Select(x => x.Path), Is.EqualTo(new[] { "options.allowedRoots[1]", "options.allowedRoots[2]", "options.allowedRoots[3]", "options.allowedRoots[4]" }));
        Assert.That(e.Errors[0].Message, Does.Contain("no such folder"));
        Assert.That(e.Errors[1].Message, Does.Contain("is not a folder"));
        Assert.That(Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse($$"""{ "allowedRoots": {{Json(_root)}} }"""))!.Errors[0].Path,
            Is.EqualTo("options.allowedRoots"));
        // Options built in .NET (not parsed), or a root removed since: a coded error, not an ArgumentException.
        var removed = Assert.Throws<ConfigValidationException>(() => new ReelSpeedEngine(EngineOptions.Default with { AllowedRoots = new[] { Path.Combine(_dir, "gone") } }))!;
        Assert.That(removed.Errors[0].Message, Does.StartWith("allowedRoots[0]: no such folder"));
    }

    [Test]
    public void A_temp_folder_outside_the_roots_is_refused_before_it_is_created()
    {
        var temp = Path.Combine(_outside, "tmp");
        var e = Assert.Throws<EngineException>(() => new ReelSpeedEngine(EngineOptions.Parse(
            $$"""{ "allowedRoots": [{{Json(_root)}}], "tempDirectory": {{Json(temp)}} }""")))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.AssetForbidden));
        Assert.That(e.Message, Does.StartWith("options.tempDirectory: "));
        Assert.That(Directory.Exists(temp), Is.False);
        Directory.CreateSymbolicLink(Path.Combine(_root, "tmplink"), _outside);
        Assert.That(Assert.Throws<EngineException>(() => new ReelSpeedEngine(EngineOptions.Parse(
            $$"""{ "allowedRoots": [{{Json(_root)}}], "tempDirectory": {{Json(Path.Combine(_root, "tmplink", "t"))}} }""")))!.Code, Is.EqualTo(ErrorCodes.AssetForbidden));
        var ok = new ReelSpeedEngine(EngineOptions.Parse($$"""{ "allowedRoots": [{{Json(_root)}}], "tempDirectory": {{Json(Path.Combine(_root, "tmp"))}} }"""));
        Assert.That(ok.Options.TempDirectory, Is.EqualTo(Path.Combine(_root, "tmp")));
        Assert.That(Directory.Exists(Path.Combine(_root, "tmp")), Is.True);
    }

    [Test]
    public void A_config_is_confined_field_by_field_before_anything_is_opened()
    {
        using (var bmp = new SKBitmap(16, 16))
        {
            bmp.Erase(SKColors.Red);
            using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(_root, "pic.png"), data.ToArray());
            File.WriteAllBytes(Path.Combine(_outside, "pic.png"), data.ToArray());
        }
        File.CreateSymbolicLink(Path.Combine(_root, "link.png"), Path.Combine(_outside, "pic.png"));
        var engine = new ReelSpeedEngine(EngineOptions.Parse($$"""{ "allowedRoots": [{{Json(_root)}}] }"""));
        string Story(string image) => TestSupport.SmallStory(extra: $$""", "chatOverlay": { "contactName": "A", "avatarUrl": {{Json(image)}} }""");
        Scenes.Scene Compile(string json)
        {
            using var session = engine.Assets.OpenSession(CancellationToken.None);
            return EngineApi.CompileScene(json, _root, null, session);
        }
        using (var scene = Compile(Story("pic.png"))) Assert.That(scene.FrameCount, Is.GreaterThan(0));
        foreach (var bad in new[] { "../outside/pic.png", Path.Combine(_outside, "pic.png"), "file://" + Path.Combine(_outside, "pic.png"), "link.png", "file://" + _root + "/../outside/pic.png" })
        {
            var e = Assert.Throws<EngineException>(() => Compile(Story(bad)))!;
            Assert.That(e.Code, Is.EqualTo(ErrorCodes.AssetForbidden), bad);
            Assert.That(e.Message, Does.StartWith("chatOverlay.avatarUrl: "), bad);
        }
        // The default engine (the module-level calls) is not confined.
        using (var scene = EngineApi.CompileScene(Story(Path.Combine(_outside, "pic.png")), _root)) Assert.That(scene.FrameCount, Is.GreaterThan(0));
    }

    [Test]
    public void A_downloaded_asset_is_the_engines_own_file_although_its_cache_lies_outside_the_roots()
    {
        using var server = new TestHttpServer();
        using (var bmp = new SKBitmap(16, 16))
        {
            bmp.Erase(SKColors.Blue);
            using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
            server.Serve("/pic.png", data.ToArray(), "image/png");
        }
        var cacheParent = Path.Combine(_outside, "cache"); // the asset cache is under the default temp folder: outside the roots
        var engine = new ReelSpeedEngine(EngineOptions.Parse($$"""{ "allowedRoots": [{{Json(_root)}}], "allowedHosts": ["127.0.0.1"] }"""));
        var resolver = new AssetResolver(engine.Assets.Policy, cacheParent, 10_000_000, engine.Roots);
        using var session = resolver.OpenSession(CancellationToken.None);
        var json = TestSupport.SmallStory(extra: $$""", "chatOverlay": { "contactName": "A", "avatarUrl": {{Json(server.Url("/pic.png"))}} }""");
        using (var scene = EngineApi.CompileScene(json, _root, null, session)) Assert.That(scene.FrameCount, Is.GreaterThan(0));
        Assert.That(server.RequestCount("/pic.png"), Is.EqualTo(1));
        // A config naming the cached file by its path is a local path like any other: outside, refused.
        var cached = Directory.EnumerateFiles(cacheParent, "*", SearchOption.AllDirectories).First(f => !f.EndsWith(".part"));
        var local = TestSupport.SmallStory(extra: $$""", "chatOverlay": { "contactName": "A", "avatarUrl": {{Json(cached)}} }""");
        Assert.That(Assert.Throws<EngineException>(() => EngineApi.CompileScene(local, _root, null, session))!.Code, Is.EqualTo(ErrorCodes.AssetForbidden));
    }

    private static string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
