namespace MLNetTuning.Tuners;

/// <summary>Derives independent, reproducible random streams from a seed and a trial id.</summary>
/// <remarks><see cref="HashCode"/> is randomised per process, so it cannot be used for reproducible seeds.</remarks>
public static class SeedMixer
{
    /// <summary>SplitMix64 of the two inputs, folded to a non-negative <see cref="int"/>.</summary>
    public static int Mix(int seed, long stream)
    {
        var z = unchecked(((ulong)(uint)seed << 32) ^ (ulong)stream) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>A <see cref="Random"/> for one stream of a seed.</summary>
    public static Random Create(int seed, long stream) => new(Mix(seed, stream));
}
