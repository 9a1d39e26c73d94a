using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Studies;

/// <summary>A <see cref="TrialTable"/> as an in-memory <see cref="IDataView"/>: the trial id as Int32, numbers as
/// Double (NaN when missing), everything else as Text (empty when missing).</summary>
internal sealed class TrialTableDataView : IDataView
{
    private readonly Array[] _columns;
    private readonly int _rows;

    public TrialTableDataView(TrialTable table)
    {
        var builder = new DataViewSchema.Builder();
        var columns = new List<Array>();
        var trials = table.Trials;
        _rows = trials.Count;
        void Number(string name, Func<int, double?> value)
        {
            builder.AddColumn(name, NumberDataViewType.Double);
            columns.Add(Enumerable.Range(0, _rows).Select(i => value(i) ?? double.NaN).ToArray());
        }

        void Text(string name, Func<int, string?> value)
        {
            builder.AddColumn(name, TextDataViewType.Instance);
            columns.Add(Enumerable.Range(0, _rows).Select(i => (value(i) ?? "").AsMemory()).ToArray());
        }

        builder.AddColumn("trial", NumberDataViewType.Int32);
        columns.Add(trials.Select(t => t.Id).ToArray());
        Text("state", i => trials[i].State.ToString().ToLowerInvariant());
        Number("value", i => trials[i].Value);
        Number("duration_seconds", i => trials[i].Duration?.TotalSeconds);
        Number("budget", i => trials[i].Budget);
        Text("worker", i => trials[i].WorkerId);
        foreach (var p in table.ParameterColumns)
        {
            if (table.NumericParameters.Contains(p))
            {
                Number(p, i => table.ParameterRows[i].TryGetValue(p, out var v) ? (double)v : null);
            }
            else
            {
                Text(p, i => table.ParameterRows[i].TryGetValue(p, out var v) ? (string)v : null);
            }
        }

        foreach (var a in table.AttributeColumns)
        {
            Text("attr." + a, i => trials[i].Attributes.GetValueOrDefault(a));
        }

        Schema = builder.ToSchema();
        _columns = columns.ToArray();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(TrialTableDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= view._rows)
            {
                _position = view._rows;
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (view._columns[column.Index] is not TValue[] values)
            {
                throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}, not {typeof(TValue).Name}.");
            }

            return (ref TValue value) => value = values[_position];
        }
    }
}
