using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// The network: for each hidden layer Linear → [BatchNorm1d] → activation → [dropout], then a Linear output.
/// Weights are drawn from the trainer's own generator (PyTorch's default ranges, ±1/√fan-in), not from
/// libtorch's global one, so that concurrent trainings stay reproducible.
/// </summary>
internal sealed class MultilayerPerceptron : nn.Module<Tensor, Tensor>
{
    private readonly List<Linear> _linears = [];
    private readonly List<BatchNorm1d?> _norms = [];
    private readonly Linear _output;
    private readonly NeuralNetworkActivation _activation;
    private readonly Generator _generator;

    public MultilayerPerceptron(NetworkShape shape, double dropout, Generator generator)
        : base(nameof(MultilayerPerceptron))
    {
        _activation = shape.Activation;
        _generator = generator;
        Dropout = dropout;
        long width = shape.InputSize;
        for (var i = 0; i < shape.HiddenLayerSizes.Count; i++)
        {
            var linear = nn.Linear(width, shape.HiddenLayerSizes[i]);
            register_module($"hidden{i}", linear);
            _linears.Add(linear);
            BatchNorm1d? norm = null;
            if (shape.BatchNormalization)
            {
                norm = nn.BatchNorm1d(shape.HiddenLayerSizes[i]);
                register_module($"norm{i}", norm);
            }

            _norms.Add(norm);
            width = shape.HiddenLayerSizes[i];
        }

        _output = nn.Linear(width, shape.OutputSize);
        register_module("output", _output);
        Initialize();
    }

    /// <summary>Dropout probability; may change between epochs (a population-based tuner perturbs it).</summary>
    public double Dropout { get; set; }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        for (var i = 0; i < _linears.Count; i++)
        {
            x = _linears[i].forward(x);
            if (_norms[i] is { } norm)
            {
                x = Normalize(norm, x);
            }

            x = Activate(x);
            if (training && Dropout > 0)
            {
                // Inverted dropout with the trainer's generator (reseeded each epoch from (seed, epoch)).
                // Explicit scalars: TorchSharp leaves implicitly converted ones to the collector, which may free them mid-call.
                using var rate = Dropout.ToScalar();
                using var kept = (1 - Dropout).ToScalar();
                using var keep = rand(x.shape, generator: _generator).ge_(rate);
                x = x.mul(keep).div_(kept);
            }
        }

        return _output.forward(x);
    }

    /// <summary>
    /// What BatchNorm1d.forward does, with the batch counter raised through an explicit scalar: TorchSharp's own
    /// forward adds an implicitly converted 1, which the collector may free during the native call.
    /// </summary>
    private Tensor Normalize(BatchNorm1d norm, Tensor x)
    {
        var averaging = norm.momentum ?? 0.0;
        if (training && norm.num_batches_tracked is { } count)
        {
            using var noGrad = no_grad();
            using var one = 1L.ToScalar();
            count.add_(one, one);

            // Without a momentum the running statistics are a cumulative average, as in PyTorch.
            averaging = norm.momentum ?? (1.0 / count.item<long>());
        }

        return nn.functional.batch_norm(x, norm.running_mean, norm.running_var, norm.weight, norm.bias, training, averaging, norm.eps);
    }

    private Tensor Activate(Tensor x) => _activation switch
    {
        NeuralNetworkActivation.ReLU => nn.functional.relu(x),
        NeuralNetworkActivation.LeakyReLU => LeakyReLU(x),
        NeuralNetworkActivation.GELU => nn.functional.gelu(x),
        NeuralNetworkActivation.Tanh => x.tanh(),
        NeuralNetworkActivation.Sigmoid => x.sigmoid(),
        _ => throw new InvalidOperationException($"Unknown activation {_activation}."),
    };

    private static Tensor LeakyReLU(Tensor x)
    {
        // An explicit slope scalar: functional.leaky_relu converts its double into one left to the collector.
        using var slope = 0.01.ToScalar();
        return x.leaky_relu(slope);
    }

    private void Initialize()
    {
        using var noGrad = no_grad();
        foreach (var linear in _linears.Append(_output))
        {
            var bound = 1.0 / Math.Sqrt(linear.weight!.shape[1]);
            linear.weight.uniform_(-bound, bound, _generator);
            linear.bias!.uniform_(-bound, bound, _generator);
        }
    }
}
