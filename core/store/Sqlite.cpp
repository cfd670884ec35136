#include "store/Sqlite.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

namespace ternlab::store {

namespace {
// SQLite's message, with the operating system's cause when the fault was an I/O error or a full disk
// ("disk I/O error (File too large)"), which is what a user can act on.
std::string systemCause(sqlite3* db) {
  const int code = sqlite3_errcode(db) & 0xff;
  const int sys = sqlite3_system_errno(db);
  if ((code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN) && sys != 0)
    return std::string(" (") + std::strerror(sys) + ")";
  return "";
}

std::string errorText(sqlite3* db) { return db ? sqlite3_errmsg(db) + systemCause(db) : "unknown error"; }

[[noreturn]] void raise(sqlite3* db, const std::string& dbPath, const std::string& what) {
  throw StoreError(dbPath + ": " + what + ": " + errorText(db));
}
}  // namespace

std::string fileUri(const std::string& path, const char* query) {
  std::string out = "file:";
  for (unsigned char c : std::filesystem::absolute(path).string()) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out + query;
}

Statement::Statement(sqlite3* db, const std::string& sql, const std::string& dbPath) : db_(db), dbPath_(dbPath) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) raise(db, dbPath, "cannot prepare SQL");
  stmt_.reset(s);
}

Statement& Statement::bind(int i, std::int64_t v) {
  if (sqlite3_bind_int64(stmt_.get(), i, v) != SQLITE_OK) raise(db_, dbPath_, "bind failed");
  return *this;
}
Statement& Statement::bind(int i, double v) {
  if (sqlite3_bind_double(stmt_.get(), i, v) != SQLITE_OK) raise(db_, dbPath_, "bind failed");
  return *this;
}
Statement& Statement::bind(int i, const std::string& v) {
  if (sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    raise(db_, dbPath_, "bind failed");
  return *this;
}
Statement& Statement::bindNull(int i) {
  if (sqlite3_bind_null(stmt_.get(), i) != SQLITE_OK) raise(db_, dbPath_, "bind failed");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string msg = errorText(db_);
  sqlite3_reset(stmt_.get());
  throw StoreError(dbPath_ + ": query failed: " + msg);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::integer(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
double Statement::real(int col) const { return sqlite3_column_double(stmt_.get(), col); }
bool Statement::isNull(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_.get(), col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)))
           : std::string();
}

void exec(sqlite3* db, const std::string& sql, const std::string& dbPath) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    msg += systemCause(db);
    throw StoreError(dbPath + ": " + msg);
  }
}

void enableWriteAheadLog(sqlite3* db, const std::string& dbPath, int timeoutMs) {
  Statement wal(db, "PRAGMA journal_mode = WAL", dbPath);
  for (int waitedMs = 0;; ) {
    try {
      wal.step();
      wal.reset();  // an open statement would keep a later transaction from committing
      return;
    } catch (const StoreError&) {
      if ((sqlite3_errcode(db) & 0xff) != SQLITE_BUSY || waitedMs >= timeoutMs) throw;
    }
    const int pauseMs = std::min(1 + waitedMs / 4, 50);  // short pauses first: the other opener is quick
    std::this_thread::sleep_for(std::chrono::milliseconds(pauseMs));
    waitedMs += pauseMs;
  }
}

Transaction::Transaction(sqlite3* db, const std::string& dbPath) : db_(db), dbPath_(dbPath) {
  exec(db_, "BEGIN IMMEDIATE", dbPath_);
}
Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}
void Transaction::commit() {
  exec(db_, "COMMIT", dbPath_);
  done_ = true;
}

}  // namespace ternlab::store
