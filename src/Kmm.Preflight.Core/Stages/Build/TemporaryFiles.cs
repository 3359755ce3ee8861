namespace Kmm.Preflight.Core.Stages.Build;

/// <summary>Deletes the Build stage's temporary directories now, or when the process exits for those a later stage still reads.</summary>
internal static class TemporaryFiles
{
    private static readonly List<string> AtExit = [];
    private static bool _registered;

    public static void Delete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    public static void DeleteAtExit(string directory)
    {
        lock (AtExit)
        {
            AtExit.Add(directory);
            if (!_registered)
            {
                _registered = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    lock (AtExit)
                    {
                        AtExit.ForEach(Delete);
                    }
                };
            }
        }
    }
}
