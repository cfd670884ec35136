#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ternlab::config {

// How one tensor kind (weights or activations) is ternarized.
struct QuantSpec {
  std::string scheme = "none";
  double factor = 0.0;              // threshold factor: TWN multiplier of E|W|, TTQ t, He et al. β
  int branches = 1;                 // REL T_ex (residual expansion), 1 = plain
  std::vector<double> betas;        // REL thresholds β_1 < … < β_T
  std::string uniform = "off";      // uniform-distribution normalisation: off | gaussian | half-gaussian
  std::map<std::string, double> options;  // scheme-specific options (see SchemeCatalog)
  bool enabled() const { return scheme != "none"; }
  double option(const std::string& key) const;
};

// Quantization policy for a model: defaults plus per-layer overrides (Distiller/NNCF style scopes).
struct QuantPolicy {
  QuantSpec weights;
  QuantSpec activations;
  bool firstTernary = false;  // the first conv layer quantized too
  bool lastTernary = false;   // the classifier quantized too
  std::map<std::string, QuantSpec> layerWeights;  // override by layer name
};

struct DataSpec {
  std::string name = "fashion-mnist";
  std::string path;  // empty: the default location of that dataset
  std::int64_t trainLimit = 0;
  std::int64_t testLimit = 0;
  bool augment = false;
  // Own data (name "npy" or "image-folder", docs in README "Your own data"):
  double testFraction = 0;  // no test files / folder: this share of the images is the test split (fixed seed)
  int imageSize = 0;        // image-folder: every image resized to imageSize x imageSize (0: one square size required)
  int channels = 0;         // image-folder: 1 (grey) or 3 (RGB); 0: those of the first image
};

struct ModelSpec {
  std::string arch = "lenet5";
  double width = 1.0;  // channel multiplier
  // Nonlinearity after each BatchNorm: "relu", or "rprelu" (ReActNet eq. 3), the activation layer of the
  // asymmetric paper's networks (§4, implementation details); it lets activations keep a sign.
  std::string activation = "relu";
};

struct OptimizerSpec {
  std::string type = "sgd";  // sgd | adam
  double lr = 0.05;
  double momentum = 0.9;
  bool nesterov = false;
  double weightDecay = 5e-4;
  bool decayQuantParams = false;  // apply weight decay to scales / thresholds / γ too
};

struct ScheduleSpec {
  std::string type = "cosine";  // constant | step | cosine
  std::vector<int> milestones;  // epochs, for step
  double gamma = 0.1;
  int warmupEpochs = 0;
};

struct DistillSpec {
  std::string teacher;  // stored run id or checkpoint path; empty = no distillation
  double lambda = 0.9;  // loss = λ·KD + (1−λ)·CE
  double temperature = 4.0;
  bool enabled() const { return !teacher.empty(); }
};

// One validated experiment: everything needed to reproduce a run.
struct ExperimentConfig {
  std::string name = "experiment";
  DataSpec data;
  ModelSpec model;
  QuantPolicy quant;
  OptimizerSpec optimizer;
  ScheduleSpec schedule;
  DistillSpec distill;
  std::string initFrom;  // run id or checkpoint path to start from
  int epochs = 1;
  std::int64_t batchSize = 128;
  std::uint64_t seed = 1;
  int threads = 0;        // 0 = all cores
  // Data-parallel runs: BatchNorm normalises over every rank's images together (off: over this rank's own).
  bool syncBn = false;
  int logInterval = 50;   // steps between loss points / layer statistics
  std::vector<nlohmann::json> stages;  // partial overrides, one child run each
  nlohmann::json json;    // the normalised document (all defaults filled in)
};

// Parses and validates; file is used only in error messages.
ExperimentConfig parseExperiment(const nlohmann::json& doc, const std::string& file = "");
ExperimentConfig parseExperimentText(const std::string& text, const std::string& file = "");
ExperimentConfig loadExperimentFile(const std::string& path);
// The text of an experiment or sweep file: a regular file of at most kMaxExperimentBytes; throws ConfigError.
inline constexpr std::size_t kMaxExperimentBytes = std::size_t(4) << 20;
std::string readExperimentText(const std::string& path);
// A pipeline longer than this is a mistake, and each stage is validated against the whole document.
inline constexpr std::size_t kMaxStages = 32;
// The config of stage i (base merged with stages[i]); throws ConfigError naming stages[i].
ExperimentConfig stageConfig(const ExperimentConfig& base, std::size_t index, const std::string& file = "");
// Serialises back to the normalised JSON document.
nlohmann::json toJson(const ExperimentConfig& cfg);
// Flattens a JSON document into dotted keys ("optimizer.lr" → "0.05") for the param table and compare.
std::map<std::string, std::string> flatten(const nlohmann::json& doc);

}  // namespace ternlab::config
