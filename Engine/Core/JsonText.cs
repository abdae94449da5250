using System.Text.Json;

namespace ReelSpeed.Engine;

/// <summary>The engine's one way of writing JSON text for the host (results, metadata, scenes).</summary>
public static class JsonText
{
    /// <summary>Runs <paramref name="write"/> on a UTF-8 JSON writer (no HTML escaping: the text goes to JSON.parse) and returns the text.</summary>
    public static string Build(Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(w);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
