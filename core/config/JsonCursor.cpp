#include "config/JsonCursor.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "config/ConfigError.h"

namespace ternlab::config {

namespace {
std::string typeName(const nlohmann::json& j) { return j.type_name(); }
std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace

JsonCursor::JsonCursor(const nlohmann::json& obj, std::string path, std::string file)
    : obj_(obj), path_(std::move(path)), file_(std::move(file)) {
  if (!obj_.is_object()) throw ConfigError(file_, path_, "expected an object, got " + typeName(obj_));
}

std::string JsonCursor::pathOf(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void JsonCursor::fail(const std::string& key, const std::string& what) const {
  throw ConfigError(file_, pathOf(key), what);
}

const nlohmann::json* JsonCursor::find(const std::string& key) {
  known_.insert(key);
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

const nlohmann::json* JsonCursor::raw(const std::string& key) { return find(key); }

double JsonCursor::number(const std::string& key, double def, double min, double max) {
  const auto* j = find(key);
  if (!j) return def;
  if (!j->is_number()) fail(key, "expected a number, got " + typeName(*j));
  const double v = j->get<double>();
  if (!std::isfinite(v) || v < min || v > max)
    fail(key, "value " + fmt(v) + " is out of range [" + fmt(min) + ", " + fmt(max) + "]");
  return v;
}

std::int64_t JsonCursor::checkedInteger(const nlohmann::json& e, const std::string& key, std::int64_t min,
                                        std::int64_t max) const {
  if (!e.is_number_integer()) fail(key, "expected an integer, got " + typeName(e));
  const auto range = " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  // Above 2^63 − 1 a JSON integer is read as unsigned: report the number that was written, not its wrap-around.
  if (e.is_number_unsigned() && e.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    fail(key, "value " + std::to_string(e.get<std::uint64_t>()) + range);
  const auto v = e.get<std::int64_t>();
  if (v < min || v > max) fail(key, "value " + std::to_string(v) + range);
  return v;
}

std::int64_t JsonCursor::integer(const std::string& key, std::int64_t def, std::int64_t min, std::int64_t max) {
  const auto* j = find(key);
  if (!j) return def;
  return checkedInteger(*j, key, min, max);
}

bool JsonCursor::boolean(const std::string& key, bool def) {
  const auto* j = find(key);
  if (!j) return def;
  if (!j->is_boolean()) fail(key, "expected true or false, got " + typeName(*j));
  return j->get<bool>();
}

std::string JsonCursor::text(const std::string& key, const std::string& def, const std::vector<std::string>& allowed) {
  const auto* j = find(key);
  if (!j) return def;
  if (!j->is_string()) fail(key, "expected a string, got " + typeName(*j));
  auto v = j->get<std::string>();
  if (!allowed.empty()) {
    bool ok = false;
    std::string list;
    for (const auto& a : allowed) {
      ok = ok || a == v;
      list += (list.empty() ? "" : ", ") + a;
    }
    if (!ok) fail(key, "unknown value '" + v + "' (expected one of: " + list + ")");
  }
  return v;
}

std::vector<double> JsonCursor::numbers(const std::string& key, double min, double max) {
  const auto* j = find(key);
  if (!j) return {};
  if (!j->is_array()) fail(key, "expected an array of numbers, got " + typeName(*j));
  std::vector<double> out;
  for (std::size_t i = 0; i < j->size(); ++i) {
    const auto& e = (*j)[i];
    const std::string k = key + "[" + std::to_string(i) + "]";
    if (!e.is_number()) fail(k, "expected a number, got " + typeName(e));
    const double v = e.get<double>();
    if (!std::isfinite(v) || v < min || v > max)
      fail(k, "value " + fmt(v) + " is out of range [" + fmt(min) + ", " + fmt(max) + "]");
    out.push_back(v);
  }
  return out;
}

std::vector<int> JsonCursor::integers(const std::string& key, int min, int max) {
  const auto* j = find(key);
  if (!j) return {};
  if (!j->is_array()) fail(key, "expected an array of integers, got " + typeName(*j));
  std::vector<int> out;
  for (std::size_t i = 0; i < j->size(); ++i) {
    const auto& e = (*j)[i];
    const std::string k = key + "[" + std::to_string(i) + "]";
    out.push_back(static_cast<int>(checkedInteger(e, k, min, max)));
  }
  return out;
}

std::optional<JsonCursor> JsonCursor::object(const std::string& key) {
  const auto* j = find(key);
  if (!j) return std::nullopt;
  if (!j->is_object()) fail(key, "expected an object, got " + typeName(*j));
  return JsonCursor(*j, pathOf(key), file_);
}

std::vector<std::string> JsonCursor::keys() const {
  std::vector<std::string> out;
  for (auto it = obj_.begin(); it != obj_.end(); ++it) out.push_back(it.key());
  return out;
}

void JsonCursor::rejectUnknown() const {
  for (auto it = obj_.begin(); it != obj_.end(); ++it)
    if (!known_.count(it.key())) throw ConfigError(file_, pathOf(it.key()), "unknown key");
}

}  // namespace ternlab::config
