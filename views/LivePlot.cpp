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
  sources_.clear();
  sources_.push_back({std::move(buffer), QString()});
}

void LivePlot::addSource(std::shared_ptr<LiveBuffer> buffer, const QString& prefix) {
  sources_.push_back({std::move(buffer), prefix});
}

void LivePlot::removeSource(const std::shared_ptr<LiveBuffer>& buffer) {
  for (auto it = sources_.begin(); it != sources_.end(); ++it)
    if (it->buffer == buffer) {
      const Source last = *it;
      sources_.erase(it);
      drain(last);
      plot_->replot(QCustomPlot::rpQueuedReplot);
      return;
    }
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

namespace {
// The series name without a run prefix ("#2 test/acc" → "test/acc").
QString bareSeries(const QString& series) {
  const int space = series.startsWith(QLatin1Char('#')) ? series.indexOf(QLatin1Char(' ')) : -1;
  return space < 0 ? series : series.mid(space + 1);
}
}  // namespace

QCPAxisRect* LivePlot::rectFor(const QString& series) const {
  const QString bare = bareSeries(series);
  if (bare.startsWith(QLatin1String("density/"))) return densityRect_;
  if (bare.endsWith(QLatin1String("acc"))) return accRect_;
  return lossRect_;
}

QCPGraph* LivePlot::graphFor(const QString& series) {
  if (auto it = graphs_.find(series); it != graphs_.end()) return *it;
  QCPAxisRect* rect = rectFor(series);
  auto* g = plot_->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  int sameRect = 0;
  for (auto* other : std::as_const(graphs_))
    if (other->keyAxis() == g->keyAxis()) ++sameRect;
  const QString bare = bareSeries(series);
  const QString prefix = series.left(series.size() - bare.size());
  g->setName(prefix + (bare.startsWith(QLatin1String("density/")) ? bare.mid(8) : bare));
  QPen pen(seriesColor(sameRect));
  const bool epochly = bare.startsWith(QLatin1String("test/")) || bare == QLatin1String("train/acc");
  pen.setWidthF(epochly ? 2.0 : 1.2);
  if (!prefix.isEmpty() && prefix != QLatin1String("#1 ")) pen.setStyle(Qt::DashLine);  // later runs: dashed
  g->setPen(pen);
  if (epochly) {
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
  const auto sources = sources_;  // drain() may emit, and a slot may add or remove sources
  for (const auto& source : sources) drain(source);
}

void LivePlot::drain(const Source& source) {
  LiveBuffer::Batch batch = source.buffer->take();  // the lock is held only inside take()
  if (!batch.points.isEmpty()) {
    QHash<QString, QPair<QVector<double>, QVector<double>>> bySeries;
    for (const auto& p : std::as_const(batch.points)) {
      auto& kv = bySeries[source.prefix + p.series];
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
