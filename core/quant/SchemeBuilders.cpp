#include "quant/SchemeBuilders.h"

#include <map>
#include <stdexcept>

#include "quant/AsymQuantizer.h"
#include "quant/FatnnQuantizer.h"
#include "quant/IcsQuantizer.h"
#include "quant/LsqQuantizer.h"
#include "quant/TtqQuantizer.h"
#include "quant/TwnQuantizer.h"

namespace ternlab::quant {

namespace {

bool unitInit(const config::QuantSpec& spec) { return spec.uniform != "off"; }

// Activation thresholds from batch statistics are tracked and frozen for evaluation (RunningStats).
std::vector<std::pair<std::string, QuantizerBuilder>>& builders() {
  static std::vector<std::pair<std::string, QuantizerBuilder>> table = {
      {"twn",
       [](const QuantizerRequest& r) {
         return std::make_shared<TwnQuantizer>(TwnOptions().factor(r.factor).trackRunning(!r.forWeights));
       }},
      {"ics",
       [](const QuantizerRequest& r) {
         return std::make_shared<IcsQuantizer>(IcsOptions().beta(r.factor).trackRunning(!r.forWeights));
       }},
      {"ttq",
       [](const QuantizerRequest& r) -> std::shared_ptr<TensorQuantizer> {
         if (!r.forWeights) throw std::invalid_argument("ttq quantizes weights only");
         return std::make_shared<TtqQuantizer>(r.factor, r.spec.option("init_scale"));
       }},
      {"asym",
       [](const QuantizerRequest& r) {
         AsymOptions o;
         o.factor = r.factor > 0 ? r.factor : 0.4307;
         o.learnScale = r.spec.option("learn_scale") != 0;
         o.symmetric = r.spec.option("symmetric") != 0;
         o.halfRange = r.halfRange;
         o.unitInit = unitInit(r.spec);
         return std::make_shared<AsymQuantizer>(o);
       }},
      {"fatnn",
       [](const QuantizerRequest& r) {
         return std::make_shared<FatnnQuantizer>(
             FatnnOptions().halfRange(r.halfRange).initWidth(r.spec.option("init_width")).unitInit(unitInit(r.spec)));
       }},
      {"lsq",
       [](const QuantizerRequest& r) {
         return std::make_shared<LsqQuantizer>(LsqOptions().halfRange(r.halfRange).unitInit(unitInit(r.spec)));
       }},
  };
  return table;
}

}  // namespace

const QuantizerBuilder* findBuilder(const std::string& scheme) {
  for (const auto& [name, build] : builders())
    if (name == scheme) return &build;
  return nullptr;
}

std::vector<std::string> schemesWithBuilders() {
  std::vector<std::string> out;
  for (const auto& row : builders()) out.push_back(row.first);
  return out;
}

ScopedScheme::ScopedScheme(config::SchemeInfo info, QuantizerBuilder build) : name_(info.name) {
  if (findBuilder(name_)) throw std::invalid_argument("scheme '" + name_ + "' already has a quantizer");
  config::addScheme(std::move(info));
  builders().emplace_back(name_, std::move(build));
}

ScopedScheme::~ScopedScheme() {
  auto& b = builders();
  if (!b.empty() && b.back().first == name_) b.pop_back();
  config::removeLastScheme(name_);
}

}  // namespace ternlab::quant
