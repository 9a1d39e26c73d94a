using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Cli.Data;

/// <summary>What a column holds, as read from a sample of its values.</summary>
internal enum ColumnKind
{
    /// <summary>Every value is a number (empty, NA, ? and NaN count as missing).</summary>
    Numeric,

    /// <summary>Every value is true or false.</summary>
    Boolean,

    /// <summary>Anything else.</summary>
    Text,

    /// <summary>No value at all: the column is left out.</summary>
    Empty,
}

/// <summary>One inferred column.</summary>
internal sealed record InferredColumn(string Name, int Index, ColumnKind Kind, int DistinctValues);

/// <summary>
/// A CSV or TSV file with a header row, and the kinds of its columns inferred from its rows: the separator
/// from the extension (or the header), then numeric, Boolean or text per column.
/// </summary>
internal sealed class TabularFile
{
    private const int SampleRows = 20_000;
    private static readonly HashSet<string> MissingMarks = new(StringComparer.OrdinalIgnoreCase) { "", "NA", "N/A", "?", "NaN", "null" };

    private TabularFile(string path, char separator, IReadOnlyList<InferredColumn> columns, int rowCount, IReadOnlyDictionary<string, IReadOnlySet<string>> distinct)
    {
        Path = path;
        Separator = separator;
        Columns = columns;
        RowCount = rowCount;
        _distinct = distinct;
    }

    private readonly IReadOnlyDictionary<string, IReadOnlySet<string>> _distinct;

    public string Path { get; }

    public char Separator { get; }

    public IReadOnlyList<InferredColumn> Columns { get; }

    /// <summary>Rows read for the inference (all of them, up to 20,000).</summary>
    public int RowCount { get; }

    /// <summary>The distinct non-missing values of a column among the rows read (up to 1,000 kept).</summary>
    public IReadOnlySet<string> DistinctValues(string column) => _distinct[column];

    /// <summary>Reads the header and the rows and infers every column's kind.</summary>
    /// <exception cref="CliException">The file is missing, has no header, no rows, or ragged rows.</exception>
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

        var numeric = new bool[names.Count];
        var boolean = new bool[names.Count];
        var seen = new bool[names.Count];
        Array.Fill(numeric, true);
        Array.Fill(boolean, true);
        var distinct = names.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        var rows = 0;
        string? line;
        while (rows < SampleRows && (line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var fields = SplitLine(line, separator);
            if (fields.Count != names.Count)
            {
                throw new CliException($"Row {rows + 2} of '{path}' has {fields.Count} fields, the header {names.Count} (separator '{(separator == '\t' ? "\\t" : separator.ToString())}').");
            }

            rows++;
            for (var i = 0; i < fields.Count; i++)
            {
                var value = fields[i].Trim();
                if (MissingMarks.Contains(value))
                {
                    continue;
                }

                seen[i] = true;
                numeric[i] &= double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                boolean[i] &= value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase);
                if (distinct[i].Count < 1000)
                {
                    distinct[i].Add(value);
                }
            }
        }

        if (rows == 0)
        {
            throw new CliException($"The data file '{path}' has a header but no data rows.");
        }

        var columns = names.Select((n, i) => new InferredColumn(
            n,
            i,
            !seen[i] ? ColumnKind.Empty : boolean[i] ? ColumnKind.Boolean : numeric[i] ? ColumnKind.Numeric : ColumnKind.Text,
            distinct[i].Count)).ToList();
        return new TabularFile(System.IO.Path.GetFullPath(path), separator, columns, rows, names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => (IReadOnlySet<string>)distinct[x.i]));
    }

    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <exception cref="CliException">No such column; the message lists the columns.</exception>
    public InferredColumn Column(string name) =>
        Columns.FirstOrDefault(c => c.Name == name)
        ?? throw new CliException($"Unknown label column '{name}' in '{Path}'. Columns: {string.Join(", ", Columns.Select(c => c.Name))}.");

    /// <summary>Loads the file with every column typed by its kind; <paramref name="asText"/> columns are loaded as text whatever their kind.</summary>
    public IDataView Load(MLContext ml, params string[] asText) => LoadFile(ml, Path, asText);

    /// <summary>Loads <paramref name="path"/> (a file with this one's header, such as test data) with this file's column kinds.</summary>
    public IDataView LoadFile(MLContext ml, string path, string[] asText)
    {
        var loaderColumns = Columns.Where(c => c.Kind != ColumnKind.Empty).Select(c => new TextLoader.Column(
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

    /// <summary>Splits a line on the separator, honouring double-quoted fields.</summary>
    private static List<string> SplitLine(string line, char separator)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
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
                    quoted = !quoted;
                }
            }
            else if (c == separator && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
