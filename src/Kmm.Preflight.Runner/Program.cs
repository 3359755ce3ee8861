namespace Kmm.Preflight.Runner;

internal static class Program
{
    private static int Main() => 0;
}
