using System.CommandLine;
using Kmm.Preflight.Runner.Commands;
using Kmm.Preflight.Runner.Commands.Cat;
using Kmm.Preflight.Runner.Commands.Inspect;
using Kmm.Preflight.Runner.Commands.Kernel;
using Kmm.Preflight.Runner.Commands.Ls;
using Kmm.Preflight.Runner.Commands.SignFile;
using Kmm.Preflight.Runner.Commands.Validate;
using Kmm.Preflight.Runner.Commands.VerifySignature;

namespace Kmm.Preflight.Runner;

/// <summary>Builds the <c>kmm-preflight</c> command tree and runs it; the in-process entry point tests call.</summary>
internal static class CliApplication
{
    /// <summary>Builds the root command writing to <paramref name="console"/>.</summary>
    public static RootCommand CreateRootCommand(RunnerConsole console)
    {
        var verbose = GlobalOptions.CreateVerbose();
        var root = new RootCommand(
            "kmm-preflight: check, from outside the cluster, that the kernel modules KMM loads will load on a new kernel.")
        {
            verbose,
            ValidateCommand.Create(verbose, console),
            InspectCommand.Create(verbose, console),
            LsCommand.Create(verbose, console),
            CatCommand.Create(verbose, console),
            KernelCommand.Create(verbose, console),
            SignFileCommand.Create(verbose, console),
            VerifySignatureCommand.Create(verbose, console),
        };
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; parse errors are reported on stderr with exit code 2.</summary>
    public static async Task<int> RunAsync(string[] args, RunnerConsole console, CancellationToken cancellationToken = default)
    {
        var root = CreateRootCommand(console);
        var parseResult = root.Parse(args);
        // Signals are handled in Program (the caller's token), so System.CommandLine's own handler is off.
        var configuration = new InvocationConfiguration { Output = console.Out, Error = console.Error, ProcessTerminationTimeout = null };
        if (parseResult.Errors.Count > 0 && !AsksForHelp(args))
        {
            foreach (var error in parseResult.Errors)
            {
                await console.Error.WriteLineAsync($"kmm-preflight: {string.Join(' ', error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}");
            }

            var commandName = parseResult.CommandResult.Command is RootCommand ? string.Empty : " " + parseResult.CommandResult.Command.Name;
            await console.Error.WriteLineAsync($"Run 'kmm-preflight{commandName} --help' for usage.");
            return ExitCodes.UsageError;
        }

        var exitCode = await parseResult.InvokeAsync(configuration, cancellationToken);
        // Not cancellable: whatever was written before Ctrl+C still reaches the terminal.
        await console.Out.FlushAsync(CancellationToken.None);
        return exitCode;
    }

    private static bool AsksForHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?" or "/?");
}
