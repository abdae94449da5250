using System.Globalization;
using System.Text.Json;
using SkiaSharp;

namespace ReelSpeed.Engine.Config;

/// <summary>
/// Walks a JSON document field by field, converting values and collecting every problem
/// with its path instead of stopping at the first one. Absent and <c>null</c> fields both
/// read as "not given", since stored platform configs often carry explicit nulls.
/// </summary>
internal sealed class ConfigReader
{
    /// <summary>
    /// The most errors kept for <c>error.errors</c>; past it they are only counted (one config
    /// with 20,000 bad messages made a 2.4 MB message), and the last entry says how many more.
    /// </summary>
    public const int MaxErrors = 1000;

    private readonly List<ConfigError> _errors = new();
    private readonly List<string> _warnings = new();
    private int _omitted;

    public IReadOnlyList<ConfigError> Errors => _omitted == 0
        ? _errors
        : [.. _errors, new ConfigError("config", $"{_omitted} more error{(_omitted == 1 ? "" : "s")} not listed (validation keeps the first {MaxErrors})")];
    public IReadOnlyList<string> Warnings => _warnings;

    public void Error(string path, string message)
    {
        if (_errors.Count < MaxErrors) _errors.Add(new ConfigError(path, message));
        else _omitted++;
    }

    public void Warn(string message) => _warnings.Add(message);

    public static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "." + name;

