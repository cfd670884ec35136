// ternlab-cli as a user runs it: exit codes, error messages, --json documents.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include <algorithm>
#include <csignal>
#include <cmath>
#include <array>
#include <cstdio>
#include <filesystem>
#include <set>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "CliProcess.h"
#include "store/RunStore.h"

namespace fs = std::filesystem;

namespace {

using Result = ternlab::testsupport::CliResult;
using ternlab::testsupport::runCli;

// Runs ternlab-cli with the process's file-size limit (RLIMIT_FSIZE) at limitBytes: a write past it fails
// with EFBIG as a write to a full disk fails with ENOSPC, without needing a small file system.
Result runCliUnderFileLimit(const std::string& args, std::size_t limitBytes, const fs::path& dir) {
  const auto log = (dir / "limited.out").string();
  const pid_t child = ::fork();
  if (child == 0) {
    struct rlimit rl {limitBytes, limitBytes};
    ::setrlimit(RLIMIT_FSIZE, &rl);
    ::signal(SIGXFSZ, SIG_IGN);  // else the first write past the limit kills the shell before the CLI runs
    const std::string cmd = std::string(TERNLAB_CLI_PATH) + " " + args + " > " + log + " 2>&1";
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(child, &st, 0);
  std::ifstream in(log);
  return Result{WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>())};
}

fs::path tempDir() {
  auto d = fs::temp_directory_path() / ("ternlab-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

}  // namespace

TEST(CliIntegration, BadExperimentFileExitsTwoNamingFileAndKey) {
  const auto d = tempDir();
  const auto f = (d / "bad.json").string();
  std::ofstream(f) << R"({"epochs": 2, "optimizer": {"lr": "fast"}})";
  const auto r = runCli("run " + f + " --db " + (d / "db.sqlite").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find(f + ": 'optimizer.lr': expected a number, got string"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(d / "db.sqlite"));  // nothing recorded for a file that never ran
}

TEST(CliIntegration, RunThenListAndShowAsJson) {
  const auto d = tempDir();
  const auto db = (d / "db.sqlite").string();
  const auto f = (d / "tiny.json").string();
  std::ofstream(f) << R"({"name": "cli-tiny", "quant": {"weights": {"scheme": "twn"}}, "epochs": 1,
                          "dataset": {"train_limit": 600, "test_limit": 200}, "threads": 1, "log_interval": 2})";
  auto r = runCli("run " + f + " --db " + db + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto outcome = nlohmann::json::parse(r.out);
  EXPECT_EQ(outcome["status"], "finished");
  const auto id = outcome["run"].get<long long>();

  r = runCli("runs --db " + db + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto runs = nlohmann::json::parse(r.out)["runs"];
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["name"], "cli-tiny");
  EXPECT_EQ(runs[0]["status"], "finished");

  r = runCli("show " + std::to_string(id) + " --db " + db + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto show = nlohmann::json::parse(r.out);
  EXPECT_EQ(show["config"]["name"], "cli-tiny");
  EXPECT_EQ(show["epochs"].size(), 1u);
  EXPECT_TRUE(show["epochs"][0].contains("test/acc"));
  EXPECT_EQ(show["layers"].size(), 3u);  // conv2, fc1, fc2 ternary
  for (const auto& l : show["layers"]) EXPECT_GT(l["density"].get<double>(), 0.0);

  r = runCli("show 999 --db " + db);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("no run 999"), std::string::npos);
}

TEST(CliIntegration, ForeignDatabaseIsRefusedAndLeftAlone) {
  const auto d = tempDir();
  const auto db = (d / "notes.txt").string();
  std::ofstream(db) << "my precious notes, definitely not SQLite, but long enough to look like a header....\n";
  const auto r = runCli("runs --db " + db);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("not a TernLab run database"), std::string::npos) << r.out;
  std::ifstream in(db);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first.rfind("my precious notes", 0), 0u);
}

