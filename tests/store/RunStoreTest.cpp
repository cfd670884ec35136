// The run store: schema, upserts, summaries, layer stats, statuses, and refusal to touch foreign files.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include "TestDir.h"
#include <fstream>
#include <vector>

#include "store/RunStore.h"

using namespace ternlab::store;
namespace fs = std::filesystem;

namespace {
std::string freshDb() { return (ternlab::testsupport::freshTestDir("store") / "runs.sqlite").string(); }
}  // namespace

TEST(RunStore, CreatesRunWithParamsAndVersion) {
  RunStore db(freshDb());
  const auto id = db.createRun({"r1", R"({"optimizer":{"lr":0.05},"name":"r1"})", 7});
  auto r = db.run(id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, ternlab::store::RunStatus::Running);
  EXPECT_EQ(r->seed, 7u);
  EXPECT_EQ(r->uuid.size(), 36u);
  EXPECT_FALSE(r->version.empty());
  EXPECT_EQ(db.params(id).at("optimizer.lr"), "0.05");
  db.setStatus(id, ternlab::store::RunStatus::Finished);
  EXPECT_EQ(db.run(id)->status, ternlab::store::RunStatus::Finished);
  EXPECT_FALSE(db.run(id)->ended.empty());
}

TEST(RunStore, MetricUpsertAndSummary) {
  RunStore db(freshDb());
  const auto id = db.createRun({"m", "{}", 1});
  db.logMetrics(id, {{"test/acc", 1, 1, 10, 50.0}, {"test/acc", 2, 2, 20, 70.0}, {"test/acc", 3, 3, 30, 60.0}});
  // A resumed run writes step 3 again: it overwrites instead of failing.
  db.logMetrics(id, {{"test/acc", 3, 3, 31, 65.0}});
  auto pts = db.metrics(id, "test/acc");
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_DOUBLE_EQ(pts[2].value, 65.0);
  auto s = db.summaries(id).at(0);
  EXPECT_EQ(s.key, "test/acc");
  EXPECT_DOUBLE_EQ(s.last, 65.0);
  EXPECT_EQ(s.lastStep, 3);
  EXPECT_DOUBLE_EQ(s.max, 70.0);
  EXPECT_EQ(s.maxStep, 2);
  EXPECT_DOUBLE_EQ(s.min, 50.0);
  EXPECT_EQ(s.minStep, 1);
  // Points arriving out of order do not move "last" backwards.
  db.logMetrics(id, {{"test/acc", 1, 1, 10, 10.0}});
  s = db.summaries(id).at(0);
  EXPECT_DOUBLE_EQ(s.last, 65.0);
  EXPECT_DOUBLE_EQ(s.min, 10.0);
}

TEST(RunStore, LayerStatsRoundTrip) {
  RunStore db(freshDb());
  const auto id = db.createRun({"l", "{}", 1});
  LayerStatRow r;
  r.step = 5;
  r.layer = "conv2";
  r.branch = 1;
  r.numel = 2400;
  r.fracNeg = 0.2;
  r.fracZero = 0.5;
  r.fracPos = 0.3;
  r.entropy = 1.48;
  r.thresholds = {0.1, -0.1};
  r.scales = {0.7};
  r.gamma = 1.25;
  db.logLayerStats(id, {r});
  auto rows = db.layerStats(id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].layer, "conv2");
  EXPECT_EQ(rows[0].branch, 1);
  EXPECT_DOUBLE_EQ(rows[0].density(), 0.5);
  EXPECT_EQ(rows[0].thresholds, (std::vector<double>{0.1, -0.1}));
  EXPECT_EQ(rows[0].scales, (std::vector<double>{0.7}));
  ASSERT_TRUE(rows[0].gamma);
  EXPECT_DOUBLE_EQ(*rows[0].gamma, 1.25);
}

TEST(RunStore, StaleRunningRunIsMarkedInterrupted) {
  const auto path = freshDb();
  RunStore db(path);
  const auto alive = db.createRun({"alive", "{}", 1});
  const auto dead = db.createRun({"dead", "{}", 1});
  EXPECT_EQ(db.markStaleRunsInterrupted(-1.0), 2);  // every heartbeat is older than -1 s
  EXPECT_EQ(db.run(dead)->status, ternlab::store::RunStatus::Interrupted);
  EXPECT_FALSE(db.run(alive)->error.empty());
  EXPECT_EQ(db.markStaleRunsInterrupted(120.0), 0);
}

