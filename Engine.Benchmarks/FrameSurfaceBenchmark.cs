using BenchmarkDotNet.Attributes;
using ReelSpeed.Engine.Pipeline;
using SkiaSharp;

namespace ReelSpeed.Engine.Benchmarks;

/// <summary>
/// The BGRA surface a job draws into, at 1080x1920: what a job pays once (allocate and free; and
/// the same with every page touched, as the first frame does), and what it pays per frame instead
/// (take the canvas and pixels: no allocation).
/// </summary>
[MemoryDiagnoser]
public class FrameSurfaceBenchmark
{
    private static readonly SKImageInfo Info = new(1080, 1920, SKColorType.Bgra8888, SKAlphaType.Premul);
    private FrameSurface _surface = null!;

    [GlobalSetup]
    public void Setup() => _surface = new FrameSurface(Info);

    [Benchmark]
    public long AllocateAndFree()
    {
        using var surface = new FrameSurface(Info);
        return surface.Bytes;
    }

    [Benchmark]
    public long AllocateTouchAndFree()
    {
        using var surface = new FrameSurface(Info);
        surface.Canvas.Clear(SKColors.Black);
        return surface.Bytes;
    }

    [Benchmark]
    public nint ReuseSurface() => _surface.Canvas.Handle + _surface.Pixels;

    [GlobalCleanup]
    public void Cleanup() => _surface.Dispose();
}
