#pragma once
#include <torch/arg.h>

#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// LSQ (Esser et al. 2020, arXiv:1902.08153, eq. 1-3) restricted to three levels: q = s·round(clip(x/s, −Qn, Qp))
// with (Qn, Qp) = (1, 1) for signed codes {-1,0,1} or (0, 2) for half-range codes {0,1,2}; the step s gets the
// LSQ gradient scaled by 1/sqrt(numel·Qp); s starts at 2·mean|x|/sqrt(Qp).
// Named options of an LSQ quantizer, PyTorch style: LsqOptions().halfRange(true).unitInit(true).
struct LsqOptions {
  TORCH_ARG(bool, halfRange) = false;  // codes {0,1,2} (Qn, Qp) = (0, 2) instead of {-1,0,1}
  TORCH_ARG(bool, unitInit) = false;   // s starts at 1: thresholds at 0.5 (and 1.5), for inputs normalised by eq. 9
};

class LsqQuantizer : public TensorQuantizer {
 public:
  explicit LsqQuantizer(const LsqOptions& o = {});
  at::Tensor forward(const at::Tensor& x) override;
  std::string scheme() const override { return "lsq"; }
  at::Tensor step() const { return s_; }
  int qn() const { return halfRange_ ? 0 : 1; }
  int qp() const { return halfRange_ ? 2 : 1; }

 private:
  bool halfRange_, unitInit_;
  at::Tensor s_, initialized_;
};

}  // namespace ternlab::quant