    /// <summary>Describes a JSON value for an error message: <c>"thirty"</c>, <c>30.5</c>, <c>an array</c>.</summary>
    public static string Describe(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var s = Text(value) ?? "(invalid UTF-16)";
                if (s.Length > 40) s = s[..37] + "...";
                return JsonSerializerHelpers.Quote(s);
            case JsonValueKind.Number: return value.GetRawText();
            case JsonValueKind.True: return "true";
            case JsonValueKind.False: return "false";
            case JsonValueKind.Null: return "null";
            case JsonValueKind.Array: return "an array";
            case JsonValueKind.Object: return "an object";
            default: return "nothing";
        }
    }

    /// <summary>
    /// A string value, or null when the JSON escapes a lone surrogate (valid JSON, invalid
    /// text: JS's JSON.stringify produces it from a broken string).
    /// </summary>
    public static string? Text(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The property when present and not null.</summary>
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
            return true;
        value = default;
        return false;
    }

    /// <summary>
    /// The one rule for a hardware-encoder setting (<c>enableHardwareAcceleration</c>,
    /// <c>optimization.hardware_acceleration</c>, optimizeVideo's <c>hardwareAcceleration</c>):
    /// <c>true</c> (required), <c>false</c> (off) or <c>"auto"</c>; null when absent or invalid (an error is recorded).
    /// </summary>
    public HardwareAcceleration? Hardware(JsonElement obj, string path, string name)
    {
        if (!TryGet(obj, name, out var v)) return null;
        switch (v.ValueKind)
        {
            case JsonValueKind.True: return HardwareAcceleration.Required;
            case JsonValueKind.False: return HardwareAcceleration.Off;
            case JsonValueKind.String when Text(v) == "auto": return HardwareAcceleration.Auto;
            default:
                Error(Join(path, name), $"expected true, false or \"auto\", got {Describe(v)}");
                return null;
        }
    }

    /// <summary>
    /// Parses config text once, the way every config is read (trailing commas and comments
    /// allowed); malformed JSON is a validation error of <paramref name="field"/> naming the position.
    /// </summary>
    public static JsonDocument ParseDocument(string json, string field = "config")
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ConfigValidationException(new[] { new ConfigError(field, $"is not valid JSON ({e.Message})") });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // A JS string with a lone surrogate cannot become UTF-8 JSON text.
            throw new ConfigValidationException(new[] { new ConfigError(field, $"is not valid text: it contains invalid UTF-16 (a lone surrogate) ({e.Message})") });
        }
    }

    /// <summary>An optional nested object; a value of another type is an error and reads as absent.</summary>
    public JsonElement? Object(JsonElement obj, string path, string name)
    {
        if (!TryGet(obj, name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Object) return v;
        Error(Join(path, name), $"expected an object, got {Describe(v)}");
        return null;
    }

    public string? String(JsonElement obj, string path, string name, bool required = false)
    {
        if (!TryGet(obj, name, out var v))
        {
            if (required) Error(Join(path, name), "is required (a string)");
            return null;
        }
        if (v.ValueKind == JsonValueKind.String)
        {
            var text = Text(v);
            if (text is null) Error(Join(path, name), "contains invalid UTF-16 (a lone surrogate)");
            return text;
        }
        Error(Join(path, name), $"expected a string, got {Describe(v)}");
        return null;
    }

    public bool? Bool(JsonElement obj, string path, string name)
    {
        if (!TryGet(obj, name, out var v)) return null;
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
        Error(Join(path, name), $"expected true or false, got {Describe(v)}");
        return null;
    }

    public double? Number(JsonElement obj, string path, string name, double min, double max, string? unit = null)
    {
        if (!TryGet(obj, name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) && d >= min && d <= max)
            return d;
        var range = $"{Fmt(min)}..{Fmt(max)}" + (unit is null ? "" : " " + unit);
        Error(Join(path, name), $"expected a number {range}, got {Describe(v)}");
        return null;
    }

    public int? Integer(JsonElement obj, string path, string name, int min, int max, string? unit = null)
    {
        if (!TryGet(obj, name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d == Math.Floor(d) && d >= min && d <= max)
            return (int)d;
        var range = $"{min}..{max}" + (unit is null ? "" : " " + unit);
        Error(Join(path, name), $"expected an integer {range}, got {Describe(v)}");
        return null;
    }

    /// <summary>One of a fixed set of strings, compared case-insensitively, returned lower-case.</summary>
    public string? Choice(JsonElement obj, string path, string name, IReadOnlyList<string> allowed)
    {
        if (!TryGet(obj, name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.String)
        {
            var s = (Text(v) ?? "").Trim().ToLowerInvariant();
            foreach (var a in allowed)
                if (a == s) return a;
        }
        Error(Join(path, name), $"expected one of {string.Join(", ", allowed.Select(a => "\"" + a + "\""))}, got {Describe(v)}");
        return null;
    }

    public SKColor? Color(JsonElement obj, string path, string name)
    {
        if (!TryGet(obj, name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.String && ColorParser.TryParse(Text(v) ?? "", out var c)) return c;
        Error(Join(path, name), $"expected a colour (\"#RGB\", \"#RRGGBB\", \"#RRGGBBAA\", \"rgb(r,g,b)\" or \"rgba(r,g,b,a)\"), got {Describe(v)}");
        return null;
    }

    /// <summary>
    /// Fields this engine version knows but cannot honour yet are accepted at their neutral
    /// value and rejected otherwise, so a config never silently renders something other than asked.
    /// </summary>
    public void RejectUnlessNeutral(JsonElement obj, string path, string name, Func<JsonElement, bool> isNeutral, string what)
    {
        if (!TryGet(obj, name, out var v)) return;
        if (!isNeutral(v))
            Error(Join(path, name), $"{what} is not supported by this engine version yet, got {Describe(v)}");
    }

    /// <summary>Unknown keys are errors (for objects the engine alone defines, such as engine options).</summary>
    public void RejectUnknownKeys(JsonElement obj, string path, IReadOnlyCollection<string> known)
    {
        if (obj.ValueKind != JsonValueKind.Object) return;
        foreach (var p in obj.EnumerateObject())
            if (!known.Contains(p.Name))
                Error(Join(path, p.Name), $"is not a known option (expected one of {string.Join(", ", known)})");
    }

    /// <summary>Unknown keys are reported as warnings in the result (they may be platform-only fields).</summary>
    public void WarnUnknownKeys(JsonElement obj, string path, IReadOnlyCollection<string> known)
    {
        if (obj.ValueKind != JsonValueKind.Object) return;
        foreach (var p in obj.EnumerateObject())
            if (!known.Contains(p.Name))
                Warn($"{Join(path, p.Name)}: unknown field ignored");
    }

    private static string Fmt(double d) => d.ToString("0.###", CultureInfo.InvariantCulture);
}

internal static class JsonSerializerHelpers
{
    public static string Quote(string s)
    {
        var sb = new System.Text.StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (ch < 0x20) sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(ch);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
