#include "train/ExperimentRunner.h"

#include <torch/torch.h>

#include <filesystem>
#include <map>

#include "data/Dataset.h"
#include "store/RunStore.h"
#include "train/DatasetFor.h"
#include "train/Distributed.h"
#include "train/PyTorchWeights.h"
#include "train/StageCache.h"
#include "train/StageTrainer.h"
#include "store/MetricKeys.h"

namespace ternlab::train {

namespace fs = std::filesystem;

namespace {

bool isRunId(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

std::string artefactDir(const RunOptions& o, store::RunStore& db, std::int64_t runId) {
  // Absolute, so the paths recorded in the store resolve from any directory (a relative --db included).
  const fs::path root =
      fs::absolute(o.artefactRoot.empty() ? fs::path(o.dbPath).parent_path() / "artefacts" : fs::path(o.artefactRoot));
  const auto rec = db.run(runId);
  const fs::path dir = root / (rec ? rec->uuid : std::to_string(runId));
  fs::create_directories(dir);
  return dir.string();
}

// Collects metric points and flushes them to the store in one transaction per call site.
class StageRecorder {
 public:
  StageRecorder(store::RunStore& db, const RunOptions& o, std::int64_t runId, TrainingObserver& obs)
      : db_(db), opts_(o), runId_(runId), obs_(obs) {}

  StageSink sink() {
    StageSink s;
    s.step = [this](const StepUpdate& u) {
      db_.logMetrics(runId_, {{store::metric::kTrainLoss, u.step, u.epoch, u.wallMs, u.loss},
                              {store::metric::kTrainBatchAcc, u.step, u.epoch, u.wallMs, u.accuracy},
                              {store::metric::kLearningRate, u.step, u.epoch, u.wallMs, u.lr}});
      obs_.onStep(u);
    };
    s.epoch = [this](const EpochUpdate& u) {
      db_.logMetrics(runId_, {{store::metric::kEpochTrainLoss, u.step, u.epoch, u.wallMs, u.trainLoss},
                              {store::metric::kTrainAcc, u.step, u.epoch, u.wallMs, u.trainAcc},
                              {store::metric::kTestLoss, u.step, u.epoch, u.wallMs, u.testLoss},
                              {store::metric::kTestAcc, u.step, u.epoch, u.wallMs, u.testAcc},
                              {store::metric::kTestTop5, u.step, u.epoch, u.wallMs, u.testTop5},
                              {store::metric::kEpochSeconds, u.step, u.epoch, u.wallMs, u.seconds},
                              {store::metric::kEpoch, u.step, u.epoch, u.wallMs, static_cast<double>(u.epoch)}});
      obs_.onEpoch(u);
    };
    s.layers = [this](std::int64_t step, int epoch, const std::vector<store::LayerStatRow>& rows) {
      db_.logLayerStats(runId_, rows);
      // Mean weight density per layer also goes to the metric table so curves can be drawn from it.
      std::map<std::string, std::pair<double, int>> density;
      for (const auto& r : rows)
        if (r.tensor == "weight") {
          density[r.layer].first += r.density();
          density[r.layer].second += 1;
        }
      std::vector<store::MetricPoint> pts;
      for (const auto& [layer, d] : density)
        pts.push_back({store::metric::kDensityPrefix + layer, step, epoch, 0.0, d.first / d.second});
      db_.logMetrics(runId_, pts);
      obs_.onLayerStats(runId_, rows);
    };
    if (opts_.checkpoints)
      s.checkpoint = [this](int epoch, std::int64_t step, const ModelState& state, const OptimizerSaver& saveOpt) {
        char name[32];
        std::snprintf(name, sizeof name, "epoch-%03d.pt", epoch);
        const auto path = (fs::path(artefactDir(opts_, db_, runId_)) / name).string();
        saveStateFile(state, path);
        saveOpt(path + ".opt");  // written before the artefact row: a listed checkpoint is always complete
        db_.addArtefact(runId_, {"checkpoint", path, static_cast<std::int64_t>(fs::file_size(path)), "", step, epoch});
      };
    return s;
  }

  void saveFinal(const ModelState& state) {
    const auto path = (fs::path(artefactDir(opts_, db_, runId_)) / "final.pt").string();
    saveStateFile(state, path);
    db_.addArtefact(runId_, {"checkpoint-final", path, static_cast<std::int64_t>(fs::file_size(path)), "", 0});
  }

 private:
  store::RunStore& db_;
  const RunOptions& opts_;
  std::int64_t runId_;
  TrainingObserver& obs_;
};

// Loads a teacher network described by a stored run (its config and final checkpoint) or a path.
std::unique_ptr<Teacher> loadTeacher(const config::ExperimentConfig& cfg, const RunOptions& o,
                                     const data::DatasetPair& data) {
  if (!cfg.distill.enabled()) return nullptr;
  auto t = std::make_unique<Teacher>();
  config::ExperimentConfig tcfg = cfg;
  if (isRunId(cfg.distill.teacher)) {
    store::RunStore db(o.dbPath);
    auto rec = db.run(std::stoll(cfg.distill.teacher));
    if (!rec) throw std::runtime_error("distill.teacher: run " + cfg.distill.teacher + " is not in " + o.dbPath);
    tcfg = config::parseExperimentText(rec->config, "run " + cfg.distill.teacher);
  } else {
    tcfg.quant = {};
  }
  t->model = buildModel(tcfg, data.train);
  loadState(*t->model, loadStateFile(resolveCheckpoint(cfg.distill.teacher, o.dbPath)));
  t->model->eval();
  return t;
}

}  // namespace

std::string resolveCheckpoint(const std::string& ref, const std::string& dbPath) {
  if (!isRunId(ref)) return ref;
  store::RunStore db(dbPath);
  const auto id = std::stoll(ref);
  if (!db.run(id)) throw std::runtime_error("run " + ref + " is not in " + dbPath);
  auto finals = db.artefacts(id, "checkpoint-final");
  if (finals.empty()) {
    // A pipeline: its last stage's final checkpoint.
    const auto kids = db.children(id);
    if (!kids.empty()) return resolveCheckpoint(std::to_string(kids.back()), dbPath);
    throw std::runtime_error("run " + ref + " has no final checkpoint (did it finish?)");
  }
  return finals.back().path;
}

namespace {

// init_from's tensors: a TernLab checkpoint as it is, or a PyTorch state_dict mapped onto the stage's model
// (names by the table of train/PyTorchWeights.h, shapes checked by name).
ModelState loadInitState(const std::string& path, const config::ExperimentConfig& stage, const data::Dataset& shapeOf) {
  if (!isPyTorchArchive(path)) {
    try {
      return loadStateFile(path);
    } catch (const std::exception& e) {
      const std::string why = e.what();
      throw std::runtime_error(path + ": neither a TernLab checkpoint nor a torch.save zip archive (" +
                               why.substr(0, why.find('\n')) + ")");
    }
  }
  const auto model = buildModel(stage, shapeOf);
  return mapPyTorchState(readPyTorchStateDict(path), captureState(*model), path);
}

// The last complete per-epoch checkpoint of a run, as a resume point; nullopt when it has none.
std::optional<ResumePoint> lastCheckpoint(store::RunStore& db, std::int64_t run) {
  const auto cps = db.artefacts(run, "checkpoint");
  for (auto it = cps.rbegin(); it != cps.rend(); ++it) {
    if (!fs::exists(it->path)) continue;
    ResumePoint r;
    r.epochsDone = it->epoch;
    r.step = it->step;
    r.model = loadStateFile(it->path);
    if (fs::exists(it->path + ".opt")) r.optimizerPath = it->path + ".opt";
    return r;
  }
  return std::nullopt;
}

// One run of an experiment, step by step: open or reopen the top-level run, then per stage its identity and
// reuse, its resume point, its teacher, its training and its status; a failure anywhere is recorded on the stage
// and its pipeline. Exists so each of those decisions has one named place.
class Execution {
 public:
  Execution(const config::ExperimentConfig& cfg, const RunOptions& options, TrainingObserver& observer,
            const StopToken& stop, std::optional<std::int64_t> existing)
      : cfg_(cfg), options_(options), observer_(observer), stop_(stop), existing_(existing), db_(options.dbPath),
        pipeline_(!cfg.stages.empty()), stageCache_(db_) {}

