using System.Reflection;

namespace Ulast.Cli.Commands;

/// <summary>Where NuGet restored the ImageNet ResNet-18 (the path is written into this assembly at build time).</summary>
public static class ImageNetWeights
{
    public static string ResNet18Onnx()
    {
        var path = typeof(ImageNetWeights).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ResNet18Onnx")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            throw new FileNotFoundException($"The ImageNet ResNet-18 ('{path}') is not there: run 'dotnet restore' (it fetches Microsoft.ML.DnnImageFeaturizer.ResNet18), or give --imagenet PATH/ResNet18.onnx.");
        return path;
    }
}
