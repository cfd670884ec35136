#include "TrainingWorker.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <algorithm>
#include <map>
#include <stdexcept>

#include "config/ExperimentConfig.h"
#include "train/Distributed.h"
#include "train/ExperimentRunner.h"
#include "train/SeedRuns.h"
#include "store/MetricKeys.h"

namespace ternlab::views {

namespace {

// Turns the trainer's callbacks (on the training thread) into live points; steps of later stages are
// shifted so a pipeline draws as one continuous curve.
class BufferingObserver : public train::TrainingObserver {
 public:
  BufferingObserver(LiveBuffer& buffer, TrainingWorker& worker) : buffer_(buffer), worker_(worker) {}

  void onStageStarted(const train::StageStarted& s) override {
    offset_ += lastStep_;
    lastStep_ = 0;
    progress_ = {};
    progress_.runId = s.runId;
    progress_.stageIndex = s.stageIndex;
    progress_.stageCount = s.stageCount;
    progress_.epochs = s.epochs;
    progress_.epoch = 1;
    progress_.batchesPerEpoch = s.batchesPerEpoch;
    progress_.valid = true;
    notifyIf(buffer_.setProgress(progress_));
    Q_EMIT worker_.stageStarted(s.runId, QString::fromStdString(s.name), s.stageIndex, s.stageCount);
  }

  void onStep(const train::StepUpdate& u) override {
    lastStep_ = u.step;
    progress_.epoch = u.epoch;
    progress_.batch = u.batch;
    progress_.batchesPerEpoch = u.batchesPerEpoch;
    const double x = static_cast<double>(offset_ + u.step);
    const bool a = buffer_.append({{QString::fromLatin1(store::metric::kTrainLoss), x, u.loss},
                                   {QString::fromLatin1(store::metric::kTrainBatchAcc), x, u.accuracy}});
    const bool b = buffer_.setProgress(progress_);
    notifyIf(a || b);
  }

  void onEpoch(const train::EpochUpdate& u) override {
    lastStep_ = u.step;
    const double x = static_cast<double>(offset_ + u.step);
    notifyIf(buffer_.append({{QString::fromLatin1(store::metric::kTestAcc), x, u.testAcc},
                             {QString::fromLatin1(store::metric::kTrainAcc), x, u.trainAcc},
                             {QString::fromLatin1(store::metric::kTestLoss), x, u.testLoss}}));
  }

  void onLayerStats(std::int64_t, const std::vector<store::LayerStatRow>& rows) override {
    std::map<std::string, std::pair<double, int>> density;  // mean over REL branches
    std::int64_t step = 0;
    for (const auto& r : rows) {
      if (r.tensor != "weight") continue;
      density[r.layer].first += r.density();
      density[r.layer].second += 1;
      step = r.step;
    }
    if (density.empty()) return;
    QVector<LivePoint> points;
    const double x = static_cast<double>(offset_ + step);
    for (const auto& [layer, d] : density)
      points.push_back({QString::fromLatin1(store::metric::kDensityPrefix) + QString::fromStdString(layer), x, d.first / d.second});
    // The first branch's upper threshold and first scale of each layer's weights, in latent-weight units.
    for (const auto& r : rows) {
      if (r.tensor != "weight" || r.branch != 0) continue;
      const QString layer = QString::fromStdString(r.layer);
      if (!r.thresholds.empty()) points.push_back({QStringLiteral("threshold/") + layer, x, r.thresholds.front()});
      if (!r.scales.empty()) points.push_back({QStringLiteral("scale/") + layer, x, r.scales.front()});
    }
    notifyIf(buffer_.append(points));
  }

