using System.Net;
using System.Net.Sockets;

namespace ReelSpeed.Engine.Assets;

/// <summary>
/// What remote assets may be fetched and how: only http and https; never from a loopback,
/// private, link-local or cloud-metadata address unless <see cref="AllowedHosts"/> lists the
/// host name or a CIDR holding the address; and the download limits.
/// </summary>
public sealed class AssetPolicy
{
    public const int DefaultMaxParallelDownloads = 4;
    public const int MaxRedirectsLimit = 5;
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultTotalTimeout = TimeSpan.FromSeconds(120);
    public const long DefaultMaxBytes = 500L * 1000 * 1000;

    private readonly HashSet<string> _hostNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(byte[] Network, int PrefixBits)> _networks = new();

    /// <param name="allowedHosts">Host names (exact, case-insensitive) or CIDRs / IP addresses allowed even when private.</param>
    public AssetPolicy(IEnumerable<string>? allowedHosts = null)
    {
        foreach (var entry in allowedHosts ?? Array.Empty<string>())
        {
            if (TryParseCidr(entry, out var net, out int bits)) _networks.Add((net, bits));
            else if (CheckHostEntry(entry) is null) _hostNames.Add(entry.Trim().TrimEnd('.'));
            else throw new ArgumentException($"not a host name or CIDR: {entry}", nameof(allowedHosts));
        }
        AllowedHosts = (allowedHosts ?? Array.Empty<string>()).ToArray();
    }

    public IReadOnlyList<string> AllowedHosts { get; }
    /// <summary>Downloads running at once in one engine (more wait).</summary>
    public int MaxParallelDownloads { get; init; } = DefaultMaxParallelDownloads;
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;
    /// <summary>One asset's whole download, redirects included.</summary>
    public TimeSpan TotalTimeout { get; init; } = DefaultTotalTimeout;
    /// <summary>The largest body accepted for one asset.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;
    /// <summary>Redirects followed for one asset (at most <see cref="MaxRedirectsLimit"/>).</summary>
    public int MaxRedirects { get; init; } = MaxRedirectsLimit;

    /// <summary>Null when <paramref name="entry"/> is a valid allowedHosts entry, else why not.</summary>
    public static string? CheckHostEntry(string entry)
    {
        var e = entry.Trim().TrimEnd('.');
        if (TryParseCidr(e, out _, out _)) return null;
        if (e.Contains('/')) return "expected a host name, an IP address or a CIDR such as \"10.0.0.0/8\"";
        if (e.Length is 0 or > 253) return "expected a host name, an IP address or a CIDR, got an empty or overlong string";
        if (Uri.CheckHostName(e) != UriHostNameType.Dns) return "expected a host name, an IP address or a CIDR such as \"10.0.0.0/8\"";
        return null;
    }

    /// <summary>"10.0.0.0/8", "fc00::/7" or a bare address (one host).</summary>
    public static bool TryParseCidr(string text, out byte[] network, out int prefixBits)
    {
        network = Array.Empty<byte>();
        prefixBits = 0;
        var t = text.Trim();
        int slash = t.IndexOf('/');
        var addrText = slash < 0 ? t : t[..slash];
        if (addrText.StartsWith('[') && addrText.EndsWith(']')) addrText = addrText[1..^1];
        if (!IPAddress.TryParse(addrText, out var addr)) return false;
        addr = Normalize(addr);
        network = addr.GetAddressBytes();
        int max = network.Length * 8;
        if (slash < 0) prefixBits = max;
        else if (!int.TryParse(t[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefixBits) || prefixBits > max)
            return false;
        return true;
    }

    /// <summary>An IPv4-mapped IPv6 address as the IPv4 address it is; others unchanged.</summary>
    public static IPAddress Normalize(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    /// <summary>Why an address is refused by default (null: a public address).</summary>
    public static string? ForbiddenReason(IPAddress address)
    {
        var a = Normalize(address);
        var b = a.GetAddressBytes();
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            if (b[0] == 127) return "a loopback address";
            if (b[0] == 0) return "a 'this network' address (0.0.0.0/8)";
            if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)) return "a private address";
            if (b[0] == 169 && b[1] == 254) return b[2] == 169 && b[3] == 254 ? "the cloud metadata address" : "a link-local address";
            if (b[0] == 100 && (b[1] & 0xC0) == 64) return "a shared (carrier-grade NAT) address";
            if (b[0] >= 224) return "a multicast or reserved address";
            return null;
        }
        if (IPAddress.IsLoopback(a)) return "a loopback address";
        if (a.Equals(IPAddress.IPv6Any)) return "the unspecified address";
        if ((b[0] & 0xFE) == 0xFC) return "a unique-local (private) address";
        if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "a link-local address";
        if (b[0] == 0xFF) return "a multicast address";
        // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) forms carry an IPv4 address: judge that.
        bool zeros96 = b.Take(12).All(x => x == 0);
        bool nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.Skip(4).Take(8).All(x => x == 0);
        if (zeros96 || nat64) return ForbiddenReason(new IPAddress(b[12..]));
        return null;
    }

    /// <summary>Whether a host name is listed in allowedHosts.</summary>
    public bool IsHostAllowed(string host) => _hostNames.Contains(host.TrimEnd('.'));

    /// <summary>Whether an address lies in an allowedHosts CIDR.</summary>
    public bool IsAddressListed(IPAddress address)
    {
        var b = Normalize(address).GetAddressBytes();
        foreach (var (net, bits) in _networks)
        {
            if (net.Length != b.Length) continue;
            int full = bits / 8, rest = bits % 8;
            bool ok = true;
            for (int i = 0; i < full && ok; i++) ok = net[i] == b[i];
            if (ok && rest > 0)
            {
                int mask = 0xFF << (8 - rest) & 0xFF;
                ok = (net[full] & mask) == (b[full] & mask);
            }
            if (ok) return true;
        }
        return false;
    }

    /// <summary>Null when <paramref name="host"/> may be connected to at <paramref name="address"/>, else why not.</summary>
    public string? Refusal(string host, IPAddress address)
    {
        if (IsHostAllowed(host) || IsAddressListed(address)) return null;
        return ForbiddenReason(address) is { } why
            ? $"{host} resolves to {Normalize(address)}, {why}; refused unless the engine option allowedHosts lists it"
            : null;
    }

    /// <summary>
    /// Checks a URL before any connection: http or https only, and a host given as an IP literal
    /// must be allowed. Host names are checked on every address they resolve to, when connecting.
    /// </summary>
    public string? UrlRefusal(Uri url)
    {
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            return $"only http and https URLs are fetched, got a {url.Scheme}: URL";
        var host = url.IdnHost.Trim('[', ']');
        if (IPAddress.TryParse(host, out var ip)) return Refusal(host, ip);
        return null;
    }
}
