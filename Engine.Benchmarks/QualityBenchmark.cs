using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Benchmarks;

/// <summary>
/// SSIM + PSNR of one yuv420p frame pair (what <see cref="VideoQuality"/> does per compared
/// pair, decoding aside): the engine's AVX2 kernels, its 128-bit SSSE3 kernels (the NativeAOT
/// addon's path), its scalar fallback, and — for the
/// comparison that chose the engine's own kernels, not engine code — FFmpeg's libavfilter
/// <c>psnr</c> + <c>ssim</c> filters (hand-written x86 SIMD) in a filter graph fed the same
/// frames, on one thread and on the graph's automatic thread count. libavfilter is loaded
/// only by this benchmark. The cost does not depend on the pixel values (no branches), so the
/// frames are synthetic: a pattern and a noisy copy.
/// </summary>
[MemoryDiagnoser]
public unsafe partial class QualityBenchmark
{
    [Params("1080x1920", "640x360")]
    public string Size { get; set; } = "";

    private int _width, _height;
    private AvFrameHandle _a = null!, _b = null!, _sinkFrame = null!;
    private int* _scratch;
    private nint _graph1, _graphAuto;
    private (nint D, nint R, nint Sink) _filters1, _filtersAuto;
    private long _pts;
    private AvFrameHandle[] _ring = [];
    private int _next;

    /// <summary>Bytes of the ring of frame pairs <see cref="EngineSsse3FromMemory"/> cycles through: far more than any cache.</summary>
    private const long RingBytes = 256L << 20;

    [GlobalSetup]
    public void Setup()
    {
        LibAvLoader.EnsureLoaded();
        var parts = Size.Split('x');
        (_width, _height) = (int.Parse(parts[0]), int.Parse(parts[1]));
        var random = new Random(1);
        _a = Frame(random, null);
        _b = Frame(random, _a);
        _sinkFrame = AvFrameHandle.Alloc();
        _scratch = (int*)NativeMemory.AlignedAlloc((nuint)QualityKernels.SsimScratchInts(_width) * sizeof(int), 64);
        // Copies of the pair, each scored in turn, so that every pair comes from memory as in a render (an encoder's input
        // frame, scored a few dozen frames after it was drawn or decoded).
        long pairBytes = 2L * _width * _height * 3 / 2;
        _ring = new AvFrameHandle[2 * (int)Math.Max(4, RingBytes / pairBytes)];
        for (int i = 0; i < _ring.Length; i++)
        {
            _ring[i] = FrameConverter.AllocateFrame(_width, _height);
            if (Util.av_frame_copy(_ring[i].Ptr, (i % 2 == 0 ? _a : _b).Ptr) < 0) throw new InvalidOperationException("copying a frame failed");
        }
        (_graph1, _filters1) = Graph(1);
        (_graphAuto, _filtersAuto) = Graph(0);
    }

    /// <summary>A yuv420p frame: a diagonal pattern with noise, or <paramref name="like"/> plus noise.</summary>
    private AvFrameHandle Frame(Random random, AvFrameHandle? like)
    {
        var frame = AvFrameHandle.Alloc();
        var f = frame.Ptr;
        LibAv.Field<int>(f, AvLayout.Frame.Width) = _width;
        LibAv.Field<int>(f, AvLayout.Frame.Height) = _height;
        LibAv.Field<int>(f, AvLayout.Frame.Format) = AvConst.PixFmtYuv420p;
        if (LibAv.av_frame_get_buffer(f, 64) < 0) throw new InvalidOperationException("av_frame_get_buffer failed");
        for (int p = 0; p < 3; p++)
        {
            int w = p == 0 ? _width : (_width + 1) / 2, h = p == 0 ? _height : (_height + 1) / 2;
            byte* dst = ((byte**)(f + AvLayout.Frame.Data))[p];
            int stride = ((int*)(f + AvLayout.Frame.Linesize))[p];
            byte* src = like == null ? null : ((byte**)(like.Ptr + AvLayout.Frame.Data))[p];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    dst[y * stride + x] = src == null
                        ? (byte)((x + 2 * y + random.Next(0, 16)) & 255)
                        : (byte)Math.Clamp(src[y * stride + x] + random.Next(-6, 7), 0, 255);
        }
        return frame;
    }

    [Benchmark(Baseline = true)]
    public double EngineAvx2() => Score(QualityKernels.Path.Avx2);

    /// <summary>The 128-bit path: what the NativeAOT addon runs (the default AOT baseline folds <c>Avx2.IsSupported</c> to false).</summary>
    [Benchmark]
    public double EngineSsse3() => Score(QualityKernels.Path.Ssse3);

    /// <summary>
    /// <see cref="EngineSsse3"/> on a pair that is in no cache: the case of a render's in-flight measurement, where the
    /// row streams must come from memory (<c>QualityKernels.PrefetchNextBlockRow</c>).
    /// </summary>
    [Benchmark]
    public double EngineSsse3FromMemory()
    {
        var a = _ring[_next].Ptr;
        var b = _ring[_next + 1].Ptr;
        _next = (_next + 2) % _ring.Length;
        return QualityKernels.ScoreFrames(a, b, _width, _height, (_width + 1) / 2, (_height + 1) / 2, _scratch, QualityKernels.Path.Ssse3).Ssim;
    }

