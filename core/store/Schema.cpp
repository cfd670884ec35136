#include "store/Schema.h"

#include "config/SeedGroup.h"
#include "store/Sqlite.h"

namespace ternlab::store {

namespace {

// Version 1: runs, params, tags, notes, metrics (+ summary), per-layer stats, artefacts.
const char* kSchemaV1 = R"SQL(
CREATE TABLE run (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  parent_id INTEGER REFERENCES run(id) ON DELETE CASCADE,
  stage TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'train',
  status TEXT NOT NULL CHECK (status IN ('queued','running','finished','failed','cancelled','interrupted')),
  lifecycle TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle IN ('active','archived','deleted')),
  config TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  seed INTEGER NOT NULL,
  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  started TEXT,
  ended TEXT,
  heartbeat REAL,
  pid INTEGER,
  version TEXT NOT NULL,
  git_commit TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX run_parent ON run(parent_id);
CREATE TABLE param (
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  num REAL,
  PRIMARY KEY (run_id, key)
) STRICT;
CREATE TABLE tag (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  color TEXT NOT NULL DEFAULT '#3a7bd5'
) STRICT;
CREATE TABLE run_tag (
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tag(id) ON DELETE CASCADE,
  PRIMARY KEY (run_id, tag_id)
) STRICT;
CREATE TABLE note (
  run_id INTEGER PRIMARY KEY REFERENCES run(id) ON DELETE CASCADE,
  text TEXT NOT NULL
) STRICT;
CREATE TABLE metric_key (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;
CREATE TABLE metric (
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  key_id INTEGER NOT NULL REFERENCES metric_key(id),
  step INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  wall_ms REAL NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (run_id, key_id, step)
) STRICT, WITHOUT ROWID;
CREATE TABLE metric_summary (
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  key_id INTEGER NOT NULL REFERENCES metric_key(id),
  last REAL NOT NULL, last_step INTEGER NOT NULL,
  min REAL NOT NULL, min_step INTEGER NOT NULL,
  max REAL NOT NULL, max_step INTEGER NOT NULL,
  PRIMARY KEY (run_id, key_id)
) STRICT;
CREATE TABLE layer_stat (
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  layer TEXT NOT NULL,
  tensor TEXT NOT NULL DEFAULT 'weight',
  branch INTEGER NOT NULL DEFAULT 0,
  numel INTEGER NOT NULL,
  frac_neg REAL NOT NULL,
  frac_zero REAL NOT NULL,
  frac_pos REAL NOT NULL,
  entropy REAL NOT NULL,
  thresholds TEXT NOT NULL DEFAULT '[]',
  scales TEXT NOT NULL DEFAULT '[]',
  gamma REAL,
  PRIMARY KEY (run_id, step, layer, tensor, branch)
) STRICT;
CREATE TABLE artefact (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL DEFAULT '',
  step INTEGER NOT NULL DEFAULT 0,
  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (run_id, kind, path)
) STRICT;
CREATE TABLE schema_version (
  version INTEGER NOT NULL,
  applied TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
) STRICT;
INSERT INTO schema_version(version) VALUES (1);
)SQL";

}  // namespace

namespace {

int userVersion(sqlite3* db, const std::string& dbPath) {
  Statement v(db, "PRAGMA user_version", dbPath);
  v.step();
  const int version = static_cast<int>(v.integer(0));
  v.reset();
  return version;
}

// Version 2: every run carries its seed group (config::seedGroupKey), so repeated seeds of one
// experiment are found by one indexed column; existing runs get theirs from their stored config.
void addSeedGroups(sqlite3* db, const std::string& dbPath) {
  exec(db, "ALTER TABLE run ADD COLUMN seed_group TEXT NOT NULL DEFAULT ''; CREATE INDEX run_seed_group ON run(seed_group);",
       dbPath);
  Statement all(db, "SELECT id, config FROM run", dbPath);
  Statement set(db, "UPDATE run SET seed_group = ? WHERE id = ?", dbPath);
  while (all.step()) set.bind(1, config::seedGroupKey(all.text(1))).bind(2, all.integer(0)).run();
}

// Version 3: a checkpoint artefact records the epoch it ends, so a resume point is read from the store, not
// from the file's name; existing per-epoch checkpoints (named epoch-NNN.pt) get theirs from that name once.
void addArtefactEpochs(sqlite3* db, const std::string& dbPath) {
  exec(db,
       "ALTER TABLE artefact ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0; "
       "UPDATE artefact SET epoch = CAST(substr(path, -6, 3) AS INTEGER) "
       "WHERE kind = 'checkpoint' AND path GLOB '*epoch-[0-9][0-9][0-9].pt';",
       dbPath);
}

}  // namespace

void refuseForeignDatabase(sqlite3* db, const std::string& dbPath) {
  // One statement, so the version and the table count come from one snapshot: read separately, another
  // process could create the schema in between and its fresh store would look foreign.
  Statement probe(db,
                  "SELECT (SELECT user_version FROM pragma_user_version), "
                  "(SELECT count(*) FROM sqlite_master WHERE type='table')",
                  dbPath);
  probe.step();
  const bool foreign = probe.integer(0) == 0 && probe.integer(1) > 0;
  probe.reset();
  if (foreign)
    throw StoreError(dbPath + ": not a TernLab run database (it has tables but no TernLab schema version); nothing was changed");
}

void requireCurrentSchema(sqlite3* db, const std::string& dbPath) {
  const int version = userVersion(db, dbPath);
  if (version == kSchemaVersion) return;
  if (version == 0)  // an empty file: nothing to list
    throw StoreError(dbPath + ": is read-only and holds no TernLab runs");
  throw StoreError(dbPath + ": is read-only and has schema version " + std::to_string(version) + ", this TernLab reads " +
                   std::to_string(kSchemaVersion) + (version < kSchemaVersion ? " (open it writable once to migrate)" : ""));
}

void migrate(sqlite3* db, const std::string& dbPath) {
  auto refuseNewer = [&](int version) {
    if (version > kSchemaVersion)
      throw StoreError(dbPath + ": database schema version " + std::to_string(version) +
                       " is newer than this TernLab (" + std::to_string(kSchemaVersion) + "); nothing was changed");
  };
  int version = userVersion(db, dbPath);
  refuseNewer(version);
  if (version == kSchemaVersion) return;
  // Read the version again under the write lock: another process may have created or migrated the
  // schema between the first read and this transaction.
  Transaction tx(db, dbPath);
  version = userVersion(db, dbPath);
  refuseNewer(version);
  if (version == kSchemaVersion) return;
  if (version < 1) {
    refuseForeignDatabase(db, dbPath);  // again under the lock: a non-empty file without our version is not ours
    exec(db, kSchemaV1, dbPath);
  }
  if (version < 2) addSeedGroups(db, dbPath);
  if (version < 3) addArtefactEpochs(db, dbPath);
  exec(db, "PRAGMA user_version = " + std::to_string(kSchemaVersion), dbPath);
  exec(db, "INSERT INTO schema_version(version) VALUES (" + std::to_string(kSchemaVersion) + ")", dbPath);
  tx.commit();
}

}  // namespace ternlab::store
