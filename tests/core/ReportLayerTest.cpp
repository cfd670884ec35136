// The model summary (report): parameters, bits, memory FP vs packed, MACs, density, hand-computed for LeNet-5.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nn/TernaryNet.h"
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
