// Packed inference engine: .tnn format, damaged files, BatchNorm folding, agreement with LibTorch.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "TestDir.h"
#include "TinyTnn.h"

#include "config/ExperimentConfig.h"
#include "data/Dataset.h"
#include "engine/Checksum.h"
#include "engine/Engine.h"
#include "nn/SyncBatchNorm.h"
#include "engine/InferRunner.h"
#include "engine/TnnExport.h"
#include "engine/TnnFile.h"
#include "engine/TorchCheck.h"
#include "io/Deflate.h"
#include "kernels/Base3.h"
#include "nn/TernaryNet.h"
#include "report/RunModel.h"
#include "train/ExperimentRunner.h"

using namespace ternlab;
namespace fs = std::filesystem;

namespace {

using testsupport::tinyModel;
fs::path freshDir() { return testsupport::freshTestDir("engine"); }

std::string readAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void writeAll(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(s.data(), static_cast<std::streamsize>(s.size()));
}

std::string errorOf(const fs::path& p) {
  try {
    engine::readTnn(p.string());
  } catch (const engine::TnnError& e) {
    return e.what();
  }
  return "";
}

// Trains a tiny LeNet-5 (1000 images, one epoch, one thread) and exports it; returns the run id.
std::int64_t trainTiny(const std::string& quantJson, const std::string& db) {
  auto cfg = config::parseExperimentText(R"({"name": "engine-test", "dataset": {"name": "fashion-mnist",
      "train_limit": 1000, "test_limit": 100}, "quant": )" + quantJson + R"(, "epochs": 1, "batch_size": 64,
      "threads": 1, "seed": 5, "log_interval": 100})");
  train::TrainingObserver obs;
  train::StopToken stop;
  const auto out = train::runExperiment(cfg, {db}, obs, stop);
  EXPECT_EQ(out.status, store::RunStatus::Finished) << out.error;
  return out.runId;
}

at::Tensor testImages(std::int64_t n) {
  auto pair = data::loadDataset("fashion-mnist", data::defaultDatasetPath("fashion-mnist"), 1000, n);
  return pair.test.images.to(torch::kFloat32).contiguous();
}

}  // namespace

TEST(TnnFile, RoundTripKeepsEveryField) {
  const auto dir = freshDir();
  const auto m = tinyModel();
  const auto bytes = engine::writeTnn(m, (dir / "m.tnn").string());
  EXPECT_EQ(bytes, fs::file_size(dir / "m.tnn"));
  const auto r = engine::readTnn((dir / "m.tnn").string());
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.inC, 2);
  EXPECT_EQ(r.classes, 3);
  EXPECT_EQ(r.layers[0].codes, m.layers[0].codes);
  EXPECT_EQ(r.layers[0].scale, m.layers[0].scale);
  EXPECT_EQ(r.layers[0].bias, m.layers[0].bias);
  EXPECT_EQ(r.layers[0].thrNeg, m.layers[0].thrNeg);
  EXPECT_EQ(r.layers[0].thrPos, m.layers[0].thrPos);
  EXPECT_EQ(r.layers[0].mode, engine::LayerMode::TernarySignedAct);
  EXPECT_EQ(r.layers[1].weights, m.layers[1].weights);
  EXPECT_EQ(r.layers[1].kind, nn::LayerKind::Linear);
  ASSERT_EQ(r.program.size(), 3u);
  EXPECT_EQ(r.program[0].act, engine::ActKind::Relu);
  EXPECT_EQ(r.program[2].layer, 1);
  EXPECT_EQ(r.info["uuid"], "abc");
  // The same network runs before and after the round trip with identical logits.
  std::vector<float> x(2 * 2 * 4 * 4);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * static_cast<float>(i));
  engine::Engine a(m), b(r);
  EXPECT_EQ(a.run(x.data(), 2), b.run(x.data(), 2));
}

