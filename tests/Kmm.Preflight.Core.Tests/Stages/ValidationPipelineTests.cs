using Kmm.Preflight.Core.Model;
using Kmm.Preflight.Core.Stages;
using Kmm.Preflight.Core.Stages.Build;
using Kmm.Preflight.Core.Stages.Image;
using Kmm.Preflight.Core.Stages.Sign;
using Kmm.Preflight.Core.Status;
using Kmm.Preflight.Core.Tests.Fixtures;
using Kmm.Preflight.Oci.Manifests;
using Kmm.Preflight.Oci.References;
using Kmm.Preflight.Oci.Sources;

namespace Kmm.Preflight.Core.Tests.Stages;

public class ValidationPipelineTests
{
    private static readonly BuildSpec SomeBuild = new() { DockerfileConfigMap = "df" };
    private static readonly SignSpec SomeSign = new() { UnsignedImage = "reg.example/mods/unsigned:1", KeySecret = "k", CertSecret = "c", FilesToSign = ["/opt/x.ko"] };

    private sealed class RecordingStage(VerificationStage stage, bool verified, List<string> log, string? produced = null) : IModuleValidationStage
    {
        public VerificationStage Stage => stage;

        public List<ResolvedImage?> Inputs { get; } = [];

        public List<IModuleValidationStage?> ChecksSeen { get; } = [];

        public Task<StageResult> ValidateAsync(StageContext context, CancellationToken cancellationToken = default)
        {
            log.Add($"{stage}({context.InputImage}; after {context.Previous.Count})");
            Inputs.Add(context.Input);
            ChecksSeen.Add(context.ImageChecks);
            var result = verified ? StageResult.Pass(stage, $"{stage} ok") : StageResult.Fail(stage, $"{stage} failed");
            return Task.FromResult(result with { PushedImage = produced, ProducedImage = produced is null ? null : Handle(produced) });
        }
    }

    private static ResolvedImage Handle(string name)
    {
        var config = new Descriptor { MediaType = MediaType.OciConfig, Digest = Digest.Sha256(System.Text.Encoding.UTF8.GetBytes(name)), Size = name.Length };
        return new ResolvedImage
        {
            Name = name,
            Manifest = new ImageManifest { MediaType = MediaType.OciManifest, Config = config, Layers = [], Digest = config.Digest },
            Config = new ImageConfigBlob("{}"u8.ToArray()),
            Platform = Platform.Default,
            Layers = [],
        };
    }

    private static ValidationPipeline Pipeline(List<string> log, bool image, bool build = true, bool sign = true, string? built = "reg.example/built:1")
        => new ValidationPipelineBuilder()
            .AddStage(new RecordingStage(VerificationStage.Image, image, log))
            .AddStage(new RecordingStage(VerificationStage.Build, build, log, built))
            .AddStage(new RecordingStage(VerificationStage.Sign, sign, log, "reg.example/signed:1"))
            .Build();

    private static Task<PipelineOutcome> Run(ValidationPipeline pipeline, BuildSpec? build = null, SignSpec? sign = null)
        => pipeline.RunAsync(StageTestContext.Context(StageTestContext.Mapping(build: build, sign: sign), new InMemoryImageOpener()));

    [Test]
    public async Task Image_success_short_circuits_even_with_build_and_sign()
    {
        var log = new List<string>();
        var outcome = await Run(Pipeline(log, image: true), SomeBuild, SomeSign);
        Assert.That(log, Is.EqualTo(new[] { "Image(reg.example/mods/ptemod:6.1.0-56-amd64; after 0)" }));
        Assert.That((outcome.Verified, outcome.DecidedBy, outcome.Reason), Is.EqualTo((true, VerificationStage.Image, "Image ok")));
    }

