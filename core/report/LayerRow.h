#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ternlab::report {

// One row of the model summary (Larq's model summary + Distiller's sparsity table).
struct LayerRow {
  std::string name, kind, scheme;       // scheme "none" for full-precision layers
  std::vector<std::int64_t> shape;
  std::int64_t params = 0;              // weight + bias elements
  int branches = 0;                     // ternary branches (REL T_ex); 0 = full precision
  int weightBits = 32;                  // 2 per branch for ternary
  int activationBits = 32;              // 2 when the layer's input is ternarized
  double fpBytes = 0;                   // 32-bit weights + bias
  double packedBytes = 0;               // 2 bits per code per branch + 32-bit scales and bias
  std::int64_t macs = 0;                // per sample, from the last forward
  double density = 1;                   // non-zero codes / codes, over all branches (1 for FP)
  std::vector<double> branchDensity;
  double effectiveMacs = 0;             // macs · density (zero codes skip their add)
  double bitOps = 0;                    // macs · weightBits · activationBits (BOPs, Baskin et al. 2018)
  double energyPj = 0;                  // estimated compute + weight-read energy per sample (EnergyModel.h)
  double compression() const { return packedBytes > 0 ? fpBytes / packedBytes : 1.0; }
};

struct ModelReport {
  std::vector<LayerRow> layers;
  LayerRow total;
};

}  // namespace ternlab::report
