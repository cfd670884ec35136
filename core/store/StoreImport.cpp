// RunStore::importRuns: merges another machine's store into this one (sweeps sharded over machines end in one
// store). Runs are matched by uuid, so importing twice copies nothing twice; ids are new here, and every row
// that names a run, a tag or a metric key is remapped by name or by the id map.
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "io/RegularFile.h"
#include "store/RunStore.h"
#include "store/Schema.h"

namespace ternlab::store {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSource = "import_source";

// ATTACHes the source store read-only for the lifetime of the object (ATTACH and DETACH cannot run inside a
// transaction, so this outlives the import's transaction).
class Attachment {
 public:
  Attachment(sqlite3* db, const std::string& source, const std::string& label) : db_(db), label_(label) {
    std::error_code ec;
    const bool hasWal = fs::exists(source + "-wal", ec);
    Statement attach(db, std::string("ATTACH DATABASE ?1 AS ") + kSource, label);
    attach.bind(1, fileUri(source, hasWal ? "?mode=ro" : "?immutable=1")).run();
  }
  ~Attachment() {
    try {
      exec(db_, std::string("DETACH DATABASE ") + kSource, label_);
    } catch (const StoreError&) {
    }
  }
  Attachment(const Attachment&) = delete;
  Attachment& operator=(const Attachment&) = delete;

 private:
  sqlite3* db_;
  std::string label_;
};

std::vector<std::string> columns(sqlite3* db, const std::string& schema, const std::string& table, const std::string& label) {
  Statement s(db, "SELECT name FROM pragma_table_info(?1, ?2) ORDER BY cid", label);
  s.bind(1, table).bind(2, schema);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
  return out;
}

// The tables whose rows belong to a run, copied with the run.
const std::vector<std::string> kRunTables = {"param", "note", "run_tag", "metric", "metric_summary", "layer_stat", "artefact"};

// The source must be a TernLab store at this schema, table for table.
void requireSameSchema(sqlite3* db, const std::string& source, const std::string& label) {
  Statement v(db, std::string("PRAGMA ") + kSource + ".user_version", label);
  v.step();
  const int version = static_cast<int>(v.integer(0));
  v.reset();
  if (version == 0) throw StoreError(source + ": not a TernLab run database (no TernLab schema version); nothing was imported");
  if (version != kSchemaVersion)
    throw StoreError(source + ": has schema version " + std::to_string(version) + ", this TernLab imports version " +
                     std::to_string(kSchemaVersion) +
                     (version < kSchemaVersion ? " (open it once with `ternlab-cli runs --db FILE` to migrate it)" : "") +
                     "; nothing was imported");
  std::vector<std::string> tables = kRunTables;
  tables.insert(tables.end(), {"run", "tag", "metric_key"});
  for (const auto& t : tables) {
    const auto here = columns(db, "main", t, label), there = columns(db, kSource, t, label);
    if (here != there)
      throw StoreError(source + ": table " + t + " has columns (" + joined(there) + "), expected (" + joined(here) +
                       "); nothing was imported");
  }
}

// INSERT INTO main.<table> … SELECT … FROM the source's rows of the imported runs, with `replace` giving the
// expression of a remapped column and `joins` what those expressions read.
void copyRunRows(sqlite3* db, const std::string& table, const std::map<std::string, std::string>& replace,
                 const std::string& joins, const std::string& label) {
  std::vector<std::string> cols, exprs;
  for (const auto& c : columns(db, "main", table, label)) {
    if (c == "id") continue;  // a row id of its own here
    cols.push_back(c);
    const auto it = replace.find(c);
    exprs.push_back(it != replace.end() ? it->second : "x." + c);
  }
  exec(db,
       "INSERT INTO main." + table + " (" + joined(cols) + ") SELECT " + joined(exprs) + " FROM " + kSource + "." + table +
           " x JOIN temp.import_map m ON x.run_id = m.old " + joins,
       label);
}

bool allDigits(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!std::isdigit(c)) return false;
  return true;
}

}  // namespace

