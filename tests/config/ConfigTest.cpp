// Experiment files: defaults, typed keys, and errors that name the file and the key path.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/ConfigError.h"
#include "config/ExperimentConfig.h"

using namespace ternlab::config;

namespace {
std::string errorOf(const std::string& text) {
  try {
    parseExperimentText(text, "exp.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Config, DefaultsAndValues) {
  auto c = parseExperimentText(R"({"name":"a","epochs":3,"quant":{"weights":{"scheme":"twn"}},
                                   "optimizer":{"lr":0.1,"nesterov":true}})");
  EXPECT_EQ(c.name, "a");
  EXPECT_EQ(c.epochs, 3);
  EXPECT_EQ(c.quant.weights.scheme, "twn");
  EXPECT_DOUBLE_EQ(c.quant.weights.factor, 0.7);  // TWN's default threshold factor
  EXPECT_DOUBLE_EQ(c.optimizer.lr, 0.1);
  EXPECT_TRUE(c.optimizer.nesterov);
  EXPECT_EQ(c.data.name, "fashion-mnist");
  EXPECT_FALSE(c.quant.firstTernary);
}

TEST(Config, UnknownKeyIsRejectedWithPathAndFile) {
  EXPECT_EQ(errorOf(R"({"optimizer":{"lr":0.1,"momentun":0.9}})"), "exp.json: 'optimizer.momentun': unknown key");
  EXPECT_EQ(errorOf(R"({"bogus":1})"), "exp.json: 'bogus': unknown key");
}

TEST(Config, WrongTypeIsRejected) {
  EXPECT_EQ(errorOf(R"({"epochs":"ten"})"), "exp.json: 'epochs': expected an integer, got string");
  EXPECT_EQ(errorOf(R"({"quant":{"weights":{"factor":"x","scheme":"twn"}}})"),
            "exp.json: 'quant.weights.factor': expected a number, got string");
}

TEST(Config, OutOfRangeIsRejected) {
  EXPECT_EQ(errorOf(R"({"optimizer":{"lr":-1}})"), "exp.json: 'optimizer.lr': value -1 is out of range [1e-08, 10]");
  EXPECT_EQ(errorOf(R"({"batch_size":0})"), "exp.json: 'batch_size': value 0 is out of range [1, 65536]");
}

// Numbers that do not fit: the message names the file, the key and the number as written.
TEST(Config, NumbersThatDoNotFitAreRejectedAsWritten) {
  EXPECT_EQ(errorOf(R"({"epochs": 9223372036854775808})"),
            "exp.json: 'epochs': value 9223372036854775808 is out of range [0, 10000]");
  EXPECT_NE(errorOf(R"({"schedule": {"type": "step", "milestones": [2, 18446744073709551615]}})")
                .find("exp.json: 'schedule.milestones[1]': value 18446744073709551615 is out of range"),
            std::string::npos);
  const auto huge = errorOf(R"({"optimizer": {"lr": 1e309}})");
  EXPECT_EQ(huge.rfind("exp.json: not valid JSON: ", 0), 0u) << huge;
  EXPECT_NE(huge.find("1e309"), std::string::npos) << huge;
}

TEST(Config, UnknownSchemeListsTheKnownOnes) {
  const auto e = errorOf(R"({"quant":{"weights":{"scheme":"binary"}}})");
  EXPECT_NE(e.find("'quant.weights.scheme': unknown value 'binary'"), std::string::npos) << e;
  EXPECT_NE(e.find("twn"), std::string::npos) << e;
}

TEST(Config, RelBetasMustMatchBranchesAndIncrease) {
  EXPECT_NE(errorOf(R"({"quant":{"weights":{"scheme":"ics","branches":2,"betas":[0.1,0.05]}}})").find("strictly increasing"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"quant":{"weights":{"scheme":"ics","branches":2,"betas":[0.1]}}})").find("branches is 2"),
            std::string::npos);
  auto c = parseExperimentText(R"({"quant":{"weights":{"scheme":"ics","branches":4}}})");
  EXPECT_EQ(c.quant.weights.betas, (std::vector<double>{0.05, 0.1, 0.15, 0.2}));
}

TEST(Config, StagesMergeAndReportTheirPath) {
  auto c = parseExperimentText(R"({"name":"p","epochs":5,"quant":{"weights":{"scheme":"twn"}},
     "stages":[{"name":"fp","epochs":2,"quant":{"weights":{"scheme":"none"}}},{"name":"t","optimizer":{"lr":0.01}}]})");
  ASSERT_EQ(c.stages.size(), 2u);
  auto s0 = stageConfig(c, 0);
  auto s1 = stageConfig(c, 1);
  EXPECT_EQ(s0.name, "p/fp");
  EXPECT_EQ(s0.epochs, 2);
  EXPECT_FALSE(s0.quant.weights.enabled());
  EXPECT_EQ(s1.epochs, 5);
  EXPECT_EQ(s1.quant.weights.scheme, "twn");
  EXPECT_DOUBLE_EQ(s1.optimizer.lr, 0.01);
  EXPECT_EQ(errorOf(R"({"stages":[{"epochs":-3}]})"),
            "exp.json: 'stages[0].epochs': value -3 is out of range [0, 10000]");
}

