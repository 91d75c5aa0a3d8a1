using System.Reflection;
using Vae.Simd.Autodiff;

namespace Vae.Simd.Tests.Autodiff;

/// <summary><c>src/Vae.Simd/Autodiff/Ops/README.md</c>'s derivative table is the ops' own declared rules, so it cannot drift from the code.</summary>
public class DerivativeTableTests
{
    /// <summary>The table the ops declare: one row per <see cref="OpKind"/>, in its order, from the <c>[Derivative]</c> on the class <c>{Kind}Op</c>.</summary>
    private static List<string> DeclaredRows()
    {
        Assembly library = typeof(Tape<>).Assembly;
        var rows = new List<string>();
        foreach (OpKind kind in Enum.GetValues<OpKind>())
        {
            Type op = library.GetType($"Vae.Simd.Autodiff.{kind}Op") ?? throw new Xunit.Sdk.XunitException($"op {kind} has no class {kind}Op beside its backward");
            DerivativeAttribute rule = op.GetCustomAttribute<DerivativeAttribute>() ?? throw new Xunit.Sdk.XunitException($"{op.Name} declares no [Derivative] rule");
            rows.Add(rule.TableRow);
        }
        return rows;
    }

    private static string ReadmePath()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "Vae.Simd", "Autodiff", "Ops", "README.md");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"src/Vae.Simd/Autodiff/Ops/README.md was not found above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void TheReadmeTableIsTheOpsDeclaredRules()
    {
        List<string> declared = DeclaredRows();
        List<string> inReadme = File.ReadAllLines(ReadmePath()).Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();
        Assert.True(declared.SequenceEqual(inReadme),
            "Ops/README.md's table differs from the ops' [Derivative] rules; the table they declare is:\n" + string.Join('\n', declared));
    }

    [Fact]
    public void EveryOpDeclaresADistinctSignature()
    {
        List<string> rows = DeclaredRows();
        Assert.Equal(rows.Count, rows.Distinct().Count());
    }
}
