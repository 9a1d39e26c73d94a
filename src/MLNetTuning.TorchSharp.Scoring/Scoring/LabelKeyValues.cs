using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// The label's key values (e.g. the class names) captured at training, so that the multiclass PredictedLabel
/// carries them and <c>MapKeyToValue</c> turns predictions back into labels, also after a save and load.
/// </summary>
internal sealed class LabelKeyValues
{
    private static readonly PrimitiveDataViewType[] Supported =
    [
        TextDataViewType.Instance, NumberDataViewType.Single, NumberDataViewType.Double, NumberDataViewType.Int32,
        NumberDataViewType.Int64, NumberDataViewType.UInt32, NumberDataViewType.UInt64, BooleanDataViewType.Instance,
    ];

    private readonly PrimitiveDataViewType _itemType;
    private readonly Array _values;

    private LabelKeyValues(PrimitiveDataViewType itemType, Array values)
    {
        _itemType = itemType;
        _values = values;
    }

    public bool IsText => _itemType == TextDataViewType.Instance;

    /// <summary>The key values of <paramref name="label"/>, or null when it has none of a supported type.</summary>
    public static LabelKeyValues? From(DataViewSchema.Column label)
    {
        var column = label.Annotations.Schema.GetColumnOrNull("KeyValues");
        if (column?.Type is not VectorDataViewType { ItemType: PrimitiveDataViewType item } || !Supported.Contains(item))
        {
            return null;
        }

        return item.RawType == typeof(ReadOnlyMemory<char>)
            ? new LabelKeyValues(item, Fetch<ReadOnlyMemory<char>>(label.Annotations, column.Value).Select(v => v.ToString()).ToArray())
            : new LabelKeyValues(item, (Array)typeof(LabelKeyValues).GetMethod(nameof(Fetch), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(item.RawType).Invoke(null, [label.Annotations, column.Value])!);
    }

    /// <summary>Adds the KeyValues annotation (and, when <paramref name="asSlotNames"/>, SlotNames for text values).</summary>
    public void AddTo(DataViewSchema.Annotations.Builder builder, bool asSlotNames)
    {
        if (asSlotNames)
        {
            if (IsText)
            {
                var names = ((string[])_values).Select(s => s.AsMemory()).ToArray();
                builder.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, names.Length), (ref VBuffer<ReadOnlyMemory<char>> dst) => CopyTo(names, ref dst));
            }

            return;
        }

        typeof(LabelKeyValues).GetMethod(nameof(AddKeyValues), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .MakeGenericMethod(_itemType.RawType).Invoke(this, [builder]);
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Array.IndexOf(Supported, _itemType));
        writer.Write(_values.Length);
        foreach (var value in _values)
        {
            switch (value)
            {
                case string s: writer.Write(s); break;
                case float f: writer.Write(f); break;
                case double d: writer.Write(d); break;
                case int i: writer.Write(i); break;
                case long l: writer.Write(l); break;
                case uint u: writer.Write(u); break;
                case ulong ul: writer.Write(ul); break;
                case bool b: writer.Write(b); break;
                default: throw new InvalidOperationException($"Unsupported key value type {value.GetType()}.");
            }
        }
    }

    /// <exception cref="InvalidDataException">The type is unknown or the count does not fit the rest of the stream.</exception>
    public static LabelKeyValues Read(BinaryReader reader)
    {
        var typeIndex = reader.ReadInt32();
        var type = typeIndex >= 0 && typeIndex < Supported.Length
            ? Supported[typeIndex]
            : throw new InvalidDataException($"The model file is damaged: the label's key values have type index {typeIndex}.");

        // Every value takes at least one byte (a bool, or an empty string's length).
        var count = ModelFileReading.ReadCount(reader, 1, "the label's key values");
        var raw = type.RawType == typeof(ReadOnlyMemory<char>) ? typeof(string) : type.RawType;
        var values = Array.CreateInstance(raw, count);
        for (var i = 0; i < count; i++)
        {
            object value = Type.GetTypeCode(raw) switch
            {
                TypeCode.String => reader.ReadString(),
                TypeCode.Single => reader.ReadSingle(),
                TypeCode.Double => reader.ReadDouble(),
                TypeCode.Int32 => reader.ReadInt32(),
                TypeCode.Int64 => reader.ReadInt64(),
                TypeCode.UInt32 => reader.ReadUInt32(),
                TypeCode.UInt64 => reader.ReadUInt64(),
                _ => reader.ReadBoolean(),
            };
            values.SetValue(value, i);
        }

        return new LabelKeyValues(type, values);
    }

    private static T[] Fetch<T>(DataViewSchema.Annotations annotations, DataViewSchema.Column column)
    {
        var buffer = default(VBuffer<T>);
        annotations.GetGetter<VBuffer<T>>(column)(ref buffer);
        return buffer.DenseValues().ToArray();
    }

    private void AddKeyValues<T>(DataViewSchema.Annotations.Builder builder)
    {
        var values = IsText
            ? ((string[])_values).Select(s => (T)(object)s.AsMemory()).ToArray()
            : (T[])_values;
        builder.Add("KeyValues", new VectorDataViewType(_itemType, values.Length), (ref VBuffer<T> dst) => CopyTo(values, ref dst));
    }

    /// <summary>Fills a getter's buffer with a copy (the caller owns the buffer and may change it).</summary>
    private static void CopyTo<T>(T[] values, ref VBuffer<T> dst)
    {
        var editor = VBufferEditor.Create(ref dst, values.Length);
        values.CopyTo(editor.Values);
        dst = editor.Commit();
    }
}
