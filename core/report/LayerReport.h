#pragma once
#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "nn/TernaryNet.h"
#include "report/LayerRow.h"

namespace ternlab::report {

// Runs one forward (eval mode, no gradient) on batch and summarises every quantizable layer.
ModelReport summarize(nn::TernaryNet& net, const at::Tensor& batch);

nlohmann::json toJson(const ModelReport& r);
// A fixed-width text table with a totals line.
std::string formatTable(const ModelReport& r);

}  // namespace ternlab::report
