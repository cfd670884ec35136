#include "quant/TensorQuantizer.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace ternlab::quant {

double ternaryEntropy(double fracNeg, double fracZero, double fracPos) {
  double h = 0;
  for (double p : {fracNeg, fracZero, fracPos})
    if (p > 0) h -= p * std::log2(p);
  return h;
}

void TensorQuantizer::remember(std::vector<at::Tensor> codes, std::vector<std::vector<double>> thresholds,
                               std::vector<std::vector<double>> scales, double gamma) {
  for (auto& c : codes) c = c.detach();
  rawCodes_ = std::move(codes);
  pendingCodes_ = nullptr;
  lastCodes_.clear();
  codesConverted_ = false;
  lastThresholds_ = std::move(thresholds);
  lastScales_ = std::move(scales);
  lastGamma_ = gamma;
}

void TensorQuantizer::rememberLazy(std::function<std::vector<at::Tensor>()> makeCodes,
                                   std::vector<std::vector<double>> thresholds, std::vector<std::vector<double>> scales,
                                   double gamma) {
  remember({}, std::move(thresholds), std::move(scales), gamma);
  pendingCodes_ = std::move(makeCodes);
}

void TensorQuantizer::rememberFromInput(const at::Tensor& x, std::function<at::Tensor(const at::Tensor&)> makeCodes,
                                        std::vector<std::vector<double>> thresholds,
                                        std::vector<std::vector<double>> scales) {
  rememberLazy(
      [x = x.detach(), version = x._version(), makeCodes = std::move(makeCodes), scheme = scheme()] {
        if (x._version() != version)  // the codes of a tensor changed in place since cannot be recomputed
          throw std::logic_error(scheme + " quantizer: its input was modified in place after the forward");
        return std::vector<at::Tensor>{makeCodes(x)};
      },
      std::move(thresholds), std::move(scales));
}

const std::vector<at::Tensor>& TensorQuantizer::lastCodeValues() const {
  if (pendingCodes_) {
    torch::NoGradGuard guard;
    rawCodes_ = pendingCodes_();
    for (auto& c : rawCodes_) c = c.detach();
    pendingCodes_ = nullptr;
  }
  return rawCodes_;
}

const std::vector<at::Tensor>& TensorQuantizer::lastCodes() const {
  if (!codesConverted_) {
    lastCodes_.clear();
    for (const auto& c : lastCodeValues()) lastCodes_.push_back(c.to(torch::kInt8));
    codesConverted_ = true;
  }
  return lastCodes_;
}

std::vector<BranchStats> TensorQuantizer::lastStats() const {
  const auto& codes = lastCodes();
  std::vector<BranchStats> out;
  for (std::size_t b = 0; b < codes.size(); ++b) {
    const auto& c = codes[b];
    BranchStats s;
    s.branch = static_cast<int>(b);
    s.numel = c.numel();
    const double n = static_cast<double>(std::max<std::int64_t>(1, s.numel));
    // Half-range activation codes {0,1,2} are reported as {zero, level 1 (as "neg"), level 2 (as "pos")}.
    const bool halfRange = c.numel() > 0 && c.min().item<int>() >= 0 && c.max().item<int>() == 2;
    if (halfRange) {
      s.fracZero = c.eq(0).sum().item<double>() / n;
      s.fracNeg = c.eq(1).sum().item<double>() / n;
      s.fracPos = c.eq(2).sum().item<double>() / n;
    } else {
      s.fracNeg = c.lt(0).sum().item<double>() / n;
      s.fracZero = c.eq(0).sum().item<double>() / n;
      s.fracPos = c.gt(0).sum().item<double>() / n;
    }
    s.entropy = ternaryEntropy(s.fracNeg, s.fracZero, s.fracPos);
    if (b < lastThresholds_.size()) s.thresholds = lastThresholds_[b];
    if (b < lastScales_.size()) s.scales = lastScales_[b];
    s.gamma = lastGamma_;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ternlab::quant