    [Test]
    public async Task Image_failure_without_build_or_sign_keeps_the_image_reason()
    {
        var log = new List<string>();
        var outcome = await Run(Pipeline(log, image: false));
        Assert.That(log, Has.Count.EqualTo(1));
        Assert.That((outcome.Verified, outcome.DecidedBy, outcome.Reason), Is.EqualTo((false, VerificationStage.Image, "Image failed")));
    }

    [Test]
    public async Task Build_runs_after_a_failed_image_and_decides()
    {
        var log = new List<string>();
        var outcome = await Run(Pipeline(log, image: false, build: true), SomeBuild);
        Assert.That(log, Is.EqualTo(new[] { "Image(reg.example/mods/ptemod:6.1.0-56-amd64; after 0)", "Build(reg.example/mods/ptemod:6.1.0-56-amd64; after 1)" }));
        Assert.That((outcome.Verified, outcome.DecidedBy), Is.EqualTo((true, VerificationStage.Build)));
        Assert.That(outcome.StageResults.Select(r => r.Stage), Is.EqualTo(new[] { VerificationStage.Image, VerificationStage.Build }));
    }

    [Test]
    public async Task Sign_gets_the_built_image_after_build()
    {
        var log = new List<string>();
        var outcome = await Run(Pipeline(log, image: false), SomeBuild, SomeSign);
        Assert.That(log[^1], Is.EqualTo("Sign(reg.example/built:1; after 2)"));
        Assert.That(outcome.DecidedBy, Is.EqualTo(VerificationStage.Sign));
    }

    [Test]
    public async Task Sign_gets_the_built_image_handle_and_every_stage_can_run_the_image_checks()
    {
        var log = new List<string>();
        var image = new RecordingStage(VerificationStage.Image, false, log);
        var build = new RecordingStage(VerificationStage.Build, true, log, "reg.example/built:1");
        var sign = new RecordingStage(VerificationStage.Sign, true, log);
        var pipeline = new ValidationPipelineBuilder().AddStage(image).AddStage(build).AddStage(sign).Build();
        await Run(pipeline, SomeBuild, SomeSign);
        Assert.That(image.Inputs.Single(), Is.Null, "the Image stage opens the mapped image, not a handle");
        Assert.That(build.Inputs.Single(), Is.Null);
        Assert.That(sign.Inputs.Single()?.Name, Is.EqualTo("reg.example/built:1"), "Sign works on the built image as it is");
        Assert.That(build.ChecksSeen.Single(), Is.SameAs(image));
        Assert.That(sign.ChecksSeen.Single(), Is.SameAs(image));
    }

    [Test]
    public async Task Failed_build_stops_before_sign()
    {
        var log = new List<string>();
        var outcome = await Run(Pipeline(log, image: false, build: false), SomeBuild, SomeSign);
        Assert.That(log, Has.Count.EqualTo(2));
        Assert.That((outcome.Verified, outcome.DecidedBy, outcome.Reason), Is.EqualTo((false, VerificationStage.Build, "Build failed")));
    }

    [Test]
    public async Task Sign_alone_gets_the_unsigned_image()
    {
        var log = new List<string>();
        var outcome = await Run(Pipeline(log, image: false, sign: false), sign: SomeSign);
        Assert.That(log, Is.EqualTo(new[] { "Image(reg.example/mods/ptemod:6.1.0-56-amd64; after 0)", "Sign(reg.example/mods/unsigned:1; after 1)" }));
        Assert.That((outcome.Verified, outcome.DecidedBy), Is.EqualTo((false, VerificationStage.Sign)));
    }

