#include "config/SchemeCatalog.h"

#include "config/ExperimentConfig.h"

#include <stdexcept>

namespace ternlab::config {

namespace {

SchemeCatalog& mutableCatalog() {
  static SchemeCatalog catalog = {
      {"none", "Full precision (no quantization)", true, true, false, 0.0, {}, ActivationCodes::None},
      {"twn", "TWN: Δ = factor·E|W|, α = mean|W| over |W|>Δ (Li et al. 2016)", true, true, true, 0.7, {},
       ActivationCodes::Signed},
      {"ttq", "TTQ: Δ = t·max|W|, learned Wp/Wn (Zhu et al. 2017)", true, false, true, 0.05,
       {{"init_scale", 0.0, 0.0, 10.0, "initial Wp = Wn (0: mean |W| over |W|>Δ)"}}, ActivationCodes::None},
      {"ics", "He et al.: Δ = β·max|W|, α = mean|W| over |W|≥Δ, clipped STE (REL paper eq. 1,2,4)", true, true, true,
       0.05, {}, ActivationCodes::Signed},
      {"asym", "Asymmetric learned thresholds Δp ≥ 0 ≥ Δn, one scale, bi-STE (asymmetric paper eq. 6-8)", true, true,
       true, 0.4307, {{"learn_scale", 1.0, 0.0, 1.0, "1: α is learned, 0: α = mean |W| above threshold"},
                      {"symmetric", 0.0, 0.0, 1.0, "1: one learned threshold, Δn = −Δp (half-range: Δ2 = 3Δ1), "
                                                   "the symmetric arm of Table 3"},
                      {"signed_act", 0.0, 0.0, 1.0, "activations: 0 half-range codes {0,1,2} (post-ReLU), 1 signed {-1,0,1}"}},
       ActivationCodes::HalfRangeUnlessSigned},
      {"fatnn", "FATNN: fixed levels {-1,0,1}/{0,1,2}, learned transition widths", true, true, false, 0.0,
       {{"init_width", 0.0, 0.0, 100.0, "initial transition scale (0: from the data)"},
        {"signed_act", 0.0, 0.0, 1.0, "activations: 0 half-range codes {0,1,2} (post-ReLU), 1 signed {-1,0,1}"}},
       ActivationCodes::HalfRangeUnlessSigned},
      {"lsq", "LSQ restricted to three levels {-s,0,s} (Esser et al. 2020)", true, true, false, 0.0, {},
       ActivationCodes::HalfRange},
  };
  return catalog;
}

}  // namespace

const SchemeCatalog& schemeCatalog() { return mutableCatalog(); }

void addScheme(SchemeInfo info) {
  if (findScheme(info.name)) throw std::invalid_argument("scheme '" + info.name + "' is already in the catalog");
  mutableCatalog().push_back(std::move(info));
}

void removeLastScheme(const std::string& name) {
  auto& c = mutableCatalog();
  if (!c.empty() && c.back().name == name) c.pop_back();
}

const SchemeInfo* findScheme(const std::string& name) {
  for (const auto& s : schemeCatalog())
    if (s.name == name) return &s;
  return nullptr;
}

bool halfRangeActivations(const QuantSpec& activations) {
  const SchemeInfo* info = activations.enabled() ? findScheme(activations.scheme) : nullptr;
  if (!info) return false;
  switch (info->activationCodes) {
    case ActivationCodes::HalfRange: return true;
    case ActivationCodes::HalfRangeUnlessSigned: return activations.option("signed_act") == 0;
    case ActivationCodes::None:
    case ActivationCodes::Signed: return false;
  }
  return false;
}

std::vector<double> defaultRelBetas(int branches) {
  if (branches == 2) return {0.05, 0.1};
  if (branches == 4) return {0.05, 0.1, 0.15, 0.2};
  std::vector<double> betas;
  for (int i = 1; i <= branches; ++i) betas.push_back(0.05 * i);
  return betas;
}

}  // namespace ternlab::config
