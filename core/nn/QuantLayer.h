#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <string>

#include <torch/nn/module.h>

#include "nn/LayerKind.h"
#include "quant/TensorQuantizer.h"
#include "quant/WeightPlanes.h"

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
  // The layer's op on (input, weight), without bias: conv2d or matmul.
  using WeightOp = std::function<at::Tensor(const at::Tensor& x, const at::Tensor& w)>;
  // The eval forward, in the packed engine's arithmetic: with quantized weights and inputs, each weight code
  // plane (quant::WeightPlanes) meets the input codes in `op` (integer sums, exact in float below 2^24 in any
  // order) and is multiplied by its quant::planeScale, planes added in order; then the bias is added. The
  // fake-quant op on x_q, W_q is the same number up to the float rounding of its sums, which depends on the
  // library's summation order; this one does not, so the engine repeats it to the bit. Layers without both
  // quantizers, or whose weights are no sum of planes, run `op` on x_q, W_q, then add the bias.
  at::Tensor evalForward(const at::Tensor& xq, const at::Tensor& wq, const at::Tensor& bias, const WeightOp& op);

  std::shared_ptr<quant::TensorQuantizer> weightQuant_;
  std::shared_ptr<quant::TensorQuantizer> inputQuant_;

 private:
  std::string name_;
  at::Tensor planesOf_;  // the quantized weights planes_ was found for
  std::optional<quant::WeightPlanes> planes_;
};

// Registers (or replaces) a quantizer submodule under name; a policy can be applied more than once.
// Removing one is not possible in LibTorch: a null quantizer leaves the old module registered but unused.
std::shared_ptr<quant::TensorQuantizer> installQuantizer(torch::nn::Module& owner, const std::string& name,
                                                         std::shared_ptr<quant::TensorQuantizer> q);

}  // namespace ternlab::nn
