using System.Diagnostics;
using System.Security.Cryptography;
using Kmm.Preflight.Core.Engine;
using Microsoft.Extensions.Logging;

namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>One build of one module: Dockerfile, base images, build, then verification and push (<see cref="BuildRun"/>'s other part).</summary>
internal sealed partial class BuildRun
{
    private const string BuildRepository = "localhost/kmm-preflight/build";

    private readonly BuildStage _stage;
    private readonly StageContext _context;
    private readonly BuildInputs _inputs;
    private readonly EngineClient _engine;
    private readonly List<CheckResult> _checks = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public BuildRun(BuildStage stage, StageContext context, BuildInputs inputs, EngineClient engine)
    {
        _stage = stage;
        _context = context;
        _inputs = inputs;
        _engine = engine;
    }

    private string ModuleName => $"{_context.Mapping.Module.Namespace}/{_context.Mapping.Module.Name}";

    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        var mapping = _context.Mapping;
        var lines = DockerfileReader.Lines(_inputs.Dockerfile);
        var instructions = DockerfileReader.Read(lines);
        IReadOnlyList<DockerfileStage> stages;
        try
        {
            stages = DockerfileStages.Find(instructions, _inputs.BuildArgs);
        }
        catch (FormatException ex)
        {
            return Fail($"the Dockerfile in ConfigMap {_inputs.ConfigMap} cannot be built: {ex.Message}", "dockerfile");
        }

        var version = await _engine.GetVersionAsync(cancellationToken);
        _checks.Add(new CheckResult("engine", CheckOutcome.Information, $"{version} at {_engine.Endpoint.Display}"));
        var baseImages = stages.Where(s => s.Image is not null).Select(s => s.Image!).ToList();
        var localNames = await BaseImageLoader.LoadAsync(_engine, _context, baseImages, cancellationToken);
        _checks.Add(new CheckResult("base-images", CheckOutcome.Passed, baseImages.Count == 0
            ? "no base image (FROM scratch)"
            : $"loaded into the engine with our registry client: {string.Join(", ", baseImages.Distinct(StringComparer.Ordinal))}"));

        var secretDirectory = _inputs.Secrets.Count == 0 ? null : ".kmm-preflight-secrets-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        string dockerfile;
        try
        {
            dockerfile = DockerfileRewriter.Rewrite(lines, instructions, stages, localNames, secretDirectory, [.. _inputs.Secrets.Select(s => s.Name)]);
        }
        catch (FormatException ex)
        {
            return Fail($"the Dockerfile in ConfigMap {_inputs.ConfigMap} would put build secrets into the image: {ex.Message}", "secrets");
        }

        var tag = $"{BuildRepository}:{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var request = new EngineBuildRequest
        {
            Tag = tag,
            BuildArgs = _inputs.BuildArgs,
            NetworkMode = _stage.Options.Network,
            NoCache = !_stage.Options.UseBuildCache,
            BuildKit = !version.IsPodman,
        };
        _context.Logger?.LogInformation("building {Module} for kernel {Kernel} with {Engine} from ConfigMap {ConfigMap}", ModuleName, mapping.Kernel, version, _inputs.ConfigMap);
        var result = await _engine.BuildAsync(
            request,
            (stream, ct) => BuildContextWriter.WriteAsync(stream, dockerfile, secretDirectory, _inputs.Secrets, ct),
            Output,
            cancellationToken);
        if (result.Failure is { } failure)
        {
            return Fail(BuildFailureReason.Describe(_context, _inputs, version, failure), "build");
        }

        _checks.Add(new CheckResult("build", CheckOutcome.Passed, $"built {result.ImageId} in {_clock.Elapsed.TotalSeconds:0.0} s"));
        return await VerifyAndPushAsync(tag, version, cancellationToken);
    }

    private void Output(string line)
    {
        _context.Logger?.LogInformation("build {Module}: {Line}", ModuleName, line);
        _stage.Options.Output?.Report(new BuildOutputLine(ModuleName, line));
    }

    private StageResult Fail(string reason, string check)
    {
        _checks.Add(new CheckResult(check, CheckOutcome.Failed, reason));
        return StageResult.Fail(Status.VerificationStage.Build, reason, [.. _checks]);
    }
}
