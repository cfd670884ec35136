#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ternlab::quant {

// What one ternary branch of one layer looked like in its last forward: the observability record.
struct BranchStats {
  int branch = 0;
  std::int64_t numel = 0;
  double fracNeg = 0, fracZero = 0, fracPos = 0;
  double entropy = 0;  // bits per code, of the {-1,0,+1} histogram
  std::vector<double> thresholds;
  std::vector<double> scales;
  double gamma = std::numeric_limits<double>::quiet_NaN();
  double density() const { return fracNeg + fracPos; }
};

// Entropy in bits of a three-way histogram given as fractions.
double ternaryEntropy(double fracNeg, double fracZero, double fracPos);

}  // namespace ternlab::quant
