namespace MLNetTuning.TorchSharp;

/// <summary>
/// Standardization fitted on the training rows and kept with the model: feature f becomes
/// (x − Mean[f]) · Scale[f]; a regression label becomes (y − LabelMean) / LabelStd and the output goes back.
/// A constant feature gets scale 1 (it is centred only).
/// </summary>
internal sealed record FeatureScaling(float[] Mean, float[] Scale, double LabelMean, double LabelStd)
{
    public static FeatureScaling Fit(float[] features, int rows, int width, float[]? regressionLabels)
    {
        var mean = new double[width];
        var squares = new double[width];
        for (var r = 0; r < rows; r++)
        {
            var row = features.AsSpan(r * width, width);
            for (var f = 0; f < width; f++)
            {
                mean[f] += row[f];
            }
        }

        for (var f = 0; f < width; f++)
        {
            mean[f] /= rows;
        }

        for (var r = 0; r < rows; r++)
        {
            var row = features.AsSpan(r * width, width);
            for (var f = 0; f < width; f++)
            {
                var d = row[f] - mean[f];
                squares[f] += d * d;
            }
        }

        var scale = new float[width];
        for (var f = 0; f < width; f++)
        {
            var std = Math.Sqrt(squares[f] / rows);
            scale[f] = std > 1e-12 ? (float)(1 / std) : 1f;
        }

        double labelMean = 0, labelStd = 1;
        if (regressionLabels is not null)
        {
            labelMean = regressionLabels.Take(rows).Average(v => (double)v);
            var variance = regressionLabels.Take(rows).Average(v => (v - labelMean) * (v - labelMean));
            labelStd = variance > 1e-24 ? Math.Sqrt(variance) : 1;
        }

        return new FeatureScaling(mean.Select(m => (float)m).ToArray(), scale, labelMean, labelStd);
    }

    public void Apply(Span<float> row)
    {
        for (var f = 0; f < row.Length; f++)
        {
            row[f] = (row[f] - Mean[f]) * Scale[f];
        }
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Mean.Length);
        foreach (var v in Mean)
        {
            writer.Write(v);
        }

        foreach (var v in Scale)
        {
            writer.Write(v);
        }

        writer.Write(LabelMean);
        writer.Write(LabelStd);
    }

    /// <exception cref="InvalidDataException">The width does not fit the rest of the stream.</exception>
    public static FeatureScaling Read(BinaryReader reader)
    {
        var width = ModelFileReading.ReadCount(reader, 2 * sizeof(float), "the feature scaling");
        var mean = new float[width];
        var scale = new float[width];
        for (var f = 0; f < width; f++)
        {
            mean[f] = reader.ReadSingle();
        }

        for (var f = 0; f < width; f++)
        {
            scale[f] = reader.ReadSingle();
        }

        return new FeatureScaling(mean, scale, reader.ReadDouble(), reader.ReadDouble());
    }
}
