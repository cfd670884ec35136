// Every scheme through the per-layer policy on LeNet-5: builds, trains one step, codes in the right sets.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "config/SchemeCatalog.h"
#include "nn/TernaryNet.h"
#include "quant/QuantizerFactory.h"

using namespace ternlab;

namespace {
config::QuantSpec spec(const std::string& scheme, double factor = 0.0) {
  config::QuantSpec s;
  s.scheme = scheme;
  s.factor = factor;
  return s;
}
}  // namespace

TEST(QuantPolicy, EverySchemeTrainsThroughThePolicy) {
  struct Case {
    config::QuantSpec w, a;
  };
  std::vector<Case> cases;
  cases.push_back({spec("twn", 0.7), spec("none")});
  cases.push_back({spec("ttq", 0.05), spec("none")});
  cases.push_back({spec("ics", 0.05), spec("none")});
  auto rel = spec("ics", 0.05);
  rel.branches = 2;
  rel.betas = {0.05, 0.1};
  cases.push_back({rel, spec("none")});
  auto asymU = spec("asym", 0.4307);
  asymU.uniform = "gaussian";
  auto asymA = spec("asym", 0.4307);
  asymA.uniform = "half-gaussian";
  cases.push_back({spec("asym", 0.4307), spec("asym", 0.4307)});
  cases.push_back({asymU, asymA});
  cases.push_back({spec("fatnn"), spec("fatnn")});
  cases.push_back({spec("lsq"), spec("lsq")});
  torch::manual_seed(1);
  auto x = torch::rand({8, 1, 28, 28});
  auto y = torch::randint(0, 10, {8});
  for (const auto& c : cases) {
    config::ModelSpec m;
    auto net = nn::makeModel(m, nn::InputShape{1, 28, 10});
    config::QuantPolicy p;
    p.weights = c.w;
    p.activations = c.a;
    p.layerWeights["fc2"] = spec("twn", 0.7);  // per-layer override
    nn::applyQuantPolicy(*net, p);
    net->train();
    auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    ASSERT_TRUE(std::isfinite(loss.item<double>())) << c.w.scheme;
    const auto& layers = net->quantLayers();
    EXPECT_FALSE(layers.front()->ternary());
    EXPECT_FALSE(layers.back()->ternary());
    EXPECT_EQ(layers[3]->weightQuantizer()->scheme(), "twn");
    for (std::size_t i = 1; i + 1 < layers.size(); ++i) {
      auto* l = layers[i];
      const auto& codes = l->weightQuantizer()->lastCodes();
      ASSERT_EQ(static_cast<int>(codes.size()), i == 3 ? 1 : c.w.branches) << c.w.scheme;
      for (const auto& k : codes) {
        EXPECT_TRUE(k.ge(-1).all().item<bool>() && k.le(1).all().item<bool>());
        const double density = k.ne(0).to(torch::kFloat64).mean().item<double>();
        EXPECT_GT(density, 0.02) << c.w.scheme << " " << l->layerName();
        EXPECT_LT(density, 0.98) << c.w.scheme << " " << l->layerName();
      }
      if (c.a.enabled()) {
        ASSERT_TRUE(l->inputQuantizer()) << c.a.scheme;
        const auto& ac = l->inputQuantizer()->lastCodes().at(0);
        EXPECT_TRUE(ac.ge(0).all().item<bool>() && ac.le(2).all().item<bool>()) << c.a.scheme;  // post-ReLU: {0,1,2}
        EXPECT_GT(ac.eq(2).sum().item<int>(), 0) << c.a.scheme << " " << l->layerName();
      }
    }
    // Quantizer parameters receive gradients and are named inside ".wq." / ".aq." (no-decay group).
    int quantParams = 0;
    for (const auto& p : net->named_parameters()) {
      if (p.key().find(".wq.") == std::string::npos && p.key().find(".aq.") == std::string::npos) continue;
      ++quantParams;
      EXPECT_TRUE(p.value().grad().defined()) << p.key();
    }
    const bool learned = c.w.scheme == "ttq" || c.w.scheme == "asym" || c.w.scheme == "fatnn" || c.w.scheme == "lsq";
    if (learned) EXPECT_GT(quantParams, 0) << c.w.scheme;
  }
}

TEST(QuantPolicy, ActivationsCanBeSigned) {
  auto a = spec("asym", 0.4307);
  a.options["signed_act"] = 1;
  auto q = quant::makeActivationQuantizer(a);
  q->forward(torch::randn({1000}));
  EXPECT_TRUE(q->lastCodes()[0].eq(-1).any().item<bool>());
  auto r = spec("ics", 0.05);
  r.branches = 2;
  EXPECT_THROW(quant::makeActivationQuantizer(r), std::invalid_argument);
  EXPECT_THROW(quant::makeActivationQuantizer(spec("ttq", 0.05)), std::invalid_argument);
}

// The scheme table's ActivationCodes row is what the factory and every export read; here each activation scheme
// of the table, with each value of signed_act it takes, must produce exactly the codes its row declares.
TEST(QuantPolicy, EveryActivationSchemeGivesTheCodesItsRowDeclares) {
  int checked = 0;
  for (const auto& row : config::schemeCatalog()) {
    if (!row.forActivations || row.name == "none") {
      EXPECT_EQ(row.activationCodes, config::ActivationCodes::None) << row.name;
      continue;
    }
    const bool hasSignedOption = std::any_of(row.options.begin(), row.options.end(),
                                             [](const config::SchemeOption& o) { return o.key == "signed_act"; });
    EXPECT_EQ(hasSignedOption, row.activationCodes == config::ActivationCodes::HalfRangeUnlessSigned) << row.name;
    for (int signedAct : hasSignedOption ? std::vector<int>{0, 1} : std::vector<int>{0}) {
      auto a = spec(row.name, row.defaultFactor);
      if (hasSignedOption) a.options["signed_act"] = signedAct;
      auto q = quant::makeActivationQuantizer(a);
      q->train();
      // Mostly small values and two large ones: every scheme's data-derived step leaves the top code reachable.
      q->forward(torch::cat({torch::linspace(-1.0, 1.0, 601), torch::tensor({-10.0, 10.0})}));
      const auto codes = q->lastCodes().at(0);
      const bool half = config::halfRangeActivations(a);
      EXPECT_EQ(codes.min().item<int>(), half ? 0 : -1) << row.name << " signed_act=" << signedAct;
      EXPECT_EQ(codes.max().item<int>(), half ? 2 : 1) << row.name << " signed_act=" << signedAct;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 7);  // twn, ics, lsq, asym ×2, fatnn ×2
}
