using System.Text.RegularExpressions;
using Vae.Simd.Cli;

namespace Vae.Simd.Tests.Cli;

/// <summary>The README's table of commands against the commands themselves, so the two cannot drift apart.</summary>
public class ReadmeCommandTableTests
{
    private static string Readme()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Vae.Simd.sln"))) return File.ReadAllText(candidate);
        }
        throw new FileNotFoundException($"README.md beside Vae.Simd.sln was not found above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void EveryOptionTheTableNamesIsAnOptionOfThatCommand()
    {
        string[] rows = Readme().Split('\n').Where(line => line.StartsWith("| `vae ", StringComparison.Ordinal)).ToArray();
        Assert.True(rows.Length >= 8, "the README's table of commands was not found");
        foreach (string row in rows)
        {
            string name = row["| `vae ".Length..].Split(' ', '`')[0];
            var command = Array.Find(CommandRunner.Commands, c => c.Name == name);
            Assert.True(command is not null, $"README names a command 'vae {name}' that does not exist");
            foreach (Match option in Regex.Matches(row, @"(?<![\w-])--([a-z][a-z0-9-]*)"))
            {
                string given = option.Groups[1].Value;
                Assert.True(given == "help" || command!.Options.Any(o => o.Name == given), $"README gives 'vae {name}' an option --{given} it does not have");
            }
        }
        // And every command appears in the table.
        foreach (var command in CommandRunner.Commands)
            Assert.Contains(rows, row => row.StartsWith($"| `vae {command.Name}", StringComparison.Ordinal));
    }
}
