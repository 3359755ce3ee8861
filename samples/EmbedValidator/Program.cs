// Embeds the validator in a program: `dotnet run -- KERNEL PATH…` validates the Modules in the YAML/JSON files or
// directories for KERNEL (e.g. 6.1.0-56-amd64), prints one status a module and exits 0 only when all are verified.
using System.Diagnostics;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Oci.Telemetry;
using Microsoft.Extensions.DependencyInjection;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: EmbedValidator KERNEL PATH…");
    return 2;
}

var services = new ServiceCollection();
services.AddKmmPreflight()
    // What configuration cannot hold: here, a progress callback.
    .Configure((options, _) => options with
    {
        Progress = new Progress<Kmm.Preflight.Core.Status.ModuleStatus>(s => Console.Error.WriteLine($"  {s.Namespace}/{s.Name}: {s.Stage}")),
    });
services.Configure<Kmm.Preflight.Extensions.DependencyInjection.KmmPreflightSettings>(s => s.Parallelism = 2);
await using var provider = services.BuildServiceProvider();

// Spans of the run, as an OpenTelemetry exporter would see them (AddSource(KmmPreflightTelemetry.ActivitySourceName)).
using var listener = new ActivityListener
{
    ShouldListenTo = source => source.Name == KmmPreflightTelemetry.ActivitySourceName,
    Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
    ActivityStopped = a => Console.Error.WriteLine($"  span {a.DisplayName} {a.Duration.TotalMilliseconds:F0} ms"),
};
ActivitySource.AddActivityListener(listener);

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

var objects = await new ManifestLoader().LoadAsync(args[1..], cancel.Token);
var validator = provider.GetRequiredService<PreflightValidator>();
var report = await validator.ValidateAsync(objects, PreflightTarget.ForKernel(args[0]), cancel.Token);
foreach (var result in report.Results)
{
    Console.WriteLine($"{result.Status.Namespace}/{result.Status.Name}\t{result.Status.VerificationStatus}\t{result.Status.StatusReason}");
}

return report.Results.All(r => r.Status.Verified) ? 0 : 1;
