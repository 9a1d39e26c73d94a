using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Pipelines;

/// <summary>One cross-validation fold: the rows a trial trains on and the rows it is measured on.</summary>
internal sealed record DataFold(IDataView Train, IDataView Validation);

/// <summary>
/// How an experiment splits its data (test rows, validation rows, folds). With a grouping column the rows sharing
/// a value stay on one side; with an order column the held-out side is the latest rows and cross-validation folds
/// chain forward (each fold trains on the blocks before the one it is measured on), so no model sees its future.
/// </summary>
/// <param name="GroupColumn">Rows sharing this column's value stay together (ML.NET's samplingKeyColumnName).</param>
/// <param name="OrderColumn">A numeric or date column; held-out rows are the ones with the highest values.</param>
internal sealed record SplitColumns(string? GroupColumn, string? OrderColumn)
{
    public static readonly SplitColumns None = new(null, null);

    /// <summary>Checks that the columns exist, are scalar, and that an order column is numeric or a date.</summary>
    public void Check(DataViewSchema schema)
    {
        foreach (var (name, role) in new[] { (GroupColumn, "grouping"), (OrderColumn, "order") })
        {
            if (name is null)
            {
                continue;
            }

            var column = schema.GetColumnOrNull(name) ?? throw new ArgumentException($"The {role} column '{name}' is not in the data. Columns: {ExperimentDataChecks.ColumnList(schema)}.");
            if (column.Type is VectorDataViewType)
            {
                throw new ArgumentException($"The {role} column '{name}' holds vectors ({column.Type}); it must hold one value per row.");
            }

            if (role == "order" && ColumnValues.OrderReader(column.Type.RawType) is null)
            {
                throw new ArgumentException($"The order column '{name}' is {column.Type}; it must be a number or a date (DateTime) so that 'latest' means something.");
            }
        }
    }
}

/// <summary>Splits data by <see cref="SplitColumns"/> into exact fractions (up to whole groups).</summary>
internal static class DataSplitter
{
    /// <summary>Splits off about <paramref name="fraction"/> of the rows: the latest with an order column, else a
    /// seeded random choice of rows or groups.</summary>
    /// <returns>The rest and the held-out rows.</returns>
    public static (IDataView Remaining, IDataView HeldOut) HoldOut(IDataView data, double fraction, SplitColumns columns, int seed, string heldOutName)
    {
        var units = Units.Of(data, columns, seed);
        var target = (int)Math.Round(fraction * units.RowCount);
        var held = new bool[units.Count];
        var heldRows = 0;
        for (var i = units.Count - 1; i >= 0 && heldRows < Math.Max(1, target); i--)
        {
            held[units.Ordered[i]] = true;
            heldRows += units.RowsOf[units.Ordered[i]];
        }

        if (heldRows >= units.RowCount)
        {
            throw new ArgumentException($"The {heldOutName} would take every row ({units.RowCount} rows in {units.Count} {(columns.GroupColumn is null ? "rows" : "groups")}): there are too few {(columns.GroupColumn is null ? "rows" : $"groups of '{columns.GroupColumn}'")} to split.");
        }

        var heldMask = units.RowMask(u => held[u]);
        return (new RowSubsetView(data, heldMask.Select(h => !h).ToArray()), new RowSubsetView(data, heldMask));
    }

    /// <summary>k folds: random (by rows or groups) without an order column; with one, forward chaining over k + 1
    /// blocks in time, fold j training on blocks 0..j-1 and measured on block j.</summary>
    public static IReadOnlyList<DataFold> Folds(IDataView data, int folds, SplitColumns columns, int seed)
    {
        var units = Units.Of(data, columns, seed);
        var blocks = columns.OrderColumn is null ? folds : folds + 1;
        var blockOf = new int[units.Count];
        var before = 0L;
        foreach (var unit in units.Ordered)
        {
            blockOf[unit] = (int)Math.Min(blocks - 1, before * blocks / units.RowCount);
            before += units.RowsOf[unit];
        }

        var used = blockOf.Distinct().Count();
        if (used < blocks)
        {
            throw new ArgumentException($"{folds} folds{(columns.OrderColumn is null ? "" : " chained forward in time")} need {blocks} non-empty blocks, but the data has {units.Count} {(columns.GroupColumn is null ? "rows" : $"groups of '{columns.GroupColumn}'")} ({units.RowCount} rows). Use fewer folds.");
        }

        var result = new List<DataFold>(folds);
        for (var j = columns.OrderColumn is null ? 0 : 1; j < blocks; j++)
        {
            var block = j;
            var validation = units.RowMask(u => blockOf[u] == block);
            var train = columns.OrderColumn is null ? validation.Select(v => !v).ToArray() : units.RowMask(u => blockOf[u] < block);
            result.Add(new DataFold(new RowSubsetView(data, train), new RowSubsetView(data, validation)));
        }

        return result;
    }

    /// <summary>The units a split moves whole (groups, or single rows), in the order the held-out side is taken from
    /// the end of.</summary>
    private sealed class Units
    {
        private int[] _unitOfRow = [];