TEST(TnnFile, DamagedOrForeignFilesNameTheFileAndTheFault) {
  const auto dir = freshDir();
  const auto good = dir / "good.tnn";
  engine::writeTnn(tinyModel(), good.string());
  const std::string bytes = readAll(good);

  writeAll(dir / "cut.tnn", bytes.substr(0, bytes.size() - 20));
  auto e = errorOf(dir / "cut.tnn");
  EXPECT_NE(e.find("cut.tnn"), std::string::npos) << e;
  EXPECT_NE(e.find("truncated"), std::string::npos) << e;

  std::string flipped = bytes;
  flipped[bytes.size() - 40] ^= 0x10;
  writeAll(dir / "flip.tnn", flipped);
  e = errorOf(dir / "flip.tnn");
  EXPECT_NE(e.find("flip.tnn"), std::string::npos) << e;
  EXPECT_NE(e.find("checksum"), std::string::npos) << e;

  writeAll(dir / "foreign.tnn", "PK\x03\x04 this is a zip, not a network");
  e = errorOf(dir / "foreign.tnn");
  EXPECT_NE(e.find("foreign.tnn"), std::string::npos) << e;
  EXPECT_NE(e.find("not a .tnn"), std::string::npos) << e;

  std::string newer = bytes;
  newer[8] = 99;
  writeAll(dir / "newer.tnn", newer);
  e = errorOf(dir / "newer.tnn");
  EXPECT_NE(e.find("version 99"), std::string::npos) << e;

  e = errorOf(dir / "missing.tnn");
  EXPECT_NE(e.find("missing.tnn"), std::string::npos) << e;

  // The manifest is deflated (flags bit 0); a damaged stream with a matching checksum, or unknown flags, is refused.
  std::uint32_t flags = 0;
  std::memcpy(&flags, bytes.data() + 12, 4);
  EXPECT_EQ(flags, engine::kTnnManifestDeflated);
  std::string badStream = bytes;
  badStream[26] ^= 0x55;  // inside the zlib stream, past its two-byte header
  const std::uint64_t sum =
      engine::fnv1a64(reinterpret_cast<const unsigned char*>(badStream.data()), badStream.size() - 8);
  std::memcpy(badStream.data() + badStream.size() - 8, &sum, 8);
  writeAll(dir / "stream.tnn", badStream);
  e = errorOf(dir / "stream.tnn");
  EXPECT_NE(e.find("stream.tnn: manifest:"), std::string::npos) << e;

  std::string flagged = bytes;
  flagged[12] = 6;
  writeAll(dir / "flags.tnn", flagged);
  e = errorOf(dir / "flags.tnn");
  EXPECT_NE(e.find("unknown flags 6"), std::string::npos) << e;
}

// The deflate helper: a round trip, and a bound on what a stream may inflate to.
TEST(Deflate, RoundTripsAndBoundsTheInflatedSize) {
  const std::string text(100000, 'a');
  const auto z = io::deflateText(text);
  EXPECT_LT(z.size(), 1000u);
  EXPECT_EQ(io::inflateText(z, text.size()), text);
  EXPECT_THROW(io::inflateText(z, text.size() - 1), std::runtime_error);
  EXPECT_THROW(io::inflateText(z.substr(0, z.size() / 2), text.size()), std::runtime_error);  // cut short
  EXPECT_THROW(io::inflateText(z + "x", text.size()), std::runtime_error);                    // bytes after the end
}

TEST(BatchNormEval, IsXTimesScalePlusShiftRoundedStepByStep) {
  torch::manual_seed(3);
  torch::NoGradGuard g;
  const int C = 6;
  nn::BatchNorm bn(C);
  bn->running_mean.uniform_(-1, 1);
  bn->running_var.uniform_(0.2, 3);
  bn->weight.uniform_(0.5, 2);
  bn->bias.uniform_(-1, 1);
  bn->eval();
  const auto x = torch::randn({2, C, 7, 7});
  const auto y = bn(x);
  // LibTorch's own eval BatchNorm: the same numbers up to its rounding.
  const auto ref = torch::batch_norm(x, bn->weight, bn->bias, bn->running_mean, bn->running_var, false, 0.1, 1e-5, false);
  EXPECT_LT((y - ref).abs().max().item<double>(), 1e-5);
  // Bit for bit the engine's epilogue: s and t from double, then fl(fl(x·s) + t) per element.
  const auto [scale, shift] = bn->evalAffine();
  for (int c = 0; c < C; ++c) {
    const double s = bn->weight[c].item<double>() / std::sqrt(bn->running_var[c].item<double>() + 1e-5);
    const double t = bn->bias[c].item<double>() - bn->running_mean[c].item<double>() * s;
    ASSERT_EQ(scale[c].item<float>(), static_cast<float>(s));
    ASSERT_EQ(shift[c].item<float>(), static_cast<float>(t));
    for (int i = 0; i < 49; ++i) {
      volatile float prod = x[1][c].flatten()[i].item<float>() * static_cast<float>(s);
      const float expect = prod + static_cast<float>(t);
      ASSERT_EQ(y[1][c].flatten()[i].item<float>(), expect) << "channel " << c << ", value " << i;
    }
  }
}

