using System.Text;
using MLNetTuning.TorchSharp;

namespace MLNetTuning.Tests.TorchSharp;

/// <summary>
/// Damaged and crafted network model files (issue 17, item 11): every truncation and seeded random bit flips of a
/// checkpoint and of a transformer's payload give an <see cref="InvalidDataException"/> or a usable network, never
/// another exception, a crash, a hang or a huge allocation. No libtorch is needed: the network is made by hand.
/// </summary>
public class NeuralNetworkModelFuzzTests
{
    private const int Inputs = 4;
    private const int Hidden = 5;
    private const int Outputs = 3;

    [Test]
    [CancelAfter(120_000)]
    public void Every_truncated_checkpoint_is_refused_with_InvalidDataException()
    {
        var bytes = CheckpointBytes();
        for (var length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<InvalidDataException>(() => NeuralNetworkCheckpoint.Load(new MemoryStream(bytes, 0, length)), $"truncated to {length} of {bytes.Length} bytes");
            Assert.That(error!.Message, Is.Not.Empty);
        }
    }

    [Test]
    [CancelAfter(120_000)]
    public void Bit_flipped_checkpoints_give_InvalidDataException_or_a_network_that_scores()
    {
        var bytes = CheckpointBytes();
        var random = new Random(20261206);
        var refused = 0;
        for (var iteration = 0; iteration < 3000; iteration++)
        {
            var damaged = Flip(bytes, random);
            try
            {
                var checkpoint = NeuralNetworkCheckpoint.Load(new MemoryStream(damaged));
                Score(NetworkWeights.From(checkpoint));
            }
            catch (InvalidDataException)
            {
                refused++;
            }
        }

        Assert.That(refused, Is.GreaterThan(100), "flips in lengths, sizes and names are caught");
    }

