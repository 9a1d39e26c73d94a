using System.Numerics.Tensors;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// The trained network as plain arrays, for prediction without libtorch: scoring is per row in ML.NET
/// (cursors, <c>PredictionEngine</c>), where a managed matrix–vector product is cheaper than a libtorch call,
/// needs no native library and is safe on any thread. Batch normalization is folded into a per-unit affine map.
/// </summary>
internal sealed class NetworkWeights
{
    private const double BatchNormEpsilon = 1e-5;
    private readonly Layer[] _layers;
    private readonly FeatureScaling _scaling;
    private readonly NeuralNetworkActivation _activation;

    private NetworkWeights(Layer[] layers, FeatureScaling scaling, NeuralNetworkActivation activation, int inputSize, int outputSize)
    {
        _layers = layers;
        _scaling = scaling;
        _activation = activation;
        InputSize = inputSize;
        OutputSize = outputSize;
        MaxWidth = Math.Max(inputSize, layers.Max(l => l.Outputs));
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    /// <summary>Widest layer, the size of each scratch buffer <see cref="Forward"/> needs.</summary>
    public int MaxWidth { get; }

    /// <exception cref="InvalidDataException">A state entry is missing, or its size does not fit the network's shape.</exception>
    public static NetworkWeights From(NeuralNetworkCheckpoint checkpoint)
    {
        var tensors = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var tensor in checkpoint.Tensors)
        {
            if (!tensors.TryAdd(tensor.Name, tensor))
            {
                throw new InvalidDataException($"The checkpoint holds the state entry '{tensor.Name}' twice: it is damaged.");
            }
        }

        float[] Get(string name, long length)
        {
            var values = tensors.TryGetValue(name, out var t) ? t.AsSingles() : throw new InvalidDataException($"The checkpoint lacks the state entry '{name}'.");
            return values.Length == length
                ? values
                : throw new InvalidDataException($"The checkpoint's state entry '{name}' has {values.Length} values, the network's shape needs {length}: it is damaged.");
        }

        if (checkpoint.Scaling.Mean.Length != checkpoint.Shape.InputSize || checkpoint.Scaling.Scale.Length != checkpoint.Shape.InputSize)
        {
            throw new InvalidDataException($"The checkpoint's feature scaling has {checkpoint.Scaling.Mean.Length} features, its network {checkpoint.Shape.InputSize} inputs: it is damaged.");
        }

        var shape = checkpoint.Shape;
        var layers = new List<Layer>();
        var inputs = shape.InputSize;
        for (var i = 0; i < shape.HiddenLayerSizes.Count; i++)
        {
            var outputs = shape.HiddenLayerSizes[i];
            float[]? scale = null, shift = null;
            if (shape.BatchNormalization)
            {
                var gamma = Get($"norm{i}.weight", outputs);
                var beta = Get($"norm{i}.bias", outputs);
                var mean = Get($"norm{i}.running_mean", outputs);
                var variance = Get($"norm{i}.running_var", outputs);
                scale = new float[outputs];
                shift = new float[outputs];
                for (var u = 0; u < outputs; u++)
                {
                    scale[u] = (float)(gamma[u] / Math.Sqrt(variance[u] + BatchNormEpsilon));
                    shift[u] = beta[u] - (mean[u] * scale[u]);
                }
            }

            layers.Add(new Layer(Get($"hidden{i}.weight", (long)inputs * outputs), Get($"hidden{i}.bias", outputs), inputs, outputs, scale, shift, Activated: true));
            inputs = outputs;
        }

        layers.Add(new Layer(Get("output.weight", (long)inputs * shape.OutputSize), Get("output.bias", shape.OutputSize), inputs, shape.OutputSize, null, null, Activated: false));
        return new NetworkWeights([.. layers], checkpoint.Scaling, shape.Activation, shape.InputSize, shape.OutputSize);
    }

    /// <summary>Raw outputs (logits, or the standardized regression value) of one row.</summary>
    /// <param name="features">The row's features, unscaled.</param>
    /// <param name="output">Receives <see cref="OutputSize"/> values.</param>
    /// <param name="scratchA">Scratch of <see cref="MaxWidth"/>.</param>
    /// <param name="scratchB">Scratch of <see cref="MaxWidth"/>.</param>
    public void Forward(ReadOnlySpan<float> features, Span<float> output, float[] scratchA, float[] scratchB)
    {
        var current = scratchA.AsSpan(0, InputSize);
        features.CopyTo(current);
        _scaling.Apply(current);
        var next = scratchB;
        foreach (var layer in _layers)
        {
            var result = layer.Activated ? next.AsSpan(0, layer.Outputs) : output;
            for (var u = 0; u < layer.Outputs; u++)
            {
                result[u] = TensorPrimitives.Dot(layer.Weights.AsSpan(u * layer.Inputs, layer.Inputs), current) + layer.Bias[u];
            }

            if (layer.Activated)
            {
                if (layer.Scale is not null)
                {
                    TensorPrimitives.Multiply(result, layer.Scale, result);
                    TensorPrimitives.Add(result, layer.Shift!, result);
                }

                Activate(result);
                next = ReferenceEquals(next, scratchB) ? scratchA : scratchB;
                current = result;
            }
        }
    }

    /// <summary>Un-standardizes a regression output.</summary>
    public float RegressionValue(float raw) => (float)((raw * _scaling.LabelStd) + _scaling.LabelMean);

    private void Activate(Span<float> values)
    {
        switch (_activation)
        {
            case NeuralNetworkActivation.ReLU:
                TensorPrimitives.Max(values, 0f, values);
                break;
            case NeuralNetworkActivation.LeakyReLU:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = values[i] > 0 ? values[i] : 0.01f * values[i];
                }

                break;
            case NeuralNetworkActivation.GELU:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)(0.5 * values[i] * (1 + Erf(values[i] / Math.Sqrt(2))));
                }

                break;
            case NeuralNetworkActivation.Tanh:
                TensorPrimitives.Tanh(values, values);
                break;
            case NeuralNetworkActivation.Sigmoid:
                TensorPrimitives.Sigmoid(values, values);
                break;
            default:
                throw new InvalidOperationException($"Unknown activation {_activation}.");
        }
    }

    /// <summary>The error function to ~1e-7 relative error (Numerical Recipes' erfc by Chebyshev fit), enough for Single.</summary>
    private static double Erf(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        double[] coefficients = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var polynomial = 0.0;
        for (var i = coefficients.Length - 1; i >= 0; i--)
        {
            polynomial = (polynomial * t) + coefficients[i];
        }

        var erfc = t * Math.Exp(-(z * z) + polynomial);
        return x >= 0 ? 1 - erfc : erfc - 1;
    }

    private sealed record Layer(float[] Weights, float[] Bias, int Inputs, int Outputs, float[]? Scale, float[]? Shift, bool Activated);
}
