#pragma once
// Instruction-set selection for the kernel library (run-time dispatch, ggml style:
// reference -> portable -> AVX2 -> AVX-512, each tested against the reference).
#include <string>
#include <vector>

namespace ternlab::kernels {

// Ordered from slowest/most portable to fastest; a higher value implies the lower ones exist.
enum class Isa { Reference = 0, Portable = 1, Avx2 = 2, Avx512 = 3 };

const char* isaName(Isa isa);
// Parses "reference" | "portable" | "avx2" | "avx512"; returns false on anything else.
bool parseIsa(const std::string& name, Isa& out);

// Paths this CPU can run, in increasing order (Reference and Portable always present).
std::vector<Isa> availableIsas();
// Best path of this CPU, lowered by TERNLAB_KERNEL_ISA if that is set to a lower path.
Isa defaultIsa();
// Path used by the dispatching entry points (initially defaultIsa()).
Isa activeIsa();
// Forces a path; returns false (and changes nothing) when the CPU lacks it.
bool setIsa(Isa isa);
// True when the CPU also has AVX-512 VNNI (vpdpbusd) for the int8 kernels.
bool hasVnni();

// Caps LibTorch's oneDNN (DNNL_MAX_CPU_ISA, read when oneDNN first runs) at the path TERNLAB_KERNEL_ISA lowered
// the kernels to (avx2 -> "AVX2", portable/reference -> "SSE41"), so that fp32 baselines measured beside a forced
// path run as on a CPU that has only that path. A DNNL_MAX_CPU_ISA already set is left alone. Call before the
// first LibTorch operation; returns the cap in effect ("" = none: oneDNN uses the CPU's best).
std::string matchBaselineIsaToKernels();
// The oneDNN cap in effect (DNNL_MAX_CPU_ISA), "" when none.
std::string baselineIsaCap();

}  // namespace ternlab::kernels
