#include "LivePlot.h"

#include <QVBoxLayout>

#include "PlotIncludes.h"
#include "PlotPalette.h"

namespace ternlab::views {

namespace {
constexpr int kReplotIntervalMs = 40;  // ≤ 25 Hz

QCPAxisRect* makeRect(QCustomPlot* plot, int row, const QString& yLabel, QCPMarginGroup* group) {
  auto* rect = new QCPAxisRect(plot);
  plot->plotLayout()->addElement(row, 0, rect);
  rect->axis(QCPAxis::atLeft)->setLabel(yLabel);
  rect->axis(QCPAxis::atBottom)->setLabel(QStringLiteral("step"));
  rect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
  for (auto* axis : rect->axes()) axis->setLayer(QStringLiteral("axes"));
  return rect;
}
}  // namespace

LivePlot::LivePlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->setObjectName(QStringLiteral("livePlotCanvas"));
  plot_->plotLayout()->clear();
  auto* group = new QCPMarginGroup(plot_);
  lossRect_ = makeRect(plot_, 0, tr("loss"), group);
  accRect_ = makeRect(plot_, 1, tr("accuracy %"), group);
  densityRect_ = makeRect(plot_, 2, tr("weight density"), group);
  accRect_->axis(QCPAxis::atLeft)->setRange(0, 100);
  densityRect_->axis(QCPAxis::atLeft)->setRange(0, 1);
  for (auto* rect : {lossRect_, accRect_, densityRect_}) {
    auto* legend = new QCPLegend;
    rect->insetLayout()->addElement(legend, Qt::AlignTop | Qt::AlignRight);
    legend->setLayer(QStringLiteral("legend"));
    legend->setFont(QFont(font().family(), 8));
    legend->setBrush(QColor(255, 255, 255, 200));
    legend->setVisible(false);
    legends_.insert(rect, legend);
  }
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  timer_.setSingleShot(true);
  timer_.setInterval(kReplotIntervalMs);
  connect(&timer_, &QTimer::timeout, this, &LivePlot::flush);
}

void LivePlot::attach(std::shared_ptr<LiveBuffer> buffer) {
  clear();
  buffer_ = std::move(buffer);
}

void LivePlot::clear() {
  timer_.stop();
  for (auto* g : std::as_const(graphs_)) plot_->removeGraph(g);
  graphs_.clear();
  for (auto* legend : std::as_const(legends_)) legend->setVisible(false);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

int LivePlot::pointCount(const QString& series) const {
  auto it = graphs_.find(series);
  return it == graphs_.end() ? 0 : (*it)->dataCount();
}

QStringList LivePlot::seriesNames() const {
  QStringList names = graphs_.keys();
  names.sort();
  return names;
}

void LivePlot::onDataReady() {
  if (!timer_.isActive()) timer_.start();
}

QCPAxisRect* LivePlot::rectFor(const QString& series) const {
  if (series.startsWith(QLatin1String("density/"))) return densityRect_;
  if (series.endsWith(QLatin1String("acc"))) return accRect_;
  return lossRect_;
}

QCPGraph* LivePlot::graphFor(const QString& series) {
  if (auto it = graphs_.find(series); it != graphs_.end()) return *it;
  QCPAxisRect* rect = rectFor(series);
  auto* g = plot_->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  int sameRect = 0;
  for (auto* other : std::as_const(graphs_))
    if (other->keyAxis() == g->keyAxis()) ++sameRect;
  g->setName(series.startsWith(QLatin1String("density/")) ? series.mid(8) : series);
  QPen pen(seriesColor(sameRect));
  pen.setWidthF(series.startsWith(QLatin1String("test/")) || series == QLatin1String("train/acc") ? 2.0 : 1.2);
  g->setPen(pen);
  if (series.startsWith(QLatin1String("test/")) || series == QLatin1String("train/acc")) {
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
  }
  g->removeFromLegend();
  QCPLegend* legend = legends_.value(rect);
  g->addToLegend(legend);
  legend->setVisible(true);
  graphs_.insert(series, g);
  return g;
}

void LivePlot::flush() {
  timer_.stop();
  if (!buffer_) return;
  LiveBuffer::Batch batch = buffer_->take();  // the lock is held only inside take()
  if (!batch.points.isEmpty()) {
    QHash<QString, QPair<QVector<double>, QVector<double>>> bySeries;
    for (const auto& p : std::as_const(batch.points)) {
      auto& kv = bySeries[p.series];
      kv.first.push_back(p.x);
      kv.second.push_back(p.y);
    }
    for (auto it = bySeries.cbegin(); it != bySeries.cend(); ++it)
      graphFor(it.key())->addData(it.value().first, it.value().second, true);
    for (auto* rect : {lossRect_, accRect_, densityRect_}) {
      bool first = true;
      for (auto* g : rect->graphs()) {
        g->rescaleKeyAxis(!first);
        if (rect == lossRect_) g->rescaleValueAxis(!first);
        first = false;
      }
    }
    accRect_->axis(QCPAxis::atLeft)->setRange(0, 100);
    densityRect_->axis(QCPAxis::atLeft)->setRange(0, 1.05);
    plot_->replot(QCustomPlot::rpQueuedReplot);
    ++replots_;
  }
  if (batch.progress.valid) Q_EMIT progressChanged(batch.progress);
}

}  // namespace ternlab::views
