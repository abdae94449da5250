namespace ReelSpeed.Engine;

/// <summary>Runs long synchronous work on its own thread and exposes it as a task.</summary>
public static class DedicatedThread
{
    public static Task<T> Run<T>(string name, Func<T> work)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                tcs.SetResult(work());
            }
            catch (Exception e)
            {
                tcs.SetException(e);
            }
        })
        { Name = name, IsBackground = true };
        thread.Start();
        return tcs.Task;
    }
}