// Sweeps end to end: a Table-3 grid with linked keys and a λ sweep of a two-stage KD pipeline,
// stages shared between points trained once, and `results` turning the store into the tables.
TEST(CliSlow, SweepsShareStagesAndResultsBuildsTheTables) {
  const auto d = tempDir();
  const auto db = (d / "db.sqlite").string();
  std::ofstream(d / "base.json") << R"({"name": "abl", "dataset": {"train_limit": 400, "test_limit": 200},
      "quant": {"weights": {"scheme": "asym"}, "activations": {"scheme": "asym"}},
      "distill": {"teacher": "stage:fp", "lambda": 0.9}, "threads": 1, "log_interval": 5,
      "stages": [{"name": "fp", "epochs": 1, "distill": {"teacher": ""},
                  "quant": {"weights": {"scheme": "none"}, "activations": {"scheme": "none"}}},
                 {"name": "act", "epochs": 1, "distill": {"lambda": 1.0}, "quant": {"weights": {"scheme": "none"}}},
                 {"name": "wa", "epochs": 1}]})";
  std::ofstream(d / "table3.json") << R"({"name": "t3", "base": "base.json", "grid": {
      "quant.weights.options.symmetric,quant.activations.options.symmetric": [1, 0],
      "quant.weights.uniform,quant.activations.uniform": [["off", "off"], ["gaussian", "half-gaussian"]],
      "distill.teacher": [""]}})";  // Table 3 is without distillation
  std::ofstream(d / "lambda.json") << R"({"name": "lam", "base": "base.json", "grid": {"distill.lambda": [0.5, 1.0],
      "model.activation": ["relu", "rprelu"]}})";
  auto r = runCli("sweep " + (d / "table3.json").string() + " --db " + db + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  // The sweep's own document comes last on stdout (its children print theirs first; stderr is mixed in).
  const auto at = r.out.rfind("{\n  \"failed\"");
  ASSERT_NE(at, std::string::npos) << r.out;
  const auto t3 = nlohmann::json::parse(r.out.substr(at, r.out.find("\n}", at) + 2 - at));
  EXPECT_EQ(t3["runs"].size(), 4u);
  EXPECT_EQ(t3["failed"], 0);
  r = runCli("sweep " + (d / "lambda.json").string() + " --db " + db);
  ASSERT_EQ(r.code, 0) << r.out;

  // 8 pipelines × 3 stages; the FP stage is trained once per nonlinearity (ReLU, RPReLU) and KD stage 1 once per
  // (symmetric, uniform, nonlinearity) point.
  r = runCli("runs --db " + db + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto runs = nlohmann::json::parse(r.out)["runs"];
  int stages = 0, reusedFp = 0, reusedKd1 = 0;
  for (const auto& run : runs) {
    if (run["parent_id"].is_null()) continue;
    ++stages;
    const auto shown = nlohmann::json::parse(runCli("show " + std::to_string(run["id"].get<int>()) + " --db " + db +
                                                    " --json").out);
    const bool reused = shown["note"].get<std::string>().find("reused run") != std::string::npos;
    reusedFp += reused && shown["stage"] == "fp";
    reusedKd1 += reused && shown["stage"] == "act";
    if (shown["stage"] == "wa") EXPECT_FALSE(reused);  // every point's last stage differs
  }
  EXPECT_EQ(stages, 24);
  EXPECT_EQ(reusedFp, 6);   // one FP teacher for the six ReLU pipelines, one for the two RPReLU ones
  EXPECT_GE(reusedKd1, 1);  // the λ points share KD stage 1 (λ = 1 there)
  r = runCli("results --db " + db);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("## Table 3 ablation (asymmetric paper), lenet5"), std::string::npos) << r.out;
  const auto table = r.out.substr(r.out.find("## Table 3"));
  const auto symRow = table.substr(table.find("| symmetric"), table.find('\n', table.find("| symmetric")) - table.find("| symmetric"));
  EXPECT_EQ(symRow.find("–"), std::string::npos) << symRow;  // both cells filled
  EXPECT_NE(r.out.find("## λ curve: lenet5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| 0.5 | "), std::string::npos);
  EXPECT_NE(r.out.find("| 1.0 | "), std::string::npos);
  // The same-budget comparison: every W+A scheme of the 3-epoch pipelines, ranked by accuracy.
  const auto budgetAt = r.out.find("## Same budget, W and A ternary: lenet5, 3 epochs in all");
  ASSERT_NE(budgetAt, std::string::npos) << r.out;
  std::istringstream budget(r.out.substr(budgetAt, r.out.find("\n## ", budgetAt + 1) - budgetAt));
  std::vector<double> accuracies;
  std::map<std::string, int> nonlinearities;
  for (std::string line; std::getline(budget, line);) {
    if (line.rfind("| rank | runs | stages |", 0) == 0) continue;  // the header
    if (line.rfind("| ", 0) != 0) continue;
    std::vector<std::string> cells;
    for (std::size_t p = 1, q; (q = line.find(" |", p)) != std::string::npos; p = q + 2) cells.push_back(line.substr(p + 1, q - p - 1));
    ASSERT_EQ(cells.size(), 11u) << line;
    EXPECT_EQ(std::stoi(cells[0]), static_cast<int>(accuracies.size()) + 1);
    EXPECT_EQ(cells[2], "3");  // every pipeline here has three stages
    ++nonlinearities[cells[3]];
    accuracies.push_back(std::stod(cells[7]));
    const double gap = std::stod(cells[8]);
    EXPECT_NEAR(gap, std::stod(cells[6]) - accuracies.back(), 0.011);  // against its own FP stage
    EXPECT_EQ(cells[9], gap <= 0.5 ? "yes" : "no");
  }
  // The four Table-3 cells and the two λ points, each with ReLU and with RPReLU (same scheme, separate rows).
  EXPECT_EQ(accuracies.size(), 8u);
  EXPECT_EQ(nonlinearities, (std::map<std::string, int>{{"relu", 6}, {"rprelu", 2}}));
  EXPECT_TRUE(std::is_sorted(accuracies.rbegin(), accuracies.rend()));
}

