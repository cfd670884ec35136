#include "kernels/Int8Gemm.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/Parallel.h"
#include "kernels/ReferenceGemm.h"
#include "kernels/detail/IsaTable.h"

namespace ternlab::kernels {

void int8Gemm(const Int8Rows& x, const Int8Panels& w, std::int32_t* C, const GemmOptions& opts) {
  if (x.cols != w.cols) throw std::invalid_argument("int8Gemm: K mismatch");
  if (static_cast<int>(opts.isa()) > static_cast<int>(availableIsas().back()))
    throw std::runtime_error(std::string("ISA not supported by this CPU: ") + isaName(opts.isa()));
  const int M = x.rows, N = w.rows;
  if (opts.isa() == Isa::Reference) {
    const std::vector<std::int8_t> xc = unpackInt8Rows(x);
    std::vector<std::int8_t> wc(static_cast<std::size_t>(N) * w.cols);
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < w.cols; ++k)
        wc[static_cast<std::size_t>(n) * w.cols + k] =
            w.data[((static_cast<std::size_t>(n / kPanelRows) * w.groups + k / 4) * kPanelRows + n % kPanelRows) * 4 +
                   k % 4];
    referenceGemm(xc.data(), wc.data(), M, N, x.cols, C);
    return;
  }
  detail::Int8GemmArgs a{x.data.data(), x.stride(), M, w.data.data(), N, w.groups, w.sum.data(), C,
                         static_cast<std::size_t>(N)};
  const auto fn = detail::kInt8Items.at(opts.isa() == Isa::Avx512 && !hasVnni() ? Isa::Avx2 : opts.isa());
  parallelFor(detail::workItems(M, N), opts.threads(), [&](std::size_t b, std::size_t e) { fn(a, b, e); });
}

}  // namespace ternlab::kernels
