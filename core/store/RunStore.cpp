#include "store/RunStore.h"

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "Version.h"
#include "config/ExperimentConfig.h"
#include "config/SeedGroup.h"
#include "io/RegularFile.h"
#include "store/Schema.h"

namespace ternlab::store {

namespace fs = std::filesystem;
using Lock = std::lock_guard<std::recursive_mutex>;

namespace {

std::string newUuid() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  const auto a = rng(), b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string jsonArray(const std::vector<double>& v) { return nlohmann::json(v).dump(); }
std::vector<double> parseArray(const std::string& s) {
  if (s.empty()) return {};
  auto j = nlohmann::json::parse(s, nullptr, false);
  std::vector<double> out;
  if (j.is_array())
    for (const auto& e : j)
      if (e.is_number()) out.push_back(e.get<double>());
  return out;
}

const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
const char* kUnixNow = "((julianday('now') - 2440587.5) * 86400.0)";
const char* kRunColumns =
    "id, uuid, parent_id, stage, name, kind, status, lifecycle, config, config_hash, seed, created, "
    "coalesce(started,''), coalesce(ended,''), coalesce(heartbeat,0), version, git_commit, error, seed_group";

}  // namespace

std::string defaultDatabasePath() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  fs::path base;
  if (xdg && *xdg) {
    base = xdg;
  } else {
    const char* home = std::getenv("HOME");
    base = fs::path(home && *home ? home : ".") / ".local" / "share";
  }
  return (base / "ternlab" / "runs.sqlite").string();
}

namespace {

// How long any statement waits for another process's lock before it reports the store busy.
constexpr int kBusyTimeoutMs = 10000;

// A store this process may not write (the file or its folder): opened read-only so it can still be listed.
bool readOnlyStore(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return false;
  const auto dir = fs::path(path).parent_path();
  return ::access(path.c_str(), W_OK) != 0 || ::access((dir.empty() ? fs::path(".") : dir).c_str(), W_OK) != 0;
}


}  // namespace

RunStore::RunStore(const std::string& path) : path_(path) {
  std::error_code ec;
  const auto parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (const auto kind = io::nonRegularKind(path); !kind.empty())
    throw StoreError(path + ": is " + kind + ", expected a run database file");
  readOnly_ = readOnlyStore(path);
  // Read-only: a WAL store whose -wal file is gone (closed cleanly) is read as immutable, since SQLite
  // could not create the shared-memory file beside it; with a -wal file present, as a normal reader.
  const std::string target = !readOnly_ ? path : fileUri(path, fs::exists(path + "-wal", ec) ? "?mode=ro" : "?immutable=1");
  const int flags = readOnly_ ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX
                              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(target.c_str(), &raw, flags, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) throw StoreError(path + ": cannot open database: " + sqlite3_errmsg(raw));
  sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
  try {
    exec(db_.get(), "PRAGMA foreign_keys = ON", path_);
    refuseForeignDatabase(db_.get(), path_);  // before anything writes to the file: a refused file stays as it was
    if (readOnly_) {
      requireCurrentSchema(db_.get(), path_);
      return;
    }
    enableWriteAheadLog(db_.get(), path_, kBusyTimeoutMs);
    exec(db_.get(), "PRAGMA synchronous = NORMAL", path_);
    migrate(db_.get(), path_);
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    if (msg.find("file is not a database") != std::string::npos)
      throw StoreError(path + ": not a TernLab run database (file is not an SQLite database); nothing was changed");
    throw;
  }
}

