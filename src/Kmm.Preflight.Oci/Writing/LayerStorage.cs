namespace Kmm.Preflight.Oci.Writing;

/// <summary>Where a written layer's blob is kept: in memory, or in a file (deleted with the layer when temporary).</summary>
internal abstract class LayerStorage : IDisposable
{
    /// <summary>The file holding the blob, or null in memory.</summary>
    public abstract string? FilePath { get; }

    /// <summary>The stream the writer fills, once.</summary>
    public abstract Stream CreateDestination();

    /// <summary>Ends writing: a file is closed, a memory buffer kept as it is.</summary>
    public abstract ValueTask CloseDestinationAsync();

    /// <summary>Reads the finished blob from <paramref name="offset"/>.</summary>
    public abstract Stream OpenRead(long offset);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>The blob in a growing buffer.</summary>
    public sealed class Memory : LayerStorage
    {
        private MemoryStream? _buffer;

        public override string? FilePath => null;

        public override Stream CreateDestination() => _buffer = new MemoryStream();

        public override ValueTask CloseDestinationAsync() => ValueTask.CompletedTask;

        // The writer's buffer is served in place: no copy of a layer that may be hundreds of megabytes.
        public override Stream OpenRead(long offset)
        {
            var buffer = _buffer ?? throw new InvalidOperationException("the layer was not written.");
            return new MemoryStream(buffer.GetBuffer(), (int)offset, (int)(buffer.Length - offset), writable: false);
        }
    }

    /// <summary>The blob in a file.</summary>
    public sealed class File(string path, bool temporary) : LayerStorage
    {
        private FileStream? _destination;

        public override string? FilePath => path;

        public override Stream CreateDestination() =>
            _destination = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);

        public override ValueTask CloseDestinationAsync() => _destination?.DisposeAsync() ?? ValueTask.CompletedTask;

        public override Stream OpenRead(long offset)
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            stream.Position = offset;
            return stream;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _destination?.Dispose();
                if (temporary)
                {
                    System.IO.File.Delete(path);
                }
            }

            base.Dispose(disposing);
        }
    }
}
