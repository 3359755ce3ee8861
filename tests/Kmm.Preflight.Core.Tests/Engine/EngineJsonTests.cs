using System.Text;
using Kmm.Preflight.Core.Engine;

namespace Kmm.Preflight.Core.Tests.Engine;

/// <summary>The engine's JSON: /version of each engine (answers recorded from dockerd 20.10 and podman 4.3), build arguments.</summary>
public class EngineJsonTests
{
    [Test]
    public void Dockerd_and_podman_versions_are_told_apart()
    {
        var dockerd = EngineJson.ParseVersion(Encoding.UTF8.GetBytes("""
            {"Platform":{"Name":""},"Components":[{"Name":"Engine","Version":"20.10.24+dfsg1","Details":{"ApiVersion":"1.41"}},{"Name":"containerd","Version":"1.6.20~ds1"}],"Version":"20.10.24+dfsg1","ApiVersion":"1.41","MinAPIVersion":"1.12"}
            """));
        var podman = EngineJson.ParseVersion(Encoding.UTF8.GetBytes("""
            {"Platform":{"Name":"linux/amd64/debian-12"},"Components":[{"Name":"Podman Engine","Version":"4.3.1","Details":{"APIVersion":"4.3.1"}},{"Name":"Conmon","Version":"conmon version 2.1.6"}],"Version":"4.3.1","ApiVersion":"1.41"}
            """));

        Assert.That(dockerd, Is.EqualTo(new EngineVersion { Version = "20.10.24+dfsg1", ApiVersion = "1.41", IsPodman = false }));
        Assert.That(podman, Is.EqualTo(new EngineVersion { Version = "4.3.1", ApiVersion = "1.41", IsPodman = true }));
        Assert.That(podman.ToString(), Is.EqualTo("podman 4.3.1"));
    }

    [Test]
    public void Build_arguments_keep_their_order_and_the_last_value_of_a_name()
        => Assert.That(EngineJson.BuildArgs([KeyValuePair.Create("A", "1"), KeyValuePair.Create("KERNEL_VERSION", "6.1 \"rt\""), KeyValuePair.Create("A", "2")]),
            Is.EqualTo("{\"A\":\"2\",\"KERNEL_VERSION\":\"6.1 \\u0022rt\\u0022\"}"));

    [Test]
    public void Error_answers_give_their_message_and_anything_else_none()
    {
        Assert.That(EngineJson.ErrorMessage("""{"cause":"x","message":"no such image","response":404}"""), Is.EqualTo("no such image"));
        Assert.That(EngineJson.ErrorMessage("404 page not found"), Is.Null);
    }
}
