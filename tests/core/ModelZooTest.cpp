// The model zoo: every architecture takes 1×28×28 and 3×32×32, lists its layers stem-first, and
// ResNet-20 has the 0.27 M parameters of He et al. (2016), Table 6.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nn/TernaryNet.h"

using namespace ternlab;

TEST(ModelZoo, EveryArchitectureTakesBothInputShapes) {
  for (const char* arch : {"lenet5", "vgg-s", "resnet20", "resnet18"}) {
    for (auto shape : {nn::InputShape{1, 28, 10}, nn::InputShape{3, 32, 10}}) {
      config::ModelSpec spec;
      spec.arch = arch;
      spec.width = std::string(arch) == "resnet18" || std::string(arch) == "vgg-s" ? 0.25 : 1.0;
      auto net = nn::makeModel(spec, shape);
      net->eval();
      auto y = net->forward(torch::randn({2, shape.channels, shape.size, shape.size}));
      EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{2, 10})) << arch << " " << shape.size;
      const auto& layers = net->quantLayers();
      ASSERT_GE(layers.size(), 3u);
      EXPECT_EQ(layers.front()->layerName(), "conv1") << arch;
      EXPECT_EQ(layers.back()->kind(), "linear") << arch;
      // Every layer name is the dotted module path of its weight.
      auto params = net->named_parameters(true);
      for (auto* l : layers) EXPECT_TRUE(params.contains(l->layerName() + ".weight")) << arch << " " << l->layerName();
    }
  }
}

TEST(ModelZoo, ResNet20HasTheParameterCountOfTheOriginal) {
  config::ModelSpec spec;
  spec.arch = "resnet20";
  auto net = nn::makeModel(spec, {3, 32, 10});
  std::int64_t n = 0;
  for (const auto& p : net->parameters()) n += p.numel();
  EXPECT_GT(n, 260000);
  EXPECT_LT(n, 280000);
  EXPECT_EQ(net->quantLayers().size(), 20u);  // 19 convolutions + 1 classifier: the "20"
}

TEST(ModelZoo, UnknownArchitectureIsRejected) {
  config::ModelSpec spec;
  spec.arch = "alexnet";
  EXPECT_THROW(nn::makeModel(spec, {1, 28, 10}), std::invalid_argument);
}
