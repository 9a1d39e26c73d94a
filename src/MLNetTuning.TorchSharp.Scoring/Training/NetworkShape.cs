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

    public static NetworkShape Read(BinaryReader reader)
    {
        var input = reader.ReadInt32();
        var hidden = new int[reader.ReadInt32()];
        for (var i = 0; i < hidden.Length; i++)
        {
            hidden[i] = reader.ReadInt32();
        }

        return new NetworkShape(input, hidden, reader.ReadInt32(), (NeuralNetworkActivation)reader.ReadInt32(), reader.ReadBoolean());
    }
}
