namespace Kmm.Preflight.Core.Stages;

/// <summary>
/// The name of a check a stage makes (<see cref="CheckResult.Name"/>): an open set, as a stage of one's own may
/// name its checks, with the names this library's stages use. The text is what reports print, and stays stable.
/// </summary>
public readonly record struct CheckName
{
    /// <summary>Creates a name.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null, empty or white space.</exception>
    public CheckName(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
    }

    private readonly string? _value;

    /// <summary>The name as reports print it; empty for <c>default</c>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary><c>image</c>: the image could be opened and read.</summary>
    public static CheckName Image { get; } = new("image");

    /// <summary><c>module-file</c>: the module file is in the image.</summary>
    public static CheckName ModuleFile { get; } = new("module-file");

    /// <summary><c>vermagic</c>: the module was built for the target kernel.</summary>
    public static CheckName Vermagic { get; } = new("vermagic");

    /// <summary><c>signature</c>: the module's signature (read by the Image stage, verified by the Sign stage).</summary>
    public static CheckName Signature { get; } = new("signature");

    /// <summary><c>modules.dep</c>: depmod's index lists the module.</summary>
    public static CheckName ModulesDep { get; } = new("modules.dep");

    /// <summary><c>dependencies</c>: the modules it depends on are in the image.</summary>
    public static CheckName Dependencies { get; } = new("dependencies");

    /// <summary><c>modulesLoadingOrder</c>: every module of <c>modulesLoadingOrder</c> is in the image.</summary>
    public static CheckName ModulesLoadingOrder { get; } = new("modulesLoadingOrder");

    /// <summary><c>firmwarePath</c>: the firmware directory exists.</summary>
    public static CheckName FirmwarePath { get; } = new("firmwarePath");

    /// <summary><c>build</c>: the Build stage.</summary>
    public static CheckName Build { get; } = new("build");

    /// <summary><c>sign-file</c>: a file was signed.</summary>
    public static CheckName SignFile { get; } = new("sign-file");

    /// <summary><c>signing-key</c>: the Sign stage's key and certificate Secrets are usable.</summary>
    public static CheckName SigningKey { get; } = new("signing-key");

    /// <summary><c>input-image</c>: the Sign stage has an image to sign.</summary>
    public static CheckName InputImage { get; } = new("input-image");

    /// <summary><c>files-to-sign</c>: <c>filesToSign</c> names files in the image.</summary>
    public static CheckName FilesToSign { get; } = new("files-to-sign");

    /// <summary><c>image-checks</c>: the signed image passes the Image stage's checks.</summary>
    public static CheckName ImageChecks { get; } = new("image-checks");

    /// <summary><c>save</c>: the signed image was saved (<c>--save-images</c>).</summary>
    public static CheckName Save { get; } = new("save");

    /// <summary><c>push</c>: the built or signed image was pushed.</summary>
    public static CheckName Push { get; } = new("push");

    /// <summary>The name as reports print it.</summary>
    public static implicit operator string(CheckName name) => name.Value;

    /// <inheritdoc />
    public override string ToString() => Value;
}
