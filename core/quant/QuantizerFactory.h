#pragma once
#include <memory>

#include "config/ExperimentConfig.h"
#include "quant/TensorQuantizer.h"

namespace ternlab::quant {

// Builds the fake-quantizer a QuantSpec names, for weights or for activations; nullptr for "none".
std::shared_ptr<TensorQuantizer> makeWeightQuantizer(const config::QuantSpec& spec);
std::shared_ptr<TensorQuantizer> makeActivationQuantizer(const config::QuantSpec& spec);

}  // namespace ternlab::quant
