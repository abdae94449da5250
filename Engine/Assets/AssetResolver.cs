namespace ReelSpeed.Engine.Assets;

/// <summary>Counts of one resolver (one engine): cache hits and misses, and bytes downloaded.</summary>
public readonly record struct AssetStats(long Hits, long Misses, long BytesDownloaded, long CachedBytes);

/// <summary>
/// Turns a field's string — a local path, a file:// URL or an http(s) URL — into a local file.
/// Remote ones come from the <see cref="AssetCache"/> or are downloaded into it under the
/// <see cref="AssetPolicy"/>; one download per URL at a time however many jobs ask, and at most
/// <see cref="AssetPolicy.MaxParallelDownloads"/> downloads at once. A job resolves through an
/// <see cref="AssetSession"/>, which keeps its files pinned in the cache until it is disposed.
/// </summary>
public sealed class AssetResolver : IDisposable
{
    private sealed class Download
    {
        public required Task<string> Task; // the cached file, pinned once for the download itself
        public required CancellationTokenSource Cancel;
        public int Waiters;
        public bool PinReleased;
    }

    private readonly Lazy<AssetDownloader> _downloader;
    private readonly SemaphoreSlim _slots;
    private readonly Dictionary<string, Download> _downloads = new(StringComparer.Ordinal);
    private long _hits, _misses, _bytes;

    public AssetResolver(AssetPolicy policy, string cacheFolder, long cacheBytes, LocalRoots? roots = null)
    {
        Policy = policy;
        Roots = roots;
        CacheFolder = cacheFolder;
        CacheBytes = cacheBytes;
        _downloader = new Lazy<AssetDownloader>(() => new AssetDownloader(policy));
        _slots = new SemaphoreSlim(Math.Max(1, policy.MaxParallelDownloads));
    }

    public AssetPolicy Policy { get; }
    /// <summary>Where local paths must lie (allowedRoots); null: anywhere. Files this resolver fetched are its own and need not.</summary>
    public LocalRoots? Roots { get; }
    public string CacheFolder { get; }
    public long CacheBytes { get; }

    /// <summary>The folder's cache, opened on first use (nothing is created for an engine that never fetches).</summary>
    public AssetCache Cache => AssetCache.Open(CacheFolder, CacheBytes);

