#include "onnxio/OnnxRuntimeBench.h"

#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "config/ExperimentConfig.h"
#include "engine/TnnExport.h"
#include "io/AtomicFile.h"
#include "nn/TernaryNet.h"
#include "onnxio/OnnxExport.h"

namespace ternlab::onnxio {

namespace fs = std::filesystem;

namespace {

// Times session.run on one random batch: median seconds of `runs` calls after two warm-ups, as JSON.
constexpr const char* kTimer = R"JS('use strict';
const ort = require('onnxruntime-node');
(async () => {
  const [model, batch, threads, runs] = process.argv.slice(2);
  const s = await ort.InferenceSession.create(model, {intraOpNumThreads: Number(threads), interOpNumThreads: 1,
                                                       executionMode: 'sequential'});
  const dims = [Number(batch), 1, 28, 28];
  const x = new ort.Tensor('float32', Float32Array.from({length: dims.reduce((a, b) => a * b)}, () => Math.random()), dims);
  const feeds = {[s.inputNames[0]]: x};
  await s.run(feeds); await s.run(feeds);
  const t = [];
  for (let i = 0; i < Number(runs); ++i) { const t0 = process.hrtime.bigint(); await s.run(feeds); t.push(Number(process.hrtime.bigint() - t0) * 1e-9); }
  t.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({seconds: t[t.length >> 1]}) + '\n');
})().catch((e) => { process.stderr.write(e.message + '\n'); process.exit(1); });
)JS";

std::string run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(command.c_str(), "r"), pclose);
  if (!p) return "";
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p.get())) out += buf;
  return out;
}

std::string shellQuoted(const std::string& s) { return "'" + s + "'"; }  // paths from mkdtemp / the program's folder

// "resnet20_1x28_b64_t2" -> arch, batch, threads.
bool parseShape(const std::string& shape, std::string& arch, int& batch, int& threads) {
  const auto b = shape.find("_1x28_b"), t = shape.rfind("_t");
  if (b == std::string::npos || t == std::string::npos || t < b) return false;
  arch = shape.substr(0, b);
  batch = std::atoi(shape.c_str() + b + 7);
  threads = std::atoi(shape.c_str() + t + 2);
  return batch > 0 && threads > 0;
}

}  // namespace

std::string findOnnxRuntimeModules() {
  if (std::system("node --version > /dev/null 2>&1") != 0) return "";
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("TERNLAB_ONNXRUNTIME_MODULES")) candidates.emplace_back(env);
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "onnxruntime" / "node_modules");
  for (const auto& c : candidates)
    if (fs::exists(c / "onnxruntime-node" / "package.json")) return fs::absolute(c).string();
  return "";
}

std::string addOnnxRuntimeBaseline(std::vector<engine::BenchRow>& rows) {
  const auto modules = findOnnxRuntimeModules();
  if (modules.empty()) return "ONNX Runtime not measured: node or onnxruntime-node not found (scripts/ternlab.sh setup)";
  char tmpl[] = "/tmp/ternlab-ort-XXXXXX";
  if (!mkdtemp(tmpl)) return "ONNX Runtime not measured: no temporary folder";
  const fs::path dir(tmpl);
  io::writeFileAtomically((dir / "timer.js").string(), kTimer);
  std::map<std::string, std::string> models;  // arch -> .onnx
  std::string note;
  for (auto& r : rows) {
    std::string arch;
    int batch = 0, threads = 0;
    if (r.level != "network" || !parseShape(r.shape, arch, batch, threads)) continue;
    if (!models.count(arch)) {
      // An fp32 network of the row's architecture, no quantizers (the time does not depend on the weights).
      const auto cfg = config::parseExperimentText(R"({"model": {"arch": ")" + arch + R"("}})", "bench");
      nn::InputShape in;
      in.channels = 1, in.size = 28, in.classes = 10;
      torch::manual_seed(1);
      auto net = nn::makeModel(cfg.model, in);
      const auto path = (dir / (arch + ".onnx")).string();
      io::writeFileAtomically(path, onnxModelBytes(engine::buildTnn(*net, cfg, torch::randn({8, 1, 28, 28}))));
      models[arch] = path;
    }
    const int runs = batch == 1 ? 200 : 30;
    const auto out = run("NODE_PATH=" + shellQuoted(modules) + " node " + shellQuoted((dir / "timer.js").string()) + " " +
                         shellQuoted(models[arch]) + " " + std::to_string(batch) + " " + std::to_string(threads) + " " +
                         std::to_string(runs) + " 2>&1");
    const auto j = nlohmann::json::parse(out, nullptr, false);
    if (j.is_object() && j.value("seconds", 0.0) > 0)
      r.onnxRuntimeFpImagesPerSecond = batch / j["seconds"].get<double>();
    else
      note = "ONNX Runtime failed on " + r.shape + ": " + out;
  }
  fs::remove_all(dir);
  return note;
}

}  // namespace ternlab::onnxio
