using Vae.Simd.Cli.Commands;

namespace Vae.Simd.Cli;

/// <summary>
/// Dispatches <c>vae COMMAND ...</c> to the command's class. Every failure a user can cause is a
/// <see cref="UsageException"/> or a known I/O or data exception, printed as one line on stderr with a
/// non-zero exit code; anything else is a bug and keeps its stack trace.
/// </summary>
internal static class CommandRunner
{
    internal static readonly ICommand[] Commands =
    [
        new InfoCommand(),
        new TrainCommand(),
        new EvalCommand(),
        new SampleCommand(),
        new ReconstructCommand(),
        new ManifoldCommand(),
        new EncodeCommand(),
        new ExportCommand(),
        new ImportCommand(),
        new PlotCommand(),
        new DataCommand(),
        new BenchCommand(),
        new SelftestCommand(),
        new ReproduceCommand(),
    ];

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            PrintUsage(stdout);
            return args.Length == 0 ? 2 : 0;
        }

        ICommand? command = Array.Find(Commands, c => c.Name == args[0]);
        if (command is null)
        {
            stderr.WriteLine($"vae: unknown command '{args[0]}'. Run 'vae --help' for the list of commands.");
            return 2;
        }

        try
        {
            var options = new CommandLine(args.AsSpan(1).ToArray(), command.Options);
            if (options.Has("help"))
            {
                stdout.Write(options.Usage(command));
                return 0;
            }
            return command.Run(options, stdout, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"vae {command.Name}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            stderr.WriteLine($"vae {command.Name}: {e.Message}");
            return 1;
        }
    }

    private static void PrintUsage(TextWriter output)
    {
        output.WriteLine("vae — variational autoencoders on the CPU with SIMD kernels");
        output.WriteLine();
        output.WriteLine("Usage: vae COMMAND [options]     (vae COMMAND --help for its options)");
        output.WriteLine();
        foreach (ICommand command in Commands)
            output.WriteLine($"  {command.Name,-12} {command.Summary}");
    }
}
