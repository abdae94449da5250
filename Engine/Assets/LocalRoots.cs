namespace ReelSpeed.Engine.Assets;

/// <summary>
/// The engine option <c>allowedRoots</c>: the folders local paths must stay in. The one place
/// that decides whether a local path a config or a call names may be read or written: the
/// path is made absolute, <c>..</c> is folded and every symlink on the way is followed
/// (<see cref="RealPath"/>), and the real path that results must be one of the roots or lie
/// under one (by whole path components: <c>/data/root-evil</c> is not in <c>/data/root</c>).
/// Callers then open the real path returned, never the name they were given, so what is
/// opened is what was checked. Remote URLs are not local paths (allowedHosts governs them),
/// and files the engine fetched into its own cache are the engine's, not the config's.
/// </summary>
public sealed class LocalRoots
{
    /// <summary>Symlinks followed while resolving one path before it counts as a loop (Linux's own limit).</summary>
    public const int MaxLinks = 40;

    private readonly string[] _roots;

    private LocalRoots(string[] roots) => _roots = roots;

    /// <summary>The roots as real paths (symlinks resolved), in the order given.</summary>
    public IReadOnlyList<string> Roots => _roots;

    /// <summary>
    /// Confinement to <paramref name="folders"/>: each must be an existing folder and is kept as
    /// its real path. An empty list confines to nothing (every local path is refused).
    /// </summary>
    /// <exception cref="ArgumentException">An entry is not an existing folder; the message names it (<c>allowedRoots[i]</c>) and says why.</exception>
    public static LocalRoots Create(IEnumerable<string> folders)
    {
        var list = new List<string>();
        int i = 0;
        foreach (var folder in folders)
        {
            if (CheckRoot(folder) is { } why) throw new ArgumentException($"allowedRoots[{i}]: {why}");
            list.Add(RealPath(Path.GetFullPath(folder)).Path);
            i++;
        }
        return new LocalRoots(list.ToArray());
    }

