#pragma once
#include <string>
#include <vector>

namespace ternlab::config {

// One numeric option of a quantization scheme, with its default and valid range.
struct SchemeOption {
  std::string key;
  double defaultValue;
  double min;
  double max;
  std::string help;
};

// What the experiment file (and the GUI editor) may say about one quantization scheme.
struct SchemeInfo {
  std::string name;
  std::string title;       // paper / method, shown to users
  bool forWeights;
  bool forActivations;
  bool hasThresholdFactor;  // REL (residual expansion) applies only to these
  double defaultFactor;
  std::vector<SchemeOption> options;
};

// All schemes TernLab knows, in display order ("none" first).
const std::vector<SchemeInfo>& schemeCatalog();
// The scheme called name, or nullptr.
const SchemeInfo* findScheme(const std::string& name);
// Default REL β list for T_ex branches (REL paper: {0.05,0.1} for 2, {0.05,...,0.2} for 4).
std::vector<double> defaultRelBetas(int branches);

}  // namespace ternlab::config
