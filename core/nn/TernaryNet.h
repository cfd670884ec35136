#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "config/ExperimentConfig.h"
#include "nn/QuantLayer.h"

namespace ternlab::nn {

// Shape of the images a model is built for.
struct InputShape {
  std::int64_t channels = 1;
  std::int64_t size = 28;
  std::int64_t classes = 10;
};

// Base of every zoo model: a module whose quantizable layers are listed in forward order.
class TernaryNet : public torch::nn::Module {
 public:
  virtual at::Tensor forward(const at::Tensor& x) = 0;
  virtual std::string arch() const = 0;
  // Quantizable layers in forward order (the first is the stem, the last the classifier).
  const std::vector<QuantLayer*>& quantLayers() const { return layers_; }
  QuantLayer* findLayer(const std::string& name) const;
  // Lists a quantizable layer under its dotted module path (registration is the caller's job).
  template <typename Holder>
  Holder trackLayer(const std::string& name, Holder h) {
    h->setLayerName(name);
    layers_.push_back(h.get());
    return h;
  }

 protected:
  // Registers a quantizable layer under name (also its module name).
  template <typename Holder>
  Holder track(const std::string& name, Holder h) {
    register_module(name, h.ptr());
    return trackLayer(name, h);
  }

 private:
  std::vector<QuantLayer*> layers_;
};

// Builds a zoo model by architecture name ("lenet5", ...); throws for an unknown name.
std::shared_ptr<TernaryNet> makeModel(const config::ModelSpec& spec, const InputShape& input);
// Installs the quantizers of the policy: first/last layer rule, per-layer overrides, activations.
void applyQuantPolicy(TernaryNet& net, const config::QuantPolicy& policy);
// The weight QuantSpec that the policy gives the layer at index i (scheme "none" = FP).
config::QuantSpec weightSpecFor(const TernaryNet& net, std::size_t i, const config::QuantPolicy& policy);

}  // namespace ternlab::nn
