#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace ternlab::store {

// Raised for any database fault; the message names the database file.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, SqliteCloser>;

// One prepared statement with typed binds and column reads; resets itself for reuse.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql, const std::string& dbPath);
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, const std::string& v);
  Statement& bind(int i, const char* v) { return bind(i, std::string(v)); }
  Statement& bindNull(int i);
  Statement& bind(int i, const std::optional<std::int64_t>& v) { return v ? bind(i, *v) : bindNull(i); }
  bool step();  // true while a row is available
  void run();   // step to completion and reset
  void reset();
  std::int64_t integer(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  bool isNull(int col) const;

 private:
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> stmt_;
  sqlite3* db_;
  std::string dbPath_;
};

// An SQLite URI (file:/abs/path + query) for path, %-escaping what a URI would read as syntax.
std::string fileUri(const std::string& path, const char* query);

// Runs SQL without results; throws StoreError naming the database on failure.
void exec(sqlite3* db, const std::string& sql, const std::string& dbPath);

// Switches the database to write-ahead logging. The switch needs the file to itself, and SQLite answers
// "database is locked" at once, without its busy handler, while another connection reads it (processes
// opening one new store together); the switch is retried until timeoutMs has passed.
void enableWriteAheadLog(sqlite3* db, const std::string& dbPath, int timeoutMs);

// BEGIN IMMEDIATE … COMMIT, rolled back if destroyed without commit().
class Transaction {
 public:
  Transaction(sqlite3* db, const std::string& dbPath);
  ~Transaction();
  void commit();

 private:
  sqlite3* db_;
  std::string dbPath_;
  bool done_ = false;
};

}  // namespace ternlab::store
