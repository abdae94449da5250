using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.JavaScript.NodeApi;
using Microsoft.JavaScript.NodeApi.Interop;
using ReelSpeed.Engine;
using static Microsoft.JavaScript.NodeApi.Runtime.JSRuntime;
using ReelSpeed.Engine.Api;

namespace ReelSpeed.NodeApi;

/// <summary>
/// The N-API module: registration plus thin exports that check argument types, read every
/// JS value into plain .NET values on the JS thread, call <see cref="EngineApi"/> off it, and
/// settle a promise back on the JS thread. Engine errors become JS errors with their code.
/// Richer argument validation and JSON parsing live in js/index.js.
/// </summary>
public static class Module
{
    private const JSPropertyAttributes Exported =
        JSPropertyAttributes.Writable | JSPropertyAttributes.Enumerable | JSPropertyAttributes.Configurable;

    // The module scope owns the runtime context and JS synchronization context for the process.
    private static JSValueScope? s_moduleScope;

    // Engine instances by id (0: the default engine of the module-level calls), and the
    // cancellation sources of jobs that can still be aborted, by id.
    private static readonly ConcurrentDictionary<int, ReelSpeedEngine> s_engines = new() { [0] = ReelSpeedEngine.Default };
    private static readonly ConcurrentDictionary<int, CancellationTokenSource> s_cancellations = new();
    private static int s_nextId;

    [UnmanagedCallersOnly(EntryPoint = "napi_register_module_v1")]
    public static nint Register(nint env, nint exports)
    {
        try
        {
            var scope = s_moduleScope = new JSValueScope(JSValueScopeType.Module, new napi_env(env), runtime: null);
            JSValue exportsValue = new(new napi_value(exports), scope);
            JSValue result = new JSModuleBuilder<JSRuntimeContext>()
                .AddMethod("version", Version, Exported)
                .AddMethod("processVideo", ProcessVideo, Exported)
                .AddMethod("optimizeVideo", OptimizeVideo, Exported)
                .AddMethod("getVideoMetadata", GetVideoMetadata, Exported)
                .AddMethod("renderFrame", RenderFrame, Exported)
                .AddMethod("compileScene", CompileScene, Exported)
                .AddMethod("createEngine", CreateEngine, Exported)
                .AddMethod("metrics", Metrics, Exported)
                .AddMethod("newCancellation", NewCancellation, Exported)
                .AddMethod("cancel", Cancel, Exported)
                .AddMethod("getHardwareInfo", GetHardwareInfo, Exported)
                .AddMethod("checkDependencies", args => Dependencies.Check(args[0].IsString() ? (string)args[0] : null), Exported)
                .ExportModule(scope.RuntimeContext, (JSObject)exportsValue);
            return ((napi_value)result).Handle;
        }
        catch (Exception e)
        {
            try { JSError.ThrowError(e); } catch { /* nothing else can be reported from here */ }
            return exports;
        }
    }

    private static JSValue Version(JSCallbackArgs args) => EngineApi.VersionJson();

    /// <summary>createEngine(optionsJson) → engine id. Throws (synchronously) on invalid options.</summary>
    private static JSValue CreateEngine(JSCallbackArgs args)
    {
        string json = StringArg(args, 0, "options");
        EngineOptions options;
        try
        {
            options = EngineOptions.Parse(json);
        }
        catch (EngineException e)
        {
            throw new JSException(new JSError(e.Message, JSErrorType.Error, e.Code));
        }
        int id = Interlocked.Increment(ref s_nextId);
        s_engines[id] = new ReelSpeedEngine(options);
        return id;
    }

    /// <summary>metrics(engineId) → Prometheus text.</summary>
    private static JSValue Metrics(JSCallbackArgs args) => EngineArg(args, 0).MetricsText();

    /// <summary>newCancellation() → id of a cancellation source to pass to processVideo.</summary>
    private static JSValue NewCancellation(JSCallbackArgs args)
    {
        int id = Interlocked.Increment(ref s_nextId);
        s_cancellations[id] = new CancellationTokenSource();
        return id;
    }

