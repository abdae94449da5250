using BenchmarkDotNet.Attributes;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Benchmarks;

/// <summary>
/// One frame of the render stage at 480/720/1080/1440 lines (9:16): background image, the
/// chat with a bubble sliding in while the stack scrolls, the fade band and the header, into
/// a reused pool surface. Sprites are drawn in setup, as in a job's steady state.
/// </summary>
[MemoryDiagnoser]
public class FrameRenderBenchmark
{
    private Scene _scene = null!;
    private FrameRenderer _renderer = null!;
    private FramePool _pool = null!;
    private double _timeMs;

    [Params(480, 720, 1080, 1440)]
    public int Lines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _scene = BenchScenes.Story(Lines);
        _renderer = new FrameRenderer(_scene);
        _pool = new FramePool(FrameRenderer.FrameInfo(_scene), 1);
        _timeMs = BenchScenes.MidAnimationMs(_scene);
        BenchScenes.RenderInto(_renderer, _pool, 0, _timeMs);
    }

    [Benchmark]
    public void RenderFrame() => BenchScenes.RenderInto(_renderer, _pool, 0, _timeMs);

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _renderer.Dispose();
        _scene.Dispose();
    }
}
