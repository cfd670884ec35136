#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/ExperimentConfig.h"
#include "config/SchemeCatalog.h"
#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// What a scheme's builder is asked for: one ternarizer of spec's scheme with threshold factor `factor` (a REL
// branch passes its own β), for weights or activations; halfRange: activation codes {0,1,2}.
struct QuantizerRequest {
  const config::QuantSpec& spec;
  double factor;
  bool halfRange;
  bool forWeights;
};
using QuantizerBuilder = std::function<std::shared_ptr<TensorQuantizer>(const QuantizerRequest&)>;

// The quantizer half of a scheme's row (its catalog half, config::SchemeInfo, says what files and the editor may
// say about it): the builder of every scheme in config::schemeCatalog() but "none". The factory reads only this.
const QuantizerBuilder* findBuilder(const std::string& scheme);
// The names that have a builder, built-in ones first.
std::vector<std::string> schemesWithBuilders();

// A scheme added at run time — one row: its catalog entry and its builder — for as long as this object lives
// (tests; a plugin). Every consumer of the catalog then sees it: the experiment parser, the factory, the editor.
class ScopedScheme {
 public:
  ScopedScheme(config::SchemeInfo info, QuantizerBuilder build);
  ~ScopedScheme();
  ScopedScheme(const ScopedScheme&) = delete;
  ScopedScheme& operator=(const ScopedScheme&) = delete;

 private:
  std::string name_;
};

}  // namespace ternlab::quant