        public int RowCount => _unitOfRow.Length;

        public int Count => RowsOf.Length;

        public int[] RowsOf { get; private set; } = [];

        public int[] Ordered { get; private set; } = [];

        public bool[] RowMask(Func<int, bool> unitSelected)
        {
            var mask = new bool[_unitOfRow.Length];
            for (var row = 0; row < mask.Length; row++)
            {
                mask[row] = unitSelected(_unitOfRow[row]);
            }

            return mask;
        }

        public static Units Of(IDataView data, SplitColumns columns, int seed)
        {
            columns.Check(data.Schema);
            var order = columns.OrderColumn is null ? null : ColumnValues.Order(data, columns.OrderColumn);
            var groups = columns.GroupColumn is null ? null : ColumnValues.Keys(data, columns.GroupColumn);
            var rows = order?.Length ?? groups?.Length ?? ColumnValues.CountRows(data);
            if (rows == 0)
            {
                throw new ArgumentException("The data is empty.");
            }

            var unitOfRow = new int[rows];
            var unitCount = rows;
            if (groups is not null)
            {
                var index = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var row = 0; row < rows; row++)
                {
                    unitOfRow[row] = index.TryGetValue(groups[row], out var u) ? u : index[groups[row]] = index.Count;
                }

                unitCount = index.Count;
            }
            else
            {
                for (var row = 0; row < rows; row++)
                {
                    unitOfRow[row] = row;
                }
            }

            var rowsOf = new int[unitCount];
            var firstTime = Enumerable.Repeat(double.PositiveInfinity, unitCount).ToArray();
            for (var row = 0; row < rows; row++)
            {
                rowsOf[unitOfRow[row]]++;
                if (order is not null)
                {
                    firstTime[unitOfRow[row]] = Math.Min(firstTime[unitOfRow[row]], order[row]);
                }
            }

            var ordered = Enumerable.Range(0, unitCount).ToArray();
            if (order is not null)
            {
                // A group belongs to the time it first appears; ties keep the data's order.
                ordered = ordered.OrderBy(u => firstTime[u]).ThenBy(u => u).ToArray();
            }
            else
            {
                new Random(seed).Shuffle(ordered);
            }

            return new Units { _unitOfRow = unitOfRow, RowsOf = rowsOf, Ordered = ordered };
        }
    }
}

/// <summary>Reads one scalar column of a view into an array.</summary>
internal static class ColumnValues
{
    public static Func<IDataView, DataViewSchema.Column, double[]>? OrderReader(Type raw) => raw switch
    {
        _ when raw == typeof(float) => (d, c) => d.GetColumn<float>(c).Select(v => (double)v).ToArray(),
        _ when raw == typeof(double) => (d, c) => d.GetColumn<double>(c).ToArray(),
        _ when raw == typeof(int) => (d, c) => d.GetColumn<int>(c).Select(v => (double)v).ToArray(),
        _ when raw == typeof(long) => (d, c) => d.GetColumn<long>(c).Select(v => (double)v).ToArray(),
        _ when raw == typeof(short) => (d, c) => d.GetColumn<short>(c).Select(v => (double)v).ToArray(),
        _ when raw == typeof(uint) => (d, c) => d.GetColumn<uint>(c).Select(v => (double)v).ToArray(),
        _ when raw == typeof(ulong) => (d, c) => d.GetColumn<ulong>(c).Select(v => (double)v).ToArray(),
        _ when raw == typeof(DateTime) => (d, c) => d.GetColumn<DateTime>(c).Select(v => (double)v.Ticks).ToArray(),
        _ when raw == typeof(DateTimeOffset) => (d, c) => d.GetColumn<DateTimeOffset>(c).Select(v => (double)v.UtcTicks).ToArray(),
        _ => null,
    };

    public static double[] Order(IDataView data, string name)
    {
        var column = data.Schema[name];
        var values = OrderReader(column.Type.RawType)!(data, column);
        var missing = Array.FindIndex(values, double.IsNaN);
        if (missing >= 0)
        {
            throw new ArgumentException($"The order column '{name}' has a missing value (row {missing + 1}); every row needs a time to be put before or after the others.");
        }

        return values;
    }

    public static string[] Keys(IDataView data, string name)
    {
        var column = data.Schema[name];
        var raw = column.Type.RawType;
        if (raw == typeof(ReadOnlyMemory<char>))
        {
            return data.GetColumn<ReadOnlyMemory<char>>(column).Select(v => v.ToString()).ToArray();
        }

        if (OrderReader(raw) is { } numeric)
        {
            return numeric(data, column).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }

        if (raw == typeof(bool))
        {
            return data.GetColumn<bool>(column).Select(v => v ? "1" : "0").ToArray();
        }

        throw new ArgumentException($"The grouping column '{name}' is {column.Type}; use a text, number or date column.");
    }

    public static int CountRows(IDataView data)
    {
        if (data.GetRowCount() is long known)
        {
            return checked((int)known);
        }

        var count = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext())
        {
            count++;
        }

        return count;
    }
}