TEST(EngineVsTorchIntegration, TrainedLeNetTwnWeightsAgreeWithLibTorch) {
  const auto dir = freshDir();
  const auto db = (dir / "runs.sqlite").string();
  const auto id = trainTiny(R"({"weights": {"scheme": "twn"}})", db);
  const auto path = (dir / "lenet.tnn").string();
  const auto ex = engine::exportTnn(id, db, path);
  EXPECT_EQ(ex.ternaryLayers, 3);
  engine::Engine eng(engine::readTnn(path));
  EXPECT_EQ(eng.model().info["run_id"], id);
  const auto x = testImages(500);
  const auto mine = eng.predict(x.data_ptr<float>(), 500, {});
  auto run = report::loadRun(db, id);
  const auto ref = engine::torchPredict(*run.net, x);
  int same = 0;
  for (int i = 0; i < 500; ++i) same += mine[i] == ref[i];
  // FP activations through the int8 kernel (per-image scale): near-ties may flip, nothing more.
  EXPECT_GE(same, 495) << "identical predictions " << same << " / 500";
  // The fp32 x ternary path differs from LibTorch only in summation order: every prediction equal.
  engine::EngineOptions exact;
  exact.fp32Activations = true;
  const auto fp = eng.predict(x.data_ptr<float>(), 500, exact);
  int sameFp = 0;
  for (int i = 0; i < 500; ++i) sameFp += fp[i] == ref[i];
  EXPECT_EQ(sameFp, 500);
  std::printf("[ info ] weights-only TWN LeNet: identical predictions int8 %d / 500, fp32 %d / 500\n", same, sameFp);
}

TEST(EngineVsTorchIntegration, TernaryActivationsGiveEqualAccumulatorsAndPredictions) {
  const auto dir = freshDir();
  const auto db = (dir / "runs.sqlite").string();
  const auto id = trainTiny(R"({"weights": {"scheme": "twn"}, "activations": {"scheme": "lsq"}})", db);
  const auto path = (dir / "lenet-act.tnn").string();
  engine::exportTnn(id, db, path);
  engine::Engine eng(engine::readTnn(path));
  EXPECT_EQ(eng.model().layers[1].mode, engine::LayerMode::TernaryHalfAct);
  const auto x = testImages(500);
  auto run = report::loadRun(db, id);
  const auto diff = engine::accumulatorDiff(*run.net, eng, x, 1);
  EXPECT_EQ(diff.size(), 3u);
  for (const auto& [layer, d] : diff) EXPECT_EQ(d, 0) << layer;
  const auto mine = eng.predict(x.data_ptr<float>(), 500, {});
  const auto ref = engine::torchPredict(*run.net, x);
  int same = 0;
  for (int i = 0; i < 500; ++i) same += mine[i] == ref[i];
  EXPECT_EQ(same, 500) << "identical predictions " << same << " / 500";
}

