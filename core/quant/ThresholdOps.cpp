#include "quant/ThresholdOps.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "quant/ChunkedSums.h"

namespace ternlab::quant {

namespace {

// The block loops take raw pointers as arguments (not lambda captures) so that the compiler can vectorise them.

template <class T>
TERNLAB_VECTOR_CLONES void absSumBlock(const T* __restrict x, std::int64_t n, std::array<double, 1>& s) {
  T sum = 0;
#pragma omp simd reduction(+ : sum)
  for (std::int64_t i = 0; i < n; ++i) sum += std::abs(x[i]);
  s[0] += sum;
}

template <class T>
TERNLAB_VECTOR_CLONES void absMaxBlock(const T* __restrict x, std::int64_t n, std::array<double, 1>& s) {
  T m = 0;
#pragma omp simd reduction(max : m)
  for (std::int64_t i = 0; i < n; ++i) m = std::max(m, std::abs(x[i]));
  s[0] = std::max(s[0], static_cast<double>(m));
}

template <class T, bool Inclusive>
TERNLAB_VECTOR_CLONES void codesBlock(const T* __restrict x, T* __restrict c, std::int64_t n, T delta, std::array<double, 2>& s) {
  T sum = 0, count = 0;
#pragma omp simd reduction(+ : sum, count)
  for (std::int64_t i = 0; i < n; ++i) {
    const T pos = Inclusive ? T(x[i] >= delta) : T(x[i] > delta), neg = Inclusive ? T(x[i] <= -delta) : T(x[i] < -delta);
    const T code = pos - neg;
    c[i] = code;
    sum += code * x[i];  // |x| where selected
    count += code * code;
  }
  s[0] += sum;
  s[1] += count;
}

template <class T>
TERNLAB_VECTOR_CLONES void clipGradBlock(const T* __restrict x, const T* __restrict g, T* __restrict out, std::int64_t n, T clip) {
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) out[i] = g[i] * T(std::abs(x[i]) <= clip);
}

template <class T>
TERNLAB_VECTOR_CLONES void lsqForwardBlock(const T* __restrict x, T* __restrict c, T* __restrict v, std::int64_t n, T s, T qn, T qp) {
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) {
    const T code = roundHalfEven(std::min(std::max(x[i] / s, -qn), qp));
    c[i] = code;
    v[i] = code * s;
  }
}

// ∂x = g·[inside]; adds Σ g·(code − [inside]·x/s) to acc.
template <class T>
TERNLAB_VECTOR_CLONES void lsqBackwardBlock(const T* __restrict x, const T* __restrict c, const T* __restrict g, T* __restrict gx,
                      std::int64_t n, T s, T qn, T qp, std::array<double, 1>& acc) {
  T sum = 0;
#pragma omp simd reduction(+ : sum)
  for (std::int64_t i = 0; i < n; ++i) {
    const T v = x[i] / s;
    const T inside = T(v >= -qn) * T(v <= qp);
    gx[i] = g[i] * inside;
    sum += g[i] * (c[i] - inside * v);
  }
  acc[0] += sum;
}

