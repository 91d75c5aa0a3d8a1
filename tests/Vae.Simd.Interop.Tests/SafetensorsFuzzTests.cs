using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Autodiff;
using Vae.Simd.Interop.Safetensors;
using Vae.Simd.Model;

namespace Vae.Simd.Interop.Tests;

/// <summary>Mutated safetensors files: only <see cref="InvalidDataException"/> (or a model), and no allocation the file's size cannot justify.</summary>
public class SafetensorsFuzzTests
{
    [Fact]
    public void MutatedFilesOnlyGiveInvalidDataAndBoundedAllocation()
    {
        using VariationalAutoencoder model = TestModels.Random(Activation.Tanh, Likelihood.Gaussian, 2, seed: 11);
        byte[] valid = SafetensorsTests.Export(model);
        int headerEnd = 8 + (int)BitConverter.ToUInt64(valid, 0);
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            byte[] mutated = (byte[])valid.Clone();
            for (int c = random.Next(1, 6); c > 0; c--)
            {
                // The header is where the interesting failures are; digits and JSON punctuation make plausible lies.
                int at = random.Next(5) == 0 ? random.Next(mutated.Length) : random.Next(Math.Min(headerEnd, mutated.Length));
                mutated[at] = random.Next(2) == 0 ? (byte)"0123456789[],:{}\"-e"[random.Next(19)] : (byte)random.Next(256);
            }
            if (random.Next(4) == 0) mutated = mutated.AsSpan(0, random.Next(mutated.Length)).ToArray();
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { SafetensorsModel.Read(mutated, "fuzz.safetensors").Dispose(); }
            catch (InvalidDataException) { }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // Parsing copies the tensors at most a few times; a lying header must not make it allocate more.
            return allocated < 16L * valid.Length + 200_000;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
    }
}
