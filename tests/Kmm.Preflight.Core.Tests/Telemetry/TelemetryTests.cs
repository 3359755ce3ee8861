using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Core.Tests.Integration;
using Kmm.Preflight.Oci.FileSystem;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Telemetry;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;

namespace Kmm.Preflight.Core.Tests.Telemetry;

/// <summary>
/// Spans and counters seen by a plain <see cref="ActivityListener"/> and <see cref="MeterListener"/> on a real run
/// against the real <c>docker-registry</c>: one module verified, one with the wrong vermagic, one without a mapping.
/// </summary>
[NonParallelizable]
public class TelemetryTests
{
    private const string Kernel = CoreTestData.Kernel;
    private RegistryProcess _registry = null!;
    private string _repo = null!;

    [OneTimeSetUp]
    public async Task PushImages()
    {
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        _repo = "kmm-telemetry-" + Guid.NewGuid().ToString("N")[..8];
        var veth = CoreTestData.Module("veth");
        var @base = ModuleImageLayers.Base().ToTestLayer();
        using var client = _registry.CreateClient();
        await TestImagePusher.PushImageAsync(client, _registry.Reference($"{_repo}/good:{Kernel}"),
            [@base, ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = veth }).ToTestLayer()]);
        await TestImagePusher.PushImageAsync(client, _registry.Reference($"{_repo}/vermagic:{Kernel}"),
            [@base, ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = DepmodTree.WithVermagic(veth, Kernel, "6.0.0-19-amd64") }).ToTestLayer()]);
    }

    private string Yaml() => $$"""
        apiVersion: kmm.sigs.x-k8s.io/v1beta1
        kind: Module
        metadata: {name: good, namespace: telemetry}
        spec:
          moduleLoader:
            container:
              modprobe: {moduleName: veth}
              kernelMappings:
                - {regexp: '^6\.1\.', containerImage: "{{_registry.Host}}/{{_repo}}/good:{{Kernel}}"}
        ---
        apiVersion: kmm.sigs.x-k8s.io/v1beta1
        kind: Module
        metadata: {name: vermagic, namespace: telemetry}
        spec:
          moduleLoader:
            container:
              modprobe: {moduleName: veth}
              kernelMappings:
                - {regexp: '^6\.1\.', containerImage: "{{_registry.Host}}/{{_repo}}/vermagic:{{Kernel}}"}
        ---
        apiVersion: kmm.sigs.x-k8s.io/v1beta1
        kind: Module
        metadata: {name: unmapped, namespace: telemetry}
        spec:
          moduleLoader:
            container:
              modprobe: {moduleName: veth}
              kernelMappings:
                - {literal: 5.14.0-1, containerImage: "{{_registry.Host}}/{{_repo}}/good:5.14.0-1"}
        """;

    private async Task<PreflightReport> RunAsync(LayerIndexCache cache)
    {
        var objects = new ManifestLoader().Parse(Yaml(), "modules.yaml");
        var validator = new PreflightValidator(new PreflightValidatorOptions
        {
            Registry = new RegistryClientOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(50) },
            LayerCache = cache,
        });
        return await validator.ValidateAsync(objects, PreflightTarget.ForKernel(Kernel));
    }

    [Test]
    public async Task A_real_run_reports_spans_for_resolve_layer_scan_and_stages()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == KmmPreflightTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var report = await RunAsync(new LayerIndexCache());

        var all = spans.ToList();
        var modules = all.Where(a => a.OperationName == "kmm.preflight.module.validate").ToDictionary(a => (string)a.GetTagItem("kmm.preflight.module")!);
        Assert.That(modules.Keys, Is.EquivalentTo(new[] { "telemetry/good", "telemetry/vermagic", "telemetry/unmapped" }));
        Assert.Multiple(() =>
        {
            Assert.That(modules["telemetry/good"].GetTagItem("kmm.preflight.verification_status"), Is.EqualTo("True"));
            Assert.That(modules["telemetry/good"].GetTagItem("kmm.preflight.stage"), Is.EqualTo("Image"));
            Assert.That(modules["telemetry/vermagic"].GetTagItem("kmm.preflight.verification_status"), Is.EqualTo("False"));
            Assert.That(modules["telemetry/unmapped"].GetTagItem("kmm.preflight.stage"), Is.EqualTo("none"));
            Assert.That(modules["telemetry/good"].GetTagItem("kmm.preflight.kernel"), Is.EqualTo(Kernel));
        });

        var stages = all.Where(a => a.OperationName == "kmm.preflight.stage.run").ToList();
        Assert.That(stages, Has.Count.EqualTo(2), "one Image stage for each mapped module; none for the unmapped one");
        foreach (var stage in stages)
        {
            var module = (string)stage.GetTagItem("kmm.preflight.module")!;
            Assert.That(stage.ParentSpanId, Is.EqualTo(modules[module].SpanId), "a stage span is a child of its module's span");
            Assert.That(stage.GetTagItem("kmm.preflight.stage"), Is.EqualTo("Image"));
            Assert.That(stage.GetTagItem("kmm.preflight.verification_status"), Is.EqualTo(module == "telemetry/good" ? "True" : "False"));
            Assert.That(stage.DisplayName, Is.EqualTo("kmm.preflight.stage.run Image"));
        }

        var resolves = all.Where(a => a.OperationName == "kmm.preflight.image.resolve").ToList();
        Assert.That(resolves.Select(a => a.GetTagItem("kmm.preflight.image.name")), Is.EquivalentTo(new[]
        {
            $"{_registry.Host}/{_repo}/good:{Kernel}", $"{_registry.Host}/{_repo}/vermagic:{Kernel}",
        }));
        Assert.That(resolves.Select(a => a.GetTagItem("kmm.preflight.image.source")), Is.All.EqualTo("registry"));
        Assert.That(resolves.Select(a => a.GetTagItem("kmm.preflight.image.platform")), Is.All.EqualTo("linux/amd64"));

        var scans = all.Where(a => a.OperationName == "kmm.preflight.layer.scan").ToList();
        Assert.That(scans, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(scans.Select(a => a.GetTagItem("kmm.preflight.layer.compression")), Is.All.EqualTo("gzip"));
            Assert.That(scans.Select(a => (long)a.GetTagItem("kmm.preflight.layer.read")!).Sum(), Is.EqualTo(report.CompressedBytesRead));
            Assert.That(scans.Select(a => a.GetTagItem("kmm.preflight.layer.digest")).Distinct().Count(), Is.EqualTo(report.LayerScans.Count));
            var stageIds = stages.Select(s => s.SpanId).ToHashSet();
            Assert.That(scans.Where(s => stageIds.Contains(s.ParentSpanId)), Is.Not.Empty, "layer scans run inside the stage that asked for them");
            Assert.That(all.Select(a => a.Status), Is.All.Not.EqualTo(ActivityStatusCode.Error));
        });
    }

    [Test]
    public async Task A_real_run_counts_bytes_layers_cache_hits_and_verdicts()
    {
        var measurements = new ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == KmmPreflightTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            measurements.Enqueue((instrument.Name, value, copy));
        });
        listener.Start();

        var cache = new LayerIndexCache();
        var first = await RunAsync(cache);
        var afterFirst = measurements.ToList();
        await RunAsync(cache);
        var afterSecond = measurements.Skip(afterFirst.Count).ToList();

        long Sum(IEnumerable<(string Instrument, long Value, Dictionary<string, object?> Tags)> list, string name, Func<Dictionary<string, object?>, bool>? where = null)
            => list.Where(m => m.Instrument == name && (where?.Invoke(m.Tags) ?? true)).Sum(m => m.Value);

        Assert.Multiple(() =>
        {
            Assert.That(Sum(afterFirst, "kmm.preflight.layer.read"), Is.EqualTo(first.CompressedBytesRead).And.GreaterThan(0));
            Assert.That(Sum(afterFirst, "kmm.preflight.layer.scans"), Is.EqualTo(first.LayerScans.Values.Sum()).And.GreaterThan(0));
            Assert.That(Sum(afterFirst, "kmm.preflight.layer.scans", t => (string?)t["kmm.preflight.layer.compression"] == "gzip"), Is.EqualTo(Sum(afterFirst, "kmm.preflight.layer.scans")));
            Assert.That(Sum(afterFirst, "kmm.preflight.verdicts", t => (string?)t["kmm.preflight.stage"] == "Image" && (string?)t["kmm.preflight.verification_status"] == "True"), Is.EqualTo(1));
            Assert.That(Sum(afterFirst, "kmm.preflight.verdicts", t => (string?)t["kmm.preflight.stage"] == "Image" && (string?)t["kmm.preflight.verification_status"] == "False"), Is.EqualTo(1));
            Assert.That(Sum(afterFirst, "kmm.preflight.verdicts", t => (string?)t["kmm.preflight.stage"] == "none" && (string?)t["kmm.preflight.verification_status"] == "False"), Is.EqualTo(1));

            // The second run finds every layer index in the shared cache: no layer read again.
            Assert.That(Sum(afterSecond, "kmm.preflight.layer.scans"), Is.Zero);
            Assert.That(Sum(afterSecond, "kmm.preflight.layer.read"), Is.Zero);
            Assert.That(Sum(afterSecond, "kmm.preflight.layer_index.cache.hits", t => (string?)t["kmm.preflight.cache.tier"] == "memory"), Is.GreaterThanOrEqualTo(first.LayerScans.Count));
            Assert.That(Sum(afterSecond, "kmm.preflight.verdicts"), Is.EqualTo(3));
        });
    }

    [Test]
    public void Instruments_are_off_and_no_span_starts_while_nobody_listens()
    {
        using var source = new ActivitySource(KmmPreflightTelemetry.ActivitySourceName);
        // Listeners from other tests are disposed: nothing listens to the library's source now.
        Assert.That(source.HasListeners(), Is.False);
        Assert.That(Core.Telemetry.CoreTelemetry.Verdicts.Enabled, Is.False);
    }
}
