#include "train/ExperimentRunner.h"

#include <torch/torch.h>

#include <filesystem>
#include <map>

#include "data/Dataset.h"
#include "store/RunStore.h"
#include "train/DatasetFor.h"
#include "train/PyTorchWeights.h"
#include "train/StageCache.h"
#include "train/StageTrainer.h"

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
      db_.logMetrics(runId_, {{"train/loss", u.step, u.epoch, u.wallMs, u.loss},
                              {"train/batch_acc", u.step, u.epoch, u.wallMs, u.accuracy},
                              {"lr", u.step, u.epoch, u.wallMs, u.lr}});
      obs_.onStep(u);
    };
    s.epoch = [this](const EpochUpdate& u) {
      db_.logMetrics(runId_, {{"epoch/train_loss", u.step, u.epoch, u.wallMs, u.trainLoss},
                              {"train/acc", u.step, u.epoch, u.wallMs, u.trainAcc},
                              {"test/loss", u.step, u.epoch, u.wallMs, u.testLoss},
                              {"test/acc", u.step, u.epoch, u.wallMs, u.testAcc},
                              {"test/top5", u.step, u.epoch, u.wallMs, u.testTop5},
                              {"epoch/seconds", u.step, u.epoch, u.wallMs, u.seconds},
                              {"epoch", u.step, u.epoch, u.wallMs, static_cast<double>(u.epoch)}});
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
        pts.push_back({"density/" + layer, step, epoch, 0.0, d.first / d.second});
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
        db_.addArtefact(runId_, {"checkpoint", path, static_cast<std::int64_t>(fs::file_size(path)), "", step});
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
    const auto file = fs::path(it->path).filename().string();  // epoch-NNN.pt
    ResumePoint r;
    r.epochsDone = std::atoi(file.substr(6, 3).c_str());
    r.step = it->step;
    r.model = loadStateFile(it->path);
    if (fs::exists(it->path + ".opt")) r.optimizerPath = it->path + ".opt";
    return r;
  }
  return std::nullopt;
}

