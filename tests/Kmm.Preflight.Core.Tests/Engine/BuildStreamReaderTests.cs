using Kmm.Preflight.Core.Engine;
using Kmm.Preflight.Testing.Data;

namespace Kmm.Preflight.Core.Tests.Engine;

/// <summary>Reading the build streams the real engines sent (tests/testdata/engine): the failing step, exit code and output.</summary>
public class BuildStreamReaderTests
{
    private static (EngineBuildResult Result, List<string> Output) Replay(string file)
    {
        var output = new List<string>();
        var reader = new BuildStreamReader(output.Add);
        foreach (var line in File.ReadLines(Path.Combine(RepositoryTestData.Root, "engine", file)))
        {
            reader.Read(EngineJson.ParseMessage(line));
        }

        return (reader.Finish(), output);
    }

    [Test]
    public void BuildKit_progress_names_the_failing_vertex_its_exit_code_and_its_output()
    {
        var (result, output) = Replay("buildkit-failing-run.jsonl");

        Assert.That(result.ImageId, Is.Null);
        Assert.That(result.Failure!.Step, Is.EqualTo("[3/3] RUN echo compiling && echo \"dummy.c:1: error\" >&2 && exit 3"));
        Assert.That(result.Failure.ExitCode, Is.EqualTo(3));
        Assert.That(result.Failure.OutputTail, Is.EqualTo(new[] { "compiling", "dummy.c:1: error" }));
        Assert.That(output, Does.Contain("step one").And.Contain("#1 [internal] load remote build context"));
    }

    [Test]
    public void Podman_text_progress_names_the_failing_step_its_exit_status_and_its_output()
    {
        var (result, output) = Replay("podman-failing-run.jsonl");

        Assert.That(result.Failure!.Step, Is.EqualTo("STEP 3/3: RUN echo compiling && echo \"dummy.c:1: error\" >&2 && exit 3"));
        Assert.That(result.Failure.ExitCode, Is.EqualTo(3));
        Assert.That(result.Failure.OutputTail, Is.EqualTo(new[] { "compiling", "dummy.c:1: error" }));
        Assert.That(output, Does.Contain("step one"));
    }

    [Test]
    public void A_stream_with_an_image_ID_and_no_error_is_a_success()
    {
        var reader = new BuildStreamReader(_ => { });
        reader.Read(new EngineMessage { Stream = "STEP 1/1: FROM x\nSuccessfully tagged a\n" });
        reader.Read(EngineJson.ParseMessage("""{"aux":{"ID":"sha256:0a31"}}"""));
        Assert.That(reader.Finish(), Is.EqualTo(new EngineBuildResult { ImageId = "sha256:0a31" }));
    }

    [Test]
    public void A_stream_that_ends_without_an_image_or_error_is_a_failure_that_says_so()
    {
        var reader = new BuildStreamReader(_ => { });
        reader.Read(new EngineMessage { Stream = "STEP 1/2: FROM x\n" });
        Assert.That(reader.Finish().Failure!.Message, Is.EqualTo("the engine ended the build without an image ID or an error"));
    }
}
