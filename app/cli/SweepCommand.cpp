#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "Commands.h"
#include "ConsoleObserver.h"
#include "SelfProcess.h"
#include "config/BoundedJson.h"
#include "config/ConfigError.h"
#include "config/DottedKey.h"
#include "config/ExperimentConfig.h"
#include "store/RunStore.h"

namespace ternlab::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct SweepArgs {
  std::string file;
  StoreOptions store;
  int parallel = 0;
  int epochs = -1;
  std::int64_t trainLimit = -1, testLimit = -1;
  bool dryRun = false;
  bool json = false;
  bool noReuse = false;
  bool skipFinished = false;
  std::vector<std::uint64_t> seeds;
  std::string shard;  // "i/n": run only this machine's share of the grid
};

// One child `run`: a grid point with the seeds it runs.
struct SweepJob {
  std::size_t point;
  std::string seeds;  // comma-separated; empty: the experiment's own seed
};

// "i/n" with 1 ≤ i ≤ n: the shard this machine runs.
std::pair<std::size_t, std::size_t> parseShard(const std::string& text) {
  const auto slash = text.find('/');
  std::size_t used = 0, usedN = 0;
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    const long i = std::stol(text.substr(0, slash), &used);
    const long n = std::stol(text.substr(slash + 1), &usedN);
    if (used != slash || usedN != text.size() - slash - 1 || n < 1 || i < 1 || i > n) throw std::invalid_argument("range");
    return {static_cast<std::size_t>(i), static_cast<std::size_t>(n)};
  } catch (const std::exception&) {
    throw CLI::ValidationError("--shard", "expected I/N with 1 <= I <= N (e.g. 2/3), got '" + text + "'");
  }
}

// The child runs of the sweep. Unsharded, one per point with all its seeds (a point's seeds share its stages);
// sharded, one per (point, seed), dealt round-robin over the shards, so n machines split the grid evenly and
// together run every point and seed exactly once.
std::vector<SweepJob> sweepJobs(std::size_t points, const std::vector<std::uint64_t>& seeds, const std::string& shard) {
  std::vector<SweepJob> jobs;
  if (shard.empty()) {
    std::string all;
    for (const auto s : seeds) all += (all.empty() ? "" : ",") + std::to_string(s);
    for (std::size_t p = 0; p < points; ++p) jobs.push_back({p, all});
    return jobs;
  }
  const auto [index, count] = parseShard(shard);
  std::size_t k = 0;
  for (std::size_t p = 0; p < points; ++p) {
    const std::size_t perPoint = seeds.empty() ? 1 : seeds.size();
    for (std::size_t j = 0; j < perPoint; ++j, ++k)
      if (k % count == index - 1) jobs.push_back({p, seeds.empty() ? "" : std::to_string(seeds[j])});
  }
  return jobs;
}

// One point of the grid: the experiment document and a readable suffix ("factor=0.1,branches=2").
struct SweepPoint {
  json doc;
  std::string label;
};

std::string shortKey(const std::string& dotted) {
  const auto dot = dotted.rfind('.');
  return dot == std::string::npos ? dotted : dotted.substr(dot + 1);
}

constexpr std::size_t kMaxSweepPoints = 10000;  // far beyond any sweep a machine could run

