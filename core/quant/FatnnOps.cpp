#include "quant/FatnnOps.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "quant/ChunkedSums.h"

namespace ternlab::quant {

namespace {

// Band k: clip(x·a_k − shift_k, lo_k, hi_k).
template <class T>
struct Bands {
  T a0, a1, lo0, hi0, lo1, hi1, shift1;
  Bands(T p, T q, bool half)
      : a0(p), a1(q), lo0(half ? 0 : -1), hi0(half ? 1 : 0), lo1(0), hi1(1), shift1(half ? 1 : 0) {}
};

template <class T>
inline T codeOf(T x, const Bands<T>& b) {
  const T u0 = std::min(std::max(x * b.a0, b.lo0), b.hi0);
  const T u1 = std::min(std::max(x * b.a1 - b.shift1, b.lo1), b.hi1);
  return roundHalfEven(u0) + roundHalfEven(u1);
}

// Writes scale·codes (scale α: the value; 1: the codes themselves).
template <class T>
TERNLAB_VECTOR_CLONES void forwardBlock(const T* __restrict x, T* __restrict v, std::int64_t n, const Bands<T> b, T scale) {
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) v[i] = scale * codeOf(x[i], b);
}

// Writes ∂x; adds Σ g·x·[band 0], Σ g·x·[band 1], Σ g·codes (the codes recomputed from x) to s.
template <class T>
TERNLAB_VECTOR_CLONES void backwardBlock(const T* __restrict x, const T* __restrict g, T* __restrict gx, std::int64_t n,
                                         const Bands<T> b, T alpha, std::array<double, 3>& s) {
  T s0 = 0, s1 = 0, sc = 0;
#pragma omp simd reduction(+ : s0, s1, sc)
  for (std::int64_t i = 0; i < n; ++i) {
    const T u0 = x[i] * b.a0, u1 = x[i] * b.a1 - b.shift1;
    const T in0 = T(u0 >= b.lo0) * T(u0 <= b.hi0), in1 = T(u1 >= b.lo1) * T(u1 <= b.hi1);
    gx[i] = g[i] * alpha * (in0 * b.a0 + in1 * b.a1);
    s0 += g[i] * x[i] * in0;
    s1 += g[i] * x[i] * in1;
    sc += g[i] * codeOf(x[i], b);
  }
  s[0] += s0;
  s[1] += s1;
  s[2] += sc;
}

// scale·codes of x for the widths p, q, in one parallel pass.
at::Tensor scaledCodes(const at::Tensor& xc, double p, double q, bool half, double scale) {
  auto out = at::empty_like(xc);
  AT_DISPATCH_FLOATING_TYPES(xc.scalar_type(), "fatnnForward", [&] {
    const scalar_t* px = xc.data_ptr<scalar_t>();
    scalar_t* pv = out.data_ptr<scalar_t>();
    const Bands<scalar_t> b(static_cast<scalar_t>(p), static_cast<scalar_t>(q), half);
    const auto sv = static_cast<scalar_t>(scale);
    at::parallel_for(0, xc.numel(), kSumBlock,
                     [&](std::int64_t s, std::int64_t e) { forwardBlock(px + s, pv + s, e - s, b, sv); });
  });
  return out;
}

struct FatnnFunction : torch::autograd::Function<FatnnFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& a0,
                            const at::Tensor& a1, const at::Tensor& alpha, bool half) {
    const auto xc = x.detach().contiguous();
    const auto value = scaledCodes(xc, a0.item<double>(), a1.item<double>(), half, alpha.item<double>());
    ctx->save_for_backward({x, a0, a1, alpha});
    ctx->saved_data["half"] = half;
    return value.view(x.sizes());
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto x = saved[0].contiguous(), g = grads[0].contiguous();
    const bool half = ctx->saved_data["half"].toBool();
    const double p = saved[1].item<double>(), q = saved[2].item<double>(), a = saved[3].item<double>();
    auto gx = at::empty_like(x);
    std::array<double, 3> s{};
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fatnnBackward", [&] {
      const scalar_t* px = x.data_ptr<scalar_t>();
      const scalar_t* pg = g.data_ptr<scalar_t>();
      scalar_t* po = gx.data_ptr<scalar_t>();
      const Bands<scalar_t> b(static_cast<scalar_t>(p), static_cast<scalar_t>(q), half);
      const auto av = static_cast<scalar_t>(a);
      s = blockSums<3>(x.numel(), [&](std::int64_t o, std::int64_t n, std::array<double, 3>& acc) {
        backwardBlock(px + o, pg + o, po + o, n, b, av, acc);
      });
    });
    const auto scalar = [&](const at::Tensor& like, double v) { return at::full({}, v, like.options()); };
    return {gx, scalar(saved[1], a * s[0]), scalar(saved[2], a * s[1]), scalar(saved[3], s[2]), at::Tensor()};
  }
};

}  // namespace

at::Tensor fatnnQuantize(const at::Tensor& x, const at::Tensor& a0, const at::Tensor& a1, const at::Tensor& alpha,
                         bool halfRange) {
  return FatnnFunction::apply(x, a0, a1, alpha, halfRange);
}

at::Tensor fatnnCodes(const at::Tensor& x, double a0, double a1, bool halfRange) {
  const auto xc = x.detach().contiguous();
  return scaledCodes(xc, a0, a1, halfRange, 1.0).view(x.sizes());
}

}  // namespace ternlab::quant
