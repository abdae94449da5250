using NUnit.Framework;
using ReelSpeed.Engine.Pipeline;

namespace ReelSpeed.Engine.Tests.Pipeline;

public class JobSchedulerTests
{
    [Test]
    public async Task Jobs_beyond_the_limit_wait_and_start_in_arrival_order()
    {
        var s = new JobScheduler(maxConcurrentJobs: 2, memoryLimitBytes: 0);
        var a = await s.AcquireAsync(1, default);
        var b = await s.AcquireAsync(1, default);
        var order = new List<string>();
        var c = s.AcquireAsync(1, default).ContinueWith(t => { lock (order) order.Add("c"); return t.Result; });
        var d = s.AcquireAsync(1, default).ContinueWith(t => { lock (order) order.Add("d"); return t.Result; });
        await Task.Delay(50);
        Assert.That((s.Running, s.QueueDepth, c.IsCompleted, d.IsCompleted), Is.EqualTo((2, 2, false, false)));
        a.Dispose();
        (await c).Dispose();
        b.Dispose();
        (await d).Dispose();
        Assert.That(order, Is.EqualTo(new[] { "c", "d" }));
        Assert.That((s.Running, s.QueueDepth), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task Memory_limit_admits_what_fits_and_rejects_what_never_can()
    {
        var s = new JobScheduler(maxConcurrentJobs: 8, memoryLimitBytes: 100);
        var e = (await Assert.ThrowsAsync<EngineException>(() => s.AcquireAsync(101, default)))!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.ResourceLimit));
        var big = await s.AcquireAsync(70, default);
        var waiting = s.AcquireAsync(40, default);
        await Task.Delay(30);
        Assert.That(waiting.IsCompleted, Is.False, "70 + 40 > 100: waits");
        Assert.That(s.BytesInUse, Is.EqualTo(70));
        big.Dispose();
        using var second = await waiting;
        Assert.That(s.BytesInUse, Is.EqualTo(40));
    }

    [Test]
    public async Task A_waiting_job_can_be_cancelled_and_leaves_the_queue()
    {
        var s = new JobScheduler(1, 0);
        var first = await s.AcquireAsync(1, default);
        using var cts = new CancellationTokenSource();
        var waiting = s.AcquireAsync(1, cts.Token);
        cts.Cancel();
        await Assert.CatchAsync<OperationCanceledException>(() => waiting);
        Assert.That(s.QueueDepth, Is.Zero);
        first.Dispose();
        first.Dispose(); // releasing twice must not free a second slot
        Assert.That(s.Running, Is.Zero);
        using var next = await s.AcquireAsync(1, default);
        Assert.That(s.Running, Is.EqualTo(1));
    }
}