TEST(Config, InvalidJsonNamesTheFile) {
  EXPECT_NE(errorOf("{\"epochs\": 3,").find("exp.json: not valid JSON"), std::string::npos);
}

TEST(Config, ModelActivationIsReluOrRprelu) {
  EXPECT_EQ(parseExperimentText("{}").model.activation, "relu");
  const auto c = parseExperimentText(R"({"model":{"arch":"resnet20","activation":"rprelu"}})");
  EXPECT_EQ(c.model.activation, "rprelu");
  EXPECT_EQ(parseExperiment(toJson(c)).model.activation, "rprelu");
  const auto e = errorOf(R"({"model":{"activation":"prelu"}})");
  EXPECT_NE(e.find("exp.json: 'model.activation': unknown value 'prelu'"), std::string::npos) << e;
  EXPECT_NE(e.find("rprelu"), std::string::npos) << e;
}

TEST(Config, RoundTripThroughJson) {
  auto c = parseExperimentText(R"({"name":"rt","quant":{"weights":{"scheme":"ics","factor":0.1,"branches":2}}})");
  auto again = parseExperiment(toJson(c));
  EXPECT_EQ(toJson(again), toJson(c));
  const auto flat = flatten(c.json);
  EXPECT_EQ(flat.at("quant.weights.scheme"), "ics");
  EXPECT_EQ(flat.at("quant.weights.betas"), "[0.05,0.1]");
}

// Every shipped experiment parses, and every Fashion-MNIST preset has a CIFAR-10 twin (experiments/cifar10,
// scripts/make-cifar10-twins.py) equal to it but for the name and the dataset. Sweeps: CliIntegration.ShippedSweepsExpand.
TEST(ConfigIntegration, ShippedExperimentsParseAndHaveCifar10Twins) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(TERNLAB_SOURCE_DIR) / "experiments";
  int presets = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    const auto doc = nlohmann::json::parse(in);
    if (doc.contains("grid")) continue;
    ExperimentConfig cfg;
    ASSERT_NO_THROW(cfg = loadExperimentFile(e.path().string())) << e.path();
    const auto name = e.path().filename().string();
    if (name.rfind("fmnist-", 0) != 0) continue;
    ++presets;
    const auto twinPath = dir / "cifar10" / ("cifar10-" + name.substr(7));
    ASSERT_TRUE(fs::exists(twinPath)) << "no CIFAR-10 twin for " << name << " (run scripts/make-cifar10-twins.py)";
    const auto twin = loadExperimentFile(twinPath.string());
    EXPECT_EQ(twin.data.name, "cifar10");
    EXPECT_TRUE(twin.data.augment);
    auto a = toJson(cfg), b = toJson(twin);
    for (auto* j : {&a, &b}) {
      j->erase("name");
      j->erase("dataset");
    }
    EXPECT_EQ(a, b) << name << " and its twin differ (run scripts/make-cifar10-twins.py)";
  }
  EXPECT_GE(presets, 15);
}
