namespace Vae.Simd.Cli.Commands;

/// <summary>One <c>vae</c> sub-command.</summary>
internal interface ICommand
{
    /// <summary>The name typed after <c>vae</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>vae --help</c>.</summary>
    string Summary { get; }

    /// <summary>The options the command accepts; anything else is a usage error.</summary>
    IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Runs the command and returns the process exit code.</summary>
    int Run(CommandLine options, TextWriter stdout, TextWriter stderr);
}

/// <summary>An option: <c>--name VALUE</c>, or a flag <c>--name</c> when <paramref name="ValueName"/> is null.</summary>
internal sealed record OptionSpec(string Name, string? ValueName, string Help, string? Default = null);
