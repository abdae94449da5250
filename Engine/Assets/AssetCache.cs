using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ReelSpeed.Engine.Assets;

/// <summary>
/// Downloaded assets on disk: each body stored once under the SHA-256 of its content, an index
/// from URL to content, and a byte bound enforced least-recently-used first. Files a running job
/// uses are pinned and never evicted under it (the bound may be exceeded while they are). One
/// instance per folder in a process (<see cref="Open"/>), shared by every engine and job using it.
/// </summary>
public sealed class AssetCache
{
    private static readonly ConcurrentDictionary<string, AssetCache> s_open = new(StringComparer.Ordinal);

    private sealed class Entry
    {
        public long Size;
        public long LastUse;
        public int Pins;
    }

    private readonly object _gate = new();
    private readonly Dictionary<string, string> _urls = new(StringComparer.Ordinal);   // URL → content name
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal); // content name → entry
    private long _bytes, _clock, _maxBytes;
    private bool _scanned;

    private AssetCache(string folder, long maxBytes)
    {
        Folder = folder;
        _maxBytes = maxBytes;
    }

    /// <summary>The cache of <paramref name="folder"/> (shared within the process), bounded to <paramref name="maxBytes"/> (the latest opener's bound).</summary>
    public static AssetCache Open(string folder, long maxBytes)
    {
        var full = Path.GetFullPath(folder);
        var cache = s_open.GetOrAdd(full, f => new AssetCache(f, maxBytes));
        lock (cache._gate) cache._maxBytes = maxBytes;
        return cache;
    }

    /// <summary>Drops the process's instance for a folder, as if the process had restarted (tests).</summary>
    internal static void ForgetInstance(string folder) => s_open.TryRemove(Path.GetFullPath(folder), out _);

    public string Folder { get; }

    public long MaxBytes
    {
        get { lock (_gate) return _maxBytes; }
    }

    /// <summary>Bytes held on disk now.</summary>
    public long Bytes
    {
        get { lock (_gate) return _bytes; }
    }

    /// <summary>A fresh file for a download in progress (delete it on failure; <see cref="Add"/> takes it on success).</summary>
    public string NewPartFile()
    {
        EnsureFolder();
        return Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".part");
    }

    /// <summary>The cached file of <paramref name="url"/>, pinned (release with <see cref="Unpin"/>), or null on a miss.</summary>
    public string? TryPin(string url)
    {
        EnsureFolder();
        lock (_gate)
        {
            if (!_urls.TryGetValue(url, out var name)) name = ReadRef(url); // cached by an earlier process?
            if (name is null || !_entries.TryGetValue(name, out var e)) return null;
            _urls[url] = name;
            var path = Path.Combine(Folder, name);
            if (!File.Exists(path))
            {
                Forget(name);
                return null;
            }
            e.Pins++;
            e.LastUse = ++_clock;
            return path;
        }
    }

    /// <summary>
    /// Stores a finished download (<paramref name="partFile"/>, moved in or dropped when the same
    /// content is already held) as <paramref name="url"/>'s body, pinned, and evicts what the bound asks.
    /// </summary>
    public string AddPinned(string url, string partFile, string extension)
    {
        string hash;
        using (var s = File.OpenRead(partFile)) hash = Convert.ToHexStringLower(SHA256.HashData(s));
        var name = hash + extension;
        var path = Path.Combine(Folder, name);
        long size = new FileInfo(partFile).Length;
        lock (_gate)
        {
            if (_entries.TryGetValue(name, out var existing) && File.Exists(path))
            {
                File.Delete(partFile);
            }
            else
            {
                File.Move(partFile, path, overwrite: true);
                if (existing is null)
                {
                    existing = new Entry { Size = size };
                    _entries[name] = existing;
                    _bytes += size;
                }
            }
            _urls[url] = name;
            WriteRef(url, name);
            existing.Pins++;
            existing.LastUse = ++_clock;
            EvictLocked();
            return path;
        }
    }

    /// <summary>URL → content, kept on disk too (<c>urls/</c>, one small file per URL) so a later process reuses the cache.</summary>
    private string RefPath(string url) => Path.Combine(Folder, "urls", Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(url))));

    private string? ReadRef(string url)
    {
        try
        {
            var lines = File.ReadAllLines(RefPath(url));
            return lines.Length == 2 && lines[0] == url && !lines[1].Contains('/') && !lines[1].Contains('\\') ? lines[1] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void WriteRef(string url, string name)
    {
        try
        {
            Directory.CreateDirectory(Path.Combine(Folder, "urls"));
            var tmp = RefPath(url) + "." + Guid.NewGuid().ToString("N")[..8];
            File.WriteAllLines(tmp, new[] { url, name });
            File.Move(tmp, RefPath(url), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the in-memory index still serves this process
        }
    }

    /// <summary>Releases one pin taken by <see cref="TryPin"/> or <see cref="AddPinned"/>.</summary>
    public void Unpin(string path)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(Path.GetFileName(path), out var e) && e.Pins > 0) e.Pins--;
            EvictLocked();
        }
    }

    /// <summary>Least recently used unpinned files out until the bound holds.</summary>
    private void EvictLocked()
    {
        while (_bytes > _maxBytes)
        {
            string? victim = null;
            long oldest = long.MaxValue;
            foreach (var (name, e) in _entries)
                if (e.Pins == 0 && e.LastUse < oldest)
                {
                    oldest = e.LastUse;
                    victim = name;
                }
            if (victim is null) return; // everything left is in use
            try
            {
                File.Delete(Path.Combine(Folder, victim));
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
            Forget(victim);
        }
    }

    private void Forget(string name)
    {
        if (_entries.Remove(name, out var e)) _bytes -= e.Size;
        foreach (var url in _urls.Where(kv => kv.Value == name).Select(kv => kv.Key).ToList())
        {
            _urls.Remove(url);
            TryDelete(RefPath(url));
        }
    }

    /// <summary>
    /// Creates the folder on first use, and counts files an earlier process left in it (oldest
    /// first out) so the bound covers the whole folder; stale partial downloads are removed.
    /// </summary>
    private void EnsureFolder()
    {
        lock (_gate)
        {
            if (_scanned && Directory.Exists(Folder)) return;
            Directory.CreateDirectory(Folder);
            if (_scanned) return;
            _scanned = true;
            foreach (var f in new DirectoryInfo(Folder).EnumerateFiles().OrderBy(f => f.LastWriteTimeUtc))
            {
                if (f.Extension == ".part")
                {
                    if (f.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1)) TryDelete(f.FullName);
                    continue;
                }
                if (_entries.ContainsKey(f.Name)) continue;
                _entries[f.Name] = new Entry { Size = f.Length, LastUse = ++_clock };
                _bytes += f.Length;
            }
            EvictLocked();
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
