using System.Collections.Concurrent;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Running;
using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Core.Tests.Integration;
using Kmm.Preflight.Extensions.DependencyInjection;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.Registry;
using Kmm.Preflight.Oci.Sources;
using Kmm.Preflight.Testing.Images;
using Kmm.Preflight.Testing.Registry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kmm.Preflight.Core.Tests.Extensions.DependencyInjection;

/// <summary><c>services.AddKmmPreflight(…)</c>: binding, loggers, transforms, and the IHttpClientFactory hook on a real registry.</summary>
[NonParallelizable]
public class AddKmmPreflightTests
{
    private const string Kernel = CoreTestData.Kernel;
    private RegistryProcess _registry = null!;
    private string _image = null!;

    [OneTimeSetUp]
    public async Task PushImage()
    {
        _registry = await RegistryProcess.GetSharedAsync(RegistryMode.PlainHttp);
        var repo = "kmm-di-" + Guid.NewGuid().ToString("N")[..8];
        using var client = _registry.CreateClient();
        await TestImagePusher.PushImageAsync(client, _registry.Reference($"{repo}/good:{Kernel}"),
            [ModuleImageLayers.Base().ToTestLayer(), ModuleImageLayers.Modules(new() { ["extra/veth.ko"] = CoreTestData.Module("veth") }).ToTestLayer()]);
        _image = $"{_registry.Host}/{repo}/good:{Kernel}";
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private Task<PreflightReport> ValidateAsync(PreflightValidator validator)
    {
        var objects = new ManifestLoader().Parse($$"""
            apiVersion: kmm.sigs.x-k8s.io/v1beta1
            kind: Module
            metadata: {name: di, namespace: default}
            spec:
              moduleLoader:
                container:
                  modprobe: {moduleName: veth}
                  kernelMappings:
                    - {regexp: '^6\.1\.', containerImage: "{{_image}}"}
            """, "modules.yaml");
        return validator.ValidateAsync(objects, PreflightTarget.ForKernel(Kernel));
    }

    [Test]
    public void Settings_bind_from_configuration_into_the_immutable_options()
    {
        var services = new ServiceCollection();
        services.AddKmmPreflight(Configuration(new()
        {
            ["KmmPreflight:Platform"] = "linux/aarch64",
            ["KmmPreflight:Parallelism"] = "2",
            ["KmmPreflight:MaxParallelLayers"] = "3",
            ["KmmPreflight:Registry:UseAuthFiles"] = "false",
            ["KmmPreflight:Registry:MaxRetries"] = "1",
            ["KmmPreflight:Registry:AttemptTimeout"] = "00:00:07",
            ["KmmPreflight:Registry:Hosts:0:Host"] = "registry.local:5000",
            ["KmmPreflight:Registry:Hosts:0:Insecure"] = "true",
            ["KmmPreflight:Registry:UserAgent"] = "embedder/2",
        }).GetSection("KmmPreflight"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PreflightValidatorOptions>>().Value;
        Assert.Multiple(() =>
        {
            Assert.That(options.Platform, Is.EqualTo(Platform.Parse("linux/arm64")));
            Assert.That(options.Parallelism, Is.EqualTo(2));
            Assert.That(options.MaxParallelLayers, Is.EqualTo(3));
            Assert.That(options.Registry.Credentials, Is.Null);
            Assert.That(options.Registry.MaxRetries, Is.EqualTo(1));
            Assert.That(options.Registry.AttemptTimeout, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(options.Registry.Hosts["REGISTRY.local:5000"], Is.EqualTo(new RegistryHostSettings(Insecure: true)));
            Assert.That(options.Registry.UserAgent, Is.EqualTo("embedder/2"));
            Assert.That(options.Registry.InnerHandler, Is.Null, "without UseHttpClientFactory the client makes its own handlers");
            Assert.That(provider.GetRequiredService<IOptions<RegistryClientOptions>>().Value, Is.SameAs(options.Registry));
        });
    }

    [Test]
    public void Defaults_are_the_libraries_own_and_every_service_is_one_singleton()
    {
        var services = new ServiceCollection();
        services.AddKmmPreflight();
        services.AddKmmPreflight();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PreflightValidatorOptions>>().Value;
        var defaults = new PreflightValidatorOptions();
        Assert.Multiple(() =>
        {
            Assert.That(options.Platform, Is.EqualTo(defaults.Platform));
            Assert.That(options.Parallelism, Is.EqualTo(defaults.Parallelism));
            Assert.That(options.Registry.MaxRetries, Is.EqualTo(new RegistryClientOptions().MaxRetries));
            Assert.That(options.Registry.Credentials, Is.Not.Null, "auth files are read by default, as podman and skopeo do");
            Assert.That(options.Logger, Is.Null, "no ILoggerFactory in the container");
            Assert.That(services.Count(d => d.ServiceType == typeof(PreflightValidator)), Is.EqualTo(1));
            var first = provider.GetRequiredService<PreflightValidator>();
            Assert.That(provider.GetRequiredService<PreflightValidator>(), Is.SameAs(first));
            Assert.That(provider.GetRequiredService<ImageSourceFactory>(), Is.Not.Null);
            Assert.That(provider.GetRequiredService<RegistryClient>().Options, Is.SameAs(options.Registry));
        });
    }

    [Test]
    public void Loggers_come_from_the_containers_logger_factory_by_type_name()
    {
        var categories = new ConcurrentBag<string>();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(new CategoryRecorder(categories)));
        services.AddKmmPreflight();
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IOptions<PreflightValidatorOptions>>().Value.Logger, Is.Not.Null);
        provider.GetRequiredService<RegistryClient>();
        Assert.That(categories, Does.Contain(typeof(PreflightValidator).FullName).And.Contain(typeof(RegistryClient).FullName));
    }

    [Test]
    public void Configure_sets_what_configuration_cannot_hold_in_order_and_a_null_result_is_an_error()
    {
        var pipeline = ValidationPipeline.CreateDefault();
        var services = new ServiceCollection();
        services.AddKmmPreflight()
            .Configure((o, _) => o with { Parallelism = 7 })
            .Configure((o, _) => o with { Pipeline = pipeline, Parallelism = o.Parallelism + 1 })
            .ConfigureRegistry((r, _) => r with { MaxBlobResumes = 9 });
        using (var provider = services.BuildServiceProvider())
        {
            var options = provider.GetRequiredService<IOptions<PreflightValidatorOptions>>().Value;
            Assert.That((options.Pipeline, options.Parallelism, options.Registry.MaxBlobResumes), Is.EqualTo((pipeline, 8, 9)));
        }

        var broken = new ServiceCollection();
        broken.AddKmmPreflight().Configure((_, _) => null!);
        using var brokenProvider = broken.BuildServiceProvider();
        Assert.That(() => brokenProvider.GetRequiredService<PreflightValidator>(),
            Throws.InvalidOperationException.With.Message.Contains("returned null"));
    }

    [Test]
    public void Invalid_settings_are_reported_when_the_validator_is_made()
    {
        var services = new ServiceCollection();
        services.AddKmmPreflight(Configuration(new() { ["Platform"] = "amd64", ["Registry:UseAuthFiles"] = "false", ["Registry:Hosts:0:Insecure"] = "true" }));
        using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<RegistryClient>(),
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("Registry:Hosts:0 has no Host"));
        Assert.That(() => provider.GetRequiredService<PreflightValidator>(),
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("'amd64' is not a platform"));
    }

    [Test]
    public async Task UseHttpClientFactory_sends_registry_requests_through_the_named_clients_handlers()
    {
        var seen = new ConcurrentQueue<string>();
        var services = new ServiceCollection();
        services.AddKmmPreflight(Configuration(new() { ["Registry:UseAuthFiles"] = "false", ["Registry:RetryBaseDelay"] = "00:00:00.050" }))
            .UseHttpClientFactory()
            .AddHttpMessageHandler(() => new RecordingHandler(seen));
        using var provider = services.BuildServiceProvider();

        var report = await ValidateAsync(provider.GetRequiredService<PreflightValidator>());

        Assert.That(report.Results.Single().Status.VerificationStatus, Is.EqualTo("True"), report.Results.Single().Status.StatusReason);
        Assert.That(seen, Has.Some.Contains("/manifests/").And.Some.Contains("/blobs/sha256:"));
        Assert.That(provider.GetRequiredService<IOptions<RegistryClientOptions>>().Value.InnerHandler, Is.InstanceOf<DelegatingHandler>());
    }

    [Test]
    public void A_primary_handler_that_follows_redirects_or_TLS_settings_it_cannot_honour_are_errors_listed_together()
    {
        var services = new ServiceCollection();
        services.AddKmmPreflight(Configuration(new()
        {
            ["Registry:UseAuthFiles"] = "false",
            ["Registry:CaFiles:0"] = "/etc/ca.pem",
            ["Registry:Hosts:0:Host"] = "r.example",
            ["Registry:Hosts:0:InsecureSkipTlsVerify"] = "true",
        }))
            .UseHttpClientFactory()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler());
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<RegistryClient>())!;
        Assert.That(error.Failures.Count(), Is.EqualTo(3));
        Assert.That(error.Message, Does.Contain("AllowAutoRedirect = false").And.Contain("/etc/ca.pem").And.Contain("r.example"));
    }

    private sealed class RecordingHandler(ConcurrentQueue<string> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Enqueue(request.RequestUri!.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class CategoryRecorder(ConcurrentBag<string> categories) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName)
        {
            categories.Add(categoryName);
            return Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        }

        public void Dispose()
        {
        }
    }
}
