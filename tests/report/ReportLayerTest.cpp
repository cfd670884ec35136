// The model summary (report): parameters, bits, memory FP vs packed, MACs, density, hand-computed for LeNet-5.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nn/TernaryNet.h"
#include "report/EnergyModel.h"
#include "report/LayerReport.h"

using namespace ternlab;

TEST(ReportLayer, LeNetSummaryMatchesHandCounts) {
  torch::manual_seed(2);
  config::QuantPolicy p;
  p.weights.scheme = "ics";
  p.weights.factor = 0.05;
  p.layerWeights["fc2"].scheme = "ics";
  p.layerWeights["fc2"].factor = 0.05;
  p.layerWeights["fc2"].branches = 2;
  p.layerWeights["fc2"].betas = {0.05, 0.1};
  p.activations.scheme = "lsq";
  auto net = nn::makeModel(config::ModelSpec{}, nn::InputShape{1, 28, 10});
  nn::applyQuantPolicy(*net, p);
  const auto r = report::summarize(*net, torch::rand({4, 1, 28, 28}));
  ASSERT_EQ(r.layers.size(), 5u);
  const auto& conv1 = r.layers[0];
  EXPECT_EQ(conv1.scheme, "none");
  EXPECT_EQ(conv1.params, 150);
  EXPECT_EQ(conv1.weightBits, 32);
  EXPECT_EQ(conv1.macs, 6 * 28 * 28 * 25);  // padded 28×28 → 28×28 outputs, 1×5×5 each
  EXPECT_DOUBLE_EQ(conv1.compression(), 1.0);
  const auto& conv2 = r.layers[1];
  EXPECT_EQ(conv2.params, 16 * 6 * 25);
  EXPECT_EQ(conv2.weightBits, 2);
  EXPECT_EQ(conv2.activationBits, 2);
  EXPECT_EQ(conv2.macs, 16 * 10 * 10 * 6 * 25);
  EXPECT_DOUBLE_EQ(conv2.fpBytes, 2400 * 4.0);
  EXPECT_DOUBLE_EQ(conv2.packedBytes, 2400 * 2 / 8.0 + 4.0);  // 2-bit codes + one 32-bit α
  const auto codes = net->quantLayers()[1]->weightQuantizer()->lastCodes()[0];
  EXPECT_DOUBLE_EQ(conv2.density, codes.ne(0).sum().item<double>() / 2400.0);
  EXPECT_NEAR(conv2.compression(), 9600.0 / 604.0, 1e-12);
  const auto& fc2 = r.layers[3];  // REL T_ex = 2: two code tensors, two scales
  EXPECT_EQ(fc2.branches, 2);
  EXPECT_EQ(fc2.weightBits, 4);
  EXPECT_DOUBLE_EQ(fc2.packedBytes, 84 * 120 * 2 * 2 / 8.0 + 2 * 4.0);
  EXPECT_EQ(fc2.branchDensity.size(), 2u);
  EXPECT_GT(fc2.branchDensity[0], fc2.branchDensity[1]);
  const auto& fc3 = r.layers[4];
  EXPECT_EQ(fc3.params, 84 * 10 + 10);
  EXPECT_DOUBLE_EQ(fc3.packedBytes, fc3.fpBytes);
  std::int64_t params = 0;
  for (const auto& l : r.layers) params += l.params;
  EXPECT_EQ(r.total.params, params);
  const auto j = report::toJson(r);
  EXPECT_EQ(j["layers"].size(), 5u);
  EXPECT_EQ(j["layers"][1]["memory_packed_bytes"], 604.0);
  EXPECT_NE(report::formatTable(r).find("conv2"), std::string::npos);
}

// The energy estimate by hand (Horowitz ISSCC 2014 figures): an FP layer of 1000 MACs and 10 weights is
// 1000 · 4.6 pJ + 320 bits · 10/64 pJ; a ternary W+A layer of the same size 1000 · 0.3/64 pJ + 20 bits · 10/64 pJ.
TEST(ReportEnergy, EstimateFollowsTheCitedPerOperationFigures) {
  ternlab::report::LayerRow fp;
  fp.macs = 1000, fp.params = 10, fp.branches = 0, fp.activationBits = 32;
  EXPECT_NEAR(ternlab::report::estimatedEnergyPj(fp), 4600.0 + 50.0, 1e-9);
  ternlab::report::LayerRow t = fp;
  t.branches = 1, t.activationBits = 2;
  EXPECT_NEAR(ternlab::report::estimatedEnergyPj(t), 1000.0 * 0.3 / 64 + 20 * 10.0 / 64, 1e-9);
  ternlab::report::LayerRow w = t;  // ternary weights, FP (int8 at run time) activations: nonzero MACs only
  w.activationBits = 32, w.effectiveMacs = 400;
  EXPECT_NEAR(ternlab::report::estimatedEnergyPj(w), 400 * 0.03 + 20 * 10.0 / 64, 1e-9);
}
