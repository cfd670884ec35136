#include "ConfigDiff.h"

#include <set>

namespace ternlab::views {

QVector<ConfigDiffRow> diffConfigs(const std::vector<std::map<std::string, std::string>>& configs, bool all) {
  std::set<std::string> keys;
  for (const auto& c : configs)
    for (const auto& [k, v] : c) keys.insert(k);
  QVector<ConfigDiffRow> rows;
  for (const auto& k : keys) {
    ConfigDiffRow row;
    row.key = QString::fromStdString(k);
    for (const auto& c : configs) {
      auto it = c.find(k);
      row.values << (it == c.end() ? QStringLiteral("—") : QString::fromStdString(it->second));
    }
    for (const auto& v : std::as_const(row.values))
      if (v != row.values.front()) row.differs = true;
    if (all || row.differs) rows.push_back(row);
  }
  return rows;
}

}  // namespace ternlab::views