    public AssetStats Stats => new(Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _bytes),
        AssetCache.Open(CacheFolder, CacheBytes).Bytes);

    /// <summary>Whether a field's value is an http(s) URL (fetched) rather than a local path or file:// URL.</summary>
    public static bool IsRemote(string? value)
    {
        var v = value?.TrimStart();
        return v is not null && (v.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || v.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A remote URL as messages show it: no query string, fragment or user info.</summary>
    public static string Display(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var u) ? AssetDownloader.Display(u) : url.Split('?', '#')[0];

    /// <summary>
    /// A local path for <paramref name="value"/>: a plain path (against <paramref name="baseDirectory"/>)
    /// or a file:// URL as is (its real path within the allowedRoots when the resolver has them),
    /// an http(s) URL fetched through <paramref name="session"/>.
    /// </summary>
    public static async Task<string> ResolveAsync(AssetSession session, string field, string value, AssetKind kind, string baseDirectory)
    {
        var v = value.Trim();
        if (IsRemote(v)) return await session.FetchAsync(field, v, kind).ConfigureAwait(false);
        if (v.StartsWith("file://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(v, UriKind.Absolute, out var uri) && uri.IsFile)
            v = uri.LocalPath;
        var full = Path.GetFullPath(v, baseDirectory);
        return session.Roots is { } roots ? roots.ConfineFile(field, full) : full;
    }

    /// <summary>A job's view of this resolver: its downloads stop when <paramref name="cancel"/> fires; its files stay cached while it lives.</summary>
    public AssetSession OpenSession(CancellationToken cancel) => new(this, cancel);

    /// <summary>The cached file of <paramref name="url"/> (pinned for the caller), downloading it if needed.</summary>
    internal async Task<string> FetchPinnedAsync(string field, string url, CancellationToken cancel)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new EngineException(ErrorCodes.AssetFetch, $"{field}: not a valid URL: {Display(url)}");
        if (Policy.UrlRefusal(uri) is { } why)
            throw new EngineException(ErrorCodes.AssetForbidden, $"{field}: {AssetDownloader.Display(uri)}: {why}");
        var cache = Cache;
        var key = uri.AbsoluteUri;
        for (int attempt = 0; ; attempt++)
        {
            Download download;
            lock (_downloads)
            {
                if (cache.TryPin(key) is { } hit)
                {
                    Interlocked.Increment(ref _hits);
                    return hit;
                }
                if (!_downloads.TryGetValue(key, out download!))
                {
                    Interlocked.Increment(ref _misses);
                    var d = new Download { Task = null!, Cancel = new CancellationTokenSource() };
                    d.Task = DownloadAsync(field, uri, key, cache, d.Cancel.Token);
                    _downloads[key] = d;
                    _ = d.Task.ContinueWith(_ =>
                    {
                        lock (_downloads)
                        {
                            if (_downloads.TryGetValue(key, out var current) && current == d) _downloads.Remove(key);
                            ReleaseDownloadPin(d, cache);
                        }
                    }, TaskScheduler.Default);
                    download = d;
                }
                download.Waiters++;
            }
            try
            {
                await download.Task.WaitAsync(cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                lock (_downloads)
                {
                    if (--download.Waiters == 0 && !download.Task.IsCompleted) download.Cancel.Cancel(); // nobody else waits: stop it
                    ReleaseDownloadPin(download, cache);
                }
                throw;
            }
            catch (EngineException e) when (attempt == 0 && e.Code == ErrorCodes.Aborted && !cancel.IsCancellationRequested)
            {
                lock (_downloads) download.Waiters--;
                continue; // joined a download its last waiter had just cancelled: start afresh
            }
            catch
            {
                lock (_downloads) download.Waiters--;
                throw;
            }
            // The download's own pin holds the file until every waiter has taken its pin.
            lock (_downloads)
            {
                var mine = cache.TryPin(key);
                download.Waiters--;
                ReleaseDownloadPin(download, cache);
                if (mine is not null) return mine;
            }
        }
    }

    /// <summary>Drops a finished download's own pin once no job waits on it any more (under the downloads lock).</summary>
    private static void ReleaseDownloadPin(Download d, AssetCache cache)
    {
        if (d.PinReleased || d.Waiters > 0 || !d.Task.IsCompletedSuccessfully) return;
        d.PinReleased = true;
        cache.Unpin(d.Task.Result);
    }

    private async Task<string> DownloadAsync(string field, Uri uri, string key, AssetCache cache, CancellationToken cancel)
    {
        await System.Threading.Tasks.Task.Yield();
        try
        {
            await _slots.WaitAsync(cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new EngineException(ErrorCodes.Aborted, $"{field}: the download of {AssetDownloader.Display(uri)} was aborted");
        }
        string part = cache.NewPartFile();
        try
        {
            var final = await _downloader.Value.DownloadAsync(field, uri, part, cancel).ConfigureAwait(false);
            Interlocked.Add(ref _bytes, new FileInfo(part).Length);
            return cache.AddPinned(key, part, Extension(final) ?? Extension(uri) ?? "");
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new EngineException(ErrorCodes.Aborted, $"{field}: the download of {AssetDownloader.Display(uri)} was aborted");
        }
        finally
        {
            _slots.Release();
            if (File.Exists(part)) File.Delete(part);
        }
    }

    /// <summary>The URL path's extension when it is a plain one (decoders and image loaders may look at it).</summary>
    private static string? Extension(Uri uri)
    {
        var ext = Path.GetExtension(uri.AbsolutePath).ToLowerInvariant();
        return ext.Length is > 1 and <= 6 && ext.Skip(1).All(char.IsAsciiLetterOrDigit) ? ext : null;
    }

    public void Dispose()
    {
        if (_downloader.IsValueCreated) _downloader.Value.Dispose();
    }
}

/// <summary>
/// One job's remote assets: fetched under the job's cancellation, pinned in the cache until the
/// session is disposed, and remembered (local file → URL) so messages about a file can name its URL.
/// </summary>
public sealed class AssetSession : IDisposable
{
    private readonly AssetResolver _resolver;
    private readonly CancellationToken _cancel;
    private readonly List<string> _pins = new();
    private readonly Dictionary<string, string> _urls = new(StringComparer.Ordinal);
    private bool _disposed;

    internal AssetSession(AssetResolver resolver, CancellationToken cancel)
    {
        _resolver = resolver;
        _cancel = cancel;
    }

    /// <summary>The engine's allowedRoots (null: local paths are not confined).</summary>
    public LocalRoots? Roots => _resolver.Roots;

    /// <summary>Local files fetched for this job and the URLs (without query) they came from.</summary>
    public IReadOnlyDictionary<string, string> Sources
    {
        get { lock (_pins) return new Dictionary<string, string>(_urls); }
    }

    /// <summary>Fetches one URL and checks its first bytes are <paramref name="kind"/>; returns the local file.</summary>
    public Task<string> FetchAsync(string field, string url, AssetKind kind) => FetchAsync(field, url, kind, _cancel);

    private async Task<string> FetchAsync(string field, string url, AssetKind kind, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        var path = await _resolver.FetchPinnedAsync(field, url, cancel).ConfigureAwait(false);
        lock (_pins)
        {
            if (_disposed)
            {
                _resolver.Cache.Unpin(path);
                throw new ObjectDisposedException(nameof(AssetSession));
            }
            _pins.Add(path);
            _urls[path] = AssetResolver.Display(url);
        }
        var head = new byte[MediaSniffer.HeadLength];
        int n;
        using (var f = File.OpenRead(path)) n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (MediaSniffer.Mismatch(head.AsSpan(0, n), kind) is { } found)
            throw new EngineException(ErrorCodes.UnsupportedMedia,
                $"{field}: {AssetResolver.Display(url)}: expected {KindName(kind)}, got {found}");
        return path;
    }

    /// <summary>
    /// Fetches every (field, url, kind) at once; returns url → local file. The first failure (in
    /// the order given) is thrown and the other downloads are cancelled.
    /// </summary>
    public IReadOnlyDictionary<string, string> FetchAll(IReadOnlyList<(string Field, string Url, AssetKind Kind)> assets)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (assets.Count == 0) return result;
        using var batch = CancellationTokenSource.CreateLinkedTokenSource(_cancel);
        var tasks = assets.Select(a => System.Threading.Tasks.Task.Run(async () =>
        {
            try
            {
                return await FetchAsync(a.Field, a.Url, a.Kind, batch.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                batch.Cancel(); // one failed: the job fails, stop the others
                throw;
            }
        })).ToArray();
        try
        {
            System.Threading.Tasks.Task.WaitAll(tasks);
        }
        catch (AggregateException)
        {
            // reported below: the first real failure in field order, else the abort
        }
        _cancel.ThrowIfCancellationRequested();
        foreach (var t in tasks)
            if (t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(t.Exception.InnerException!).Throw();
        for (int i = 0; i < tasks.Length; i++) result[assets[i].Url] = tasks[i].Result;
        return result;
    }

    private static string KindName(AssetKind kind) => kind switch
    {
        AssetKind.Image => "an image",
        AssetKind.Audio => "audio",
        AssetKind.Video => "a video",
        _ => "a TrueType/OpenType font",
    };

    /// <summary>Unpins this job's files (they stay cached, and may now be evicted).</summary>
    public void Dispose()
    {
        lock (_pins)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var p in _pins) _resolver.Cache.Unpin(p);
            _pins.Clear();
        }
    }
}
