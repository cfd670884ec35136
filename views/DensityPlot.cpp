#include "DensityPlot.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSlider>
#include <QTableWidget>
#include <QVBoxLayout>
#include <map>
#include <set>
#include <cmath>

#include "PlotIncludes.h"
#include "PlotTheme.h"
#include "report/RunReport.h"

namespace ternlab::views {

DensityPlot::DensityPlot(std::shared_ptr<store::RunStore> store, QWidget* parent)
    : QWidget(parent), store_(std::move(store)) {
  title_ = new QLabel(tr("Double-click a run in the browser (or use its Density button)."));
  step_ = new QSlider(Qt::Horizontal);
  step_->setObjectName(QStringLiteral("densityStep"));
  step_->setEnabled(false);
  plot_ = new QCustomPlot;
  plot_->setObjectName(QStringLiteral("densityPlot"));
  followPalette(plot_);
  plot_->legend->setVisible(true);
  plot_->yAxis->setLabel(tr("fraction of weights"));
  plot_->yAxis->setRange(0, 1);
  auto* top = new QHBoxLayout;
  top->addWidget(title_, 1);
  top->addWidget(new QLabel(tr("Step")));
  top->addWidget(step_, 1);
  table_ = new QTableWidget;
  table_->setObjectName(QStringLiteral("densityReport"));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->setVisible(false);
  table_->setMaximumHeight(230);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(plot_, 1);
  layout->addWidget(table_);
  connect(step_, &QSlider::valueChanged, this, &DensityPlot::drawStep);
}

DensityPlot::~DensityPlot() = default;

void DensityPlot::setRun(qint64 runId) {
  runId_ = runId;
  rows_ = store_->layerStats(runId);
  if (rows_.empty()) {  // a pipeline: the statistics of its last ternary stage
    const auto kids = store_->children(runId);
    for (auto it = kids.rbegin(); it != kids.rend() && rows_.empty(); ++it) rows_ = store_->layerStats(*it);
  }
  std::set<qint64> steps;
  for (const auto& r : rows_)
    if (r.tensor == "weight") steps.insert(r.step);
  steps_ = QVector<qint64>(steps.begin(), steps.end());
  const QSignalBlocker block(step_);
  step_->setEnabled(steps_.size() > 1);
  step_->setRange(0, std::max(0, static_cast<int>(steps_.size()) - 1));
  step_->setValue(step_->maximum());
  initial_.clear();
  drawStep(step_->value());
  loadReport();
}

void DensityPlot::loadReport() {
  loader_.wait();
  table_->clear();
  table_->setRowCount(0);
  table_->setColumnCount(0);
  // The FP checkpoint the first ternary stage started from: the final one of the stage before it.
  std::string initialCheckpoint;
  for (auto kid : store_->children(runId_)) {
    if (!store_->layerStats(kid).empty()) break;
    const auto finals = store_->artefacts(kid, "checkpoint-final");
    if (!finals.empty()) initialCheckpoint = finals.back().path;
  }
  const auto db = store_->path();
  const auto run = runId_;
  loader_.start(
      [db, run, initialCheckpoint] {
        Reports r;
        r.final = report::reportRun(db, run);
        if (!initialCheckpoint.empty()) r.initial = report::reportRun(db, run, initialCheckpoint);
        return r;
      },
      [this](Reports&& reports, const QString& error) { onReport(reports, error); });
}

void DensityPlot::onReport(const Reports& reports, const QString& error) {
  if (!error.isEmpty()) {
    table_->setColumnCount(1);
    table_->setHorizontalHeaderLabels({tr("model summary")});
    table_->setRowCount(1);
    table_->setItem(0, 0, new QTableWidgetItem(tr("not available: %1").arg(error)));
    table_->horizontalHeader()->setStretchLastSection(true);
    Q_EMIT reportLoaded();
    return;
  }
  // Initial density per bar, from the FP checkpoint ternarized (REL: per branch).
  initial_.clear();
  if (!reports.initial.layers.empty())
    for (const auto& key : std::as_const(barKeys_)) {
      const auto layer = key.section(QLatin1Char('|'), 0, 0).toStdString();
      const int branch = key.section(QLatin1Char('|'), 1, 1).toInt();
      double d = std::nan("");
      for (const auto& l : reports.initial.layers)
        if (l.name == layer && branch < static_cast<int>(l.branchDensity.size())) d = l.branchDensity[branch];
      initial_ << d;
    }
  drawStep(step_->value());
  const QStringList headers{tr("layer"), tr("scheme"), tr("shape"), tr("params"), tr("W bits"), tr("A bits"),
                            tr("FP bytes"), tr("packed bytes"), tr("compression"), tr("MACs / sample"), tr("density")};
  table_->setColumnCount(headers.size());
  table_->setHorizontalHeaderLabels(headers);
  auto rows = reports.final.layers;
  rows.push_back(reports.final.total);
  rows.back().name = "total";
  table_->setRowCount(static_cast<int>(rows.size()));
  for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
    const auto& l = rows[r];
    QStringList shape;
    for (auto d : l.shape) shape << QString::number(d);
    const QStringList cells{QString::fromStdString(l.name), QString::fromStdString(l.scheme), shape.join(QLatin1Char('x')),
                            QString::number(l.params), QString::number(l.weightBits), QString::number(l.activationBits),
                            QString::number(l.fpBytes, 'f', 0), QString::number(l.packedBytes, 'f', 0),
                            QStringLiteral("%1×").arg(l.compression(), 0, 'f', 1), QString::number(l.macs),
                            QStringLiteral("%1 %").arg(100 * l.density, 0, 'f', 1)};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      if (c >= 3) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      table_->setItem(r, c, item);
    }
  }
  table_->resizeColumnsToContents();
  Q_EMIT reportLoaded();
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
  std::map<std::string, Fractions> byLayer;  // "layer|branch", ordered by first appearance below
  std::vector<std::string> order;
  std::map<std::string, int> branchesOf;
  for (const auto& r : rows_)
    if (r.tensor == "weight" && r.step == step) branchesOf[r.layer] = std::max(branchesOf[r.layer], r.branch + 1);
  for (const auto& r : rows_) {
    if (r.tensor != "weight" || r.step != step) continue;
    auto [it, inserted] = byLayer.try_emplace(r.layer + "|" + std::to_string(r.branch));
    if (inserted) order.push_back(it->first);
    it->second.neg += r.fracNeg;
    it->second.zero += r.fracZero;
    it->second.pos += r.fracPos;
    it->second.n += 1;
  }
  QVector<double> ticks, neg, zero, pos;
  QVector<QString> labels;
  barKeys_.clear();
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto& f = byLayer[order[i]];
    ticks << static_cast<double>(i + 1);
    neg << f.neg / f.n;
    zero << f.zero / f.n;
    pos << f.pos / f.n;
    const QString key = QString::fromStdString(order[i]);
    const QString layer = key.section(QLatin1Char('|'), 0, 0);
    labels << (branchesOf[layer.toStdString()] > 1 ? layer + QStringLiteral(" b") + key.section(QLatin1Char('|'), 1, 1) : layer);
    layers_ << labels.back();
    barKeys_ << key;
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
  // −1 and +1 at the bottom, 0 on top: the top of the +1 segment is the density.
  posBars->moveAbove(negBars);
  zeroBars->moveAbove(posBars);
  // The density the ternary stage started from: a marker at that height on each bar.
  if (initial_.size() == ticks.size()) {
    auto* start = plot_->addGraph();
    start->setName(tr("initial density (FP checkpoint ternarized)"));
    start->setLineStyle(QCPGraph::lsNone);
    start->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(Qt::black), QBrush(QColor(255, 200, 0)), 11));
    start->setData(ticks, initial_, true);
  }
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  ticker->addTicks(ticks, labels);
  plot_->xAxis->setTicker(ticker);
  plot_->xAxis->setRange(0.3, order.size() + 0.7);
  plot_->yAxis->setRange(0, 1.0);
  plot_->replot();
}

}  // namespace ternlab::views
