using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Vae.Simd.Bench;

/// <summary>Work per invocation, for throughput columns.</summary>
public interface IWorkload
{
    /// <summary>Floating-point operations (or other units) done by one invocation of the benchmark.</summary>
    double Operations { get; }
}

/// <summary>A column of operations per second from the median time: GFLOP/s for GEMM, images/s for training.</summary>
public sealed class ThroughputColumn(string name, double scale) : IColumn
{
    public string Id => $"{nameof(ThroughputColumn)}.{name}";
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"{name} computed from the median time";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats) return "-";
        var instance = (IWorkload)Activator.CreateInstance(benchmarkCase.Descriptor.Type)!;
        foreach (var parameter in benchmarkCase.Parameters.Items)
            benchmarkCase.Descriptor.Type.GetProperty(parameter.Name)?.SetValue(instance, parameter.Value);
        double seconds = stats.Median / 1e9;
        return (instance.Operations / seconds / scale).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
