using System.Runtime.InteropServices;
using SkiaSharp;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// The native BGRA buffer a job draws its frames into, wrapped once in an SKSurface. Allocated
/// at job start and freed at its end: rendering allocates nothing per frame. The GC is told
/// about the native bytes so it can weigh them.
/// </summary>
internal sealed unsafe class FrameSurface : IDisposable
{
    private nint _buffer;
    private readonly SKSurface? _surface;
    private readonly long _bytes;
    private static long s_liveBytes;

    /// <summary>Bytes of frame buffers allocated and not yet freed, across all jobs (metrics, leak checks).</summary>
    public static long LiveBytes => Interlocked.Read(ref s_liveBytes);

    public FrameSurface(SKImageInfo info)
    {
        RowBytes = info.RowBytes;
        long size = (long)info.RowBytes * info.Height;
        _buffer = (nint)NativeMemory.AlignedAlloc((nuint)size, 64);
        _surface = SKSurface.Create(info, _buffer, info.RowBytes);
        if (_surface is null)
        {
            NativeMemory.AlignedFree((void*)_buffer);
            _buffer = 0;
            throw new EngineException(ErrorCodes.ResourceLimit, $"cannot create a {info.Width}x{info.Height} frame surface");
        }
        _bytes = size;
        GC.AddMemoryPressure(_bytes);
        Interlocked.Add(ref s_liveBytes, _bytes);
    }

    public int RowBytes { get; }
    public long Bytes => _bytes;
    public nint Pixels => _buffer;
    public SKCanvas Canvas => _surface!.Canvas;

    public void Dispose()
    {
        if (_buffer == 0) return;
        _surface!.Dispose();
        NativeMemory.AlignedFree((void*)_buffer);
        _buffer = 0;
        GC.RemoveMemoryPressure(_bytes);
        Interlocked.Add(ref s_liveBytes, -_bytes);
    }
}
