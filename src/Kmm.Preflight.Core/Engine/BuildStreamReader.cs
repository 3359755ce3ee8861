using System.Text;
using System.Text.RegularExpressions;

namespace Kmm.Preflight.Core.Engine;

/// <summary>
/// Follows a build's message stream, whichever builder wrote it: the classic builder and podman send text lines
/// (<c>Step 2/3 : RUN …</c>, <c>[1/2] STEP 2/3: RUN …</c>), BuildKit sends base64 protobuf status in
/// <c>moby.buildkit.trace</c>. It hands every output line on, and keeps what a failure reason needs: the current
/// step, its last lines, the error and the exit code.
/// </summary>
internal sealed partial class BuildStreamReader
{
    private const int TailLines = 20;

    private readonly Action<string> _output;
    private readonly Queue<string> _classicTail = new();
    private readonly Dictionary<string, string> _vertexNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<string>> _vertexTails = new(StringComparer.Ordinal);
    private readonly StringBuilder _partial = new();
    private string? _classicStep;
    private string? _failedVertex;
    private string? _error;

    public BuildStreamReader(Action<string> output)
    {
        _output = output;
    }

    /// <summary>The built image's ID, once the stream named it.</summary>
    public string? ImageId { get; private set; }

    public void Read(EngineMessage message)
    {
        if (message.Stream is { } text)
        {
            ReadClassic(text);
        }

        if (message.Error is { } error)
        {
            _error ??= error.TrimEnd();
        }

        if (message.AuxText is { } trace && message.Id == "moby.buildkit.trace")
        {
            ReadBuildKit(Convert.FromBase64String(trace));
        }
        else if (message.AuxImageId is { } id)
        {
            ImageId = id;
        }
    }

    public EngineBuildResult Finish()
    {
        Flush();
        if (_error is null && ImageId is not null)
        {
            return new EngineBuildResult { ImageId = ImageId };
        }

        var message = _error ?? "the engine ended the build without an image ID or an error";
        var step = _failedVertex is not null && _vertexNames.TryGetValue(_failedVertex, out var name) ? name : _classicStep;
        var tail = _failedVertex is not null && _vertexTails.TryGetValue(_failedVertex, out var lines) ? lines : _classicTail;
        var exit = ExitCodePattern().Match(message);
        return new EngineBuildResult
        {
            Failure = new EngineBuildFailure
            {
                Message = message,
                Step = step,
                ExitCode = exit.Success ? int.Parse(exit.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) : null,
                OutputTail = [.. tail],
            },
        };
    }

    private void ReadClassic(string text)
    {
        _partial.Append(text);
        var all = _partial.ToString();
        var end = all.LastIndexOf('\n');
        if (end < 0)
        {
            return;
        }

        _partial.Clear().Append(all.AsSpan(end + 1));
        foreach (var raw in all[..end].Split('\n'))
        {
            ClassicLine(raw.TrimEnd('\r'));
        }
    }

    private void Flush()
    {
        if (_partial.Length > 0)
        {
            ClassicLine(_partial.ToString());
            _partial.Clear();
        }
    }

    private void ClassicLine(string line)
    {
        _output(line);
        var step = StepPattern().Match(line);
        if (step.Success)
        {
            _classicStep = step.Groups["step"].Value;
            _classicTail.Clear();
            return;
        }

        // Progress lines of the builders themselves, not output of the step.
        if (line.StartsWith("-->", StringComparison.Ordinal) || line.StartsWith(" --->", StringComparison.Ordinal)
            || line.StartsWith("Successfully ", StringComparison.Ordinal) || line.Length == 0)
        {
            return;
        }

        Remember(_classicTail, line);
    }

    private void ReadBuildKit(byte[] bytes)
    {
        var status = BuildKitStatus.Parse(bytes);
        foreach (var (digest, name, error, _) in status.Vertexes)
        {
            if (name is not null && _vertexNames.TryAdd(digest, name))
            {
                _output($"#{_vertexNames.Count} {name}");
            }

            if (error is not null && _failedVertex is null)
            {
                _failedVertex = digest;
                _output($"ERROR {name ?? digest}: {error}");
            }
        }

        foreach (var (vertex, message) in status.Logs)
        {
            if (!_vertexTails.TryGetValue(vertex, out var tail))
            {
                _vertexTails[vertex] = tail = new Queue<string>();
            }

            foreach (var line in Encoding.UTF8.GetString(message).TrimEnd('\n').Split('\n'))
            {
                _output(line.TrimEnd('\r'));
                Remember(tail, line.TrimEnd('\r'));
            }
        }
    }

    private static void Remember(Queue<string> tail, string line)
    {
        tail.Enqueue(line);
        if (tail.Count > TailLines)
        {
            tail.Dequeue();
        }
    }

    // Classic: "Step 2/3 : RUN make"; podman/buildah: "[1/2] STEP 2/3: RUN make" or "STEP 2/3: RUN make".
    [GeneratedRegex(@"^(?<step>(?:\[[^\]]*\] )?STEP \d+/\d+: .*|Step \d+/\d+ : .*)$")]
    private static partial Regex StepPattern();

    // BuildKit "exit code: 2", podman "exit status 2", classic "returned a non-zero code: 2".
    [GeneratedRegex(@"(?:exit code:|exit status|non-zero code:)\s*(\d+)")]
    private static partial Regex ExitCodePattern();
}
