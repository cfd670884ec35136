#include "quant/QuantizerFactory.h"

#include <stdexcept>

#include "config/SchemeCatalog.h"
#include "quant/AsymQuantizer.h"
#include "quant/FatnnQuantizer.h"
#include "quant/IcsQuantizer.h"
#include "quant/LsqQuantizer.h"
#include "quant/RelQuantizer.h"
#include "quant/TtqQuantizer.h"
#include "quant/TwnQuantizer.h"
#include "quant/UniformNormalizer.h"

namespace ternlab::quant {

namespace {

// One ternarizer of the spec's scheme with threshold factor `factor`; halfRange: codes {0,1,2}.
std::shared_ptr<TensorQuantizer> single(const config::QuantSpec& spec, double factor, bool halfRange, bool forWeights) {
  const bool unit = spec.uniform != "off";
  const auto& s = spec.scheme;
  // Activation thresholds from batch statistics are tracked and frozen for evaluation (RunningStats).
  if (s == "twn") return std::make_shared<TwnQuantizer>(TwnOptions().factor(factor).trackRunning(!forWeights));
  if (s == "ics") return std::make_shared<IcsQuantizer>(IcsOptions().beta(factor).trackRunning(!forWeights));
  if (s == "ttq") {
    if (!forWeights) throw std::invalid_argument("ttq quantizes weights only");
    return std::make_shared<TtqQuantizer>(factor, spec.option("init_scale"));
  }
  if (s == "asym") {
    AsymOptions o;
    o.factor = factor > 0 ? factor : 0.4307;
    o.learnScale = spec.option("learn_scale") != 0;
    o.symmetric = spec.option("symmetric") != 0;
    o.halfRange = halfRange;
    o.unitInit = unit;
    return std::make_shared<AsymQuantizer>(o);
  }
  if (s == "fatnn")
    return std::make_shared<FatnnQuantizer>(
        FatnnOptions().halfRange(halfRange).initWidth(spec.option("init_width")).unitInit(unit));
  if (s == "lsq") return std::make_shared<LsqQuantizer>(LsqOptions().halfRange(halfRange).unitInit(unit));
  throw std::invalid_argument(std::string(forWeights ? "weight" : "activation") + " quantizer '" + s +
                              "' is not implemented");
}

std::shared_ptr<TensorQuantizer> build(const config::QuantSpec& spec, bool forWeights) {
  if (!spec.enabled()) return nullptr;
  // Activations are post-ReLU in the zoo: the scheme row's ActivationCodes says which codes they get.
  const bool halfRange = !forWeights && config::halfRangeActivations(spec);
  std::shared_ptr<TensorQuantizer> q;
  if (spec.branches > 1) {
    if (!forWeights) throw std::invalid_argument("residual expansion (branches > 1) applies to weights only");
    auto betas = spec.betas.empty() ? config::defaultRelBetas(spec.branches) : spec.betas;
    std::vector<std::shared_ptr<TensorQuantizer>> branches;
    for (double b : betas) branches.push_back(single(spec, b, false, true));
    q = std::make_shared<RelQuantizer>(std::move(branches));
  } else {
    q = single(spec, spec.factor, halfRange, forWeights);
  }
  if (spec.uniform != "off")
    q = std::make_shared<UniformNormalizer>(
        q, UniformOptions().halfGaussian(spec.uniform == "half-gaussian").trackRunning(!forWeights));
  return q;
}

}  // namespace

std::shared_ptr<TensorQuantizer> makeWeightQuantizer(const config::QuantSpec& spec) { return build(spec, true); }

std::shared_ptr<TensorQuantizer> makeActivationQuantizer(const config::QuantSpec& spec) { return build(spec, false); }

}  // namespace ternlab::quant
