namespace Ulast.Kernels;

/// <summary>
/// Marks a static method as an ILGPU kernel of Ulast. Tests find every marked method by
/// reflection and compile it to PTX, so a new kernel cannot escape the PTX and coverage checks.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UlastKernelAttribute : Attribute
{
}
