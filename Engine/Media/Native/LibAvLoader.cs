using System.Runtime.InteropServices;

namespace ReelSpeed.Engine.Media.Native;

/// <summary>
/// Checks once per process that the FFmpeg libraries load and are the major versions the
/// bindings and <see cref="AvLayout"/> offsets were written for; fails with an actionable
/// message otherwise, instead of crashing on a mismatched struct later.
/// </summary>
public static class LibAvLoader
{
    private static readonly Lazy<string> s_version = new(Check, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The FFmpeg version string, after verifying the libraries.</summary>
    public static string EnsureLoaded() => s_version.Value;

    private static string Check()
    {
        string install = "install FFmpeg 5.1's shared libraries: " + LibAvNames.InstallHint();
        (string Lib, Func<uint> Version, int Major)[] libs =
        {
            (LibAv.AvUtil, LibAv.avutil_version, AvConst.AvUtilMajor),
            (LibAv.AvCodec, LibAv.avcodec_version, AvConst.AvCodecMajor),
            (LibAv.AvFormat, LibAv.avformat_version, AvConst.AvFormatMajor),
            (LibAv.SwScale, LibAv.swscale_version, AvConst.SwScaleMajor),
            (LibAv.SwResample, LibAv.swresample_version, AvConst.SwResampleMajor),
        };
        foreach (var (lib, version, major) in libs)
        {
            uint v;
            try
            {
                v = version();
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                throw new EngineException(ErrorCodes.Dependency, $"cannot load {LibAvNames.FileName(lib)}: {e.Message}; {install}", e);
            }
            int found = (int)(v >> 16);
            if (found != major)
                throw new EngineException(ErrorCodes.Dependency,
                    $"{lib} is major version {found} ({found}.{(v >> 8) & 0xFF}.{v & 0xFF}), but this engine is built for {major}; {install}");
        }
        LibAv.av_log_set_level(AvConst.LogQuiet);
        return Marshal.PtrToStringUTF8(LibAv.av_version_info()) ?? "unknown";
    }
}

/// <summary>Turns libav return codes into coded engine errors.</summary>
internal static class AvCheck
{
    public static int Ok(int ret, string code, string what)
    {
        if (ret < 0) throw new EngineException(code, $"{what}: {LibAv.ErrorText(ret)}");
        return ret;
    }
}
