using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// Which file a path leads to, so two spellings (<c>a/../b.mp4</c>, <c>a//b.mp4</c>), a symlink
/// and a hard link all compare equal to the file they name: device and inode where statx is
/// available (Linux), else the full path with every symlink resolved.
/// </summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode, string? CanonicalPath)
{
    /// <summary>The identity of the existing file <paramref name="path"/> leads to; null when there is none (or the path is not valid).</summary>
    public static FileIdentity? Of(string path)
    {
        if (string.IsNullOrEmpty(path) || path.Contains('\0')) return null;
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
        if (LibC.TryStat(full, noFollow: false, out var st, out _))
            return new FileIdentity(((ulong)st.DevMajor << 32) | st.DevMinor, st.Inode, null);
        if (LibC.Available) return null; // statx works here and found nothing: no such file
        try
        {
            FileSystemInfo info = new FileInfo(full);
            if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
            if (!info.Exists) return null;
            // Folders above may be links too: resolve each component's final target.
            var dir = new DirectoryInfo(Path.GetDirectoryName(info.FullName)!);
            var resolved = dir.LinkTarget is not null ? dir.ResolveLinkTarget(true)?.FullName ?? dir.FullName : dir.FullName;
            return new FileIdentity(0, 0, Path.Combine(resolved, info.Name));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Whether two existing paths lead to the same file.</summary>
    public static bool Same(string a, string b) => Of(a) is { } x && Of(b) is { } y && x.Equals(y);

    public bool Equals(FileIdentity other) => CanonicalPath is null
        ? other.CanonicalPath is null && Device == other.Device && Inode == other.Inode
        : string.Equals(CanonicalPath, other.CanonicalPath, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    public override int GetHashCode() => CanonicalPath is null ? HashCode.Combine(Device, Inode) : StringComparer.OrdinalIgnoreCase.GetHashCode(CanonicalPath);
}