// Eq. 9 in front of asym for weights and activations: the engine has no γ (or μ, σ) operation — γ·k and the
// shift are folded into the activation thresholds and the weight scale into the epilogue — and still
// reproduces the training graph's eval forward (running statistics make it independent of the batch).
// A .tnn checked against another store whose run has the same id (here an FP run) is refused by uuid, naming
// both, and the accumulator check refuses a LibTorch model without the file's quantized layers (no crash).
TEST(EngineVsTorchIntegration, ComparisonWithAnotherStoresRunIsRefusedNamingIt) {
  const auto dir = freshDir();
  const auto db = (dir / "runs.sqlite").string(), other = (dir / "other.sqlite").string();
  const auto id = trainTiny(R"({"weights": {"scheme": "twn"}, "activations": {"scheme": "lsq"}})", db);
  const auto otherId = trainTiny(R"({})", other);
  ASSERT_EQ(otherId, id);  // the same id names a different run there
  const auto path = (dir / "lenet.tnn").string();
  engine::exportTnn(id, db, path);
  engine::InferOptions o;
  o.tnnPath = path, o.db = other, o.limit = 64, o.batch = 64;
  try {
    engine::runInference(o);
    FAIL() << "inference compared against a foreign run";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(other), std::string::npos) << msg;
    EXPECT_NE(msg.find("is not the run"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--db"), std::string::npos) << msg;
  }
  o.db = (dir / "missing.sqlite").string();
  EXPECT_THROW(engine::runInference(o), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(o.db));  // nothing created on the way
  o.db = db;
  EXPECT_TRUE(engine::runInference(o).compared);
  engine::Engine eng(engine::readTnn(path));
  auto fp = report::loadRun(other, otherId);
  EXPECT_THROW(engine::accumulatorDiff(*fp.net, eng, testImages(8), 1), std::runtime_error);
}

TEST(EngineVsTorchIntegration, UniformNormalisationFoldsIntoThresholdsAndScales) {
  const auto dir = freshDir();
  const auto db = (dir / "runs.sqlite").string();
  const auto id = trainTiny(R"({"weights": {"scheme": "asym", "uniform": "gaussian"},
                                "activations": {"scheme": "asym", "uniform": "half-gaussian"}})", db);
  const auto path = (dir / "lenet-uniform.tnn").string();
  engine::exportTnn(id, db, path);
  engine::Engine eng(engine::readTnn(path));
  const auto x = testImages(500);
  auto run = report::loadRun(db, id);
  for (const auto& [layer, d] : engine::accumulatorDiff(*run.net, eng, x, 1)) EXPECT_EQ(d, 0) << layer;
  const auto mine = eng.predict(x.data_ptr<float>(), 500, {});
  // The eval forward of 500 images at once and of each image alone agree: no batch statistics in eval.
  const auto ref = engine::torchPredict(*run.net, x);
  const auto alone = engine::torchPredict(*run.net, x.slice(0, 0, 20));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(alone[i], ref[i]) << "image " << i;
  int same = 0;
  for (int i = 0; i < 500; ++i) same += mine[i] == ref[i];
  EXPECT_EQ(same, 500) << "identical predictions " << same << " / 500";
}

