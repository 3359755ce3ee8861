using Kmm.Preflight.Core.Modules;
using Kmm.Preflight.Oci.FileSystem;

namespace Kmm.Preflight.Core.Stages.Image;

/// <content>The modules modprobe loads first: the module's dependencies as modules.dep lists them.</content>
internal sealed partial class ImageStage
{
    private sealed partial class Inspection
    {
        // modprobe inserts every dependency modules.dep names before the module; one missing file fails the load.
        private async Task CheckDependenciesAsync(ModulesDepEntry listed, CancellationToken cancellationToken)
        {
            if (listed.Dependencies.Count == 0)
            {
                return;
            }

            var missing = new List<string>();
            foreach (var dependency in listed.Dependencies)
            {
                var path = dependency.StartsWith('/') && ImagePaths.RelativeToKernel(dependency, _kernel) is null
                    ? ImagePaths.Join(_dirName, dependency)
                    : ImagePaths.Join(_kernelDirectory, DependsRelative(dependency));
                if (await _files.GetEntryAsync(path, true, cancellationToken) is not { Type: EntryType.File })
                {
                    missing.Add(dependency);
                }
            }

            _checks.Add(missing.Count == 0
                ? new CheckResult(CheckName.Dependencies, CheckOutcome.Passed, $"all {listed.Dependencies.Count} dependencies of {_moduleName} listed in modules.dep are present under {_kernelDirectory}")
                : new CheckResult(CheckName.Dependencies, CheckOutcome.Failed,
                    $"module {_moduleName} depends on {string.Join(", ", missing)} (modules.dep), not found under {_kernelDirectory} in {ImageText}, so modprobe cannot load it; add {(missing.Count > 1 ? "them" : "it")} to the image and run depmod -b {_dirName} {_kernel}",
                    _kernelDirectory));
        }
    }
}
