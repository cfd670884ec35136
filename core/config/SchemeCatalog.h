#pragma once
#include <deque>
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

struct QuantSpec;

// Which codes a scheme gives activations. The one rule that the quantizer factory, the .npz, .tnn and ONNX
// exports read, so a new scheme cannot be classified differently by one of them.
enum class ActivationCodes {
  None,                   // no activation form (weights-only schemes, full precision)
  Signed,                 // always {-1, 0, 1} (TWN, He et al.)
  HalfRange,              // always {0, 1, 2}: post-ReLU activations (LSQ's three levels)
  HalfRangeUnlessSigned,  // {0, 1, 2}, or {-1, 0, 1} with the option signed_act = 1 (asym, FATNN)
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
  ActivationCodes activationCodes;
};

// All schemes TernLab knows, in display order ("none" first), then any added with addScheme. A deque: a row's
// address stays valid while rows are added.
using SchemeCatalog = std::deque<SchemeInfo>;
const SchemeCatalog& schemeCatalog();
// Adds a row after the others (quant::ScopedScheme does, beside the scheme's quantizer builder); a name already
// in the catalog throws std::invalid_argument. Not thread-safe: add before anything reads the catalog concurrently.
void addScheme(SchemeInfo info);
// Removes the row called name if it is the last one (ScopedScheme undoing its addScheme).
void removeLastScheme(const std::string& name);
// The scheme called name, or nullptr.
const SchemeInfo* findScheme(const std::string& name);
// True when the activation spec gives half-range codes {0,1,2} (its row's ActivationCodes); false for signed
// codes, a disabled spec or an unknown scheme.
bool halfRangeActivations(const QuantSpec& activations);
// Default REL β list for T_ex branches (REL paper: {0.05,0.1} for 2, {0.05,...,0.2} for 4).
std::vector<double> defaultRelBetas(int branches);

}  // namespace ternlab::config
