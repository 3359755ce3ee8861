using Kmm.Preflight.Core.Stages.Build;

namespace Kmm.Preflight.Core.Tests.Stages.Build;

/// <summary>Reading a Dockerfile's FROMs and rewriting its FROM and RUN lines (no engine needed).</summary>
public class DockerfileTests
{
    private static readonly KeyValuePair<string, string>[] DtkArgs = [KeyValuePair.Create("DTK_AUTO", "quay.io/openshift/dtk@sha256:abc"), KeyValuePair.Create("KERNEL_VERSION", "6.1.0-56-amd64")];

    private static (string[] Lines, IReadOnlyList<DockerfileInstruction> Instructions, IReadOnlyList<DockerfileStage> Stages) Read(string dockerfile, IReadOnlyList<KeyValuePair<string, string>>? args = null)
    {
        var lines = DockerfileReader.Lines(dockerfile);
        var instructions = DockerfileReader.Read(lines);
        return (lines, instructions, DockerfileStages.Find(instructions, args ?? DtkArgs));
    }

    [Test]
    public void FROM_images_come_from_global_ARGs_and_build_arguments_and_skip_stage_names_and_scratch()
    {
        var (_, _, stages) = Read("""
            # syntax comment, not a directive once an instruction came
            ARG DTK_AUTO
            ARG TOOLS=registry.example.com/tools:1
            FROM ${DTK_AUTO} AS builder
            ARG TOOLS=ignored-inside-a-stage
            RUN make
            from --platform=linux/amd64 $TOOLS as tools
            FROM builder AS again
            FROM scratch
            FROM ubi9/ubi-minimal
            COPY --from=builder /a /b
            """);

        Assert.That(stages.Select(s => s.Image), Is.EqualTo(new[] { "quay.io/openshift/dtk@sha256:abc", "registry.example.com/tools:1", null, null, "ubi9/ubi-minimal" }));
        Assert.That(stages.Select(s => s.Alias), Is.EqualTo(new[] { "builder", "tools", "again", null, null }));
    }

    [Test]
    public void An_ARG_without_a_value_gives_a_clear_error()
    {
        var error = Assert.Throws<FormatException>(() => Read("ARG BASE\nFROM $BASE\n", []));
        Assert.That(error!.Message, Is.EqualTo("line 2: FROM $BASE names no image once build arguments are substituted (is BASE declared with ARG before the first FROM and given a value?)"));
    }

    [Test]
    public void Continuations_comments_inside_them_and_heredocs_belong_to_their_instruction()
    {
        var (_, instructions, _) = Read("""
            FROM base
            RUN echo one \
            # a comment inside the continuation
                && echo two
            RUN <<EOF
            FROM not-an-instruction
            EOF
            RUN echo three
            """);

        Assert.That(instructions.Select(i => (i.Keyword, i.FirstLine, i.LastLine)), Is.EqualTo(new[] { ("FROM", 0, 0), ("RUN", 1, 3), ("RUN", 4, 6), ("RUN", 7, 7) }));
        Assert.That(instructions[1].Arguments, Is.EqualTo("echo one  && echo two"));
    }

    [Test]
    public void The_escape_directive_changes_the_continuation_character()
    {
        var (_, instructions, _) = Read("# escape=`\nFROM base\nRUN dir c:\\ `\n  && echo done\n");
        Assert.That(instructions.Select(i => i.Keyword), Is.EqualTo(new[] { "FROM", "RUN" }));
        Assert.That(instructions[1].Arguments, Is.EqualTo("dir c:\\  && echo done"));
    }

    [Test]
    public void FROM_lines_point_at_the_loaded_images_and_RUN_lines_mount_every_secret()
    {
        var (lines, instructions, stages) = Read("""
            ARG DTK_AUTO
            FROM ${DTK_AUTO} \
                AS builder
            RUN --mount=type=cache,target=/root/.cache make
            RUN ["/bin/sh", "-c", "make install"]
              run --mount=type=bind,source=x,target=/run/secrets/sign \
                  echo mine
            FROM builder
            """);
        var rewritten = DockerfileRewriter.Rewrite(lines, instructions, stages,
            new Dictionary<string, string> { ["quay.io/openshift/dtk@sha256:abc"] = "localhost/kmm-preflight/base:0123" }, ".s", ["sign", "key"]);

        Assert.That(rewritten.Split('\n'), Is.EqualTo(new[]
        {
            "ARG DTK_AUTO",
            "FROM localhost/kmm-preflight/base:0123 AS builder",
            string.Empty,
            "RUN --mount=type=bind,source=.s/sign,target=/run/secrets/sign --mount=type=bind,source=.s/key,target=/run/secrets/key --mount=type=cache,target=/root/.cache make",
            "RUN --mount=type=bind,source=.s/sign,target=/run/secrets/sign --mount=type=bind,source=.s/key,target=/run/secrets/key [\"/bin/sh\", \"-c\", \"make install\"]",
            "  run --mount=type=bind,source=.s/key,target=/run/secrets/key --mount=type=bind,source=x,target=/run/secrets/sign \\",
            "      echo mine",
            "FROM builder",
            string.Empty,
        }));
    }

    [TestCase("COPY . /src")]
    [TestCase("COPY ./ /src")]
    [TestCase("ADD * /src/")]
    [TestCase("COPY [\".\", \"/src\"]")]
    [TestCase("COPY --chown=1000 .s /src")]
    public void A_COPY_that_could_reach_the_secrets_is_refused(string copy)
    {
        var (lines, instructions, stages) = Read($"FROM base\n{copy}\n");
        var error = Assert.Throws<FormatException>(() => DockerfileRewriter.Rewrite(lines, instructions, stages, new Dictionary<string, string> { ["base"] = "b" }, ".s", ["sign"]));
        Assert.That(error!.Message, Does.StartWith("line 2: "));
    }

    [TestCase("COPY ./Makefile /src/")]
    [TestCase("COPY --from=builder / /")]
    [TestCase("ADD dummy.c /src/")]
    public void A_COPY_of_named_files_or_from_a_stage_is_fine(string copy)
    {
        var (lines, instructions, stages) = Read($"FROM base\n{copy}\n");
        Assert.DoesNotThrow(() => DockerfileRewriter.Rewrite(lines, instructions, stages, new Dictionary<string, string> { ["base"] = "b" }, ".s", ["sign"]));
    }

    [Test]
    public void Without_secrets_only_FROM_changes()
    {
        var (lines, instructions, stages) = Read("FROM base\nCOPY . /src\nRUN make\n");
        Assert.That(DockerfileRewriter.Rewrite(lines, instructions, stages, new Dictionary<string, string> { ["base"] = "b" }, null, []),
            Is.EqualTo("FROM b\nCOPY . /src\nRUN make\n\n"));
    }
}
