#include "config/ExperimentConfig.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/BoundedJson.h"
#include "config/ConfigError.h"
#include "config/JsonCursor.h"
#include "config/SchemeCatalog.h"
#include "io/RegularFile.h"

namespace ternlab::config {

using nlohmann::json;

double QuantSpec::option(const std::string& key) const {
  auto it = options.find(key);
  if (it != options.end()) return it->second;
  if (const auto* s = findScheme(scheme))
    for (const auto& o : s->options)
      if (o.key == key) return o.defaultValue;
  return 0.0;
}

namespace {

std::vector<std::string> schemeNames(bool weights) {
  std::vector<std::string> names;
  for (const auto& s : schemeCatalog())
    if (weights ? s.forWeights : s.forActivations) names.push_back(s.name);
  return names;
}

QuantSpec parseQuant(JsonCursor c, bool weights, const QuantSpec* inherit = nullptr) {
  QuantSpec q = inherit ? *inherit : QuantSpec{};
  q.scheme = c.text("scheme", q.scheme, schemeNames(weights));
  const SchemeInfo* info = findScheme(q.scheme);
  const bool schemeChanged = !inherit || inherit->scheme != q.scheme;
  const double defFactor = schemeChanged ? info->defaultFactor : q.factor;
  if (info->hasThresholdFactor) {
    q.factor = c.number("factor", defFactor, 1e-6, 10.0);
  } else {
    if (c.raw("factor")) c.fail("factor", "scheme '" + q.scheme + "' has no threshold factor");
    q.factor = 0.0;
  }
  q.branches = static_cast<int>(c.integer("branches", schemeChanged ? 1 : q.branches, 1, 8));
  if (q.branches > 1 && !info->hasThresholdFactor)
    c.fail("branches", "residual expansion needs a scheme with a threshold factor, not '" + q.scheme + "'");
  auto betas = c.numbers("betas", 1e-6, 1.0);
  if (!betas.empty()) {
    if (static_cast<int>(betas.size()) != q.branches)
      c.fail("betas", "has " + std::to_string(betas.size()) + " values but branches is " + std::to_string(q.branches));
    for (std::size_t i = 1; i < betas.size(); ++i)
      if (!(betas[i] > betas[i - 1])) c.fail("betas", "must be strictly increasing (β_1 < … < β_T)");
    q.betas = betas;
  } else if (q.branches > 1 && (schemeChanged || static_cast<int>(q.betas.size()) != q.branches)) {
    q.betas = defaultRelBetas(q.branches);
  } else if (q.branches == 1) {
    q.betas.clear();
  }
  q.uniform = c.text("uniform", schemeChanged ? "off" : q.uniform, {"off", "gaussian", "half-gaussian"});
  if (schemeChanged) q.options.clear();
  if (auto opts = c.object("options")) {
    for (const auto& o : info->options) {
      if (opts->raw(o.key)) q.options[o.key] = opts->number(o.key, o.defaultValue, o.min, o.max);
    }
    opts->rejectUnknown();
  }
  c.rejectUnknown();
  return q;
}

}  // namespace

ExperimentConfig parseExperiment(const json& doc, const std::string& file) {
  ExperimentConfig cfg;
  JsonCursor root(doc, "", file);
  cfg.name = root.text("name", cfg.name);
  if (cfg.name.empty()) root.fail("name", "must not be empty");

  if (auto d = root.object("dataset")) {
    cfg.data.name = d->text("name", cfg.data.name, {"fashion-mnist", "mnist", "cifar10", "npy", "image-folder"});
    cfg.data.path = d->text("path", "");
    cfg.data.testFraction = d->number("test_fraction", 0.0, 0.0, 0.9);
    cfg.data.imageSize = static_cast<int>(d->integer("image_size", 0, 0, 512));
    cfg.data.channels = static_cast<int>(d->integer("channels", 0, 0, 3));
    if (cfg.data.channels == 2) d->fail("channels", "must be 1 (grey) or 3 (RGB), or 0 for those of the first image");
    if ((cfg.data.name == "npy" || cfg.data.name == "image-folder") && cfg.data.path.empty())
      d->fail("path", "a " + cfg.data.name + " dataset needs the folder that holds it");
    cfg.data.trainLimit = d->integer("train_limit", 0, 0, 100000000);
    cfg.data.testLimit = d->integer("test_limit", 0, 0, 100000000);
    cfg.data.augment = d->boolean("augment", false);
    d->rejectUnknown();
  }
  if (auto m = root.object("model")) {
    cfg.model.arch = m->text("arch", cfg.model.arch, {"lenet5", "vgg-s", "resnet20", "resnet18"});
    cfg.model.width = m->number("width", 1.0, 0.125, 8.0);
    cfg.model.activation = m->text("activation", "relu", {"relu", "rprelu"});
    m->rejectUnknown();
  }
  if (auto q = root.object("quant")) {
    if (auto w = q->object("weights")) cfg.quant.weights = parseQuant(*w, true);
    if (auto a = q->object("activations")) cfg.quant.activations = parseQuant(*a, false);
    cfg.quant.firstTernary = q->text("first_layer", "fp", {"fp", "ternary"}) == "ternary";
    cfg.quant.lastTernary = q->text("last_layer", "fp", {"fp", "ternary"}) == "ternary";
    if (auto layers = q->object("layers")) {
      for (const auto& name : layers->keys()) {
        auto l = layers->object(name);
        cfg.quant.layerWeights[name] = parseQuant(*l, true, &cfg.quant.weights);
      }
    }
    q->rejectUnknown();
  }
  if (auto o = root.object("optimizer")) {
    cfg.optimizer.type = o->text("type", cfg.optimizer.type, {"sgd", "adam"});
    cfg.optimizer.lr = o->number("lr", cfg.optimizer.type == "adam" ? 1e-3 : cfg.optimizer.lr, 1e-8, 10.0);
    cfg.optimizer.momentum = o->number("momentum", cfg.optimizer.momentum, 0.0, 0.999);
    cfg.optimizer.nesterov = o->boolean("nesterov", false);
    cfg.optimizer.weightDecay = o->number("weight_decay", cfg.optimizer.weightDecay, 0.0, 0.1);
    cfg.optimizer.decayQuantParams = o->boolean("decay_quant_params", false);
    if (cfg.optimizer.nesterov && cfg.optimizer.momentum == 0.0)
      o->fail("nesterov", "Nesterov momentum needs momentum > 0");
    o->rejectUnknown();
  }
  if (auto s = root.object("schedule")) {
    cfg.schedule.type = s->text("type", cfg.schedule.type, {"constant", "step", "cosine"});
    cfg.schedule.milestones = s->integers("milestones", 1, 100000);
    cfg.schedule.gamma = s->number("gamma", 0.1, 1e-6, 1.0);
    cfg.schedule.warmupEpochs = static_cast<int>(s->integer("warmup_epochs", 0, 0, 1000));
    if (!std::is_sorted(cfg.schedule.milestones.begin(), cfg.schedule.milestones.end()))
      s->fail("milestones", "must be increasing");
    s->rejectUnknown();
  }
  if (auto d = root.object("distill")) {
    cfg.distill.teacher = d->text("teacher", "");
    cfg.distill.lambda = d->number("lambda", 0.9, 0.0, 1.0);
    cfg.distill.temperature = d->number("temperature", 4.0, 0.05, 100.0);
    d->rejectUnknown();
  }
  cfg.initFrom = root.text("init_from", "");
  cfg.epochs = static_cast<int>(root.integer("epochs", cfg.epochs, 0, 10000));
  cfg.batchSize = root.integer("batch_size", cfg.batchSize, 1, 65536);
  cfg.seed = static_cast<std::uint64_t>(root.integer("seed", 1, 0, (std::int64_t(1) << 53)));
  cfg.threads = static_cast<int>(root.integer("threads", 0, 0, 1024));
  cfg.syncBn = root.boolean("sync_bn", false);
  cfg.logInterval = static_cast<int>(root.integer("log_interval", 50, 1, 1000000));
  if (const auto* st = root.raw("stages")) {
    if (!st->is_array()) root.fail("stages", "expected an array of objects, got " + std::string(st->type_name()));
    if (st->size() > kMaxStages)
      root.fail("stages", "has " + std::to_string(st->size()) + " stages, at most " + std::to_string(kMaxStages) +
                              " are allowed");
    for (std::size_t i = 0; i < st->size(); ++i) {
      if (!(*st)[i].is_object()) root.fail("stages[" + std::to_string(i) + "]", "expected an object");
      cfg.stages.push_back((*st)[i]);
    }
  }
  root.rejectUnknown();
  cfg.json = toJson(cfg);
  // Validate every stage now so a bad stage fails before anything runs.
  for (std::size_t i = 0; i < cfg.stages.size(); ++i) stageConfig(cfg, i, file);
  return cfg;
}

ExperimentConfig stageConfig(const ExperimentConfig& base, std::size_t index, const std::string& file) {
  json merged = base.json;
  merged.erase("stages");
  const json& patch = base.stages.at(index);
  if (patch.contains("stages")) throw ConfigError(file, "stages[" + std::to_string(index) + "].stages", "stages cannot nest");
  json nameless = patch;
  const std::string stageName = patch.value("name", "stage" + std::to_string(index + 1));
  nameless.erase("name");
  merged.merge_patch(nameless);
  // A stage that names a new scheme replaces that quantizer spec whole: options of the old scheme
  // (its factor, REL branches, β list) do not leak into the new one.
  if (nameless.contains("quant") && nameless["quant"].is_object())
    for (const char* kind : {"weights", "activations"})
      if (nameless["quant"].contains(kind) && nameless["quant"][kind].is_object() &&
          nameless["quant"][kind].contains("scheme"))
        merged["quant"][kind] = nameless["quant"][kind];
  merged["name"] = base.name + "/" + stageName;
  try {
    return parseExperiment(merged, file);
  } catch (const ConfigError& e) {
    throw ConfigError(file, "stages[" + std::to_string(index) + "]." + e.keyPath(), e.detail());
  }
}

ExperimentConfig parseExperimentText(const std::string& text, const std::string& file) {
  return parseExperiment(parseConfigJson(text, file), file);
}

std::string readExperimentText(const std::string& path) {
  try {
    return io::readRegularFile(path, kMaxExperimentBytes, "an experiment file");
  } catch (const io::FileError& e) {
    throw ConfigError(path, "", e.detail());
  }
}

ExperimentConfig loadExperimentFile(const std::string& path) {
  return parseExperimentText(readExperimentText(path), path);
}

namespace {
json quantToJson(const QuantSpec& q) {
  json j{{"scheme", q.scheme}};
  if (const auto* info = findScheme(q.scheme); info && info->hasThresholdFactor) j["factor"] = q.factor;
  j["branches"] = q.branches;
  if (!q.betas.empty()) j["betas"] = q.betas;
  j["uniform"] = q.uniform;
  if (!q.options.empty()) j["options"] = q.options;
  return j;
}
}  // namespace

json toJson(const ExperimentConfig& c) {
  json layers = json::object();
  for (const auto& [name, q] : c.quant.layerWeights) layers[name] = quantToJson(q);
  json j{
      {"name", c.name},
      {"dataset",
       {{"name", c.data.name}, {"path", c.data.path}, {"train_limit", c.data.trainLimit},
        {"test_limit", c.data.testLimit}, {"augment", c.data.augment}}},
      {"model", {{"arch", c.model.arch}, {"width", c.model.width}, {"activation", c.model.activation}}},
      {"quant",
       {{"weights", quantToJson(c.quant.weights)},
        {"activations", quantToJson(c.quant.activations)},
        {"first_layer", c.quant.firstTernary ? "ternary" : "fp"},
        {"last_layer", c.quant.lastTernary ? "ternary" : "fp"},
        {"layers", layers}}},
      {"optimizer",
       {{"type", c.optimizer.type}, {"lr", c.optimizer.lr}, {"momentum", c.optimizer.momentum},
        {"nesterov", c.optimizer.nesterov}, {"weight_decay", c.optimizer.weightDecay},
        {"decay_quant_params", c.optimizer.decayQuantParams}}},
      {"schedule",
       {{"type", c.schedule.type}, {"milestones", c.schedule.milestones}, {"gamma", c.schedule.gamma},
        {"warmup_epochs", c.schedule.warmupEpochs}}},
      {"distill",
       {{"teacher", c.distill.teacher}, {"lambda", c.distill.lambda}, {"temperature", c.distill.temperature}}},
      {"init_from", c.initFrom},
      {"epochs", c.epochs},
      {"batch_size", c.batchSize},
      {"seed", c.seed},
      {"threads", c.threads},
      {"log_interval", c.logInterval},
  };
  if (!c.stages.empty()) j["stages"] = c.stages;
  // Keys only when set, so that every earlier config keeps its JSON (and its stage identity).
  if (c.syncBn) j["sync_bn"] = true;
  if (c.data.testFraction > 0) j["dataset"]["test_fraction"] = c.data.testFraction;
  if (c.data.imageSize > 0) j["dataset"]["image_size"] = c.data.imageSize;
  if (c.data.channels > 0) j["dataset"]["channels"] = c.data.channels;
  return j;
}

namespace {
void flattenInto(const json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flattenInto(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else if (j.is_string()) {
    out[prefix] = j.get<std::string>();
  } else {
    out[prefix] = j.dump();
  }
}
}  // namespace

std::map<std::string, std::string> flatten(const json& doc) {
  std::map<std::string, std::string> out;
  flattenInto(doc, "", out);
  return out;
}

}  // namespace ternlab::config
