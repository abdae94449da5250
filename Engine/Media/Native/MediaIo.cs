namespace ReelSpeed.Engine.Media.Native;

/// <summary>
/// How long libav's file reads and writes may go on: every media file the engine opens (demuxers,
/// muxers, their I/O contexts) gets an interrupt callback (<c>AVIOInterruptCB</c>) that libav calls
/// before each read or write attempt and in its long loops. It stops the operation when the job's
/// <see cref="CancellationToken"/> is cancelled (the job then ends as aborted, whatever libav was
/// doing), or when the file's position has not moved for <see cref="StallTimeout"/> within one
/// read, seek or write (a file that stopped growing, storage that does not answer: the job ends
/// with <see cref="ErrorCodes.IoStalled"/> naming the file).
/// <para>
/// The token is ambient: a job binds it with <see cref="Bind"/> and every context opened on that
/// flow (its threads included: <see cref="System.Threading.ExecutionContext"/> carries it) watches it,
/// so media code deep in the render needs no token parameter. A read blocked inside the kernel
/// (a hung network file system) is out of libav's reach: it is seen when the call returns.
/// </para>
/// </summary>
public static class MediaIo
{
    /// <summary>The stall bound unless a test lowers it: a sane file read or write never waits this long.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The stall bound of contexts opened from now on. Internal hook: tests lower it.</summary>
    internal static TimeSpan StallTimeout { get; set; } = DefaultStallTimeout;

    private static readonly AsyncLocal<CancellationToken> s_cancel = new();

    /// <summary>The token the media contexts opened on this flow watch (none outside a job).</summary>
    public static CancellationToken Current => s_cancel.Value;

    /// <summary>
    /// From here to the scope's end (and in the threads and tasks started meanwhile), media files
    /// opened stop their I/O when <paramref name="cancel"/> is cancelled.
    /// </summary>
    public static Scope Bind(CancellationToken cancel)
    {
        var previous = s_cancel.Value;
        s_cancel.Value = cancel;
        return new Scope(previous);
    }

    /// <summary>Restores the token bound before.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly CancellationToken _previous;

        internal Scope(CancellationToken previous) => _previous = previous;

        public void Dispose() => s_cancel.Value = _previous;
    }
}
