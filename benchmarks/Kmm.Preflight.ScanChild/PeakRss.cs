namespace Kmm.Preflight.ScanChild;

/// <summary>Peak resident set size (VmHWM) from /proc.</summary>
internal static class PeakRss
{
    public static long? OfSelfKb() => Read("/proc/self/status");

    private static long? Read(string statusFile)
    {
        try
        {
            var line = File.ReadLines(statusFile).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
