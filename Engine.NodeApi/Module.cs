using System.Runtime.InteropServices;
using Microsoft.JavaScript.NodeApi;
using Microsoft.JavaScript.NodeApi.Interop;
using ReelSpeed.Engine;
using static Microsoft.JavaScript.NodeApi.Runtime.JSRuntime;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Pipeline;

namespace ReelSpeed.NodeApi;

/// <summary>
/// The N-API module: it only translates. Each export takes the public call's own arguments
/// (the options object as one object), checks them here, in one place (the arguments; configs
/// are validated by the engine), reads them into plain .NET values on the JS thread, calls the
/// engine off it and settles a promise back on the JS thread. Engine errors become JS errors
/// with their <c>code</c> (and, for config validation, the <c>errors</c> list).
/// <c>VideoEngine</c> is a JS class wrapping a <see cref="ReelSpeedEngine"/>, released with its
/// JS object; the module-level calls use <c>defaultEngine</c>, which wraps <see cref="ReelSpeedEngine.Default"/>.
/// </summary>
public static class Module
{
    private const JSPropertyAttributes Exported =
        JSPropertyAttributes.Writable | JSPropertyAttributes.Enumerable | JSPropertyAttributes.Configurable;

    // The module scope owns the runtime context and JS synchronization context for the process.
    private static JSValueScope? s_moduleScope;

    // Options a call may take, and the options some call takes (for a precise message).
    private static readonly string[] ProcessOptions = { "onProgress", "baseDir", "signal" };
    private static readonly string[] FrameOptions = { "format", "quality", "baseDir", "inputPath" };
    private static readonly string[] SceneOptions = { "baseDir" };
    private static readonly string[] OptimizeCallOptions = [.. ProcessOptions, .. OptimizeOptions.Keys];
    private static readonly HashSet<string> KnownOptions = [.. ProcessOptions, .. FrameOptions];

    [UnmanagedCallersOnly(EntryPoint = "napi_register_module_v1")]
    public static nint Register(nint env, nint exports)
    {
        try
        {
            var scope = s_moduleScope = new JSValueScope(JSValueScopeType.Module, new napi_env(env), runtime: null);
            JSValue exportsValue = new(new napi_value(exports), scope);
            JSValue engineClass = new JSClassBuilder<ReelSpeedEngine>("VideoEngine", NewEngine)
                .AddMethod("processVideo", Method(ProcessVideo), Method_, null)
                .AddMethod("optimizeVideo", Method(OptimizeVideo), Method_, null)
                .AddMethod("getVideoMetadata", Method((e, a) => GetVideoMetadata(a, e)), Method_, null)
                .AddMethod("renderFrame", Method((e, a) => RenderFrame(a, e)), Method_, null)
                .AddMethod("compileScene", Method((e, a) => CompileScene(a, e)), Method_, null)
                .AddMethod("getHardwareInfo", Method((_, a) => GetHardwareInfo(a)), Method_, null)
                .AddMethod("metrics", Method((e, _) => e.MetricsText()), Method_, null)
                .AddMethod("close", Method((e, _) => Close(e)), Method_, null)
                .AddMethod("initialize", Method((e, _) => Initialize(e)), Method_, null)
                .DefineClass(null);
            var codes = JSValue.CreateObject();
            foreach (var (name, code) in ErrorCodes.All) codes[name] = code;
            codes.Freeze();
            JSValue result = new JSModuleBuilder<JSRuntimeContext>()
                .AddMethod("version", Version, Exported)
                .AddMethod("getVideoMetadata", args => GetVideoMetadata(args), Exported)
                .AddMethod("renderFrame", args => RenderFrame(args), Exported)
                .AddMethod("compileScene", args => CompileScene(args), Exported)
                .AddMethod("getHardwareInfo", GetHardwareInfo, Exported)
                .AddProperty("errorCodes", codes, JSPropertyAttributes.Enumerable)
                .AddProperty("VideoEngine", engineClass, JSPropertyAttributes.Enumerable)
                .AddMethod("checkDependencies", args => Dependencies.Check(args[0].IsString() ? (string)args[0] : null), Exported)
                .ExportModule(scope.RuntimeContext, (JSObject)exportsValue);
            result["defaultEngine"] = scope.RuntimeContext.GetOrCreateObjectWrapper(ReelSpeedEngine.Default);
            return ((napi_value)result).Handle;
        }
        catch (Exception e)
        {
            try { JSError.ThrowError(e); } catch { /* nothing else can be reported from here */ }
            return exports;
        }
    }

