#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ternlab::config {

// Walks one JSON object, typing and range-checking its keys and rejecting the ones nobody asked for.
class JsonCursor {
 public:
  JsonCursor(const nlohmann::json& obj, std::string path, std::string file);

  double number(const std::string& key, double def, double min, double max);
  std::int64_t integer(const std::string& key, std::int64_t def, std::int64_t min, std::int64_t max);
  bool boolean(const std::string& key, bool def);
  std::string text(const std::string& key, const std::string& def, const std::vector<std::string>& allowed = {});
  std::vector<double> numbers(const std::string& key, double min, double max);
  std::vector<int> integers(const std::string& key, int min, int max);
  std::optional<JsonCursor> object(const std::string& key);
  const nlohmann::json* raw(const std::string& key);  // marks key as known, no type check
  // Keys of this object, in order (for maps such as per-layer overrides).
  std::vector<std::string> keys() const;
  // Throws for the first key that no accessor asked about.
  void rejectUnknown() const;
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  // e as an integer in [min, max], or a failure naming key and the number as written.
  std::int64_t checkedInteger(const nlohmann::json& e, const std::string& key, std::int64_t min, std::int64_t max) const;
  std::string pathOf(const std::string& key) const;
  const std::string& file() const { return file_; }

 private:
  const nlohmann::json* find(const std::string& key);
  const nlohmann::json& obj_;
  std::string path_;
  std::string file_;
  std::set<std::string> known_;
};

}  // namespace ternlab::config
