using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ReelSpeed.Engine.Benchmarks;

/// <summary>
/// Per-stage benchmarks of the render pipeline: `npm run bench:stages`, or
/// <c>dotnet run -c Release --project Engine.Benchmarks -- --filter '*Convert*'</c>.
/// Without a <c>--job</c> argument every benchmark runs a short job (1 launch, 3 warm-ups,
/// 5 iterations) so the whole set finishes in a few minutes on 2 cores; pass
/// <c>--job default</c> for BenchmarkDotNet's full statistics.
/// Benchmarks run in this process (the in-process toolchain): BenchmarkDotNet's generated
/// project would look for a csproj named after the assembly (ReelSpeed.Engine.Benchmarks),
/// and building it would cost another minute of the 2 cores before anything is measured.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        bool jobGiven = args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal));
        IConfig config = DefaultConfig.Instance;
        if (!jobGiven)
            config = config.AddJob(Job.ShortRun.WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance).WithId("Short"));
        else if (!args.Contains("--inProcess"))
            args = [.. args, "--inProcess"]; // (only here: it also adds a job of its own)
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