    [Benchmark]
    public double EngineScalar() => Score(QualityKernels.Path.Scalar);

    private double Score(QualityKernels.Path path) =>
        QualityKernels.ScoreFrames(_a.Ptr, _b.Ptr, _width, _height, (_width + 1) / 2, (_height + 1) / 2, _scratch, path).Ssim;

    [Benchmark]
    public int LibavfilterOneThread() => Push(_filters1);

    [Benchmark]
    public int LibavfilterAutoThreads() => Push(_filtersAuto);

    /// <summary>Sends the pair through the graph and takes what comes out (one frame per pair once running).</summary>
    private int Push((nint D, nint R, nint Sink) filters)
    {
        _pts++;
        LibAv.Field<long>(_a.Ptr, AvLayout.Frame.Pts) = _pts;
        LibAv.Field<long>(_b.Ptr, AvLayout.Frame.Pts) = _pts;
        Check(Filters.av_buffersrc_add_frame_flags(filters.D, _a.Ptr, KeepRef), "buffersrc");
        Check(Filters.av_buffersrc_add_frame_flags(filters.R, _b.Ptr, KeepRef), "buffersrc");
        int frames = 0;
        while (Filters.av_buffersink_get_frame(filters.Sink, _sinkFrame.Ptr) >= 0)
        {
            frames++;
            LibAv.av_frame_unref(_sinkFrame.Ptr);
        }
        return frames;
    }

    private const int KeepRef = 8; // AV_BUFFERSRC_FLAG_KEEP_REF

    /// <summary>distorted → psnr → ssim → sink, reference split into both filters' second input.</summary>
    private (nint Graph, (nint D, nint R, nint Sink) Filters) Graph(int threads)
    {
        nint graph = Filters.avfilter_graph_alloc();
        if (graph == 0) throw new InvalidOperationException("avfilter_graph_alloc failed");
        Check(LibAv.av_opt_set_int(graph, "threads", threads, 0), "threads");
        string args = $"video_size={_width}x{_height}:pix_fmt={AvConst.PixFmtYuv420p}:time_base=1/30:pixel_aspect=1/1";
        nint d = Create(graph, "buffer", "d", args), r = Create(graph, "buffer", "r", args);
        nint split = Create(graph, "split", "split", "2"), psnr = Create(graph, "psnr", "psnr", null), ssim = Create(graph, "ssim", "ssim", null);
        nint sink = Create(graph, "buffersink", "out", null);
        Check(Filters.avfilter_link(d, 0, psnr, 0), "link");
        Check(Filters.avfilter_link(r, 0, split, 0), "link");
        Check(Filters.avfilter_link(split, 0, psnr, 1), "link");
        Check(Filters.avfilter_link(split, 1, ssim, 1), "link");
        Check(Filters.avfilter_link(psnr, 0, ssim, 0), "link");
        Check(Filters.avfilter_link(ssim, 0, sink, 0), "link");
        Check(Filters.avfilter_graph_config(graph, 0), "graph config");
        return (graph, (d, r, sink));
    }

    private static nint Create(nint graph, string filter, string name, string? args)
    {
        nint f = Filters.avfilter_get_by_name(filter);
        if (f == 0) throw new InvalidOperationException($"no {filter} filter");
        nint ctx;
        Check(Filters.avfilter_graph_create_filter(&ctx, f, name, args, 0, graph), filter);
        return ctx;
    }

    private static void Check(int ret, string what)
    {
        if (ret < 0) throw new InvalidOperationException($"{what}: {LibAv.ErrorText(ret)}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        nint g = _graph1;
        Filters.avfilter_graph_free(&g);
        g = _graphAuto;
        Filters.avfilter_graph_free(&g);
        NativeMemory.AlignedFree(_scratch);
        _a.Dispose();
        _b.Dispose();
        foreach (var f in _ring) f.Dispose();
        _sinkFrame.Dispose();
    }

    /// <summary>libavutil's frame copy, which only this benchmark needs.</summary>
    private static partial class Util
    {
        [LibraryImport("libavutil.so.57")] public static partial int av_frame_copy(nint dst, nint src);
    }

    /// <summary>The few libavfilter 8 (FFmpeg 5.1) functions this comparison needs.</summary>
    private static partial class Filters
    {
        private const string Lib = "libavfilter.so.8";
        [LibraryImport(Lib)] public static partial nint avfilter_graph_alloc();
        [LibraryImport(Lib)] public static partial void avfilter_graph_free(nint* graph);
        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial nint avfilter_get_by_name(string name);
        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int avfilter_graph_create_filter(nint* ctx, nint filter, string name, string? args, nint opaque, nint graph);
        [LibraryImport(Lib)] public static partial int avfilter_link(nint src, uint srcPad, nint dst, uint dstPad);
        [LibraryImport(Lib)] public static partial int avfilter_graph_config(nint graph, nint logContext);
        [LibraryImport(Lib)] public static partial int av_buffersrc_add_frame_flags(nint ctx, nint frame, int flags);
        [LibraryImport(Lib)] public static partial int av_buffersink_get_frame(nint ctx, nint frame);
    }
}