    private const JSPropertyAttributes Method_ = JSPropertyAttributes.Writable | JSPropertyAttributes.Configurable;

    /// <summary>A VideoEngine method: the callback gets the engine its <c>this</c> wraps.</summary>
    private static Func<ReelSpeedEngine, JSCallback> Method(Func<ReelSpeedEngine, JSCallbackArgs, JSValue> body) =>
        engine => args => body(engine, args);

    private static JSValue Version(JSCallbackArgs args) => EngineApi.VersionJson();

    /// <summary>
    /// <c>new VideoEngine(options?)</c>: throws (synchronously) on invalid options. The options are
    /// kept, frozen, as <c>engine.options</c>.
    /// </summary>
    private static ReelSpeedEngine NewEngine(JSCallbackArgs args)
    {
        var options = args[0].IsUndefined() ? JSValue.CreateObject() : args[0];
        try
        {
            if (!IsPlainObject(options)) throw ArgError($"options: expected an object, got {Describe(options)}");
            var engine = new ReelSpeedEngine(EngineOptions.Parse(Stringify(options)));
            var copy = JSValue.Global["Object"].CallMethod("assign", JSValue.CreateObject(), options);
            copy.Freeze();
            var self = args.ThisArg;
            self["options"] = copy;
            return engine;
        }
        catch (EngineException e)
        {
            throw new JSException(new JSError(ToJsError(e, null)));
        }
    }

    /// <summary><c>close()</c>: the engine takes no new jobs (they reject with ERR_ENGINE_CLOSED); running ones finish.</summary>
    private static JSValue Close(ReelSpeedEngine engine)
    {
        if (!ReferenceEquals(engine, ReelSpeedEngine.Default)) engine.Close(); // the module-level engine stays open
        return JSValue.Undefined;
    }

    /// <summary>processVideo(inputPath, outputPath, config, options?) → Promise&lt;result&gt;.</summary>
    private static JSValue ProcessVideo(ReelSpeedEngine engine, JSCallbackArgs callArgs) => Settle<string>(Args(callArgs, 4), (job, args) =>
    {
        string input = PathArg(args[0], "inputPath", optional: true);
        string output = PathArg(args[1], "outputPath");
        string config = ConfigArg(args[2]);
        var options = OptionsArg(args[3], ProcessOptions);
        job.Watch(options);
        string baseDir = BaseDir(options);
        return () => engine.ProcessVideoAsync(input, output, config, baseDir, job.Progress, job.Cancel);
    }, ParseJson);

    /// <summary>optimizeVideo(inputPath, targetSizeMb, options?) → Promise&lt;result&gt;; the engine validates the optimize options.</summary>
    private static JSValue OptimizeVideo(ReelSpeedEngine engine, JSCallbackArgs callArgs) => Settle<string>(Args(callArgs, 3), (job, args) =>
    {
        string input = PathArg(args[0], "inputPath");
        var target = args[1];
        if (!target.IsNumber() || !double.IsFinite((double)target) || (double)target <= 0)
            throw ArgError($"targetSizeMb: expected a number of megabytes > 0, got {Describe(target)}");
        var options = OptionsArg(args[2], OptimizeCallOptions);
        if (options.HasValue && !options.Value["outputPath"].IsUndefined()) PathArg(options.Value["outputPath"], "options.outputPath");
        job.Watch(options);
        string baseDir = BaseDir(options);
        // The optimize options travel as they are, less the ones this layer handles.
        var engineOptions = JSValue.CreateObject();
        if (options is { } o)
            foreach (var key in OptimizeOptions.Keys)
                if (!o[key].IsUndefined()) engineOptions[key] = o[key];
        string optionsJson = Stringify(engineOptions);
        double mb = (double)target;
        return () => engine.OptimizeVideoAsync(input, mb, optionsJson, baseDir, job.Progress, job.Cancel);
    }, ParseJson);

    /// <summary>getVideoMetadata(filePath) → Promise&lt;metadata&gt;.</summary>
    private static JSValue GetVideoMetadata(JSCallbackArgs callArgs, ReelSpeedEngine? engine = null) => Settle<string>(Args(callArgs, 1), (_, args) =>
    {
        string path = Path.GetFullPath(PathArg(args[0], "filePath"));
        return () => EngineApi.GetVideoMetadataAsync(path, engine);
    }, ParseJson);

