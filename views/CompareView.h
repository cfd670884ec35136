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

// Side by side view of 2–10 runs: the config keys that differ, one curve per run for a chosen metric,
// and the final metrics; exportable as CSV and the plot as PNG or PDF.
class CompareView : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kMaxRuns = 10;
  explicit CompareView(std::shared_ptr<store::RunStore> store, QWidget* parent = nullptr);

  void setRuns(const QVector<qint64>& ids);
  QVector<qint64> runs() const { return ids_; }
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
