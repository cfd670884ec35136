#pragma once
#include <QHash>
#include <QTimer>
#include <QWidget>
#include <memory>
#include <vector>

#include "LiveBuffer.h"

class QCustomPlot;
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

 public Q_SLOTS:
  void onDataReady();
  // Swaps the buffer out and draws it now (also used when a run ends).
  void flush();

 Q_SIGNALS:
  void progressChanged(const ternlab::views::LiveProgress& progress);

 private:
  QCPGraph* graphFor(const QString& series);
  QCPAxisRect* rectFor(const QString& series) const;
  QCustomPlot* plot_;
  QCPAxisRect* lossRect_;
  QCPAxisRect* accRect_;
  QCPAxisRect* densityRect_;
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
};

}  // namespace ternlab::views
