namespace MLNetTuning.TorchSharp;

/// <summary>One entry of a module's state dictionary, kept as raw bytes so that a checkpoint needs no libtorch to read.</summary>
/// <param name="Name">State-dictionary key, e.g. "layers.0.weight".</param>
/// <param name="ElementType">TorchSharp's scalar type code (Float32 = 6, Int64 = 4).</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Data">Little-endian element bytes.</param>
internal sealed record NamedTensor(string Name, int ElementType, long[] Shape, byte[] Data)
{
    public const int Float32 = 6;

    /// <summary>The elements as Singles (for Float32 entries).</summary>
    public float[] AsSingles()
    {
        if (ElementType != Float32)
        {
            throw new InvalidDataException($"State entry '{Name}' is not Float32 (type code {ElementType}).");
        }

        var values = new float[Data.Length / sizeof(float)];
        Buffer.BlockCopy(Data, 0, values, 0, Data.Length);
        return values;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Name);
        writer.Write(ElementType);
        writer.Write(Shape.Length);
        foreach (var d in Shape)
        {
            writer.Write(d);
        }

        writer.Write(Data.Length);
        writer.Write(Data);
    }

    public static NamedTensor Read(BinaryReader reader)
    {
        var name = reader.ReadString();
        var type = reader.ReadInt32();
        var shape = new long[reader.ReadInt32()];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = reader.ReadInt64();
        }

        return new NamedTensor(name, type, shape, reader.ReadBytes(reader.ReadInt32()));
    }
}
