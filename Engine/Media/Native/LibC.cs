using System.Runtime.InteropServices;

namespace ReelSpeed.Engine.Media.Native;

/// <summary>
/// The one libc call the engine makes: <c>statx</c> (glibc 2.28+, Linux only). Its result
/// struct has the same layout on every architecture, unlike <c>struct stat</c>, so file type,
/// size and identity (device + inode) are read at fixed offsets. Callers fall back to .NET's
/// file APIs elsewhere (<see cref="Available"/>).
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc.so.6";
    private const int AtFdCwd = -100;
    private const int AtSymlinkNofollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    public const int ENOENT = 2, ENOTDIR = 20, ELOOP = 40, ENAMETOOLONG = 36, EACCES = 13;

    public const uint TypeMask = 0xF000, Fifo = 0x1000, CharDevice = 0x2000, Directory = 0x4000, BlockDevice = 0x6000,
        Regular = 0x8000, Symlink = 0xA000, Socket = 0xC000;

    [LibraryImport(Lib, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte* buf);

    private static int s_available = OperatingSystem.IsLinux() ? 0 : -1;

    /// <summary>Whether statx can be called here (Linux with a glibc that has it).</summary>
    public static bool Available => s_available >= 0;

    /// <summary>File facts from statx; <paramref name="errno"/> is set (and the result default) on failure.</summary>
    public readonly record struct FileStat(uint Mode, long Size, ulong Inode, uint DevMajor, uint DevMinor)
    {
        public uint Type => Mode & TypeMask;
    }

    /// <summary>statx of <paramref name="path"/>, following symlinks unless <paramref name="noFollow"/>. False with errno when it fails or statx is unavailable (errno -1).</summary>
    public static bool TryStat(string path, bool noFollow, out FileStat stat, out int errno)
    {
        stat = default;
        errno = -1;
        if (s_available < 0) return false;
        byte* buf = stackalloc byte[256];
        int ret;
        try
        {
            ret = statx(AtFdCwd, path, noFollow ? AtSymlinkNofollow : 0, StatxBasicStats, buf);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_available = -1;
            return false;
        }
        if (ret != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        stat = new FileStat(*(ushort*)(buf + 28), *(long*)(buf + 40), *(ulong*)(buf + 32), *(uint*)(buf + 136), *(uint*)(buf + 140));
        return true;
    }
}