    /// <summary>getHardwareInfo() → Promise&lt;info&gt; (hardware encoder probe, cached per process).</summary>
    /// <summary><c>initialize()</c> → Promise&lt;{ engine, ffmpeg, skia, fonts, hardware }&gt;; rejects with ERR_DEPENDENCY naming what is missing.</summary>
    private static JSValue Initialize(ReelSpeedEngine engine) => Settle<string>([], (_, _) => engine.InitializeAsync, ParseJson);

    private static JSValue GetHardwareInfo(JSCallbackArgs args) => Settle<string>([], (_, _) => EngineApi.GetHardwareInfoAsync, ParseJson);

    /// <summary>renderFrame(config, timeMs, options?) → Promise&lt;Buffer&gt;.</summary>
    private static JSValue RenderFrame(JSCallbackArgs callArgs, ReelSpeedEngine? engine = null) => Settle<byte[]>(Args(callArgs, 3), (_, args) =>
    {
        string config = ConfigArg(args[0]);
        var time = args[1];
        if (!time.IsNumber() || !double.IsFinite((double)time) || (double)time < 0)
            throw ArgError($"timeMs: expected a number of milliseconds >= 0, got {Describe(time)}");
        double timeMs = (double)time;
        var options = OptionsArg(args[2], FrameOptions);
        string input = PathArg(Option(options, "inputPath"), "options.inputPath", optional: true);
        var formatValue = Option(options, "format");
        var format = formatValue.IsNullOrUndefined() ? "png" : formatValue.IsString() ? (string)formatValue : null;
        if (format is not ("png" or "jpeg")) throw ArgError($"options.format: expected \"png\" or \"jpeg\", got {Describe(formatValue)}");
        var qualityValue = Option(options, "quality");
        int quality = 90;
        if (!qualityValue.IsNullOrUndefined())
        {
            double q = qualityValue.IsNumber() ? (double)qualityValue : double.NaN;
            if (!double.IsInteger(q) || q < 1 || q > 100) throw ArgError($"options.quality: expected an integer 1..100, got {Describe(qualityValue)}");
            quality = (int)q;
        }
        string baseDir = BaseDir(options);
        var fmt = format == "jpeg" ? FrameFormat.Jpeg : FrameFormat.Png;
        return () => EngineApi.RenderFrameAsync(config, timeMs, fmt, quality, baseDir, input, engine);
    }, ToBuffer);

    /// <summary>compileScene(config, options?) → Promise&lt;scene&gt;.</summary>
    private static JSValue CompileScene(JSCallbackArgs callArgs, ReelSpeedEngine? engine = null) => Settle<string>(Args(callArgs, 2), (_, args) =>
    {
        string config = ConfigArg(args[0]);
        var options = OptionsArg(args[1], SceneOptions);
        string baseDir = BaseDir(options);
        return () => EngineApi.CompileSceneJsonAsync(config, baseDir, engine);
    }, ParseJson);

    /// <summary>
    /// One call's promise: <paramref name="start"/> runs on the JS thread, checks and reads the
    /// arguments (an error rejects the promise, as an async JS function would) and returns the
    /// work, which runs off it; its value is converted back on the JS thread.
    /// </summary>
    private static JSValue Settle<T>(JSValue[] args, Func<Job, JSValue[], Func<Task<T>>> start, Func<T, JSValue> toJs)
    {
        var job = new Job();
        return new JSPromise(async (resolve, reject) =>
        {
            try
            {
                var work = start(job, args);
                job.Begin();
                T value = await work();
                resolve(toJs(value));
            }
            catch (EngineException e)
            {
                reject(new JSError(ToJsError(e, job)));
            }
            catch (JSException e)
            {
                reject(e.Error ?? new JSError(e.Message, JSErrorType.Error, ErrorCodes.Internal));
            }
            catch (Exception e)
            {
                reject(new JSError($"internal engine error: {e.GetType().Name}: {e.Message}", JSErrorType.Error, ErrorCodes.Internal));
            }
            finally
            {
                job.Dispose();
            }
        });
    }

