#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>

#include <torch/nn/module.h>

#include "nn/LayerKind.h"
#include "quant/TensorQuantizer.h"

namespace ternlab::nn {

// The part every quantizable layer shares: a latent FP weight, an optional weight quantizer and an
// optional quantizer of the layer's input activations. Lets trainer, store and export treat conv and
// linear layers alike.
class QuantLayer {
 public:
  virtual ~QuantLayer() = default;
  virtual LayerKind kind() const = 0;
  virtual at::Tensor latentWeight() const = 0;  // the FP weight the quantizer reads
  virtual std::int64_t lastMacsPerSample() const = 0;  // MACs of one sample in the last forward

  const std::string& layerName() const { return name_; }
  void setLayerName(std::string n) { name_ = std::move(n); }
  const std::shared_ptr<quant::TensorQuantizer>& weightQuantizer() const { return weightQuant_; }
  const std::shared_ptr<quant::TensorQuantizer>& inputQuantizer() const { return inputQuant_; }
  virtual void setWeightQuantizer(std::shared_ptr<quant::TensorQuantizer> q) = 0;
  virtual void setInputQuantizer(std::shared_ptr<quant::TensorQuantizer> q) = 0;
  bool ternary() const { return weightQuant_ != nullptr; }

 protected:
  std::shared_ptr<quant::TensorQuantizer> weightQuant_;
  std::shared_ptr<quant::TensorQuantizer> inputQuant_;

 private:
  std::string name_;
};

// Registers (or replaces) a quantizer submodule under name; a policy can be applied more than once.
// Removing one is not possible in LibTorch: a null quantizer leaves the old module registered but unused.
std::shared_ptr<quant::TensorQuantizer> installQuantizer(torch::nn::Module& owner, const std::string& name,
                                                         std::shared_ptr<quant::TensorQuantizer> q);

}  // namespace ternlab::nn
