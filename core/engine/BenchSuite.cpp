#include "kernels/MedianTimer.h"
#include "engine/BenchSuite.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <tuple>
#include <nlohmann/json.hpp>

#include "engine/NetworkBench.h"
#include "kernels/BitConv.h"
#include "kernels/CycleClock.h"
#include "kernels/KernelBench.h"
#include "store/RunStore.h"

namespace ternlab::engine {

namespace {

using kernels::BenchKernel;
using kernels::BenchShape;


BenchShape gemm(const char* name, int M, int N, int K) {
  BenchShape s;
  s.name = name, s.M = M, s.N = N, s.K = K;
  return s;
}

BenchShape convLayer(const char* name, int c, int hw, int oc, int k) {
  BenchShape s = gemm(name, hw * hw, oc, k * k * c);
  s.convC = c, s.convHW = hw, s.convOutC = oc, s.convKernel = k;
  return s;
}

std::vector<BenchShape> gemmShapes() {
  std::vector<BenchShape> v = {gemm("resnet20_3x3_16", 1024, 16, 144), gemm("resnet20_3x3_32", 256, 32, 288),
                               gemm("resnet20_3x3_64", 64, 64, 576),   gemm("vggs_128x32", 1024, 128, 1152),
                               gemm("vggs_256x16", 256, 256, 2304),    gemm("vggs_512x8", 64, 512, 4608)};
  for (const auto& s : kernels::resnet18ConvShapes()) v.push_back(s);
  for (const auto& s : {gemm("resnet18_1x1_128", 784, 128, 64), gemm("resnet18_1x1_256", 196, 256, 128),
                        gemm("resnet18_1x1_512", 49, 512, 256), gemm("fc_m1", 1, 1024, 4096),
                        gemm("fc_m64", 64, 1024, 4096), gemm("square_1024", 1024, 1024, 1024),
                        gemm("square_2048", 2048, 2048, 2048)})
    v.push_back(s);
  return v;
}

std::vector<BenchShape> layerShapes() {
  std::vector<BenchShape> v = kernels::convLayerShapes();
  for (const auto& s : {convLayer("vggs_128x32", 128, 32, 128, 3), convLayer("vggs_256x16", 256, 16, 256, 3),
                        convLayer("vggs_512x8", 512, 8, 512, 3), convLayer("resnet18_1x1_128x28", 64, 28, 128, 1),
                        convLayer("resnet18_1x1_256x14", 128, 14, 256, 1),
                        convLayer("resnet18_1x1_512x7", 256, 7, 512, 1)})
    v.push_back(s);
  return v;
}

void fill(BenchRow& r, double hz, double bound) {
  const double macs = static_cast<double>(r.M) * r.N * r.K;
  r.gmacPerSecond = macs / r.seconds * 1e-9;
  r.macPerCycle = macs / r.seconds / hz;
  r.percentOfBound = 100.0 * r.macPerCycle / bound;
  if (r.torchSeconds > 0) r.ratioToTorch = r.torchSeconds / r.seconds;
}

}  // namespace

BenchSuiteResult runBenchSuite(const BenchSuiteOptions& o) {
  BenchSuiteResult res;
  res.threads = std::max(1, o.threads);
  res.runs = std::max(30, o.runs);
  at::set_num_threads(res.threads);
  const auto isa = kernels::activeIsa();
  res.isa = kernels::isaName(isa);
  const auto cap = kernels::baselineIsaCap();
  res.baselineIsa = cap.empty() ? "native" : cap;
  res.cpuHz = kernels::measuredCpuHz();
  res.boundMacPerCycle = kernels::ternaryMacPerCycleBound(isa);
  res.boundNote = isa == kernels::Isa::Avx512 ? "AVX-512: 512 MACs per 6 zmm ops on 2 ports = 171 MAC/cycle"
                                              : "AVX2: 256 MACs per ~16 ymm uops at 4 uops/cycle = 64 MAC/cycle (per core)";
  const auto gopts = kernels::GemmOptions().threads(res.threads);
  const double bound = res.boundMacPerCycle * res.threads;

  auto shapes = o.networksOnly ? std::vector<BenchShape>{} : gemmShapes();
  if (o.kernelsOnly && !o.full)  // the quick panel skips the slow square 2048 GEMM
    shapes.erase(std::remove_if(shapes.begin(), shapes.end(), [](const auto& s) { return s.name == "square_2048"; }),
                 shapes.end());
  const int total = static_cast<int>(shapes.size()) + (o.kernelsOnly ? 0 : (o.networksOnly ? 0 : static_cast<int>(layerShapes().size())) + 4);
  int done = 0;
  auto tick = [&] {
    if (o.progress) o.progress(++done, total);
  };
  for (const auto& s : shapes) {
    const bool big = s.name == "square_2048";
    auto A = torch::randn({s.M, s.K}), B = torch::randn({s.K, s.N});
    const double torchT = kernels::medianSeconds(res.runs, [&] { (void)torch::mm(A, B); });
    std::map<std::string, double> secs;
    std::vector<BenchKernel> ks;
    for (const auto& row : kernels::kBenchKernels)
      if (!row.convOnly && (!big || o.full || !row.fullOnly)) ks.push_back(row.kernel);
    for (auto k : ks) {
      BenchRow r;
      r.level = "kernel";
      r.kernel = kernels::benchKernelName(k);
      r.shape = s.name, r.M = s.M, r.N = s.N, r.K = s.K;
      r.seconds = kernels::medianSeconds(res.runs, kernels::makeBenchRun(k, s, gopts));
      r.torchSeconds = torchT;
      fill(r, res.cpuHz, bound);
      secs[r.kernel] = r.seconds;
      r.ratioTo4Pop = secs["twobit4pop"] / r.seconds;
      res.rows.push_back(r);
    }
    BenchRow t;
    t.level = "kernel";
    t.kernel = "torch_mm_fp32";
    t.shape = s.name, t.M = s.M, t.N = s.N, t.K = s.K;
    t.seconds = torchT;
    t.torchSeconds = torchT;
    fill(t, res.cpuHz, bound);
    t.ratioTo4Pop = secs["twobit4pop"] / torchT;
    res.rows.push_back(t);
    tick();
  }
  if (o.kernelsOnly) return res;

  for (const auto& s : o.networksOnly ? std::vector<BenchShape>{} : layerShapes()) {
    const int pad = s.convKernel / 2;
    auto x = torch::randn({1, s.convC, s.convHW, s.convHW});
    auto w = torch::randn({s.convOutC, s.convC, s.convKernel, s.convKernel});
    const double torchT = kernels::medianSeconds(res.runs, [&] { (void)torch::conv2d(x, w, {}, 1, pad); });
    BenchRow r;
    r.level = "layer";
    r.kernel = "conv2d_ternary";
    r.shape = s.name, r.M = s.M, r.N = s.N, r.K = s.K;
    r.seconds = kernels::medianSeconds(res.runs, kernels::makeBenchRun(BenchKernel::ConvLayer, s, gopts));
    r.torchSeconds = torchT;
    fill(r, res.cpuHz, bound);
    res.rows.push_back(r);
    BenchRow t = r;
    t.kernel = "torch_conv2d_fp32";
    t.seconds = torchT;
    fill(t, res.cpuHz, bound);
    res.rows.push_back(t);
    tick();
  }

  // The engine's own layer step: bordered bit map in -> fused epilogue -> next layer's bit map out,
  // ResNet-20 on 1x28x28 (batch 1), against torch::conv2d fp32 on the same shape.
  for (const auto& [name, c, hw] : {std::tuple<const char*, int, int>{"resnet20_16x28", 16, 28},
                                    {"resnet20_32x14", 32, 14}, {"resnet20_64x7", 64, 7}}) {
    auto x = torch::randn({1, c, hw, hw});
    auto wt = torch::randn({c, c, 3, 3});
    const double torchT = kernels::medianSeconds(res.runs, [&] { (void)torch::conv2d(x, wt, {}, 1, 1); });
    const auto codes = torch::randint(-1, 2, {c, c, 3, 3}).to(torch::kInt8).contiguous();
    const auto w = kernels::packBitConvWeights(codes.data_ptr<std::int8_t>(), 1, c, c, 3, 1, 1, true);
    kernels::BitMap in, out;
    in.reset(1, hw, hw, c, 1, kernels::BitBorder::MinusOne);
    out.reset(1, hw, hw, c, 1, kernels::BitBorder::MinusOne);
    std::vector<float> scale(c, 0.01f), bias(c, 0.0f);
    kernels::LayerEpilogue e;
    e.scale = scale.data(), e.bias = bias.data();
    e.act1 = {kernels::ActKind::Relu};
    e.outBits = &out;
    e.next = {0.3f, 0.9f};
    BenchRow r;
    r.level = "layer";
    r.kernel = "bitconv_fused";
    r.shape = name, r.M = hw * hw, r.N = c, r.K = 9 * c;
    r.seconds = kernels::medianSeconds(res.runs, [&] { kernels::bitConv(in, w, e, nullptr, gopts); });
    r.torchSeconds = torchT;
    fill(r, res.cpuHz, bound);
    res.rows.push_back(r);
    tick();
  }

  for (const auto& n : benchNetworks(res.threads, res.runs)) res.rows.push_back(n);
  tick();
  return res;
}

std::int64_t recordBench(const BenchSuiteResult& r, const std::string& dbPath) {
  store::RunStore db(dbPath);
  store::NewRun run;
  run.name = "bench " + r.isa + " x" + std::to_string(r.threads);
  run.kind = "bench";
  run.configJson = nlohmann::json{{"kind", "bench"},
                                  {"isa", r.isa},
                                  {"baseline_isa", r.baselineIsa},
                                  {"threads", r.threads},
                                  {"runs", r.runs},
                                  {"cpu_hz", r.cpuHz},
                                  {"bound_mac_per_cycle", r.boundMacPerCycle},
                                  {"bound_note", r.boundNote}}
                       .dump();
  const auto id = db.createRun(run);
  std::vector<store::MetricPoint> pts;
  auto add = [&](const std::string& key, double v) {
    store::MetricPoint p;
    p.key = key;
    p.value = v;
    pts.push_back(p);
  };
  for (const auto& row : r.rows) {
    const std::string base = "bench/" + row.kernel + "/" + row.shape + "/";
    if (row.level == "network") {
      add(base + "images_per_s", row.imagesPerSecond);
      add(base + "torch_images_per_s", row.torchImagesPerSecond);
      add(base + "torch_fp_images_per_s", row.torchFpImagesPerSecond);
      if (row.onnxRuntimeFpImagesPerSecond > 0) add(base + "ort_fp_images_per_s", row.onnxRuntimeFpImagesPerSecond);
      add(base + "ratio_torch", row.ratioToTorch);
      continue;
    }
    add(base + "mac_per_cycle", row.macPerCycle);
    add(base + "gmac_per_s", row.gmacPerSecond);
    add(base + "pct_bound", row.percentOfBound);
    add(base + "ratio_torch", row.ratioToTorch);
    if (row.ratioTo4Pop > 0) add(base + "ratio_4pop", row.ratioTo4Pop);
  }
  db.logMetrics(id, pts);
  db.setStatus(id, store::RunStatus::Finished);
  return id;
}

RecordedNetworks latestNetworkBench(const std::string& dbPath) {
  store::RunStore db(dbPath);
  store::RunFilter f;
  f.status = store::RunStatus::Finished;
  std::vector<store::RunRecord> benches;
  for (auto& r : db.listRuns(f))
    if (r.kind == "bench") benches.push_back(std::move(r));
  std::sort(benches.begin(), benches.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  const std::string prefix = "bench/network/";
  for (const auto& b : benches) {
    std::map<std::string, BenchRow> rows;  // shape → row
    for (const auto& p : db.metrics(b.id)) {
      if (p.key.rfind(prefix, 0) != 0) continue;
      const auto slash = p.key.find('/', prefix.size());
      if (slash == std::string::npos) continue;
      BenchRow& r = rows[p.key.substr(prefix.size(), slash - prefix.size())];
      const std::string q = p.key.substr(slash + 1);
      if (q == "images_per_s") r.imagesPerSecond = p.value;
      else if (q == "torch_images_per_s") r.torchImagesPerSecond = p.value;
      else if (q == "torch_fp_images_per_s") r.torchFpImagesPerSecond = p.value;
      else if (q == "ort_fp_images_per_s") r.onnxRuntimeFpImagesPerSecond = p.value;
      else if (q == "ratio_torch") r.ratioToTorch = p.value;
    }
    if (rows.empty()) continue;
    RecordedNetworks out;
    out.run = b.id;
    const auto cfg = nlohmann::json::parse(b.config, nullptr, false);
    if (cfg.is_object()) {
      out.result.isa = cfg.value("isa", std::string());
      out.result.baselineIsa = cfg.value("baseline_isa", std::string("native"));
      out.result.threads = cfg.value("threads", 1);
      out.result.runs = cfg.value("runs", 0);
      out.result.cpuHz = cfg.value("cpu_hz", 0.0);
    }
    for (auto& [shape, r] : rows) {
      r.level = "network", r.kernel = "network", r.shape = shape;
      out.result.rows.push_back(r);
    }
    return out;
  }
  return {};
}

}  // namespace ternlab::engine
