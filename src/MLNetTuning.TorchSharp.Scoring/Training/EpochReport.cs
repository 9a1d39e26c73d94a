using System.Globalization;

namespace MLNetTuning.TorchSharp;

/// <summary>What <c>NeuralNetworkOptions.OnEpochEnd</c> hears after each epoch.</summary>
public sealed class EpochReport
{
    private readonly Func<NeuralNetworkCheckpoint> _capture;

    internal EpochReport(int epoch, double trainingLoss, double? validationLoss, double learningRate, Func<NeuralNetworkCheckpoint> capture)
    {
        Epoch = epoch;
        TrainingLoss = trainingLoss;
        ValidationLoss = validationLoss;
        LearningRate = learningRate;
        _capture = capture;
    }

    /// <summary>Epochs completed so far, counting those of a resumed checkpoint (1 after the first epoch).</summary>
    public int Epoch { get; }

    /// <summary>Mean training loss of the epoch (cross-entropy, or mean squared error of the standardized label).</summary>
    public double TrainingLoss { get; }

    /// <summary>Loss on the held-out rows, or null when <c>NeuralNetworkOptions.ValidationFraction</c> is 0.</summary>
    public double? ValidationLoss { get; }

    /// <summary>The loss early stopping watches and a tuner should minimise: the validation loss, else the training loss.</summary>
    public double Loss => ValidationLoss ?? TrainingLoss;

    /// <summary>The learning rate of the epoch's last step.</summary>
    public double LearningRate { get; }

    /// <summary>
    /// Captures the training state as it is now (for a promotion or an exploit step); resuming from it continues
    /// after this epoch. Valid only inside <c>NeuralNetworkOptions.OnEpochEnd</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called after training ended.</exception>
    public NeuralNetworkCheckpoint CreateCheckpoint() => _capture();

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"epoch {Epoch}: training loss {TrainingLoss:G5}, validation loss {(ValidationLoss is { } v ? v.ToString("G5", CultureInfo.InvariantCulture) : "-")}, lr {LearningRate:G3}");
}