RunOutcome execute(const config::ExperimentConfig& cfg, const RunOptions& options, TrainingObserver& observer,
                   const StopToken& stop, std::optional<std::int64_t> existing) {
  store::RunStore db(options.dbPath);
  RunOutcome out;
  const bool pipeline = !cfg.stages.empty();
  if (existing) {
    out.runId = *existing;
    db.reopenRun(out.runId);
  } else {
    out.runId = db.createRun({cfg.name, cfg.json.dump(), cfg.seed, std::nullopt, "", pipeline ? "pipeline" : "train"});
  }
  std::int64_t current = out.runId;
  try {
    std::map<std::string, data::DatasetPair> cache;
    auto dataFor = [&](const config::ExperimentConfig& c) -> const data::DatasetPair& {
      const std::string key = c.data.name + "|" + datasetDir(c.data) + "|" + std::to_string(c.data.trainLimit) + "|" +
                              std::to_string(c.data.testLimit) + "|" + std::to_string(c.data.testFraction) + "|" +
                              std::to_string(c.data.imageSize) + "|" + std::to_string(c.data.channels);
      auto it = cache.find(key);
      if (it == cache.end()) it = cache.emplace(key, loadDatasetFor(c.data, c.data.testLimit)).first;
      return it->second;
    };
    std::vector<config::ExperimentConfig> stages;
    if (pipeline)
      for (std::size_t i = 0; i < cfg.stages.size(); ++i) stages.push_back(config::stageConfig(cfg, i));
    else
      stages.push_back(cfg);

    std::optional<ModelState> carried;
    const auto existingKids = existing ? db.children(out.runId) : std::vector<std::int64_t>{};
    std::map<std::string, std::int64_t> stageRuns;  // stage name → its run id, for "stage:NAME" teachers
    std::map<std::string, std::string> stageIdentity;  // stage name → its StageCache identity
    std::string previousIdentity;
    StageCache stageCache(db);
    for (std::size_t i = 0; i < stages.size(); ++i) {
      const auto& sc = stages[i];
      std::optional<ResumePoint> resume;
      const std::string stageName =
          pipeline ? cfg.stages[i].value("name", "stage" + std::to_string(i + 1)) : std::string();
      if (pipeline && i < existingKids.size()) {
        current = existingKids[i];
        stageRuns[stageName] = current;
        stageIdentity[stageName] = previousIdentity = stageCache.identityOf(current);
        if (db.run(current)->status == store::RunStatus::Finished) {  // a stage that already ended hands on its final weights
          carried = loadStateFile(resolveCheckpoint(std::to_string(current), options.dbPath));
          continue;
        }
        db.reopenRun(current);
        resume = lastCheckpoint(db, current);
      } else if (pipeline) {
        const bool ownInit = !sc.initFrom.empty() && (i == 0 || cfg.stages[i].contains("init_from"));
        std::string teacherIdentity = sc.distill.teacher;
        if (teacherIdentity.rfind("stage:", 0) == 0) {
          auto it = stageIdentity.find(teacherIdentity.substr(6));
          teacherIdentity = it == stageIdentity.end() ? std::string() : it->second;
        } else if (!teacherIdentity.empty()) {
          teacherIdentity = "ref:" + teacherIdentity;
        }
        const std::string identity = StageCache::identity(
            sc, ownInit ? "ref:" + sc.initFrom : (i > 0 ? previousIdentity : std::string()), teacherIdentity);
        stageIdentity[stageName] = previousIdentity = identity;
        current = db.createRun({sc.name, sc.json.dump(), sc.seed, out.runId, stageName, "train"});
        stageRuns[stageName] = current;
        if (options.reuseStages) {
          if (const auto source = stageCache.find(identity)) {
            db.copyRecords(*source, current);
            db.setNote(current, "reused run " + std::to_string(*source) +
                                    ": same config, seed, starting weights and teacher, so not trained again");
            db.setStatus(current, store::RunStatus::Finished);
            observer.onRunFinished(current, store::RunStatus::Finished, "");
            carried = loadStateFile(resolveCheckpoint(std::to_string(current), options.dbPath));
            double acc = 0, top5 = 0;
            for (const auto& m : db.summaries(current)) {
              if (m.key == "test/acc") acc = m.last;
              if (m.key == "test/top5") top5 = m.last;
            }
            out.testAcc = acc;
            db.logMetrics(out.runId, {{"test/acc", static_cast<std::int64_t>(i + 1), static_cast<int>(i + 1), 0.0, acc},
                                      {"test/top5", static_cast<std::int64_t>(i + 1), static_cast<int>(i + 1), 0.0, top5}});
            continue;
          }
        }
      } else if (existing) {
        resume = lastCheckpoint(db, current);
      }
      const auto& data = dataFor(sc);
      std::optional<ModelState> init = carried;
      if (!sc.initFrom.empty() && (!pipeline || i == 0 || cfg.stages[i].contains("init_from")))
        init = loadInitState(resolveCheckpoint(sc.initFrom, options.dbPath), sc, data.train);
      // "teacher": "stage:NAME" names an earlier stage of this pipeline (e.g. its FP stage).
      config::ExperimentConfig withTeacher = sc;
      if (sc.distill.teacher.rfind("stage:", 0) == 0) {
        const auto wanted = sc.distill.teacher.substr(6);
        auto it = stageRuns.find(wanted);
        if (it == stageRuns.end())
          throw std::runtime_error("distill.teacher names stage '" + wanted + "', which does not run before stage " +
                                   std::to_string(i + 1));
        withTeacher.distill.teacher = std::to_string(it->second);
      }
      auto teacher = loadTeacher(withTeacher, options, data);
      StageRecorder rec(db, options, current, observer);
      observer.onStageStarted({current, pipeline ? out.runId : 0, sc.name, static_cast<int>(i),
                               static_cast<int>(stages.size()), sc.epochs,
                               (data.train.size() + sc.batchSize - 1) / sc.batchSize});
      auto result = trainStage(withTeacher, data, init ? &*init : nullptr, teacher.get(), static_cast<int>(current),
                               rec.sink(), stop, resume ? &*resume : nullptr);
      if (result.cancelled) {
        db.setStatus(current, store::RunStatus::Cancelled, "stopped by the user");
        observer.onRunFinished(current, store::RunStatus::Cancelled, "");
        if (pipeline) db.setStatus(out.runId, store::RunStatus::Cancelled, "stopped by the user in stage " + std::to_string(i + 1));
        out.status = store::RunStatus::Cancelled;
        if (pipeline) observer.onRunFinished(out.runId, store::RunStatus::Cancelled, "");
        return out;
      }
      if (options.checkpoints) rec.saveFinal(result.finalState);
      db.setStatus(current, store::RunStatus::Finished);
      observer.onRunFinished(current, store::RunStatus::Finished, "");
      out.testAcc = result.testAcc;
      if (pipeline) {
        db.logMetrics(out.runId, {{"test/acc", static_cast<std::int64_t>(i + 1), static_cast<int>(i + 1), 0.0,
                                   result.testAcc},
                                  {"test/top5", static_cast<std::int64_t>(i + 1), static_cast<int>(i + 1), 0.0,
                                   result.testTop5}});
      }
      carried = std::move(result.finalState);
    }
    if (pipeline) {
      db.setStatus(out.runId, store::RunStatus::Finished);
      observer.onRunFinished(out.runId, store::RunStatus::Finished, "");
    }
    out.status = store::RunStatus::Finished;
  } catch (const std::exception& e) {
    out.status = store::RunStatus::Failed;
    // LibTorch errors carry a C++ backtrace; keep the message a user can act on.
    const auto* te = dynamic_cast<const c10::Error*>(&e);
    out.error = te ? te->what_without_backtrace() : e.what();
    try {  // the cause may be the store itself (a full disk): the failure is still reported to the caller
      db.markFailed(current, out.error);
      if (current != out.runId) db.markFailed(out.runId, "stage run " + std::to_string(current) + " failed: " + out.error);
    } catch (const std::exception& storeFault) {
      out.error += std::string(" (the store could not record the failure: ") + storeFault.what() + ")";
    }
    observer.onRunFinished(current, store::RunStatus::Failed, out.error);
  }
  return out;
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
  return execute(cfg, options, observer, stop, runId);
}

}  // namespace ternlab::train
