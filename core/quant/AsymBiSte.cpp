#include "quant/AsymBiSte.h"

#include "quant/ChunkedSums.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>


namespace ternlab::quant {

namespace {

// The block loops take raw pointers as arguments (not lambda captures) so that the compiler can vectorise them.

// Eq. 8 on one block: signed z ≥ Δp → +1, z ≤ Δn → −1; half-range one step per threshold crossed.
// Adds Σ z·c and Σ c² to s.
template <class T, bool Half>
TERNLAB_VECTOR_CLONES void codesBlock(const T* __restrict z, T* __restrict c, std::int64_t n, T t1, T t2, std::array<double, 2>& s) {
  T zcSum = 0, ccSum = 0;
#pragma omp simd reduction(+ : zcSum, ccSum)
  for (std::int64_t i = 0; i < n; ++i) {
    const T code = Half ? T(z[i] >= t1) + T(z[i] >= t2) : T(z[i] >= t1) - T(z[i] <= t2);
    c[i] = code;
    zcSum += z[i] * code;
    ccSum += code * code;
  }
  s[0] += zcSum;
  s[1] += ccSum;
}

template <class T>
AsymCodes codesOf(const at::Tensor& zc, double t1d, double t2d, bool halfRange) {
  auto codes = at::empty_like(zc);
  const T* z = zc.data_ptr<T>();
  T* c = codes.data_ptr<T>();
  const T t1 = static_cast<T>(t1d), t2 = static_cast<T>(t2d);
  const auto sums = blockSums<2>(zc.numel(), [&](std::int64_t b, std::int64_t n, std::array<double, 2>& s) {
    if (halfRange)
      codesBlock<T, true>(z + b, c + b, n, t1, t2, s);
    else
      codesBlock<T, false>(z + b, c + b, n, t1, t2, s);
  });
  return {codes, sums[0], sums[1]};
}

// Thresholds and their derived constants for the backward.
template <class T>
struct Ramps {
  T alpha, t1, t2, inv1, inv2, invD, invDD, slope1, slope2;
  Ramps(T a, T p, T q)
      : alpha(a), t1(p), t2(q), inv1(1 / (2 * p)), inv2(1 / (2 * q)), invD(1 / (2 * (q - p))),
        invDD(1 / (2 * (q - p) * (q - p))), slope1(-inv1 / p), slope2(inv2 / q) {}
};

// The backward of α·E[q] from AsymQuantizer::expectedCode on one block. Clamp passes the gradient with its
// argument inside [0, 1], boundaries included, as torch::clamp's backward does; the ramps are arithmetic masks.
// Writes g·α·∂E/∂z to out; adds Σ g·c (for α), Σ g·∂E/∂t1 and Σ g·∂E/∂t2 to s.
template <class T, bool Half>
TERNLAB_VECTOR_CLONES void backwardBlock(const T* __restrict z, const T* __restrict c, const T* __restrict g, T* __restrict out,
                   std::int64_t n, const Ramps<T> r, std::array<double, 3>& s) {
  T sa = 0, s1 = 0, s2 = 0;
  if (Half) {
#pragma omp simd reduction(+ : sa, s1, s2)
    for (std::int64_t i = 0; i < n; ++i) {
      const T x = z[i], r1 = x * r.inv1, r2 = (x - r.t1) * r.invD;
      const T in1 = T(r1 >= 0) * T(r1 <= 1), in2 = T(r2 >= 0) * T(r2 <= 1);  // ramps of p1 and p2
      out[i] = g[i] * r.alpha * (in1 * r.inv1 + in2 * r.invD);
      sa += g[i] * c[i];
      s1 += g[i] * (in1 * x * r.slope1 + in2 * (x - r.t2) * r.invDD);  // ∂p1/∂Δ1 + ∂p2/∂Δ1
      s2 += g[i] * (in2 * (r.t1 - x) * r.invDD);                        // ∂p2/∂Δ2
    }
  } else {
#pragma omp simd reduction(+ : sa, s1, s2)
    for (std::int64_t i = 0; i < n; ++i) {
      const T x = z[i];
      const T pos = T(x > 0) * T(x * r.inv1 <= 1), neg = T(x < 0) * T(x * r.inv2 <= 1);  // (0, 2Δp], [2Δn, 0)
      out[i] = g[i] * r.alpha * (pos * r.inv1 - neg * r.inv2);
      sa += g[i] * c[i];
      s1 += pos * g[i] * x * r.slope1;  // ∂E/∂Δp = −z/2Δp²
      s2 += neg * g[i] * x * r.slope2;  // ∂E/∂Δn = z/2Δn²
    }
  }
  s[0] += sa;
  s[1] += s1;
  s[2] += s2;
}

template <class T>
std::array<double, 3> biSteBackward(const at::Tensor& zc, const at::Tensor& cc, const at::Tensor& gc, T alpha, T t1,
                                    T t2, bool halfRange, at::Tensor& gz) {
  const T* z = zc.data_ptr<T>();
  const T* c = cc.data_ptr<T>();
  const T* g = gc.data_ptr<T>();
  T* out = gz.data_ptr<T>();
  const Ramps<T> r(alpha, t1, t2);
  return blockSums<3>(zc.numel(), [&](std::int64_t b, std::int64_t n, std::array<double, 3>& s) {
    if (halfRange)
      backwardBlock<T, true>(z + b, c + b, g + b, out + b, n, r, s);
    else
      backwardBlock<T, false>(z + b, c + b, g + b, out + b, n, r, s);
  });
}

struct AsymBiSteFunction : torch::autograd::Function<AsymBiSteFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& z, const at::Tensor& codes,
                            const at::Tensor& alpha, const at::Tensor& t1, const at::Tensor& t2, bool halfRange) {
    ctx->save_for_backward({z, codes, alpha, t1, t2});
    ctx->saved_data["half"] = halfRange;
    return codes * alpha;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto z = saved[0].contiguous(), codes = saved[1].contiguous(), g = grads[0].contiguous();
    const bool half = ctx->saved_data["half"].toBool();
    auto gz = at::empty_like(z);
    std::array<double, 3> s{};
    double alpha = saved[2].item<double>();
    AT_DISPATCH_FLOATING_TYPES(z.scalar_type(), "asymBiSte", [&] {
      s = biSteBackward<scalar_t>(z, codes, g, static_cast<scalar_t>(alpha), saved[3].item<scalar_t>(),
                                  saved[4].item<scalar_t>(), half, gz);
    });
    const auto scalar = [&](const at::Tensor& like, double v) { return at::full({}, v, like.options()); };
    return {gz, at::Tensor(), scalar(saved[2], s[0]), scalar(saved[3], alpha * s[1]), scalar(saved[4], alpha * s[2]),
            at::Tensor()};
  }
};

}  // namespace

AsymCodes asymCodes(const at::Tensor& z, double t1, double t2, bool halfRange) {
  const auto zc = z.detach().contiguous();
  AsymCodes r;
  AT_DISPATCH_FLOATING_TYPES(zc.scalar_type(), "asymCodes",
                             [&] { r = codesOf<scalar_t>(zc, t1, t2, halfRange); });
  r.codes = r.codes.view(z.sizes());
  return r;
}

at::Tensor asymBiSte(const at::Tensor& z, const at::Tensor& codes, const at::Tensor& alpha, const at::Tensor& t1,
                     const at::Tensor& t2, bool halfRange) {
  return AsymBiSteFunction::apply(z, codes, alpha, t1, t2, halfRange);
}

}  // namespace ternlab::quant
