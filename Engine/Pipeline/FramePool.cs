using System.Runtime.InteropServices;
using SkiaSharp;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// A fixed set of native BGRA frame buffers, each wrapped once in an SKSurface. Allocated at
/// job start and freed at its end: rendering allocates nothing per frame. The GC is told
/// about the native bytes so it can weigh them.
/// </summary>
internal sealed unsafe class FramePool : IDisposable
{
    private readonly nint[] _buffers;
    private readonly SKSurface[] _surfaces;
    private readonly long _bytes;
    private bool _disposed;
    private static long s_liveBytes;

    /// <summary>Bytes of frame buffers allocated and not yet freed, across all jobs (metrics, leak checks).</summary>
    public static long LiveBytes => Interlocked.Read(ref s_liveBytes);

    public FramePool(SKImageInfo info, int count)
    {
        RowBytes = info.RowBytes;
        long size = (long)info.RowBytes * info.Height;
        _buffers = new nint[count];
        _surfaces = new SKSurface[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                _buffers[i] = (nint)NativeMemory.AlignedAlloc((nuint)size, 64);
                _surfaces[i] = SKSurface.Create(info, _buffers[i], info.RowBytes)
                    ?? throw new EngineException(ErrorCodes.ResourceLimit, $"cannot create a {info.Width}x{info.Height} frame surface");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        _bytes = size * count;
        GC.AddMemoryPressure(_bytes);
        Interlocked.Add(ref s_liveBytes, _bytes);
    }

    public int Count => _buffers.Length;
    public int RowBytes { get; }
    public long Bytes => _bytes;

    public nint Pixels(int index) => _buffers[index];
    public SKSurface Surface(int index) => _surfaces[index];

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        for (int i = 0; i < _buffers.Length; i++)
        {
            _surfaces[i]?.Dispose();
            if (_buffers[i] != 0) NativeMemory.AlignedFree((void*)_buffers[i]);
            _buffers[i] = 0;
        }
        if (_bytes > 0)
        {
            GC.RemoveMemoryPressure(_bytes);
            Interlocked.Add(ref s_liveBytes, -_bytes);
        }
    }
}
