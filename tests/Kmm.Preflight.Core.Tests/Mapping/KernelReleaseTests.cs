using Kmm.Preflight.Core.Mapping;

namespace Kmm.Preflight.Core.Tests.Mapping;

public class KernelReleaseTests
{
    [TestCase("6.1.0-56-amd64", "6", "1", "0", "6.1.0")]
    [TestCase("5.14.0-284.el9.x86_64+rt", "5", "14", "0", "5.14.0")]
    [TestCase("4.18.0-372.9.1.el8.x86_64", "4", "18", "0", "4.18.0")]
    [TestCase("6,2-7", "6", "2", "7", "6.2.7")]
    public void Splits_on_dot_comma_and_dash(string kernel, string x, string y, string z, string xyz)
    {
        var release = KernelRelease.Parse(kernel);
        Assert.That((release.X, release.Y, release.Z, release.Xyz, release.Full), Is.EqualTo((x, y, z, xyz, kernel)));
    }

    [TestCase("5.14.0-284.el9.x86_64+rt", "5.14.0-284.el9.x86_64_rt")]
    [TestCase("6.1.0-56-amd64", "6.1.0-56-amd64")]
    [TestCase("1.2.3~rc1/x", "1.2.3_rc1_x")]
    public void Normalises_for_image_references(string kernel, string expected)
        => Assert.That(KernelRelease.Parse(kernel).Normalised, Is.EqualTo(expected));

    [TestCase("6.1")]
    [TestCase("6")]
    [TestCase("6..1")]
    [TestCase("")]
    [TestCase("6.1.0 extra")]
    public void Rejects_kernels_with_fewer_than_three_fields(string kernel)
    {
        var ex = Assert.Throws<FormatException>(() => KernelRelease.Parse(kernel));
        Assert.That(ex!.Message, Does.Contain($"kernel version '{kernel}' is invalid"));
    }
}
