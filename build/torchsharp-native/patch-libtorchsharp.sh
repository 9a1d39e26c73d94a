#!/usr/bin/env bash
# Make TorchSharp's libLibTorchSharp.so loadable on systems whose libstdc++ lacks
# GLIBCXX_3.4.32 (e.g. Debian 12: libstdc++ from GCC 12 stops at GLIBCXX_3.4.30).
# See README.md next to this script.
#
# Usage: patch-libtorchsharp.sh PATH/TO/libLibTorchSharp.so [SHIM_DIR]
#   SHIM_DIR  where libiosbaseinit_shim.so is put (default: the library's directory).
#             The library's RUNPATH gets an $ORIGIN-relative entry for it.
#
# Idempotent: a second run sees the patch and does nothing. A no-op when the system
# libstdc++ already provides GLIBCXX_3.4.32 (set TORCHSHARP_NATIVE_FIX_FORCE=1 to patch
# anyway), or when the library does not require it.
# Never point it at the copy in ~/.nuget/packages: it is shared by all projects.
# The patch is applied to a temporary copy that replaces the file atomically, so a
# hard-linked output copy never modifies the file it is linked to.
set -euo pipefail

readonly TAG="[torchsharp-native-fix]"
readonly NEEDED_VERSION="GLIBCXX_3.4.32"
readonly SYMBOL="_ZSt21ios_base_library_initv"   # std::ios_base_library_init()
readonly SHIM_NAME="libiosbaseinit_shim.so"
readonly SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SHIM_SRC="$SCRIPT_DIR/ios_base_library_init_shim.cpp"
readonly MARK_WEAK="$SCRIPT_DIR/mark_version_weak.py"

