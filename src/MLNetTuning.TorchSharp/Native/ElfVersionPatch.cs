using System.Buffers.Binary;
using System.Text;

namespace MLNetTuning.TorchSharp;

/// <summary>
/// Makes an ELF64 (little-endian) shared library load where one of the symbol versions it needs is missing:
/// the version's Vernaux entry gets VER_FLG_WEAK (the loader then only warns), and every undefined dynamic symbol
/// bound to that version becomes unversioned and STB_WEAK (it resolves to null when absent). Used for
/// libLibTorchSharp.so, built with GCC 13, whose only GLIBCXX_3.4.32 symbol is <c>std::ios_base_library_init()</c>:
/// GCC 13's &lt;iostream&gt; names it to pull in the library's iostream set-up and never calls it, and older
/// libstdc++ set iostreams up by themselves. Edits a few bytes in place; sizes and offsets do not change.
/// </summary>
internal static class ElfVersionPatch
{
    private const uint SectionGnuVersionNeeded = 0x6ffffffe;
    private const uint SectionGnuVersionSymbols = 0x6fffffff;
    private const uint SectionDynamicSymbols = 11;
    private const ushort VersionFlagWeak = 0x2;
    private const ushort VersionIndexGlobal = 1;
    private const byte BindingWeak = 2;

    /// <summary>Patches <paramref name="image"/> (a whole file); returns the names of the symbols made weak.</summary>
    /// <exception cref="InvalidDataException">Not a little-endian ELF64 file, or it does not need <paramref name="version"/>.</exception>
    public static IReadOnlyList<string> MakeVersionOptional(byte[] image, string version)
    {
        var elf = image.AsSpan();
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("Not a little-endian ELF64 file.");
        }

        var sections = Sections(image);
        var needed = sections.SingleOrDefault(s => s.Type == SectionGnuVersionNeeded) ?? throw new InvalidDataException("The library has no .gnu.version_r section.");
        var symbols = sections.Single(s => s.Type == SectionDynamicSymbols);
        var symbolVersions = sections.Single(s => s.Type == SectionGnuVersionSymbols);

        var versionIndex = MarkWeak(image, needed, sections[needed.Link], version);
        var names = sections[symbols.Link];
        var weakened = new List<string>();
        var count = (int)(symbols.Size / 24);
        for (var i = 1; i < count; i++)
        {
            var entry = symbols.Offset + (i * 24);
            var versionAt = symbolVersions.Offset + (i * 2);
            var undefined = BinaryPrimitives.ReadUInt16LittleEndian(elf[(entry + 6)..]) == 0;
            if (!undefined || (BinaryPrimitives.ReadUInt16LittleEndian(elf[versionAt..]) & 0x7fff) != versionIndex)
            {
                continue;
            }

            image[entry + 4] = (byte)((BindingWeak << 4) | (image[entry + 4] & 0xf));
            BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(versionAt), VersionIndexGlobal);
            weakened.Add(ReadString(elf, names.Offset + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[entry..])));
        }

        return weakened;
    }

    /// <summary>Whether the library still needs <paramref name="version"/> strictly (not weak).</summary>
    public static bool NeedsVersionStrictly(byte[] image, string version)
    {
        try
        {
            var sections = Sections(image);
            var needed = sections.SingleOrDefault(s => s.Type == SectionGnuVersionNeeded);
            return needed is not null && FindAux(image, needed, sections[needed.Link], version) is { Flags: var flags } && (flags & VersionFlagWeak) == 0;
        }
        catch (Exception error) when (error is InvalidDataException or ArgumentOutOfRangeException or OverflowException)
        {
            return false;
        }
    }

    private static Section[] Sections(byte[] image)
    {
        var elf = image.AsSpan();
        var table = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]));
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3a..]);
        var sections = new Section[BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3c..])];
        for (var i = 0; i < sections.Length; i++)
        {
            sections[i] = Section.Read(elf, table + (i * entrySize));
        }

        return sections;
    }

    private static int MarkWeak(byte[] image, Section needed, Section names, string version)
    {
        var aux = FindAux(image, needed, names, version) ?? throw new InvalidDataException($"The library does not need {version}.");
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(aux.Offset + 4), (ushort)(aux.Flags | VersionFlagWeak));
        return aux.Index;
    }

    private static (int Offset, ushort Flags, int Index)? FindAux(byte[] image, Section needed, Section names, string version)
    {
        var elf = image.AsSpan();
        var at = needed.Offset;
        while (true)
        {
            var auxCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[(at + 2)..]);
            var aux = at + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(at + 8)..]);
            for (var i = 0; i < auxCount; i++)
            {
                var name = ReadString(elf, names.Offset + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 8)..]));
                if (name == version)
                {
                    return (aux, BinaryPrimitives.ReadUInt16LittleEndian(elf[(aux + 4)..]), BinaryPrimitives.ReadUInt16LittleEndian(elf[(aux + 6)..]) & 0x7fff);
                }

                aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 12)..]);
            }

            var next = BinaryPrimitives.ReadUInt32LittleEndian(elf[(at + 12)..]);
            if (next == 0)
            {
                return null;
            }

            at += (int)next;
        }
    }

    private static string ReadString(ReadOnlySpan<byte> elf, int offset)
    {
        var end = elf[offset..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(elf.Slice(offset, end));
    }

    private sealed record Section(uint Type, int Offset, long Size, int Link)
    {
        public static Section Read(ReadOnlySpan<byte> elf, int at) => new(
            BinaryPrimitives.ReadUInt32LittleEndian(elf[(at + 4)..]),
            checked((int)BinaryPrimitives.ReadUInt64LittleEndian(elf[(at + 0x18)..])),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(elf[(at + 0x20)..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(at + 0x28)..]));
    }
}
