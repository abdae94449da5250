using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ReelSpeed.Engine.Media.Native;

/// <summary>libav's <c>AVIOInterruptCB</c>: a C function and its opaque argument.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct AVIOInterruptCB
{
    public delegate* unmanaged[Cdecl]<nint, int> Callback;
    public nint Opaque;
}

/// <summary>
/// The interrupt callback of one libav format context (see <see cref="MediaIo"/>): it answers 1
/// ("stop") when the token bound when the context was opened is cancelled, or when the context's
/// I/O position has not moved for the stall timeout since the current operation began. Owners call
/// <see cref="Begin"/> before each blocking call (open, read, seek, write) and
/// <see cref="ThrowIfStopped"/> when one fails, which turns libav's <c>AVERROR_EXIT</c> into an
/// <see cref="OperationCanceledException"/> or a coded stall error naming the file.
/// Called by libav on the thread doing the I/O; disposed with its context, after it is closed.
/// </summary>
internal sealed unsafe class AvInterrupt : IDisposable
{
    private const int Running = 0, Cancelled = 1, Stalled = 2;

    private readonly CancellationToken _cancel;
    private readonly long _stallTicks;
    private GCHandle _self;
    private nint _ctx;
    private long _since;
    private long _lastPosition;
    private volatile int _state;

    public AvInterrupt()
    {
        _cancel = MediaIo.Current;
        _stallTicks = (long)(MediaIo.StallTimeout.TotalSeconds * Stopwatch.Frequency);
        _self = GCHandle.Alloc(this);
        Begin();
    }

    /// <summary>The callback to give libav (avio_open2, or <see cref="Attach"/>).</summary>
    public AVIOInterruptCB Value => new() { Callback = &OnInterrupt, Opaque = GCHandle.ToIntPtr(_self) };

    /// <summary>Whether the callback has stopped an operation (libav then returned AVERROR_EXIT).</summary>
    public bool Stopped => _state != Running;

    /// <summary>Installs the callback on a format context, whose I/O position then measures progress.</summary>
    public void Attach(nint formatCtx)
    {
        _ctx = formatCtx;
        *(AVIOInterruptCB*)((byte*)formatCtx + AvLayout.FormatContext.InterruptCallback) = Value;
    }

    /// <summary>A blocking operation starts: the stall clock starts over.</summary>
    public void Begin()
    {
        _since = Stopwatch.GetTimestamp();
        _lastPosition = long.MinValue;
    }

    /// <summary>
    /// After a libav call on this context failed: when the callback stopped it, throws
    /// (cancelled: <see cref="OperationCanceledException"/>; stalled: <see cref="ErrorCodes.IoStalled"/>).
    /// </summary>
    public void ThrowIfStopped(string path, bool writing)
    {
        switch (_state)
        {
            case Cancelled:
                throw new OperationCanceledException(_cancel);
            case Stalled:
                double seconds = (double)_stallTicks / Stopwatch.Frequency;
                throw new EngineException(ErrorCodes.IoStalled,
                    $"{path}: no data could be {(writing ? "written" : "read")} for {seconds:0.###} s (the file stopped growing or its storage does not answer); the job was stopped");
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnInterrupt(nint opaque)
    {
        try
        {
            return GCHandle.FromIntPtr(opaque).Target is AvInterrupt self && self.ShouldStop() ? 1 : 0;
        }
        catch
        {
            return 0; // nothing may unwind into libav
        }
    }

    private bool ShouldStop()
    {
        if (_state != Running) return true;
        if (_cancel.IsCancellationRequested)
        {
            _state = Cancelled;
            return true;
        }
        long now = Stopwatch.GetTimestamp();
        long position = Position();
        if (position != _lastPosition)
        {
            _lastPosition = position;
            _since = now;
            return false;
        }
        if (now - _since <= _stallTicks) return false;
        _state = Stalled;
        return true;
    }

    /// <summary>The byte position of the context's I/O (avio_tell: pure arithmetic, no I/O), or -1 before it has one.</summary>
    private long Position()
    {
        if (_ctx == 0) return -1;
        nint pb = *(nint*)((byte*)_ctx + AvLayout.FormatContext.Pb);
        return pb == 0 ? -1 : LibAv.avio_seek(pb, 0, 1 /* SEEK_CUR */);
    }

    public void Dispose()
    {
        if (_self.IsAllocated) _self.Free();
    }
}
