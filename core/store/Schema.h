#pragma once
#include <sqlite3.h>

#include <string>

namespace ternlab::store {

// The schema version this build writes (PRAGMA user_version).
inline constexpr int kSchemaVersion = 3;

// Throws StoreError when the file is another program's SQLite database (tables, but no TernLab schema version);
// reads only, so the file is left byte for byte as it was.
void refuseForeignDatabase(sqlite3* db, const std::string& dbPath);

// For a store opened read-only: throws StoreError unless its schema is kSchemaVersion (it cannot migrate).
void requireCurrentSchema(sqlite3* db, const std::string& dbPath);

// Creates or migrates the schema to kSchemaVersion; refuses databases from a newer TernLab.
void migrate(sqlite3* db, const std::string& dbPath);

}  // namespace ternlab::store
