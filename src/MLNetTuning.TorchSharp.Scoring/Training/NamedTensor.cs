namespace MLNetTuning.TorchSharp;

/// <summary>One entry of a module's state dictionary, kept as raw bytes so that a checkpoint needs no libtorch to read.</summary>
/// <param name="Name">State-dictionary key, e.g. "layers.0.weight".</param>
/// <param name="ElementType">TorchSharp's scalar type code (Float32 = 6, Int64 = 4).</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Data">Little-endian element bytes.</param>
internal sealed record NamedTensor(string Name, int ElementType, long[] Shape, byte[] Data)
{
    public const int Float32 = 6;
    public const int Int64 = 4;

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

    /// <exception cref="InvalidDataException">A length does not fit the rest of the stream, or the data does not fit the shape.</exception>
    public static NamedTensor Read(BinaryReader reader)
    {
        var name = reader.ReadString();
        var type = reader.ReadInt32();
        var elementSize = type switch
        {
            Float32 => sizeof(float),
            Int64 => sizeof(long),
            _ => throw new InvalidDataException($"State entry '{name}' has element type code {type}, which a network never stores: the model file is damaged."),
        };
        var shape = new long[ModelFileReading.ReadCount(reader, sizeof(long), $"the shape of state entry '{name}'")];
        // A double holds every product that can equal an array's length exactly, and never overflows.
        var elements = 1.0;
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = reader.ReadInt64();
            if (shape[i] < 0 || shape[i] > int.MaxValue)
            {
                throw new InvalidDataException($"State entry '{name}' has dimension {shape[i]}: the model file is damaged.");
            }

            elements *= shape[i];
        }

        var data = ModelFileReading.ReadBytes(reader, $"the data of state entry '{name}'");
        if (data.Length != elements * elementSize)
        {
            throw new InvalidDataException($"State entry '{name}' has {data.Length} bytes of data, its shape [{string.Join(", ", shape)}] needs {elements * elementSize}: the model file is damaged.");
        }

        return new NamedTensor(name, type, shape, data);
    }
}

/// <summary>
/// Reading a network model or checkpoint without trusting it: every length is checked against what remains in the
/// stream before anything is allocated, so a damaged or crafted file is refused with an <see cref="InvalidDataException"/>
/// instead of exhausting memory.
/// </summary>
internal static class ModelFileReading
{
    /// <summary>The most bytes one array may claim when the stream cannot tell its length (then the bytes are read in chunks).</summary>
    private const long UnknownLengthLimit = 1L << 30;

    /// <summary>Reads a count of items of at least <paramref name="bytesPerItem"/> bytes each, refusing one the stream cannot hold.</summary>
    public static int ReadCount(BinaryReader reader, int bytesPerItem, string what)
    {
        var count = reader.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException($"The model file is damaged: {what} has length {count}.");
        }

        var remaining = Remaining(reader);
        if ((long)count * bytesPerItem > remaining)
        {
            throw new InvalidDataException($"The model file is damaged or truncated: {what} claims {count} items of at least {bytesPerItem} bytes, but {(remaining == UnknownLengthLimit ? "at most " : "only ")}{remaining} bytes can follow.");
        }

        return count;
    }

    /// <summary>Reads a length-prefixed byte array, in chunks, so that a false length never allocates more than the stream holds.</summary>
    public static byte[] ReadBytes(BinaryReader reader, string what)
    {
        var count = ReadCount(reader, 1, what);
        using var buffer = new MemoryStream(Math.Min(count, 1 << 20));
        var chunk = new byte[Math.Min(count, 1 << 20)];
        while (buffer.Length < count)
        {
            var read = reader.Read(chunk, 0, (int)Math.Min(chunk.Length, count - buffer.Length));
            if (read == 0)
            {
                throw new InvalidDataException($"The model file is truncated: {what} claims {count} bytes, the stream ends after {buffer.Length}.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Checks an enumeration value read from the file is one of its members.</summary>
    public static T Defined<T>(int value, string what)
        where T : struct, Enum =>
        Enum.IsDefined(typeof(T), value) ? (T)(object)value : throw new InvalidDataException($"The model file is damaged: {what} is {value}, not a known {typeof(T).Name}.");

    /// <summary>Turns what BinaryReader throws on a damaged stream into the one documented <see cref="InvalidDataException"/>.</summary>
    public static bool IsDamage(Exception error) => error is EndOfStreamException or IOException or FormatException or OverflowException;

    private static long Remaining(BinaryReader reader)
    {
        var stream = reader.BaseStream;
        return stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : UnknownLengthLimit;
    }
}
