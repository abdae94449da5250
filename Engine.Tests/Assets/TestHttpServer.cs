using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ReelSpeed.Engine.Tests.Assets;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 for asset tests: each path has a handler that writes the
/// raw response (so tests can redirect, stall, drip or lie about lengths). Counts requests per path.
/// </summary>
internal sealed class TestHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, Func<NetworkStream, CancellationToken, Task>> _routes = new();
    private readonly CancellationTokenSource _stop = new();

    public TestHttpServer()
    {
        _listener.Start();
        _ = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";
    public ConcurrentDictionary<string, int> Requests { get; } = new();
    public int RequestCount(string path) => Requests.TryGetValue(path, out var n) ? n : 0;

    public void Serve(string path, byte[] body, string contentType = "application/octet-stream") =>
        _routes[path] = (s, c) => Respond(s, 200, "OK", body, contentType, c);

    public void Status(string path, int status, string reason) =>
        _routes[path] = (s, c) => Respond(s, status, reason, Encoding.ASCII.GetBytes("<html>" + reason + "</html>"), "text/html", c);

    public void Redirect(string path, string location, int status = 302) =>
        _routes[path] = (s, c) => Write(s, $"HTTP/1.1 {status} Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", c);

    public void Handle(string path, Func<NetworkStream, CancellationToken, Task> handler) => _routes[path] = handler;

    public static async Task Respond(NetworkStream s, int status, string reason, byte[] body, string type, CancellationToken c)
    {
        await Write(s, $"HTTP/1.1 {status} {reason}\r\nContent-Type: {type}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n", c);
        await s.WriteAsync(body, c);
    }

    public static Task Write(NetworkStream s, string text, CancellationToken c) => s.WriteAsync(Encoding.ASCII.GetBytes(text), c).AsTask();

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buf = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n"))
                {
                    if (await stream.ReadAsync(buf, _stop.Token) == 0) return;
                    head.Append((char)buf[0]);
                }
                var target = head.ToString().Split(' ')[1];
                var path = target.Split('?')[0];
                Requests.AddOrUpdate(path, 1, (_, n) => n + 1);
                if (_routes.TryGetValue(path, out var handler)) await handler(stream, _stop.Token);
                else await Respond(stream, 404, "Not Found", Encoding.ASCII.GetBytes("not found"), "text/plain", _stop.Token);
                await stream.FlushAsync();
            }
            catch (Exception)
            {
                // a client that went away
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
