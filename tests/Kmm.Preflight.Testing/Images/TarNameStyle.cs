namespace Kmm.Preflight.Testing.Images;

/// <summary>How entry names are spelled in the tar, as different producers spell them.</summary>
public enum TarNameStyle
{
    /// <summary><c>opt/x</c>, as Docker and buildah write.</summary>
    Plain,

    /// <summary><c>./opt/x</c>, as GNU tar writes from <c>tar -C dir .</c>.</summary>
    DotSlash,

    /// <summary><c>/opt/x</c>, absolute, as some hand-made tars have.</summary>
    Slash,
}
