using Kmm.Preflight.Core.Mapping;

namespace Kmm.Preflight.Core.Tests.Mapping;

public class VariableExpanderTests
{
    private static readonly Dictionary<string, string> Variables = new()
    {
        ["KERNEL_FULL_VERSION"] = "6.1.0-56-amd64",
        ["EMPTY"] = string.Empty,
        ["A_1"] = "x",
    };

    [TestCase("img:$KERNEL_FULL_VERSION", "img:6.1.0-56-amd64")]
    [TestCase("img:${KERNEL_FULL_VERSION}", "img:6.1.0-56-amd64")]
    [TestCase("img:${KERNEL_FULL_VERSION}-x", "img:6.1.0-56-amd64-x")]
    [TestCase("img:$KERNEL_FULL_VERSION.x", "img:6.1.0-56-amd64.x")]
    [TestCase("$A_1$A_1", "xx")]
    [TestCase("${UNKNOWN}", "")]
    [TestCase("a$UNKNOWN-b", "a-b")]
    [TestCase("${UNKNOWN:-def}", "def")]
    [TestCase("${EMPTY:-def}", "def")]
    [TestCase("${EMPTY-def}", "")]
    [TestCase("${UNKNOWN-def}", "def")]
    [TestCase("${A_1:-def}", "x")]
    [TestCase("${UNKNOWN:-${A_1}}", "x")]
    [TestCase("${UNKNOWN:-}", "")]
    [TestCase("$$", "$")]
    [TestCase("$$A_1", "$A_1")]
    [TestCase("cost: 5$", "cost: 5$")]
    [TestCase("a$ b", "a$ b")]
    [TestCase("$1", "$1")]
    [TestCase("no variables", "no variables")]
    [TestCase("", "")]
    public void Expands(string template, string expected)
        => Assert.That(VariableExpander.Expand(template, Variables), Is.EqualTo(expected));

    [TestCase("img:${KERNEL_FULL_VERSION", "unclosed '${' at position 4")]
    [TestCase("${", "unclosed '${' at position 0")]
    [TestCase("${A:-${B}", "unclosed '${' at position 0")]
    [TestCase("${}", "does not start with a variable name")]
    [TestCase("${1A}", "does not start with a variable name")]
    [TestCase("${A?err}", "is not supported")]
    public void Rejects(string template, string message)
    {
        var ex = Assert.Throws<FormatException>(() => VariableExpander.Expand(template, Variables));
        Assert.That(ex!.Message, Does.Contain(message).And.Contain(template));
    }
}
