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
                x = norm.forward(x);
            }

            x = Activate(x);
            if (training && Dropout > 0)
            {
                // Inverted dropout with the trainer's generator (reseeded each epoch from (seed, epoch)).
                using var keep = rand(x.shape, generator: _generator).ge_(Dropout);
                x = x.mul(keep).div_(1 - Dropout);
            }
        }

        return _output.forward(x);
    }

    private Tensor Activate(Tensor x) => _activation switch
    {
        NeuralNetworkActivation.ReLU => nn.functional.relu(x),
        NeuralNetworkActivation.LeakyReLU => nn.functional.leaky_relu(x, 0.01),
        NeuralNetworkActivation.GELU => nn.functional.gelu(x),
        NeuralNetworkActivation.Tanh => x.tanh(),
        NeuralNetworkActivation.Sigmoid => x.sigmoid(),
        _ => throw new InvalidOperationException($"Unknown activation {_activation}."),
    };

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
