using System.Diagnostics;

namespace Kmm.Preflight.Oci.Tests.Layers;

/// <summary>What the decoder tests share: content to compress, reading a stream in fixed-size reads, running a compressor.</summary>
internal static class DecoderTestData
{
    /// <summary>Alternating 4 KiB runs of text-like (compressible) and random bytes: both match- and literal-heavy blocks.</summary>
    public static byte[] Content(int size, int seed)
    {
        var random = new Random(seed);
        var content = new byte[size];
        for (var i = 0; i < size; i++)
        {
            content[i] = (i / 4096 % 2 == 0) ? (byte)"abcdefgh ijk\n"[random.Next(13)] : (byte)random.Next(256);
        }

        return content;
    }

    /// <summary>Reads <paramref name="stream"/> to its end with reads of <paramref name="readSize"/> bytes, then disposes it.</summary>
    public static byte[] ReadAll(Stream stream, int readSize)
    {
        using (stream)
        {
            using var output = new MemoryStream();
            var buffer = new byte[readSize];
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                output.Write(buffer, 0, n);
            }

            return output.ToArray();
        }
    }

    /// <summary>Runs a shell command line and returns its standard output; fails the test when it exits non-zero.</summary>
    public static byte[] Shell(string commandLine)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", commandLine]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{commandLine}: {error.Result}");
        return output.ToArray();
    }
}
