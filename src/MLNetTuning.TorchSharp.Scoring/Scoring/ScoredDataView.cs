using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.TorchSharp;

/// <summary>The lazily scored view <see cref="NeuralNetworkTransformer.Transform"/> returns.</summary>
internal sealed class ScoredDataView : IDataView
{
    private readonly IDataView _input;
    private readonly NeuralNetworkRowMapper _mapper;

    public ScoredDataView(IDataView input, NeuralNetworkRowMapper mapper)
    {
        _input = input;
        _mapper = mapper;
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema => _mapper.OutputSchema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = columnsNeeded.ToList();
        var inputCursor = _input.GetRowCursor(_mapper.GetDependencies(active), rand);
        return new ScoringCursor(inputCursor, new ScoringRow(_mapper, inputCursor, active));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>A cursor that moves the input and reads through the scoring row.</summary>
    private sealed class ScoringCursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly ScoringRow _row;

        public ScoringCursor(DataViewRowCursor input, ScoringRow row)
        {
            _input = input;
            _row = row;
        }

        public override DataViewSchema Schema => _row.Schema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override bool MoveNext() => _input.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
