namespace ReelSpeed.Engine;

/// <summary>
/// Stable error codes (<c>error.code</c> in JavaScript). This is their one definition: the
/// native module exports <see cref="All"/> as <c>errorCodes</c>, js/index.js freezes it into
/// <c>ErrorCodes</c>, and a test holds types/index.d.ts to it.
/// </summary>
public static class ErrorCodes
{
    public const string InvalidConfig = "ERR_INVALID_CONFIG";
    /// <summary>An argument of a call (not a config field) has the wrong type or value; Node's own code for that.</summary>
    public const string InvalidArg = "ERR_INVALID_ARG_TYPE";
    public const string InputNotFound = "ERR_INPUT_NOT_FOUND";
    public const string UnsupportedMedia = "ERR_UNSUPPORTED_MEDIA";
    public const string Decode = "ERR_DECODE";
    public const string Encode = "ERR_ENCODE";
    public const string Output = "ERR_OUTPUT";
    public const string Aborted = "ERR_ABORTED";
    public const string ResourceLimit = "ERR_RESOURCE_LIMIT";
    public const string Dependency = "ERR_DEPENDENCY";
    /// <summary>optimizeVideo (or optimization.target_size_mb) asked for a size smaller than any encode can reach.</summary>
    public const string TargetUnreachable = "ERR_TARGET_UNREACHABLE";
    /// <summary>A job was started on a <c>VideoEngine</c> after its <c>close()</c>.</summary>
    public const string EngineClosed = "ERR_ENGINE_CLOSED";
    /// <summary>A remote asset's URL (or a redirect hop) points at a refused scheme or a private, loopback, link-local or metadata address.</summary>
    public const string AssetForbidden = "ERR_ASSET_FORBIDDEN";
    /// <summary>A remote asset could not be downloaded: HTTP status, network error, timeout, size limit, too many redirects.</summary>
    public const string AssetFetch = "ERR_ASSET_FETCH";
    /// <summary>A media file's read or write made no progress for the stall timeout (a file that stopped growing, storage that does not answer).</summary>
    public const string IoStalled = "ERR_IO_STALLED";
    /// <summary>A JavaScript callback the engine called (<c>onProgress</c>) threw: the job stopped; <c>error.cause</c> is what it threw.</summary>
    public const string Callback = "ERR_CALLBACK";
    /// <summary>The browser preview cannot do this in this environment: a browser feature it lacks (WebGL, WebCodecs, a codec, a Worker) or content its renderer does not draw.</summary>
    public const string Unsupported = "ERR_UNSUPPORTED";
    public const string Internal = "ERR_INTERNAL";

    /// <summary>Every code by its JavaScript name (<c>INVALID_CONFIG</c>), in the order above.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> All = new (string Name, string Code)[]
    {
        (nameof(InvalidConfig), InvalidConfig), (nameof(InvalidArg), InvalidArg), (nameof(InputNotFound), InputNotFound),
        (nameof(UnsupportedMedia), UnsupportedMedia), (nameof(Decode), Decode), (nameof(Encode), Encode), (nameof(Output), Output),
        (nameof(Aborted), Aborted), (nameof(ResourceLimit), ResourceLimit), (nameof(Dependency), Dependency),
        (nameof(TargetUnreachable), TargetUnreachable), (nameof(EngineClosed), EngineClosed), (nameof(AssetForbidden), AssetForbidden),
        (nameof(AssetFetch), AssetFetch), (nameof(IoStalled), IoStalled), (nameof(Callback), Callback), (nameof(Unsupported), Unsupported), (nameof(Internal), Internal),
    }.Select(c => KeyValuePair.Create(JsName(c.Name), c.Code)).ToArray();

    /// <summary><c>InvalidConfig</c> → <c>INVALID_CONFIG</c>.</summary>
    private static string JsName(string name) =>
        string.Concat(name.Select((ch, i) => i > 0 && char.IsUpper(ch) ? "_" + ch : char.ToUpperInvariant(ch).ToString()));
}

/// <summary>
/// The one exception type the engine throws on purpose. <see cref="Code"/> is stable and
/// reaches JavaScript as <c>error.code</c>; the message names the field or file involved.
/// </summary>
public class EngineException : Exception
{
    public EngineException(string code, string message, Exception? inner = null) : base(message, inner)
    {
        Code = code;
    }

    public string Code { get; }
}

/// <summary>One problem found in a config, located by its JSON path (e.g. <c>messages[2].text</c>).</summary>
public sealed record ConfigError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Every problem of a config at once, so a caller can fix them in one go.</summary>
public sealed class ConfigValidationException : EngineException
{
    public ConfigValidationException(IReadOnlyList<ConfigError> errors)
        : base(ErrorCodes.InvalidConfig, FormatMessage(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }

    /// <summary>How many errors the message lists; <see cref="Errors"/> (<c>error.errors</c>) has them all.</summary>
    public const int ListedInMessage = 20;

    private static string FormatMessage(IReadOnlyList<ConfigError> errors) =>
        errors.Count == 1
            ? $"invalid config: {errors[0]}"
            : errors.Count <= ListedInMessage
                ? $"invalid config ({errors.Count} errors): " + string.Join("; ", errors)
                : $"invalid config ({errors.Count} errors): " + string.Join("; ", errors.Take(ListedInMessage)) +
                  $"; and {errors.Count - ListedInMessage} more (all of them on error.errors)";
}
