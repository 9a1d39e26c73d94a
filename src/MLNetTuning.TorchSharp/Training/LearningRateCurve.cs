namespace MLNetTuning.TorchSharp;

/// <summary>The learning rate at a global step, as a pure function of the options (see <see cref="LearningRateSchedule"/>).</summary>
internal static class LearningRateCurve
{
    /// <param name="options">Base rate, schedule and warm-up.</param>
    /// <param name="step">Zero-based global step: epoch index × steps per epoch + batch index.</param>
    /// <param name="stepsPerEpoch">Batches per epoch.</param>
    public static double At(NeuralNetworkOptions options, long step, int stepsPerEpoch)
    {
        var total = (long)(options.ScheduleEpochs ?? options.NumberOfEpochs) * stepsPerEpoch;
        var warmup = (long)options.WarmupEpochs * stepsPerEpoch;
        var peak = options.LearningRate;
        if (options.Schedule == LearningRateSchedule.OneCycle)
        {
            var rise = warmup > 0 ? Math.Min(warmup, total) : (long)Math.Ceiling(0.3 * total);
            var start = peak / 25;
            if (step < rise)
            {
                return start + ((peak - start) * step / Math.Max(1, rise));
            }

            var end = peak / 1e4;
            return end + ((peak - end) * Cosine(step - rise, total - rise));
        }

        if (step < warmup)
        {
            return peak * (step + 1) / warmup;
        }

        return options.Schedule switch
        {
            LearningRateSchedule.Constant => peak,
            LearningRateSchedule.Step => peak * Math.Pow(options.StepDecayFactor, step / stepsPerEpoch / options.StepDecayEpochs),
            LearningRateSchedule.Cosine => peak * Cosine(step - warmup, total - warmup),
            _ => throw new InvalidOperationException($"Unknown schedule {options.Schedule}."),
        };
    }

    /// <summary>Half a cosine from 1 down to 0 over <paramref name="length"/> steps.</summary>
    private static double Cosine(long position, long length) =>
        length <= 0 ? 0 : 0.5 * (1 + Math.Cos(Math.PI * Math.Min(position, length) / length));
}
