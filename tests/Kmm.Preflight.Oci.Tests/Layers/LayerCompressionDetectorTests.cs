using Kmm.Preflight.Oci.Layers;

namespace Kmm.Preflight.Oci.Tests.Layers;

public class LayerCompressionDetectorTests
{
    [TestCase(new byte[] { 0x1f, 0x8b, 0x08, 0x00 }, "Gzip")]
    [TestCase(new byte[] { 0x28, 0xb5, 0x2f, 0xfd }, "Zstd")]
    [TestCase(new byte[] { 0x50, 0x2a, 0x4d, 0x18 }, "Zstd")]
    [TestCase(new byte[] { 0x5f, 0x2a, 0x4d, 0x18 }, "Zstd")]
    public void Magic_names_the_compression(byte[] head, string expected)
        => Assert.That(LayerCompressionDetector.Detect(head)?.ToString(), Is.EqualTo(expected));

    [TestCase(new byte[] { 0x60, 0x2a, 0x4d, 0x18 })]
    [TestCase(new byte[] { 0x50, 0x2a, 0x4d })]
    [TestCase(new byte[] { (byte)'e', (byte)'t', (byte)'c', (byte)'/' })]
    [TestCase(new byte[0])]
    public void Anything_else_is_not_compressed(byte[] head)
        => Assert.That(LayerCompressionDetector.Detect(head), Is.Null);
}