    /// <summary>cancel(id): aborts the job using that cancellation source (no-op once it ended).</summary>
    private static JSValue Cancel(JSCallbackArgs args)
    {
        if (args[0].IsNumber() && s_cancellations.TryGetValue((int)(double)args[0], out var cts))
        {
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        }
        return JSValue.Undefined;
    }

    private static ReelSpeedEngine EngineArg(JSCallbackArgs args, int index)
    {
        if (args[index].IsNullOrUndefined()) return ReelSpeedEngine.Default;
        if (args[index].IsNumber() && s_engines.TryGetValue((int)(double)args[index], out var engine)) return engine;
        throw new JSException(new JSError("engine: unknown engine id", JSErrorType.TypeError, "ERR_INVALID_ARG_TYPE"));
    }

    /// <summary>
    /// processVideo(inputPath, outputPath, configJson, onProgress?, baseDirectory?, engineId?, cancellationId?)
    /// → Promise&lt;string&gt; (result JSON).
    /// </summary>
    private static JSValue ProcessVideo(JSCallbackArgs args)
    {
        string input = StringArg(args, 0, "inputPath", allowEmpty: true);
        string output = StringArg(args, 1, "outputPath");
        string config = StringArg(args, 2, "config");
        string? baseDir = OptionalString(args, 4, "baseDirectory");
        var engine = EngineArg(args, 5);
        var (onProgress, report) = ProgressCallback(args[3]);
        return Cancellable(args[6], token => engine.ProcessVideoAsync(input, output, config, baseDir, report, token), onProgress);
    }

    /// <summary>
    /// optimizeVideo(inputPath, targetSizeMb, optionsJson, onProgress?, baseDirectory?, engineId, cancelId)
    /// → Promise&lt;string&gt; (result JSON).
    /// </summary>
    private static JSValue OptimizeVideo(JSCallbackArgs args)
    {
        string input = StringArg(args, 0, "inputPath");
        if (!args[1].IsNumber()) throw TypeError("targetSizeMb", "a number of megabytes", args[1]);
        double target = (double)args[1];
        string options = StringArg(args, 2, "options", allowEmpty: true);
        string? baseDir = OptionalString(args, 4, "baseDirectory");
        var engine = EngineArg(args, 5);
        var (onProgress, report) = ProgressCallback(args[3]);
        return Cancellable(args[6], token => engine.OptimizeVideoAsync(input, target, options, baseDir, report, token), onProgress);
    }

    /// <summary>
    /// Starts a job under the cancellation source whose id is <paramref name="cancelIdArg"/> (0: none)
    /// and settles its promise with the job's JSON; the source is released when the job ends.
    /// </summary>
    private static JSValue Cancellable(JSValue cancelIdArg, Func<CancellationToken, Task<string>> job, JSReference? keepAlive)
    {
        int cancelId = cancelIdArg.IsNumber() ? (int)(double)cancelIdArg : 0;
        CancellationTokenSource? cts = null;
        if (cancelId != 0) s_cancellations.TryGetValue(cancelId, out cts);
        var token = cts?.Token ?? CancellationToken.None;
        return Settle(async () =>
        {
            try
            {
                return await job(token);
            }
            finally
            {
                if (cancelId != 0 && s_cancellations.TryRemove(cancelId, out var done)) done.Dispose();
            }
        }, s => (JSValue)s, keepAlive);
    }

    /// <summary>
    /// A JS progress function (or nothing) as a reference kept alive for the job and a reporter
    /// that posts each report to the JS thread as <c>{ frame, totalFrames, percent, fps, etaMs, stage }</c>.
    /// </summary>
    private static (JSReference? Reference, Action<RenderProgress>? Report) ProgressCallback(JSValue value)
    {
        if (!value.IsFunction()) return (null, null);
        var onProgress = new JSReference(value);
        var js = JSSynchronizationContext.Current!;
        return (onProgress, p => js.Post(() =>
        {
            try
            {
                var o = JSValue.CreateObject();
                o["frame"] = p.Frame;
                o["totalFrames"] = p.TotalFrames;
                o["percent"] = p.Percent;
                o["fps"] = p.Fps;
                o["etaMs"] = p.EtaMs;
                o["stage"] = p.Stage;
                onProgress.GetValue().Call(JSValue.Undefined, o);
            }
            catch (Exception)
            {
                // A throwing progress callback must not abort the process or the render.
            }
        }));
    }

