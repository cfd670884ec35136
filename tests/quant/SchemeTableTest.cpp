// The scheme table: every catalog row has its quantizer and every quantizer its row, every row goes through
// every consumer (experiment parser, factory, model zoo, training step, .npz export, cost report; the editor's
// combo is checked against the catalog in ExperimentFormTest), and a new scheme is its class and one row.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "config/ConfigError.h"
#include "config/SchemeCatalog.h"
#include "export/ModelExport.h"
#include "nn/TernaryNet.h"
#include "quant/QuantizerFactory.h"
#include "quant/SchemeBuilders.h"
#include "report/LayerReport.h"

using namespace ternlab;

namespace {

// The dummy scheme of the test: codes sign(x) where |x| > ½·mean|x|, scale 1, straight-through gradient.
class HalfMeanSignQuantizer : public quant::TensorQuantizer {
 public:
  at::Tensor forward(const at::Tensor& x) override {
    const double delta = 0.5 * x.abs().mean().item<double>();
    const auto codes = (x > delta).to(x.scalar_type()) - (x < -delta).to(x.scalar_type());
    remember({codes}, {{-delta, delta}}, {{1.0}});
    return x + (codes - x).detach();
  }
  std::string scheme() const override { return "half-mean-sign"; }
};

std::set<int> codeValues(const at::Tensor& codes) {
  std::set<int> out;
  const auto flat = codes.to(torch::kInt32).flatten();
  for (std::int64_t i = 0; i < flat.numel(); ++i) out.insert(flat[i].item<int>());
  return out;
}

// Every consumer of a row: the experiment parser takes the scheme, the factory builds its quantizer with its name,
// the codes are ternary in the row's range, and LeNet-5 under the policy trains a step.
void checkEveryConsumer(const config::SchemeInfo& row) {
  SCOPED_TRACE(row.name);
  nlohmann::json doc{{"name", "t"},
                     {"quant", {{"weights", {{"scheme", row.name}}},
                                {"activations", {{"scheme", row.forActivations ? row.name : "none"}}}}}};
  const auto cfg = config::parseExperiment(doc, "table-test.json");
  ASSERT_EQ(cfg.quant.weights.scheme, row.name);
  ASSERT_TRUE(row.forWeights);
  auto wq = quant::makeWeightQuantizer(cfg.quant.weights);
  ASSERT_TRUE(wq);
  EXPECT_EQ(wq->scheme(), row.name);
  wq->train();
  torch::manual_seed(3);
  wq->forward(torch::randn({16, 8, 3, 3}));
  const auto w = codeValues(wq->lastCodes().at(0));
  EXPECT_TRUE(std::includes(std::set<int>{-1, 0, 1}.begin(), std::set<int>{-1, 0, 1}.end(), w.begin(), w.end()));
  EXPECT_GE(w.size(), 2u);
  if (row.forActivations) {
    auto aq = quant::makeActivationQuantizer(cfg.quant.activations);
    aq->train();
    aq->forward(torch::relu(torch::randn({4, 8, 6, 6})));
    const auto a = codeValues(aq->lastCodes().at(0));
    const std::set<int> range = config::halfRangeActivations(cfg.quant.activations) ? std::set<int>{0, 1, 2}
                                                                                      : std::set<int>{-1, 0, 1};
    EXPECT_TRUE(std::includes(range.begin(), range.end(), a.begin(), a.end()));
  }
  auto net = nn::makeModel(cfg.model, nn::InputShape{1, 28, 10});
  nn::applyQuantPolicy(*net, cfg.quant);
  net->train();
  const auto loss = torch::nn::functional::cross_entropy(net->forward(torch::rand({4, 1, 28, 28})),
                                                         torch::randint(0, 10, {4}));
  loss.backward();
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
  EXPECT_EQ(net->quantLayers().at(1)->weightQuantizer()->scheme(), row.name);
  // The .npz export's manifest and the cost report name the layer's scheme.
  const auto batch = torch::rand({4, 1, 28, 28});
  const auto bundle = exporting::collectExport(*net, cfg, batch);
  EXPECT_NE(bundle.manifest.dump().find("\"" + row.name + "\""), std::string::npos);
  const auto costs = report::summarize(*net, batch);
  ASSERT_GE(costs.layers.size(), 2u);
  EXPECT_EQ(costs.layers[1].scheme, row.name);
}

}  // namespace

TEST(SchemeTable, EveryCatalogRowHasAQuantizerAndEveryQuantizerARow) {
  for (const auto& row : config::schemeCatalog())
    EXPECT_EQ(quant::findBuilder(row.name) != nullptr, row.name != "none") << row.name;
  for (const auto& name : quant::schemesWithBuilders()) EXPECT_NE(config::findScheme(name), nullptr) << name;
  EXPECT_EQ(quant::schemesWithBuilders().size() + 1, config::schemeCatalog().size());
}

TEST(SchemeTable, EveryRowGoesThroughEveryConsumer) {
  int checked = 0;
  for (const auto& row : config::schemeCatalog()) {
    if (row.name == "none") continue;
    checkEveryConsumer(row);
    ++checked;
  }
  EXPECT_EQ(checked, 6);  // twn, ttq, ics, asym, fatnn, lsq
}

TEST(SchemeTable, ADummySchemeIsItsClassAndOneRow) {
  {
    quant::ScopedScheme dummy({"half-mean-sign", "test: sign(x) beyond half the mean |x|", true, false, false, 0.0, {},
                               config::ActivationCodes::None},
                              [](const quant::QuantizerRequest&) { return std::make_shared<HalfMeanSignQuantizer>(); });
    ASSERT_NE(config::findScheme("half-mean-sign"), nullptr);
    checkEveryConsumer(*config::findScheme("half-mean-sign"));
    // A second row of the same name is refused.
    EXPECT_THROW(quant::ScopedScheme({"half-mean-sign", "again", true, false, false, 0.0, {}, config::ActivationCodes::None},
                                     [](const quant::QuantizerRequest&) { return std::make_shared<HalfMeanSignQuantizer>(); }),
                 std::invalid_argument);
  }
  // Gone with its row: the parser names the scheme it no longer knows.
  EXPECT_EQ(config::findScheme("half-mean-sign"), nullptr);
  EXPECT_EQ(quant::findBuilder("half-mean-sign"), nullptr);
  nlohmann::json doc{{"name", "t"}, {"quant", {{"weights", {{"scheme", "half-mean-sign"}}}}}};
  try {
    config::parseExperiment(doc, "table-test.json");
    FAIL() << "an unknown scheme was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("half-mean-sign"), std::string::npos) << e.what();
  }
}