// `run --seeds` makes one seed group; `--skip-finished` continues it; show, runs and results report its statistics.
TEST(CliIntegration, SeedsFormAGroupWithStatistics) {
  const auto d = tempDir();
  const auto db = (d / "db.sqlite").string();
  const auto f = (d / "tiny.json").string();
  std::ofstream(f) << R"({"name": "seeded", "quant": {"weights": {"scheme": "twn"}}, "epochs": 1,
                          "dataset": {"train_limit": 300, "test_limit": 200}, "threads": 1, "log_interval": 2})";
  auto r = runCli("run " + f + " --db " + db + " --seeds 1,2,3 --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto first = nlohmann::json::parse(r.out);
  ASSERT_EQ(first["runs"].size(), 3u);
  const std::string group = first["seed_group"];
  EXPECT_EQ(group.size(), 16u);
  r = runCli("run " + f + " --db " + db + " --seeds 1,2,3,4 --skip-finished --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto second = nlohmann::json::parse(r.out);
  ASSERT_EQ(second["runs"].size(), 4u);
  EXPECT_EQ(second["seed_group"], group);
  std::vector<double> accs;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(second["runs"][i]["seed"], i + 1);
    EXPECT_EQ(second["runs"][i].value("skipped", false), i < 3) << second.dump();
    if (i < 3) EXPECT_EQ(second["runs"][i]["run"], first["runs"][i]["run"]);
    accs.push_back(second["runs"][i]["test_acc"].get<double>());
  }
  const auto last = second["runs"][3]["run"].get<long long>();
  r = runCli("show " + std::to_string(last) + " --db " + db + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto g = nlohmann::json::parse(r.out)["seed_group"];
  EXPECT_EQ(g["key"], group);
  ASSERT_EQ(g["runs"].size(), 4u);
  const auto& fin = g["final_test_acc"];
  EXPECT_EQ(fin["n"], 4);
  double mean = 0, ss = 0;
  for (double a : accs) mean += a / 4;
  for (double a : accs) ss += (a - mean) * (a - mean);
  EXPECT_NEAR(fin["mean"].get<double>(), mean, 1e-9);
  // t_{0.975, 3} = 3.182446305284263
  EXPECT_NEAR(fin["ci95_half_width"].get<double>(), 3.182446305284263 * std::sqrt(ss / 3) / 2, 1e-9);
  r = runCli("runs --db " + db + " --seed-group " + group + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["runs"].size(), 4u);
  r = runCli("results --db " + db);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("(n=4)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("## The papers' claims on this data"), std::string::npos) << r.out;
  // A sweep's "seeds" entry: every point once per seed.
  std::ofstream(d / "sweep.json") << R"({"name": "s", "base": "tiny.json", "grid": {"optimizer.lr": [0.05, 0.1]}, "seeds": [1, 2]})";
  r = runCli("sweep " + (d / "sweep.json").string() + " --dry-run");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("sweep s: 4 runs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("seeded[lr=0.1] seeds=1,2"), std::string::npos) << r.out;
  std::ofstream(d / "bad.json") << R"({"name": "s", "base": "tiny.json", "grid": {"optimizer.lr": [0.05]}, "seeds": [1, -2]})";
  r = runCli("sweep " + (d / "bad.json").string() + " --dry-run");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("'seeds[1]'"), std::string::npos) << r.out;
}

// Every shipped sweep (Fashion-MNIST and the CIFAR-10 twins) expands: its base exists and every grid key applies.
TEST(CliIntegration, ShippedSweepsExpand) {
  namespace fs = std::filesystem;
  int sweeps = 0;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(TERNLAB_SOURCE_DIR) / "experiments")) {
    if (e.path().extension() != ".json" || e.path().filename().string().find("sweep-") == std::string::npos) continue;
    ++sweeps;
    const auto r = runCli("sweep " + e.path().string() + " --dry-run");
    EXPECT_EQ(r.code, 0) << e.path() << "\n" << r.out;
    EXPECT_NE(r.out.find(" runs"), std::string::npos) << r.out;
  }
  EXPECT_GE(sweeps, 10);
}

