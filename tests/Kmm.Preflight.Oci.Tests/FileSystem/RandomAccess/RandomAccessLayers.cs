using System.Diagnostics;
using Kmm.Preflight.Testing.Data;
using Kmm.Preflight.Testing.Images;

namespace Kmm.Preflight.Oci.Tests.FileSystem.RandomAccess;

/// <summary>
/// A layer of real Debian modules big enough for several checkpoints (~18 MB of tar: 60 copies of the test modules,
/// each copy changed a little so it compresses as the original does), with the real <c>veth.ko</c> at its very end,
/// compressed by the test builders or by the gzip and pigz command-line tools.
/// </summary>
internal static class RandomAccessLayers
{
    public const string DeepPath = "/opt/lib/modules/6.1.0-56-amd64/extra/veth.ko";
    public const string MiddlePath = "/opt/lib/modules/6.1.0-56-amd64/kernel/copy30/macvlan.ko";

    private const int Copies = 60;

    private static readonly Lazy<byte[]> Tar = new(BuildTar);

    public static byte[] DeepContent => RepositoryTestData.Module("veth.ko");

    public static byte[] MiddleContent => Changed(RepositoryTestData.Module("macvlan.ko"), 30);

    public static byte[] TarBytes => Tar.Value;

    public static LayerBlob Build(LayerBlobOptions options)
    {
        var builder = Builder();
        return builder.Build(options);
    }

    /// <summary>The tar compressed by a command-line tool (<c>gzip -c</c>, <c>pigz -c</c>), in <paramref name="members"/> concatenated members.</summary>
    public static byte[] CompressWith(string tool, int members = 1)
    {
        var tar = TarBytes;
        using var output = new MemoryStream();
        var part = tar.Length / members;
        for (var i = 0; i < members; i++)
        {
            var slice = tar.AsSpan(i * part, i == members - 1 ? tar.Length - (i * part) : part).ToArray();
            output.Write(Run(tool, slice));
        }

        return output.ToArray();
    }

    private static LayerBuilder Builder()
    {
        var builder = new LayerBuilder();
        var modules = Directory.GetFiles(RepositoryTestData.ModulesDirectory, "*.ko").Order(StringComparer.Ordinal).ToList();
        for (var copy = 0; copy < Copies; copy++)
        {
            foreach (var module in modules)
            {
                builder.AddFile($"opt/lib/modules/6.1.0-56-amd64/kernel/copy{copy}/{Path.GetFileName(module)}", Changed(File.ReadAllBytes(module), copy));
            }
        }

        return builder.AddFile(DeepPath, DeepContent);
    }

    private static byte[] BuildTar() => Builder().ToTar();

    // A copy differs from the module every 4 KiB, so no two copies are the same file.
    private static byte[] Changed(byte[] module, int copy)
    {
        var changed = (byte[])module.Clone();
        for (var i = 0; i < changed.Length; i += 4096)
        {
            changed[i] ^= (byte)(copy + 1);
        }

        return changed;
    }

    private static byte[] Run(string tool, byte[] input)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, ["-c", "-6"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"{tool} did not start");
        var reading = Task.Run(() =>
        {
            using var copy = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(copy);
            return copy.ToArray();
        });
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        var compressed = reading.GetAwaiter().GetResult();
        process.WaitForExit();
        return process.ExitCode == 0 ? compressed : throw new InvalidOperationException($"{tool} exited with {process.ExitCode}");
    }
}
