#pragma once
#include <QVector>
#include <QWidget>
#include <map>
#include <memory>

#include "store/RunStore.h"

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QTableWidget;

namespace ternlab::views {

// Side by side view of 2–10 experiments: the config keys that differ, one curve per run for a chosen metric,
// and the final metrics; exportable as CSV and the plot as PNG or PDF. With "Group seeds" (on by default)
// the selected runs of one seed group form one series: its mean curve with a min–max band, its final
// metrics as mean ± 95 % CI, and its final test accuracy tested against the first series.
class CompareView : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kMaxRuns = 10;    // series (runs or seed groups) shown at once
  static constexpr int kMaxMembers = 200;  // runs read in all
  explicit CompareView(std::shared_ptr<store::RunStore> store, QWidget* parent = nullptr);

  void setRuns(const QVector<qint64>& ids);
  QVector<qint64> runs() const { return ids_; }
  // The series shown: each is one run, or the runs of one seed group.
  int seriesCount() const { return static_cast<int>(series_.size()); }
  QVector<qint64> seriesRuns(int i) const { return series_.at(i).ids; }
  void setGroupSeeds(bool on);
  QTableWidget* configTable() const { return configTable_; }
  QTableWidget* metricsTable() const { return metricsTable_; }
  QCustomPlot* plot() const { return plot_; }
  void setShowAllKeys(bool all);
  void setMetric(const QString& key);

  bool exportCsv(const QString& path, QString* error) const;
  // PNG or PDF by the file's suffix.
  bool exportPlot(const QString& path, QString* error) const;

 private:
  void fillConfigTable();
  void fillMetricsTable();
  void drawCurves();
  void buildSeries();
  // One series: a run, or the selected runs of one seed group (then label says "n seeds").
  struct Series {
    QString label;
    QVector<qint64> ids;
  };
  std::vector<Series> series_;
  QCheckBox* groupSeeds_;
  std::shared_ptr<store::RunStore> store_;
  QVector<qint64> ids_;
  QStringList labels_;
  std::vector<std::map<std::string, std::string>> configs_;
  QLabel* header_;
  QCheckBox* showAll_;
  QComboBox* metric_;
  QTableWidget* configTable_;
  QTableWidget* metricsTable_;
  QCustomPlot* plot_;
};

}  // namespace ternlab::views