// A run made with a relative --db records absolute artefact paths: exporting it from another directory works.
TEST(CliIntegration, RelativeDbRunExportsFromAnotherDirectory) {
  const auto d = tempDir();
  fs::create_directories(d / "work");
  fs::create_directories(d / "elsewhere");
  std::ofstream(d / "work" / "tiny.json") << R"({"name": "cli-rel", "quant": {"weights": {"scheme": "twn"}}, "epochs": 1,
                          "dataset": {"train_limit": 300, "test_limit": 100}, "threads": 1, "log_interval": 5})";
  const auto run = runCli("run tiny.json --db runs.sqlite --json", d / "work");
  ASSERT_EQ(run.code, 0) << run.out;
  const auto id = nlohmann::json::parse(run.out.substr(run.out.find('{')))["run"].get<std::int64_t>();
  const auto ex = runCli("export " + std::to_string(id) + " --db ../work/runs.sqlite --format tnn --out m.tnn", d / "elsewhere");
  ASSERT_EQ(ex.code, 0) << ex.out;
  EXPECT_TRUE(fs::exists(d / "elsewhere" / "m.tnn"));
  const auto inf = runCli("infer elsewhere/m.tnn --limit 50", d);
  EXPECT_EQ(inf.code, 0) << inf.out;
  EXPECT_NE(inf.out.find("identical predictions"), std::string::npos) << inf.out;
}

// Four processes creating and writing one new store at once while a fifth lists it: no process may find
// it foreign ("it has tables but no TernLab schema version") or busy, every run ends finished with all its
// metrics. Repeated, since the race is timing-bound.
TEST(CliSlow, FourWritersAndAReaderShareOneNewStore) {
  const auto d = tempDir();
  const auto exp = (d / "tiny.json").string();
  std::ofstream(exp) << R"({"name": "crowd", "epochs": 1, "dataset": {"train_limit": 64, "test_limit": 32},
                            "threads": 1, "log_interval": 1})";
  for (int round = 0; round < 20; ++round) {
    const auto db = (d / ("db" + std::to_string(round) + ".sqlite")).string();
    std::string cmd;
    for (int p = 0; p < 4; ++p)
      cmd += std::string(TERNLAB_CLI_PATH) + " run " + exp + " --no-checkpoints --json --db " + db + " > " + db + ".w" +
             std::to_string(p) + " 2>&1 & ";
    cmd += "for i in 1 2 3; do " + std::string(TERNLAB_CLI_PATH) + " runs --json --db " + db + " > " + db + ".r$i 2>&1; done; ";
    ASSERT_EQ(std::system((cmd + "wait").c_str()), 0);
    auto output = [](const std::string& f) {
      std::ifstream in(f);
      return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    };
    for (int i = 1; i <= 3; ++i) {
      const auto out = output(db + ".r" + std::to_string(i));
      const auto j = nlohmann::json::parse(out, nullptr, false);
      ASSERT_TRUE(j.is_object() && j["runs"].is_array()) << "round " << round << ", listing " << i << ": " << out;
    }
    for (int p = 0; p < 4; ++p) {
      const auto out = output(db + ".w" + std::to_string(p));
      const auto j = nlohmann::json::parse(out.substr(std::min(out.size(), out.find('{'))), nullptr, false);
      ASSERT_TRUE(j.is_object() && j.value("status", "") == "finished") << "round " << round << ", writer " << p << ": " << out;
    }
    ternlab::store::RunStore check(db);
    const auto runs = check.listRuns();
    ASSERT_EQ(runs.size(), 4u) << "round " << round;
    for (const auto& r : runs) {
      EXPECT_EQ(r.status, ternlab::store::RunStatus::Finished) << "round " << round << ", run " << r.id;
      EXPECT_EQ(check.metrics(r.id, "test/acc").size(), 1u) << "round " << round << ", run " << r.id;
      EXPECT_FALSE(check.metrics(r.id, "train/loss").empty()) << "round " << round << ", run " << r.id;
    }
  }
}