  RunOutcome run() {
    openTopLevelRun();
    try {
      const auto stages = stageConfigs();
      const auto existingKids = existing_ ? db_.children(out_.runId) : std::vector<std::int64_t>{};
      for (std::size_t i = 0; i < stages.size(); ++i) {
        const auto& sc = stages[i];
        std::optional<ResumePoint> resume;
        const std::string name = stageName(i);
        if (pipeline_ && i < existingKids.size()) {  // a stage recorded by an earlier, interrupted attempt
          current_ = existingKids[i];
          stageRuns_[name] = current_;
          stageIdentity_[name] = previousIdentity_ = stageCache_.identityOf(current_);
          if (db_.run(current_)->status == store::RunStatus::Finished) {  // hands on its final weights
            carried_ = loadStateFile(resolveCheckpoint(std::to_string(current_), options_.dbPath));
            continue;
          }
          db_.reopenRun(current_);
          resume = lastCheckpoint(db_, current_);
        } else if (pipeline_) {
          const std::string identity = stageIdentityOf(sc, i);
          stageIdentity_[name] = previousIdentity_ = identity;
          current_ = db_.createRun({sc.name, sc.json.dump(), sc.seed, out_.runId, name, "train"});
          stageRuns_[name] = current_;
          if (options_.reuseStages && reuseStage(identity, i)) continue;
        } else if (existing_) {
          resume = lastCheckpoint(db_, current_);
        }
        if (!trainOneStage(sc, i, stages.size(), resume)) return out_;  // cancelled
      }
      if (pipeline_) finish(out_.runId);  // a single run is its own stage and has finished already
      out_.status = store::RunStatus::Finished;
    } catch (const std::exception& e) {
      recordFailure(e);
    }
    return out_;
  }

