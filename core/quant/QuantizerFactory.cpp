#include "quant/QuantizerFactory.h"

#include <stdexcept>

#include "config/SchemeCatalog.h"
#include "quant/RelQuantizer.h"
#include "quant/SchemeBuilders.h"
#include "quant/UniformNormalizer.h"

namespace ternlab::quant {

namespace {

// One ternarizer of the spec's scheme with threshold factor `factor`, from the scheme's row (SchemeBuilders.h).
std::shared_ptr<TensorQuantizer> single(const config::QuantSpec& spec, double factor, bool halfRange, bool forWeights) {
  const QuantizerBuilder* make = findBuilder(spec.scheme);
  if (!make)
    throw std::invalid_argument(std::string(forWeights ? "weight" : "activation") + " quantizer '" + spec.scheme +
                                "' is not implemented");
  return (*make)({spec, factor, halfRange, forWeights});
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
