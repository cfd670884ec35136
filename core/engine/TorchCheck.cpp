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
    auto* q = layers.at(index);
    const auto xq = q->inputQuantizer()->lastCodes().at(0).to(torch::kFloat32) * t.actScale;
    const auto wq = q->weightQuantizer()->lastCodes().at(0).to(torch::kFloat32) * t.weightScale;
    at::Tensor ref;
    if (t.kind == "conv")
      ref = torch::conv2d(xq, wq, {}, {t.stride, t.stride}, {t.pad, t.pad}).permute({0, 2, 3, 1});
    else
      ref = torch::mm(xq.reshape({xq.size(0), -1}), wq.t());
    ref = (ref / (t.actScale * t.weightScale)).round().to(torch::kInt64).reshape({-1});
    const auto got = torch::from_blob(const_cast<std::int32_t*>(acc.data()), {static_cast<std::int64_t>(acc.size())},
                                      torch::kInt32).to(torch::kInt64);
    if (got.numel() != ref.numel())
      throw std::runtime_error("layer " + t.name + ": engine and graph accumulators differ in size");
    diff[t.name] = (got - ref).abs().max().item<std::int64_t>();
  }
  return diff;
}

}  // namespace ternlab::engine
