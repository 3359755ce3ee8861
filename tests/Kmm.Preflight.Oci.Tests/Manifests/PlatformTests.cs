using Kmm.Preflight.Oci.Manifests;

namespace Kmm.Preflight.Oci.Tests.Manifests;

public sealed class PlatformTests
{
    [TestCase("linux/amd64", "linux/amd64")]
    [TestCase("linux/arm64/v8", "linux/arm64/v8")]
    [TestCase("Linux/AArch64/8", "linux/arm64/v8")]
    [TestCase("linux/x86_64", "linux/amd64")]
    [TestCase("linux/armhf", "linux/arm/v7")]
    public void Parse_normalises_names_and_keeps_the_declared_variant(string text, string expected)
        => Assert.That(Platform.Parse(text).ToString(), Is.EqualTo(expected));

    [TestCase("linux/arm64", "linux/arm64/v8", true)]
    [TestCase("linux/arm64/v8", "linux/arm64", true)]
    [TestCase("linux/arm64/v8", "linux/arm64/v8", true)]
    [TestCase("linux/arm64/v8", "linux/arm64/v9", false)]
    [TestCase("linux/arm64/v9", "linux/arm64", false)]
    [TestCase("linux/arm", "linux/arm/v7", true)]
    [TestCase("linux/arm/v7", "linux/arm/v6", false)]
    [TestCase("linux/arm/v7", "linux/arm", false)]
    [TestCase("linux/amd64", "linux/arm64/v8", false)]
    public void Variant_matching(string requested, string candidate, bool satisfied)
        => Assert.That(Platform.Parse(requested).IsSatisfiedBy(Platform.Parse(candidate)), Is.EqualTo(satisfied));
}
