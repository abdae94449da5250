using System.Text.Json;
using HarfBuzzSharp;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Text;
using SkiaSharp;

namespace ReelSpeed.Engine.Api;

/// <summary>
/// The load-time check the npm package runs before it exports anything: FFmpeg's, Skia's and
/// HarfBuzz's native libraries load (so a missing one is reported when the package loads, not at
/// the first job), and the folders of the bundled fonts are registered before the first render.
/// Reports instead of throwing, so the JavaScript side raises one coded error.
/// </summary>
public static class Dependencies
{
    /// <summary>
    /// <paramref name="optionsJson"/>: <c>{ "fontDirectories": [..], "fonts": bool, "addonDirectory": ".." }</c> (all optional).
    /// Returns <c>{ ok, errors: [{ library, code, message }], ffmpeg, skia, harfbuzz, fonts? }</c>;
    /// <c>fonts</c> (the faces the default chain opened) only when asked, since it loads them.
    /// </summary>
    public static string Check(string? optionsJson)
    {
        var fontDirs = new List<string>();
        bool reportFonts = false;
        string? addonDirectory = null;
        if (!string.IsNullOrWhiteSpace(optionsJson))
        {
            using var doc = JsonDocument.Parse(optionsJson);
            if (doc.RootElement.TryGetProperty("fontDirectories", out var dirs) && dirs.ValueKind == JsonValueKind.Array)
                foreach (var d in dirs.EnumerateArray())
                    if (d.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(d.GetString())) fontDirs.Add(d.GetString()!);
            reportFonts = doc.RootElement.TryGetProperty("fonts", out var f) && f.ValueKind == JsonValueKind.True;
            if (doc.RootElement.TryGetProperty("addonDirectory", out var a) && a.ValueKind == JsonValueKind.String) addonDirectory = a.GetString();
        }
        if (fontDirs.Count > 0 && !FontChain.IsDefaultLoaded) FontChain.BundledDirectories = fontDirs.ToArray();
        if (addonDirectory is { Length: > 0 } addonDir) UseAddonDirectory(addonDir);

        var errors = new List<(string Library, string Code, string Message)>();
        string? ffmpeg = null, skia = null, harfbuzz = null;
        try
        {
            ffmpeg = LibAvLoader.EnsureLoaded();
        }
        catch (EngineException e)
        {
            errors.Add(("ffmpeg", e.Code, e.Message));
        }
        catch (Exception e)
        {
            errors.Add(("ffmpeg", ErrorCodes.Dependency, $"FFmpeg's libraries failed to load: {Inner(e).Message}; {LibAvNames.InstallHint()}"));
        }
        try
        {
            using var bitmap = new SKBitmap(1, 1);
            skia = SkiaSharpVersion.Native.ToString();
        }
        catch (Exception e)
        {
            errors.Add(("libSkiaSharp", ErrorCodes.Dependency, NativeMissing("libSkiaSharp", e)));
        }
        try
        {
            using var buffer = new HarfBuzzSharp.Buffer();
            buffer.AddUtf8("a");
            harfbuzz = "ok";
        }
        catch (Exception e)
        {
            errors.Add(("libHarfBuzzSharp", ErrorCodes.Dependency, NativeMissing("libHarfBuzzSharp", e)));
        }
        FontChain? chain = null;
        if (reportFonts && errors.Count == 0)
        {
            try { chain = FontChain.Default; }
            catch (EngineException e) { errors.Add(("fonts", e.Code, e.Message)); }
        }

        return JsonText.Build(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", errors.Count == 0);
            w.WriteStartArray("errors");
            foreach (var (library, code, message) in errors)
            {
                w.WriteStartObject();
                w.WriteString("library", library);
                w.WriteString("code", code);
                w.WriteString("message", message);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("ffmpeg", ffmpeg);
            w.WriteString("skia", skia);
            w.WriteString("harfbuzz", harfbuzz);
            if (chain is not null)
            {
                w.WriteStartObject("fonts");
                w.WriteStartArray("directories");
                foreach (var d in FontChain.SearchDirectories()) w.WriteStringValue(d);
                w.WriteEndArray();
                w.WriteString("primary", chain.Primary.Path);
                w.WriteString("bold", chain.Bold.Path);
                w.WriteString("emoji", chain.Emoji?.Path);
                w.WriteString("cjk", chain.Cjk?.Path);
                w.WriteStartArray("faces");
                foreach (var face in chain.Faces) w.WriteStringValue(face.Path);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        });
    }

    private static string? s_addonDirectory;

    /// <summary>
    /// Loads Skia's and HarfBuzz's libraries from the addon's own folder. Linux finds them there
    /// through the addon's <c>$ORIGIN</c> run path; macOS and Windows would search the folder of
    /// the node executable instead, so their imports are resolved to this folder first.
    /// </summary>
    private static void UseAddonDirectory(string directory)
    {
        if (Interlocked.CompareExchange(ref s_addonDirectory, directory, null) is not null) return;
        string ext = OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so";
        System.Runtime.InteropServices.DllImportResolver resolve = (name, _, _) =>
            name is "libSkiaSharp" or "libHarfBuzzSharp"
            && System.Runtime.InteropServices.NativeLibrary.TryLoad(Path.Combine(s_addonDirectory!, name + ext), out var h) ? h : 0;
        foreach (var assembly in new[] { typeof(SKObject).Assembly, typeof(HarfBuzzSharp.Buffer).Assembly })
        {
            try { System.Runtime.InteropServices.NativeLibrary.SetDllImportResolver(assembly, resolve); }
            catch (InvalidOperationException) { /* the library set its own */ }
        }
    }

    private static Exception Inner(Exception e) => e is TypeInitializationException { InnerException: { } i } ? Inner(i) : e;

    /// <summary>The first sentence of a load failure (the runtime's DllNotFoundException text goes on for lines).</summary>
    private static string Brief(Exception e)
    {
        var text = Inner(e).Message.Split('\n')[0];
        int cut = text.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? text[..(cut + 1)] : text;
    }

    private static string NativeMissing(string library, Exception e) =>
        $"{library} failed to load ({Inner(e).GetType().Name}: {Brief(e)}); it ships beside the addon in the " +
        "platform package @reelspeed/engine-<os>-<arch>: reinstall it (npm install --include=optional), and on Linux check the " +
        "C library is glibc 2.34 or newer (ldd --version)";
}
