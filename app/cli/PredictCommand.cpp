// `ternlab-cli predict ID --out F.npz`: the training graph's eval forward on a split, saved for checking exports.
#include <cstdio>
#include <memory>

#include "Commands.h"
#include "report/GraphPredict.h"

namespace ternlab::cli {

namespace {
struct PredictArgs {
  StoreOptions store;
  std::int64_t id = 0;
  report::PredictOptions o;
  std::string out;
};
}  // namespace

void addPredictCommand(CLI::App& app, int& exitCode) {
  auto a = std::make_shared<PredictArgs>();
  auto* cmd = app.add_subcommand(
      "predict", "Run a stored run's training graph (eval mode) on a dataset split and save images, logits and "
                 "predictions as .npz (members pixels, inputs, labels, logits, predicted)");
  cmd->add_option("id", a->id, "run id (a pipeline predicts with its last stage)")->required();
  cmd->add_option("--db", a->store.db, "run database");
  cmd->add_option("--split", a->o.split, "test or train")->check(CLI::IsMember({"test", "train"}));
  cmd->add_option("--limit", a->o.limit, "first N images only (0: the whole split)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--out", a->out, "output .npz")->required();
  cmd->callback([a, &exitCode] {
    try {
      const auto p = report::predictRun(a->store.path(), a->id, a->o);
      report::writePredictions(p, a->out);
      std::printf("run %lld (stage %lld): %lld %s images, accuracy %.2f%%, written to %s\n",
                  static_cast<long long>(p.runId), static_cast<long long>(p.stageId),
                  static_cast<long long>(p.labels.size(0)), a->o.split.c_str(), p.accuracy, a->out.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      exitCode = 1;
    }
  });
}

}  // namespace ternlab::cli
