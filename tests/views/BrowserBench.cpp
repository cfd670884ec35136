// Opening the run browser on a store of 1,000 runs (target: under 0.5 s), against the bare store queries
// it needs, in one process: the ratio is the model/view overhead. Usage: bench_browser [--benchmark_...].
#include <benchmark/benchmark.h>

#include <QApplication>
#include <QTemporaryDir>
#include <cstdio>
#include <map>

#include "RunBrowser.h"
#include "RunTableModel.h"
#include "ViewTestSupport.h"

using namespace ternlab;

namespace {

std::shared_ptr<store::RunStore> thousandRuns() {
  static QTemporaryDir dir;
  static std::shared_ptr<store::RunStore> store;
  if (store) return store;
  store = std::make_shared<store::RunStore>(dir.filePath(QStringLiteral("runs.sqlite")).toStdString());
  for (int i = 0; i < 1000; ++i) {
    const auto id = views::test::addRun(
        *store,
        nlohmann::json{{"name", "run-" + std::to_string(i)},
                       {"quant", {{"weights", {{"scheme", i % 2 ? "twn" : "asym"}}}}},
                       {"optimizer", {{"lr", 0.01 * (1 + i % 7)}}}},
        "finished", {50.0 + i % 40, 60.0 + i % 30, 70.0 + i % 20});
    if (i % 10 == 0) store->addTag(id, "sweep-" + std::to_string(i / 100), "#2ca02c");
  }
  return store;
}

std::map<std::string, double> gSeconds;

void BM_StoreQueries(benchmark::State& state) {
  auto store = thousandRuns();
  for (auto _ : state) {
    auto runs = store->listRuns({});
    auto summaries = store->allSummaries();
    for (const auto& r : runs) benchmark::DoNotOptimize(store->tags(r.id));
    benchmark::DoNotOptimize(summaries.size());
  }
}

void BM_OpenBrowser(benchmark::State& state) {
  auto store = thousandRuns();
  for (auto _ : state) {
    views::RunBrowser browser(store);
    browser.resize(1200, 800);
    browser.show();
    QApplication::processEvents();
    benchmark::DoNotOptimize(browser.model()->rowCount());
  }
}

}  // namespace

BENCHMARK(BM_StoreQueries)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_OpenBrowser)->Unit(benchmark::kMillisecond)->MinTime(1.0);

// Collects the per-iteration times to print the ratio after the run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) gSeconds[r.benchmark_name()] = r.GetAdjustedRealTime() / 1e3;  // ms → s
    ConsoleReporter::ReportRuns(runs);
  }
};

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen") : qgetenv("QT_QPA_PLATFORM"));
  QApplication app(argc, argv);
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  auto seconds = [](const std::string& prefix) {
    for (const auto& [name, s] : gSeconds)
      if (name.rfind(prefix, 0) == 0) return s;
    return 0.0;
  };
  const double open = seconds("BM_OpenBrowser"), queries = seconds("BM_StoreQueries");
  if (open > 0 && queries > 0)
    std::printf("1,000 runs: browser open %.3f s, bare store queries %.3f s, ratio %.2f (target: < 0.5 s to open)\n",
                open, queries, open / queries);
  return 0;
}