    /// <summary>
    /// A job's JS side: its progress callback and AbortSignal, kept alive while it runs. The
    /// AbortSignal itself is passed in (no ids); its abort event cancels the job's
    /// <see cref="CancellationToken"/>. (node-api-dotnet's <see cref="JSAbortSignal"/> conversion
    /// does the same but never removes its listener, so one signal shared by many jobs would
    /// collect listeners; this one is removed when the job ends.) An already aborted signal
    /// rejects before any work starts.
    /// </summary>
    private sealed class Job : IDisposable
    {
        private JSReference? _onProgress;
        private JSReference? _signal;
        private JSReference? _listener;
        private CancellationTokenSource? _cancel;

        public Action<RenderProgress>? Progress { get; private set; }
        public CancellationToken Cancel => _cancel?.Token ?? CancellationToken.None;

        public void Watch(JSValue? options)
        {
            if (options is not { } o) return;
            var onProgress = o["onProgress"];
            if (!onProgress.IsUndefined())
            {
                if (!onProgress.IsFunction()) throw ArgError($"options.onProgress: expected a function, got {Describe(onProgress)}");
                _onProgress = new JSReference(onProgress);
                Progress = ProgressReporter(_onProgress);
            }
            var signal = o["signal"];
            if (!signal.IsUndefined())
            {
                if (!signal.IsObject() || !signal.InstanceOf(JSValue.Global["AbortSignal"]))
                    throw ArgError($"options.signal: expected an AbortSignal, got {Describe(signal)}");
                _signal = new JSReference(signal);
            }
        }

        /// <summary>Called once the arguments are all valid: an aborted signal stops here, a live one starts being watched.</summary>
        public void Begin()
        {
            if (_signal?.GetValue() is not { } signal) return;
            if ((bool)signal["aborted"]) throw new EngineException(ErrorCodes.Aborted, "the job was aborted");
            var cancel = _cancel = new CancellationTokenSource();
            var listener = JSValue.CreateFunction("abort", _ =>
            {
                try { cancel.Cancel(); } catch (ObjectDisposedException) { }
                return JSValue.Undefined;
            });
            signal.CallMethod("addEventListener", "abort", listener);
            _listener = new JSReference(listener);
        }

        /// <summary>Why the signal aborted, when its reason is an Error: <c>": &lt;message&gt;"</c>.</summary>
        public string AbortReason()
        {
            if (_signal?.GetValue() is not { } signal) return "";
            var reason = signal["reason"];
            return reason.IsObject() && reason.InstanceOf(JSValue.Global["Error"]) ? ": " + (string)reason["message"] : "";
        }

        /// <summary>On the JS thread, when the job settled: the listener leaves the signal, the references are released.</summary>
        public void Dispose()
        {
            if (_listener?.GetValue() is { } listener && _signal?.GetValue() is { } signal)
                signal.CallMethod("removeEventListener", "abort", listener);
            _listener?.Dispose();
            _onProgress?.Dispose();
            _signal?.Dispose();
            _cancel?.Dispose();
        }
    }

