// ternlab-cli as a user runs it: exit codes, error messages, --json documents.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

struct Result {
  int code;
  std::string out;
};

Result runCli(const std::string& args) {
  const std::string cmd = std::string(TERNLAB_CLI_PATH) + " " + args + " 2>&1";
  Result r{0, ""};
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) r.out += buf.data();
  const int st = ::pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

fs::path tempDir() {
  auto d = fs::temp_directory_path() / ("ternlab-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

}  // namespace

TEST(Cli, BadExperimentFileExitsTwoNamingFileAndKey) {
  const auto d = tempDir();
  const auto f = (d / "bad.json").string();
  std::ofstream(f) << R"({"epochs": 2, "optimizer": {"lr": "fast"}})";
  const auto r = runCli("run " + f + " --db " + (d / "db.sqlite").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find(f + ": 'optimizer.lr': expected a number, got string"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(d / "db.sqlite"));  // nothing recorded for a file that never ran
}

TEST(Cli, RunThenListAndShowAsJson) {
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

TEST(Cli, ForeignDatabaseIsRefusedAndLeftAlone) {
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
