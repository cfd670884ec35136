#include "kernels/TwoBitGemm.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/Parallel.h"
#include "kernels/ReferenceGemm.h"
#include "kernels/detail/IsaTable.h"

namespace ternlab::kernels {

void twoBitGemm(const TwoBitRows& x, const TwoBitPanels& w, std::int32_t* C, const GemmOptions& opts) {
  if (x.cols != w.cols) throw std::invalid_argument("twoBitGemm: K mismatch");
  if (static_cast<int>(opts.isa()) > static_cast<int>(availableIsas().back()))
    throw std::runtime_error(std::string("ISA not supported by this CPU: ") + isaName(opts.isa()));
  const int M = x.rows, N = w.rows;
  if (opts.isa() == Isa::Reference) {
    const std::vector<std::int8_t> xc = unpackTwoBitRows(x), wc = unpackTwoBitPanels(w);
    referenceGemm(xc.data(), wc.data(), M, N, x.cols, C);
    return;
  }
  detail::TwoBitGemmArgs a{x.hi.data(), x.lo.data(), static_cast<std::size_t>(x.words), M, w.data.data(), N,
                           w.words, x.sum.data(), w.sum.data(), x.cols, C, static_cast<std::size_t>(N)};
  const auto fn = detail::kTwoBitItems.at(opts.isa());
  parallelFor(detail::workItems(M, N), opts.threads(), [&](std::size_t b, std::size_t e) { fn(a, b, e); });
}

}  // namespace ternlab::kernels