TEST(RunStore, ParentChildTagsNotesLifecycle) {
  RunStore db(freshDb());
  const auto p = db.createRun({"pipe", "{}", 1, std::nullopt, "", "pipeline"});
  const auto c = db.createRun({"pipe/fp", "{}", 1, p, "fp"});
  EXPECT_EQ(db.children(p), (std::vector<std::int64_t>{c}));
  db.addTag(c, "sweep-a", "#ff0000");
  EXPECT_EQ(db.tags(c), (std::vector<std::string>{"sweep-a"}));
  EXPECT_EQ(db.tagColors().at("sweep-a"), "#ff0000");
  db.setNote(c, "looks good");
  EXPECT_EQ(db.note(c), "looks good");
  RunFilter f;
  f.tag = "sweep-a";
  EXPECT_EQ(db.listRuns(f).size(), 1u);
  db.setLifecycle(c, "archived");
  EXPECT_EQ(db.listRuns().size(), 1u);
  f = {};
  f.includeArchived = true;
  EXPECT_EQ(db.listRuns(f).size(), 2u);
  db.deleteRunPermanently(p);  // cascades to the child
  EXPECT_TRUE(db.listRuns(f).empty());
}

TEST(RunStore, RefusesForeignFilesWithoutTouchingThem) {
  const auto path = freshDb();
  {
    std::ofstream(path) << "this is not a database at all, just some text that is long enough to matter\n";
  }
  const auto before = fs::file_size(path);
  try {
    RunStore db(path);
    FAIL() << "opened a text file";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("not a TernLab run database"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fs::file_size(path), before);
}

TEST(RunStore, TwoConnectionsSeeEachOthersWrites) {
  const auto path = freshDb();
  RunStore writer(path), reader(path);
  const auto id = writer.createRun({"w", "{}", 1});
  writer.logMetrics(id, {{"train/loss", 1, 1, 1, 2.5}});
  ASSERT_EQ(reader.metrics(id).size(), 1u);
  EXPECT_DOUBLE_EQ(reader.metrics(id)[0].value, 2.5);
}

// Processes that open one new store at the same moment all open it: the switch to write-ahead logging,
// which SQLite refuses at once (without waiting) while another connection reads the file, is retried.
// Repeated over many fresh stores, since the race is timing-bound; the children wait on a pipe so that
// they start together, and each reports its error in a file.
TEST(RunStore, ProcessesOpeningOneNewStoreTogetherAllOpenIt) {
  const auto dir = ternlab::testsupport::freshTestDir("store-crowd");
  constexpr int kRounds = 150, kProcesses = 6;
  int failures = 0;
  std::string firstError;
  for (int round = 0; round < kRounds; ++round) {
    const auto path = (dir / ("runs" + std::to_string(round) + ".sqlite")).string();
    std::vector<pid_t> children;
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    for (int p = 0; p < kProcesses; ++p) {
      const pid_t child = ::fork();
      if (child == 0) {
        ::close(go[1]);
        char byte;
        (void)::read(go[0], &byte, 1);  // returns when the parent closes its end: all children start together
        ::usleep(static_cast<useconds_t>(200 * p));
        int code = 0;
        try {
          RunStore store(path);
          store.createRun({"crowd", "{}", static_cast<std::uint64_t>(p)});
          (void)store.listRuns();
        } catch (const std::exception& e) {
          std::ofstream(path + ".err" + std::to_string(p)) << e.what();
          code = 1;
        }
        ::_exit(code);
      }
      children.push_back(child);
    }
    ::close(go[0]);
    ::close(go[1]);
    for (std::size_t p = 0; p < children.size(); ++p) {
      int status = 0;
      ::waitpid(children[p], &status, 0);
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
      ++failures;
      std::ifstream err(path + ".err" + std::to_string(p));
      if (firstError.empty()) firstError = std::string((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
    }
    if (failures == 0) EXPECT_EQ(RunStore(path).listRuns().size(), static_cast<std::size_t>(kProcesses)) << path;
  }
  EXPECT_EQ(failures, 0) << "first: " << firstError;
}

TEST(RunStore, RunsThatDifferOnlyInSeedShareASeedGroup) {
  RunStore db(freshDb());
  const std::string base = R"({"name":"a","seed":1,"threads":1,"optimizer":{"lr":0.05},"stages":[{"name":"fp","seed":1}]})";
  const auto a = db.createRun({"a", base, 1});
  const auto b = db.createRun(
      {"b[seed=2]", R"({"name":"b","seed":2,"threads":2,"optimizer":{"lr":0.05},"stages":[{"name":"fp","seed":9}]})", 2});
  const auto otherLr = db.createRun({"c", R"({"name":"a","seed":1,"optimizer":{"lr":0.01},"stages":[{"name":"fp"}]})", 1});
  const auto otherStage = db.createRun({"d", R"({"name":"a","seed":3,"optimizer":{"lr":0.05},"stages":[{"name":"ft"}]})", 3});
  const auto ga = db.run(a)->seedGroup;
  EXPECT_EQ(ga.size(), 16u);
  EXPECT_EQ(db.run(b)->seedGroup, ga);
  EXPECT_NE(db.run(otherLr)->seedGroup, ga);
  EXPECT_NE(db.run(otherStage)->seedGroup, ga);
  RunFilter f;
  f.seedGroup = ga;
  const auto members = db.listRuns(f);
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].id, a);
  EXPECT_EQ(members[1].id, b);
}

TEST(RunStore, VersionOneStoreGetsSeedGroupsOnOpen) {
  const auto path = freshDb();
  std::int64_t a = 0, b = 0;
  std::string group;
  {
    RunStore db(path);
    a = db.createRun({"a", R"({"seed":1,"epochs":3})", 1});
    b = db.createRun({"b", R"({"seed":2,"epochs":3})", 2});
    group = db.run(a)->seedGroup;
  }
  {  // Turn it back into what the previous schema version wrote.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "DROP INDEX run_seed_group; ALTER TABLE run DROP COLUMN seed_group; "
                           "ALTER TABLE artefact DROP COLUMN epoch; PRAGMA user_version = 1;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(raw);
    sqlite3_close(raw);
  }
  RunStore db(path);
  EXPECT_EQ(db.run(a)->seedGroup, group);
  EXPECT_EQ(db.run(b)->seedGroup, group);
  EXPECT_EQ(db.run(a)->name, "a");
}

// Another program's SQLite database is refused before anything is written: not even the journal mode changes.
TEST(RunStore, ForeignSqliteDatabaseStaysByteIdentical) {
  const auto path = freshDb();
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE contacts(name TEXT); INSERT INTO contacts VALUES ('Ada');", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  auto bytes = [&] {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const auto before = bytes();
  try {
    RunStore db(path);
    FAIL() << "opened a foreign database";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("not a TernLab run database"), std::string::npos) << e.what();
  }
  EXPECT_EQ(bytes(), before);
  EXPECT_FALSE(fs::exists(path + "-wal"));
}

