using System.Collections.Concurrent;
using SkiaSharp;
using SkiaSharp.HarfBuzz;
using HbBuffer = HarfBuzzSharp.Buffer;

namespace ReelSpeed.Engine.Text;

/// <summary>One font file of the fallback chain, with its HarfBuzz shaper.</summary>
public sealed class FontFace : IDisposable
{
    private readonly SKFont _probe;
    private readonly ConcurrentDictionary<int, bool> _coverage = new();
    private readonly object _shapeLock = new();

    internal FontFace(string name, string path, SKTypeface typeface, bool isColorEmoji, int faceIndex = 0)
    {
        Name = name;
        Path = path;
        Typeface = typeface;
        IsColorEmoji = isColorEmoji;
        FaceIndex = faceIndex;
        Shaper = new SKShaper(typeface);
        _probe = new SKFont(typeface, 16);
    }

    public string Name { get; }
    public string Path { get; }
    public SKTypeface Typeface { get; }
    public bool IsColorEmoji { get; }

    /// <summary>Index of the face inside a font collection (<c>.ttc</c>); 0 for single-face files.</summary>
    public int FaceIndex { get; }

    internal SKShaper Shaper { get; }

    public bool Covers(int codepoint) => _coverage.GetOrAdd(codepoint, cp => _probe.ContainsGlyph(cp));

    /// <summary>Shapes one run prepared by the caller (text, direction, script, language set on the buffer).</summary>
    internal SKShaper.Result Shape(HbBuffer buffer, SKFont font)
    {
        // HarfBuzz fonts are safe to share, but SKShaper keeps per-call state we do not audit: serialise.
        lock (_shapeLock) return Shaper.Shape(buffer, font);
    }

    public void Dispose()
    {
        Shaper.Dispose();
        _probe.Dispose();
        Typeface.Dispose();
    }
}

/// <summary>
/// The ordered list of fonts text falls back through: a primary text face, colour emoji,
/// script faces (Arabic, Hebrew, Devanagari, Thai, CJK, ...), then a wide-coverage last resort.
/// Skia's NoDependencies build has no fontconfig, so fonts are located by file path:
/// <c>REELSPEED_FONT_DIRS</c> (path-separator separated) first, then the package's bundled fonts
/// (<see cref="BundledDirectories"/>), then the Debian font folders.
/// <para>
/// Ownership: a chain disposes only the faces it opened itself. <see cref="Default"/> opens all
/// of its faces and lives for the process; a chain from <see cref="WithCustomFonts"/> shares the
/// default faces and disposes only the custom ones.
/// </para>
/// </summary>
public sealed class FontChain : IDisposable
{
    /// <summary>File names tried in order; the first found of the first group is the primary face.</summary>
    public static readonly string[] PrimaryCandidates = { "NotoSans-Regular.ttf", "DejaVuSans.ttf" };
    public static readonly string[] BoldCandidates = { "NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf" };
    public const string EmojiFile = "NotoColorEmoji.ttf";
    public static readonly string[] FallbackFiles =
    {
        "NotoSansArabic-Regular.ttf", "NotoSansHebrew-Regular.ttf", "NotoSansDevanagari-Regular.ttf",
        "NotoSansThai-Regular.ttf", "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf",
        "NotoSansArmenian-Regular.ttf", "NotoSansGeorgian-Regular.ttf", "NotoSansBengali-Regular.ttf",
        "NotoSansSymbols-Regular.ttf", "NotoSansSymbols2-Regular.ttf", "NotoSansMath-Regular.ttf",
        "DejaVuSans.ttf",
    };

