#pragma once
#include <sqlite3.h>

#include <string>

namespace ternlab::store {

// The schema version this build writes (PRAGMA user_version).
inline constexpr int kSchemaVersion = 2;

// Creates or migrates the schema to kSchemaVersion; refuses databases from a newer TernLab.
void migrate(sqlite3* db, const std::string& dbPath);

}  // namespace ternlab::store
