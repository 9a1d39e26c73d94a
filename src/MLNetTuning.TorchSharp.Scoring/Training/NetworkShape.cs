namespace MLNetTuning.TorchSharp;

/// <summary>The architecture: what must be equal for weights to fit.</summary>
internal sealed record NetworkShape(int InputSize, IReadOnlyList<int> HiddenLayerSizes, int OutputSize, NeuralNetworkActivation Activation, bool BatchNormalization)
{
    public bool SameAs(NetworkShape other) =>
        InputSize == other.InputSize && OutputSize == other.OutputSize && Activation == other.Activation
        && BatchNormalization == other.BatchNormalization && HiddenLayerSizes.SequenceEqual(other.HiddenLayerSizes);

    public override string ToString() =>
        $"{InputSize} → [{string.Join(", ", HiddenLayerSizes)}] → {OutputSize}, {Activation}{(BatchNormalization ? ", batch norm" : "")}";

    public void Write(BinaryWriter writer)
    {
        writer.Write(InputSize);
        writer.Write(HiddenLayerSizes.Count);
        foreach (var size in HiddenLayerSizes)
        {
            writer.Write(size);
        }

        writer.Write(OutputSize);
        writer.Write((int)Activation);
        writer.Write(BatchNormalization);
    }

    /// <exception cref="InvalidDataException">A size is not positive or a count does not fit the rest of the stream.</exception>
    public static NetworkShape Read(BinaryReader reader)
    {
        var input = Positive(reader.ReadInt32(), "the input size");
        var hidden = new int[ModelFileReading.ReadCount(reader, sizeof(int), "the hidden layer sizes")];
        for (var i = 0; i < hidden.Length; i++)
        {
            hidden[i] = Positive(reader.ReadInt32(), $"hidden layer {i}'s size");
        }

        var output = Positive(reader.ReadInt32(), "the output size");
        var activation = ModelFileReading.Defined<NeuralNetworkActivation>(reader.ReadInt32(), "the activation");
        return new NetworkShape(input, hidden, output, activation, reader.ReadBoolean());
    }

    private static int Positive(int size, string what) =>
        size > 0 ? size : throw new InvalidDataException($"The model file is damaged: {what} is {size}.");
}
