#pragma once
#include <QVector>
#include <QWidget>
#include <memory>
#include <vector>

#include "store/RunStore.h"

class QCustomPlot;
class QLabel;
class QSlider;

namespace ternlab::views {

// Per-layer ternary code fractions (−1 / 0 / +1, stacked bars) of one stored run at a chosen step,
// read from layer_stat: shows at a glance which layers went sparse.
class DensityPlot : public QWidget {
  Q_OBJECT
 public:
  explicit DensityPlot(std::shared_ptr<store::RunStore> store, QWidget* parent = nullptr);

  void setRun(qint64 runId);
  qint64 run() const { return runId_; }
  // Layers drawn at the current step (weights, REL branches averaged).
  QStringList layers() const { return layers_; }
  QCustomPlot* plot() const { return plot_; }

 private:
  void drawStep(int stepIndex);
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