    [Test]
    public async Task Default_pipeline_stages_that_cannot_work_fail_with_a_clear_reason()
    {
        var opener = new InMemoryImageOpener();
        var build = await ValidationPipeline.CreateDefault().RunAsync(StageTestContext.Context(StageTestContext.Mapping(build: SomeBuild), opener));
        Assert.That(build.Verified, Is.False);
        Assert.That(build.DecidedBy, Is.EqualTo(VerificationStage.Build));
        Assert.That(build.Reason, Is.EqualTo("ConfigMap df, the Dockerfile of Module ns/ptemod, was not found in namespace ns; add the ConfigMap to the input files"));

        var sign = await ValidationPipeline.CreateDefault().RunAsync(StageTestContext.Context(StageTestContext.Mapping(sign: SomeSign), opener));
        Assert.That((sign.Verified, sign.DecidedBy), Is.EqualTo((false, VerificationStage.Sign)));
        Assert.That(sign.Reason, Is.EqualTo("Secret k (sign.keySecret) was not found in namespace ns; add it to the input files (--resources)"));
    }

    [Test]
    public async Task A_custom_image_stage_replaces_the_builtin_one()
    {
        var log = new List<string>();
        var pipeline = new ValidationPipelineBuilder()
            .AddImageStage(new ImageStageOptions())
            .ReplaceStage(new RecordingStage(VerificationStage.Image, true, log))
            .Build();
        var outcome = await Run(pipeline);
        Assert.That((outcome.Verified, log.Count), Is.EqualTo((true, 1)));
        Assert.That(pipeline.Stages[VerificationStage.Image], Is.TypeOf<RecordingStage>());
    }

    [Test]
    public async Task A_removed_stage_that_is_needed_fails_with_a_reason()
    {
        var log = new List<string>();
        var pipeline = new ValidationPipelineBuilder()
            .AddStage(new RecordingStage(VerificationStage.Image, false, log))
            .AddBuildStage(new BuildStageOptions())
            .RemoveStage(VerificationStage.Build)
            .Build();
        var outcome = await Run(pipeline, SomeBuild);
        Assert.That(outcome.Reason, Is.EqualTo("module Module ns/ptemod needs the Build stage (kernelMappings[0] (literal 6.1.0-56-amd64)), but this pipeline has none; add one to the pipeline"));
    }

    [Test]
    public void Builder_rules()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new ValidationPipelineBuilder().AddBuildStage(new BuildStageOptions()).Build(),
                Throws.InvalidOperationException.With.Message.Contains("needs an Image stage"));
            Assert.That(() => new ValidationPipelineBuilder().AddImageStage(new ImageStageOptions()).AddImageStage(new ImageStageOptions()),
                Throws.ArgumentException.With.Message.Contains("already has a Image stage"));
            Assert.That(() => new ValidationPipelineBuilder().AddStage(new RecordingStage(VerificationStage.Done, true, [])),
                Throws.ArgumentException.With.Message.Contains("Done is not a stage place"));
            var ex = Assert.Throws<ArgumentException>(() => new ValidationPipelineBuilder().AddImageStage(new ImageStageOptions { MaxModuleBytes = 0, MaxModulesDepBytes = -1 }));
            Assert.That(ex!.Message, Does.Contain("MaxModuleBytes must be between 1").And.Contain("MaxModulesDepBytes must be between 1"));
            Assert.That(() => new ValidationPipelineBuilder().AddSignStage(new SignStageOptions { MaxFiles = 0, MaxFileBytes = -1 }),
                Throws.ArgumentException.With.Message.Contains("invalid Sign stage options: MaxFileBytes must be positive (got -1); MaxFiles must be positive"));
            Assert.That(() => new ValidationPipelineBuilder().AddBuildStage(new BuildStageOptions { Timeout = TimeSpan.FromSeconds(-1) }),
                Throws.ArgumentException.With.Message.Contains("invalid Build stage options"));
        });
    }

    [Test]
    public async Task Built_pipeline_is_immutable()
    {
        var log = new List<string>();
        var builder = new ValidationPipelineBuilder().AddStage(new RecordingStage(VerificationStage.Image, false, log));
        var pipeline = builder.Build();
        builder.ReplaceStage(new RecordingStage(VerificationStage.Image, true, log));
        var outcome = await Run(pipeline);
        Assert.That(outcome.Verified, Is.False);
        Assert.That(pipeline.Stages, Has.Count.EqualTo(1));
    }
}
