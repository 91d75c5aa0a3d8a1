using System.Globalization;
using System.Text.Json.Nodes;
using Vae.Simd.Cli.Pictures;
using Vae.Simd.Data;
using Vae.Simd.Files;

namespace Vae.Simd.Cli.Experiments;

/// <summary>
/// Runs the curves of a <see cref="FigureSpec"/> one after another (each resumable in its own folder), then draws the
/// figure from whatever curves exist — as JSON, SVG and PNG — and says which runs are complete and whether AEVB lies
/// above wake-sleep as in the paper.
/// </summary>
internal static class FigureExperiment
{
    /// <summary>AEVB's colour (the paper draws it red) and wake-sleep's (green).</summary>
    private const string AevbColour = "#d62728", WakeSleepColour = "#2ca02c";

    /// <summary>
    /// Trains every run of <paramref name="figure"/> (unless <paramref name="train"/> is false), then writes <paramref name="drawn"/>
    /// (by default the figure itself; the command draws every algorithm's curves on disk, whichever it trained); false when cancelled.
    /// </summary>
    public static bool Run(FigureSpec figure, Dataset trainSet, Dataset test, string directory, bool train, TextWriter output, CancellationToken cancel = default, FigureSpec? drawn = null)
    {
        int evalExamples = figure.Panels.SelectMany(p => p.Runs).Select(r => r.EvalExamples).DefaultIfEmpty(1).Max();
        Dataset testEval = BinarizedSet.Of(test, evalExamples, seed: 0);
        bool finished = true;
        if (train)
        {
            foreach (FigurePanel panel in figure.Panels)
            {
                Dataset panelTrain = DataSources.Take(trainSet, panel.TrainExamples);
                Dataset trainEval = BinarizedSet.Of(panelTrain, evalExamples, seed: 0);
                foreach (CurveSettings run in panel.Runs)
                {
                    if (!LearningAlgorithms.Available(run.Algorithm))
                    {
                        output.WriteLine($"{run.Name}: skipped, {run.Algorithm.Name()} is not in this build");
                        continue;
                    }
                    if (cancel.IsCancellationRequested) { finished = false; break; }
                    output.WriteLine($"{run.Name}: {run.Model} on {panelTrain.Count} images, up to {run.MaxSamples:N0} samples");
                    CurveRecord record = CurveExperiment.Run(run, panelTrain, trainEval, testEval, Path.Combine(directory, run.Name), output, cancel);
                    finished &= record.Complete;
                }
            }
        }
        Write(drawn ?? figure, directory, output);
        return finished;
    }

    /// <summary>The figure's JSON, SVG and PNG (<c>NAME.json</c>, <c>.svg</c>, <c>.png</c> in <paramref name="directory"/>) from the curves on disk, and its status.</summary>
    public static void Write(FigureSpec figure, string directory, TextWriter output)
    {
        Directory.CreateDirectory(directory);
        var panels = new JsonArray();
        var plots = new List<PlotPanel>();
        foreach (FigurePanel panel in figure.Panels)
        {
            var curves = new JsonArray();
            var series = new List<PlotSeries>();
            var finals = new Dictionary<LearningAlgorithm, CurveRecord>();
            foreach (CurveSettings run in panel.Runs)
            {
                string path = Path.Combine(directory, run.Name, CurveExperiment.RecordFile);
                CurveRecord record = CurveRecord.Load(path);
                curves.Add((JsonNode)record.ToJson(run, panel.TrainExamples));
                string status = !File.Exists(path) ? "not run" : record.Complete ? "complete" : $"incomplete ({(record.Points.Count == 0 ? 0 : record.Points[^1].Samples):N0} of {run.MaxSamples:N0} samples)";
                output.WriteLine($"{figure.Name} {run.Name}: {status}");
                if (record.Points.Count == 0) continue;
                finals[run.Algorithm] = record;
                string colour = run.Algorithm == LearningAlgorithm.Aevb ? AevbColour : WakeSleepColour;
                string label = run.Algorithm == LearningAlgorithm.Aevb ? "AEVB" : "Wake-Sleep";
                series.Add(new PlotSeries($"{label} (train)", [.. record.Points.Select(p => ((double)p.Samples, p.Train))], colour));
                series.Add(new PlotSeries($"{label} (test)", [.. record.Points.Select(p => ((double)p.Samples, p.Test))], colour, Dashed: true));
            }
            panels.Add((JsonNode)new JsonObject { ["title"] = panel.Title, ["train_examples"] = panel.TrainExamples, ["curves"] = curves });
            if (series.Count > 0) plots.Add(new PlotPanel(panel.Title, "# training samples evaluated", figure.YLabel, series, logX: true));
            if (finals.TryGetValue(LearningAlgorithm.Aevb, out CurveRecord? a) && finals.TryGetValue(LearningAlgorithm.WakeSleep, out CurveRecord? w))
            {
                long common = Math.Min(a.Points[^1].Samples, w.Points[^1].Samples);
                CurvePoint pa = a.Points.Last(p => p.Samples <= common), pw = w.Points.Last(p => p.Samples <= common);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{figure.Name} {panel.Title}: at {common:N0} samples AEVB test {pa.Test:F2} vs wake-sleep {pw.Test:F2} nats: {(pa.Test > pw.Test ? "AEVB above wake-sleep, as in the paper" : "AEVB NOT above wake-sleep, unlike the paper")}"));
            }
        }
        var root = new JsonObject
        {
            ["figure"] = figure.Name,
            ["title"] = figure.Title,
            ["note"] = figure.Note,
            ["paper"] = PublishedResults.KingmaWellingFigures,
            ["panels"] = panels,
        };
        AtomicWrite.ToFile(Path.Combine(directory, figure.Name + ".json"), root.ToJsonString() + "\n");
        if (plots.Count == 0)
        {
            output.WriteLine($"{figure.Name}: no curve has a point yet; wrote {figure.Name}.json only");
            return;
        }
        AtomicWrite.ToFile(Path.Combine(directory, figure.Name + ".svg"), SvgPlot.RenderPanels(figure.Title, plots, Math.Min(plots.Count, 3), figure.Note));
        (byte[] pixels, int width, int height) = PlotRaster.Render(plots, Math.Min(plots.Count, 3));
        PngWriter.Write(Path.Combine(directory, figure.Name + ".png"), pixels, width, height, PngColor.Rgb);
        output.WriteLine($"wrote {Path.Combine(directory, figure.Name)}.json, .svg, .png");
    }
}
