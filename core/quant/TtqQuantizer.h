#pragma once
#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// Trained Ternary Quantization (Zhu et al. 2017, arXiv:1612.01064, eq. 6-8): Δ = t·max|W|, learned Wp, Wn.
// Values {+Wp, 0, −Wn}; ∂L/∂Wp = Σ_pos g, ∂L/∂Wn = −Σ_neg g; latent gradient Wp·g | g | Wn·g.
class TtqQuantizer : public TensorQuantizer {
 public:
  // initScale > 0: Wp = Wn = initScale; otherwise both start at mean |W| over |W| > Δ (first forward).
  explicit TtqQuantizer(double t = 0.05, double initScale = 0.0);
  at::Tensor forward(const at::Tensor& w) override;
  std::string scheme() const override { return "ttq"; }
  double wp() const;
  double wn() const;

 private:
  double t_, initScale_;
  at::Tensor wp_, wn_, initialized_;
};

}  // namespace ternlab::quant