namespace {
// One architecture x scheme of the engine coverage: an untrained network (small width) exported and run on
// random images. Integer accumulators must equal the graph's for every ternary-activation layer; logits equal
// the graph's bit for bit (within fp32 noise for FP activations); the unfused pipeline (floats between layers)
// gives the same logits.
struct CoverageCase {
  const char* name;
  const char* arch;
  double width;
  const char* activation;  // relu | rprelu
  const char* quant;
  int ternaryActLayers;    // layers with accumulators to compare (-1: not checked)
};

void PrintTo(const CoverageCase& c, std::ostream* os) { *os << c.name; }

class EngineCoverage : public ::testing::TestWithParam<CoverageCase> {};

TEST_P(EngineCoverage, AccumulatorsEqualAndLogitsAgreeWithTheGraph) {
  const auto& c = GetParam();
  torch::manual_seed(11);
  const auto cfg = config::parseExperimentText(std::string(R"({"model": {"arch": ")") + c.arch + R"(", "width": )" +
                                               std::to_string(c.width) + R"(, "activation": ")" + c.activation +
                                               R"("}, "quant": )" + c.quant + "}");
  nn::InputShape in;
  in.channels = 1;
  in.size = 28;
  auto net = nn::makeModel(cfg.model, in);
  nn::applyQuantPolicy(*net, cfg.quant);
  {  // RPReLU starts as a plain PReLU: move its shifts off zero so they matter
    torch::NoGradGuard g;
    for (auto& p : net->named_parameters())
      if (p.key().find("rprelu.shift") != std::string::npos) p.value().uniform_(-0.3, 0.3);
  }
  const auto x = torch::randn({4, 1, 28, 28});
  // Through a .tnn file, as `infer` runs it: every field (RPReLU parameters, sign-split planes) must survive.
  const auto dir = freshDir();
  const auto file = (dir / "net.tnn").string();
  engine::writeTnn(engine::buildTnn(*net, cfg, x), file);
  engine::Engine eng(engine::readTnn(file));
  const auto diff = engine::accumulatorDiff(*net, eng, x, 2);
  if (c.ternaryActLayers >= 0) EXPECT_EQ(static_cast<int>(diff.size()), c.ternaryActLayers);
  for (const auto& [layer, d] : diff) EXPECT_EQ(d, 0) << layer;
  torch::NoGradGuard g;
  net->eval();
  const auto ref = net->forward(x).contiguous();
  const auto got = eng.run(x.data_ptr<float>(), 4, {});
  const auto gotT = torch::from_blob(const_cast<float*>(got.data()), {4, 10});
  engine::EngineOptions unfused;
  unfused.fuse = false;
  EXPECT_EQ(eng.run(x.data_ptr<float>(), 4, unfused), got);
  engine::EngineOptions two;
  two.threads = 2;
  EXPECT_EQ(eng.run(x.data_ptr<float>(), 4, two), got);
  // A batch larger than one pass goes through the network in cache-sized groups of images: each image alone
  // gives the batch's prediction and its logits, up to LibTorch's FP edge layers, whose rounding depends on the
  // batch size (and can move a code at a threshold).
  const int many = 40;
  const auto xs = torch::randn({many, 1, 28, 28});
  const auto batch = eng.run(xs.data_ptr<float>(), many, {});
  // Two workers running whole passes side by side give the one-thread logits bit for bit.
  EXPECT_EQ(eng.run(xs.data_ptr<float>(), many, two), batch);
  EXPECT_EQ(eng.lastWorkers(), 2);
  const auto top = [](const float* l) { return std::max_element(l, l + 10) - l; };
  for (int i = 0; i < many; ++i) {
    const auto one = eng.run(xs.data_ptr<float>() + i * 28 * 28, 1, {});
    EXPECT_EQ(top(one.data()), top(batch.data() + i * 10)) << "image " << i;
    float scale = 1;
    for (int k = 0; k < 10; ++k) scale = std::max(scale, std::fabs(batch[i * 10 + k]));
    for (int k = 0; k < 10; ++k) EXPECT_NEAR(one[k], batch[i * 10 + k], 1e-3 * scale) << "image " << i;
  }
  if (c.ternaryActLayers > 0) {
    // Ternary activations: the engine computes the eval forward's own float operations in its order (plane
    // sums times their scales, BatchNorm's x·scale + shift, residual adds, RPReLU, the double GAP, the FP
    // layers through the same ATen calls), so the logits are the graph's to the bit, not merely close.
    EXPECT_EQ((gotT - ref).abs().max().item<double>(), 0.0) << c.name;
  } else {  // FP activations run through int8 with a per-image scale: close, not equal
    EXPECT_LT((gotT - ref).abs().max().item<double>(), 2e-3 * (1 + ref.abs().max().item<double>())) << c.name;
  }
}

constexpr const char* kLsq = R"({"weights": {"scheme": "lsq"}, "activations": {"scheme": "lsq"}})";
constexpr const char* kSigned = R"({"weights": {"scheme": "asym", "uniform": "gaussian"},
    "activations": {"scheme": "asym", "uniform": "gaussian", "options": {"signed_act": 1}}})";