    /// <summary>
    /// Posts each progress report to the JS thread as <c>{ frame, totalFrames, percent, fps, etaMs, stage }</c>.
    /// </summary>
    private static Action<RenderProgress> ProgressReporter(JSReference onProgress)
    {
        var js = JSSynchronizationContext.Current!;
        return p => js.Post(() =>
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
                // A throwing progress callback (or one already released) must not abort the process or the render.
            }
        });
    }

    /// <summary>
    /// An engine error as a JS Error: its code, and for a config validation its <c>errors</c>
    /// list (<c>[{ path, message }]</c>); an abort is an <c>AbortError</c> whose message names the signal's reason.
    /// </summary>
    private static JSValue ToJsError(EngineException e, Job? job)
    {
        bool aborted = e.Code == ErrorCodes.Aborted;
        string message = aborted ? "the job was aborted" + (job?.AbortReason() ?? "") : e.Message;
        var error = JSValue.CreateError(e.Code, message);
        if (aborted) error["name"] = "AbortError";
        if (e is ConfigValidationException validation)
        {
            var list = JSValue.CreateArray(validation.Errors.Count);
            for (int i = 0; i < validation.Errors.Count; i++)
            {
                var item = JSValue.CreateObject();
                item["path"] = validation.Errors[i].Path;
                item["message"] = validation.Errors[i].Message;
                list[i] = item;
            }
            error["errors"] = list;
        }
        return error;
    }

    /// <summary>The first <paramref name="n"/> arguments (undefined where not given), to read inside the promise's start.</summary>
    private static JSValue[] Args(JSCallbackArgs args, int n)
    {
        var a = new JSValue[n];
        for (int i = 0; i < n; i++) a[i] = args[i];
        return a;
    }

    private static JSValue ParseJson(string json) => JSValue.Global["JSON"].CallMethod("parse", json);

    private static string Stringify(JSValue value) => (string)JSValue.Global["JSON"].CallMethod("stringify", value);

    private static JSValue ToBuffer(byte[] bytes)
    {
        var scope = JSValueScope.Current;
        scope.Runtime.CreateBufferCopy((napi_env)scope, bytes, out nint _, out napi_value handle).ThrowIfFailed();
        return new JSValue(handle);
    }

    // ---- argument checks: the only place the public calls' arguments are checked ----

    private static EngineException ArgError(string message) => new(ErrorCodes.InvalidArg, message);

    private static bool IsPlainObject(JSValue v) => v.IsObject() && !v.IsArray() && !v.IsFunction();

    /// <summary>A value for a message: <c>null</c>, <c>an array</c>, a quoted (shortened) string, else its typeof.</summary>
    private static string Describe(JSValue value)
    {
        if (value.IsNull()) return "null";
        if (value.IsArray()) return "an array";
        if (value.IsString())
        {
            var s = (string)value;
            return Stringify(s.Length > 40 ? s[..37] + "..." : s);
        }
        // The value itself for a number ("got -1", "got NaN"), not only its type.
        if (value.IsNumber()) return ((double)value).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return value.TypeOf().ToString().ToLowerInvariant();
    }

    /// <summary>A path argument; an optional one may be null/undefined (read as "").</summary>
    private static string PathArg(JSValue value, string name, bool optional = false)
    {
        if (optional && value.IsNullOrUndefined()) return "";
        if (!value.IsString()) throw ArgError($"{name}: expected a string path, got {Describe(value)}");
        var s = (string)value;
        if (!optional && s.Trim().Length == 0) throw ArgError($"{name}: expected a non-empty path");
        if (s.Contains('\0')) throw ArgError($"{name}: the path contains a NUL character, which no file name can");
        return s;
    }

    /// <summary>A config: an object (serialised once here) or JSON text (parsed by the engine).</summary>
    private static string ConfigArg(JSValue config)
    {
        if (config.IsString())
        {
            var text = (string)config;
            if (text.Trim().Length == 0) throw new EngineException(ErrorCodes.InvalidConfig, "config: expected an object or a JSON string, got an empty string");
            return text;
        }
        if (!IsPlainObject(config))
            throw new EngineException(ErrorCodes.InvalidConfig, $"config: expected an object or a JSON string, got {Describe(config)}");
        try
        {
            return Stringify(config);
        }
        catch (JSException e)
        {
            throw new EngineException(ErrorCodes.InvalidConfig, $"config: cannot be serialised to JSON ({e.Message})");
        }
    }

    /// <summary>The options object (null when absent), with every key one this call takes.</summary>
    private static JSValue? OptionsArg(JSValue options, string[] allowed)
    {
        if (options.IsNullOrUndefined()) return null;
        if (!options.IsObject() || options.IsArray()) throw ArgError($"options: expected an object, got {Describe(options)}");
        var keys = JSValue.Global["Object"].CallMethod("keys", options);
        int n = (int)keys["length"];
        for (int i = 0; i < n; i++)
        {
            var key = (string)keys[i];
            if (Array.IndexOf(allowed, key) < 0)
            {
                string why = KnownOptions.Contains(key) ? "is not supported by this call in this engine version" : "is not a known option";
                throw ArgError($"options.{key} {why} (allowed: {string.Join(", ", allowed)})");
            }
        }
        var baseDir = options["baseDir"];
        if (!baseDir.IsUndefined() && !baseDir.IsString()) throw ArgError($"options.baseDir: expected a string path, got {Describe(baseDir)}");
        return options;
    }

    private static JSValue Option(JSValue? options, string name) => options is { } o ? o[name] : JSValue.Undefined;

    /// <summary>Where relative paths resolve: <c>options.baseDir</c>, else the process's working directory.</summary>
    private static string BaseDir(JSValue? options)
    {
        var v = Option(options, "baseDir");
        return Path.GetFullPath(v.IsNullOrUndefined() ? Environment.CurrentDirectory : (string)v);
    }
}
