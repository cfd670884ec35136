#include "DensityPlot.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>
#include <map>
#include <set>

#include "PlotIncludes.h"

namespace ternlab::views {

DensityPlot::DensityPlot(std::shared_ptr<store::RunStore> store, QWidget* parent)
    : QWidget(parent), store_(std::move(store)) {
  title_ = new QLabel(tr("Double-click a run in the browser (or use its Density button)."));
  step_ = new QSlider(Qt::Horizontal);
  step_->setObjectName(QStringLiteral("densityStep"));
  step_->setEnabled(false);
  plot_ = new QCustomPlot;
  plot_->setObjectName(QStringLiteral("densityPlot"));
  plot_->legend->setVisible(true);
  plot_->yAxis->setLabel(tr("fraction of weights"));
  plot_->yAxis->setRange(0, 1);
  auto* top = new QHBoxLayout;
  top->addWidget(title_, 1);
  top->addWidget(new QLabel(tr("Step")));
  top->addWidget(step_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(plot_, 1);
  connect(step_, &QSlider::valueChanged, this, &DensityPlot::drawStep);
}

void DensityPlot::setRun(qint64 runId) {
  runId_ = runId;
  rows_ = store_->layerStats(runId);
  std::set<qint64> steps;
  for (const auto& r : rows_)
    if (r.tensor == "weight") steps.insert(r.step);
  steps_ = QVector<qint64>(steps.begin(), steps.end());
  const QSignalBlocker block(step_);
  step_->setEnabled(steps_.size() > 1);
  step_->setRange(0, std::max(0, static_cast<int>(steps_.size()) - 1));
  step_->setValue(step_->maximum());
  drawStep(step_->value());
}

void DensityPlot::drawStep(int stepIndex) {
  plot_->clearPlottables();
  layers_.clear();
  const auto rec = store_->run(runId_);
  const QString name = rec ? QString::fromStdString(rec->name) : QString();
  if (steps_.isEmpty()) {
    title_->setText(tr("Run %1 %2 has no weight statistics (full precision, or not started).").arg(runId_).arg(name));
    plot_->replot();
    return;
  }
  const qint64 step = steps_.value(stepIndex, steps_.back());
  title_->setText(tr("Run %1 %2 — step %3").arg(runId_).arg(name).arg(step));
  struct Fractions {
    double neg = 0, zero = 0, pos = 0;
    int n = 0;
  };
  std::map<std::string, Fractions> byLayer;  // ordered by first appearance below
  std::vector<std::string> order;
  for (const auto& r : rows_) {
    if (r.tensor != "weight" || r.step != step) continue;
    auto [it, inserted] = byLayer.try_emplace(r.layer);
    if (inserted) order.push_back(r.layer);
    it->second.neg += r.fracNeg;
    it->second.zero += r.fracZero;
    it->second.pos += r.fracPos;
    it->second.n += 1;
  }
  QVector<double> ticks, neg, zero, pos;
  QVector<QString> labels;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& f = byLayer[order[i]];
    ticks << static_cast<double>(i + 1);
    neg << f.neg / f.n;
    zero << f.zero / f.n;
    pos << f.pos / f.n;
    labels << QString::fromStdString(order[i]);
    layers_ << labels.back();
  }
  auto makeBars = [&](const QString& label, const QColor& color, const QVector<double>& values) {
    auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
    bars->setName(label);
    bars->setPen(QPen(color.darker(130)));
    bars->setBrush(color);
    bars->setWidth(0.6);
    bars->setData(ticks, values, true);
    return bars;
  };
  auto* negBars = makeBars(tr("−1"), QColor(224, 96, 94), neg);
  auto* zeroBars = makeBars(tr("0"), QColor(200, 205, 215), zero);
  auto* posBars = makeBars(tr("+1"), QColor(79, 178, 134), pos);
  zeroBars->moveAbove(negBars);
  posBars->moveAbove(zeroBars);
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  ticker->addTicks(ticks, labels);
  plot_->xAxis->setTicker(ticker);
  plot_->xAxis->setRange(0.3, order.size() + 0.7);
  plot_->yAxis->setRange(0, 1.0);
  plot_->replot();
}

}  // namespace ternlab::views