// Expands {"grid": {"a.b": [..], "c": [..]}} into the cartesian product over the base document.
std::vector<SweepPoint> expand(const json& sweep, const std::string& file) {
  json base;
  const auto& b = sweep.at("base");
  if (b.is_string()) {
    const auto path = (fs::path(file).parent_path() / b.get<std::string>()).string();
    base = config::parseConfigJson(config::readExperimentText(path), path);
  } else if (b.is_object()) {
    base = b;
  } else {
    throw config::ConfigError(file, "base", "expected a file name or an experiment object");
  }
  std::vector<SweepPoint> points{{base, ""}};
  if (!sweep.contains("grid") || !sweep["grid"].is_object() || sweep["grid"].empty())
    throw config::ConfigError(file, "grid", "expected an object of key: [values]");
  for (auto it = sweep["grid"].begin(); it != sweep["grid"].end(); ++it) {
    if (!it.value().is_array() || it.value().empty())
      throw config::ConfigError(file, "grid." + it.key(), "expected a non-empty array of values");
    if (points.size() * it.value().size() > kMaxSweepPoints)
      throw config::ConfigError(file, "grid." + it.key(),
                                "makes the grid more than " + std::to_string(kMaxSweepPoints) + " points (" +
                                    std::to_string(points.size()) + " × " + std::to_string(it.value().size()) + ")");
    std::vector<SweepPoint> next;
    for (const auto& p : points)
      for (const auto& v : it.value()) {
        SweepPoint q = p;
        // "a.x,b.y": linked keys that change together, e.g. the weight and activation quantizer's option;
        // a value is either given to every key or, as an array with one element per key, element-wise.
        std::vector<std::string> keys;
        for (std::size_t start = 0;;) {
          const auto comma = it.key().find(',', start);
          keys.push_back(it.key().substr(start, comma == std::string::npos ? std::string::npos : comma - start));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        const bool perKey = keys.size() > 1 && v.is_array() && v.size() == keys.size();
        try {
          for (std::size_t k = 0; k < keys.size(); ++k) config::setDotted(q.doc, keys[k], perKey ? v[k] : v);
        } catch (const std::invalid_argument& e) {
          throw config::ConfigError(file, "grid." + it.key(), e.what());
        }
        // The label names each distinct short key once: "uniform=gaussian" for weights/activations.uniform,
        // but "first_layer=fp,last_layer=ternary" for two different options set together.
        std::vector<std::string> named;
        for (std::size_t k = 0; k < keys.size(); ++k) {
          const auto key = shortKey(keys[k]);
          if (std::find(named.begin(), named.end(), key) != named.end()) continue;
          named.push_back(key);
          const json& shown = perKey ? v[k] : v;
          q.label += (q.label.empty() ? "" : ",") + key + "=" + (shown.is_string() ? shown.get<std::string>() : shown.dump());
        }
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  const std::string name = sweep.value("name", fs::path(file).stem().string());
  for (auto& p : points) p.doc["name"] = base.value("name", name) + "[" + p.label + "]";
  return points;
}


}  // namespace

void addSweepCommand(CLI::App& app, int& exitCode) {
  auto a = std::make_shared<SweepArgs>();
  auto* cmd = app.add_subcommand("sweep", "Expand a grid over an experiment and run every point, tagged with the sweep");
  cmd->add_option("file", a->file, "sweep JSON: {\"name\", \"base\": FILE or {...}, \"grid\": {\"key.path\": [values]}, \"parallel\"}")
      ->required();
  cmd->add_option("--db", a->store.db, "run database");
  cmd->add_option("--parallel", a->parallel, "processes at once (default: the file's \"parallel\", else 1)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--epochs", a->epochs, "override epochs of every run and stage");
  cmd->add_option("--train-limit", a->trainLimit, "use only the first N training images");
  cmd->add_option("--test-limit", a->testLimit, "use only the first N test images");
  cmd->add_flag("--dry-run", a->dryRun, "print the expanded runs, run nothing");
  cmd->add_flag("--json", a->json, "one JSON document with the runs' outcomes");
  cmd->add_flag("--no-reuse", a->noReuse,
                "train every stage of every point, even stages identical to a finished run (default: the file's "
                "\"reuse_stages\", else reuse)");
  cmd->add_option("--seeds", a->seeds, "run every point once per seed (comma-separated; default: the file's \"seeds\")")
      ->delimiter(',');
  cmd->add_option("--shard", a->shard,
                  "run only share I of N of the grid's points and seeds (e.g. 1/3 on one machine, 2/3 and 3/3 on two "
                  "others; merge their stores with `import`)")
      ->check([](const std::string& v) {
        try {
          parseShard(v);
          return std::string();
        } catch (const CLI::ValidationError& e) {
          return std::string(e.what());
        }
      });
  cmd->add_flag("--skip-finished", a->skipFinished,
                "do not run a point and seed again that already has a finished run in the store (continue a sweep)");
  cmd->callback([a, &exitCode] {
    const json sweep = config::parseConfigJson(config::readExperimentText(a->file), a->file);
    if (!sweep.is_object()) throw config::ConfigError(a->file, "", "not a JSON object");
    const std::string name = sweep.value("name", fs::path(a->file).stem().string());
    auto points = expand(sweep, a->file);
    std::vector<std::uint64_t> seeds = a->seeds;
    if (seeds.empty() && sweep.contains("seeds")) {
      const auto& list = sweep["seeds"];
      if (!list.is_array() || list.empty())
        throw config::ConfigError(a->file, "seeds", "expected a non-empty array of non-negative integers");
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (!list[i].is_number_unsigned())
          throw config::ConfigError(a->file, "seeds[" + std::to_string(i) + "]", "expected a non-negative integer, got " +
                                                                                   list[i].dump());
        seeds.push_back(list[i].get<std::uint64_t>());
      }
    }
    const auto jobs = sweepJobs(points.size(), seeds, a->shard);
    // Validate every point before running any.
    const auto tmp = fs::temp_directory_path() / ("ternlab-sweep-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    std::vector<std::string> files;
    for (std::size_t i = 0; i < points.size(); ++i) {
      try {
        config::parseExperiment(points[i].doc, a->file + " [" + points[i].label + "]");
      } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        exitCode = 2;
        return;
      }
      files.push_back((tmp / ("point-" + std::to_string(i) + ".json")).string());
      std::ofstream(files.back()) << points[i].doc.dump(2);
    }
    std::size_t runCount = 0;
    for (const auto& job : jobs) runCount += job.seeds.empty() ? 1 : std::count(job.seeds.begin(), job.seeds.end(), ',') + 1;
    std::fprintf(stderr, "sweep %s: %zu runs%s\n", name.c_str(), runCount,
                 a->shard.empty() ? "" : (" (shard " + a->shard + ")").c_str());
    if (a->dryRun) {
      for (const auto& job : jobs)
        std::printf("%s%s\n", points[job.point].doc["name"].get<std::string>().c_str(),
                    job.seeds.empty() ? "" : (" seeds=" + job.seeds).c_str());
      return;
    }
    const int parallel = a->parallel > 0 ? a->parallel : sweep.value("parallel", 1);
    // Points that share their first stages (FP teacher, KD stage 1) train them once; with several
    // processes at once, points that start together may each train the shared stage.
    const bool reuse = !a->noReuse && sweep.value("reuse_stages", true);
    const int threadsEach = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / parallel);
    const std::string db = a->store.path();
    { store::RunStore created(db); }  // create / migrate once before children race for it
    std::vector<pid_t> running;
    int failures = 0;
    auto reap = [&](bool all) {
      while (!running.empty() && (all || static_cast<int>(running.size()) >= parallel)) {
        int st = 0;
        const pid_t pid = ::wait(&st);
        running.erase(std::remove(running.begin(), running.end(), pid), running.end());
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) ++failures;
      }
    };
    for (std::size_t n = 0; n < jobs.size(); ++n) {
      const std::size_t i = jobs[n].point;
      std::vector<std::string> argv{"ternlab-cli", "run", files[i], "--db", db, "--tag", name};
      if (parallel > 1) argv.insert(argv.end(), {"--threads", std::to_string(threadsEach)});
      if (a->epochs >= 0) argv.insert(argv.end(), {"--epochs", std::to_string(a->epochs)});
      if (a->trainLimit > 0) argv.insert(argv.end(), {"--train-limit", std::to_string(a->trainLimit)});
      if (a->testLimit > 0) argv.insert(argv.end(), {"--test-limit", std::to_string(a->testLimit)});
      if (parallel > 1 || a->json) argv.push_back("--json");
      if (reuse) argv.push_back("--reuse-stages");
      if (!jobs[n].seeds.empty()) argv.insert(argv.end(), {"--seeds", jobs[n].seeds});
      if (a->skipFinished) argv.push_back("--skip-finished");
      std::fprintf(stderr, "[%zu/%zu] %s%s\n", n + 1, jobs.size(), points[i].doc["name"].get<std::string>().c_str(),
                   a->shard.empty() || jobs[n].seeds.empty() ? "" : (" seed " + jobs[n].seeds).c_str());
      reap(false);
      running.push_back(spawnSelf(argv));
      if (parallel == 1) reap(true);
    }
    reap(true);
    fs::remove_all(tmp);
    if (a->json) {
      store::RunStore s(db);
      store::RunFilter f;
      f.tag = name;
      json arr = json::array();
      for (const auto& r : s.listRuns(f)) arr.push_back({{"id", r.id}, {"name", r.name}, {"status", store::runStatusName(r.status)}});
      std::printf("%s\n", json{{"sweep", name}, {"runs", arr}, {"failed", failures}}.dump(2).c_str());
    }
    std::fprintf(stderr, "sweep %s: %zu runs, %d points failed\n", name.c_str(), runCount, failures);
    exitCode = failures ? 1 : 0;
  });
}

}  // namespace ternlab::cli
