#include "engine/InferRunner.h"

#include <torch/torch.h>

#include <sys/resource.h>

#include <chrono>
#include <filesystem>

#include "data/Dataset.h"
#include "engine/Engine.h"
#include "engine/TnnExport.h"
#include "engine/TnnFile.h"
#include "engine/TorchCheck.h"
#include "kernels/CycleClock.h"
#include "kernels/Isa.h"
#include "kernels/KernelBench.h"
#include "report/RunModel.h"
#include "store/RunStore.h"

namespace ternlab::engine {

namespace {
double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
}  // namespace

nlohmann::json InferReport::toJson() const {
  nlohmann::json j = {{"tnn", tnn},
                      {"isa", isa},
                      {"threads", threads},
                      {"activations", activations},
                      {"fp_activation_path", fpActivationPath},
                      {"images", images},
                      {"accuracy", accuracy},
                      {"images_per_s", engineImagesPerSecond},
                      {"compared", compared}};
  nlohmann::json prof = nlohmann::json::array();
  for (const auto& [step, sec] : profile) prof.push_back({{"step", step}, {"seconds", sec}});
  j["profile"] = prof;
  nlohmann::json ph = nlohmann::json::object();
  for (const auto& [k, sec] : phases) ph[k] = sec;
  j["phases"] = ph;
  j["ternary_macs_per_image"] = ternaryMacsPerImage;
  j["kernel_bound_share"] = kernelBoundShare;
  j["cpu_hz"] = cpuHz;
  j["peak_rss_mib"] = peakRssMiB;
  j["activation_mib"] = activationMiB;
  j["tnn_bytes"] = tnnBytes;
  if (compared) {
    j["identical_predictions"] = identical;
    j["torch_accuracy"] = torchAccuracy;
    j["torch_images_per_s"] = torchImagesPerSecond;
    j["accumulator_images"] = accImages;
    j["accumulator_max_abs_diff"] = accMaxAbsDiff;
  } else {
    j["compare_note"] = compareNote;
  }
  return j;
}

InferReport runInference(const InferOptions& o) {
  InferReport r;
  r.tnn = o.tnnPath;
  r.threads = std::max(1, o.threads);
  r.isa = kernels::isaName(kernels::activeIsa());
  Engine engine(readTnn(o.tnnPath));
  const auto& info = engine.model().info;
  r.activations = info.value("activations", "");

  std::string name = o.data, split = "test";
  if (const auto colon = o.data.find(':'); colon != std::string::npos) name = o.data.substr(0, colon), split = o.data.substr(colon + 1);
  if (split != "test" && split != "train") throw std::runtime_error("--data split must be test or train, not '" + split + "'");
  std::string dir = info.value("dataset", "") == name ? info.value("dataset_path", "") : "";
  if (dir.empty()) dir = data::defaultDatasetPath(name);
  // Images are normalised with the train split's statistics, which depend on the run's train_limit.
  const std::int64_t trainLimit = info.value("train_limit", std::int64_t{0});
  const auto pair = data::loadDataset(name, dir, trainLimit, split == "test" ? o.limit : 1,
                                      name == info.value("dataset", "") ? datasetOptionsOf(engine.model()) : data::OwnDataOptions());
  const auto& ds = split == "test" ? pair.test : pair.train;
  const std::int64_t keep = o.limit > 0 ? std::min<std::int64_t>(o.limit, ds.size()) : ds.size();
  const auto images = ds.images.slice(0, 0, keep).to(torch::kFloat32).contiguous();
  const auto labels = ds.labels.slice(0, 0, keep).to(torch::kInt64).contiguous();
  const std::int64_t n = images.size(0);
  r.images = n;
  if (images.size(1) != engine.model().inC || images.size(2) != engine.model().inH || images.size(3) != engine.model().inW)
    throw std::runtime_error(o.tnnPath + ": the network expects " + std::to_string(engine.model().inC) + "x" +
                             std::to_string(engine.model().inH) + "x" + std::to_string(engine.model().inW) +
                             " images, " + name + " has other shapes");

  at::set_num_threads(r.threads);
  EngineOptions eo;
  eo.threads = r.threads;
  eo.fp32Activations = o.fp32Activations;
  r.fpActivationPath = o.fp32Activations ? "fp32" : "int8";
  std::vector<int> pred;
  pred.reserve(n);
  const std::int64_t per = static_cast<std::int64_t>(images[0].numel());
  const double t0 = now();
  for (std::int64_t i = 0; i < n; i += o.batch) {
    const int b = static_cast<int>(std::min<std::int64_t>(o.batch, n - i));
    const auto p = engine.predict(images.data_ptr<float>() + i * per, b, eo);
    pred.insert(pred.end(), p.begin(), p.end());
  }
  r.engineImagesPerSecond = n / std::max(now() - t0, 1e-9);
  // One more pass with per-op timing (not counted in images/s).
  eo.profile = true;
  for (std::int64_t i = 0; i < n; i += o.batch)
    engine.run(images.data_ptr<float>() + i * per, static_cast<int>(std::min<std::int64_t>(o.batch, n - i)), eo);
  r.profile = engine.profile();
  for (const auto& p : engine.phases()) r.phases.emplace_back(p.phase, p.seconds);
  // Share of the kernel-only bound: the ternary MACs at the GEMM's instruction bound vs the whole engine time.
  r.ternaryMacsPerImage = engine.ternaryMacsPerImage();
  r.cpuHz = kernels::measuredCpuHz();
  double profiled = 0;
  for (const auto& p : r.profile) profiled += p.second;
  const double bound = kernels::ternaryMacPerCycleBound(kernels::activeIsa()) * r.threads * r.cpuHz;
  if (profiled > 0) r.kernelBoundShare = r.ternaryMacsPerImage * n / bound / profiled;
  r.activationMiB = static_cast<double>(engine.activationBytes()) / (1 << 20);
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  r.peakRssMiB = static_cast<double>(ru.ru_maxrss) / 1024.0;
  r.tnnBytes = static_cast<std::int64_t>(std::filesystem::file_size(o.tnnPath));
  const auto* lab = labels.data_ptr<std::int64_t>();
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < n; ++i) correct += pred[i] == lab[i];
  r.accuracy = 100.0 * correct / std::max<std::int64_t>(n, 1);

