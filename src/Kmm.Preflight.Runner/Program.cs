namespace Kmm.Preflight.Runner;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var console = RunnerConsole.FromProcess();
        await using (console.OutputStream)
        {
            return await CliApplication.RunAsync(args, console);
        }
    }
}
