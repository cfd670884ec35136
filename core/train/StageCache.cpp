#include "train/StageCache.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "config/SchemeCatalog.h"
#include "store/RunStore.h"

namespace ternlab::train {

namespace {

// Reference to something outside the pipeline: a stored run id or a checkpoint path, taken literally.
std::string externalRef(const std::string& ref) { return ref.empty() ? std::string() : "ref:" + ref; }

}  // namespace

std::string StageCache::identity(const config::ExperimentConfig& stage, const std::string& initIdentity,
                                 const std::string& teacherIdentity) {
  nlohmann::json j = config::toJson(stage);
  for (const char* k : {"name", "stages", "threads", "log_interval", "init_from"}) j.erase(k);
  // A disabled quantizer or distillation has no options that matter; an option given at its default value
  // is the same as one left out.
  for (const char* kind : {"weights", "activations"}) {
    auto& q = j["quant"][kind];
    if (q.value("scheme", "none") == "none") {
      q = {{"scheme", "none"}};
      continue;
    }
    if (const auto* info = config::findScheme(q["scheme"].get<std::string>()); info && q.contains("options"))
      for (const auto& o : info->options)
        if (q["options"].contains(o.key) && q["options"][o.key].get<double>() == o.defaultValue) q["options"].erase(o.key);
  }
  // Nothing quantized: which of the first and last layers would have been ternary does not matter either.
  auto& quant = j["quant"];
  if (quant["weights"] == nlohmann::json{{"scheme", "none"}} && quant["activations"] == nlohmann::json{{"scheme", "none"}} &&
      (!quant.contains("layers") || quant["layers"].empty())) {
    quant.erase("first_layer");
    quant.erase("last_layer");
  }
  if (stage.distill.enabled())
    j["distill"].erase("teacher");
  else
    j.erase("distill");
  return j.dump() + "|init=" + initIdentity + "|teacher=" + teacherIdentity;
}

std::string StageCache::identityOf(std::int64_t id) {
  if (auto it = memo_.find(id); it != memo_.end()) return it->second;
  const auto rec = db_.run(id);
  if (!rec) return {};
  std::string result;
  try {
    const auto cfg = config::parseExperimentText(rec->config, "run " + std::to_string(id));
    std::string init = externalRef(cfg.initFrom), teacher;
    const bool stageTeacher = cfg.distill.teacher.rfind("stage:", 0) == 0;
    if (!stageTeacher) teacher = externalRef(cfg.distill.teacher);
    if (rec->parentId) {
      const auto parent = db_.run(*rec->parentId);
      const auto pcfg = config::parseExperimentText(parent->config, "run " + std::to_string(*rec->parentId));
      const auto kids = db_.children(*rec->parentId);
      const auto index = static_cast<std::size_t>(std::find(kids.begin(), kids.end(), id) - kids.begin());
      if (index >= pcfg.stages.size()) return {};
      // Mirrors ExperimentRunner: a later stage starts from the previous stage unless it names init_from.
      if (index > 0 && !pcfg.stages[index].contains("init_from")) {
        init = identityOf(kids[index - 1]);
        if (init.empty()) return {};
      }
      if (stageTeacher) {
        const auto wanted = cfg.distill.teacher.substr(6);
        for (std::size_t k = 0; k < index; ++k)
          if (const auto sib = db_.run(kids[k]); sib && sib->stage == wanted) teacher = identityOf(kids[k]);
        if (teacher.empty()) return {};
      }
    } else if (stageTeacher) {
      return {};
    }
    result = identity(cfg, init, teacher);
  } catch (const std::exception&) {
    result.clear();  // an unreadable old config is simply never reused
  }
  memo_[id] = result;
  return result;
}

std::optional<std::int64_t> StageCache::find(const std::string& wanted) {
  store::RunFilter filter;
  filter.status = store::RunStatus::Finished;
  auto runs = db_.listRuns(filter);
  std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (const auto& r : runs) {
    if (r.kind != "train") continue;
    const auto finals = db_.artefacts(r.id, "checkpoint-final");
    if (finals.empty() || !std::filesystem::exists(finals.back().path)) continue;
    if (identityOf(r.id) == wanted) return r.id;
  }
  return std::nullopt;
}

}  // namespace ternlab::train
