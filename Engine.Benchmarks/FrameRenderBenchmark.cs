using BenchmarkDotNet.Attributes;
using ReelSpeed.Engine.Pipeline;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Benchmarks;

/// <summary>
/// One frame of the render stage at 480/720/1080/1440 lines (9:16): background image, the
/// chat with a bubble sliding in while the stack scrolls, the fade band and the header, into
/// a reused surface surface. Sprites are drawn in setup, as in a job's steady state.
/// </summary>
[MemoryDiagnoser]
public class FrameRenderBenchmark
{
    private Scene _scene = null!;
    private FrameRenderer _renderer = null!;
    private FrameSurface _surface = null!;
    private double _timeMs;

    [Params(480, 720, 1080, 1440)]
    public int Lines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _scene = BenchScenes.Story(Lines);
        _renderer = new FrameRenderer(_scene);
        _surface = new FrameSurface(FrameRenderer.FrameInfo(_scene));
        _timeMs = BenchScenes.MidAnimationMs(_scene);
        BenchScenes.RenderInto(_renderer, _surface, _timeMs);
    }

    [Benchmark]
    public void RenderFrame() => BenchScenes.RenderInto(_renderer, _surface, _timeMs);

    [GlobalCleanup]
    public void Cleanup()
    {
        _surface.Dispose();
        _renderer.Dispose();
        _scene.Dispose();
    }
}