// Statuses are stored by their names and read back through the same table; a name the table does not know
// (a store edited by hand, past its CHECK constraint) is refused naming the file, the run and the field.
TEST(RunStore, StatusNamesRoundTripAndAnUnknownStoredStatusIsRefused) {
  for (auto s : kRunStatuses) EXPECT_EQ(parseRunStatus(runStatusName(s)), s);
  EXPECT_FALSE(parseRunStatus("zombie"));
  EXPECT_FALSE(runEnded(RunStatus::Running));
  EXPECT_TRUE(runEnded(RunStatus::Interrupted));
  const auto path = freshDb();
  std::int64_t id = 0;
  {
    RunStore db(path);
    id = db.createRun({"r", R"({"seed":1})", 1});
    db.setStatus(id, RunStatus::Cancelled);
    EXPECT_EQ(db.run(id)->status, RunStatus::Cancelled);
  }
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA ignore_check_constraints = ON; UPDATE run SET status = 'zombie';", nullptr,
                           nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(raw);
    sqlite3_close(raw);
  }
  RunStore db(path);
  try {
    db.run(id);
    ADD_FAILURE() << "a run with status 'zombie' was read";
  } catch (const StoreError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find("run " + std::to_string(id) + ": unknown run.status 'zombie'"), std::string::npos) << m;
  }
}

// Version 3 stores the epoch a checkpoint ends; a version-2 store gets it once from the checkpoints' file names
// (epoch-NNN.pt), other artefacts keep 0.
TEST(RunStore, VersionTwoStoreGetsCheckpointEpochsOnOpen) {
  const auto path = freshDb();
  std::int64_t id = 0;
  {
    RunStore db(path);
    id = db.createRun({"r", R"({"seed":1})", 1});
    db.addArtefact(id, {"checkpoint", "/runs/7/epoch-012.pt", 10, "", 480, 12});
    db.addArtefact(id, {"checkpoint-final", "/runs/7/final.pt", 10, "", 0, 0});
    EXPECT_EQ(db.artefacts(id, "checkpoint").at(0).epoch, 12);
  }
  {  // Turn it back into what the previous schema version wrote.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "ALTER TABLE artefact DROP COLUMN epoch; PRAGMA user_version = 2;", nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(raw);
    sqlite3_close(raw);
  }
  RunStore db(path);
  const auto all = db.artefacts(id);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].epoch, 12);
  EXPECT_EQ(all[1].epoch, 0);
}
