// ISA selection: availability, forcing, and that the dispatch really changes path.
#include <gtest/gtest.h>

#include <cstdlib>

#include "kernels/Isa.h"
#include "kernels/KernelBench.h"

#include <optional>
#include <set>
#include <string>

namespace ternlab::kernels {
namespace {

TEST(Isa, ReferenceAndPortableAlwaysAvailableInOrder) {
  const auto isas = availableIsas();
  ASSERT_GE(isas.size(), 2u);
  EXPECT_EQ(isas[0], Isa::Reference);
  EXPECT_EQ(isas[1], Isa::Portable);
  for (std::size_t i = 1; i < isas.size(); ++i) EXPECT_LT(static_cast<int>(isas[i - 1]), static_cast<int>(isas[i]));
}

TEST(Isa, SetIsaAcceptsAvailableAndRejectsOthers) {
  const Isa before = activeIsa();
  for (Isa isa : availableIsas()) {
    EXPECT_TRUE(setIsa(isa));
    EXPECT_EQ(activeIsa(), isa);
  }
  if (availableIsas().back() != Isa::Avx512) {
    EXPECT_FALSE(setIsa(Isa::Avx512));
  }
  setIsa(before);
}

TEST(Isa, ParseRoundTrip) {
  for (Isa isa : {Isa::Reference, Isa::Portable, Isa::Avx2, Isa::Avx512}) {
    Isa parsed;
    ASSERT_TRUE(parseIsa(isaName(isa), parsed));
    EXPECT_EQ(parsed, isa);
  }
  Isa dummy;
  EXPECT_FALSE(parseIsa("sse9", dummy));
}

TEST(Isa, EnvironmentCanOnlyLowerThePath) {
  const Isa best = availableIsas().back();
  ::setenv("TERNLAB_KERNEL_ISA", "portable", 1);
  EXPECT_EQ(defaultIsa(), Isa::Portable);
  ::setenv("TERNLAB_KERNEL_ISA", "avx512", 1);
  EXPECT_EQ(defaultIsa(), best);  // never raised above what the CPU has
  ::setenv("TERNLAB_KERNEL_ISA", "bogus", 1);
  EXPECT_EQ(defaultIsa(), best);
  ::unsetenv("TERNLAB_KERNEL_ISA");
  EXPECT_EQ(defaultIsa(), best);
}

// A kernel path forced lower caps LibTorch's oneDNN at the same width (avx2 -> AVX2, portable -> SSE41); a cap
// the user set stays; the CPU's best path sets none.
TEST(Isa, BaselineCapFollowsAForcedKernelPath) {
  const auto saved = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  const auto restore = [](const char* name, const std::optional<std::string>& v) {
    if (v) ::setenv(name, v->c_str(), 1);
    else ::unsetenv(name);
  };
  const auto kernelIsa = saved("TERNLAB_KERNEL_ISA"), cap = saved("DNNL_MAX_CPU_ISA");
  const Isa best = availableIsas().back();
  ::unsetenv("DNNL_MAX_CPU_ISA");
  ::unsetenv("TERNLAB_KERNEL_ISA");
  EXPECT_EQ(matchBaselineIsaToKernels(), "");
  EXPECT_EQ(std::getenv("DNNL_MAX_CPU_ISA"), nullptr);
  if (best >= Isa::Avx2) {
    ::setenv("TERNLAB_KERNEL_ISA", "portable", 1);
    EXPECT_EQ(matchBaselineIsaToKernels(), "SSE41");
    EXPECT_EQ(baselineIsaCap(), "SSE41");
  }
  if (best == Isa::Avx512) {
    ::unsetenv("DNNL_MAX_CPU_ISA");
    ::setenv("TERNLAB_KERNEL_ISA", "avx2", 1);
    EXPECT_EQ(matchBaselineIsaToKernels(), "AVX2");
  }
  ::setenv("TERNLAB_KERNEL_ISA", "portable", 1);
  ::setenv("DNNL_MAX_CPU_ISA", "AVX", 1);
  EXPECT_EQ(matchBaselineIsaToKernels(), "AVX");  // the user's cap is kept
  restore("TERNLAB_KERNEL_ISA", kernelIsa);
  restore("DNNL_MAX_CPU_ISA", cap);
}

TEST(KernelBench, ReturnsOneRowPerCombination) {
  BenchConfig cfg;
  cfg.shapes = {{"tiny", 8, 16, 130}};
  cfg.kernels = {BenchKernel::Ternary2Pop, BenchKernel::TwoBit4Pop, BenchKernel::Int8, BenchKernel::HalfRange};
  cfg.isas = availableIsas();
  cfg.runs = 3;
  const auto rows = runKernelBench(cfg);
  ASSERT_EQ(rows.size(), cfg.kernels.size() * cfg.isas.size());
  for (const auto& r : rows) {
    EXPECT_GT(r.medianSeconds, 0.0);
    EXPECT_GT(r.macPerCycle, 0.0);
    EXPECT_EQ(r.M * r.N * r.K, 8 * 16 * 130);
  }
}

// The kernel table is what every benchmark reads: each kernel has exactly one row with a name of its own, and every
// row runs (conv rows on a conv shape) on every path this CPU has.
TEST(KernelBench, EveryKernelHasOneRowThatRunsOnEveryPath) {
  std::set<std::string> names;
  for (int k = 0; k <= static_cast<int>(BenchKernel::ConvLayer); ++k) {
    int rows = 0;
    for (const auto& row : kBenchKernels) rows += static_cast<int>(row.kernel) == k;
    EXPECT_EQ(rows, 1) << "kernel " << k;
  }
  for (const auto& row : kBenchKernels) {
    ASSERT_NE(row.name, nullptr);
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
    EXPECT_STREQ(benchKernelName(row.kernel), row.name);
    BenchShape shape{"tiny", 8, 16, 130};
    if (row.convOnly) shape = BenchShape{"tiny_conv", 64, 16, 144, 16, 8, 16, 3};
    for (Isa isa : availableIsas()) {
      const auto run = makeBenchRun(row.kernel, shape, GemmOptions().isa(isa));
      EXPECT_NO_THROW(run()) << row.name << " on " << isaName(isa);
    }
  }
}

}  // namespace
}  // namespace ternlab::kernels