ImportReport RunStore::importRuns(const std::string& source) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  const std::string label = source + " (importing into " + path_ + ")";
  if (readOnly_) throw StoreError(path_ + ": is read-only; nothing was imported");
  std::error_code ec;
  if (!fs::exists(source, ec)) throw StoreError(source + ": no such run database; nothing was imported");
  if (const auto kind = io::nonRegularKind(source); !kind.empty())
    throw StoreError(source + ": is " + kind + ", expected a run database file; nothing was imported");
  if (fs::equivalent(source, path_, ec)) throw StoreError(source + ": is the store it would be imported into");

  sqlite3* db = db_.get();
  std::optional<Attachment> attached;
  try {
    attached.emplace(db, source, label);
    requireSameSchema(db, source, label);
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    if (msg.find("file is not a database") != std::string::npos)
      throw StoreError(source + ": not a TernLab run database (file is not an SQLite database); nothing was imported");
    throw;
  }

  ImportReport report;
  Transaction tx(db, label);
  exec(db, "DROP TABLE IF EXISTS temp.import_map; CREATE TEMP TABLE import_map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)",
       label);
  // Every run with the status of its pipeline's top-level run: a pipeline still running (or queued) on the other
  // machine is left out whole, since its record there is not final.
  Statement runs(db,
                 std::string("WITH RECURSIVE top(id, root) AS (SELECT id, id FROM ") + kSource +
                     ".run WHERE parent_id IS NULL UNION ALL SELECT r.id, top.root FROM " + kSource +
                     ".run r JOIN top ON r.parent_id = top.id) "
                     "SELECT r.id, r.parent_id, (SELECT status FROM " + kSource + ".run WHERE id = top.root), "
                     "(SELECT id FROM main.run m WHERE m.uuid = r.uuid) "
                     "FROM " + kSource + ".run r JOIN top ON top.id = r.id ORDER BY r.id",
                 label);
  std::vector<std::string> runColumns;
  for (const auto& c : columns(db, "main", "run", label))
    if (c != "id" && c != "parent_id") runColumns.push_back(c);
  Statement insertRun(db,
                      "INSERT INTO main.run (" + joined(runColumns) + ") SELECT " + joined(runColumns) + " FROM " +
                          kSource + ".run WHERE id = ?1",
                      label);
  Statement mapRun(db, "INSERT INTO temp.import_map (old, new) VALUES (?1, ?2)", label);
  std::map<std::int64_t, std::int64_t> here;  // source id → id in this store (copied now or already present)
  std::map<std::int64_t, std::int64_t> parentOf;
  std::int64_t seen = 0;
  while (runs.step()) {
    ++seen;
    const std::int64_t old = runs.integer(0);
    if (!runs.isNull(3)) {
      here[old] = runs.integer(3);
      ++report.alreadyPresent;
      continue;
    }
    const auto topStatus = parseRunStatus(runs.text(2));
    if (!topStatus || !runEnded(*topStatus)) {
      ++report.notEnded;
      continue;
    }
    insertRun.bind(1, old).run();
    const std::int64_t id = sqlite3_last_insert_rowid(db);
    mapRun.bind(1, old).bind(2, id).run();
    here[old] = id;
    report.ids[old] = id;
    if (!runs.isNull(1)) parentOf[id] = runs.integer(1);
  }
  runs.reset();
  {
    Statement total(db, std::string("SELECT count(*) FROM ") + kSource + ".run", label);
    total.step();
    report.unreachable = total.integer(0) - seen;  // runs whose parent chain does not reach a top-level run
    total.reset();
  }
  Statement setParent(db, "UPDATE main.run SET parent_id = ?1 WHERE id = ?2", label);
  for (const auto& [id, oldParent] : parentOf) setParent.bind(1, here.at(oldParent)).bind(2, id).run();

  // A distillation teacher named by run id names the run's id here.
  Statement readConfig(db, "SELECT config FROM main.run WHERE id = ?1", label);
  Statement writeConfig(db, "UPDATE main.run SET config = ?1 WHERE id = ?2", label);
  for (const auto& [old, id] : report.ids) {
    readConfig.bind(1, id);
    readConfig.step();
    const std::string text = readConfig.text(0);
    readConfig.reset();
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object() || !doc.contains("distill") || !doc["distill"].is_object()) continue;
    auto& teacher = doc["distill"]["teacher"];
    if (!teacher.is_string() || !allDigits(teacher.get<std::string>())) continue;
    const auto it = here.find(std::stoll(teacher.get<std::string>()));
    if (it == here.end()) continue;
    teacher = std::to_string(it->second);
    writeConfig.bind(1, doc.dump()).bind(2, id).run();
  }

  // Rows that belong to the copied runs. Tags and metric keys are matched by name (created here when new).
  exec(db, std::string("INSERT OR IGNORE INTO main.tag (name, color) SELECT name, color FROM ") + kSource + ".tag", label);
  exec(db, std::string("INSERT OR IGNORE INTO main.metric_key (name) SELECT name FROM ") + kSource + ".metric_key", label);
  const std::string byKey = std::string("JOIN ") + kSource +
                            ".metric_key sk ON sk.id = x.key_id JOIN main.metric_key mk ON mk.name = sk.name";
  for (const auto& table : kRunTables) {
    std::map<std::string, std::string> replace{{"run_id", "m.new"}};
    std::string joins;
    if (table == "run_tag") {
      replace["tag_id"] = "mt.id";
      joins = std::string("JOIN ") + kSource + ".tag st ON st.id = x.tag_id JOIN main.tag mt ON mt.name = st.name";
    } else if (table == "metric" || table == "metric_summary") {
      replace["key_id"] = "mk.id";
      joins = byKey;
    }
    copyRunRows(db, table, replace, joins, label);
  }
  exec(db, "DROP TABLE temp.import_map", label);
  tx.commit();
  return report;
}

}  // namespace ternlab::store
