#include "kernels/KernelBench.h"
#include "kernels/MedianTimer.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "kernels/Conv.h"
#include "kernels/CycleClock.h"
#include "kernels/Int8Gemm.h"
#include "kernels/TernaryGemm.h"
#include "kernels/TwoBitGemm.h"

namespace ternlab::kernels {
namespace {

std::vector<std::int8_t> randomCodes(std::size_t n, int lo, int hi, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<std::int8_t> v(n);
  for (auto& c : v) c = static_cast<std::int8_t>(d(rng));
  return v;
}


ConvShape convOf(const BenchShape& s) {
  ConvShape c;
  c.inC = s.convC;
  c.inH = c.inW = s.convHW;
  c.outC = s.convOutC;
  c.kH = c.kW = s.convKernel;
  c.padH = c.padW = s.convKernel / 2;
  return c;
}

}  // namespace

std::function<void()> makeBenchRun(BenchKernel k, const BenchShape& s, const GemmOptions& o) {
  const int M = s.M, N = s.N, K = s.K;
  auto C = std::make_shared<std::vector<std::int32_t>>(static_cast<std::size_t>(M) * N, 0);
  std::int32_t* out = C->data();
  switch (k) {
    case BenchKernel::Ternary2Pop: {
      auto x = std::make_shared<TernaryRows>(packTernaryRows(randomCodes(size_t(M) * K, -1, 1, 1).data(), M, K));
      auto w = std::make_shared<TernaryPanels>(packTernaryPanels(randomCodes(size_t(N) * K, -1, 1, 2).data(), N, K));
      return [x, w, C, out, o] { ternaryGemm(*x, *w, out, o); };
    }
    case BenchKernel::HalfRange: {
      std::vector<std::int8_t> xc = randomCodes(size_t(M) * K, 0, 2, 1);
      auto x = std::make_shared<TernaryRows>(
          packHalfRangeRows(reinterpret_cast<const std::uint8_t*>(xc.data()), M, K));
      auto w = std::make_shared<TernaryPanels>(packTernaryPanels(randomCodes(size_t(N) * K, -1, 1, 2).data(), N, K));
      return [x, w, C, out, o] { halfRangeGemm(*x, *w, out, o); };
    }
    case BenchKernel::TwoBit4Pop: {
      auto x = std::make_shared<TwoBitRows>(packTwoBitRows(randomCodes(size_t(M) * K, -1, 1, 1).data(), M, K));
      auto w = std::make_shared<TwoBitPanels>(packTwoBitPanels(randomCodes(size_t(N) * K, -1, 1, 2).data(), N, K));
      return [x, w, C, out, o] { twoBitGemm(*x, *w, out, o); };
    }
    case BenchKernel::Int8: {
      auto x = std::make_shared<Int8Rows>(packInt8Rows(randomCodes(size_t(M) * K, -128, 127, 1).data(), M, K));
      auto w = std::make_shared<Int8Panels>(packInt8Panels(randomCodes(size_t(N) * K, -1, 1, 2).data(), N, K));
      return [x, w, C, out, o] { int8Gemm(*x, *w, out, o); };
    }
    case BenchKernel::ConvLayer: {
      const ConvShape cs = convOf(s);
      auto w = std::make_shared<TernaryPanels>(
          packConvWeights(randomCodes(size_t(cs.outC) * cs.gemmK(), -1, 1, 2).data(), cs));
      auto x = std::make_shared<std::vector<float>>(size_t(cs.inC) * cs.inH * cs.inW);
      std::mt19937 rng(3);
      std::normal_distribution<float> nd;
      for (auto& v : *x) v = nd(rng);
      auto y = std::make_shared<std::vector<float>>(size_t(cs.outC) * cs.outH() * cs.outW());
      return [x, y, w, cs, o] { conv2dTernary(x->data(), cs, QuantThresholds{}, *w, ChannelAffine{}, y->data(), o); };
    }
  }
  return [] {};
}

const char* benchKernelName(BenchKernel k) {
  for (const auto& row : kBenchKernels)
    if (row.kernel == k) return row.name;
  return "unknown";
}

std::vector<BenchShape> resnet18ConvShapes() {
  return {{"resnet18_3x3_64", 3136, 64, 576},
          {"resnet18_3x3_128", 784, 128, 1152},
          {"resnet18_3x3_256", 196, 256, 2304},
          {"resnet18_3x3_512", 49, 512, 4608}};
}

std::vector<BenchShape> convLayerShapes() {
  std::vector<BenchShape> out;
  auto add = [&](const char* name, int c, int hw, int oc) {
    BenchShape s;
    s.name = name;
    s.convC = c;
    s.convHW = hw;
    s.convOutC = oc;
    s.M = hw * hw;
    s.N = oc;
    s.K = 9 * c;
    out.push_back(s);
  };
  add("resnet20_16x32", 16, 32, 16);
  add("resnet20_32x16", 32, 16, 32);
  add("resnet20_64x8", 64, 8, 64);
  add("resnet18_128x28", 128, 28, 128);
  add("resnet18_256x14", 256, 14, 256);
  add("resnet18_512x7", 512, 7, 512);
  return out;
}

std::vector<BenchResult> runKernelBench(const BenchConfig& cfg) {
  std::vector<BenchResult> results;
  std::vector<Isa> isas = cfg.isas.empty() ? std::vector<Isa>{activeIsa()} : cfg.isas;
  const double hz = measuredCpuHz();
  for (const BenchShape& s : cfg.shapes)
    for (BenchKernel k : cfg.kernels)
      for (Isa isa : isas) {
        if (static_cast<int>(isa) > static_cast<int>(availableIsas().back())) continue;
        const GemmOptions o = GemmOptions().isa(isa).threads(cfg.threads);
        const std::function<void()> fn = makeBenchRun(k, s, o);
        BenchResult r;
        r.kernel = benchKernelName(k);
        r.isa = isaName(isa);
        r.shape = s.name;
        r.M = s.M;
        r.N = s.N;
        r.K = s.K;
        r.threads = cfg.threads;
        r.runs = cfg.runs;
        r.medianSeconds = medianSeconds(cfg.runs, fn);
        const double macs = static_cast<double>(s.M) * s.N * s.K;
        r.gmacPerSecond = macs / r.medianSeconds * 1e-9;
        r.macPerCycle = macs / r.medianSeconds / hz;
        r.percentOfBound = 100.0 * r.macPerCycle / kTernaryMacPerCycleBound;
        results.push_back(r);
      }
  return results;
}

double medianSeconds(int runs, const std::function<void()>& fn) {
  fn();  // warm-up: caches, page faults, thread start
  std::vector<double> t(static_cast<std::size_t>(std::max(runs, 1)));
  for (auto& v : t) {
    const auto a = std::chrono::steady_clock::now();
    fn();
    v = std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
  }
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

}  // namespace ternlab::kernels