    [Test]
    [CancelAfter(120_000)]
    public void Truncated_and_bit_flipped_transformer_payloads_give_InvalidDataException_only()
    {
        var bytes = PayloadBytes();
        Assert.That(NeuralNetworkTransformer.Read(Reader(bytes)).Weights.InputSize, Is.EqualTo(Inputs), "the undamaged payload reads");
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => NeuralNetworkTransformer.Read(Reader(bytes.AsSpan(0, length).ToArray())), $"truncated to {length}");
        }

        var random = new Random(17);
        for (var iteration = 0; iteration < 3000; iteration++)
        {
            var damaged = Flip(bytes, random);
            try
            {
                Score(NeuralNetworkTransformer.Read(Reader(damaged)).Weights);
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    [TestCase("state entries")]
    [TestCase("tensor data")]
    [TestCase("hidden layers")]
    [TestCase("feature scaling")]
    [TestCase("optimizer state")]
    [TestCase("key values")]
    public void A_crafted_length_of_two_gigabytes_is_refused_without_allocating_it(string where)
    {
        var payload = where == "key values" ? PayloadBytes(keyValueCount: int.MaxValue) : null;
        var bytes = payload ?? CheckpointBytes(where);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<InvalidDataException>(() =>
        {
            if (payload is null)
            {
                NeuralNetworkCheckpoint.Load(new MemoryStream(bytes));
            }
            else
            {
                NeuralNetworkTransformer.Read(Reader(bytes));
            }
        });

        Assert.That(error!.Message, Does.Contain("damaged").Or.Contain("truncated"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, Is.LessThan(16 << 20), "nothing near the claimed size is allocated");
    }

    private static BinaryReader Reader(byte[] bytes) => new(new MemoryStream(bytes), Encoding.UTF8);

    private static byte[] Flip(byte[] bytes, Random random)
    {
        var damaged = (byte[])bytes.Clone();
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            var bit = random.Next(damaged.Length * 8);
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        return damaged;
    }

    private static void Score(NetworkWeights weights)
    {
        var scratchA = new float[weights.MaxWidth];
        var scratchB = new float[weights.MaxWidth];
        weights.Forward(new float[weights.InputSize], new float[weights.OutputSize], scratchA, scratchB);
    }

    private static NeuralNetworkCheckpoint Checkpoint()
    {
        var random = new Random(5);
        NamedTensor Tensor(string name, params long[] shape)
        {
            var values = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)random.NextDouble()).ToArray();
            var data = new byte[values.Length * sizeof(float)];
            Buffer.BlockCopy(values, 0, data, 0, data.Length);
            return new NamedTensor(name, NamedTensor.Float32, shape, data);
        }

        var shape = new NetworkShape(Inputs, [Hidden], Outputs, NeuralNetworkActivation.ReLU, BatchNormalization: false);
        var scaling = new FeatureScaling([0.1f, 0.2f, 0.3f, 0.4f], [1f, 2f, 3f, 4f], 0, 1);
        NamedTensor[] tensors = [Tensor("hidden0.weight", Hidden, Inputs), Tensor("hidden0.bias", Hidden), Tensor("output.weight", Outputs, Hidden), Tensor("output.bias", Outputs)];
        return new NeuralNetworkCheckpoint(NeuralNetworkTask.MulticlassClassification, shape, NeuralNetworkOptimizer.Adam, new OptimizerSettings(0, 0.9, false), 1, 0.2, 3, 0.5, 0, scaling, tensors, [1, 2, 3, 4]);
    }

    /// <summary>The checkpoint's bytes; with <paramref name="craft"/>, one length replaced by int.MaxValue.</summary>
    private static byte[] CheckpointBytes(string? craft = null)
    {
        var checkpoint = Checkpoint();
        using var stream = new MemoryStream();
        checkpoint.Save(stream);
        var bytes = stream.ToArray();
        if (craft is null)
        {
            return bytes;
        }

        // Rewrite with the one length crafted: the layout is the checkpoint's Write, field by field.
        using var crafted = new MemoryStream();
        using (var writer = new BinaryWriter(crafted, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("MLNTNNCK");
            writer.Write(1);
            writer.Write((int)checkpoint.Task);
            writer.Write(Inputs);
            writer.Write(craft == "hidden layers" ? int.MaxValue : 1);
            writer.Write(Hidden);
            writer.Write(Outputs);
            writer.Write((int)NeuralNetworkActivation.ReLU);
            writer.Write(false);
            writer.Write((int)checkpoint.Optimizer);
            writer.Write(0.0);
            writer.Write(0.9);
            writer.Write(false);
            writer.Write(1);
            writer.Write(0.2);
            writer.Write(3);
            writer.Write(0.5);
            writer.Write(0);
            writer.Write(craft == "feature scaling" ? int.MaxValue : Inputs);
            foreach (var v in checkpoint.Scaling.Mean.Concat(checkpoint.Scaling.Scale))
            {
                writer.Write(v);
            }

            writer.Write(checkpoint.Scaling.LabelMean);
            writer.Write(checkpoint.Scaling.LabelStd);
            writer.Write(craft == "state entries" ? int.MaxValue : checkpoint.Tensors.Count);
            foreach (var tensor in checkpoint.Tensors)
            {
                writer.Write(tensor.Name);
                writer.Write(tensor.ElementType);
                writer.Write(tensor.Shape.Length);
                foreach (var d in tensor.Shape)
                {
                    writer.Write(d);
                }

                writer.Write(craft == "tensor data" ? int.MaxValue : tensor.Data.Length);
                writer.Write(tensor.Data);
            }

            writer.Write(craft == "optimizer state" ? int.MaxValue : checkpoint.OptimizerState.Length);
            writer.Write(checkpoint.OptimizerState);
        }

        Assert.That(crafted.Length, Is.EqualTo(bytes.Length), "the crafted layout is the real one");
        return crafted.ToArray();
    }

    /// <summary>A transformer payload as its Save writes it: version, task, feature column, stop reason, key values, checkpoint.</summary>
    private static byte[] PayloadBytes(int? keyValueCount = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(1);
            writer.Write((int)NeuralNetworkTask.MulticlassClassification);
            writer.Write("Features");
            writer.Write(0);
            writer.Write(true);
            writer.Write(0);
            writer.Write(keyValueCount ?? Outputs);
            foreach (var name in new[] { "red", "green", "blue" })
            {
                writer.Write(name);
            }

            Checkpoint().Write(writer);
        }

        return stream.ToArray();
    }
}
