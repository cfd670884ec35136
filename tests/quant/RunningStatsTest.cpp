// Activation quantizers with batch-derived thresholds track them while training and freeze them in eval.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "config/ExperimentConfig.h"
#include "quant/IcsQuantizer.h"
#include "quant/QuantizerFactory.h"
#include "quant/TwnQuantizer.h"
#include "quant/UniformNormalizer.h"

using namespace ternlab;

TEST(QuantRunningStats, TwnActivationThresholdIsAnAverageInTrainingAndFrozenInEval) {
  quant::TwnQuantizer q(quant::TwnOptions().factor(0.7).trackRunning(true));
  auto a = torch::full({4}, 1.0), b = torch::full({4}, 3.0);
  q.train();
  q.forward(a);  // first batch taken as is: Δ = 0.7, α = 1
  q.forward(b);  // Δ = 0.9·0.7 + 0.1·2.1 = 0.84, α = 0.9·1 + 0.1·3 = 1.2
  q.eval();
  auto out = q.forward(torch::tensor({0.8, 0.85, -2.0}));
  EXPECT_NEAR(q.lastThresholds()[0][0], 0.84, 1e-12);
  EXPECT_NEAR(q.lastScales()[0][0], 1.2, 1e-12);
  EXPECT_TRUE(torch::allclose(out, torch::tensor({0.0, 1.2, -1.2}), 1e-6, 1e-6)) << out;
}

// One training batch with an overflowing activation must not freeze Δ at ∞: evaluation would then give every
// code 0 (a network at chance) while training went on normally on batch statistics.
TEST(QuantRunningStats, AnOverflowingBatchDoesNotPoisonTheRunningThreshold) {
  for (const bool ics : {false, true}) {
    std::shared_ptr<quant::TensorQuantizer> q;
    if (ics) q = std::make_shared<quant::IcsQuantizer>(quant::IcsOptions().beta(0.5).trackRunning(true));
    else q = std::make_shared<quant::TwnQuantizer>(quant::TwnOptions().factor(0.7).trackRunning(true));
    q->train();
    q->forward(torch::tensor({1.0, -2.0, 3.0, 0.5}));
    const double delta = q->lastThresholds()[0][0];
    q->forward(torch::tensor({1.0, std::numeric_limits<double>::infinity(), 3.0, 0.5}));
    EXPECT_DOUBLE_EQ(q->lastThresholds()[0][0], delta) << "the bad batch uses the running values";
    q->eval();
    const auto out = q->forward(torch::tensor({1.0, -2.0, 3.0, 0.5}));
    EXPECT_DOUBLE_EQ(q->lastThresholds()[0][0], delta);
    EXPECT_GT(out.abs().sum().item<double>(), 0.0) << (ics ? "ics" : "twn");
  }
}

TEST(QuantRunningStats, EvalOutputOfAnImageDoesNotDependOnItsBatch) {
  torch::manual_seed(3);
  for (const char* text : {R"({"scheme": "twn", "factor": 0.7})", R"({"scheme": "ics", "factor": 0.1})",
                           R"({"scheme": "asym", "uniform": "half-gaussian"})"}) {
    config::ExperimentConfig cfg = config::parseExperimentText(
        std::string(R"({"quant": {"weights": {"scheme": "twn"}, "activations": )") + text + "}}");
    auto q = quant::makeActivationQuantizer(cfg.quant.activations);
    q->train();
    for (int i = 0; i < 5; ++i) q->forward(torch::relu(torch::randn({32, 8})));
    q->eval();
    const auto batch = torch::relu(torch::randn({16, 8}));
    const auto whole = q->forward(batch);
    const auto alone = q->forward(batch.slice(0, 3, 4));
    EXPECT_TRUE(torch::equal(whole.slice(0, 3, 4), alone)) << text;
    // Weight quantizers keep the statistics of the tensor itself.
    auto w = quant::makeWeightQuantizer(cfg.quant.activations.scheme == "asym" ? cfg.quant.weights
                                                                                : cfg.quant.activations);
    w->eval();
    const auto full = torch::randn({10});
    w->forward(full);
    const double d1 = w->lastThresholds()[0][0];
    w->forward(full * 2);
    EXPECT_NEAR(w->lastThresholds()[0][0], 2 * d1, 1e-6 * std::abs(d1)) << text;
  }
}
