using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Pipelines;

/// <summary>The rows of a source view whose position is marked in a mask: how a split becomes views without
/// copying the data (ML.NET's own splits hash a column, which neither keeps exact fractions nor follows an order).</summary>
internal sealed class RowSubsetView : IDataView
{
    private readonly IDataView _source;
    private readonly bool[] _keep;
    private readonly long _count;

    public RowSubsetView(IDataView source, bool[] keep)
    {
        _source = source;
        _keep = keep;
        _count = keep.LongCount(k => k);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _source.Schema;

    public long? GetRowCount() => _count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(_source.GetRowCursor(columnsNeeded), _keep);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewRowCursor source, bool[] keep) : DataViewRowCursor
    {
        private long _sourceRow = -1;
        private long _position = -1;

        public override DataViewSchema Schema => source.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            while (source.MoveNext())
            {
                _sourceRow++;
                if (_sourceRow >= keep.Length)
                {
                    throw new InvalidOperationException("The data has more rows than when it was split: a split needs data that reads the same rows each time.");
                }

                if (keep[_sourceRow])
                {
                    _position++;
                    return true;
                }
            }

            return false;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => source.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => source.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => source.IsColumnActive(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                source.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>The rows of one view followed by those of another with the same columns (train + validation for a
/// refit). Columns are matched by name; the first view's schema is the result's.</summary>
internal sealed class ConcatenatedView : IDataView
{
    private readonly IDataView _first;
    private readonly IDataView _second;

    public ConcatenatedView(IDataView first, IDataView second)
    {
        foreach (var column in first.Schema.Where(c => !c.IsHidden))
        {
            var other = second.Schema.GetColumnOrNull(column.Name);
            if (other is null || !other.Value.Type.Equals(column.Type))
            {
                throw new ArgumentException($"Cannot join the rows: column '{column.Name}' is {column.Type} in the training data and {(other is null ? "missing" : other.Value.Type.ToString())} in the validation data.");
            }
        }

        _first = first;
        _second = second;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _first.Schema;

    public long? GetRowCount() => _first.GetRowCount() + _second.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        var inSecond = needed.Select(c => _second.Schema.GetColumnOrNull(c.Name)).Where(c => c.HasValue).Select(c => c!.Value).ToList();
        return new Cursor(Schema, _first.GetRowCursor(needed), () => _second.GetRowCursor(inSecond), _second.Schema);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewSchema schema, DataViewRowCursor firstCursor, Func<DataViewRowCursor> openSecond, DataViewSchema secondSchema) : DataViewRowCursor
    {
        private readonly DataViewRowCursor _first = firstCursor;
        private DataViewRowCursor _current = firstCursor;
        private bool _onSecond;
        private long _position = -1;

        public override DataViewSchema Schema => schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_current.MoveNext())
            {
                _position++;
                return true;
            }

            if (_onSecond)
            {
                return false;
            }

            _onSecond = true;
            _current = openSecond();
            if (!_current.MoveNext())
            {
                return false;
            }

            _position++;
            return true;
        }

        // Getters read whichever view the cursor is on when they are called.
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var fromFirst = _first.GetGetter<TValue>(column);
            ValueGetter<TValue>? fromSecond = null;
            return (ref TValue value) =>
            {
                if (!_onSecond)
                {
                    fromFirst(ref value);
                    return;
                }

                fromSecond ??= _current.GetGetter<TValue>(secondSchema[column.Name]);
                fromSecond(ref value);
            };
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
        {
            var fromFirst = _first.GetIdGetter();
            ValueGetter<DataViewRowId>? fromSecond = null;
            return (ref DataViewRowId value) =>
            {
                if (!_onSecond)
                {
                    fromFirst(ref value);
                    return;
                }

                fromSecond ??= _current.GetIdGetter();
                fromSecond(ref value);

                // Ids of the second view are shifted so that they never equal the first view's.
                value = new DataViewRowId(value.Low, value.High ^ 0x8000_0000_0000_0000UL);
            };
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _first.IsColumnActive(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _first.Dispose();
                if (_onSecond)
                {
                    _current.Dispose();
                }
            }

            base.Dispose(disposing);
        }
    }
}
