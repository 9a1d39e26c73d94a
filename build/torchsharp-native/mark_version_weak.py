#!/usr/bin/env python3
"""Mark one version requirement (Vernaux entry) of an ELF64 little-endian
shared object as weak (VER_FLG_WEAK), in place.

With the flag set, the dynamic loader no longer refuses to load the object
when the providing library lacks that version; it only reports it with
LD_DEBUG / LD_VERBOSE.

Usage:
    mark_version_weak.py FILE VERSION            set the flag (idempotent)
    mark_version_weak.py --check FILE VERSION    report only

Exit codes:
    0  flag set (now or already)        / --check: flag is set
    1  --check: requirement present but not weak
    2  the version requirement is not present in FILE
    3  FILE is not a supported ELF file (not ELF64 LE, no .gnu.version_r, ...)

Python 3 standard library only.
"""

import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2

ELF_HDR = struct.Struct("<16sHHIQQQIHHHHHH")   # Elf64_Ehdr (64 bytes)
SHDR = struct.Struct("<IIQQQQIIQQ")            # Elf64_Shdr (64 bytes)
VERNEED = struct.Struct("<HHIII")              # Elf64_Verneed (16 bytes)
VERNAUX = struct.Struct("<IHHII")              # Elf64_Vernaux (16 bytes)


class ElfError(Exception):
    pass


def elf_hash(name: bytes) -> int:
    h = 0
    for c in name:
        h = ((h << 4) + c) & 0xFFFFFFFF
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h


def read_cstr(buf: bytes, off: int) -> bytes:
    end = buf.find(b"\0", off)
    if end < 0:
        raise ElfError("unterminated string in string table")
    return buf[off:end]


def find_vernaux(data: bytes, version: bytes):
    """Return (file_offset_of_vernaux, flags, needed_file_name) or None."""
    if len(data) < ELF_HDR.size or data[:4] != b"\x7fELF":
        raise ElfError("not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise ElfError("only ELF64 little-endian is supported")
    (_ident, _type, _machine, _ver, _entry, _phoff, shoff, _flags, _ehsize,
     _phentsize, _phnum, shentsize, shnum, _shstrndx) = ELF_HDR.unpack_from(data, 0)
    if shoff == 0 or shnum == 0:
        raise ElfError("no section headers")
    if shentsize != SHDR.size:
        raise ElfError("unexpected section header size %d" % shentsize)
    if shoff + shnum * shentsize > len(data):
        raise ElfError("section header table beyond end of file")

    sections = [SHDR.unpack_from(data, shoff + i * shentsize) for i in range(shnum)]
    verneed = [s for s in sections if s[1] == SHT_GNU_VERNEED]
    if not verneed:
        raise ElfError("no .gnu.version_r (SHT_GNU_verneed) section")
    if len(verneed) > 1:
        raise ElfError("more than one SHT_GNU_verneed section")
    _n, _t, _f, _a, vr_off, vr_size, vr_link, vr_info, _al, _es = verneed[0]
    if vr_link >= shnum:
        raise ElfError(".gnu.version_r sh_link out of range")
    str_sec = sections[vr_link]                 # normally .dynstr
    str_off, str_size = str_sec[4], str_sec[5]
    strtab = data[str_off:str_off + str_size]
    end = vr_off + vr_size
    want_hash = elf_hash(version)

    off = vr_off
    for _ in range(vr_info):                    # sh_info = number of Verneed entries
        if off + VERNEED.size > end:
            raise ElfError("Verneed entry beyond section end")
        vn_version, vn_cnt, vn_file, vn_aux, vn_next = VERNEED.unpack_from(data, off)
        if vn_version != 1:
            raise ElfError("unsupported Verneed version %d" % vn_version)
        file_name = read_cstr(strtab, vn_file)
        aoff = off + vn_aux
        for _ in range(vn_cnt):
            if aoff + VERNAUX.size > end:
                raise ElfError("Vernaux entry beyond section end")
            vna_hash, vna_flags, _other, vna_name, vna_next = VERNAUX.unpack_from(data, aoff)
            if read_cstr(strtab, vna_name) == version:
                if vna_hash != want_hash:
                    raise ElfError("hash mismatch for %s (corrupt file?)" % version.decode())
                return aoff, vna_flags, file_name.decode()
            if vna_next == 0:
                break
            aoff += vna_next
        if vn_next == 0:
            break
        off += vn_next
    return None


def main(argv):
    check = False
    args = argv[1:]
    if args and args[0] == "--check":
        check = True
        args = args[1:]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    path, version = args[0], args[1].encode()

    with open(path, "rb") as f:
        data = f.read()
    try:
        found = find_vernaux(data, version)
    except ElfError as e:
        print("mark_version_weak: %s: %s" % (path, e), file=sys.stderr)
        return 3
    if found is None:
        print("mark_version_weak: %s: no requirement for %s" % (path, version.decode()))
        return 2
    aoff, flags, needed_file = found
    is_weak = bool(flags & VER_FLG_WEAK)
    if check:
        print("mark_version_weak: %s: %s (from %s) is %s" % (
            path, version.decode(), needed_file, "WEAK" if is_weak else "NOT weak"))
        return 0 if is_weak else 1
    if is_weak:
        print("mark_version_weak: %s: %s already weak" % (path, version.decode()))
        return 0
    flags_off = aoff + 4                        # vna_flags follows the 4-byte vna_hash
    with open(path, "r+b") as f:
        f.seek(flags_off)
        f.write(struct.pack("<H", flags | VER_FLG_WEAK))
    print("mark_version_weak: %s: marked %s (from %s) WEAK at file offset 0x%x" % (
        path, version.decode(), needed_file, flags_off))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