struct StraightThroughFunction : torch::autograd::Function<StraightThroughFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& codes,
                            double alpha, double clip) {
    ctx->saved_data["clip"] = clip;
    if (std::isfinite(clip)) ctx->save_for_backward({x});
    return codes * alpha;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const double clip = ctx->saved_data["clip"].toDouble();
    if (!std::isfinite(clip)) return {grads[0], at::Tensor(), at::Tensor(), at::Tensor()};
    const auto x = ctx->get_saved_variables()[0].contiguous();
    const auto g = grads[0].contiguous();
    auto out = at::empty_like(x);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "straightThrough", [&] {
      const scalar_t* px = x.data_ptr<scalar_t>();
      const scalar_t* pg = g.data_ptr<scalar_t>();
      scalar_t* po = out.data_ptr<scalar_t>();
      const auto c = static_cast<scalar_t>(clip);
      at::parallel_for(0, x.numel(), kSumBlock, [&](std::int64_t b, std::int64_t e) { clipGradBlock(px + b, pg + b, po + b, e - b, c); });
    });
    return {out, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

// Outputs {codes·s, codes}; codes is not differentiable.
struct LsqFunction : torch::autograd::Function<LsqFunction> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                                                const at::Tensor& s, double qn, double qp, double gradScale) {
    const auto xc = x.detach().contiguous();
    auto codes = at::empty_like(xc), value = at::empty_like(xc);
    const double sv = s.item<double>();
    AT_DISPATCH_FLOATING_TYPES(xc.scalar_type(), "lsqForward", [&] {
      const scalar_t* p = xc.data_ptr<scalar_t>();
      scalar_t* c = codes.data_ptr<scalar_t>();
      scalar_t* v = value.data_ptr<scalar_t>();
      const auto st = static_cast<scalar_t>(sv), n = static_cast<scalar_t>(qn), q = static_cast<scalar_t>(qp);
      at::parallel_for(0, xc.numel(), kSumBlock,
                       [&](std::int64_t b, std::int64_t e) { lsqForwardBlock(p + b, c + b, v + b, e - b, st, n, q); });
    });
    codes = codes.view(x.sizes());
    value = value.view(x.sizes());
    ctx->mark_non_differentiable({codes});
    ctx->save_for_backward({x, s, codes});
    ctx->saved_data["qn"] = qn;
    ctx->saved_data["qp"] = qp;
    ctx->saved_data["scale"] = gradScale;
    return {value, codes};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto x = saved[0].contiguous(), codes = saved[2].contiguous(), g = grads[0].contiguous();
    auto gx = at::empty_like(x);
    std::array<double, 1> sum{};
    const double sv = saved[1].item<double>();
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "lsqBackward", [&] {
      const scalar_t* px = x.data_ptr<scalar_t>();
      const scalar_t* pc = codes.data_ptr<scalar_t>();
      const scalar_t* pg = g.data_ptr<scalar_t>();
      scalar_t* po = gx.data_ptr<scalar_t>();
      const auto s = static_cast<scalar_t>(sv), qn = static_cast<scalar_t>(ctx->saved_data["qn"].toDouble()),
                 qp = static_cast<scalar_t>(ctx->saved_data["qp"].toDouble());
      sum = blockSums<1>(x.numel(), [&](std::int64_t b, std::int64_t n, std::array<double, 1>& acc) {
        lsqBackwardBlock(px + b, pc + b, pg + b, po + b, n, s, qn, qp, acc);
      });
    });
    const double gs = sum[0] * ctx->saved_data["scale"].toDouble();
    return {gx, at::full({}, gs, saved[1].options()), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

double absStatistic(const at::Tensor& x, AbsStatistic which) {
  const auto xc = x.detach().contiguous();
  double r = 0;
  AT_DISPATCH_FLOATING_TYPES(xc.scalar_type(), "absStatistic", [&] {
    const scalar_t* p = xc.data_ptr<scalar_t>();
    if (which == AbsStatistic::Mean) {
      r = blockSums<1>(xc.numel(), [&](std::int64_t b, std::int64_t n, std::array<double, 1>& s) { absSumBlock(p + b, n, s); })[0];
      r = xc.numel() > 0 ? r / static_cast<double>(xc.numel()) : 0.0;
    } else {
      // max is order-independent: a parallel reduction of the chunk maxima gives the same value for any thread count.
      r = at::parallel_reduce(
          0, xc.numel(), kSumBlock, 0.0,
          [&](std::int64_t b, std::int64_t e, double m) {
            std::array<double, 1> s{m};
            absMaxBlock(p + b, e - b, s);
            return s[0];
          },
          [](double a, double b) { return std::max(a, b); });
    }
  });
  return r;
}

ThresholdCodes thresholdCodes(const at::Tensor& x, double delta, bool inclusive) {
  const auto xc = x.detach().contiguous();
  ThresholdCodes r;
  r.codes = at::empty_like(xc);
  AT_DISPATCH_FLOATING_TYPES(xc.scalar_type(), "thresholdCodes", [&] {
    const scalar_t* p = xc.data_ptr<scalar_t>();
    scalar_t* c = r.codes.data_ptr<scalar_t>();
    const auto d = static_cast<scalar_t>(delta);
    const auto sums = blockSums<2>(xc.numel(), [&](std::int64_t b, std::int64_t n, std::array<double, 2>& s) {
      if (inclusive)
        codesBlock<scalar_t, true>(p + b, c + b, n, d, s);
      else
        codesBlock<scalar_t, false>(p + b, c + b, n, d, s);
    });
    r.selectedAbsSum = sums[0];
    r.selectedCount = sums[1];
  });
  r.codes = r.codes.view(x.sizes());
  return r;
}

at::Tensor straightThrough(const at::Tensor& x, const at::Tensor& codes, double alpha, double clip) {
  return StraightThroughFunction::apply(x, codes, alpha, clip);
}

LsqForward lsqQuantize(const at::Tensor& x, const at::Tensor& s, double qn, double qp, double gradScale) {
  const auto out = LsqFunction::apply(x, s, qn, qp, gradScale);
  return {out[0], out[1]};
}

}  // namespace ternlab::quant
