using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// SGD (momentum, Nesterov), Adam, AdamW and RMSprop updates with PyTorch's definitions and defaults
/// (Adam β = (0.9, 0.999), ε = 1e-8; RMSprop α = 0.99, ε = 1e-8; L2 weight decay added to the gradient, except
/// AdamW's decoupled decay).
/// </summary>
/// <remarks>
/// TorchSharp 0.107's own optimizers pass implicitly converted <see cref="Scalar"/>s to native code and leave them
/// to the garbage collector, which can free one while the native call still reads it ("Unknown scalar type",
/// <c>toFloat</c> failures) when another thread collects, as parallel trials do. Even overloads without a scalar
/// argument (<c>add_(tensor)</c>, <c>addcdiv_(a, b)</c>) make one for their implicit factor 1. Here every scalar
/// is explicit and disposed after use, so collections never touch a running step. The hyperparameters are read at every step, so
/// a resumed run (PBT) applies new ones at once.
/// </remarks>
internal sealed class NetworkOptimizer : IDisposable
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double AdamEpsilon = 1e-8;
    private const double RmsPropAlpha = 0.99;
    private const double RmsPropEpsilon = 1e-8;
    private const int FormatVersion = 1;

    private readonly NeuralNetworkOptimizer _kind;
    private readonly Parameter[] _parameters;

    // Per parameter: SGD and RMSprop's momentum buffer, Adam's first moment; Adam's second moment, RMSprop's square average.
    private readonly Tensor?[] _first;
    private readonly Tensor?[] _second;
    private readonly Scalar _one = 1.0.ToScalar();
    private long _step;

    public NetworkOptimizer(NeuralNetworkOptimizer kind, IEnumerable<Parameter> parameters)
    {
        _kind = kind is NeuralNetworkOptimizer.Sgd or NeuralNetworkOptimizer.Adam or NeuralNetworkOptimizer.AdamW or NeuralNetworkOptimizer.RmsProp
            ? kind
            : throw new ArgumentException($"Unknown optimizer {kind}.", nameof(kind));
        _parameters = parameters.ToArray();
        _first = new Tensor?[_parameters.Length];
        _second = new Tensor?[_parameters.Length];
    }

    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
        {
            parameter.grad?.zero_();
        }
    }

    /// <summary>One update of every parameter with a gradient.</summary>
    public void Step(double learningRate, NeuralNetworkOptions options)
    {
        using var noGrad = no_grad();
        _step++;
        for (var i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            if (parameter.grad is not { } grad)
            {
                continue;
            }

            using var scope = NewDisposeScope();
            switch (_kind)
            {
                case NeuralNetworkOptimizer.Sgd:
                    SgdStep(i, parameter, WithL2(grad, parameter, options.WeightDecay), learningRate, options.Momentum, options.Nesterov);
                    break;
                case NeuralNetworkOptimizer.Adam:
                    AdamStep(i, parameter, WithL2(grad, parameter, options.WeightDecay), learningRate);
                    break;
                case NeuralNetworkOptimizer.AdamW:
                    using (var keep = (1 - (learningRate * options.WeightDecay)).ToScalar())
                    {
                        parameter.mul_(keep);
                    }

                    AdamStep(i, parameter, grad, learningRate);
                    break;
                default:
                    RmsPropStep(i, parameter, WithL2(grad, parameter, options.WeightDecay), learningRate, options.Momentum);
                    break;
            }
        }
    }

    /// <summary>Writes the step count and every state tensor.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(FormatVersion);
        writer.Write((int)_kind);
        writer.Write(_step);
        writer.Write(_parameters.Length);
        foreach (var buffer in _first.Concat(_second))
        {
            writer.Write(buffer is not null);
            if (buffer is not null)
            {
                var bytes = buffer.bytes;
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote for the same network and optimizer.</summary>
    /// <exception cref="ArgumentException">The state is of another optimizer, network or format.</exception>
    public void Load(BinaryReader reader)
    {
        static ArgumentException Unfit(string what) => new($"The checkpoint's optimizer state does not fit: {what}.", nameof(NeuralNetworkOptions.InitialCheckpoint));
        if (reader.ReadInt32() != FormatVersion)
        {
            throw Unfit("unknown format version");
        }

        var kind = (NeuralNetworkOptimizer)reader.ReadInt32();
        if (kind != _kind)
        {
            throw Unfit($"it is {kind}'s, not {_kind}'s");
        }

        _step = reader.ReadInt64();
        if (reader.ReadInt32() != _parameters.Length)
        {
            throw Unfit("another number of parameter tensors");
        }

        for (var k = 0; k < 2 * _parameters.Length; k++)
        {
            var buffers = k < _parameters.Length ? _first : _second;
            var i = k % _parameters.Length;
            buffers[i]?.Dispose();
            buffers[i] = null;
            if (!reader.ReadBoolean())
            {
                continue;
            }

            var length = reader.ReadInt32();
            if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
            {
                throw Unfit($"state tensor {i} claims {length} bytes, more than the state holds");
            }

            var bytes = reader.ReadBytes(length);
            var buffer = zeros_like(_parameters[i]).DetachFromDisposeScope();
            if (bytes.Length != buffer.bytes.Length)
            {
                buffer.Dispose();
                throw Unfit($"state tensor {i} has {bytes.Length} bytes, the parameter {buffer.bytes.Length}");
            }

            buffer.bytes = bytes;
            buffers[i] = buffer;
        }
    }

    public void Dispose()
    {
        _one.Dispose();
        foreach (var buffer in _first.Concat(_second))
        {
            buffer?.Dispose();
        }
    }

    private static Tensor WithL2(Tensor grad, Tensor parameter, double weightDecay)
    {
        if (weightDecay == 0)
        {
            return grad;
        }

        using var decay = weightDecay.ToScalar();
        return grad.add(parameter, decay);
    }

    private void SgdStep(int i, Parameter parameter, Tensor grad, double learningRate, double momentum, bool nesterov)
    {
        var direction = grad;
        if (momentum != 0)
        {
            using var mu = momentum.ToScalar();
            var buffer = _first[i];
            if (buffer is null)
            {
                buffer = _first[i] = grad.clone().DetachFromDisposeScope();
            }
            else
            {
                buffer.mul_(mu).add_(grad, _one);
            }

            direction = nesterov ? grad.add(buffer, mu) : buffer;
        }

        using var step = (-learningRate).ToScalar();
        parameter.add_(direction, step);
    }

    private void AdamStep(int i, Parameter parameter, Tensor grad, double learningRate)
    {
        var mean = _first[i] ??= zeros_like(parameter).DetachFromDisposeScope();
        var square = _second[i] ??= zeros_like(parameter).DetachFromDisposeScope();
        using var beta1 = Beta1.ToScalar();
        using var oneMinusBeta1 = (1 - Beta1).ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        mean.mul_(beta1).add_(grad, oneMinusBeta1);
        square.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);

        var correction1 = 1 - Math.Pow(Beta1, _step);
        var correction2 = 1 - Math.Pow(Beta2, _step);
        using var root = Math.Sqrt(correction2).ToScalar();
        using var epsilon = AdamEpsilon.ToScalar();
        var denominator = square.sqrt().div_(root).add_(epsilon, _one);
        using var step = (-learningRate / correction1).ToScalar();
        parameter.addcdiv_(mean, denominator, step);
    }

    private void RmsPropStep(int i, Parameter parameter, Tensor grad, double learningRate, double momentum)
    {
        var square = _second[i] ??= zeros_like(parameter).DetachFromDisposeScope();
        using var alpha = RmsPropAlpha.ToScalar();
        using var oneMinusAlpha = (1 - RmsPropAlpha).ToScalar();
        using var epsilon = RmsPropEpsilon.ToScalar();
        square.mul_(alpha).addcmul_(grad, grad, oneMinusAlpha);
        var average = square.sqrt().add_(epsilon, _one);
        using var step = (-learningRate).ToScalar();
        if (momentum > 0)
        {
            using var mu = momentum.ToScalar();
            var buffer = _first[i] ??= zeros_like(parameter).DetachFromDisposeScope();
            buffer.mul_(mu).addcdiv_(grad, average, _one);
            parameter.add_(buffer, step);
        }
        else
        {
            parameter.addcdiv_(grad, average, step);
        }
    }
}