 private:
  void notifyIf(bool needed) {
    if (needed) Q_EMIT worker_.dataReady();
  }
  LiveBuffer& buffer_;
  TrainingWorker& worker_;
  LiveProgress progress_;
  std::int64_t offset_ = 0, lastStep_ = 0;
};

// Ranks 1… of a data-parallel run started from the workbench: ternlab-cli processes beside the workbench's
// executable, joined over loopback by this thread as rank 0; stopped when the run ends.
class LocalRanks {
 public:
  std::unique_ptr<train::DataParallel> start(const QByteArray& configJson, const QString& dbPath,
                                             const std::vector<std::uint64_t>& seeds, int processes) {
    if (!dir_.isValid()) throw std::runtime_error("cannot create a temporary folder for the ranks' experiment file");
    const QString file = dir_.filePath(QStringLiteral("experiment.json"));
    QFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(configJson) != configJson.size())
      throw std::runtime_error("cannot write " + file.toStdString());
    out.close();
    train::DistributedOptions d;
    d.worldSize = processes;
    d.port = train::freeLoopbackPort();
    // The command line beside the workbench (as installed and as built), unless TERNLAB_CLI names another.
    const QString cli = qEnvironmentVariableIsEmpty("TERNLAB_CLI")
                            ? QCoreApplication::applicationDirPath() + QStringLiteral("/ternlab-cli")
                            : qEnvironmentVariable("TERNLAB_CLI");
    threads_ = std::max(1, QThread::idealThreadCount() / processes);
    const int threads = threads_;
    QString seedList;
    for (const auto s : seeds) seedList += (seedList.isEmpty() ? QString() : QStringLiteral(",")) + QString::number(s);
    for (int r = 1; r < processes; ++r) {
      auto p = std::make_unique<QProcess>();
      p->setProcessChannelMode(QProcess::ForwardedChannels);
      QStringList args{QStringLiteral("run"), file, QStringLiteral("--db"), dbPath};
      train::DistributedOptions rank = d;
      rank.rank = r;
      for (const auto& flag : train::rankFlags(rank, threads)) args << QString::fromStdString(flag);
      if (!seedList.isEmpty()) args << QStringLiteral("--seeds") << seedList;
      p->start(cli, args);
      if (!p->waitForStarted(10000)) throw std::runtime_error("cannot start " + cli.toStdString() + ": " + p->errorString().toStdString());
      ranks_.push_back(std::move(p));
    }
    return std::make_unique<train::DataParallel>(d);  // waits for the ranks to join (or fails naming the rendezvous)
  }

  int threadsEach() const { return threads_; }
  // Rank 0 finished: the others end on their own. Anything else (a failure, a stop): they are stopped now.
  void ended(bool finished) { finished_ = finished; }

  ~LocalRanks() {
    for (auto& p : ranks_)
      if (!finished_ || !p->waitForFinished(static_cast<int>(train::DistributedOptions().timeoutSeconds * 1000) + 5000)) {
        p->kill();
        p->waitForFinished(5000);
      }
  }

 private:
  QTemporaryDir dir_;
  std::vector<std::unique_ptr<QProcess>> ranks_;
  int threads_ = 1;
  bool finished_ = false;
};

}  // namespace

TrainingWorker::TrainingWorker(std::shared_ptr<LiveBuffer> buffer, std::shared_ptr<train::StopToken> stop,
                               QObject* parent)
    : QObject(parent), buffer_(std::move(buffer)), stop_(std::move(stop)) {}

void TrainingWorker::run(const QByteArray& configJson, const QString& dbPath, const std::vector<std::uint64_t>& seeds,
                         int processes) {
  BufferingObserver observer(*buffer_, *this);
  LocalRanks ranks;
  try {
    auto cfg = config::parseExperimentText(configJson.toStdString());
    train::RunOptions options;
    options.dbPath = dbPath.toStdString();
    std::unique_ptr<train::DataParallel> group;
    if (processes > 1) {
      group = ranks.start(configJson, dbPath, seeds, processes);
      options.parallel = group.get();
      if (cfg.threads == 0) cfg.threads = ranks.threadsEach();  // the cores shared among the ranks
    }
    train::SeedRunOptions seedOptions;
    seedOptions.seeds = seeds;
    const auto outcomes = train::runSeeds(cfg, seedOptions, options, observer, *stop_);
    // The group ends as its worst run: a failure or cancellation of any seed is what the user must see.
    train::RunOutcome outcome = outcomes.back().outcome;
    for (const auto& o : outcomes)
      if (o.outcome.status != store::RunStatus::Finished) outcome = o.outcome;
    ranks.ended(outcome.status == store::RunStatus::Finished);
    Q_EMIT finished(outcome.runId, QString::fromLatin1(store::runStatusName(outcome.status)), QString::fromStdString(outcome.error));
  } catch (const std::exception& e) {
    // Faults before the run exists (bad database path, invalid config) end here.
    Q_EMIT finished(0, QString::fromLatin1(store::runStatusName(store::RunStatus::Failed)), QString::fromUtf8(e.what()));
  }
}

}  // namespace ternlab::views
