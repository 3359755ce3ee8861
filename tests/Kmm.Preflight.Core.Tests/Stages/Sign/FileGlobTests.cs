using Kmm.Preflight.Core.Stages.Sign;

namespace Kmm.Preflight.Core.Tests.Stages.Sign;

public class FileGlobTests
{
    [TestCase("/opt/lib/modules/6.1/extra/kmm_ci_?.ko", "/opt/lib/modules/6.1/extra/kmm_ci_a.ko", true)]
    [TestCase("/opt/lib/modules/6.1/extra/kmm_ci_?.ko", "/opt/lib/modules/6.1/extra/kmm_ci_ab.ko", false)]
    [TestCase("/opt/lib/modules/*/extra/*.ko", "/opt/lib/modules/6.1/extra/dummy.ko", true)]
    [TestCase("/opt/lib/modules/*/extra/*.ko", "/opt/lib/modules/6.1/extra/sub/dummy.ko", false)]
    [TestCase("/opt/*.ko", "/opt/a/b.ko", false)]
    [TestCase("/opt/[a-c]*.ko", "/opt/b1.ko", true)]
    [TestCase("/opt/[!a-c]*.ko", "/opt/b1.ko", false)]
    [TestCase("/opt/[!a-c]*.ko", "/opt/d1.ko", true)]
    [TestCase("/opt/a.ko", "/opt/a.ko", true)]
    [TestCase("/opt//a.ko", "/opt/a.ko", true)]
    [TestCase("/opt/a.ko", "/opt/b.ko", false)]
    [TestCase("/opt/x\\*.ko", "/opt/x*.ko", true)]
    [TestCase("/opt/x\\*.ko", "/opt/xy.ko", false)]
    [TestCase("/opt/a+b(1).ko", "/opt/a+b(1).ko", true)]
    public void Matches_per_component_like_the_shell(string pattern, string path, bool expected)
        => Assert.That(FileGlob.Parse(pattern).IsMatch(path), Is.EqualTo(expected));

    [TestCase("/opt/lib/modules/6.1/extra/kmm_ci_?.ko", "/opt/lib/modules/6.1/extra")]
    [TestCase("/opt/lib/modules/*/extra/*.ko", "/opt/lib/modules")]
    [TestCase("/opt/a.ko", "/opt")]
    [TestCase("/a.ko", "/")]
    [TestCase("/*.ko", "/")]
    public void The_search_starts_at_the_deepest_literal_directory(string pattern, string directory)
        => Assert.That(FileGlob.Parse(pattern).Directory, Is.EqualTo(directory));

    [TestCase("opt/a.ko", "not an absolute path")]
    [TestCase("/", "names no file")]
    [TestCase("/opt/[ab.ko", "unclosed '['")]
    public void Bad_patterns_say_why(string pattern, string message)
        => Assert.That(() => FileGlob.Parse(pattern), Throws.TypeOf<FormatException>().With.Message.Contains(message));
}
