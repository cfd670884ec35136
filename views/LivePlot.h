#pragma once
#include <QHash>
#include <QTimer>
#include <QWidget>
#include <memory>
#include <vector>

#include "LiveBuffer.h"

class QCheckBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QCPAxisRect;
class QCPGraph;
class QCPLegend;

namespace ternlab::views {

// Live curves of the running experiment (loss, accuracy, per-layer weight density), redrawn at most
// 25 times a second whatever the step rate: a dataReady() starts a 40 ms timer unless one is pending.
class LivePlot : public QWidget {
  Q_OBJECT
 public:
  explicit LivePlot(QWidget* parent = nullptr);

  // A new run feeds this plot: clears the curves and reads from buffer from now on.
  void attach(std::shared_ptr<LiveBuffer> buffer);
  // Another run training at the same time: its series are drawn as "<prefix><series>" beside the others.
  void addSource(std::shared_ptr<LiveBuffer> buffer, const QString& prefix);
  // A run ended: its curves stay, its buffer is read one last time and then released.
  void removeSource(const std::shared_ptr<LiveBuffer>& buffer);
  int sourceCount() const { return static_cast<int>(sources_.size()); }
  void clear();
  QCustomPlot* plot() const { return plot_; }
  // Points drawn so far for a series ("train/loss", "test/acc", "density/<layer>"), 0 if unknown.
  int pointCount(const QString& series) const;
  QStringList seriesNames() const;
  int replotCount() const { return replots_; }
  // EMA weight for the per-step series (train/loss, train/batch_acc), 0 = raw. Applied to the data itself,
  // before QCustomPlot's adaptive sampling thins it for drawing.
  void setSmoothing(double weight);
  double smoothing() const { return smoothing_; }
  void setLogLoss(bool on);
  // Shows or hides a series (what a click on its legend entry does).
  void setSeriesVisible(const QString& series, bool visible);
  bool isSeriesVisible(const QString& series) const;
  // The drawn value of a series at its i-th point.
  double valueAt(const QString& series, int i) const;
  // The read-out for the point nearest to a position on the canvas ("" when none), as hovering shows it.
  QString readoutAt(const QPointF& pos) const;

 public Q_SLOTS:
  void onDataReady();
  // Swaps the buffer out and draws it now (also used when a run ends).
  void flush();

 Q_SIGNALS:
  void progressChanged(const ternlab::views::LiveProgress& progress);

 private:
  QCPGraph* graphFor(const QString& series);
  static bool isSmoothed(const QString& series);
  void resmooth(const QString& series);
  QCPAxisRect* rectFor(const QString& series) const;
  QCustomPlot* plot_;
  QCPAxisRect* lossRect_;
  QCPAxisRect* accRect_;
  QCPAxisRect* densityRect_;
  QCPAxisRect* quantRect_;  // thresholds and scales
  QHash<QCPAxisRect*, QCPLegend*> legends_;
  QHash<QString, QCPGraph*> graphs_;
  QTimer timer_;
  struct Source {
    std::shared_ptr<LiveBuffer> buffer;
    QString prefix;
  };
  void drain(const Source& source);
  std::vector<Source> sources_;
  int replots_ = 0;
  double smoothing_ = 0.6;
  QHash<QString, QVector<QPointF>> raw_;  // smoothed series: the points as they came
  QHash<QString, double> emaState_;
  QDoubleSpinBox* smoothingBox_;
  QCheckBox* logBox_;
  QLabel* hover_;
};

}  // namespace ternlab::views
