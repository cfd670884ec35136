#include "nn/TernaryNet.h"

#include <torch/torch.h>

#include <stdexcept>

#include "nn/LeNet5.h"
#include "nn/ResNet.h"
#include "nn/VggSmall.h"
#include "quant/QuantizerFactory.h"

namespace ternlab::nn {

QuantLayer* TernaryNet::findLayer(const std::string& name) const {
  for (auto* l : layers_)
    if (l->layerName() == name) return l;
  return nullptr;
}

std::shared_ptr<TernaryNet> makeModel(const config::ModelSpec& spec, const InputShape& input) {
  if (spec.arch == "lenet5") return std::make_shared<LeNet5>(input, spec.width, spec.activation);
  if (spec.arch == "resnet20") return std::make_shared<ResNet20>(input, spec.width, spec.activation);
  if (spec.arch == "resnet18") return std::make_shared<ResNet18>(input, spec.width, spec.activation);
  if (spec.arch == "vgg-s") return std::make_shared<VggSmall>(input, spec.width, spec.activation);
  throw std::invalid_argument("model '" + spec.arch + "' is not available yet");
}

config::QuantSpec weightSpecFor(const TernaryNet& net, std::size_t i, const config::QuantPolicy& policy) {
  const auto& layers = net.quantLayers();
  const auto* layer = layers.at(i);
  auto it = policy.layerWeights.find(layer->layerName());
  if (it != policy.layerWeights.end()) return it->second;
  const bool first = i == 0, last = i + 1 == layers.size();
  if ((first && !policy.firstTernary) || (last && !policy.lastTernary)) return {};
  return policy.weights;
}

void applyQuantPolicy(TernaryNet& net, const config::QuantPolicy& policy) {
  for (const auto& [name, spec] : policy.layerWeights)
    if (!net.findLayer(name)) {
      std::string names;
      for (auto* l : net.quantLayers()) names += (names.empty() ? "" : ", ") + l->layerName();
      throw std::invalid_argument("quant.layers names '" + name + "', which is not a layer of " + net.arch() +
                                  " (layers: " + names + ")");
    }
  const auto& layers = net.quantLayers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto spec = weightSpecFor(net, i, policy);
    layers[i]->setWeightQuantizer(quant::makeWeightQuantizer(spec));
    // Activations are ternarized at the input of every ternary layer except the stem (it sees pixels).
    const bool quantizeInput = spec.enabled() && i > 0 && policy.activations.enabled();
    layers[i]->setInputQuantizer(quantizeInput ? quant::makeActivationQuantizer(policy.activations) : nullptr);
  }
}

}  // namespace ternlab::nn