    /// <summary>getVideoMetadata(filePath) → Promise&lt;string&gt; (metadata JSON).</summary>
    private static JSValue GetVideoMetadata(JSCallbackArgs args)
    {
        string path = StringArg(args, 0, "filePath");
        return Settle(() => EngineApi.GetVideoMetadataAsync(path), s => (JSValue)s, null);
    }

    /// <summary>getHardwareInfo() → Promise&lt;string&gt; (hardware encoder probe JSON, cached per process).</summary>
    private static JSValue GetHardwareInfo(JSCallbackArgs args) => Settle(EngineApi.GetHardwareInfoAsync, s => (JSValue)s, null);

    /// <summary>renderFrame(configJson, timeMs, format, quality, baseDirectory?, inputPath?) → Promise&lt;Buffer&gt;.</summary>
    private static JSValue RenderFrame(JSCallbackArgs args)
    {
        string config = StringArg(args, 0, "config");
        if (!args[1].IsNumber()) throw TypeError("timeMs", "a number", args[1]);
        double time = (double)args[1];
        string format = StringArg(args, 2, "options.format");
        if (!args[3].IsNumber()) throw TypeError("options.quality", "a number", args[3]);
        int quality = (int)(double)args[3];
        string? baseDir = OptionalString(args, 4, "baseDirectory");
        string? input = OptionalString(args, 5, "options.inputPath");
        return Settle(() => EngineApi.RenderFrameAsync(config, time, format, quality, baseDir, input), ToBuffer, null);
    }

    /// <summary>compileScene(configJson, baseDirectory?) → Promise&lt;string&gt; (scene JSON).</summary>
    private static JSValue CompileScene(JSCallbackArgs args)
    {
        string config = StringArg(args, 0, "config");
        string? baseDir = OptionalString(args, 1, "baseDirectory");
        return Settle(() => EngineApi.CompileSceneJsonAsync(config, baseDir), s => (JSValue)s, null);
    }

    private static JSValue ToBuffer(byte[] bytes)
    {
        var scope = JSValueScope.Current;
        scope.Runtime.CreateBufferCopy((napi_env)scope, bytes, out nint _, out napi_value handle).ThrowIfFailed();
        return new JSValue(handle);
    }

    /// <summary>Runs the work off the JS thread and settles a promise on it; engine errors keep their code.</summary>
    private static JSValue Settle<T>(Func<Task<T>> work, Func<T, JSValue> toJs, JSReference? keepAlive)
    {
        return new JSPromise(async (resolve, reject) =>
        {
            try
            {
                T value = await work();
                resolve(toJs(value));
            }
            catch (EngineException e)
            {
                reject(new JSError(e.Message, JSErrorType.Error, e.Code));
            }
            catch (Exception e)
            {
                reject(new JSError($"internal engine error: {e.GetType().Name}: {e.Message}", JSErrorType.Error, ErrorCodes.Internal));
            }
            finally
            {
                keepAlive?.Dispose();
            }
        });
    }

    private static string StringArg(JSCallbackArgs args, int index, string name, bool allowEmpty = false)
    {
        var v = args[index];
        if (!v.IsString()) throw TypeError(name, "a string", v);
        var s = (string)v;
        if (!allowEmpty && s.Length == 0) throw new JSException(new JSError($"{name}: expected a non-empty string", JSErrorType.TypeError, "ERR_INVALID_ARG_TYPE"));
        return s;
    }

    private static string? OptionalString(JSCallbackArgs args, int index, string name)
    {
        var v = args[index];
        if (v.IsNullOrUndefined()) return null;
        if (!v.IsString()) throw TypeError(name, "a string", v);
        return (string)v;
    }

    private static JSException TypeError(string name, string expected, JSValue got) =>
        new(new JSError($"{name}: expected {expected}, got {got.TypeOf().ToString().ToLowerInvariant()}", JSErrorType.TypeError, "ERR_INVALID_ARG_TYPE"));
}
