// .npz writer/reader round trip and the model export: codes are the training graph's and match the formulas.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "export/ModelExport.h"
#include "io/Npz.h"
#include "nn/TernaryNet.h"
#include "train/ModelState.h"

using namespace ternlab;

namespace {
std::string tempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("ternlab-export-" + std::to_string(::getpid()) + "-" + name))
      .string();
}
const npz::Member* find(const std::vector<npz::Member>& ms, const std::string& name) {
  for (const auto& m : ms)
    if (m.name == name) return &m;
  return nullptr;
}
}  // namespace

TEST(ExportNpz, RoundTripKeepsDtypesShapesAndBytes) {
  const auto path = tempPath("rt.npz");
  std::vector<npz::Member> in = {
      {"a/f32", torch::arange(12, torch::kFloat32).reshape({3, 4}), ""},
      {"a/i8", torch::tensor({-1, 0, 1, 1}, torch::kInt8), ""},
      {"scalar", torch::tensor(2.5, torch::kFloat64), ""},
      {"l", torch::arange(5, torch::kLong).reshape({5, 1, 1}), ""},
      {"empty", torch::zeros({0}, torch::kFloat32), ""},
      {"manifest.json", at::Tensor(), "{\"x\": 1}"}};
  npz::writeNpz(path, in);
  auto out = npz::readNpz(path);
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].name, in[i].name);
    if (in[i].tensor.defined()) {
      EXPECT_EQ(out[i].tensor.scalar_type(), in[i].tensor.scalar_type()) << in[i].name;
      EXPECT_EQ(out[i].tensor.sizes(), in[i].tensor.sizes()) << in[i].name;
      EXPECT_TRUE(torch::equal(out[i].tensor, in[i].tensor)) << in[i].name;
    } else {
      EXPECT_EQ(out[i].bytes, in[i].bytes);
    }
  }
  // numpy's header layout: magic, version 1.0, 64-byte aligned header ending in a newline.
  const auto npy = npz::encodeNpy(torch::zeros({3}, torch::kFloat32));
  EXPECT_EQ(npy.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t hlen = static_cast<unsigned char>(npy[8]) | (static_cast<unsigned char>(npy[9]) << 8);
  EXPECT_EQ((10 + hlen) % 64, 0u);
  EXPECT_EQ(npy[10 + hlen - 1], '\n');
  EXPECT_NE(npy.find("'shape': (3,)"), std::string::npos);
  // A flipped data byte fails the CRC check.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    char c = 0;
    f.read(&c, 1);
    f.seekp(200);
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  EXPECT_THROW(npz::readNpz(path), std::runtime_error);
  std::filesystem::remove(path);
}

TEST(ExportNpz, ModelExportRoundTripAndCodesMatchFormulas) {
  struct Case {
    std::string scheme;
    double factor;
    int branches;
  };
  for (const Case& c : {Case{"ics", 0.05, 1}, Case{"twn", 0.7, 1}, Case{"ics", 0.05, 2}}) {
    torch::manual_seed(7);
    config::ExperimentConfig cfg;
    cfg.quant.weights.scheme = c.scheme;
    cfg.quant.weights.factor = c.factor;
    cfg.quant.weights.branches = c.branches;
    if (c.branches == 2) cfg.quant.weights.betas = {0.05, 0.1};
    cfg.quant.activations.scheme = "lsq";
    auto net = nn::makeModel(cfg.model, nn::InputShape{1, 28, 10});
    nn::applyQuantPolicy(*net, cfg.quant);
    auto batch = torch::rand({16, 1, 28, 28});
    net->eval();
    const auto before = train::captureState(*net);
    auto bundle = exporting::collectExport(*net, cfg, batch, 42);
    const auto after = train::captureState(*net);
    for (const auto& [k, t] : before) EXPECT_TRUE(torch::equal(t, after.at(k))) << k << " changed by export";
    EXPECT_FALSE(net->is_training());

    const auto path = tempPath(c.scheme + std::to_string(c.branches) + ".npz");
    exporting::writeExport(bundle, path);
    auto back = npz::readNpz(path);
    ASSERT_EQ(back.size(), bundle.members.size() + 1);
    for (const auto& m : bundle.members) {
      const auto* r = find(back, m.name);
      ASSERT_NE(r, nullptr) << m.name;
      EXPECT_TRUE(torch::equal(r->tensor, m.tensor)) << m.name;
    }
    const auto manifest = nlohmann::json::parse(find(back, "manifest.json")->bytes);
    EXPECT_EQ(manifest["run_id"], 42);
    EXPECT_EQ(manifest["arch"], "lenet5");
    EXPECT_FALSE(manifest["ternlab_version"].get<std::string>().empty());
    ASSERT_EQ(manifest["layers"].size(), net->quantLayers().size());
    EXPECT_TRUE(std::filesystem::exists(path + ".json"));

    int checked = 0;
    for (const auto& layer : manifest["layers"]) {
      const std::string name = layer["name"];
      const auto w = find(back, name + "/weight")->tensor;
      EXPECT_EQ(layer["shape"].get<std::vector<std::int64_t>>(), w.sizes().vec());
      if (!layer["ternary"].get<bool>()) {
        EXPECT_EQ(find(back, name + "/codes_b0"), nullptr);
        continue;
      }
      // Codes are exactly what the training graph used in its last forward ...
      const auto* l = net->findLayer(name);
      ASSERT_EQ(l->weightQuantizer()->lastCodes().size(), static_cast<std::size_t>(c.branches));
      for (int b = 0; b < c.branches; ++b) {
        const auto codes = find(back, name + "/codes_b" + std::to_string(b))->tensor;
        EXPECT_EQ(codes.scalar_type(), torch::kInt8);
        EXPECT_TRUE(torch::equal(codes, l->weightQuantizer()->lastCodes()[b]));
        // ... and, independently, the paper's formula applied to the exported latent weight.
        at::Tensor expected;
        const auto a = w.abs();
        if (c.scheme == "twn") {
          expected = w.sign() * a.gt(0.7 * a.mean().item<double>());
        } else {
          const double beta = c.branches == 2 ? (b == 0 ? 0.05 : 0.1) : c.factor;
          expected = w.sign() * a.ge(beta * a.max().item<double>());
        }
        EXPECT_TRUE(torch::equal(codes, expected.to(torch::kInt8))) << name << " branch " << b;
        const auto thr = find(back, name + "/thresholds_b" + std::to_string(b))->tensor;
        EXPECT_EQ(thr.numel(), 2);
        ++checked;
      }
      EXPECT_TRUE(layer.contains("activation"));
      EXPECT_EQ(layer["activation"]["codes"], "0,1,2");
    }
    EXPECT_EQ(checked, 3 * c.branches);
    std::filesystem::remove(path);
    std::filesystem::remove(path + ".json");
  }
}