  if (!o.compare) {
    r.compareNote = "comparison not asked for";
    return r;
  }
  const std::string db = o.db.empty() ? info.value("db", "") : o.db;
  const std::int64_t runId = info.value("stage_id", info.value("run_id", std::int64_t{0}));
  if (db.empty() || runId == 0) {
    r.compareNote = "the .tnn names no run store / run id";
    return r;
  }
  {  // the run in this store must be the one the file was exported from, not another run with that id
    const std::string uuid = info.value("uuid", "");
    if (!std::filesystem::is_regular_file(db)) throw std::runtime_error(o.tnnPath + ": its run store " + db + " is not a file");
    const auto rec = store::RunStore(db).run(runId);
    if (!rec) throw std::runtime_error(db + ": no run " + std::to_string(runId) + ", which " + o.tnnPath + " was exported from");
    if (!uuid.empty() && rec->uuid != uuid)
      throw std::runtime_error(db + ": run " + std::to_string(runId) + " is not the run " + o.tnnPath +
                               " was exported from (uuid " + rec->uuid + ", the file names " + uuid +
                               "); pass the store it came from with --db");
  }
  auto run = report::loadRun(db, runId);
  const double t1 = now();
  const auto tp = torchPredict(*run.net, images, o.batch);
  r.torchImagesPerSecond = n / std::max(now() - t1, 1e-9);
  std::int64_t torchCorrect = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    r.identical += tp[i] == pred[i];
    torchCorrect += tp[i] == lab[i];
  }
  r.torchAccuracy = 100.0 * torchCorrect / std::max<std::int64_t>(n, 1);
  r.compared = true;
  r.accImages = std::min<std::int64_t>(n, o.batch);
  r.accMaxAbsDiff = accumulatorDiff(*run.net, engine, images.slice(0, 0, r.accImages), r.threads);
  return r;
}

}  // namespace ternlab::engine
