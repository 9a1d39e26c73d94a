using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetTuning.Cli.Data;

/// <summary>What one fixed step of the tool's pipeline does.</summary>
internal enum PreparationKind
{
    /// <summary>Copies a numeric column.</summary>
    Copy,

    /// <summary>Converts a Boolean column to 0/1.</summary>
    ToSingle,

    /// <summary>One-hot encodes a categorical column.</summary>
    OneHot,

    /// <summary>Featurizes a text column into n-grams.</summary>
    Text,

    /// <summary>Maps a binary label's negative class to false, its positive class to true.</summary>
    BinaryLabel,

    /// <summary>Maps a multiclass label to a key, in the order of the classes.</summary>
    ClassKey,

    /// <summary>Concatenates the feature columns.</summary>
    Concatenate,

    /// <summary>Replaces missing values by the default.</summary>
    ReplaceMissing,

    /// <summary>Scales to [0, 1] (min-max).</summary>
    MinMax,
}

/// <summary>
/// One fixed step of the tool's pipeline, both built as an ML.NET estimator and written as C# code: the tuned
/// pipeline and the generated <c>BuildPipeline</c> come from the same list, so they cannot differ.
/// </summary>
internal sealed record PreparationStep(PreparationKind Kind, string Output, IReadOnlyList<string> Inputs, IReadOnlyList<string>? Classes = null)
{
    /// <summary>The ML.NET estimator of this step.</summary>
    public IEstimator<ITransformer> Build(MLContext ml) => Kind switch
    {
        PreparationKind.Copy => ml.Transforms.CopyColumns(Output, Inputs[0]),
        PreparationKind.ToSingle => ml.Transforms.Conversion.ConvertType(Output, Inputs[0], DataKind.Single),
        PreparationKind.OneHot => ml.Transforms.Categorical.OneHotEncoding(Output, Inputs[0]),
        PreparationKind.Text => ml.Transforms.Text.FeaturizeText(Output, Inputs[0]),
        PreparationKind.BinaryLabel => ml.Transforms.Conversion.MapValue(Output, new[] { KeyValuePair.Create(Classes![0], false), KeyValuePair.Create(Classes[1], true) }, Inputs[0]),
        PreparationKind.ClassKey => ml.Transforms.Conversion.MapValueToKey(Output, Inputs[0], keyData: ClassKeyData(ml, Classes!)),
        PreparationKind.Concatenate => ml.Transforms.Concatenate(Output, [.. Inputs]),
        PreparationKind.ReplaceMissing => ml.Transforms.ReplaceMissingValues(Output),
        _ => ml.Transforms.NormalizeMinMax(Output),
    };

    /// <summary>The same step as a C# expression on an <c>MLContext</c> named <paramref name="ml"/>; class lists
    /// are read from <c>ClassNames</c> of the generated code (see <see cref="ClassKeyData"/>).</summary>
    public string Code(string ml) => Kind switch
    {
        PreparationKind.Copy => $"{ml}.Transforms.CopyColumns({Literal(Output)}, {Literal(Inputs[0])})",
        PreparationKind.ToSingle => $"{ml}.Transforms.Conversion.ConvertType({Literal(Output)}, {Literal(Inputs[0])}, DataKind.Single)",
        PreparationKind.OneHot => $"{ml}.Transforms.Categorical.OneHotEncoding({Literal(Output)}, {Literal(Inputs[0])})",
        PreparationKind.Text => $"{ml}.Transforms.Text.FeaturizeText({Literal(Output)}, {Literal(Inputs[0])})",
        PreparationKind.BinaryLabel => $"{ml}.Transforms.Conversion.MapValue({Literal(Output)}, new[] {{ KeyValuePair.Create(ClassNames[0], false), KeyValuePair.Create(ClassNames[1], true) }}, {Literal(Inputs[0])})",
        PreparationKind.ClassKey => $"{ml}.Transforms.Conversion.MapValueToKey({Literal(Output)}, {Literal(Inputs[0])}, keyData: {ml}.Data.LoadFromEnumerable(ClassNames.Select(c => new ClassRow {{ Value = c }})))",
        PreparationKind.Concatenate => $"{ml}.Transforms.Concatenate({Literal(Output)}, {string.Join(", ", Inputs.Select(Literal))})",
        PreparationKind.ReplaceMissing => $"{ml}.Transforms.ReplaceMissingValues({Literal(Output)})",
        _ => $"{ml}.Transforms.NormalizeMinMax({Literal(Output)})",
    };

    /// <summary>The classes as key data: a key's value is its class, in this order.</summary>
    public static IDataView ClassKeyData(MLContext ml, IReadOnlyList<string> classes) => ml.Data.LoadFromEnumerable(classes.Select(c => new ClassRow { Value = c }));

    /// <summary>A C# string literal (verbatim-free, escaped).</summary>
    public static string Literal(string value)
    {
        var text = new System.Text.StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }

    /// <summary>Row of the key data.</summary>
    public sealed class ClassRow
    {
        /// <summary>The class.</summary>
        public string Value { get; set; } = "";
    }
}
