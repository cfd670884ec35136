#pragma once
#include <QString>
#include <QWidget>
#include <memory>
#include <vector>

#include "BackgroundJob.h"
#include "report/KernelSnapshot.h"

class QComboBox;
class QCPColorMap;
class QCustomPlot;
class QLabel;
class QSpinBox;

namespace ternlab::views {

// He et al. Fig. 5 for any stored run: for a layer, checkpoint and input channel, the latent FP kernels
// as a heatmap beside their ternary codes for each threshold / REL branch (same diverging colours, zero
// white), with the value under the mouse, and a histogram of the layer's latent weights with the
// thresholds drawn on it. The model is rebuilt off the GUI thread; the view only draws plain numbers.
class KernelView : public QWidget {
  Q_OBJECT
 public:
  explicit KernelView(QString dbPath, QWidget* parent = nullptr);
  ~KernelView() override;

  // Lists the run's checkpoints and loads the last one (asynchronously; loaded() when drawn).
  void setRun(qint64 runId);
  qint64 run() const { return runId_; }
  bool isLoading() const { return loading_; }
  QString errorText() const { return error_; }

  // What is on screen, for tests and the status line.
  QStringList layerNames() const;
  QStringList checkpointLabels() const;
  void selectLayer(const QString& layer);
  void selectCheckpoint(int index);
  void selectInputChannel(int channel);
  const report::KernelSnapshot* currentSnapshot() const;
  QCPColorMap* latentMap() const { return latentMap_; }
  // One map per ternary branch (REL: T_ex maps).
  const std::vector<QCPColorMap*>& codeMaps() const { return codeMaps_; }
  // The (out, in, ky, kx) element of the current layer drawn at map cell (col, row); false for a gap.
  bool elementAt(int col, int row, std::int64_t* index) const;
  QCustomPlot* mapsPlot() const { return maps_; }
  QCustomPlot* histogramPlot() const { return histogram_; }

 Q_SIGNALS:
  void loaded();

 private:
  void loadCheckpoint(int index);
  void onSnapshots(std::vector<report::KernelSnapshot>&& snapshots, const QString& error);
  void draw();
  void drawHistogram(const report::KernelSnapshot& s);
  void showHover(QMouseEvent* event);

  QString dbPath_;
  qint64 runId_ = 0;
  std::vector<report::CheckpointRef> checkpoints_;
  std::vector<report::KernelSnapshot> snapshots_;
  BackgroundJob<std::vector<report::KernelSnapshot>> loader_{this, QStringLiteral("kernel-loader")};
  bool loading_ = false;
  QString error_;

  QLabel* title_;
  QComboBox* layer_;
  QComboBox* checkpoint_;
  QSpinBox* channel_;
  QLabel* hover_;
  QCustomPlot* maps_;
  QCustomPlot* histogram_;
  QCPColorMap* latentMap_ = nullptr;
  std::vector<QCPColorMap*> codeMaps_;
  int tileColumns_ = 1, tileW_ = 1, tileH_ = 1;
  int wantedChannel_ = 0;  // kept while a layer with fewer input channels is shown
};

}  // namespace ternlab::views
