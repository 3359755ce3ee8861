namespace Kmm.Preflight.Core.Engine;

/// <summary>The container engine could not be reached, or refused a request; the message quotes the engine.</summary>
internal sealed class EngineException : Exception
{
    /// <summary>Creates an exception.</summary>
    public EngineException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public EngineException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public EngineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status the engine answered with; null when it could not be reached.</summary>
    public int? StatusCode { get; init; }
}
