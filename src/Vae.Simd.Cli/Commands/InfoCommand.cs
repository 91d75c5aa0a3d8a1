using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae info</c>: the runtime and the SIMD capabilities the kernels will use.</summary>
internal sealed class InfoCommand : ICommand
{
    public string Name => "info";
    public string Summary => "Print the runtime, processor count and SIMD capabilities in use.";
    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        stdout.WriteLine($"Vae.Simd {typeof(Vae.Simd.Model.VariationalAutoencoder).Assembly.GetName().Version}");
        stdout.WriteLine($"runtime        {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription} on {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}");
        stdout.WriteLine($"processors     {Environment.ProcessorCount}");
        stdout.WriteLine($"Vector<float>  {Vector<float>.Count} lanes (hardware accelerated: {Vector.IsHardwareAccelerated})");
        stdout.WriteLine($"Vector128      {Vector128.IsHardwareAccelerated}");
        stdout.WriteLine($"Vector256      {Vector256.IsHardwareAccelerated}");
        stdout.WriteLine($"Vector512      {Vector512.IsHardwareAccelerated}");
        stdout.WriteLine($"AVX2           {Avx2.IsSupported}");
        stdout.WriteLine($"FMA            {Fma.IsSupported}");
        stdout.WriteLine($"AVX-512F       {Avx512F.IsSupported}");
        stdout.WriteLine($"AdvSimd        {AdvSimd.IsSupported}");
        return 0;
    }
}