std::int64_t RunStore::createRun(const NewRun& r) {
  Lock lock(mutex_);
  Transaction tx(db_.get(), path_);
  Statement ins(db_.get(),
                std::string("INSERT INTO run(uuid, parent_id, stage, name, kind, status, config, config_hash, seed, "
                            "started, heartbeat, pid, version, git_commit, seed_group) VALUES (?,?,?,?,?,'") +
                    runStatusName(RunStatus::Running) + "',?,?,?," +
                    kNow + "," + kUnixNow + ",?,?,?,?)",
                path_);
  ins.bind(1, newUuid()).bind(2, r.parentId).bind(3, r.stage).bind(4, r.name).bind(5, r.kind);
  ins.bind(6, r.configJson).bind(7, config::configHash(r.configJson)).bind(8, static_cast<std::int64_t>(r.seed));
  ins.bind(9, static_cast<std::int64_t>(::getpid())).bind(10, std::string(kVersion)).bind(11, std::string(kGitCommit));
  ins.bind(12, config::seedGroupKey(r.configJson));
  ins.run();
  const std::int64_t id = sqlite3_last_insert_rowid(db_.get());
  auto doc = nlohmann::json::parse(r.configJson, nullptr, false);
  if (doc.is_object()) {
    Statement p(db_.get(), "INSERT OR REPLACE INTO param(run_id, key, value, num) VALUES (?,?,?,?)", path_);
    for (const auto& [k, v] : config::flatten(doc)) {
      p.bind(1, id).bind(2, k).bind(3, v);
      char* end = nullptr;
      const double num = std::strtod(v.c_str(), &end);
      if (!v.empty() && end && *end == '\0' && std::isfinite(num)) p.bind(4, num); else p.bindNull(4);
      p.run();
    }
  }
  tx.commit();
  return id;
}

void RunStore::setParam(std::int64_t run, const std::string& key, double value) {
  Lock lock(mutex_);
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  Statement p(db_.get(), "INSERT OR REPLACE INTO param(run_id, key, value, num) VALUES (?,?,?,?)", path_);
  p.bind(1, run).bind(2, key).bind(3, std::string(text)).bind(4, value).run();
}

int RunStore::failRunsOfProcess(std::int64_t pid, const std::string& error) {
  Lock lock(mutex_);
  Statement s(db_.get(),
              std::string("UPDATE run SET status = ?1, error = ?2, ended = ") + kNow + " WHERE status = ?3 AND pid = ?4",
              path_);
  s.bind(1, runStatusName(RunStatus::Failed)).bind(2, error).bind(3, runStatusName(RunStatus::Running)).bind(4, pid).run();
  return sqlite3_changes(db_.get());
}

void RunStore::setStatus(std::int64_t run, RunStatus status, const std::string& error) {
  Lock lock(mutex_);
  const bool ended = runEnded(status);
  Statement s(db_.get(),
              std::string("UPDATE run SET status = ?, error = ?, heartbeat = ") + kUnixNow +
                  (ended ? std::string(", ended = ") + kNow : std::string(", ended = NULL")) + " WHERE id = ?",
              path_);
  s.bind(1, std::string(runStatusName(status))).bind(2, error).bind(3, run).run();
}

void RunStore::markFailed(std::int64_t run, const std::string& error) {
  Lock lock(mutex_);
  try {
    setStatus(run, RunStatus::Failed, error);
  } catch (const StoreError&) {
    // The write-ahead log may be what could not grow (a full disk, a file-size limit): move its pages into
    // the database and truncate it, then record the failure once more; a second fault is the caller's.
    sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    setStatus(run, RunStatus::Failed, error);
  }
}

void RunStore::writeRow(const std::string& sql, std::int64_t run, const std::string* text) {
  Lock lock(mutex_);
  Statement s(db_.get(), sql, path_);
  s.bind(1, run);
  if (text) s.bind(2, *text);
  s.run();
}

void RunStore::heartbeat(std::int64_t run) {
  writeRow(std::string("UPDATE run SET heartbeat = ") + kUnixNow + " WHERE id = ?1", run);
}

void RunStore::reopenRun(std::int64_t run) {
  Lock lock(mutex_);
  Statement s(db_.get(),
              std::string("UPDATE run SET status = '") + runStatusName(RunStatus::Running) +
                  "', error = '', ended = NULL, pid = ?, heartbeat = " +
                  kUnixNow + " WHERE id = ?",
              path_);
  s.bind(1, static_cast<std::int64_t>(::getpid())).bind(2, run).run();
}

std::int64_t RunStore::metricKeyId(const std::string& name) {
  auto it = keyIds_.find(name);
  if (it != keyIds_.end()) return it->second;
  Statement ins(db_.get(), "INSERT OR IGNORE INTO metric_key(name) VALUES (?)", path_);
  ins.bind(1, name).run();
  Statement sel(db_.get(), "SELECT id FROM metric_key WHERE name = ?", path_);
  sel.bind(1, name);
  sel.step();
  const auto id = sel.integer(0);
  keyIds_[name] = id;
  return id;
}

