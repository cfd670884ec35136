// Fuzz target: an experiment file with its stages merged, then `--set` overrides applied as `run` does.
// Input layout: the JSON text, optionally followed by a line "#set" and one KEY=VALUE per line.
#include <nlohmann/json.hpp>

#include "FuzzSupport.h"
#include "config/ConfigError.h"
#include "config/DottedKey.h"
#include "config/ExperimentConfig.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ternlab;
  const std::string all(reinterpret_cast<const char*>(data), size);
  const auto split = all.find("\n#set\n");
  const std::string text = all.substr(0, split);
  const auto path = fuzz::writeInput("experiment.json", reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  try {
    const auto cfg = config::loadExperimentFile(path);
    for (std::size_t i = 0; i < cfg.stages.size(); ++i) config::stageConfig(cfg, i, path);
    if (split == std::string::npos) return 0;
    auto doc = cfg.json;
    std::size_t at = split + 6;
    while (at < all.size()) {
      auto nl = all.find('\n', at);
      if (nl == std::string::npos) nl = all.size();
      config::applySetOverride(doc, all.substr(at, nl - at), path);
      at = nl + 1;
    }
    const auto again = config::parseExperiment(doc, path);
    for (std::size_t i = 0; i < again.stages.size(); ++i) config::stageConfig(again, i, path);
    (void)config::flatten(again.json);
  } catch (const config::ConfigError& e) {
    fuzz::expectNamesFile(e, path);
  } catch (const std::exception& e) {
    fuzz::unexpected("exception", &e);
  }
  return 0;
}
