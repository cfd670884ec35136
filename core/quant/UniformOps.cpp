#include "quant/UniformOps.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "quant/ChunkedSums.h"

namespace ternlab::quant {

namespace {

// The block loops take raw pointers as arguments (not lambda captures) so that the compiler can vectorise them.
template <class T>
TERNLAB_VECTOR_CLONES void positiveSquaresBlock(const T* __restrict p, std::int64_t n, std::array<double, 2>& acc) {
  T count = 0, squares = 0;
#pragma omp simd reduction(+ : count, squares)
  for (std::int64_t i = 0; i < n; ++i) {
    const T positive = T(p[i] > 0);
    count += positive;
    squares += positive * p[i] * p[i];
  }
  acc[0] += count;
  acc[1] += squares;
}

template <class T>
TERNLAB_VECTOR_CLONES void momentsBlock(const T* __restrict p, std::int64_t n, std::array<double, 2>& acc) {
  T sum = 0, squares = 0;
#pragma omp simd reduction(+ : sum, squares)
  for (std::int64_t i = 0; i < n; ++i) {
    sum += p[i];
    squares += p[i] * p[i];
  }
  acc[0] += sum;
  acc[1] += squares;
}

// No FMA here (this file is built with -ffp-contract=off): each step rounds to T like the separate torch ops.
template <class T>
TERNLAB_VECTOR_CLONES void affineBlock(const T* __restrict p, T* __restrict o, std::int64_t n, T k, T shift, T gamma) {
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) {
    const T v = p[i] * k;
    const T w = v + shift;
    o[i] = gamma * w;
  }
}

// Writes ∂/∂x = g·γ·k; adds ∂/∂γ = Σ g·(k·x + shift).
template <class T>
TERNLAB_VECTOR_CLONES void affineBackwardBlock(const T* __restrict p, const T* __restrict g, T* __restrict o, std::int64_t n, T gammaK,
                         T k, T shift, std::array<double, 1>& acc) {
  T sum = 0;
#pragma omp simd reduction(+ : sum)
  for (std::int64_t i = 0; i < n; ++i) {
    o[i] = g[i] * gammaK;
    sum += g[i] * (p[i] * k + shift);
  }
  acc[0] += sum;
}

template <class T>
std::array<double, 2> positiveSquares(const T* p, std::int64_t n) {
  return blockSums<2>(n, [&](std::int64_t b, std::int64_t len, std::array<double, 2>& acc) {
    positiveSquaresBlock<T>(p + b, len, acc);
  });
}

template <class T>
std::array<double, 2> moments(const T* p, std::int64_t n) {
  return blockSums<2>(n, [&](std::int64_t b, std::int64_t len, std::array<double, 2>& acc) {
    momentsBlock<T>(p + b, len, acc);
  });
}

template <class T>
void affineForward(const T* p, T* o, std::int64_t n, T k, T shift, T gamma) {
  at::parallel_for(0, n, kSumBlock * 32, [&](std::int64_t b, std::int64_t e) {
    affineBlock<T>(p + b, o + b, e - b, k, shift, gamma);
  });
}

template <class T>
double affineBackward(const T* p, const T* g, T* o, std::int64_t n, T gammaK, T k, T shift) {
  return blockSums<1>(n, [&](std::int64_t b, std::int64_t len, std::array<double, 1>& acc) {
    affineBackwardBlock<T>(p + b, g + b, o + b, len, gammaK, k, shift, acc);
  })[0];
}

struct GammaAffineFunction : torch::autograd::Function<GammaAffineFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& gamma,
                            double k, double shift) {
    const auto xc = x.contiguous();
    auto out = at::empty_like(xc);
    const double g = gamma.item<double>();
    AT_DISPATCH_FLOATING_TYPES(xc.scalar_type(), "gammaAffine", [&] {
      affineForward<scalar_t>(xc.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(), xc.numel(), static_cast<scalar_t>(k),
                              static_cast<scalar_t>(shift), static_cast<scalar_t>(g));
    });
    ctx->save_for_backward({xc, gamma});
    ctx->saved_data["k"] = k;
    ctx->saved_data["shift"] = shift;
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto grad = grads[0].contiguous();
    const double k = ctx->saved_data["k"].toDouble(), shift = ctx->saved_data["shift"].toDouble();
    const double g = saved[1].item<double>();
    auto gx = at::empty_like(x);
    double gGamma = 0;
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "gammaAffineBackward", [&] {
      gGamma = affineBackward<scalar_t>(x.data_ptr<scalar_t>(), grad.data_ptr<scalar_t>(), gx.data_ptr<scalar_t>(),
                                        x.numel(), static_cast<scalar_t>(g * k), static_cast<scalar_t>(k),
                                        static_cast<scalar_t>(shift));
    });
    return {gx, at::full({}, gGamma, saved[1].options()), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

double positiveRms(const at::Tensor& x) {
  const auto xc = x.detach().contiguous();
  std::array<double, 2> s{};
  AT_DISPATCH_FLOATING_TYPES(xc.scalar_type(), "positiveRms",
                             [&] { s = positiveSquares<scalar_t>(xc.data_ptr<scalar_t>(), xc.numel()); });
  return std::sqrt(s[1] / std::max(1.0, s[0]));
}

MeanStd meanStd(const at::Tensor& x) {
  const auto xc = x.detach().contiguous();
  const auto n = static_cast<double>(xc.numel());
  std::array<double, 2> s{};
  AT_DISPATCH_FLOATING_TYPES(xc.scalar_type(), "meanStd",
                             [&] { s = moments<scalar_t>(xc.data_ptr<scalar_t>(), xc.numel()); });
  MeanStd r;
  if (n == 0) return r;
  r.mean = s[0] / n;
  r.std = n > 1 ? std::sqrt(std::max(0.0, (s[1] - n * r.mean * r.mean) / (n - 1))) : 0.0;
  return r;
}

at::Tensor gammaAffine(const at::Tensor& x, const at::Tensor& gamma, double k, double shift) {
  return GammaAffineFunction::apply(x, gamma, k, shift).view(x.sizes());
}

}  // namespace ternlab::quant