// A write failure in the middle of a run (here the process's file-size limit, which fails a write with EFBIG
// exactly as a full disk fails it with ENOSPC): the run is marked failed with the cause, no temporary file is
// left, every earlier record stays readable, and resuming on the same "disk" fails the same clean way.
TEST(CliIntegration, WriteFailureDuringACheckpointMarksTheRunFailed) {
  const auto d = tempDir();
  const auto db = (d / "runs.sqlite").string();
  const auto exp = (d / "resnet.json").string();
  // ResNet-20's checkpoint (about 1.1 MB) is larger than the limit, the store of this short run is not.
  std::ofstream(exp) << R"({"name": "full-disk", "model": {"arch": "resnet20"}, "epochs": 2, "log_interval": 1,
                            "dataset": {"train_limit": 64, "test_limit": 32}, "threads": 1})";
  const std::size_t limit = 768 * 1024;
  auto runLimited = [&](const std::string& args) { return runCliUnderFileLimit(args, limit, d); };
  auto tmpFiles = [&] {
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(d))
      if (e.path().extension() == ".tmp") ++n;
    return n;
  };
  auto r = runLimited("run " + exp + " --db " + db);
  EXPECT_EQ(r.code, 1) << r.out;  // a failed run, not a crash (a signal gives -1, an abort 134)
  EXPECT_NE(r.out.find("File too large"), std::string::npos) << r.out;
  EXPECT_EQ(tmpFiles(), 0);
  std::int64_t id = 0;
  {
    ternlab::store::RunStore check(db);
    const auto runs = check.listRuns();
    ASSERT_EQ(runs.size(), 1u);
    id = runs[0].id;
    EXPECT_EQ(runs[0].status, ternlab::store::RunStatus::Failed);
    EXPECT_NE(runs[0].error.find("epoch-001.pt"), std::string::npos) << runs[0].error;
    EXPECT_NE(runs[0].error.find("File too large"), std::string::npos) << runs[0].error;
    EXPECT_FALSE(check.metrics(id, "train/loss").empty());  // what was recorded before the fault is kept
  }
  r = runLimited("resume " + std::to_string(id) + " --db " + db);
  EXPECT_NE(r.code, 0) << r.out;
  EXPECT_LT(r.code, 128) << r.out;
  EXPECT_EQ(tmpFiles(), 0);
  {
    ternlab::store::RunStore check(db);
    const auto rec = check.run(id);
    ASSERT_TRUE(rec);
    EXPECT_NE(rec->status, ternlab::store::RunStatus::Running);  // never left looking alive
  }
  // With room again, the same run resumes and finishes.
  r = runCli("resume " + std::to_string(id) + " --db " + db + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  ternlab::store::RunStore check(db);
  EXPECT_EQ(check.run(id)->status, ternlab::store::RunStatus::Finished);
}

// The store itself runs out of room while a run logs its metrics: the run still ends failed with the cause
// (the log is truncated into the database to make room for that one record) and the store stays readable.
TEST(CliIntegration, StoreWriteFailureDuringMetricsMarksTheRunFailed) {
  const auto d = tempDir();
  const auto db = (d / "runs.sqlite").string();
  const auto exp = (d / "tiny.json").string();
  std::ofstream(exp) << R"({"name": "store-full", "epochs": 2, "log_interval": 1,
                            "dataset": {"train_limit": 4000, "test_limit": 200}, "threads": 1})";
  const auto r = runCliUnderFileLimit("run " + exp + " --no-checkpoints --db " + db, 300 * 1024, d);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(db + ": disk I/O error"), std::string::npos) << r.out;
  ternlab::store::RunStore check(db);
  const auto runs = check.listRuns();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, ternlab::store::RunStatus::Failed);
  EXPECT_NE(runs[0].error.find("disk I/O error"), std::string::npos) << runs[0].error;
}