void RunStore::logMetrics(std::int64_t run, const std::vector<MetricPoint>& points) {
  if (points.empty()) return;
  Lock lock(mutex_);
  Transaction tx(db_.get(), path_);
  Statement m(db_.get(),
              "INSERT INTO metric(run_id, key_id, step, epoch, wall_ms, value) VALUES (?,?,?,?,?,?) "
              "ON CONFLICT(run_id, key_id, step) DO UPDATE SET epoch = excluded.epoch, wall_ms = excluded.wall_ms, "
              "value = excluded.value",
              path_);
  // In an UPDATE every right-hand side sees the old row, so the CASEs compare against old values.
  Statement sum(db_.get(),
                "INSERT INTO metric_summary(run_id, key_id, last, last_step, min, min_step, max, max_step) "
                "VALUES (?1,?2,?3,?4,?3,?4,?3,?4) ON CONFLICT(run_id, key_id) DO UPDATE SET "
                "last = CASE WHEN excluded.last_step >= last_step THEN excluded.last ELSE last END, "
                "last_step = max(last_step, excluded.last_step), "
                "min = CASE WHEN excluded.min < min THEN excluded.min ELSE min END, "
                "min_step = CASE WHEN excluded.min < min THEN excluded.min_step ELSE min_step END, "
                "max = CASE WHEN excluded.max > max THEN excluded.max ELSE max END, "
                "max_step = CASE WHEN excluded.max > max THEN excluded.max_step ELSE max_step END",
                path_);
  for (const auto& p : points) {
    if (!std::isfinite(p.value)) continue;  // NaN/inf cannot be stored in a REAL NOT NULL column meaningfully
    const auto key = metricKeyId(p.key);
    m.bind(1, run).bind(2, key).bind(3, p.step).bind(4, p.epoch).bind(5, p.wallMs).bind(6, p.value).run();
    sum.bind(1, run).bind(2, key).bind(3, p.value).bind(4, p.step).run();
  }
  Statement hb(db_.get(), std::string("UPDATE run SET heartbeat = ") + kUnixNow + " WHERE id = ?", path_);
  hb.bind(1, run).run();
  tx.commit();
}

void RunStore::logLayerStats(std::int64_t run, const std::vector<LayerStatRow>& rows) {
  if (rows.empty()) return;
  Lock lock(mutex_);
  Transaction tx(db_.get(), path_);
  Statement s(db_.get(),
              "INSERT OR REPLACE INTO layer_stat(run_id, step, epoch, layer, tensor, branch, numel, frac_neg, "
              "frac_zero, frac_pos, entropy, thresholds, scales, gamma) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
              path_);
  for (const auto& r : rows) {
    s.bind(1, run).bind(2, r.step).bind(3, r.epoch).bind(4, r.layer).bind(5, r.tensor).bind(6, r.branch);
    s.bind(7, r.numel).bind(8, r.fracNeg).bind(9, r.fracZero).bind(10, r.fracPos).bind(11, r.entropy);
    s.bind(12, jsonArray(r.thresholds)).bind(13, jsonArray(r.scales));
    if (r.gamma && std::isfinite(*r.gamma)) s.bind(14, *r.gamma); else s.bindNull(14);
    s.run();
  }
  tx.commit();
}

void RunStore::addArtefact(std::int64_t run, const Artefact& a) {
  Lock lock(mutex_);
  Statement s(db_.get(),
              "INSERT OR REPLACE INTO artefact(run_id, kind, path, bytes, sha256, step, epoch) VALUES (?,?,?,?,?,?,?)", path_);
  s.bind(1, run).bind(2, a.kind).bind(3, a.path).bind(4, a.bytes).bind(5, a.sha256).bind(6, a.step);
  s.bind(7, static_cast<std::int64_t>(a.epoch)).run();
}

