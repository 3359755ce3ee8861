namespace Kmm.Preflight.Runner.Commands.Validate;

/// <summary>How <c>validate</c> prints its result.</summary>
internal enum OutputFormat
{
    /// <summary>One row a module and a summary, for people.</summary>
    Table,
    /// <summary>The PreflightValidation(OCP) object with its status, as JSON.</summary>
    Json,
    /// <summary>The PreflightValidation(OCP) object with its status, as YAML.</summary>
    Yaml,
}