// A sweep grid whose product is absurd is refused before anything runs, naming the key and the product.
TEST(CliIntegration, SweepGridLargerThanTheBoundIsRefused) {
  const auto d = tempDir();
  const auto f = (d / "sweep.json").string();
  std::string values;
  for (int i = 0; i < 200; ++i) values += std::string(i ? "," : "") + std::to_string(i + 1);
  std::ofstream(f) << R"({"base": {"epochs": 1}, "grid": {"seed": [)" << values << R"(], "batch_size": [)" << values
                   << "]}}";
  const auto r = runCli("sweep " + f + " --db " + (d / "db.sqlite").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(f + ": 'grid.seed': makes the grid more than 10000 points (200 × 200)"), std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(d / "db.sqlite"));
}

// A sweep split over two "machines" (--shard 1/2 and 2/2, each with its own store) ends in one store through
// `import`: every point and seed once, ids remapped, the sweep's tag kept; importing again adds nothing.
TEST(CliIntegration, ShardedSweepMergesIntoOneStore) {
  const auto d = tempDir();
  std::ofstream(d / "tiny.json") << R"({"name": "shard", "quant": {"weights": {"scheme": "twn"}}, "epochs": 1,
                          "dataset": {"train_limit": 200, "test_limit": 100}, "threads": 1, "log_interval": 2})";
  std::ofstream(d / "sweep.json") << R"({"name": "split", "base": "tiny.json", "grid": {"optimizer.lr": [0.05, 0.1, 0.2]}, "seeds": [1, 2]})";
  const auto sweep = (d / "sweep.json").string();
  // The shards deal the 6 (point, seed) runs round-robin: disjoint, and together the whole grid.
  auto one = runCli("sweep " + sweep + " --shard 1/2 --dry-run");
  auto two = runCli("sweep " + sweep + " --shard 2/2 --dry-run");
  ASSERT_EQ(one.code, 0) << one.out;
  ASSERT_EQ(two.code, 0) << two.out;
  EXPECT_NE(one.out.find("sweep split: 3 runs (shard 1/2)"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("shard[lr=0.05] seeds=1\n"), std::string::npos) << one.out;
  EXPECT_NE(two.out.find("shard[lr=0.05] seeds=2\n"), std::string::npos) << two.out;
  EXPECT_EQ(one.out.find("shard[lr=0.05] seeds=2\n"), std::string::npos) << one.out;
  for (const auto* bad : {"0/2", "3/2", "1/0", "x", "1/2/3"}) {
    const auto r = runCli("sweep " + sweep + " --shard " + bad + " --dry-run");
    EXPECT_NE(r.code, 0) << bad;
    EXPECT_NE(r.out.find("--shard"), std::string::npos) << r.out;
  }

  const auto a = (d / "a.sqlite").string(), b = (d / "b.sqlite").string(), merged = (d / "merged.sqlite").string();
  ASSERT_EQ(runCli("sweep " + sweep + " --shard 1/2 --db " + a).code, 0);
  ASSERT_EQ(runCli("sweep " + sweep + " --shard 2/2 --db " + b).code, 0);
  ASSERT_EQ(runCli("run " + (d / "tiny.json").string() + " --db " + merged + " --json").code, 0);  // ids 1.. taken here
  auto r = runCli("import " + a + " --db " + merged + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto first = nlohmann::json::parse(r.out);
  EXPECT_EQ(first["imported"], 3);
  for (const auto& [from, to] : first["ids"].items()) EXPECT_NE(std::stoll(from), to.get<long long>()) << first.dump();
  r = runCli("import " + b + " --db " + merged);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("imported 3 runs"), std::string::npos) << r.out;
  r = runCli("import " + b + " --db " + merged + " --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["imported"], 0);
  EXPECT_EQ(nlohmann::json::parse(r.out)["already_present"], 3);

  r = runCli("runs --db " + merged + " --tag split --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto runs = nlohmann::json::parse(r.out)["runs"];
  ASSERT_EQ(runs.size(), 6u);
  std::set<std::pair<std::string, int>> pointsAndSeeds;
  for (const auto& run : runs) {
    EXPECT_EQ(run["status"], "finished");
    pointsAndSeeds.insert({run["name"].get<std::string>(), run["seed"].get<int>()});
  }
  EXPECT_EQ(pointsAndSeeds.size(), 6u);  // every point and seed exactly once
  r = runCli("import " + (d / "tiny.json").string() + " --db " + merged);
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("tiny.json"), std::string::npos) << r.out;
}
