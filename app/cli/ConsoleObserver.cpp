#include "ConsoleObserver.h"

#include <csignal>
#include <cstdio>

namespace ternlab::cli {

namespace {
train::StopToken* gStop = nullptr;
extern "C" void onSignal(int sig) {
  if (gStop) gStop->requestStop();
  std::signal(sig, SIG_DFL);  // a second signal kills at once
}
}  // namespace

StopOnSignal::StopOnSignal(train::StopToken& stop) {
  gStop = &stop;
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
}

StopOnSignal::~StopOnSignal() {
  gStop = nullptr;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

void ConsoleObserver::onStageStarted(const train::StageStarted& s) {
  stage_ = s;
  epoch_ = 0;
  if (!quiet_)
    std::printf("run %lld: %s (%d epochs, %lld batches/epoch)\n", static_cast<long long>(s.runId), s.name.c_str(),
                s.epochs, static_cast<long long>(s.batchesPerEpoch));
  std::fflush(stdout);
  bar_.start("epoch 1/" + std::to_string(s.epochs), s.batchesPerEpoch);
}

void ConsoleObserver::onStep(const train::StepUpdate& u) {
  if (u.epoch != epoch_) {
    epoch_ = u.epoch;
    bar_.start("epoch " + std::to_string(u.epoch) + "/" + std::to_string(stage_.epochs), u.batchesPerEpoch);
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, "loss %.4f  acc %.1f%%  lr %.4g", u.loss, u.accuracy, u.lr);
  bar_.update(u.batch, buf);
}

void ConsoleObserver::onEpoch(const train::EpochUpdate& u) {
  bar_.finish();
  if (!quiet_)
    std::printf("  epoch %3d/%d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%% top5 %.2f%%  lr %.4g  %.1fs\n",
                u.epoch, u.epochs, u.trainLoss, u.trainAcc, u.testLoss, u.testAcc, u.testTop5, u.lr, u.seconds);
  std::fflush(stdout);
}

void ConsoleObserver::onRunFinished(std::int64_t runId, store::RunStatus status, const std::string& error) {
  bar_.finish();
  if (!quiet_)
    std::printf("run %lld %s%s%s\n", static_cast<long long>(runId), store::runStatusName(status), error.empty() ? "" : ": ",
                error.c_str());
  std::fflush(stdout);
}

}  // namespace ternlab::cli
