using Kmm.Preflight.Core.Images;
using Kmm.Preflight.Core.Loading;
using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Stages.Build;
using Kmm.Preflight.Core.Stages.Image;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Core.Tests.Stages.Build;

/// <summary>What the Build stage says before any engine is involved: missing inputs, options, an unreachable engine.</summary>
public class BuildStageInputTests
{
    private static readonly ConfigMap Dockerfile = new() { Name = "df", Namespace = "ns", Data = new Dictionary<string, string> { ["dockerfile"] = "FROM base\nRUN make\n" } };

    private static async Task<StageResult> Run(BuildSpec build, ObjectSet objects, Uri? engine = null)
    {
        var stage = new ValidationPipelineBuilder()
            .AddImageStage(new ImageStageOptions())
            .AddBuildStage(new BuildStageOptions { EngineHost = engine ?? new Uri("unix:///nonexistent/kmm-test/docker.sock") })
            .Build().Stages[Status.VerificationStage.Build];
        var context = StageTestContext.Context(StageTestContext.Mapping(build: build), new NoImages()) with
        {
            Objects = objects,
            Resolver = new NoImages(),
            ImageChecks = new NoChecks(),
        };
        return await stage.ValidateAsync(context);
    }

    [Test]
    public async Task A_missing_ConfigMap_is_named()
    {
        var result = await Run(new BuildSpec { DockerfileConfigMap = "df" }, ObjectSet.Empty);
        Assert.That(result.Reason, Is.EqualTo("ConfigMap df, the Dockerfile of Module ns/ptemod, was not found in namespace ns; add the ConfigMap to the input files"));
    }

    [Test]
    public async Task A_ConfigMap_without_the_dockerfile_key_lists_its_keys()
    {
        var objects = new ObjectSet { ConfigMaps = [Dockerfile with { Data = new Dictionary<string, string> { ["Dockerfile"] = "FROM x" } }] };
        var result = await Run(new BuildSpec { DockerfileConfigMap = "df" }, objects);
        Assert.That(result.Reason, Is.EqualTo("ConfigMap ns/df has no 'dockerfile' key (it has: Dockerfile); KMM reads the Dockerfile from that key"));
    }

    [Test]
    public async Task A_secret_key_that_is_no_file_name_is_refused()
    {
        var objects = new ObjectSet
        {
            ConfigMaps = [Dockerfile],
            Secrets = [new Secret { Name = "s", Namespace = "ns", Data = new Dictionary<string, byte[]> { [".."] = [1] } }],
        };
        var result = await Run(new BuildSpec { DockerfileConfigMap = "df", Secrets = ["s"] }, objects);
        Assert.That(result.Reason, Does.StartWith("build secret ns/s has a name or key that cannot be a file name under /run/secrets/s/"));
    }

    [Test]
    public async Task An_unreachable_engine_is_named_with_what_to_do()
    {
        var result = await Run(new BuildSpec { DockerfileConfigMap = "df" }, new ObjectSet { ConfigMaps = [Dockerfile] });
        Assert.That(result.Verified, Is.False);
        Assert.That(result.Reason, Does.StartWith("could not build Module ns/ptemod for kernel 6.1.0-56-amd64: pinging the engine: cannot reach the container engine at unix:///nonexistent/kmm-test/docker.sock")
            .And.EndWith("start dockerd or 'podman system service', or point --docker-host (DOCKER_HOST) at one"));
    }

    [Test]
    public void Invalid_options_are_listed_together()
    {
        var error = Assert.Throws<ArgumentException>(() => new ValidationPipelineBuilder().AddBuildStage(new BuildStageOptions
        {
            Timeout = TimeSpan.Zero,
            EngineHost = new Uri("ssh://builder"),
            Network = " ",
        }));
        Assert.That(error!.Message, Is.EqualTo("invalid Build stage options: Timeout must be positive (got 00:00:00); container engine host 'ssh://builder' is not supported: use unix:///path/to/docker.sock, tcp://HOST:PORT or http(s)://HOST:PORT; Network must name a network (e.g. none, host, default)"));
    }

    private sealed class NoImages : IImageOpener, IImageResolver
    {
        public Task<IImageFiles> OpenAsync(ImageRequest request, CancellationToken cancellationToken = default) => throw new ImageAccessException("no images in this test");

        public Task<ResolvedImage> ResolveAsync(ImageRequest request, CancellationToken cancellationToken = default) => throw new ImageAccessException("no images in this test");
    }

    private sealed class NoChecks : IModuleValidationStage
    {
        public Status.VerificationStage Stage => Status.VerificationStage.Image;

        public Task<StageResult> ValidateAsync(StageContext context, CancellationToken cancellationToken = default) => throw new AssertionException("no image is built in these tests");
    }
}
