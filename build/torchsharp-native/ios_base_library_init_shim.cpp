// Shim for TorchSharp's libLibTorchSharp.so on systems whose libstdc++ predates
// GCC 13 (GLIBCXX_3.4.30 or older, e.g. Debian 12).
//
// GCC 13 made every TU that includes <iostream> reference
// std::ios_base_library_init() (versioned GLIBCXX_3.4.32) instead of emitting a
// static std::ios_base::Init object. Older libstdc++ initialises the standard
// streams itself from its own static constructor, so a no-op is enough here.
//
// Built by patch-libtorchsharp.sh:
//   g++ -shared -fPIC -O2 -Wl,-soname,libiosbaseinit_shim.so \
//       -o libiosbaseinit_shim.so ios_base_library_init_shim.cpp
namespace std {
__attribute__((visibility("default"))) void ios_base_library_init() {}
}
