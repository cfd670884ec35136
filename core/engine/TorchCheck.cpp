#include "engine/TorchCheck.h"

#include <torch/torch.h>

#include "nn/QuantConv2d.h"

namespace ternlab::engine {

std::vector<int> torchPredict(nn::TernaryNet& net, const at::Tensor& images, std::int64_t batch) {
  torch::NoGradGuard noGrad;
  net.eval();
  std::vector<int> out;
  out.reserve(images.size(0));
  for (std::int64_t i = 0; i < images.size(0); i += batch) {
    const auto pred = net.forward(images.slice(0, i, std::min(i + batch, images.size(0)))).argmax(1).to(torch::kInt32);
    const auto p = pred.contiguous();
    out.insert(out.end(), p.data_ptr<int>(), p.data_ptr<int>() + p.numel());
  }
  return out;
}

std::map<std::string, std::int64_t> accumulatorDiff(nn::TernaryNet& net, Engine& engine, const at::Tensor& batch,
                                                    int threads) {
  torch::NoGradGuard noGrad;
  net.eval();
  const auto x = batch.to(torch::kFloat32).contiguous();
  net.forward(x);
  EngineOptions o;
  o.threads = threads;
  o.captureAccumulators = true;
  engine.run(x.data_ptr<float>(), static_cast<int>(x.size(0)), o);
  std::map<std::string, std::int64_t> diff;
  const auto& layers = net.quantLayers();
  for (const auto& [index, acc] : engine.accumulators()) {
    const auto& t = engine.model().layers.at(index);
    if (index < 0 || static_cast<std::size_t>(index) >= layers.size() || !layers[index] || !layers[index]->inputQuantizer())
      throw std::runtime_error("layer " + t.name + ": the LibTorch model has no quantized layer with input codes there");
    auto* q = layers[index];
    // The graph's activation codes against each weight plane of the .tnn (whose sum with the plane
    // scales reproduces the graph's weights: checked at export).
    const auto xc = q->inputQuantizer()->lastCodes().at(0).to(torch::kFloat32);
    const std::int64_t per = static_cast<std::int64_t>(t.weightCount());
    std::vector<at::Tensor> planes;
    for (int p = 0; p < t.planes; ++p) {
      auto codes = torch::from_blob(const_cast<std::int8_t*>(t.codes.data()) + p * per, {per}, torch::kInt8)
                       .to(torch::kFloat32);
      at::Tensor ref;
      if (t.kind == nn::LayerKind::Conv)
        ref = torch::conv2d(xc, codes.reshape({t.outC, t.inC, t.kernel, t.kernel}), {}, {t.stride, t.stride},
                            {t.pad, t.pad}).permute({0, 2, 3, 1});
      else
        ref = torch::mm(xc.reshape({xc.size(0), -1}), codes.reshape({t.outC, t.inC}).t());
      planes.push_back(ref.reshape({-1, t.outC}));
    }
    const auto ref = torch::cat(planes, 1).round().to(torch::kInt64).reshape({-1});
    const auto got = torch::from_blob(const_cast<std::int32_t*>(acc.data()), {static_cast<std::int64_t>(acc.size())},
                                      torch::kInt32).to(torch::kInt64);
    if (got.numel() != ref.numel())
      throw std::runtime_error("layer " + t.name + ": engine and graph accumulators differ in size");
    diff[t.name] = (got - ref).abs().max().item<std::int64_t>();
  }
  return diff;
}

}  // namespace ternlab::engine