int RunStore::markStaleRunsInterrupted(double maxAgeSeconds) {
  if (readOnly_) return 0;  // shown as recorded; whoever may write the store marks them
  Lock lock(mutex_);
  Statement sel(db_.get(), std::string("SELECT id, coalesce(pid,0), ") + kUnixNow +
                               " - coalesce(heartbeat,0) FROM run WHERE status = '" + runStatusName(RunStatus::Running) + "'",
                path_);
  std::vector<std::int64_t> dead;
  while (sel.step()) {
    const auto pid = sel.integer(1);
    const double age = sel.real(2);
    // A run whose process no longer exists on this host cannot be running, whatever its heartbeat.
    const bool gone = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
    if (age > maxAgeSeconds || gone) dead.push_back(sel.integer(0));
  }
  sel.reset();
  for (auto id : dead) setStatus(id, RunStatus::Interrupted, "the training process stopped without recording an end");
  return static_cast<int>(dead.size());
}

void RunStore::setLifecycle(std::int64_t run, const std::string& lifecycle) {
  writeRow("UPDATE run SET lifecycle = ?2 WHERE id = ?1", run, &lifecycle);
}

void RunStore::deleteRunPermanently(std::int64_t run) { writeRow("DELETE FROM run WHERE id = ?1", run); }

void RunStore::addTag(std::int64_t run, const std::string& tag, const std::string& color) {
  Lock lock(mutex_);
  Transaction tx(db_.get(), path_);
  Statement t(db_.get(), "INSERT INTO tag(name, color) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET color = "
                         "CASE WHEN excluded.color = '' THEN color ELSE excluded.color END",
              path_);
  t.bind(1, tag).bind(2, color.empty() ? std::string("#3a7bd5") : color).run();
  Statement rt(db_.get(), "INSERT OR IGNORE INTO run_tag(run_id, tag_id) SELECT ?, id FROM tag WHERE name = ?", path_);
  rt.bind(1, run).bind(2, tag).run();
  tx.commit();
}

void RunStore::removeTag(std::int64_t run, const std::string& tag) {
  writeRow("DELETE FROM run_tag WHERE run_id = ?1 AND tag_id = (SELECT id FROM tag WHERE name = ?2)", run, &tag);
}

template <typename Row, typename Read>
std::vector<Row> RunStore::rowsOf(const std::string& sql, std::int64_t run, const std::string* key, Read read) {
  Lock lock(mutex_);
  Statement s(db_.get(), sql, path_);
  s.bind(1, run);
  if (key) s.bind(2, *key);
  std::vector<Row> out;
  while (s.step()) out.push_back(read(s));
  return out;
}

namespace {
std::string firstText(Statement& s) { return s.text(0); }
}  // namespace

std::vector<std::string> RunStore::tags(std::int64_t run) {
  return rowsOf<std::string>(
      "SELECT t.name FROM run_tag rt JOIN tag t ON t.id = rt.tag_id WHERE rt.run_id = ? ORDER BY t.name", run, nullptr,
      firstText);
}

std::map<std::string, std::string> RunStore::tagColors() {
  Lock lock(mutex_);
  Statement s(db_.get(), "SELECT name, color FROM tag", path_);
  std::map<std::string, std::string> out;
  while (s.step()) out[s.text(0)] = s.text(1);
  return out;
}

void RunStore::copyRecords(std::int64_t from, std::int64_t to) {
  Lock lock(mutex_);
  Transaction tx(db_.get(), path_);
  for (const char* sql :
       {"INSERT OR REPLACE INTO metric(run_id, key_id, step, epoch, wall_ms, value) "
        "SELECT ?1, key_id, step, epoch, wall_ms, value FROM metric WHERE run_id = ?2",
        "INSERT OR REPLACE INTO metric_summary(run_id, key_id, last, last_step, min, min_step, max, max_step) "
        "SELECT ?1, key_id, last, last_step, min, min_step, max, max_step FROM metric_summary WHERE run_id = ?2",
        "INSERT OR REPLACE INTO layer_stat(run_id, step, epoch, layer, tensor, branch, numel, frac_neg, frac_zero, "
        "frac_pos, entropy, thresholds, scales, gamma) SELECT ?1, step, epoch, layer, tensor, branch, numel, frac_neg, "
        "frac_zero, frac_pos, entropy, thresholds, scales, gamma FROM layer_stat WHERE run_id = ?2",
        "INSERT OR IGNORE INTO artefact(run_id, kind, path, bytes, sha256, step, epoch) "
        "SELECT ?1, kind, path, bytes, sha256, step, epoch FROM artefact WHERE run_id = ?2 ORDER BY id"}) {
    Statement s(db_.get(), sql, path_);
    s.bind(1, to).bind(2, from).run();
  }
  tx.commit();
}

