using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Ulast.Tests.Kernels;

/// <summary>Every [UlastKernel] method compiles to PTX for Turing and Hopper without a GPU.</summary>
public class PtxCompileTests
{
    public static IEnumerable<MethodInfo> AllKernels() =>
        new[] { typeof(Device).Assembly }
            .Concat(AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name?.StartsWith("Ulast", StringComparison.Ordinal) == true))
            .Distinct()
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<UlastKernelAttribute>() is not null)
            .OrderBy(m => m.DeclaringType!.FullName + "." + m.Name);

    public static IEnumerable<object[]> KernelNames() => AllKernels().Select(m => new object[] { m.DeclaringType!.Name + "." + m.Name });

    [Fact]
    public void FindsTheKernels()
    {
        var names = AllKernels().Select(m => m.DeclaringType!.Name + "." + m.Name).ToList();
        Assert.Contains("ConvKernels.Forward", names);
        Assert.Contains("XcorrKernels.BackwardKernel", names);
        Assert.True(names.Count >= 30, $"only {names.Count} kernels found");
    }

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void CompilesToPtx(string name)
    {
        var method = AllKernels().Single(m => m.DeclaringType!.Name + "." + m.Name == name);
        using var context = Context.Create(b => b.Cuda().EnableAlgorithms().Optimize(OptimizationLevel.O1));
        foreach (var (arch, isa) in new[] { (CudaArchitecture.SM_75, CudaInstructionSet.ISA_75), (CudaArchitecture.SM_90, CudaInstructionSet.ISA_88) })
        {
            using var backend = new PTXBackend(context, arch, isa, null!);
            var entry = EntryPointDescription.FromImplicitlyGroupedKernel(method);
            var compiled = (PTXCompiledKernel)backend.Compile(entry, default(KernelSpecialization));
            Assert.Contains(".entry", compiled.PTXAssembly);
            Assert.Contains(".target sm_", compiled.PTXAssembly);
        }
    }
}
