using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ReelSpeed.Engine.Media.Native;

/// <summary>
/// The bindings in <see cref="LibAv"/> name FFmpeg's libraries by their Linux SONAMEs
/// (<c>libavcodec.so.59</c>). This resolver maps those names to each OS's own file names
/// (macOS <c>libavcodec.59.dylib</c>, Windows <c>avcodec-59.dll</c>) and looks in
/// <c>REELSPEED_FFMPEG_DIR</c> first, then the OS's default search, then (macOS) Homebrew's and
/// MacPorts' folders. It also holds the install command per OS family for error messages.
/// </summary>
internal static class LibAvNames
{
    /// <summary>Set once when the engine assembly loads, before any libav call.</summary>
#pragma warning disable CA2255 // a module initializer in a library: the resolver must precede the first P/Invoke
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        try { NativeLibrary.SetDllImportResolver(typeof(LibAvNames).Assembly, Resolve); }
        catch (InvalidOperationException) { /* already set */ }
    }

    /// <summary>"libavcodec.so.59" → ("avcodec", "59"); null for a library that is not FFmpeg's.</summary>
    internal static (string Name, string Major)? Parse(string libraryName)
    {
        if (!libraryName.StartsWith("lib", StringComparison.Ordinal)) return null;
        int so = libraryName.IndexOf(".so.", StringComparison.Ordinal);
        if (so < 0) return null;
        string name = libraryName[3..so];
        return name is "avutil" or "avcodec" or "avformat" or "swscale" or "swresample" or "avfilter"
            ? (name, libraryName[(so + 4)..]) : null;
    }

    /// <summary>The file name of an FFmpeg library on this OS.</summary>
    internal static string FileName(string libraryName)
    {
        if (Parse(libraryName) is not var (name, major)) return libraryName;
        if (OperatingSystem.IsMacOS()) return $"lib{name}.{major}.dylib";
        if (OperatingSystem.IsWindows()) return $"{name}-{major}.dll";
        return libraryName;
    }

    private static readonly string[] s_macDirs =
    {
        "/opt/homebrew/opt/ffmpeg@5/lib", "/usr/local/opt/ffmpeg@5/lib", "/opt/homebrew/lib", "/usr/local/lib", "/opt/local/lib",
    };

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (Parse(libraryName) is null) return 0;
        string file = FileName(libraryName);
        var dir = Environment.GetEnvironmentVariable("REELSPEED_FFMPEG_DIR");
        if (!string.IsNullOrEmpty(dir) && NativeLibrary.TryLoad(Path.Combine(dir, file), out var h)) return h;
        if (file != libraryName && NativeLibrary.TryLoad(file, assembly, searchPath, out h)) return h;
        if (OperatingSystem.IsMacOS())
            foreach (var d in s_macDirs)
                if (NativeLibrary.TryLoad(Path.Combine(d, file), out h)) return h;
        return 0; // the runtime's default probing of the original name
    }

    /// <summary>How to install FFmpeg 5.1's shared libraries on this OS family.</summary>
    internal static string InstallHint()
    {
        if (OperatingSystem.IsMacOS())
            return "macOS: brew install ffmpeg@5 (keg-only; found in $(brew --prefix)/opt/ffmpeg@5/lib), or set REELSPEED_FFMPEG_DIR to a folder with libavcodec.59.dylib";
        if (OperatingSystem.IsWindows())
            return "Windows: put the FFmpeg 5.1 shared build's DLLs (avcodec-59.dll, avformat-59.dll, avutil-57.dll, swscale-6.dll, swresample-4.dll) on PATH or in the folder REELSPEED_FFMPEG_DIR names";
        string apt = "Debian 12: apt-get install libavcodec59 libavformat59 libavutil57 libswscale6 libswresample4";
        string dnf = "Fedora/RHEL: dnf install the FFmpeg 5.1 libraries (libavcodec.so.59) from RPM Fusion (ffmpeg-libs on a release that ships 5.1)";
        string other = "or set REELSPEED_FFMPEG_DIR to a folder with FFmpeg 5.1's shared libraries";
        string family = OsReleaseFamily();
        return family switch
        {
            "debian" => $"{apt} (Ubuntu ships other FFmpeg majors: use a Debian 12 base such as node:20-bookworm-slim), {other}",
            "fedora" => $"{dnf}, {other}",
            _ => $"{apt}; {dnf}; {other}",
        };
    }

    private static string OsReleaseFamily()
    {
        try
        {
            var text = File.ReadAllText("/etc/os-release");
            foreach (var line in text.Split('\n'))
            {
                if (!line.StartsWith("ID=", StringComparison.Ordinal) && !line.StartsWith("ID_LIKE=", StringComparison.Ordinal)) continue;
                var v = line[(line.IndexOf('=') + 1)..].Trim('"', ' ');
                if (v.Contains("debian") || v.Contains("ubuntu")) return "debian";
                if (v.Contains("fedora") || v.Contains("rhel") || v.Contains("centos")) return "fedora";
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return "";
    }
}