INSTANTIATE_TEST_SUITE_P(
    ArchitecturesAndSchemes, EngineCoverage,
    ::testing::Values(
        CoverageCase{"resnet20_lsq_half", "resnet20", 0.5, "relu", kLsq, 18},
        CoverageCase{"resnet20_twn_signed", "resnet20", 0.5, "relu",
                     R"({"weights": {"scheme": "twn"}, "activations": {"scheme": "twn"}})", 18},
        CoverageCase{"resnet20_rprelu_signed", "resnet20", 0.5, "rprelu", kSigned, 18},
        CoverageCase{"resnet20_ttq_weights_lsq_act", "resnet20", 0.5, "relu",
                     R"({"weights": {"scheme": "ttq"}, "activations": {"scheme": "lsq"}})", 18},
        CoverageCase{"resnet20_rel3_ics", "resnet20", 0.5, "relu",
                     R"({"weights": {"scheme": "ics", "branches": 3}, "activations": {"scheme": "lsq"}})", 18},
        CoverageCase{"resnet20_ternary_last_layer", "resnet20", 0.5, "relu",
                     R"({"weights": {"scheme": "lsq"}, "activations": {"scheme": "lsq"}, "last_layer": "ternary"})", 19},
        CoverageCase{"resnet18_lsq_projection", "resnet18", 0.125, "relu", kLsq, 19},
        CoverageCase{"vggs_lsq", "vgg-s", 0.125, "relu", kLsq, 5},
        CoverageCase{"vggs_rprelu_signed", "vgg-s", 0.125, "rprelu", kSigned, 5},
        CoverageCase{"lenet5_rprelu_signed", "lenet5", 1.0, "rprelu", kSigned, 3},
        CoverageCase{"lenet5_fatnn", "lenet5", 1.0, "relu",
                     R"({"weights": {"scheme": "fatnn"}, "activations": {"scheme": "fatnn"}})", 3},
        CoverageCase{"lenet5_ttq_weights_only", "lenet5", 1.0, "relu", R"({"weights": {"scheme": "ttq"}})", 0}),
    [](const ::testing::TestParamInfo<CoverageCase>& i) { return std::string(i.param.name); });

}  // namespace

