using System.Globalization;
using System.Text;
using MLNetTuning.SearchSpaces;

namespace MLNetTuning.Studies;

/// <summary>
/// Trials as one flat table, one row per trial: id, state, value, duration, budget, worker, then one column per
/// parameter path and one per attribute (<c>attr.KEY</c>). A nested space's member is <c>outer.inner</c>; a
/// conditional choice is its branch name, and a branch's member <c>choice.branch.member</c> is empty (NaN) in the
/// trials that chose another branch.
/// </summary>
public sealed class TrialTable
{
    /// <summary>The fixed columns before the parameters.</summary>
    public static readonly IReadOnlyList<string> FixedColumns = ["trial", "state", "value", "duration_seconds", "budget", "worker"];

    /// <summary>Builds the table of <paramref name="trials"/>.</summary>
    public TrialTable(IEnumerable<TuningTrial> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        Trials = trials.OrderBy(t => t.Id).ToList();
        var rows = Trials.Select(t => FlattenParameters(t.Parameters)).ToList();
        ParameterRows = rows;
        ParameterColumns = rows.SelectMany(r => r.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        NumericParameters = ParameterColumns.Where(c => rows.All(r => !r.TryGetValue(c, out var v) || v is double)).ToHashSet();
        AttributeColumns = Trials.SelectMany(t => t.Attributes.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The trials, by id.</summary>
    public IReadOnlyList<TuningTrial> Trials { get; }

    /// <summary>Parameter paths, in ordinal order.</summary>
    public IReadOnlyList<string> ParameterColumns { get; }

    /// <summary>The parameter paths whose values are all numbers.</summary>
    public IReadOnlySet<string> NumericParameters { get; }

    /// <summary>Attribute keys, in ordinal order.</summary>
    public IReadOnlyList<string> AttributeColumns { get; }

    /// <summary>Each trial's flattened parameters (numbers as double, the rest as text), in <see cref="Trials"/> order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object>> ParameterRows { get; }

    /// <summary>Flattens parameters to paths: numbers become double, everything else text; inactive branches are absent.</summary>
    public static IReadOnlyDictionary<string, object> FlattenParameters(TrialParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var row = new Dictionary<string, object>(StringComparer.Ordinal);
        Flatten(parameters, "", row);
        return row;
    }

    /// <summary>Writes the table as CSV (RFC 4180, invariant culture, numbers round-trip exactly, empty for missing).</summary>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(string.Join(',', FixedColumns.Concat(ParameterColumns).Concat(AttributeColumns.Select(a => "attr." + a)).Select(Quote)));
        for (var i = 0; i < Trials.Count; i++)
        {
            var t = Trials[i];
            var cells = new List<string>
            {
                t.Id.ToString(CultureInfo.InvariantCulture),
                t.State.ToString().ToLowerInvariant(),
                Number(t.Value),
                Number(t.Duration?.TotalSeconds),
                Number(t.Budget),
                t.WorkerId ?? "",
            };
            cells.AddRange(ParameterColumns.Select(c => ParameterRows[i].TryGetValue(c, out var v) ? v is double d ? Number(d) : (string)v : ""));
            cells.AddRange(AttributeColumns.Select(a => t.Attributes.GetValueOrDefault(a, "")));
            writer.WriteLine(string.Join(',', cells.Select(Quote)));
        }
    }

    private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    private static string Quote(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    private static void Flatten(TrialParameters parameters, string prefix, Dictionary<string, object> row)
    {
        foreach (var (key, value) in parameters)
        {
            var path = prefix + key;
            switch (value)
            {
                case TrialParameters nested:
                    Flatten(nested, path + ".", row);
                    break;
                case BranchSelection selection:
                    row[path] = selection.Branch;
                    Flatten(selection.Parameters, $"{path}.{selection.Branch}.", row);
                    break;
                case null:
                    break;
                case double or float or int or long or short or byte or decimal:
                    row[path] = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    row[path] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
                    break;
            }
        }
    }
}

/// <summary>Exports of a study's trials: an ML.NET <c>IDataView</c> and a CSV file, one row per trial.</summary>
public static class StudyResultExports
{
    /// <summary>The trials as an <see cref="Microsoft.ML.IDataView"/> (columns as in <see cref="TrialTable"/>: numbers are
    /// Double with NaN for missing, the rest Text), for ML.NET, Microsoft.Data.Analysis or a CSV saver.</summary>
    public static Microsoft.ML.IDataView ToDataView(this StudyResult result, Microsoft.ML.MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(mlContext);
        return new TrialTableDataView(new TrialTable(result.Trials));
    }

    /// <summary>Writes the trials as CSV to <paramref name="path"/> (see <see cref="TrialTable.WriteCsv"/>).</summary>
    /// <exception cref="IOException">The file cannot be written; the message names it.</exception>
    public static void ToCsv(this StudyResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
            new TrialTable(result.Trials).WriteCsv(writer);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or DirectoryNotFoundException or IOException)
        {
            throw new IOException($"Cannot write the trials to '{path}': {e.Message}", e);
        }
    }
}
