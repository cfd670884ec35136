#pragma once
#include <QString>
#include <QStringList>
#include <QVector>
#include <map>
#include <string>
#include <vector>

namespace ternlab::views {

// One flattened config key across the compared runs.
struct ConfigDiffRow {
  QString key;
  QStringList values;  // one per run, "—" where the run lacks the key
  bool differs = false;
};

// The keys of several flattened configs side by side; only those whose values differ unless all is set.
QVector<ConfigDiffRow> diffConfigs(const std::vector<std::map<std::string, std::string>>& configs, bool all = false);

}  // namespace ternlab::views
