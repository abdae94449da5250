using System.Runtime.InteropServices;

namespace ReelSpeed.Engine.Media.Native;

/// <summary>
/// Collects the lines libav logs on the current thread while a capture is open, so that a
/// failure can say why (<c>Cannot load libcuda.so.1</c>, <c>Cannot open DRM render node for
/// device 0.</c>) instead of only the return code's text (<c>Operation not permitted</c>,
/// <c>Generic error in an external library</c>). Errors and warnings are preferred; when there
/// are none, the informational and verbose lines are used (VAAPI explains its failures only at
/// verbose level). libav's log goes nowhere otherwise, as with <see cref="AvConst.LogQuiet"/>:
/// the callback drops every line no capture asked for. The callback is installed once per
/// process, the first time a capture starts. A capture reuses its thread's buffer, so opening
/// one per frame allocates nothing.
/// </summary>
internal static unsafe class AvLogCapture
{
    private const int MaxLines = 24;
    private const int LineBytes = 1024;
    private static int s_installed;

    [ThreadStatic] private static List<(int Level, string Text)>? t_lines;
    [ThreadStatic] private static int t_depth;

    /// <summary>Starts capturing on this thread; dispose the scope (on this thread) to stop.</summary>
    public static Scope Begin()
    {
        if (Volatile.Read(ref s_installed) == 0 && Interlocked.Exchange(ref s_installed, 1) == 0)
            LibAv.av_log_set_callback(&OnLog);
        var lines = t_lines ??= new List<(int, string)>(4);
        if (t_depth++ == 0) lines.Clear();
        return new Scope(lines.Count);
    }

    public readonly struct Scope : IDisposable
    {
        private readonly int _start;

        internal Scope(int start) => _start = start;

        /// <summary>
        /// The distinct error and warning lines logged since this scope began (else the
        /// informational and verbose ones), joined with "; "; null when there are none.
        /// </summary>
        public string? Text
        {
            get
            {
                var l = t_lines;
                if (l is null || l.Count <= _start) return null;
                var mine = l.Skip(_start).ToList();
                var serious = mine.Where(x => x.Level <= AvConst.LogWarning).ToList();
                return string.Join("; ", (serious.Count > 0 ? serious : mine).Select(x => x.Text));
            }
        }

        public void Dispose()
        {
            if (t_depth > 0 && --t_depth == 0) t_lines?.Clear();
        }
    }

    /// <summary>libav's text for <paramref name="ret"/>, followed by the lines logged in <paramref name="scope"/>.</summary>
    public static string Describe(int ret, in Scope scope) =>
        scope.Text is { } log ? $"{LibAv.ErrorText(ret)} ({log})" : LibAv.ErrorText(ret);

    [UnmanagedCallersOnly]
    private static void OnLog(nint avcl, int level, nint fmt, nint vl)
    {
        try
        {
            if (t_depth == 0 || level > AvConst.LogVerbose) return;
            var lines = t_lines;
            if (lines is null || lines.Count >= MaxLines) return;
            // va_list arrives as a pointer on the ABIs .NET runs on (x64 SysV, arm64, Windows),
            // and av_log_format_line2 takes it the same way.
            byte* buf = stackalloc byte[LineBytes];
            int printPrefix = 0; // no "[h264_nvenc @ 0x…]" prefix: the caller says what it opened
            if (LibAv.av_log_format_line2(avcl, level, fmt, vl, buf, LineBytes, &printPrefix) < 0) return;
            var text = Marshal.PtrToStringUTF8((nint)buf)?.Trim();
            if (string.IsNullOrEmpty(text)) return;
            foreach (var (_, t) in lines)
                if (t == text) return;
            lines.Add((level, text));
        }
        catch
        {
            // Nothing may propagate into native code.
        }
    }
}