namespace {
// What buildTnn says when it refuses the (untrained) model of an experiment; "" if it exports.
std::string tnnRefusal(const std::string& experimentJson) {
  const auto cfg = config::parseExperimentText(experimentJson);
  nn::InputShape in;
  auto net = nn::makeModel(cfg.model, in);
  nn::applyQuantPolicy(*net, cfg.quant);
  try {
    engine::buildTnn(*net, cfg, torch::randn({2, 1, 28, 28}));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(TnnExport, RelBranchesAndTtqScalesBecomeWeightPlanes) {
  for (const char* q : {R"({"weights": {"scheme": "twn", "branches": 2}})", R"({"weights": {"scheme": "ttq"}})"}) {
    const auto cfg = config::parseExperimentText(std::string(R"({"quant": )") + q + "}");
    nn::InputShape in;
    auto net = nn::makeModel(cfg.model, in);
    nn::applyQuantPolicy(*net, cfg.quant);
    {  // TTQ starts with W_p = W_n (one scale would do): make them differ as after training
      torch::NoGradGuard g;
      net->forward(torch::randn({2, 1, 28, 28}));  // TTQ initialises W_p, W_n on its first forward
      for (auto& p : net->named_parameters())
        if (p.key().size() >= 2 && p.key().substr(p.key().size() - 2) == "wn") p.value().fill_(0.6);
    }
    const auto m = engine::buildTnn(*net, cfg, torch::randn({2, 1, 28, 28}));
    EXPECT_EQ(m.layers[1].planes, 2) << q;
    EXPECT_EQ(m.layers[1].scale.size(), 2u * m.layers[1].outC) << q;
    // Round trip: the same planes back; TTQ's sign-split planes are stored as one code tensor.
    const auto dir = freshDir();
    const auto bytes = engine::writeTnn(m, (dir / "m.tnn").string());
    const auto r = engine::readTnn((dir / "m.tnn").string());
    for (std::size_t i = 0; i < m.layers.size(); ++i) EXPECT_EQ(r.layers[i].codes, m.layers[i].codes) << q << " layer " << i;
    auto twoPlanes = m;  // a code that no sign split has: both planes are stored
    for (auto& l : twoPlanes.layers)
      if (l.planes == 2) l.codes[0] = -1, l.codes[l.weightCount()] = 1;
    const auto unsplit = engine::writeTnn(twoPlanes, (dir / "two.tnn").string());
    std::size_t planeBytes = 0;
    for (const auto& l : m.layers)
      if (l.planes == 2) planeBytes += kernels::base3Bytes(l.weightCount());
    const bool ttq = std::string(q).find("ttq") != std::string::npos;
    if (ttq)  // one plane's bytes fewer (up to base-3 rounding and the manifest's longer weights tag)
      EXPECT_GT(unsplit - bytes, planeBytes * 9 / 10) << q;
    else
      EXPECT_EQ(unsplit, bytes) << q;
    std::vector<float> x(2 * 28 * 28);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.11f * static_cast<float>(i));
    engine::Engine a(m), b(r);
    EXPECT_EQ(a.run(x.data(), 2), b.run(x.data(), 2)) << q;
  }
}

TEST(TnnExport, RpreluNetworksExportWithTheirParameters) {
  EXPECT_EQ(tnnRefusal(R"({"model": {"arch": "resnet20", "width": 0.5, "activation": "rprelu"},
                           "quant": {"weights": {"scheme": "twn"}}})"),
            "");
}

// Files written before RPReLU parameters moved into the payload keep them as JSON arrays in the manifest:
// still read, with the same values.
TEST(TnnFileIntegration, OlderRpreluArraysInTheManifestAreRead) {
  const auto cfg = config::parseExperimentText(R"({"model": {"arch": "lenet5", "activation": "rprelu"},
                                                  "quant": {"weights": {"scheme": "twn"}, "activations": {"scheme": "lsq"}}})");
  nn::InputShape in;
  auto net = nn::makeModel(cfg.model, in);
  nn::applyQuantPolicy(*net, cfg.quant);
  {
    torch::NoGradGuard g;
    for (auto& p : net->named_parameters())
      if (p.key().find("rprelu.shift") != std::string::npos) p.value().uniform_(-0.3, 0.3);
  }
  const auto m = engine::buildTnn(*net, cfg, torch::randn({4, 1, 28, 28}));
  ASSERT_FALSE(m.rprelu.empty());
  const auto dir = freshDir();
  const auto path = (dir / "new.tnn").string();
  engine::writeTnn(m, path);
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data() + 16, 8);
  auto manifest = nlohmann::json::parse(io::inflateText(bytes.substr(24, n), engine::kMaxTnnManifestBytes));
  for (std::size_t i = 0; i < m.rprelu.size(); ++i) {  // the older form
    auto& r = manifest["rprelu"][i];
    r.erase("channels"), r.erase("offset");
    r["shift_in"] = m.rprelu[i].shiftIn, r["slope"] = m.rprelu[i].slope, r["shift_out"] = m.rprelu[i].shiftOut;
  }
  const std::string text = manifest.dump();
  std::string old = bytes.substr(0, 8);  // version 2, flags 0: a plain JSON manifest
  const std::uint32_t version = 2, flags = 0;
  old.append(reinterpret_cast<const char*>(&version), 4);
  old.append(reinterpret_cast<const char*>(&flags), 4);
  const std::uint64_t len = text.size();
  old.append(reinterpret_cast<const char*>(&len), 8);
  old += text;
  old += bytes.substr(24 + n, bytes.size() - 8 - (24 + n));  // payload length and payload, as they were
  const std::uint64_t sum = engine::fnv1a64(reinterpret_cast<const unsigned char*>(old.data()), old.size());
  old.append(reinterpret_cast<const char*>(&sum), 8);
  const auto oldPath = (dir / "old.tnn").string();
  std::ofstream(oldPath, std::ios::binary) << old;
  const auto r = engine::readTnn(oldPath);
  ASSERT_EQ(r.rprelu.size(), m.rprelu.size());
  for (std::size_t i = 0; i < m.rprelu.size(); ++i) {
    EXPECT_EQ(r.rprelu[i].shiftIn, m.rprelu[i].shiftIn);
    EXPECT_EQ(r.rprelu[i].slope, m.rprelu[i].slope);
    EXPECT_EQ(r.rprelu[i].shiftOut, m.rprelu[i].shiftOut);
  }
  EXPECT_EQ(engine::readTnn(path).rprelu[0].slope, m.rprelu[0].slope);
}

TEST(TnnFile, ProgramFaultsAreRefusedWhenReadNamingTheStep) {
  const auto dir = freshDir();
  auto m = tinyModel();
  m.program[2].layer = 5;  // a layer that does not exist
  EXPECT_THROW(engine::Engine{m}, std::invalid_argument);
  m = tinyModel();
  m.layers[0].codes[3] = 2;  // not a ternary code
  try {
    engine::validateProgram(m);
    ADD_FAILURE() << "a code of 2 was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("layer conv"), std::string::npos) << e.what();
  }
  m = tinyModel();
  m.layers[1].inC = 63;  // flatten gives 64 features
  m.layers[1].weights.resize(m.layers[1].weightCount());
  try {
    engine::validateProgram(m);
    ADD_FAILURE() << "a feature count mismatch was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("program step 2"), std::string::npos) << e.what();
  }
}
