using System.Globalization;
using System.Text;
using Vae.Simd.Cli.Commands;

namespace Vae.Simd.Cli;

/// <summary>A usage error: printed as one line, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Parses <c>--name value</c>, <c>--name=value</c> and <c>--flag</c> against a command's declared options.
/// Unknown options, missing values and malformed numbers are <see cref="UsageException"/>s naming the option.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<OptionSpec> _specs;

    public CommandLine(string[] args, IReadOnlyList<OptionSpec> specs)
    {
        _specs = specs;
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                positional.Add(arg);
                continue;
            }
            string name = arg[2..];
            string? inlineValue = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { inlineValue = name[(eq + 1)..]; name = name[..eq]; }
            if (name == "help") { _values["help"] = null; continue; }
            OptionSpec? spec = specs.FirstOrDefault(s => s.Name == name)
                ?? throw new UsageException($"unknown option '--{name}'. Run with --help for the options.");
            if (spec.ValueName is null)
            {
                if (inlineValue is not null) throw new UsageException($"option '--{name}' takes no value.");
                _values[name] = null;
            }
            else if (inlineValue is not null) _values[name] = inlineValue;
            else if (i + 1 < args.Length) _values[name] = args[++i];
            else throw new UsageException($"option '--{name}' needs a value ({spec.ValueName}).");
        }
        Positional = positional;
    }

    /// <summary>Arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positional { get; }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? String(string name) => _values.TryGetValue(name, out string? v) ? v : Default(name);

    public string RequiredString(string name) => String(name) ?? throw new UsageException($"option '--{name}' is required.");

    public int Int(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        string text = RequiredString(name);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new UsageException($"option '--{name}' expects a whole number; got '{text}'.");
        if (value < min || value > max)
            throw new UsageException($"option '--{name}' must be between {min} and {max}; got {value}.");
        return value;
    }

    public long Long(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        string text = RequiredString(name);
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
            throw new UsageException($"option '--{name}' expects a whole number; got '{text}'.");
        if (value < min || value > max)
            throw new UsageException($"option '--{name}' must be between {min} and {max}; got {value}.");
        return value;
    }

    public double Double(string name, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        string text = RequiredString(name);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new UsageException($"option '--{name}' expects a finite number; got '{text}'.");
        if (value < min || value > max)
            throw new UsageException($"option '--{name}' must be between {min} and {max}; got {value}.");
        return value;
    }

    /// <summary>One of the allowed words, case-insensitively.</summary>
    public string Choice(string name, params string[] allowed)
    {
        string text = RequiredString(name);
        string? match = allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase));
        return match ?? throw new UsageException($"option '--{name}' must be one of {string.Join(", ", allowed)}; got '{text}'.");
    }

    public string Usage(ICommand command)
    {
        var text = new StringBuilder();
        text.AppendLine($"vae {command.Name} — {command.Summary}");
        text.AppendLine();
        text.AppendLine("Options:");
        foreach (OptionSpec spec in _specs)
        {
            string left = spec.ValueName is null ? $"--{spec.Name}" : $"--{spec.Name} {spec.ValueName}";
            string def = spec.Default is null ? "" : $" (default: {spec.Default})";
            text.AppendLine($"  {left,-26} {spec.Help}{def}");
        }
        text.AppendLine($"  {"--help",-26} Show this help.");
        return text.ToString();
    }

    private string? Default(string name) => _specs.FirstOrDefault(s => s.Name == name)?.Default;
}
