#pragma once
#include <torch/arg.h>

#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// FATNN (Chen et al. 2021, arXiv:2008.05101; QTool's "non-uniform" quantizer): fixed integer levels times one
// scale α. Weights: y = round(clip(x·a0, −1, 0)) + round(clip(x·a1, 0, 1)), codes {-1,0,1}, learned transition
// widths a0 (negative side) and a1 (positive side). Activations (half-range): y = round(clip(x·a1, 0, 1)) +
// round(clip(x·a2 − 1, 0, 1)), codes {0,1,2}, two learned interval widths. Rounding is straight-through, so the
// gradient to a width is x inside its band (clip not saturated) and 0 outside; α is learned.
// Named options of a FATNN quantizer, PyTorch style: FatnnOptions().halfRange(true).unitInit(true).
struct FatnnOptions {
  TORCH_ARG(bool, halfRange) = false;  // activations: codes {0,1,2}
  TORCH_ARG(double, initWidth) = 0.0;  // > 0: every a starts there; otherwise from the data (first forward)
  TORCH_ARG(bool, unitInit) = false;   // thresholds 0.5 (and 1.5), for inputs normalised by eq. 9
};

class FatnnQuantizer : public TensorQuantizer {
 public:
  explicit FatnnQuantizer(const FatnnOptions& o = {});
  at::Tensor forward(const at::Tensor& x) override;
  std::string scheme() const override { return "fatnn"; }
  at::Tensor a0() const { return a0_; }  // signed: negative-side width; half-range: first step
  at::Tensor a1() const { return a1_; }  // signed: positive-side width; half-range: second step
  at::Tensor alpha() const { return alpha_; }

 private:
  bool halfRange_, unitInit_;
  double initWidth_;
  at::Tensor a0_, a1_, alpha_, initialized_;
};

}  // namespace ternlab::quant
