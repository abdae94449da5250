using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.JavaScript.NodeApi;
using Microsoft.JavaScript.NodeApi.Interop;
using ReelSpeed.Engine;
using static Microsoft.JavaScript.NodeApi.Runtime.JSRuntime;
using ReelSpeed.Engine.Api;
using ReelSpeed.Engine.Media.Native;
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
            EnvJobs.Register(scope);
            JSValue engineClass = new JSClassBuilder<ReelSpeedEngine>("VideoEngine", NewEngine)
                .AddMethod("processVideo", Method(ProcessVideo), Method_, null)
                .AddMethod("optimizeVideo", Method(OptimizeVideo), Method_, null)
                .AddMethod("getVideoMetadata", Method((_, a) => GetVideoMetadata(a)), Method_, null)
                .AddMethod("renderFrame", Method((e, a) => RenderFrame(a, e)), Method_, null)
                .AddMethod("compileScene", Method((e, a) => CompileScene(a, e)), Method_, null)
                .AddMethod("getHardwareInfo", Method((_, a) => GetHardwareInfo(a)), Method_, null)
                .AddMethod("metrics", Method((e, _) => e.MetricsText()), Method_, null)
                .AddMethod("close", Method((e, _) => Close(e)), Method_, null)
                .AddMethod("initialize", Method((e, _) => Initialize(e)), Method_, null)
                .AddMethod("renderChunk", Method(RenderChunk), Method_, null)
                .AddMethod("renderAudio", Method(RenderAudio), Method_, null)
                .AddMethod("stitch", Method(Stitch), Method_, null)
                .DefineClass(null);
            var codes = JSValue.CreateObject();
            foreach (var (name, code) in ErrorCodes.All) codes[name] = code;
            codes.Freeze();
            JSValue result = new JSModuleBuilder<JSRuntimeContext>()
                .AddMethod("version", Version, Exported)
                .AddMethod("getVideoMetadata", GetVideoMetadata, Exported)
                .AddMethod("renderFrame", args => RenderFrame(args), Exported)
                .AddMethod("compileScene", args => CompileScene(args), Exported)
                .AddMethod("getHardwareInfo", GetHardwareInfo, Exported)
                .AddProperty("errorCodes", codes, JSPropertyAttributes.Enumerable)
                .AddProperty("VideoEngine", engineClass, JSPropertyAttributes.Enumerable)
                .AddMethod("checkDependencies", args => Dependencies.Check(args[0].IsString() ? (string)args[0] : null), Exported)
                .AddMethod("cancelJobsForExit", _ => EnvJobs.CancelAll(), Method_)
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
        catch (JSException e)
        {
            throw new JSException(new JSError(ToJsError(ReadError("options", e), null)));
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
        if (!Option(options, "outputPath").IsUndefined()) PathArg(Option(options, "outputPath"), "options.outputPath");
        job.Watch(options);
        string baseDir = BaseDir(options);
        // The optimize options travel as they are, less the ones this layer handles.
        var engineOptions = JSValue.CreateObject();
        if (options is { } o)
            foreach (var key in OptimizeOptions.Keys)
                if (Get(o, key, "options." + key) is var v && !v.IsUndefined()) engineOptions[key] = v;
        string optionsJson = Stringify(engineOptions);
        double mb = (double)target;
        return () => engine.OptimizeVideoAsync(input, mb, optionsJson, baseDir, job.Progress, job.Cancel);
    }, ParseJson);

    /// <summary>getVideoMetadata(filePath) → Promise&lt;metadata&gt;.</summary>
    private static JSValue GetVideoMetadata(JSCallbackArgs callArgs) => Settle<string>(Args(callArgs, 1), (_, args) =>
    {
        string path = Path.GetFullPath(PathArg(args[0], "filePath"));
        return () => EngineApi.GetVideoMetadataAsync(path);
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

    // ---- distributed rendering (reelspeed-engine/cluster): renderChunk, renderAudio, stitch ----

    private static readonly string[] StitchOptions = { "baseDir", "signal" };

    /// <summary>renderChunk(config, { startFrame, endFrame }, outputPath, options?) → Promise&lt;chunk&gt;.</summary>
    private static JSValue RenderChunk(ReelSpeedEngine engine, JSCallbackArgs callArgs) => Settle<string>(Args(callArgs, 4), (job, args) =>
    {
        string config = ConfigArg(args[0]);
        var range = args[1];
        if (!IsPlainObject(range)) throw ArgError($"range: expected {{ startFrame, endFrame }}, got {Describe(range)}");
        int start = FrameArg(range["startFrame"], "range.startFrame");
        int end = FrameArg(range["endFrame"], "range.endFrame");
        if (end <= start) throw ArgError($"range: expected startFrame < endFrame, got {start}..{end}");
        string output = PathArg(args[2], "outputPath");
        var options = OptionsArg(args[3], ProcessOptions);
        job.Watch(options);
        string baseDir = BaseDir(options);
        return () => engine.RenderChunkAsync(config, baseDir, start, end, Path.GetFullPath(output, baseDir), job.Progress, job.Cancel);
    }, ParseJson);

    /// <summary>renderAudio(config, outputPath, options?) → Promise&lt;result&gt;.</summary>
    private static JSValue RenderAudio(ReelSpeedEngine engine, JSCallbackArgs callArgs) => Settle<string>(Args(callArgs, 3), (job, args) =>
    {
        string config = ConfigArg(args[0]);
        string output = PathArg(args[1], "outputPath");
        var options = OptionsArg(args[2], ProcessOptions);
        job.Watch(options);
        string baseDir = BaseDir(options);
        return () => engine.RenderAudioAsync(config, baseDir, Path.GetFullPath(output, baseDir), job.Progress, job.Cancel);
    }, ParseJson);

    /// <summary>stitch({ segments, audio }, outputPath, options?) → Promise&lt;stitch&gt;.</summary>
    private static JSValue Stitch(ReelSpeedEngine engine, JSCallbackArgs callArgs) => Settle<string>(Args(callArgs, 3), (job, args) =>
    {
        var parts = args[0];
        if (!IsPlainObject(parts)) throw ArgError($"parts: expected {{ segments, audio }}, got {Describe(parts)}");
        var list = parts["segments"];
        if (!list.IsArray()) throw ArgError($"parts.segments: expected an array of segment paths, got {Describe(list)}");
        int n = (int)list["length"];
        var segments = new List<string>(n);
        for (int i = 0; i < n; i++) segments.Add(PathArg(list[i], $"parts.segments[{i}]"));
        string audio = PathArg(parts["audio"], "parts.audio");
        string output = PathArg(args[1], "outputPath");
        var options = OptionsArg(args[2], StitchOptions);
        job.Watch(options);
        string baseDir = BaseDir(options);
        var full = segments.Select(s => Path.GetFullPath(s, baseDir)).ToList();
        return () => engine.StitchAsync(full, Path.GetFullPath(audio, baseDir), Path.GetFullPath(output, baseDir), job.Cancel);
    }, ParseJson);

    private static int FrameArg(JSValue value, string name)
    {
        double v = value.IsNumber() ? (double)value : double.NaN;
        if (!double.IsInteger(v) || v < 0 || v > int.MaxValue) throw ArgError($"{name}: expected an integer frame index >= 0, got {Describe(value)}");
        return (int)v;
    }

    /// <summary>
    /// One call's promise: <paramref name="start"/> runs on the JS thread, checks and reads the
    /// arguments (an error rejects the promise, as an async JS function would) and returns the
    /// work, which runs off it; its value is converted back on the JS thread. Every call is a
    /// <see cref="Job"/> of this JS environment: its media I/O watches the job's token
    /// (<see cref="MediaIo"/>), which the signal, a throwing callback and the environment's end cancel.
    /// </summary>
    private static JSValue Settle<T>(JSValue[] args, Func<Job, JSValue[], Func<Task<T>>> start, Func<T, JSValue> toJs)
    {
        var job = new Job();
        return new JSPromise(async (resolve, reject) =>
        {
            try
            {
                Func<Task<T>> work;
                try
                {
                    work = start(job, args);
                }
                catch (JSException e)
                {
                    throw ReadError("arguments", e); // a getter or proxy trap threw while they were read
                }
                job.Begin();
                Task<T> task;
                using (MediaIo.Bind(job.Cancel)) task = work();
                job.Track(task);
                T value = await task;
                if (job.OwnerGone) return; // the environment is ending: no JS may run
                var result = toJs(value);
                if (job.CallbackFailed)
                {
                    // onProgress threw at the last report, after the output was complete: the call
                    // still fails, and a failed call leaves no output.
                    if (result.IsObject() && result["outputPath"] is var output && output.IsString()) TryDelete((string)output);
                    reject(job.CallbackError());
                    return;
                }
                resolve(result);
            }
            catch (Exception) when (job.OwnerGone)
            {
                // the environment is ending: nobody is left to reject to, and no JS may run
            }
            catch (Exception) when (job.CallbackFailed)
            {
                reject(job.CallbackError());
            }
            catch (EngineException e)
            {
                reject(new JSError(ToJsError(e, job)));
            }
            catch (OperationCanceledException)
            {
                reject(new JSError(ToJsError(new EngineException(ErrorCodes.Aborted, "the job was aborted"), job)));
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
                if (!job.OwnerGone) job.Dispose();
            }
        });
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // nothing more can be done; the rejection says the call failed
        }
    }

    /// <summary>An engine error that carries the JS value that caused it (<c>error.cause</c>).</summary>
    private sealed class CausedException(string code, string message, JSReference? cause) : EngineException(code, message)
    {
        public JSReference? Cause { get; } = cause;
    }

    /// <summary>A getter or proxy trap threw while <paramref name="name"/> was read: ERR_INVALID_ARG_TYPE with what it threw as the cause.</summary>
    private static EngineException ReadError(string name, JSException e)
    {
        var thrown = e.Error?.Value;
        return new CausedException(ErrorCodes.InvalidArg, $"{name}: reading it threw: {ThrownText(thrown, e.Message)}",
            thrown is { } t ? Keep(t) : null);
    }

    /// <summary>A reference to any JS value (a thrown string or number too: Node-API references only objects, so it is boxed).</summary>
    private static JSReference Keep(JSValue value)
    {
        var box = JSValue.CreateObject();
        box["value"] = value;
        return new JSReference(box);
    }

    /// <summary>The value <see cref="Keep"/> kept.</summary>
    private static JSValue? Kept(JSReference? kept) => kept?.GetValue() is { } box ? box["value"] : (JSValue?)null;

    /// <summary>What a thrown value says: an Error's message, else the value as a string (bounded).</summary>
    private static string ThrownText(JSValue? thrown, string fallback)
    {
        string text = fallback;
        try
        {
            if (thrown is { } t)
                text = t.IsObject() && t.InstanceOf(JSValue.Global["Error"]) ? (string)t["message"] : (string)JSValue.Global["String"].Call(JSValue.Undefined, t);
        }
        catch (JSException)
        {
            // a value whose toString throws: keep the fallback
        }
        return text.Length > 200 ? text[..197] + "..." : text;
    }

    /// <summary>Reads <c>o[key]</c>; a getter or proxy trap that throws becomes a coded error naming <paramref name="name"/>.</summary>
    private static JSValue Get(JSValue o, string key, string name)
    {
        try
        {
            return o[key];
        }
        catch (JSException e)
        {
            throw ReadError(name, e);
        }
    }

    /// <summary>
    /// The jobs started from one JS environment (the main thread's, or a worker's). When the
    /// environment goes away (<c>worker.terminate()</c>, a worker's end, or <c>process.exit()</c>,
    /// whose 'exit' listener js/native.js installs), its jobs lose their owner: they are cancelled,
    /// and the environment waits (at most <see cref="ShutdownWait"/>) for them to end, so their
    /// partial outputs and temp files are removed before the process or the worker is gone.
    /// One per environment, on its JS thread.
    /// </summary>
    private sealed class EnvJobs
    {
        [ThreadStatic] private static EnvJobs? t_current;

        /// <summary>How long an ending environment waits for its cancelled jobs to clean up.</summary>
        public static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(15);

        private readonly HashSet<Job> _jobs = [];

        /// <summary>Set when the environment ends: its jobs' settlements and progress reports then touch no JS.</summary>
        public bool Closing { get; private set; }

        public static EnvJobs? Current => t_current;

        /// <summary>At module registration: this environment's job set, cancelled by its cleanup hook.</summary>
        public static unsafe void Register(JSValueScope scope)
        {
            var jobs = t_current = new EnvJobs();
            var handle = GCHandle.Alloc(jobs);
            scope.Runtime.AddEnvCleanupHook((napi_env)scope, new Microsoft.JavaScript.NodeApi.Runtime.NodejsRuntime.napi_cleanup_hook((nint)(delegate* unmanaged[Cdecl]<nint, void>)&OnCleanup), GCHandle.ToIntPtr(handle)).ThrowIfFailed();
        }

        public void Add(Job job)
        {
            lock (_jobs) _jobs.Add(job);
        }

        public void Remove(Job job)
        {
            lock (_jobs) _jobs.Remove(job);
        }

        /// <summary><c>cancelJobsForExit()</c>: cancels this environment's jobs and waits for them; returns how many there were.</summary>
        public static JSValue CancelAll() => t_current?.CancelAndWait() ?? 0;

        private int CancelAndWait()
        {
            Closing = true;
            Job[] jobs;
            lock (_jobs) jobs = [.. _jobs];
            if (jobs.Length == 0) return 0;
            var running = new List<Task>();
            foreach (var job in jobs)
                if (job.CancelForShutdown() is { } task) running.Add(task);
            try
            {
                Task.WaitAll([.. running], ShutdownWait);
            }
            catch (AggregateException)
            {
                // they ended as aborted (or failed): what was waited for is that they ended
            }
            return jobs.Length;
        }

        [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
        private static void OnCleanup(nint arg)
        {
            try
            {
                var handle = GCHandle.FromIntPtr(arg);
                var jobs = (EnvJobs)handle.Target!;
                handle.Free();
                jobs.CancelAndWait();
            }
            catch
            {
                // nothing may unwind into node
            }
        }
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
        private JSReference? _callbackError;
        private readonly CancellationTokenSource _cancel = new();
        private EnvJobs? _env;
        private Task? _work;
        private volatile bool _callbackFailed;

        public Action<RenderProgress>? Progress { get; private set; }
        public CancellationToken Cancel => _cancel.Token;

        /// <summary>Whether <c>onProgress</c> threw: the job was stopped, and the call rejects with ERR_CALLBACK.</summary>
        public bool CallbackFailed => _callbackFailed;

        public void Watch(JSValue? options)
        {
            if (options is not { } o) return;
            var onProgress = Get(o, "onProgress", "options.onProgress");
            if (!onProgress.IsUndefined())
            {
                if (!onProgress.IsFunction()) throw ArgError($"options.onProgress: expected a function, got {Describe(onProgress)}");
                _onProgress = new JSReference(onProgress);
                Progress = ProgressReporter(_onProgress, this);
            }
            var signal = Get(o, "signal", "options.signal");
            if (!signal.IsUndefined())
            {
                if (!signal.IsObject() || !signal.InstanceOf(JSValue.Global["AbortSignal"]))
                    throw ArgError($"options.signal: expected an AbortSignal, got {Describe(signal)}");
                _signal = new JSReference(signal);
            }
        }

        /// <summary>
        /// Called once the arguments are all valid: an aborted signal stops here, a live one starts
        /// being watched; the job joins its environment's jobs.
        /// </summary>
        public void Begin()
        {
            if (_signal?.GetValue() is { } signal)
            {
                if ((bool)signal["aborted"]) throw new EngineException(ErrorCodes.Aborted, "the job was aborted");
                var cancel = _cancel;
                var listener = JSValue.CreateFunction("abort", _ =>
                {
                    try { cancel.Cancel(); } catch (ObjectDisposedException) { }
                    return JSValue.Undefined;
                });
                signal.CallMethod("addEventListener", "abort", listener);
                _listener = new JSReference(listener);
            }
            _env = EnvJobs.Current;
            _env?.Add(this);
        }

        /// <summary>Whether the job's environment is ending (worker terminated or exiting, process exiting).</summary>
        public bool OwnerGone => _env?.Closing == true;

        /// <summary>The work running off the JS thread, which an ending environment waits for.</summary>
        public void Track(Task work) => _work = work;

        /// <summary>The environment is ending: cancel, and hand back the work to wait for.</summary>
        public Task? CancelForShutdown()
        {
            try { _cancel.Cancel(); } catch (ObjectDisposedException) { }
            return _work;
        }

        /// <summary>On the JS thread: <c>onProgress</c> threw <paramref name="thrown"/>; the job stops.</summary>
        public void FailCallback(JSValue? thrown)
        {
            if (_callbackFailed) return;
            _callbackError = thrown is { } t ? Keep(t) : null;
            _callbackFailed = true;
            try { _cancel.Cancel(); } catch (ObjectDisposedException) { }
        }

        /// <summary>The rejection of a job whose <c>onProgress</c> threw: ERR_CALLBACK, with what it threw as <c>cause</c>.</summary>
        public JSError CallbackError()
        {
            var thrown = Kept(_callbackError);
            var error = JSValue.CreateError(ErrorCodes.Callback,
                $"options.onProgress threw: {ThrownText(thrown, "an exception")}; the job was stopped and its partial output removed");
            if (thrown is { } t) error["cause"] = t;
            return new JSError(error);
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
            _env?.Remove(this);
            if (_listener?.GetValue() is { } listener && _signal?.GetValue() is { } signal)
                signal.CallMethod("removeEventListener", "abort", listener);
            _listener?.Dispose();
            _onProgress?.Dispose();
            _signal?.Dispose();
            _callbackError?.Dispose();
            _cancel.Dispose();
        }
    }

    /// <summary>
    /// Posts each progress report to the JS thread as <c>{ frame, totalFrames, percent, fps, etaMs, stage }</c>.
    /// </summary>
    private static Action<RenderProgress> ProgressReporter(JSReference onProgress, Job job)
    {
        var js = JSSynchronizationContext.Current!;
        return p => js.Post(() =>
        {
            if (job.CallbackFailed || job.OwnerGone) return; // it threw before, or nobody is left: the job is stopping
            try
            {
                var o = JSValue.CreateObject();
                o["frame"] = p.Frame;
                o["totalFrames"] = p.TotalFrames;
                o["percent"] = p.Percent;
                o["fps"] = p.Fps;
                o["etaMs"] = p.EtaMs;
                o["stage"] = p.Stage;
                // Called through Node-API directly (not JSValue.Call) so that a call cut short by the
                // environment's end (process.exit() inside a worker's callback) can be left alone:
                // node-api-dotnet would try to build an Error for it and abort the process.
                var scope = JSValueScope.Current;
                var env = (napi_env)scope;
                var status = scope.Runtime.CallFunction(env, (napi_value)JSValue.Undefined, (napi_value)onProgress.GetValue(), [(napi_value)o], out _);
                if (status == napi_status.napi_ok || job.OwnerGone) return;
                // The callback threw: the job stops and rejects with ERR_CALLBACK (cause: what it threw).
                job.FailCallback(scope.Runtime.GetAndClearLastException(env, out napi_value thrown) == napi_status.napi_ok ? new JSValue(thrown) : (JSValue?)null);
            }
            catch (Exception)
            {
                // A callback already released (the job settled): nothing to report to.
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
        if (e is CausedException { Cause: { } cause })
        {
            error["cause"] = Kept(cause) ?? JSValue.Undefined;
            cause.Dispose(); // an error is converted once
        }
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
        JSValue keys;
        try
        {
            keys = JSValue.Global["Object"].CallMethod("keys", options);
        }
        catch (JSException e)
        {
            throw ReadError("options", e); // a proxy whose ownKeys trap throws
        }
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
        var baseDir = Get(options, "baseDir", "options.baseDir");
        if (!baseDir.IsUndefined() && !baseDir.IsString()) throw ArgError($"options.baseDir: expected a string path, got {Describe(baseDir)}");
        return options;
    }

    private static JSValue Option(JSValue? options, string name) => options is { } o ? Get(o, name, "options." + name) : JSValue.Undefined;

    /// <summary>Where relative paths resolve: <c>options.baseDir</c>, else the process's working directory.</summary>
    private static string BaseDir(JSValue? options)
    {
        var v = Option(options, "baseDir");
        return Path.GetFullPath(v.IsNullOrUndefined() ? Environment.CurrentDirectory : (string)v);
    }
}
