namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// Admits jobs first-in first-out under two limits: how many run at once, and how much memory
/// the running jobs are estimated to hold. A job that could never fit fails at once with
/// <see cref="ErrorCodes.ResourceLimit"/>; one that fits later waits its turn. Waiting jobs can
/// be cancelled. The process never over-commits because of a burst of requests.
/// </summary>
public sealed class JobScheduler
{
    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _queue = new();
    private int _running;
    private long _bytesInUse;

    private sealed class Waiter
    {
        public required long Bytes { get; init; }
        public TaskCompletionSource<bool> Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public JobScheduler(int maxConcurrentJobs, long memoryLimitBytes)
    {
        if (maxConcurrentJobs < 1) throw new ArgumentOutOfRangeException(nameof(maxConcurrentJobs));
        MaxConcurrentJobs = maxConcurrentJobs;
        MemoryLimitBytes = memoryLimitBytes;
    }

    public int MaxConcurrentJobs { get; }

    /// <summary>0 means no memory limit.</summary>
    public long MemoryLimitBytes { get; }

    public int Running { get { lock (_lock) return _running; } }
    public int QueueDepth { get { lock (_lock) return _queue.Count; } }
    public long BytesInUse { get { lock (_lock) return _bytesInUse; } }

    /// <summary>Waits for a slot for a job admitted as <paramref name="admission"/> says (its bytes; a refusal names its figures).</summary>
    public Task<IDisposable> AcquireAsync(JobMemory.Admission admission, CancellationToken cancel) =>
        AcquireAsync(admission.Bytes, cancel, admission.RefusalDetail);

    /// <summary>Waits for a slot for a job estimated to need <paramref name="bytes"/>; dispose the result to release it.</summary>
    /// <param name="refusalDetail">Added to a refusal's message after the bytes (<see cref="JobMemory.Admission.RefusalDetail"/>).</param>
    public async Task<IDisposable> AcquireAsync(long bytes, CancellationToken cancel, string? refusalDetail = null)
    {
        CheckFits(bytes, "this job", refusalDetail);
        cancel.ThrowIfCancellationRequested();
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            if (_queue.Count == 0 && Fits(bytes))
            {
                Admit(bytes);
                return new Slot(this, bytes);
            }
            waiter = new Waiter { Bytes = bytes };
            node = _queue.AddLast(waiter);
        }
        using (cancel.Register(() =>
        {
            lock (_lock)
            {
                if (node.List is null) return; // already admitted
                _queue.Remove(node);
            }
            waiter.Admitted.TrySetCanceled(cancel);
        }))
        {
            await waiter.Admitted.Task.ConfigureAwait(false);
        }
        return new Slot(this, bytes);
    }

    /// <summary>
    /// Fails with <see cref="ErrorCodes.ResourceLimit"/> when <paramref name="bytes"/> could never fit
    /// under the memory limit, even alone: such work is refused, never queued for ever nor run.
    /// </summary>
    public void CheckFits(long bytes, string what, string? detail = null)
    {
        if (MemoryLimitBytes > 0 && bytes > MemoryLimitBytes)
            throw new EngineException(ErrorCodes.ResourceLimit,
                $"{what} needs about {Mb(bytes)} MB{detail}, more than the engine's memoryLimitMb ({Mb(MemoryLimitBytes)} MB); lower the resolution, the pictures or the messages, or raise the engine option memoryLimitMb to allow it");
    }

    internal static long Mb(long bytes) => (bytes + 999_999) / 1_000_000;

    private bool Fits(long bytes) =>
        _running < MaxConcurrentJobs && (MemoryLimitBytes == 0 || _bytesInUse + bytes <= MemoryLimitBytes);

    private void Admit(long bytes)
    {
        _running++;
        _bytesInUse += bytes;
    }

    private void Release(long bytes)
    {
        var admitted = new List<Waiter>();
        lock (_lock)
        {
            _running--;
            _bytesInUse -= bytes;
            // Strict FIFO: the head must fit before anyone behind it may start.
            while (_queue.First is { } head && Fits(head.Value.Bytes))
            {
                _queue.RemoveFirst();
                Admit(head.Value.Bytes);
                admitted.Add(head.Value);
            }
        }
        foreach (var w in admitted) w.Admitted.TrySetResult(true);
    }

    private sealed class Slot(JobScheduler owner, long bytes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release(bytes);
        }
    }
}
