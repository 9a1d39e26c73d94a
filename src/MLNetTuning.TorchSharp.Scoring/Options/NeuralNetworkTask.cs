namespace MLNetTuning.TorchSharp;

/// <summary>What a network predicts, which fixes its output layer, loss and output columns.</summary>
public enum NeuralNetworkTask
{
    /// <summary>One logit, binary cross-entropy; Score, Probability, PredictedLabel (Boolean).</summary>
    BinaryClassification,

    /// <summary>One logit a class, cross-entropy; Score (class probabilities), PredictedLabel (key).</summary>
    MulticlassClassification,

    /// <summary>One output, mean squared error on the standardized label; Score.</summary>
    Regression,
}
