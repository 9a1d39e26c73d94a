using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Cli.Data;

/// <summary>How a column is used, inferred from all of its values or set with <c>--column-kind</c>.</summary>
internal enum ColumnKind
{
    /// <summary>Numbers; values that do not parse (at most 2% of a column when inferred) count as missing.</summary>
    Numeric,

    /// <summary>Every value is true or false and none is missing.</summary>
    Boolean,

    /// <summary>A few distinct values (at most 100 when inferred), one-hot encoded.</summary>
    Categorical,

    /// <summary>Free text, featurized into n-grams.</summary>
    Text,

    /// <summary>Left out: no value at all, or set so.</summary>
    Ignore,
}

/// <summary>One column, with what the whole-file scan found in it.</summary>
internal sealed record InferredColumn(string Name, int Index, ColumnKind Kind, ColumnScan Scan, bool Overridden)
{
    /// <summary>Distinct non-missing values (counted up to <see cref="ColumnScan.DistinctLimit"/>).</summary>
    public int DistinctValues => Scan.Values.Count;
}

/// <summary>
/// A CSV or TSV file with a header row, scanned whole: the separator from the extension (or the header), then per
/// column its missing values, numbers, Booleans and distinct values, each with the line it first appears on.
/// </summary>
internal sealed class TabularFile
{
    /// <summary>Header names with this prefix would collide with the tool's internal columns.</summary>
    public const string ReservedPrefix = "__mlnet_tune_";

    /// <summary>Inferred numeric when at least this share of a column's values parse as numbers.</summary>
    public const double NumericShare = 0.98;

    private const int CategoricalLimit = 100;

    private readonly IReadOnlyDictionary<string, InferredColumn> _byName;

