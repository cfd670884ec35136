#include "quant/AsymBiSte.h"

#include "quant/ChunkedSums.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>


namespace ternlab::quant {

namespace {

// The block loops take raw pointers as arguments (not lambda captures) so that the compiler can vectorise them.

// z = γ·(k·x + shift) in T, rounded as gammaAffine (UniformOps) rounds it: (x·k) + shift, then ·γ, no FMA.
// The identity (1, 1, 0) gives z = x exactly.
template <class T>
struct Affine {
  T gamma, k, shift;
  explicit Affine(const InputAffine& a)
      : gamma(static_cast<T>(a.gamma)), k(static_cast<T>(a.k)), shift(static_cast<T>(a.shift)) {}
  T operator()(T x) const {
    const T v = x * k;
    const T w = v + shift;
    return gamma * w;
  }
};

// Eq. 8: signed z ≥ Δp → +1, z ≤ Δn → −1; half-range one step per threshold crossed.
template <class T, bool Half>
inline T codeOf(T z, T t1, T t2) {
  return Half ? T(z >= t1) + T(z >= t2) : T(z >= t1) - T(z <= t2);
}

// Writes scale·c for z = a(x) (scale α: the forward's output; 1: the codes); adds Σ z·c and Σ c² to s.
template <class T, bool Half>
TERNLAB_VECTOR_CLONES void codesBlock(const T* __restrict x, T* __restrict out, std::int64_t n, const Affine<T> a, T t1,
                                      T t2, T scale, std::array<double, 2>& s) {
  T zcSum = 0, ccSum = 0;
#pragma omp simd reduction(+ : zcSum, ccSum)
  for (std::int64_t i = 0; i < n; ++i) {
    const T z = a(x[i]);
    const T code = codeOf<T, Half>(z, t1, t2);
    out[i] = code * scale;
    zcSum += z * code;
    ccSum += code * code;
  }
  s[0] += zcSum;
  s[1] += ccSum;
}

template <class T>
AsymCodes codesOf(const at::Tensor& xc, const AsymPass& p, double scale) {
  auto out = at::empty_like(xc);
  const T* x = xc.data_ptr<T>();
  T* o = out.data_ptr<T>();
  const Affine<T> a(p.affine);
  const T t1 = static_cast<T>(p.t1), t2 = static_cast<T>(p.t2), sc = static_cast<T>(scale);
  const auto sums = blockSums<2>(xc.numel(), [&](std::int64_t b, std::int64_t n, std::array<double, 2>& s) {
    if (p.halfRange)
      codesBlock<T, true>(x + b, o + b, n, a, t1, t2, sc, s);
    else
      codesBlock<T, false>(x + b, o + b, n, a, t1, t2, sc, s);
  });
  return {out, sums[0], sums[1]};
}

// Thresholds and their derived constants for the backward.
template <class T>
struct Ramps {
  T alpha, t1, t2, inv1, inv2, invD, invDD, slope1, slope2;
  Ramps(T a, T p, T q)
      : alpha(a), t1(p), t2(q), inv1(1 / (2 * p)), inv2(1 / (2 * q)), invD(1 / (2 * (q - p))),
        invDD(1 / (2 * (q - p) * (q - p))), slope1(-inv1 / p), slope2(inv2 / q) {}
};

// The backward of α·E[q(z)] from AsymQuantizer::expectedCode, z = a(x), on one block. Clamp passes the gradient
// with its argument inside [0, 1], boundaries included, as torch::clamp's backward does; the ramps are arithmetic
// masks. The codes are recomputed from x with the forward's thresholds (c1, c2). Writes g·α·∂E/∂z·γk to out;
// adds Σ g·c (for α), Σ g·∂E/∂t1, Σ g·∂E/∂t2 and Σ (g·α·∂E/∂z)·(k·x + shift) (for γ) to s.
template <class T, bool Half>
TERNLAB_VECTOR_CLONES void backwardBlock(const T* __restrict x, const T* __restrict g, T* __restrict out, std::int64_t n,
                                         const Affine<T> a, T c1, T c2, const Ramps<T> r, std::array<double, 4>& s) {
  T sa = 0, s1 = 0, s2 = 0, sg = 0;
  const T gammaK = a.gamma * a.k;
#pragma omp simd reduction(+ : sa, s1, s2, sg)
  for (std::int64_t i = 0; i < n; ++i) {
    const T z = a(x[i]);
    const T c = codeOf<T, Half>(z, c1, c2);
    T gz;
    if (Half) {
      const T r1 = z * r.inv1, r2 = (z - r.t1) * r.invD;
      const T in1 = T(r1 >= 0) * T(r1 <= 1), in2 = T(r2 >= 0) * T(r2 <= 1);  // ramps of p1 and p2
      gz = g[i] * r.alpha * (in1 * r.inv1 + in2 * r.invD);
      s1 += g[i] * (in1 * z * r.slope1 + in2 * (z - r.t2) * r.invDD);  // ∂p1/∂Δ1 + ∂p2/∂Δ1
      s2 += g[i] * (in2 * (r.t1 - z) * r.invDD);                        // ∂p2/∂Δ2
    } else {
      const T pos = T(z > 0) * T(z * r.inv1 <= 1), neg = T(z < 0) * T(z * r.inv2 <= 1);  // (0, 2Δp], [2Δn, 0)
      gz = g[i] * r.alpha * (pos * r.inv1 - neg * r.inv2);
      s1 += pos * g[i] * z * r.slope1;  // ∂E/∂Δp = −z/2Δp²
      s2 += neg * g[i] * z * r.slope2;  // ∂E/∂Δn = z/2Δn²
    }
    sa += g[i] * c;
    out[i] = gz * gammaK;
    sg += gz * (x[i] * a.k + a.shift);
  }
  s[0] += sa;
  s[1] += s1;
  s[2] += s2;
  s[3] += sg;
}

template <class T>
std::array<double, 4> biSteBackward(const at::Tensor& xc, const at::Tensor& gc, const AsymPass& p, T alpha, T t1, T t2,
                                    at::Tensor& gx) {
  const T* x = xc.data_ptr<T>();
  const T* g = gc.data_ptr<T>();
  T* out = gx.data_ptr<T>();
  const Affine<T> a(p.affine);
  const T c1 = static_cast<T>(p.t1), c2 = static_cast<T>(p.t2);
  const Ramps<T> r(alpha, t1, t2);
  return blockSums<4>(xc.numel(), [&](std::int64_t b, std::int64_t n, std::array<double, 4>& s) {
    if (p.halfRange)
      backwardBlock<T, true>(x + b, g + b, out + b, n, a, c1, c2, r, s);
    else
      backwardBlock<T, false>(x + b, g + b, out + b, n, a, c1, c2, r, s);
  });
}

struct AsymBiSteFunction : torch::autograd::Function<AsymBiSteFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& alpha,
                            const at::Tensor& t1, const at::Tensor& t2, const at::Tensor& gamma, double c1, double c2,
                            bool halfRange, double k, double shift) {
    const auto xc = x.contiguous();
    const AsymPass p{c1, c2, halfRange, {gamma.item<double>(), k, shift}};
    at::Tensor out;
    AT_DISPATCH_FLOATING_TYPES(xc.scalar_type(), "asymBiSte", [&] { out = codesOf<scalar_t>(xc, p, alpha.item<double>()).codes; });
    ctx->save_for_backward({xc, alpha, t1, t2, gamma});
    ctx->saved_data["c1"] = c1;
    ctx->saved_data["c2"] = c2;
    ctx->saved_data["half"] = halfRange;
    ctx->saved_data["k"] = k;
    ctx->saved_data["shift"] = shift;
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto g = grads[0].contiguous();
    const auto& d = ctx->saved_data;
    const AsymPass p{d.at("c1").toDouble(), d.at("c2").toDouble(), d.at("half").toBool(),
                     {saved[4].item<double>(), d.at("k").toDouble(), d.at("shift").toDouble()}};
    auto gx = at::empty_like(x);
    std::array<double, 4> s{};
    const double alpha = saved[1].item<double>();
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "asymBiSteBackward", [&] {
      s = biSteBackward<scalar_t>(x, g, p, static_cast<scalar_t>(alpha), saved[2].item<scalar_t>(),
                                  saved[3].item<scalar_t>(), gx);
    });
    const auto scalar = [&](const at::Tensor& like, double v) { return at::full({}, v, like.options()); };
    return {gx,           scalar(saved[1], s[0]), scalar(saved[2], alpha * s[1]), scalar(saved[3], alpha * s[2]),
            scalar(saved[4], s[3]), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

AsymCodes asymCodes(const at::Tensor& x, const AsymPass& p) {
  const auto xc = x.detach().contiguous();
  AsymCodes r;
  AT_DISPATCH_FLOATING_TYPES(xc.scalar_type(), "asymCodes", [&] { r = codesOf<scalar_t>(xc, p, 1.0); });
  r.codes = r.codes.view(x.sizes());
  return r;
}

at::Tensor asymBiSte(const at::Tensor& x, const AsymPass& p, const at::Tensor& alpha, const at::Tensor& t1,
                     const at::Tensor& t2, const at::Tensor& gamma) {
  const auto g = gamma.defined() ? gamma : at::ones({}, x.options());
  return AsymBiSteFunction::apply(x, alpha, t1, t2, g, p.t1, p.t2, p.halfRange, p.affine.k, p.affine.shift)
      .view(x.sizes());
}

}  // namespace ternlab::quant