log() { echo "$TAG $*"; }
die() { echo "$TAG ERROR: $*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: $(basename "$0") PATH/TO/libLibTorchSharp.so [SHIM_DIR]"
[[ -f "$1" ]] || die "not a file: $1"
LIB_DIR="$(cd "$(dirname "$1")" && pwd)"
LIB="$LIB_DIR/$(basename "$1")"
SHIM_DIR="${2:-$LIB_DIR}"
mkdir -p "$SHIM_DIR"
SHIM_DIR="$(cd "$SHIM_DIR" && pwd)"
SHIM="$SHIM_DIR/$SHIM_NAME"

case "$LIB" in
  */.nuget/packages/*) die "refusing to patch the shared NuGet cache copy: $LIB (patch the build output copy instead)";;
esac
[[ "$(uname -s)" == Linux && "$(uname -m)" == x86_64 ]] || { log "not Linux x86_64; nothing to do"; exit 0; }

# --- 1. Does the system libstdc++ already provide the version? -------------------
find_libstdcxx() {
  local ldc p
  for ldc in ldconfig /sbin/ldconfig /usr/sbin/ldconfig; do
    if command -v "$ldc" >/dev/null 2>&1; then
      p="$("$ldc" -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')"
      [[ -n "$p" && -f "$p" ]] && { echo "$p"; return 0; }
    fi
  done
  for p in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6; do
    [[ -f "$p" ]] && { echo "$p"; return 0; }
  done
  return 1
}
# TORCHSHARP_NATIVE_FIX_LIBSTDCXX overrides the libstdc++ that is checked (for tests).
LIBSTDCXX="${TORCHSHARP_NATIVE_FIX_LIBSTDCXX:-}"
[[ -n "$LIBSTDCXX" ]] || LIBSTDCXX="$(find_libstdcxx)" || die "cannot find the system libstdc++.so.6"
[[ -f "$LIBSTDCXX" ]] || die "not a file: $LIBSTDCXX"
provides="$(tr '\0' '\n' <"$LIBSTDCXX" | grep -cxF "$NEEDED_VERSION" || true)"   # -c reads all input: no SIGPIPE
if [[ "${provides:-0}" -gt 0 ]]; then
  if [[ "${TORCHSHARP_NATIVE_FIX_FORCE:-0}" != 1 ]]; then
    log "system libstdc++ ($LIBSTDCXX) provides $NEEDED_VERSION; no patch needed for $LIB"
    exit 0
  fi
  log "system libstdc++ provides $NEEDED_VERSION, patching anyway (TORCHSHARP_NATIVE_FIX_FORCE=1)"
fi

# --- 2. Tools ----------------------------------------------------------------------
command -v patchelf >/dev/null 2>&1 || die "patchelf not found. Install it: apt-get update && apt-get install -y patchelf"
command -v python3  >/dev/null 2>&1 || die "python3 not found (needed for mark_version_weak.py and the load check)"
command -v readelf  >/dev/null 2>&1 || die "readelf not found. Install it: apt-get install -y binutils"
command -v objdump  >/dev/null 2>&1 || die "objdump not found. Install it: apt-get install -y binutils"

# Serialise concurrent runs on the same output directory (parallel builds).
exec 9<"$LIB_DIR"
command -v flock >/dev/null 2>&1 && flock 9

# --- 3. Current state (each step is checked separately, so partial states are repaired)
# (Tool output is captured first: with pipefail, `tool | grep -q` can fail on SIGPIPE.)
readelf -h "$LIB" >/dev/null 2>&1 || die "not an ELF file: $LIB"
lib_versions="$(readelf -V "$LIB")"
if ! grep -q "Name: $NEEDED_VERSION " <<<"$lib_versions"; then
  log "$LIB does not require $NEEDED_VERSION; nothing to do"
  exit 0
fi
shim_rel="$(python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$SHIM_DIR" "$LIB_DIR")"
if [[ "$shim_rel" == . ]]; then shim_rpath='$ORIGIN'; else shim_rpath="\$ORIGIN/$shim_rel"; fi

state_of() {  # prints: <weak 0/1> <symver_cleared 0/1> <needed 0/1> <rpath 0/1>
  local f="$1" weak=0 cleared=0 needed=0 rpath=0 e
  local dynsyms needed_list rp
  python3 "$MARK_WEAK" --check "$f" "$NEEDED_VERSION" >/dev/null && weak=1
  dynsyms="$(objdump -T "$f")"
  grep -w "$SYMBOL" <<<"$dynsyms" | grep -qF "($NEEDED_VERSION)" || cleared=1
  needed_list="$(patchelf --print-needed "$f")"
  grep -qxF "$SHIM_NAME" <<<"$needed_list" && needed=1
  rp="$(patchelf --print-rpath "$f")"
  local IFS=:
  for e in $rp; do
    [[ "${e%/}" == "$shim_rpath" ]] && rpath=1
  done
  echo "$weak $cleared $needed $rpath"
}
read -r weak cleared needed rpath <<<"$(state_of "$LIB")"

shim_ok=0
if [[ -f "$SHIM" ]] && grep -w "$SYMBOL" <<<"$(objdump -T "$SHIM")" | grep -qF '.text'; then
  [[ -f "$SHIM_SRC" && "$SHIM_SRC" -nt "$SHIM" ]] || shim_ok=1
fi

if [[ "$weak$cleared$needed$rpath$shim_ok" == 11111 ]]; then
  log "already patched: $LIB"
  exit 0
fi

# --- 4. Shim -------------------------------------------------------------------------
if [[ $shim_ok == 0 ]]; then
  command -v g++ >/dev/null 2>&1 || die "g++ not found (needed to build $SHIM_NAME). Install it: apt-get install -y g++"
  [[ -f "$SHIM_SRC" ]] || die "missing shim source $SHIM_SRC"
  tmp_shim="$(mktemp "$SHIM_DIR/.$SHIM_NAME.XXXXXX")"
  g++ -shared -fPIC -O2 -Wl,-soname,"$SHIM_NAME" -o "$tmp_shim" "$SHIM_SRC" || { rm -f "$tmp_shim"; die "g++ failed building the shim"; }
  chmod 755 "$tmp_shim"
  mv -f "$tmp_shim" "$SHIM"
  log "built $SHIM"
fi

# --- 5. Patch a private copy, verify it, then replace the library atomically ----------
tmp="$(mktemp "$LIB_DIR/.libLibTorchSharp.patch.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
cp -f "$LIB" "$tmp"          # new inode: never writes through a hard link / symlink
chmod --reference="$LIB" "$tmp"

if [[ $cleared == 0 ]]; then
  patchelf --clear-symbol-version "$SYMBOL" "$tmp"
  log "cleared symbol version of $SYMBOL"
fi
if [[ $needed == 0 ]]; then
  patchelf --add-needed "$SHIM_NAME" "$tmp"
  log "added NEEDED $SHIM_NAME"
fi
if [[ $rpath == 0 ]]; then
  old_rpath="$(patchelf --print-rpath "$tmp")"
  patchelf --set-rpath "${shim_rpath}${old_rpath:+:$old_rpath}" "$tmp"
  log "RUNPATH now: $(patchelf --print-rpath "$tmp")"
fi
# Marked last: patchelf may move .gnu.version_r, our edit is in place.
python3 "$MARK_WEAK" "$tmp" "$NEEDED_VERSION" | sed "s|^|$TAG |"

# Verify: flags, then a real dlopen (other libtorch libs are found via LD_LIBRARY_PATH/RUNPATH).
grep "Name: $NEEDED_VERSION " <<<"$(readelf -V "$tmp")" | grep -qF "Flags: WEAK" \
  || die "verification failed: readelf -V does not show $NEEDED_VERSION as WEAK"
read -r weak cleared needed rpath <<<"$(state_of "$tmp")"
[[ "$weak$cleared$needed$rpath" == 1111 ]] || die "verification failed (weak=$weak symver_cleared=$cleared needed=$needed rpath=$rpath)"
if ! err="$(LD_LIBRARY_PATH="$LIB_DIR:$SHIM_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      python3 -c 'import ctypes,sys; ctypes.CDLL(sys.argv[1])' "$tmp" 2>&1)"; then
  die "verification failed: patched library does not load: $err"
fi

mv -f "$tmp" "$LIB"
trap - EXIT
log "patched and verified (loads; $NEEDED_VERSION WEAK): $LIB"
