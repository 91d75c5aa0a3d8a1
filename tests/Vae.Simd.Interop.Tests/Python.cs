using System.Diagnostics;

namespace Vae.Simd.Interop.Tests;

/// <summary>The python3 that has numpy: <c>python3</c> on the PATH, else Debian's <c>/usr/bin/python3</c>; null when neither has it.</summary>
internal static class Python
{
    private static readonly Lazy<string?> s_interpreter = new(() => Find("numpy"));
    private static readonly Lazy<string?> s_torch = new(() => Find("numpy, torch"));

    public static string? Interpreter => s_interpreter.Value;

    /// <summary>The python3 that has numpy and torch (Debian's python3-torch), or null.</summary>
    public static string? TorchInterpreter => s_torch.Value;

    private static string? Find(string modules) =>
        new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(candidate => Run(candidate, ["-c", $"import {modules}"]).Code == 0);

    public static (int Code, string Output) Run(string interpreter, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        try
        {
            using Process process = Process.Start(start)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message); // no such program
        }
    }
}

/// <summary>A theory skipped, with the reason, only where no python3 with numpy exists (CI has one).</summary>
public sealed class NumpyTheoryAttribute : TheoryAttribute
{
    public NumpyTheoryAttribute()
    {
        if (Python.Interpreter is null) Skip = "needs python3 with numpy (tried python3 and /usr/bin/python3): apt-get install python3-numpy";
    }
}

/// <summary>A fact skipped, with the reason, only where no python3 with torch exists.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public TorchFactAttribute()
    {
        if (Python.TorchInterpreter is null) Skip = "needs python3 with numpy and torch (tried python3 and /usr/bin/python3): apt-get install python3-torch";
    }
}
