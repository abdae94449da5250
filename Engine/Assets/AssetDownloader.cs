using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace ReelSpeed.Engine.Assets;

/// <summary>
/// HTTP(S) downloads under an <see cref="AssetPolicy"/>: redirects followed here (not by
/// HttpClient), each hop's URL checked; every connection made by resolving the host, checking
/// each address and connecting to the checked address itself (no second lookup, so no DNS
/// rebinding); connect and total timeouts; a size limit enforced while reading.
/// </summary>
internal sealed class AssetDownloader : IDisposable
{
    private readonly AssetPolicy _policy;
    private readonly HttpClient _http;

    /// <summary>Thrown inside a connect callback and recognised through HttpClient's wrapping.</summary>
    private sealed class RefusedException(string message) : Exception(message);

    public AssetDownloader(AssetPolicy policy)
    {
        _policy = policy;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = policy.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ReelSpeedEngine", "0.1"));
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancel)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        IPAddress[] addresses = IPAddress.TryParse(host, out var literal)
            ? new[] { literal }
            : await Dns.GetHostAddressesAsync(host, cancel).ConfigureAwait(false);
        string? refusal = null;
        Exception? last = null;
        foreach (var address in addresses)
        {
            if (_policy.Refusal(host, address) is { } why)
            {
                refusal ??= why;
                continue;
            }
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancel).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        if (last is not null) throw last;
        throw new RefusedException(refusal ?? $"{host} resolves to no address");
    }

    /// <summary>
    /// Downloads <paramref name="url"/> into <paramref name="file"/>; returns the final URL. Throws
    /// <see cref="ErrorCodes.AssetForbidden"/> or <see cref="ErrorCodes.AssetFetch"/> naming
    /// <paramref name="field"/>, or <see cref="OperationCanceledException"/> when <paramref name="cancel"/> fires.
    /// </summary>
    public async Task<Uri> DownloadAsync(string field, Uri url, string file, CancellationToken cancel)
    {
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        total.CancelAfter(_policy.TotalTimeout);
        var current = url;
        try
        {
            for (int hop = 0; ; hop++)
            {
                if (_policy.UrlRefusal(current) is { } why) throw Forbidden(field, url, current, why);
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, total.Token).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (status is 301 or 302 or 303 or 307 or 308)
                {
                    if (hop >= _policy.MaxRedirects)
                        throw Fetch(field, url, $"more than {_policy.MaxRedirects} redirects");
                    var location = response.Headers.Location ?? throw Fetch(field, url, $"HTTP {status} redirect without a Location");
                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }
                if (status is < 200 or > 299)
                    throw Fetch(field, url, $"HTTP {status}{(string.IsNullOrEmpty(response.ReasonPhrase) ? "" : " " + response.ReasonPhrase)}");
                if (response.Content.Headers.ContentLength is { } length && length > _policy.MaxBytes)
                    throw Fetch(field, url, $"the body is {length} bytes, more than the limit of {_policy.MaxBytes}");
                await using var body = await response.Content.ReadAsStreamAsync(total.Token).ConfigureAwait(false);
                await using var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                var buffer = new byte[1 << 16];
                long read = 0;
                int n;
                while ((n = await body.ReadAsync(buffer, total.Token).ConfigureAwait(false)) > 0)
                {
                    read += n;
                    if (read > _policy.MaxBytes)
                        throw Fetch(field, url, $"the body is more than the limit of {_policy.MaxBytes} bytes");
                    await output.WriteAsync(buffer.AsMemory(0, n), total.Token).ConfigureAwait(false);
                }
                return current;
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (total.IsCancellationRequested)
        {
            throw Fetch(field, url, $"timed out after {_policy.TotalTimeout.TotalSeconds:0.###} s");
        }
        catch (EngineException)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException or OperationCanceledException)
        {
            for (var x = (Exception?)e; x is not null; x = x.InnerException)
                if (x is RefusedException r) throw Forbidden(field, url, current, r.Message);
            if (e is OperationCanceledException || FindInner<TimeoutException>(e) is not null)
                throw Fetch(field, url, $"could not connect within {_policy.ConnectTimeout.TotalSeconds:0.###} s");
            throw Fetch(field, url, Innermost(e).Message);
        }
    }

    private static T? FindInner<T>(Exception e) where T : Exception
    {
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
            if (x is T t) return t;
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    /// <summary>A URL as shown in messages: no query string, fragment or user info.</summary>
    public static string Display(Uri url) => url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    private static EngineException Fetch(string field, Uri url, string why) =>
        new(ErrorCodes.AssetFetch, $"{field}: cannot fetch {Display(url)}: {why}");

    private static EngineException Forbidden(string field, Uri url, Uri hop, string why) =>
        new(ErrorCodes.AssetForbidden, hop == url
            ? $"{field}: {Display(url)}: {why}"
            : $"{field}: {Display(url)} redirects to {Display(hop)}: {why}");

    public void Dispose() => _http.Dispose();
}
