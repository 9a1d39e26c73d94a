using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// An input row with the prediction columns appended. The network runs once per row position, on the first
/// request of any prediction column, and its outputs are kept until the position moves.
/// </summary>
internal class ScoringRow : DataViewRow
{
    private readonly NeuralNetworkRowMapper _mapper;
    private readonly DataViewRow _input;
    private readonly bool[] _active;
    private readonly float[] _scratchA;
    private readonly float[] _scratchB;
    private readonly float[] _outputs;
    private readonly ValueGetter<VBuffer<float>>? _features;
    private VBuffer<float> _featureBuffer;
    private float[] _dense;
    private long _scoredPosition = long.MinValue;

    public ScoringRow(NeuralNetworkRowMapper mapper, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        _mapper = mapper;
        _input = input;
        _active = new bool[mapper.OutputSchema.Count];
        foreach (var column in activeColumns)
        {
            _active[column.Index] = true;
        }

        var weights = mapper.Transformer.Weights;
        _scratchA = new float[weights.MaxWidth];
        _scratchB = new float[weights.MaxWidth];
        _outputs = new float[weights.OutputSize];
        _dense = new float[weights.InputSize];
        if (_active.Skip(mapper.FirstOutputIndex).Any(a => a))
        {
            _features = input.GetGetter<VBuffer<float>>(input.Schema[mapper.FeatureColumn.Index]);
        }
    }

    public override DataViewSchema Schema => _mapper.OutputSchema;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < _mapper.FirstOutputIndex ? _input.IsColumnActive(_input.Schema[column.Index]) : _active[column.Index];

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < _mapper.FirstOutputIndex)
        {
            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        }

        if (!_active[column.Index])
        {
            throw new InvalidOperationException($"Column '{column.Name}' was not requested as active.");
        }

        Delegate getter = (_mapper.Transformer.Task, column.Name) switch
        {
            (NeuralNetworkTask.BinaryClassification, "Score") => (ValueGetter<float>)((ref float v) => v = Scores()[0]),
            (NeuralNetworkTask.BinaryClassification, "Probability") => (ValueGetter<float>)((ref float v) => v = 1f / (1f + MathF.Exp(-Scores()[0]))),
            (NeuralNetworkTask.BinaryClassification, _) => (ValueGetter<bool>)((ref bool v) => v = Scores()[0] > 0),
            (NeuralNetworkTask.MulticlassClassification, "Score") => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) => Probabilities(ref v)),
            (NeuralNetworkTask.MulticlassClassification, _) => (ValueGetter<uint>)((ref uint v) => v = (uint)ArgMax(Scores()) + 1),
            _ => (ValueGetter<float>)((ref float v) => v = _mapper.Transformer.Weights.RegressionValue(Scores()[0])),
        };
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; it cannot be read as {typeof(TValue).Name}.");
    }

    protected override void Dispose(bool disposing)
    {
    }

    private float[] Scores()
    {
        if (_scoredPosition != _input.Position || _input.Position < 0)
        {
            _features!(ref _featureBuffer);
            _featureBuffer.CopyTo(_dense);
            _mapper.Transformer.Weights.Forward(_dense, _outputs, _scratchA, _scratchB);
            _scoredPosition = _input.Position;
        }

        return _outputs;
    }

    private void Probabilities(ref VBuffer<float> destination)
    {
        var logits = Scores();
        var editor = VBufferEditor.Create(ref destination, logits.Length);
        var max = logits.Max();
        var sum = 0f;
        for (var i = 0; i < logits.Length; i++)
        {
            editor.Values[i] = MathF.Exp(logits[i] - max);
            sum += editor.Values[i];
        }

        for (var i = 0; i < logits.Length; i++)
        {
            editor.Values[i] /= sum;
        }

        destination = editor.Commit();
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