    private TabularFile(string path, char separator, IReadOnlyList<InferredColumn> columns, int rowCount)
    {
        Path = path;
        Separator = separator;
        Columns = columns;
        RowCount = rowCount;
        _byName = columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    public string Path { get; }

    public char Separator { get; }

    public IReadOnlyList<InferredColumn> Columns { get; }

    /// <summary>Data rows of the file (all of them; blank lines are not rows).</summary>
    public int RowCount { get; }

    /// <summary>The distinct non-missing values of a column (up to <see cref="ColumnScan.DistinctLimit"/> kept).</summary>
    public IReadOnlySet<string> DistinctValues(string column) => _byName[column].Scan.Values.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>Reads the header and every row and infers every column's kind.</summary>
    /// <exception cref="CliException">The file is missing, has no header, no rows, a reserved or repeated name, or a ragged row.</exception>
    public static TabularFile Inspect(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"Data file not found: '{path}'.");
        }

        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(header))
        {
            throw new CliException($"The data file '{path}' is empty: it needs a header row and at least one data row.");
        }

        var separator = ChooseSeparator(path, header);
        var names = SplitLine(header, separator).Select(n => n.Trim()).ToList();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (names.Any(string.IsNullOrEmpty) || duplicate is not null)
        {
            throw new CliException($"The header of '{path}' must name every column once ({(duplicate is null ? "a column has no name" : $"'{duplicate.Key}' appears twice")}).");
        }

        if (names.FirstOrDefault(n => n.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase)) is { } reserved)
        {
            throw new CliException($"Column '{reserved}' of '{path}' starts with '{ReservedPrefix}', which the tool reserves for its own columns; rename it.");
        }

        var scans = names.Select(_ => new ColumnScan()).ToArray();
        var rows = 0;
        var lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = SplitLine(line, separator);
            if (fields.Count != names.Count)
            {
                throw new CliException($"Line {lineNumber} of '{path}' has {fields.Count} fields, the header {names.Count} (separator '{(separator == '\t' ? "\\t" : separator.ToString())}').");
            }

            rows++;
            for (var i = 0; i < fields.Count; i++)
            {
                scans[i].Add(fields[i], lineNumber);
            }
        }

        if (rows == 0)
        {
            throw new CliException($"The data file '{path}' has a header but no data rows.");
        }

        var columns = names.Select((n, i) => new InferredColumn(n, i, Infer(scans[i]), scans[i], Overridden: false)).ToList();
        return new TabularFile(System.IO.Path.GetFullPath(path), separator, columns, rows);
    }

    /// <summary>The same file with some columns' kinds set by the user.</summary>
    /// <exception cref="CliException">A named column is not in the file.</exception>
    public TabularFile WithKinds(IReadOnlyDictionary<string, ColumnKind> kinds)
    {
        if (kinds.Keys.FirstOrDefault(k => !_byName.ContainsKey(k)) is { } unknown)
        {
            throw new CliException($"--column-kind names the column '{unknown}', which '{Path}' does not have. Columns: {string.Join(", ", Columns.Select(c => c.Name))}.");
        }

        return new TabularFile(Path, Separator, Columns.Select(c => kinds.TryGetValue(c.Name, out var kind) ? c with { Kind = kind, Overridden = true } : c).ToList(), RowCount);
    }

    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <exception cref="CliException">No such column; the message lists the columns.</exception>
    public InferredColumn Column(string name) =>
        _byName.GetValueOrDefault(name)
        ?? throw new CliException($"Unknown label column '{name}' in '{Path}'. Columns: {string.Join(", ", Columns.Select(c => c.Name))}.");

    /// <summary>Warnings about values that will count as missing: the non-numbers of numeric columns.</summary>
    public IEnumerable<string> Warnings(string labelColumn) => Columns
        .Where(c => c.Kind == ColumnKind.Numeric && c.Name != labelColumn && c.Scan.NonNumbers > 0)
        .Select(c => $"Column '{c.Name}': {c.Scan.NonNumbers} of {c.Scan.Present} values are not numbers (e.g. '{c.Scan.FirstNonNumber}' on line {c.Scan.FirstNonNumberLine}); they count as missing.");

    /// <summary>Loads the file with every column typed by its kind; <paramref name="asText"/> columns are loaded as text whatever their kind.</summary>
    public IDataView Load(MLContext ml, params string[] asText) => LoadFile(ml, Path, asText);

    /// <summary>Loads <paramref name="path"/> (a file with this one's header, such as test data) with this file's column kinds.</summary>
    public IDataView LoadFile(MLContext ml, string path, string[] asText)
    {
        var loaderColumns = Columns.Where(c => c.Kind != ColumnKind.Ignore || asText.Contains(c.Name)).Select(c => new TextLoader.Column(
            c.Name,
            asText.Contains(c.Name) ? DataKind.String : c.Kind switch
            {
                ColumnKind.Numeric => DataKind.Single,
                ColumnKind.Boolean => DataKind.Boolean,
                _ => DataKind.String,
            },
            c.Index)).ToArray();
        return ml.Data.LoadFromTextFile(path, new TextLoader.Options
        {
            Columns = loaderColumns,
            Separators = [Separator],
            HasHeader = true,
            AllowQuoting = true,
            TrimWhitespace = true,
            MissingRealsAsNaNs = true,
        });
    }

    /// <summary>Whether a cell counts as missing (empty, NA, N/A, ?, NaN, null; any case).</summary>
    public static bool IsMissing(string trimmed) => ColumnScan.IsMissing(trimmed);

    private static ColumnKind Infer(ColumnScan scan)
    {
        if (scan.Present == 0)
        {
            return ColumnKind.Ignore;
        }

        if (scan.Booleans == scan.Present)
        {
            // A Boolean cannot be missing in ML.NET: NA would load as false, so such a column stays categorical.
            return scan.Missing == 0 ? ColumnKind.Boolean : ColumnKind.Categorical;
        }

        if (scan.Numbers >= NumericShare * scan.Present)
        {
            return ColumnKind.Numeric;
        }

        return scan.Values.Count <= CategoricalLimit ? ColumnKind.Categorical : ColumnKind.Text;
    }

    private static char ChooseSeparator(string path, string header)
    {
        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".tsv" or ".tab")
        {
            return '\t';
        }

        if (extension == ".csv")
        {
            return header.Count(c => c == ';') > header.Count(c => c == ',') ? ';' : ',';
        }

        return new[] { '\t', ',', ';' }.OrderByDescending(c => header.Count(h => h == c)).First();
    }

    /// <summary>Splits a line on the separator, honouring double-quoted fields, and trims each field as ML.NET's
    /// reader does: whitespace outside the quotes goes, whitespace inside stays (so the scan sees the values that
    /// are trained).</summary>
    private static List<string> SplitLine(string line, char separator)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        var keepUpTo = 0;
        void Finish()
        {
            fields.Add(wasQuoted ? field.ToString(0, keepUpTo) + field.ToString(keepUpTo, field.Length - keepUpTo).TrimEnd() : field.ToString().Trim());
            field.Clear();
            wasQuoted = false;
            keepUpTo = 0;
        }

        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"')
            {
                if (quoted && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    if (!quoted && !wasQuoted)
                    {
                        // Whitespace before the opening quote is trimmed; what the quotes hold is kept.
                        var lead = field.ToString().TrimStart();
                        field.Clear().Append(lead);
                    }

                    quoted = !quoted;
                    wasQuoted = true;
                    keepUpTo = field.Length;
                }
            }
            else if (c == separator && !quoted)
            {
                Finish();
            }
            else
            {
                field.Append(c);
            }
        }

        Finish();
        return fields;
    }
}