 private:
  void openTopLevelRun() {
    if (existing_) {
      out_.runId = *existing_;
      db_.reopenRun(out_.runId);
    } else {
      out_.runId = db_.createRun({cfg_.name, cfg_.json.dump(), cfg_.seed, std::nullopt, "", pipeline_ ? "pipeline" : "train"});
    }
    current_ = out_.runId;
  }

  std::vector<config::ExperimentConfig> stageConfigs() const {
    if (!pipeline_) return {cfg_};
    std::vector<config::ExperimentConfig> stages;
    for (std::size_t i = 0; i < cfg_.stages.size(); ++i) stages.push_back(config::stageConfig(cfg_, i));
    return stages;
  }

  std::string stageName(std::size_t i) const {
    return pipeline_ ? cfg_.stages[i].value("name", "stage" + std::to_string(i + 1)) : std::string();
  }

  // Whether stage i starts from its own init_from (rather than the weights the stage before hands on).
  bool ownInit(const config::ExperimentConfig& sc, std::size_t i) const {
    return !sc.initFrom.empty() && (!pipeline_ || i == 0 || cfg_.stages[i].contains("init_from"));
  }

  // StageCache's identity of a new stage: its config, its starting weights and its teacher, each by identity.
  std::string stageIdentityOf(const config::ExperimentConfig& sc, std::size_t i) const {
    std::string teacherIdentity = sc.distill.teacher;
    if (teacherIdentity.rfind("stage:", 0) == 0) {
      auto it = stageIdentity_.find(teacherIdentity.substr(6));
      teacherIdentity = it == stageIdentity_.end() ? std::string() : it->second;
    } else if (!teacherIdentity.empty()) {
      teacherIdentity = "ref:" + teacherIdentity;
    }
    return StageCache::identity(sc, ownInit(sc, i) ? "ref:" + sc.initFrom : (i > 0 ? previousIdentity_ : std::string()),
                                teacherIdentity);
  }

  // A finished earlier run with the same identity: its records are copied instead of training again.
  bool reuseStage(const std::string& identity, std::size_t i) {
    const auto source = stageCache_.find(identity);
    if (!source) return false;
    db_.copyRecords(*source, current_);
    db_.setNote(current_, "reused run " + std::to_string(*source) +
                              ": same config, seed, starting weights and teacher, so not trained again");
    finish(current_);
    carried_ = loadStateFile(resolveCheckpoint(std::to_string(current_), options_.dbPath));
    double acc = 0, top5 = 0;
    for (const auto& m : db_.summaries(current_)) {
      if (m.key == store::metric::kTestAcc) acc = m.last;
      if (m.key == store::metric::kTestTop5) top5 = m.last;
    }
    logStageResult(i, acc, top5);
    return true;
  }