void RunStore::setNote(std::int64_t run, const std::string& text) {
  writeRow("INSERT OR REPLACE INTO note(run_id, text) VALUES (?1, ?2)", run, &text);
}

std::string RunStore::note(std::int64_t run) {
  Lock lock(mutex_);
  Statement s(db_.get(), "SELECT text FROM note WHERE run_id = ?", path_);
  s.bind(1, run);
  return s.step() ? s.text(0) : std::string();
}

RunRecord RunStore::readRun(Statement& s) {
  RunRecord r;
  r.id = s.integer(0);
  r.uuid = s.text(1);
  if (!s.isNull(2)) r.parentId = s.integer(2);
  r.stage = s.text(3);
  r.name = s.text(4);
  r.kind = s.text(5);
  const auto status = parseRunStatus(s.text(6));
  if (!status) throw StoreError(path_ + ": run " + std::to_string(r.id) + ": unknown run.status '" + s.text(6) + "'");
  r.status = *status;
  r.lifecycle = s.text(7);
  r.config = s.text(8);
  r.configHash = s.text(9);
  r.seed = static_cast<std::uint64_t>(s.integer(10));
  r.created = s.text(11);
  r.started = s.text(12);
  r.ended = s.text(13);
  r.heartbeat = s.real(14);
  r.version = s.text(15);
  r.gitCommit = s.text(16);
  r.error = s.text(17);
  r.seedGroup = s.text(18);
  return r;
}

std::vector<RunRecord> RunStore::listRuns(const RunFilter& f) {
  Lock lock(mutex_);
  std::string sql = std::string("SELECT ") + kRunColumns + " FROM run WHERE 1=1";
  if (f.onlyDeleted) {
    sql += " AND lifecycle = 'deleted'";
  } else {
    if (!f.includeArchived) sql += " AND lifecycle <> 'archived'";
    if (!f.includeDeleted) sql += " AND lifecycle <> 'deleted'";
  }
  if (f.topLevelOnly) sql += " AND parent_id IS NULL";
  if (!f.text.empty()) sql += " AND name LIKE '%' || ?1 || '%'";
  if (f.status) sql += " AND status = ?2";
  if (!f.tag.empty())
    sql += " AND id IN (SELECT rt.run_id FROM run_tag rt JOIN tag t ON t.id = rt.tag_id WHERE t.name = ?3)";
  if (!f.seedGroup.empty()) sql += " AND seed_group = ?4";
  sql += " ORDER BY id";
  Statement s(db_.get(), sql, path_);
  if (!f.text.empty()) s.bind(1, f.text);
  if (f.status) s.bind(2, std::string(runStatusName(*f.status)));
  if (!f.tag.empty()) s.bind(3, f.tag);
  if (!f.seedGroup.empty()) s.bind(4, f.seedGroup);
  std::vector<RunRecord> out;
  while (s.step()) out.push_back(readRun(s));
  return out;
}

std::optional<RunRecord> RunStore::run(std::int64_t id) {
  Lock lock(mutex_);
  Statement s(db_.get(), std::string("SELECT ") + kRunColumns + " FROM run WHERE id = ?", path_);
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return readRun(s);
}

std::vector<std::int64_t> RunStore::children(std::int64_t id) {
  return rowsOf<std::int64_t>("SELECT id FROM run WHERE parent_id = ? ORDER BY id", id, nullptr,
                              [](Statement& s) { return s.integer(0); });
}

std::vector<MetricPoint> RunStore::metrics(std::int64_t run, const std::string& key) {
  return rowsOf<MetricPoint>(
      "SELECT k.name, m.step, m.epoch, m.wall_ms, m.value FROM metric m JOIN metric_key k ON k.id = m.key_id "
      "WHERE m.run_id = ?1 AND (?2 = '' OR k.name = ?2) ORDER BY k.name, m.step",
      run, &key, [](Statement& s) {
        return MetricPoint{s.text(0), s.integer(1), static_cast<int>(s.integer(2)), s.real(3), s.real(4)};
      });
}