    /// <summary>
    /// Which face of a font collection to use. Debian's <c>NotoSansCJK-Regular.ttc</c>
    /// (fonts-noto-cjk) holds JP, KR, SC, TC and HK faces (and their Mono twins) that share one
    /// glyph set and differ only in which regional form of a unified Han ideograph the character
    /// map gives by default. SC is the default here because Simplified Chinese is the largest CJK
    /// readership; every face covers kana and Hangul as well. Japanese and Korean paragraphs are
    /// shaped with the HarfBuzz language <c>ja</c>/<c>ko</c>, and the font's <c>locl</c> feature
    /// then switches to the Japanese/Korean forms (see <see cref="TextLayoutEngine"/>). The face is
    /// found by family name rather than by a fixed index, so a repacked collection still works.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> CollectionFamilies = new Dictionary<string, string>
    {
        ["NotoSansCJK-Regular.ttc"] = "Noto Sans CJK SC",
        ["NotoSansCJK-Bold.ttc"] = "Noto Sans CJK SC",
    };

    public static readonly string[] DefaultDirectories =
    {
        "/usr/share/fonts/truetype/noto", "/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/dejavu",
        "/usr/local/share/fonts", "/usr/share/fonts/truetype",
    };

    /// <summary>
    /// Font folders shipped with the npm package (<c>@reelspeed/engine-fonts</c>), searched after
    /// <c>REELSPEED_FONT_DIRS</c> and before the system folders, so output does not depend on the
    /// machine's fonts. Set by <see cref="Dependencies.Check"/> at load, before the first render.
    /// </summary>
    public static IReadOnlyList<string> BundledDirectories { get; set; } = Array.Empty<string>();

    /// <summary>Whether <see cref="Default"/> has been loaded (its folders can no longer change).</summary>
    public static bool IsDefaultLoaded => s_default.IsValueCreated;

