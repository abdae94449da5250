using System.Net;
using NUnit.Framework;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Assets;

namespace ReelSpeed.Engine.Tests.Assets;

/// <summary>The address policy, allowedHosts / assetCacheMb parsing, and the media sniffer: no network.</summary>
public class AssetPolicyTests
{
    [TestCase("127.0.0.1"), TestCase("127.255.0.9"), TestCase("10.0.0.1"), TestCase("172.16.0.1"), TestCase("172.31.255.255")]
    [TestCase("192.168.0.1"), TestCase("169.254.169.254"), TestCase("169.254.1.1"), TestCase("0.0.0.0"), TestCase("0.1.2.3")]
    [TestCase("::1"), TestCase("fc00::1"), TestCase("fd00:ec2::254"), TestCase("fe80::1"), TestCase("::")]
    [TestCase("::ffff:127.0.0.1"), TestCase("::ffff:10.1.1.1"), TestCase("::ffff:169.254.169.254"), TestCase("::ffff:192.168.1.1")]
    public void Private_loopback_link_local_and_metadata_addresses_are_refused(string address)
    {
        var policy = new AssetPolicy();
        Assert.That(policy.Refusal("host", IPAddress.Parse(address)), Is.Not.Null.And.Contain("allowedHosts"));
        Assert.That(policy.UrlRefusal(new Uri($"http://{(address.Contains(':') ? "[" + address + "]" : address)}/x")), Is.Not.Null);
    }

    [TestCase("8.8.8.8"), TestCase("172.32.0.1"), TestCase("172.15.255.255"), TestCase("192.169.0.1"), TestCase("2001:4860:4860::8888"), TestCase("::ffff:8.8.8.8")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.That(new AssetPolicy().Refusal("host", IPAddress.Parse(address)), Is.Null);

    [Test]
    public void AllowedHosts_lists_host_names_addresses_and_cidrs()
    {
        var policy = new AssetPolicy(new[] { "media.internal", "10.0.0.0/8", "127.0.0.1", "fd00::/8" });
        Assert.That(policy.Refusal("media.internal", IPAddress.Parse("192.168.1.1")), Is.Null, "a listed name may resolve anywhere");
        Assert.That(policy.Refusal("x", IPAddress.Parse("10.200.3.4")), Is.Null);
        Assert.That(policy.Refusal("x", IPAddress.Parse("::ffff:10.200.3.4")), Is.Null, "the mapped form of a listed IPv4 address");
        Assert.That(policy.Refusal("x", IPAddress.Parse("127.0.0.1")), Is.Null);
        Assert.That(policy.Refusal("x", IPAddress.Parse("127.0.0.2")), Is.Not.Null);
        Assert.That(policy.Refusal("x", IPAddress.Parse("fd12::1")), Is.Null);
        Assert.That(policy.Refusal("x", IPAddress.Parse("fc12::1")), Is.Not.Null);
        Assert.That(policy.Refusal("other.internal", IPAddress.Parse("192.168.1.1")), Is.Not.Null);
        Assert.That(policy.UrlRefusal(new Uri("file:///etc/passwd")), Does.Contain("only http and https"));
    }

    [Test]
    public void Engine_options_parse_allowedHosts_and_assetCacheMb()
    {
        var o = EngineOptions.Parse("""{ "allowedHosts": ["cdn.example.com", "10.0.0.0/8", "::1"], "assetCacheMb": 256 }""");
        Assert.That(o.AllowedHosts, Is.EqualTo(new[] { "cdn.example.com", "10.0.0.0/8", "::1" }));
        Assert.That(o.AssetCacheMb, Is.EqualTo(256));
        var d = EngineOptions.Parse("{}");
        Assert.That((d.AllowedHosts.Count, d.AssetCacheMb), Is.EqualTo((0, EngineOptions.DefaultAssetCacheMb)));
        Assert.That(EngineOptions.Parse("""{ "tempDirectory": "/tmp" }""").AssetCacheFolder, Is.EqualTo("/tmp/assets"));

        var e = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse("""{ "allowedHosts": ["ok.com", "10.0.0.0/99", 5, "a b"], "assetCacheMb": 0 }"""))!;
        Assert.That(e.Errors.Select(x => x.Path), Is.EquivalentTo(new[] { "options.allowedHosts[1]", "options.allowedHosts[2]", "options.allowedHosts[3]", "options.assetCacheMb" }));
        var notArray = Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse("""{ "allowedHosts": "127.0.0.1" }"""))!;
        Assert.That(notArray.Errors.Single().Path, Is.EqualTo("options.allowedHosts"));
        Assert.Throws<ConfigValidationException>(() => EngineOptions.Parse("""{ "assetCache": 5 }"""), "unknown keys stay errors");
    }

    [TestCase(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, AssetKind.Image, true)]
    [TestCase(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, AssetKind.Audio, false)]
    [TestCase(new byte[] { 0x49, 0x44, 0x33, 0x04, 0x00 }, AssetKind.Audio, true)]
    [TestCase(new byte[] { 0xFF, 0xFB, 0x90, 0x00 }, AssetKind.Audio, true)]
    [TestCase(new byte[] { 0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6F, 0x6D }, AssetKind.Audio, true)]
    [TestCase(new byte[] { 0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6F, 0x6D }, AssetKind.Video, true)]
    [TestCase(new byte[] { 0x00, 0x01, 0x00, 0x00, 0x00, 0x10 }, AssetKind.Font, true)]
    [TestCase(new byte[] { 0x7B, 0x22, 0x65, 0x22, 0x3A, 0x31, 0x7D }, AssetKind.Audio, false)] // {"e":1}
    [TestCase(new byte[] { 0x3C, 0x68, 0x74, 0x6D, 0x6C, 0x3E }, AssetKind.Video, false)]       // <html>
    [TestCase(new byte[0], AssetKind.Image, false)]
    public void The_sniffer_tells_media_from_text_and_other_kinds(byte[] head, AssetKind kind, bool ok) =>
        Assert.That(MediaSniffer.Mismatch(head, kind) is null, Is.EqualTo(ok));
}