std::vector<std::string> RunStore::metricKeys(std::int64_t run) {
  return rowsOf<std::string>(
      "SELECT k.name FROM metric_summary ms JOIN metric_key k ON k.id = ms.key_id WHERE ms.run_id = ? ORDER BY k.name",
      run, nullptr, firstText);
}

namespace {
const char* kSummarySelect =
    "SELECT ms.run_id, k.name, ms.last, ms.last_step, ms.min, ms.min_step, ms.max, ms.max_step "
    "FROM metric_summary ms JOIN metric_key k ON k.id = ms.key_id";
MetricSummary readSummary(Statement& s) {
  MetricSummary m;
  m.key = s.text(1);
  m.last = s.real(2);
  m.lastStep = s.integer(3);
  m.min = s.real(4);
  m.minStep = s.integer(5);
  m.max = s.real(6);
  m.maxStep = s.integer(7);
  return m;
}
}  // namespace

std::vector<MetricSummary> RunStore::summaries(std::int64_t run) {
  return rowsOf<MetricSummary>(std::string(kSummarySelect) + " WHERE ms.run_id = ? ORDER BY k.name", run, nullptr,
                               readSummary);
}

std::map<std::int64_t, std::map<std::string, MetricSummary>> RunStore::allSummaries() {
  Lock lock(mutex_);
  Statement s(db_.get(), kSummarySelect, path_);
  std::map<std::int64_t, std::map<std::string, MetricSummary>> out;
  while (s.step()) {
    auto m = readSummary(s);
    out[s.integer(0)][m.key] = m;
  }
  return out;
}

namespace {
LayerStatRow readLayerStat(Statement& s) {
  LayerStatRow r;
  r.step = s.integer(0);
  r.epoch = static_cast<int>(s.integer(1));
  r.layer = s.text(2);
  r.tensor = s.text(3);
  r.branch = static_cast<int>(s.integer(4));
  r.numel = s.integer(5);
  r.fracNeg = s.real(6);
  r.fracZero = s.real(7);
  r.fracPos = s.real(8);
  r.entropy = s.real(9);
  r.thresholds = parseArray(s.text(10));
  r.scales = parseArray(s.text(11));
  if (!s.isNull(12)) r.gamma = s.real(12);
  return r;
}
}  // namespace

std::vector<LayerStatRow> RunStore::layerStats(std::int64_t run) {
  return rowsOf<LayerStatRow>(
      "SELECT step, epoch, layer, tensor, branch, numel, frac_neg, frac_zero, frac_pos, entropy, thresholds, "
      "scales, gamma FROM layer_stat WHERE run_id = ? ORDER BY step, rowid",
      run, nullptr, readLayerStat);
}

std::vector<Artefact> RunStore::artefacts(std::int64_t run, const std::string& kind) {
  return rowsOf<Artefact>(
      "SELECT kind, path, bytes, sha256, step, epoch FROM artefact WHERE run_id = ?1 AND (?2 = '' OR kind = ?2) ORDER BY id",
      run, &kind, [](Statement& s) {
        return Artefact{s.text(0), s.text(1), s.integer(2), s.text(3), s.integer(4), static_cast<int>(s.integer(5))};
      });
}

std::map<std::int64_t, int> RunStore::worldSizes() {
  Lock lock(mutex_);
  Statement s(db_.get(), "SELECT run_id, num FROM param WHERE key = 'distributed.world_size' AND num IS NOT NULL", path_);
  std::map<std::int64_t, int> out;
  while (s.step()) out[s.integer(0)] = static_cast<int>(s.real(1));
  return out;
}

std::map<std::string, std::string> RunStore::params(std::int64_t run) {
  Lock lock(mutex_);
  Statement s(db_.get(), "SELECT key, value FROM param WHERE run_id = ?", path_);
  s.bind(1, run);
  std::map<std::string, std::string> out;
  while (s.step()) out[s.text(0)] = s.text(1);
  return out;
}

}  // namespace ternlab::store
