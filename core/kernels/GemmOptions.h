#pragma once
// How a kernel call executes (which ISA path, how many threads); chained setters in the
// PyTorch options style: GemmOptions().threads(4).isa(Isa::Avx2).
#include "kernels/Isa.h"

namespace ternlab::kernels {

// Execution options shared by every GEMM / convolution entry point.
class GemmOptions {
 public:
  GemmOptions() : isa_(activeIsa()) {}
  GemmOptions& threads(int n) {
    threads_ = n < 1 ? 1 : n;
    return *this;
  }
  GemmOptions& isa(Isa v) {
    isa_ = v;
    return *this;
  }
  int threads() const { return threads_; }
  Isa isa() const { return isa_; }

 private:
  int threads_ = 1;
  Isa isa_;
};

}  // namespace ternlab::kernels