  // "teacher": "stage:NAME" names an earlier stage of this pipeline (e.g. its FP stage): its run id.
  config::ExperimentConfig withResolvedTeacher(const config::ExperimentConfig& sc, std::size_t i) const {
    config::ExperimentConfig out = sc;
    if (sc.distill.teacher.rfind("stage:", 0) == 0) {
      const auto wanted = sc.distill.teacher.substr(6);
      auto it = stageRuns_.find(wanted);
      if (it == stageRuns_.end())
        throw std::runtime_error("distill.teacher names stage '" + wanted + "', which does not run before stage " +
                                 std::to_string(i + 1));
      out.distill.teacher = std::to_string(it->second);
    }
    return out;
  }

  // Trains stage i into current_; false when the user stopped it (the stage and its pipeline are then cancelled).
  bool trainOneStage(const config::ExperimentConfig& sc, std::size_t i, std::size_t stageCount,
                     const std::optional<ResumePoint>& resume) {
    const auto& data = dataFor(sc);
    std::optional<ModelState> init = carried_;
    if (ownInit(sc, i)) init = loadInitState(resolveCheckpoint(sc.initFrom, options_.dbPath), sc, data.train);
    const auto withTeacher = withResolvedTeacher(sc, i);
    auto teacher = loadTeacher(withTeacher, options_, data);
    StageRecorder rec(db_, options_, current_, observer_);
    observer_.onStageStarted({current_, pipeline_ ? out_.runId : 0, sc.name, static_cast<int>(i),
                              static_cast<int>(stageCount), sc.epochs,
                              (data.train.size() + sc.batchSize - 1) / sc.batchSize});
    recordWorld(sc);
    const CommStats before = options_.parallel ? options_.parallel->stats() : CommStats{};
    auto result = trainStage(withTeacher, data, init ? &*init : nullptr, teacher.get(), current_, rec.sink(), stop_,
                             resume ? &*resume : nullptr, options_.parallel);
    recordTraffic(before, result.steps - (resume ? resume->step : 0));
    if (result.cancelled) {
      cancel(i);
      return false;
    }
    if (options_.checkpoints) rec.saveFinal(result.finalState);
    finish(current_);
    logStageResult(i, result.testAcc, result.testTop5);
    carried_ = std::move(result.finalState);
    return true;
  }

  // A data-parallel stage (and its pipeline) shows how it was trained: ranks and images per rank per step.
  void recordWorld(const config::ExperimentConfig& sc) {
    if (!options_.parallel) return;
    for (const auto id : {current_, out_.runId}) {
      db_.setParam(id, "distributed.world_size", options_.parallel->worldSize());
      db_.setParam(id, "distributed.per_rank_batch", static_cast<double>(sc.batchSize));
    }
  }

  // What the stage's collectives cost per training step (the evaluations' few included): time and bytes sent.
  void recordTraffic(const CommStats& before, std::int64_t steps) {
    if (!options_.parallel || steps <= 0) return;
    const auto& now = options_.parallel->stats();
    db_.setParam(current_, "distributed.allreduce_ms_per_step", 1000.0 * (now.seconds - before.seconds) / steps);
    db_.setParam(current_, "distributed.bytes_per_step", static_cast<double>(now.bytes - before.bytes) / steps);
  }

  // A pipeline records each stage's final accuracy at x = the stage's number.
  void logStageResult(std::size_t i, double acc, double top5) {
    out_.testAcc = acc;
    if (!pipeline_) return;
    const auto x = static_cast<std::int64_t>(i + 1);
    db_.logMetrics(out_.runId, {{store::metric::kTestAcc, x, static_cast<int>(x), 0.0, acc},
                                {store::metric::kTestTop5, x, static_cast<int>(x), 0.0, top5}});
  }

  // Status transitions, each written to the store and told to the observer.
  void finish(std::int64_t run) {
    db_.setStatus(run, store::RunStatus::Finished);
    observer_.onRunFinished(run, store::RunStatus::Finished, "");
  }

