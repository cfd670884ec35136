#include "quant/WeightPlanes.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace ternlab::quant {

namespace {

// Solves the normal equations of min ||wq − Σ α_t c_t||; planes without a nonzero code get α = 0.
std::vector<double> leastSquares(const at::Tensor& wq, const std::vector<at::Tensor>& c) {
  const std::size_t T = c.size();
  std::vector<std::vector<double>> G(T, std::vector<double>(T + 1, 0.0));
  for (std::size_t i = 0; i < T; ++i) {
    // in double: the sums of a plane's ±α are then exact, so α comes back as the quantizer's float
    for (std::size_t j = 0; j < T; ++j) G[i][j] = (c[i] * c[j]).sum(torch::kFloat64).item<double>();
    G[i][T] = (c[i].to(torch::kFloat64) * wq.to(torch::kFloat64)).sum().item<double>();
    if (G[i][i] == 0) G[i][i] = 1;  // an all-zero plane: α = 0
  }
  for (std::size_t k = 0; k < T; ++k) {  // Gauss-Jordan with partial pivoting (T is at most a few)
    std::size_t piv = k;
    for (std::size_t r = k + 1; r < T; ++r)
      if (std::fabs(G[r][k]) > std::fabs(G[piv][k])) piv = r;
    std::swap(G[k], G[piv]);
    if (std::fabs(G[k][k]) < 1e-12) continue;
    for (std::size_t r = 0; r < T; ++r) {
      if (r == k) continue;
      const double f = G[r][k] / G[k][k];
      for (std::size_t q = k; q <= T; ++q) G[r][q] -= f * G[k][q];
    }
  }
  std::vector<double> a(T);
  for (std::size_t k = 0; k < T; ++k) a[k] = std::fabs(G[k][k]) < 1e-12 ? 0.0 : G[k][T] / G[k][k];
  return a;
}

bool exactSum(const at::Tensor& wq, const WeightPlanes& p) {
  at::Tensor r = wq.clone();
  for (std::size_t t = 0; t < p.codes.size(); ++t) r -= p.alpha[t] * p.codes[t];
  const double ref = std::max(wq.abs().max().item<double>(), 1e-20);
  return r.abs().max().item<double>() <= 1e-4 * ref;
}

}  // namespace

WeightPlanes weightPlanes(const std::string& layer, const std::string& scheme, const at::Tensor& wq,
                          const std::vector<at::Tensor>& codes) {
  WeightPlanes p;
  for (const auto& c8 : codes) {
    const auto c = c8.to(torch::kFloat32);
    if (c.abs().gt(1).any().item<bool>() || (c - c.round()).abs().gt(0).any().item<bool>())
      throw std::invalid_argument("layer " + layer + ": weight codes are not in {-1,0,1}");
    p.codes.push_back(c);
  }
  p.alpha = leastSquares(wq, p.codes);
  if (exactSum(wq, p)) return p;
  if (codes.size() == 1) {  // two scales: positive and negative parts as separate planes
    const auto& c = p.codes[0];
    WeightPlanes two;
    two.codes = {c.gt(0).to(torch::kFloat32), -c.lt(0).to(torch::kFloat32)};
    two.alpha = leastSquares(wq, two.codes);
    if (exactSum(wq, two)) return two;
  }
  throw std::invalid_argument("layer " + layer + " (" + scheme + "): weights are not a sum of ternary code planes " +
                              "times one scale each, which the engine needs");
}


}  // namespace ternlab::quant
