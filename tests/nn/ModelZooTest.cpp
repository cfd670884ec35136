// The model zoo: every architecture takes 1×28×28 and 3×32×32, lists its layers stem-first, and
// ResNet-20 has the 0.27 M parameters of He et al. (2016), Table 6.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nn/TernaryNet.h"

using namespace ternlab;

namespace {
std::int64_t countParams(torch::nn::Module& m) {
  std::int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}
}  // namespace

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
      EXPECT_EQ(layers.back()->kind(), nn::LayerKind::Linear) << arch;
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
  const auto n = countParams(*net);
  EXPECT_GT(n, 260000);
  EXPECT_LT(n, 280000);
  EXPECT_EQ(net->quantLayers().size(), 20u);  // 19 convolutions + 1 classifier: the "20"
}

TEST(ModelZoo, UnknownArchitectureIsRejected) {
  config::ModelSpec spec;
  spec.arch = "alexnet";
  EXPECT_THROW(nn::makeModel(spec, {1, 28, 10}), std::invalid_argument);
}

// model.activation = rprelu (the asymmetric paper's activation layer): every BatchNorm is followed by its own
// RPReLU, 3 parameters per channel, and nothing else changes — with slope 0 and both shifts 0 each RPReLU is
// a ReLU, so the network computes exactly what the ReLU network with the same weights computes.
TEST(ModelZoo, RpreluNetworksEqualReluNetworksAtZeroSlopeAndShift) {
  for (const char* arch : {"lenet5", "vgg-s", "resnet20", "resnet18"}) {
    config::ModelSpec spec;
    spec.arch = arch;
    spec.width = std::string(arch) == "resnet18" || std::string(arch) == "vgg-s" ? 0.25 : 1.0;
    torch::manual_seed(3);
    auto relu = nn::makeModel(spec, {1, 28, 10});
    spec.activation = "rprelu";
    auto rprelu = nn::makeModel(spec, {1, 28, 10});

    // The extra parameters are exactly the RPReLU triples, one per BatchNorm channel.
    std::int64_t bnChannels = 0, rpreluParams = 0;
    for (const auto& p : rprelu->named_parameters(true)) {
      const auto& k = p.key();
      if (k.find(".rprelu.") != std::string::npos) rpreluParams += p.value().numel();
      // Every BatchNorm but the projection shortcut's (ResNet-18) is followed by an activation.
      if (k.size() > 7 && k.compare(k.size() - 7, 7, ".weight") == 0 && k.find("bn") != std::string::npos &&
          k.find("bn_shortcut") == std::string::npos)
        bnChannels += p.value().numel();
    }
    EXPECT_GT(bnChannels, 0) << arch;
    EXPECT_EQ(rpreluParams, 3 * bnChannels) << arch;
    EXPECT_EQ(countParams(*rprelu), countParams(*relu) + rpreluParams) << arch;
    for (const auto& p : relu->named_parameters(true))
      EXPECT_EQ(p.key().find("rprelu"), std::string::npos) << arch << " " << p.key();

    torch::NoGradGuard g;
    auto relParams = relu->named_parameters(true);
    for (auto& p : rprelu->named_parameters(true)) {
      if (p.key().find(".rprelu.") != std::string::npos)
        p.value().zero_();
      else
        p.value().copy_(relParams[p.key()]);
    }
    relu->eval();
    rprelu->eval();
    const auto x = torch::randn({4, 1, 28, 28});
    const auto a = relu->forward(x), b = rprelu->forward(x);
    EXPECT_TRUE(torch::equal(a, b)) << arch << " max diff " << (a - b).abs().max().item<double>();

    // At the default slope 0.25 the negative side passes: the outputs differ.
    for (auto& p : rprelu->named_parameters(true))
      if (p.key().size() > 6 && p.key().compare(p.key().size() - 6, 6, ".slope") == 0) p.value().fill_(0.25);
    EXPECT_FALSE(torch::allclose(relu->forward(x), rprelu->forward(x))) << arch;
  }
}

// Backpropagation reaches every RPReLU's shifts and slope: they are trained with the network.
TEST(ModelZoo, RpreluParametersReceiveGradients) {
  config::ModelSpec spec;
  spec.arch = "resnet20";
  spec.activation = "rprelu";
  torch::manual_seed(4);
  auto net = nn::makeModel(spec, {1, 28, 10});
  net->train();
  const auto y = net->forward(torch::randn({8, 1, 28, 28}));
  torch::nn::functional::cross_entropy(y, torch::randint(0, 10, {8})).backward();
  int checked = 0;
  for (const auto& p : net->named_parameters(true))
    if (p.key().find(".rprelu.") != std::string::npos) {
      ASSERT_TRUE(p.value().grad().defined()) << p.key();
      EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
      ++checked;
    }
  EXPECT_EQ(checked, 3 * 19);  // stem + 2 per block × 9 blocks, 3 tensors each
}

// A layer kind is written by name (npz and .tnn) and read back by the same table; an unknown name is refused
// with the names that are known.
TEST(ModelZoo, LayerKindNamesRoundTripAndUnknownNamesAreRefused) {
  for (auto k : {nn::LayerKind::Conv, nn::LayerKind::Linear}) EXPECT_EQ(nn::parseLayerKind(nn::layerKindName(k)), k);
  EXPECT_STREQ(nn::layerKindName(nn::LayerKind::Linear), "linear");
  try {
    nn::parseLayerKind("lstm");
    ADD_FAILURE() << "lstm accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'lstm' (known: conv, linear)"), std::string::npos) << e.what();
  }
}