    /// <summary>Null when <paramref name="folder"/> may be a root (an existing folder), else why not.</summary>
    public static string? CheckRoot(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder)) return "expected the path of an existing folder, got an empty string";
        if (folder.Contains('\0')) return "the path contains a NUL character, which no file name can";
        string full;
        try
        {
            full = Path.GetFullPath(folder);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"not a valid path: {folder} ({e.Message})";
        }
        ResolvedPath real;
        try
        {
            real = RealPath(full);
        }
        catch (EngineException e)
        {
            return e.Message;
        }
        if (!real.Exists) return $"no such folder: {full}";
        if (!Directory.Exists(real.Path)) return $"{full} is not a folder";
        return null;
    }

    /// <summary>Whether the real path <paramref name="real"/> is a root or lies under one.</summary>
    public bool Contains(string real)
    {
        foreach (var root in _roots)
        {
            if (string.Equals(real, root, StringComparison.Ordinal)) return true;
            var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
            if (real.StartsWith(prefix, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>
    /// The real path of a file to read (absolute <paramref name="fullPath"/>, symlinks followed
    /// to the file itself) when it lies in a root; else <see cref="ErrorCodes.AssetForbidden"/>
    /// naming <paramref name="field"/>. A path that does not exist (yet) is judged by its
    /// nearest existing folder, so a missing file outside the roots is refused, never reported
    /// missing: the roots do not tell whether files outside them exist.
    /// </summary>
    public string ConfineFile(string field, string fullPath)
    {
        var real = Resolve(field, fullPath);
        if (!Contains(real.Path)) throw Forbidden(field, fullPath, real.Path);
        return real.Path;
    }

    /// <summary>
    /// The path to write an output to: the real path of its folder (symlinks followed; folders
    /// still to be created are judged by the nearest existing one) and its own name, which
    /// replaces whatever is there (a symlink there is replaced, not followed). Refused with
    /// <see cref="ErrorCodes.AssetForbidden"/> naming <paramref name="field"/> outside the roots.
    /// </summary>
    public string ConfineOutput(string field, string fullPath)
    {
        var name = Path.GetFileName(fullPath);
        var folder = Path.GetDirectoryName(fullPath);
        if (string.IsNullOrEmpty(name) || folder is null) return ConfineFile(field, fullPath); // a root folder itself: refused later as a folder
        var real = Path.Combine(Resolve(field, folder).Path, name);
        if (!Contains(real)) throw Forbidden(field, fullPath, real);
        return real;
    }

    /// <summary>A folder the engine writes in (its temp folder): its real path, within the roots.</summary>
    public string ConfineFolder(string field, string fullPath) => ConfineFile(field, fullPath);

    private EngineException Forbidden(string field, string given, string real)
    {
        // The roots themselves are not listed: messages may reach the users whose configs are confined.
        var where = _roots.Length == 0 ? "refused: the engine's allowedRoots is empty, no local path is allowed" : "outside the engine's allowedRoots";
        var resolved = string.Equals(given, real, StringComparison.Ordinal) ? "" : $" (resolves to {real})";
        return new EngineException(ErrorCodes.AssetForbidden, $"{field}: {given}{resolved} is {where}");
    }

    private static ResolvedPath Resolve(string field, string fullPath)
    {
        try
        {
            return RealPath(fullPath);
        }
        catch (EngineException e)
        {
            throw new EngineException(e.Code, $"{field}: {e.Message}", e);
        }
    }

    /// <summary>A path with every symlink resolved; <see cref="Exists"/> false when a part of it is missing (that part and the rest are kept as given).</summary>
    public readonly record struct ResolvedPath(string Path, bool Exists);

    /// <summary>
    /// The real path of <paramref name="fullPath"/> (absolute, <c>..</c> folded): each component
    /// in turn, a symlink replaced by its target (relative targets against the real folder
    /// holding the link, its <c>..</c> taken after the links before them) and resolved again, as the kernel would. From the first component that
    /// does not exist, the rest is kept as given (it holds no <c>..</c> and no symlink can be
    /// there yet). A loop, or more than <see cref="MaxLinks"/> links, is <see cref="ErrorCodes.InputNotFound"/>.
    /// </summary>
    public static ResolvedPath RealPath(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath);
        if (string.IsNullOrEmpty(root)) throw new ArgumentException($"not an absolute path: {fullPath}", nameof(fullPath));
        // Components still to walk, the next on top.
        var pending = new Stack<string>();
        PushComponents(pending, fullPath, root);
        string current = root;
        int links = 0;
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (name == ".") continue;
            if (name == "..")
            {
                current = Path.GetDirectoryName(current) ?? current; // current is real: its parent is too
                continue;
            }
            var candidate = Path.Combine(current, name);
            string? target = LinkTarget(candidate);
            if (target is not null)
            {
                if (++links > MaxLinks)
                    throw new EngineException(ErrorCodes.InputNotFound, $"{fullPath}: too many levels of symbolic links (a symlink loop)");
                // The target's own ".." apply after its symlinks, as the kernel applies them.
                if (Path.IsPathRooted(target))
                {
                    current = Path.GetPathRoot(target)!;
                    PushComponents(pending, target, current);
                }
                else PushComponents(pending, target, "");
                continue;
            }
            if (!Path.Exists(candidate))
            {
                var rest = new List<string> { candidate };
                while (pending.Count > 0) rest.Add(pending.Pop());
                var missing = Path.Combine(rest.ToArray());
                if (rest.Contains("..") || rest.Contains("."))
                {
                    // "missing/../x" (from a link's target): folded, x may be an existing link again.
                    missing = Path.GetFullPath(missing);
                    current = Path.GetPathRoot(missing)!;
                    PushComponents(pending, missing, current);
                    continue;
                }
                return new ResolvedPath(missing, false);
            }
            current = candidate;
        }
        return new ResolvedPath(current, true);
    }

    private static void PushComponents(Stack<string> pending, string path, string root)
    {
        var parts = path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }

    /// <summary>Where a symlink points (as stored); null when <paramref name="path"/> is not a symlink or cannot be read.</summary>
    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // not readable: whatever is there cannot be opened through it either
        }
    }
}
