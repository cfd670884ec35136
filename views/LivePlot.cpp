#include "LivePlot.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "PlotIncludes.h"
#include "PlotTheme.h"
#include "PlotPalette.h"
#include "store/MetricKeys.h"

#include <algorithm>
#include <cmath>

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
  smoothingBox_ = new QDoubleSpinBox;
  smoothingBox_->setObjectName(QStringLiteral("smoothing"));
  smoothingBox_->setRange(0.0, 0.99);
  smoothingBox_->setSingleStep(0.05);
  smoothingBox_->setValue(smoothing_);
  smoothingBox_->setToolTip(tr("EMA weight for per-step curves (0 = raw)"));
  logBox_ = new QCheckBox(tr("log loss axis"));
  logBox_->setObjectName(QStringLiteral("logLoss"));
  hover_ = new QLabel(QStringLiteral(" "));
  hover_->setObjectName(QStringLiteral("liveHover"));
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Smoothing")));
  bar->addWidget(smoothingBox_);
  bar->addWidget(logBox_);
  bar->addWidget(hover_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(bar);
  layout->addWidget(plot_, 1);  // the plots take every pixel the control row does not need
  connect(smoothingBox_, &QDoubleSpinBox::valueChanged, this, &LivePlot::setSmoothing);
  connect(logBox_, &QCheckBox::toggled, this, &LivePlot::setLogLoss);
  connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) { hover_->setText(readoutAt(e->position())); });
  connect(plot_, &QCustomPlot::legendClick, this, [this](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*) {
    if (auto* pl = qobject_cast<QCPPlottableLegendItem*>(item))
      for (auto it = graphs_.cbegin(); it != graphs_.cend(); ++it)
        if (it.value() == pl->plottable()) setSeriesVisible(it.key(), !it.value()->visible());
  });
  plot_->setObjectName(QStringLiteral("livePlotCanvas"));
  followPalette(plot_);
  plot_->plotLayout()->clear();
  auto* group = new QCPMarginGroup(plot_);
  lossRect_ = makeRect(plot_, 0, tr("loss"), group);
  accRect_ = makeRect(plot_, 1, tr("accuracy %"), group);
  densityRect_ = makeRect(plot_, 2, tr("weight density"), group);
  quantRect_ = makeRect(plot_, 3, tr("Δ (dashed) · α"), group);
  accRect_->axis(QCPAxis::atLeft)->setRange(0, 100);
  densityRect_->axis(QCPAxis::atLeft)->setRange(0, 1);
  for (auto* rect : {lossRect_, accRect_, densityRect_, quantRect_}) {
    auto* legend = new QCPLegend;
    rect->insetLayout()->addElement(legend, Qt::AlignTop | Qt::AlignRight);
    legend->setLayer(QStringLiteral("legend"));
    legend->setFont(QFont(font().family(), 8));
    QColor paper = palette().color(QPalette::Base);  // the theme's background, slightly see-through
    paper.setAlpha(200);
    legend->setBrush(paper);
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
  raw_.clear();
  emaState_.clear();
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
  if (bare.startsWith(QLatin1String(store::metric::kDensityPrefix))) return densityRect_;
  if (bare.startsWith(QLatin1String("threshold/")) || bare.startsWith(QLatin1String("scale/"))) return quantRect_;
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
  const bool threshold = bare.startsWith(QLatin1String("threshold/"));
  g->setName(prefix + (bare.startsWith(QLatin1String(store::metric::kDensityPrefix)) ? bare.mid(sizeof store::metric::kDensityPrefix - 1)
                       : threshold                                ? QStringLiteral("Δ ") + bare.mid(10)
                       : bare.startsWith(QLatin1String("scale/")) ? QStringLiteral("α ") + bare.mid(6)
                                                                  : bare));
  // Δ and α of one layer share a colour (by layer name); elsewhere colours follow the order of arrival.
  const QString layer = bare.mid(bare.indexOf(QLatin1Char('/')) + 1);
  QPen pen(seriesColor(rect == quantRect_ ? static_cast<int>(qHash(layer) % 10) : sameRect));
  if (threshold) pen.setStyle(Qt::DashLine);
  const bool epochly = bare.startsWith(QLatin1String(store::metric::kTestPrefix)) || bare == QLatin1String(store::metric::kTrainAcc);
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

bool LivePlot::isSmoothed(const QString& series) {
  const QString bare = bareSeries(series);
  return bare == QLatin1String(store::metric::kTrainLoss) || bare == QLatin1String(store::metric::kTrainBatchAcc);
}

void LivePlot::resmooth(const QString& series) {
  auto* g = graphs_.value(series);
  if (!g) return;
  QVector<double> xs, ys;
  double state = std::nan("");
  for (const auto& p : std::as_const(raw_[series])) {
    state = std::isnan(state) ? p.y() : smoothing_ * state + (1 - smoothing_) * p.y();
    xs.push_back(p.x());
    ys.push_back(state);
  }
  emaState_[series] = state;
  g->setData(xs, ys, true);
}

void LivePlot::setSmoothing(double weight) {
  smoothing_ = std::clamp(weight, 0.0, 0.99);
  if (smoothingBox_->value() != smoothing_) {
    const QSignalBlocker block(smoothingBox_);
    smoothingBox_->setValue(smoothing_);
  }
  for (auto it = raw_.cbegin(); it != raw_.cend(); ++it) resmooth(it.key());
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LivePlot::setLogLoss(bool on) {
  if (logBox_->isChecked() != on) {
    const QSignalBlocker block(logBox_);
    logBox_->setChecked(on);
  }
  auto* axis = lossRect_->axis(QCPAxis::atLeft);
  axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  if (on)
    axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
  else
    axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  for (auto* g : lossRect_->graphs()) g->rescaleValueAxis(g != lossRect_->graphs().front());
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LivePlot::setSeriesVisible(const QString& series, bool visible) {
  auto* g = graphs_.value(series);
  if (!g) return;
  g->setVisible(visible);
  for (auto* legend : std::as_const(legends_))
    if (auto* item = legend->itemWithPlottable(g)) item->setTextColor(visible ? Qt::black : Qt::gray);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool LivePlot::isSeriesVisible(const QString& series) const {
  auto* g = graphs_.value(series);
  return g && g->visible();
}

double LivePlot::valueAt(const QString& series, int i) const {
  auto* g = graphs_.value(series);
  return g && i >= 0 && i < g->dataCount() ? g->data()->at(i)->value : std::nan("");
}

QString LivePlot::readoutAt(const QPointF& pos) const {
  auto* rect = plot_->axisRectAt(pos);
  if (!rect) return QStringLiteral(" ");
  QString best;
  double bestDist = 12.0;  // pixels
  for (auto it = graphs_.cbegin(); it != graphs_.cend(); ++it) {
    auto* g = it.value();
    if (!g->visible() || g->keyAxis()->axisRect() != rect || g->dataCount() == 0) continue;
    const double key = g->keyAxis()->pixelToCoord(pos.x());
    auto at = g->data()->findBegin(key);
    for (auto p = at == g->data()->constBegin() ? at : at - 1; p != g->data()->constEnd() && p <= at + 1; ++p) {
      const double d = std::hypot(g->keyAxis()->coordToPixel(p->key) - pos.x(), g->valueAxis()->coordToPixel(p->value) - pos.y());
      if (d < bestDist) {
        bestDist = d;
        best = QStringLiteral("%1 · step %2 · %3").arg(g->name()).arg(p->key, 0, 'f', 0).arg(p->value, 0, 'g', 5);
      }
    }
  }
  return best.isEmpty() ? QStringLiteral(" ") : best;
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
    for (auto it = bySeries.cbegin(); it != bySeries.cend(); ++it) {
      if (!isSmoothed(it.key())) {
        graphFor(it.key())->addData(it.value().first, it.value().second, true);
        continue;
      }
      // EMA continued from the last point: s = w·s + (1 − w)·y (the first point starts it).
      auto& raw = raw_[it.key()];
      QVector<double> ys = it.value().second;
      double state = emaState_.value(it.key(), std::nan(""));
      for (int i = 0; i < ys.size(); ++i) {
        raw.push_back({it.value().first[i], ys[i]});
        state = std::isnan(state) ? ys[i] : smoothing_ * state + (1 - smoothing_) * ys[i];
        ys[i] = state;
      }
      emaState_[it.key()] = state;
      graphFor(it.key())->addData(it.value().first, ys, true);
    }
    for (auto* rect : {lossRect_, accRect_, densityRect_, quantRect_}) {
      bool first = true;
      for (auto* g : rect->graphs()) {
        g->rescaleKeyAxis(!first);
        if (rect == lossRect_ || rect == quantRect_) g->rescaleValueAxis(!first);
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
