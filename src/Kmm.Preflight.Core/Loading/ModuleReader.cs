using System.Text.RegularExpressions;
using Kmm.Preflight.Core.Model;

namespace Kmm.Preflight.Core.Loading;

/// <summary>Maps a <c>Module</c> object to <see cref="Module"/>, checking what KMM's webhook checks.</summary>
internal static class ModuleReader
{
    public static Module Read(NodeReader root, string name, string @namespace)
    {
        var spec = root.Mapping("spec") ?? throw root.Error("spec", "is required");
        var loader = spec.Mapping("moduleLoader");
        ModuleLoaderContainer? container = null;
        if (loader is not null)
        {
            container = ReadContainer(loader.Mapping("container") ?? throw loader.Error("container", "is required"));
        }

        return new Module
        {
            Name = name,
            Namespace = @namespace,
            ImageRepoSecret = spec.ReferenceName("imageRepoSecret"),
            Container = container,
            SourceFile = root.File,
        };
    }

    private static ModuleLoaderContainer ReadContainer(NodeReader c)
    {
        var modprobe = c.Mapping("modprobe") ?? throw c.Error("modprobe", "is required");
        var containerImage = c.String("containerImage");
        var mappings = new List<KernelMapping>();
        var mappingNodes = c.MappingList("kernelMappings");
        foreach (var m in mappingNodes)
        {
            mappings.Add(ReadMapping(m, containerImage is not null));
        }

        return new ModuleLoaderContainer
        {
            Modprobe = ReadModprobe(modprobe),
            ContainerImage = containerImage,
            RegistryTls = ReadTls(c.Mapping("registryTLS")),
            Build = ReadBuild(c.Mapping("build")),
            Sign = ReadSign(c.Mapping("sign")),
            InTreeModulesToRemove = ReadInTree(c),
            KernelMappings = mappings,
        };
    }

    private static ModprobeSpec ReadModprobe(NodeReader m)
    {
        var dirName = m.String("dirName");
        return new ModprobeSpec
        {
            ModuleName = m.RequiredString("moduleName"),
            DirName = string.IsNullOrEmpty(dirName) ? ModprobeSpec.DefaultDirName : dirName,
            FirmwarePath = m.String("firmwarePath"),
            Parameters = m.StringList("parameters") ?? [],
            Args = ReadArgs(m.Mapping("args")),
            RawArgs = ReadArgs(m.Mapping("rawArgs")),
            ModulesLoadingOrder = m.StringList("modulesLoadingOrder") ?? [],
        };
    }

    private static ModprobeArgs? ReadArgs(NodeReader? a) => a is null
        ? null
        : new ModprobeArgs { Load = a.StringList("load") ?? [], Unload = a.StringList("unload") ?? [] };

    private static KernelMapping ReadMapping(NodeReader m, bool containerHasImage)
    {
        var literal = m.String("literal");
        var regexp = m.String("regexp");
        if (string.IsNullOrEmpty(literal) == string.IsNullOrEmpty(regexp))
        {
            throw m.Error("must have exactly one of literal or regexp");
        }

        if (!string.IsNullOrEmpty(regexp))
        {
            try
            {
                _ = new Regex(regexp, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                throw m.Error("regexp", $"'{regexp}' is not a valid regular expression: {ex.Message}");
            }
        }

        var image = m.String("containerImage");
        if (string.IsNullOrEmpty(image) && !containerHasImage)
        {
            throw m.Error("containerImage", "must be set here or in spec.moduleLoader.container.containerImage");
        }

        return new KernelMapping
        {
            Literal = string.IsNullOrEmpty(literal) ? null : literal,
            Regexp = string.IsNullOrEmpty(regexp) ? null : regexp,
            ContainerImage = string.IsNullOrEmpty(image) ? null : image,
            RegistryTls = ReadTls(m.Mapping("registryTLS")),
            Build = ReadBuild(m.Mapping("build")),
            Sign = ReadSign(m.Mapping("sign")),
            InTreeModulesToRemove = ReadInTree(m),
        };
    }

    private static IReadOnlyList<string>? ReadInTree(NodeReader n)
    {
        var list = n.StringList("inTreeModulesToRemove");
        var single = n.String("inTreeModuleToRemove");
        if (string.IsNullOrEmpty(single))
        {
            return list;
        }

        return list is null ? [single] : [.. list, single];
    }

    private static RegistryTls? ReadTls(NodeReader? t) => t is null
        ? null
        : new RegistryTls(t.Bool("insecure") ?? false, t.Bool("insecureSkipTLSVerify") ?? false);

    private static BuildSpec? ReadBuild(NodeReader? b)
    {
        if (b is null)
        {
            return null;
        }

        var args = new List<BuildArg>();
        foreach (var a in b.MappingList("buildArgs"))
        {
            args.Add(new BuildArg(a.RequiredString("name"), a.String("value") ?? string.Empty));
        }

        return new BuildSpec
        {
            DockerfileConfigMap = b.ReferenceName("dockerfileConfigMap"),
            BuildArgs = args,
            Secrets = [.. b.MappingList("secrets").Select(s => s.RequiredString("name"))],
            BaseImageRegistryTls = ReadTls(b.Mapping("baseImageRegistryTLS")),
        };
    }

    private static SignSpec? ReadSign(NodeReader? s) => s is null
        ? null
        : new SignSpec
        {
            UnsignedImage = s.String("unsignedImage"),
            UnsignedImageRegistryTls = ReadTls(s.Mapping("unsignedImageRegistryTLS")),
            KeySecret = s.ReferenceName("keySecret"),
            CertSecret = s.ReferenceName("certSecret"),
            FilesToSign = s.StringList("filesToSign") ?? [],
        };
}