  void cancel(std::size_t i) {
    db_.setStatus(current_, store::RunStatus::Cancelled, "stopped by the user");
    observer_.onRunFinished(current_, store::RunStatus::Cancelled, "");
    if (pipeline_) {
      db_.setStatus(out_.runId, store::RunStatus::Cancelled, "stopped by the user in stage " + std::to_string(i + 1));
      observer_.onRunFinished(out_.runId, store::RunStatus::Cancelled, "");
    }
    out_.status = store::RunStatus::Cancelled;
  }

  void recordFailure(const std::exception& e) {
    out_.status = store::RunStatus::Failed;
    // LibTorch errors carry a C++ backtrace; keep the message a user can act on.
    const auto* te = dynamic_cast<const c10::Error*>(&e);
    out_.error = te ? te->what_without_backtrace() : e.what();
    try {  // the cause may be the store itself (a full disk): the failure is still reported to the caller
      db_.markFailed(current_, out_.error);
      if (current_ != out_.runId) db_.markFailed(out_.runId, "stage run " + std::to_string(current_) + " failed: " + out_.error);
    } catch (const std::exception& storeFault) {
      out_.error += std::string(" (the store could not record the failure: ") + storeFault.what() + ")";
    }
    observer_.onRunFinished(current_, store::RunStatus::Failed, out_.error);
  }

  // Stages that read the same data share one load.
  const data::DatasetPair& dataFor(const config::ExperimentConfig& c) {
    const std::string key = c.data.name + "|" + datasetDir(c.data) + "|" + std::to_string(c.data.trainLimit) + "|" +
                            std::to_string(c.data.testLimit) + "|" + std::to_string(c.data.testFraction) + "|" +
                            std::to_string(c.data.imageSize) + "|" + std::to_string(c.data.channels);
    auto it = dataCache_.find(key);
    if (it == dataCache_.end()) it = dataCache_.emplace(key, loadDatasetFor(c.data, c.data.testLimit)).first;
    return it->second;
  }

  const config::ExperimentConfig& cfg_;
  const RunOptions& options_;
  TrainingObserver& observer_;
  const StopToken& stop_;
  std::optional<std::int64_t> existing_;
  store::RunStore db_;
  bool pipeline_;
  StageCache stageCache_;
  RunOutcome out_;
  std::int64_t current_ = 0;                           // the run being trained (a stage, or the run itself)
  std::optional<ModelState> carried_;                  // the weights the last stage handed on
  std::map<std::string, std::int64_t> stageRuns_;      // stage name → its run id, for "stage:NAME" teachers
  std::map<std::string, std::string> stageIdentity_;   // stage name → its StageCache identity
  std::string previousIdentity_;
  std::map<std::string, data::DatasetPair> dataCache_;
};

RunOutcome execute(const config::ExperimentConfig& cfg, const RunOptions& options, TrainingObserver& observer,
                   const StopToken& stop, std::optional<std::int64_t> existing) {
  return Execution(cfg, options, observer, stop, existing).run();
}

}  // namespace

RunOutcome runExperiment(const config::ExperimentConfig& cfg, const RunOptions& options, TrainingObserver& observer,
                         const StopToken& stop) {
  return execute(cfg, options, observer, stop, std::nullopt);
}

RunOutcome resumeRun(std::int64_t runId, const RunOptions& options, TrainingObserver& observer, const StopToken& stop) {
  config::ExperimentConfig cfg;
  {
    store::RunStore db(options.dbPath);
    db.markStaleRunsInterrupted();
    const auto rec = db.run(runId);
    if (!rec) throw std::runtime_error("run " + std::to_string(runId) + " is not in " + options.dbPath);
    if (rec->parentId) throw std::runtime_error("run " + std::to_string(runId) + " is a stage: resume its pipeline, run " +
                                                std::to_string(*rec->parentId));
    if (rec->status == store::RunStatus::Finished || rec->status == store::RunStatus::Running)
      throw std::runtime_error("run " + std::to_string(runId) + " is " + store::runStatusName(rec->status) + ", nothing to resume");
    cfg = config::parseExperimentText(rec->config, "run " + std::to_string(runId));
  }
  if (options.threads >= 0) {  // how many cores this attempt has; not part of what the run is
    auto doc = cfg.json;
    doc["threads"] = options.threads;
    cfg = config::parseExperiment(doc, "run " + std::to_string(runId));
  }
  return execute(cfg, options, observer, stop, runId);
}

}  // namespace ternlab::train
