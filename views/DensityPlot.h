#pragma once
#include <QVector>
#include <QWidget>
#include <memory>
#include <vector>

#include "BackgroundJob.h"
#include "report/LayerRow.h"
#include "store/RunStore.h"

class QCustomPlot;
class QLabel;
class QSlider;
class QTableWidget;

namespace ternlab::views {

// Per-layer (and per REL branch) ternary code fractions (−1 / 0 / +1, stacked bars) of one stored run at a
// chosen step, read from layer_stat, with the density the ternary stage started from (its FP checkpoint
// ternarized) marked on each bar and the per-layer model summary below (He et al. Fig. 6 / Table VII).
class DensityPlot : public QWidget {
  Q_OBJECT
 public:
  explicit DensityPlot(std::shared_ptr<store::RunStore> store, QWidget* parent = nullptr);
  ~DensityPlot() override;

  void setRun(qint64 runId);
  qint64 run() const { return runId_; }
  // Bars drawn at the current step: one per layer, or per layer and REL branch ("fc1 b1").
  QStringList layers() const { return layers_; }
  QCustomPlot* plot() const { return plot_; }
  // Density of each bar's tensor in the FP checkpoint the ternary stage started from, ternarized by the
  // run's policy (He et al. Table VII's "initial"); empty until loaded or when the run has no FP stage.
  QVector<double> initialDensity() const { return initial_; }
  QTableWidget* reportTable() const { return table_; }
  bool isLoading() const { return loader_.running(); }

 Q_SIGNALS:
  // The model summary (and the initial densities) were computed in the background and drawn.
  void reportLoaded();

 private:
  void drawStep(int stepIndex);
  void loadReport();
  // The run's model summary and that of the FP checkpoint its ternary stage started from (empty if none).
  struct Reports {
    report::ModelReport final, initial;
  };
  void onReport(const Reports& reports, const QString& error);
  QStringList barKeys_;  // "layer|branch" per bar, in order
  QVector<double> initial_;
  BackgroundJob<Reports> loader_{this, QStringLiteral("density-report")};
  QTableWidget* table_;
  std::shared_ptr<store::RunStore> store_;
  qint64 runId_ = 0;
  std::vector<store::LayerStatRow> rows_;
  QVector<qint64> steps_;
  QStringList layers_;
  QLabel* title_;
  QSlider* step_;
  QCustomPlot* plot_;
};

}  // namespace ternlab::views
