using System.Diagnostics;
using Vae.Simd.Checkpoints;

namespace Vae.Simd.Tests.Reliability;

/// <summary>The real <c>vae</c> process under Ctrl+C and SIGKILL: nothing lost, nothing half-written.</summary>
public class ProcessSignalTests
{
    private static Process StartTraining(string folder, string checkpoint, int epochs)
    {
        string vae = Path.Combine(AppContext.BaseDirectory, "vae.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { vae, "train", "--data", TestData.MnistFolder, "--limit", "256", "--batch", "64", "--hidden", "32", "--latent", "2",
                "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threads", "2", "--out", checkpoint, "--quiet" },
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (SigintIgnoredByInheritance())
        {
            // A test runner started as a background job (`cmd &` in a script) ignores SIGINT, and so would vae,
            // which keeps an inherited SIG_IGN as shells do. GNU env gives the child SIGINT's default back, so
            // the test sends a real Ctrl+C.
            start.ArgumentList.Insert(0, start.FileName);
            start.ArgumentList.Insert(0, "--default-signal=INT");
            start.FileName = "env";
        }
        return Process.Start(start)!;
    }

    /// <summary>Whether this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status); false where that file does not exist.</summary>
    private static bool SigintIgnoredByInheritance()
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status)) return false;
        string? line = File.ReadLines(Status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << 1)) != 0;
    }

    private static void Signal(Process process, string signal)
    {
        using Process kill = Process.Start("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private static void WaitFor(Func<bool> condition, int seconds)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed.TotalSeconds > seconds) throw new TimeoutException($"condition not met within {seconds} s");
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void CtrlCFinishesTheStepSavesAndExitsWith130() => FinishesTheStepSavesAndExitsWith130("INT");

    [Fact]
    public void SigtermFinishesTheStepSavesAndExitsWith130() => FinishesTheStepSavesAndExitsWith130("TERM");

    private static void FinishesTheStepSavesAndExitsWith130(string signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        string folder = TestData.TempFolder();
        string checkpoint = Path.Combine(folder, "run.vae");
        using Process process = StartTraining(folder, checkpoint, epochs: 100_000);
        WaitFor(() => File.Exists(checkpoint), 60);
        Signal(process, "-" + signal);
        Assert.True(process.WaitForExit(60_000), $"vae did not stop after SIG{signal}");
        string errors = process.StandardError.ReadToEnd();
        Assert.Equal(130, process.ExitCode);
        Assert.Contains("interrupted", errors);
        Checkpoint file = Checkpoint.Read(checkpoint);
        Assert.True(ModelCheckpoint.HasTrainerState(file));
        Assert.True(file.Int64s("trainer.position")[2] > 0);
    }

    [Fact]
    public void SigkillAtRandomMomentsNeverLeavesABrokenCheckpoint()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        string folder = TestData.TempFolder();
        string checkpoint = Path.Combine(folder, "run.vae");
        var random = new Random(5);
        int killedWhileSaved = 0;
        for (int round = 0; round < 6; round++)
        {
            DateTime previous = File.Exists(checkpoint) ? File.GetLastWriteTimeUtc(checkpoint) : DateTime.MinValue;
            using Process process = StartTraining(folder, checkpoint, epochs: 100_000);
            // Once this process has written a checkpoint it writes one every epoch (4 steps and a test
            // evaluation, ~0.1 s), so a kill a random few milliseconds later often lands inside a write.
            WaitFor(() => File.Exists(checkpoint) && File.GetLastWriteTimeUtc(checkpoint) > previous, 60);
            Thread.Sleep(random.Next(0, 150));
            process.Kill();
            process.WaitForExit();
            Checkpoint file = Checkpoint.Read(checkpoint); // throws if torn
            Assert.True(ModelCheckpoint.HasTrainerState(file));
            using var model = ModelCheckpoint.LoadModel(file);
            killedWhileSaved++;
        }
        Assert.Equal(6, killedWhileSaved);
    }
}
