using BenchmarkDotNet.Attributes;
using ReelSpeed.Engine.Pipeline;
using SkiaSharp;

namespace ReelSpeed.Engine.Benchmarks;

/// <summary>
/// The frame pool at 1080x1920 with a job's three buffers: what a job pays once (allocate and
/// free; and the same with every page touched, as the first frames do), and what it pays per
/// frame instead (take the next buffer's canvas and pixels: no allocation).
/// </summary>
[MemoryDiagnoser]
public class FramePoolBenchmark
{
    private static readonly SKImageInfo Info = new(1080, 1920, SKColorType.Bgra8888, SKAlphaType.Premul);
    private FramePool _pool = null!;
    private int _next;

    [GlobalSetup]
    public void Setup() => _pool = new FramePool(Info, RenderJob.PoolSize);

    [Benchmark]
    public long AllocateAndFree()
    {
        using var pool = new FramePool(Info, RenderJob.PoolSize);
        return pool.Bytes;
    }

    [Benchmark]
    public long AllocateTouchAndFree()
    {
        using var pool = new FramePool(Info, RenderJob.PoolSize);
        for (int i = 0; i < pool.Count; i++) pool.Surface(i).Canvas.Clear(SKColors.Black);
        return pool.Bytes;
    }

    [Benchmark]
    public nint ReuseNextBuffer()
    {
        int i = _next;
        _next = (i + 1) % _pool.Count;
        var canvas = _pool.Surface(i).Canvas;
        return canvas.Handle + _pool.Pixels(i);
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();
}
