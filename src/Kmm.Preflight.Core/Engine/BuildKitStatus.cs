using System.Text;

namespace Kmm.Preflight.Core.Engine;

/// <summary>
/// The parts of a BuildKit <c>StatusResponse</c> (the base64 protobuf of a <c>moby.buildkit.trace</c> line) a
/// failure reason needs: each vertex's name (<c>[stage-1 3/3] RUN …</c>) and error, and the output of each vertex.
/// Decoded by hand from the wire format (a few fields of two messages), so no protobuf runtime is needed.
/// </summary>
internal sealed class BuildKitStatus
{
    private const int VertexesField = 1;
    private const int LogsField = 3;

    public List<(string Digest, string? Name, string? Error, bool Completed)> Vertexes { get; } = [];

    public List<(string Vertex, byte[] Message)> Logs { get; } = [];

    /// <exception cref="InvalidDataException">The bytes are not a well-formed protobuf message.</exception>
    public static BuildKitStatus Parse(ReadOnlySpan<byte> message)
    {
        var status = new BuildKitStatus();
        var reader = new Reader(message);
        while (reader.Next(out var field, out var wireType))
        {
            if (field == VertexesField && wireType == 2)
            {
                status.Vertexes.Add(ParseVertex(reader.ReadBytes()));
            }
            else if (field == LogsField && wireType == 2)
            {
                status.Logs.Add(ParseLog(reader.ReadBytes()));
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return status;
    }

    // Vertex: 1 digest, 2 inputs, 3 name, 4 cached, 5 started, 6 completed, 7 error.
    private static (string, string?, string?, bool) ParseVertex(ReadOnlySpan<byte> bytes)
    {
        string digest = string.Empty;
        string? name = null;
        string? error = null;
        var completed = false;
        var reader = new Reader(bytes);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, 2): digest = Encoding.UTF8.GetString(reader.ReadBytes()); break;
                case (3, 2): name = Encoding.UTF8.GetString(reader.ReadBytes()); break;
                case (6, 2): reader.ReadBytes(); completed = true; break;
                case (7, 2): error = Encoding.UTF8.GetString(reader.ReadBytes()); break;
                default: reader.Skip(wireType); break;
            }
        }

        return (digest, name, error, completed);
    }

    // VertexLog: 1 vertex, 2 timestamp, 3 stream, 4 msg.
    private static (string, byte[]) ParseLog(ReadOnlySpan<byte> bytes)
    {
        string vertex = string.Empty;
        byte[] message = [];
        var reader = new Reader(bytes);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, 2): vertex = Encoding.UTF8.GetString(reader.ReadBytes()); break;
                case (4, 2): message = reader.ReadBytes().ToArray(); break;
                default: reader.Skip(wireType); break;
            }
        }

        return (vertex, message);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public bool Next(out int field, out int wireType)
        {
            if (_position >= _data.Length)
            {
                field = wireType = 0;
                return false;
            }

            var key = ReadVarint();
            field = (int)(key >> 3);
            wireType = (int)(key & 7);
            return true;
        }

        public ReadOnlySpan<byte> ReadBytes()
        {
            var length = ReadVarint();
            if (length > (ulong)(_data.Length - _position))
            {
                throw new InvalidDataException("BuildKit status: a field runs past the end of the message");
            }

            var bytes = _data.Slice(_position, (int)length);
            _position += (int)length;
            return bytes;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0: ReadVarint(); break;
                case 1: Advance(8); break;
                case 2: ReadBytes(); break;
                case 5: Advance(4); break;
                default: throw new InvalidDataException($"BuildKit status: unsupported protobuf wire type {wireType}");
            }
        }

        private void Advance(int count)
        {
            if (count > _data.Length - _position)
            {
                throw new InvalidDataException("BuildKit status: truncated message");
            }

            _position += count;
        }

        private ulong ReadVarint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_position >= _data.Length)
                {
                    throw new InvalidDataException("BuildKit status: truncated varint");
                }

                var b = _data[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new InvalidDataException("BuildKit status: varint longer than 10 bytes");
        }
    }
}
