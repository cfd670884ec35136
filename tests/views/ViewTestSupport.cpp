#include "ViewTestSupport.h"

#include "config/ExperimentConfig.h"

namespace ternlab::views::test {

std::vector<std::pair<std::string, SuiteFactory>>& suites() {
  static std::vector<std::pair<std::string, SuiteFactory>> all;
  return all;
}

int registerSuite(const char* name, SuiteFactory factory) {
  suites().emplace_back(name, std::move(factory));
  return static_cast<int>(suites().size());
}

std::int64_t addRun(store::RunStore& store, const nlohmann::json& experiment, const std::string& status,
                    const std::vector<double>& testAcc) {
  const auto cfg = config::parseExperiment(experiment);
  const auto id = store.createRun({cfg.name, cfg.json.dump(), cfg.seed, std::nullopt, "", "train"});
  std::vector<store::MetricPoint> points;
  for (std::size_t i = 0; i < testAcc.size(); ++i) {
    const auto step = static_cast<std::int64_t>((i + 1) * 100);
    points.push_back({"test/acc", step, static_cast<int>(i + 1), 0.0, testAcc[i]});
    points.push_back({"train/loss", step, static_cast<int>(i + 1), 0.0, 2.0 / (i + 1)});
  }
  if (!points.empty()) store.logMetrics(id, points);
  const auto s = store::parseRunStatus(status).value();
  if (s != store::RunStatus::Running) store.setStatus(id, s, s == store::RunStatus::Failed ? "synthetic failure" : "");
  return id;
}

}  // namespace ternlab::views::test