    private static readonly Lazy<FontChain> s_default = new(() => Load(SearchDirectories()), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The process-wide chain; fonts are immutable and shared by every job.</summary>
    public static FontChain Default => s_default.Value;

    private readonly IReadOnlyList<FontFace> _owned;

    private FontChain(FontFace primary, FontFace bold, FontFace? emoji, FontFace? cjk, IReadOnlyList<FontFace> faces, IReadOnlyList<FontFace> owned)
    {
        Primary = primary;
        Bold = bold;
        Emoji = emoji;
        Cjk = cjk;
        Faces = faces;
        _owned = owned;
    }

    public FontFace Primary { get; }
    public FontFace Bold { get; }
    public FontFace? Emoji { get; }

    /// <summary>The Chinese/Japanese/Korean face (Noto Sans CJK, SC face), when installed.</summary>
    public FontFace? Cjk { get; }

    /// <summary>Every face in fallback order (primary first).</summary>
    public IReadOnlyList<FontFace> Faces { get; }

    public static IReadOnlyList<string> SearchDirectories()
    {
        var dirs = new List<string>();
        var env = Environment.GetEnvironmentVariable("REELSPEED_FONT_DIRS");
        if (!string.IsNullOrWhiteSpace(env)) dirs.AddRange(env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        dirs.AddRange(BundledDirectories);
        dirs.AddRange(DefaultDirectories);
        return dirs;
    }

    public static FontChain Load(IReadOnlyList<string> directories)
    {
        string? Find(string file)
        {
            foreach (var d in directories)
            {
                var p = System.IO.Path.Combine(d, file);
                if (File.Exists(p)) return p;
            }
            return null;
        }

        FontFace? Open(string file, bool emoji = false)
        {
            var path = Find(file);
            if (path is null) return null;
            var (tf, index) = CollectionFamilies.TryGetValue(file, out var family) ? OpenCollectionFace(path, family) : (SKTypeface.FromFile(path), 0);
            return tf is null ? null : new FontFace(System.IO.Path.GetFileNameWithoutExtension(file), path, tf, emoji, index);
        }

        FontFace? primary = null;
        foreach (var f in PrimaryCandidates)
            if ((primary = Open(f)) is not null) break;
        if (primary is null)
            throw new EngineException(ErrorCodes.Dependency,
                $"no text font found: looked for {string.Join(", ", PrimaryCandidates)} in {string.Join(":", directories)}; " +
                "install fonts-noto-core (scripts/setup-system.sh) or set REELSPEED_FONT_DIRS");
        FontFace? bold = null;
        foreach (var f in BoldCandidates)
            if ((bold = Open(f)) is not null) break;

        var faces = new List<FontFace> { primary };
        var emojiFace = Open(EmojiFile, emoji: true);
        if (emojiFace is not null) faces.Add(emojiFace);
        foreach (var f in FallbackFiles)
        {
            if (faces.Any(x => System.IO.Path.GetFileName(x.Path) == f)) continue;
            var face = Open(f);
            if (face is not null) faces.Add(face);
        }
        var cjk = faces.FirstOrDefault(f => CollectionFamilies.ContainsKey(System.IO.Path.GetFileName(f.Path)) || f.Path.EndsWith("NotoSansCJKsc-Regular.otf", StringComparison.Ordinal));
        var owned = new List<FontFace>(faces);
        if (bold is not null && !owned.Contains(bold)) owned.Add(bold);
        return new FontChain(primary, bold ?? primary, emojiFace, cjk, faces, owned);
    }

    /// <summary>The face of a collection whose family is <paramref name="family"/>, else the collection's first face.</summary>
    private static (SKTypeface? Typeface, int Index) OpenCollectionFace(string path, string family)
    {
        for (int i = 0; i < 64; i++)
        {
            var tf = SKTypeface.FromFile(path, i);
            if (tf is null) break;
            if (tf.FamilyName == family) return (tf, i);
            tf.Dispose();
        }
        return (SKTypeface.FromFile(path, 0), 0);
    }

    /// <summary>
    /// A chain that tries the given font files first, in order, then this chain's faces: the first
    /// custom font becomes <see cref="Primary"/> (metrics, spaces, and the first choice for every
    /// character it covers); characters it lacks (emoji, other scripts) still fall back through
    /// this chain. <see cref="Bold"/>, <see cref="Emoji"/> and <see cref="Cjk"/> stay this chain's.
    /// The returned chain owns only the faces it opened: disposing it closes the custom fonts and
    /// leaves this chain's faces open; this chain must outlive it.
    /// </summary>
    /// <param name="fonts">Family (a display name; the file's own family name when empty) and file path of each font.</param>
    /// <exception cref="EngineException"><see cref="ErrorCodes.InputNotFound"/> for a missing file,
    /// <see cref="ErrorCodes.UnsupportedMedia"/> for a file that is not a TrueType/OpenType font.</exception>
    public FontChain WithCustomFonts(IReadOnlyList<(string Family, string Path)> fonts)
    {
        var opened = new List<FontFace>(fonts.Count);
        try
        {
            for (int i = 0; i < fonts.Count; i++)
            {
                var (family, path) = fonts[i];
                if (string.IsNullOrWhiteSpace(path))
                    throw new EngineException(ErrorCodes.InvalidConfig, $"fonts[{i}].path: expected the path of a font file, got an empty string");
                var full = System.IO.Path.GetFullPath(path);
                if (!File.Exists(full))
                    throw new EngineException(ErrorCodes.InputNotFound, $"fonts[{i}].path: file not found: {full}");
                var tf = SKTypeface.FromFile(full)
                    ?? throw new EngineException(ErrorCodes.UnsupportedMedia, $"fonts[{i}].path: not a TrueType/OpenType font: {full}");
                opened.Add(new FontFace(string.IsNullOrWhiteSpace(family) ? tf.FamilyName : family, full, tf, isColorEmoji: false));
            }
        }
        catch
        {
            foreach (var f in opened) f.Dispose();
            throw;
        }
        var faces = new List<FontFace>(opened.Count + Faces.Count);
        faces.AddRange(opened);
        faces.AddRange(Faces);
        return new FontChain(opened.Count > 0 ? opened[0] : Primary, Bold, Emoji, Cjk, faces, opened);
    }

    /// <summary>Disposes the faces this chain opened (see the ownership note on the class).</summary>
    public void Dispose()
    {
        foreach (var f in _owned) f.Dispose();
    }
}
