#include "kernels/Isa.h"

#include <atomic>
#include <cstdlib>

namespace ternlab::kernels {
namespace {

bool cpuHasAvx2() {
  __builtin_cpu_init();  // safe to call from static constructors
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}

bool cpuHasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vpopcntdq") &&
         cpuHasAvx2();
}

Isa bestCpuIsa() {
  if (cpuHasAvx512()) return Isa::Avx512;
  if (cpuHasAvx2()) return Isa::Avx2;
  return Isa::Portable;
}

Isa computeDefault() {
  Isa best = bestCpuIsa();
  if (const char* env = std::getenv("TERNLAB_KERNEL_ISA")) {
    Isa forced;
    if (parseIsa(env, forced) && static_cast<int>(forced) < static_cast<int>(best)) return forced;
  }
  return best;
}

std::atomic<int>& activeSlot() {
  static std::atomic<int> slot{static_cast<int>(computeDefault())};
  return slot;
}

}  // namespace

const char* isaName(Isa isa) {
  switch (isa) {
    case Isa::Reference: return "reference";
    case Isa::Portable: return "portable";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "unknown";
}

bool parseIsa(const std::string& name, Isa& out) {
  for (Isa isa : {Isa::Reference, Isa::Portable, Isa::Avx2, Isa::Avx512}) {
    if (name == isaName(isa)) {
      out = isa;
      return true;
    }
  }
  return false;
}

std::vector<Isa> availableIsas() {
  std::vector<Isa> out{Isa::Reference, Isa::Portable};
  Isa best = bestCpuIsa();
  if (static_cast<int>(best) >= static_cast<int>(Isa::Avx2)) out.push_back(Isa::Avx2);
  if (best == Isa::Avx512) out.push_back(Isa::Avx512);
  return out;
}

Isa defaultIsa() { return computeDefault(); }

Isa activeIsa() { return static_cast<Isa>(activeSlot().load(std::memory_order_relaxed)); }

bool setIsa(Isa isa) {
  if (static_cast<int>(isa) > static_cast<int>(bestCpuIsa())) return false;
  activeSlot().store(static_cast<int>(isa), std::memory_order_relaxed);
  return true;
}

bool hasVnni() { return cpuHasAvx512() && __builtin_cpu_supports("avx512vnni"); }

std::string baselineIsaCap() {
  const char* cap = std::getenv("DNNL_MAX_CPU_ISA");
  return cap ? cap : "";
}

std::string matchBaselineIsaToKernels() {
  const Isa kernels = defaultIsa();
  if (static_cast<int>(kernels) < static_cast<int>(bestCpuIsa())) {
    const char* cap = kernels == Isa::Avx2 ? "AVX2" : "SSE41";
    ::setenv("DNNL_MAX_CPU_ISA", cap, 0);  // 0: a cap the user chose stays
  }
  return baselineIsaCap();
}

}  // namespace ternlab::kernels
