using Kmm.Preflight.Fuzzing;
using SharpFuzz;

// Usage: Kmm.Preflight.Fuzzing TARGET            under afl-fuzz (SharpFuzz's fork server)
//        Kmm.Preflight.Fuzzing TARGET FILE...    replays inputs once each, e.g. a crash afl++ saved
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Kmm.Preflight.Fuzzing {{{string.Join('|', FuzzTargets.All.Keys)}}} [FILE...]");
    return 2;
}

if (args.Length > 1)
{
    foreach (var file in args.Skip(1))
    {
        target(File.ReadAllBytes(file));
        Console.WriteLine($"{file}: no crash");
    }

    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;
