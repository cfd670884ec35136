#include "kernels/TernaryGemm.h"

#include <stdexcept>
#include <vector>

#include "kernels/Parallel.h"
#include "kernels/ReferenceGemm.h"
#include "kernels/detail/IsaTable.h"

namespace ternlab::kernels {
namespace {

using ItemFn = void (*)(const detail::TernaryGemmArgs&, std::size_t, std::size_t);

ItemFn itemsFor(Isa isa) {
  return detail::kTernaryItems.at(isa);
}

void checkIsa(Isa isa) {
  if (static_cast<int>(isa) > static_cast<int>(availableIsas().back()))
    throw std::runtime_error(std::string("ISA not supported by this CPU: ") + isaName(isa));
}

void run(const TernaryRows& x, const TernaryPanels& w, const std::int32_t* colAdd, int offset,
         std::int32_t* C, const GemmOptions& opts) {
  if (x.cols != w.cols) throw std::invalid_argument("ternaryGemm: K mismatch");
  checkIsa(opts.isa());
  const int M = x.rows, N = w.rows;
  if (opts.isa() == Isa::Reference) {
    std::vector<std::int8_t> xc = unpackTernaryRows(x), wc = unpackTernaryPanels(w);
    for (auto& v : xc) v = static_cast<std::int8_t>(v + offset);
    referenceGemm(xc.data(), wc.data(), M, N, x.cols, C);
    return;
  }
  detail::TernaryGemmArgs a{x.m.data(), x.s.data(), static_cast<std::size_t>(x.words), M, w.data.data(),
                            N, w.words, colAdd, C, static_cast<std::size_t>(N)};
  const ItemFn fn = itemsFor(opts.isa());
  parallelFor(detail::workItems(M, N), opts.threads(), [&](std::size_t b, std::size_t e) { fn(a, b, e); });
}

}  // namespace

void ternaryGemm(const TernaryRows& x, const TernaryPanels& w, std::int32_t* C, const GemmOptions& opts) {
  run(x, w, nullptr, 0, C, opts);
}

void halfRangeGemm(const TernaryRows& xHalf, const TernaryPanels& w, std::int32_t* C, const GemmOptions& opts) {
  run(xHalf, w, w.rowSum.data(), 1, C, opts);
}

}  // namespace ternlab::kernels
