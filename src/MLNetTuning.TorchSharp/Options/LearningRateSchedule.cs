namespace MLNetTuning.TorchSharp;

/// <summary>
/// How the learning rate moves over training. Every schedule is a pure function of the epoch and the batch
/// within it, so a resumed run follows exactly the curve of an uninterrupted one. A linear warm-up
/// (<see cref="NeuralNetworkOptions.WarmupEpochs"/>) comes first for every schedule but <see cref="OneCycle"/>,
/// which has its own.
/// </summary>
public enum LearningRateSchedule
{
    /// <summary>The learning rate stays at <see cref="NeuralNetworkOptions.LearningRate"/>.</summary>
    Constant,

    /// <summary>Multiplied by <see cref="NeuralNetworkOptions.StepDecayFactor"/> every <see cref="NeuralNetworkOptions.StepDecayEpochs"/> epochs.</summary>
    Step,

    /// <summary>Cosine annealing from the learning rate down to zero at the last epoch.</summary>
    Cosine,

    /// <summary>
    /// One cycle (Smith): rises from a 25th of the learning rate to the learning rate over the first 30% of
    /// the steps (or the warm-up epochs, when set), then anneals (cosine) to a 10,000th of it.
    /// </summary>
    OneCycle,
}
