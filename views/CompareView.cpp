#include "CompareView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QTextStream>
#include <QVBoxLayout>
#include <set>

#include "ConfigDiff.h"
#include "report/SeedGroupReport.h"
#include "PlotIncludes.h"
#include "PlotTheme.h"
#include "PlotPalette.h"
#include "store/MetricKeys.h"

namespace ternlab::views {

namespace {
// The final metrics the table shows, in order.
const char* const kFinalMetrics[] = {store::metric::kTestAcc, store::metric::kTestTop5, store::metric::kTestLoss, store::metric::kTrainAcc, store::metric::kTrainLoss, store::metric::kEpochSeconds};

// Accuracies in percent read best with two decimals, losses and times with four.
int decimalsFor(const std::string& key) { return key.size() >= 3 && key.compare(key.size() - 3, 3, "acc") == 0 ? 2 : 4; }

QString csvField(QString s) {
  if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')) || s.contains(QLatin1Char('\n')))
    s = QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
  return s;
}
}  // namespace

CompareView::CompareView(std::shared_ptr<store::RunStore> store, QWidget* parent)
    : QWidget(parent), store_(std::move(store)) {
  header_ = new QLabel(tr("Select 2–10 runs in the browser and press Compare."));
  showAll_ = new QCheckBox(tr("Show all keys"));
  showAll_->setObjectName(QStringLiteral("showAllKeys"));
  groupSeeds_ = new QCheckBox(tr("Group seeds"));
  groupSeeds_->setObjectName(QStringLiteral("groupSeeds"));
  groupSeeds_->setChecked(true);
  groupSeeds_->setToolTip(tr("Runs that differ only in the seed are one series: mean curve, min–max band, mean ± 95 % CI"));
  metric_ = new QComboBox;
  metric_->setObjectName(QStringLiteral("compareMetric"));
  metric_->setMinimumContentsLength(16);
  auto* top = new QHBoxLayout;
  top->addWidget(header_, 1);
  top->addWidget(groupSeeds_);
  top->addWidget(showAll_);
  top->addWidget(new QLabel(tr("Metric")));
  top->addWidget(metric_);

  configTable_ = new QTableWidget;
  configTable_->setObjectName(QStringLiteral("configDiffTable"));
  configTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  metricsTable_ = new QTableWidget;
  metricsTable_->setObjectName(QStringLiteral("finalMetricsTable"));
  metricsTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  plot_ = new QCustomPlot;
  plot_->setObjectName(QStringLiteral("comparePlot"));
  followPalette(plot_);
  plot_->legend->setVisible(true);
  plot_->legend->setFont(QFont(font().family(), 8));
  plot_->xAxis->setLabel(tr("step"));
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->setMinimumHeight(220);

  auto* tables = new QSplitter(Qt::Horizontal);
  tables->addWidget(configTable_);
  tables->addWidget(metricsTable_);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(plot_);
  split->addWidget(tables);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(split, 1);

  connect(showAll_, &QCheckBox::toggled, this, [this] { fillConfigTable(); });
  connect(groupSeeds_, &QCheckBox::toggled, this, [this] { setRuns(ids_); });
  connect(metric_, &QComboBox::currentTextChanged, this, [this] { drawCurves(); });
}

void CompareView::setRuns(const QVector<qint64>& ids) {
  ids_ = ids.mid(0, kMaxMembers);
  buildSeries();
  configs_.clear();
  labels_.clear();
  std::set<std::string> keys;
  for (const auto& s : series_) {
    labels_ << s.label;
    auto config = store_->params(s.ids.front());
    if (s.ids.size() > 1) {  // the seeds of a group, listed
      QStringList seeds;
      for (qint64 id : s.ids)
        if (const auto rec = store_->run(id)) seeds << QString::number(rec->seed);
      config["seed"] = seeds.join(QLatin1Char(',')).toStdString();
    }
    configs_.push_back(std::move(config));
    for (qint64 id : s.ids)
      for (const auto& k : store_->metricKeys(id)) keys.insert(k);
  }
  const int total = static_cast<int>(series_.size());
  header_->setText(ids.size() < 2 ? tr("Select at least two runs to compare.")
                   : total > kMaxRuns ? tr("Comparing the first %1 of %2 series.").arg(kMaxRuns).arg(total)
                   : total == static_cast<int>(ids_.size()) ? tr("Comparing %1 runs.").arg(total)
                                                            : tr("Comparing %1 series of %2 runs.").arg(total).arg(ids_.size()));
  if (total > kMaxRuns) {
    series_.resize(kMaxRuns);
    labels_ = labels_.mid(0, kMaxRuns);
    configs_.resize(kMaxRuns);
  }
  const QString previous = metric_->currentText();
  {
    const QSignalBlocker block(metric_);
    metric_->clear();
    for (const auto& k : keys) metric_->addItem(QString::fromStdString(k));
    const int i = metric_->findText(previous.isEmpty() ? QString::fromLatin1(store::metric::kTestAcc) : previous);
    metric_->setCurrentIndex(i >= 0 ? i : metric_->findText(QString::fromLatin1(store::metric::kTrainLoss)));
  }
  fillConfigTable();
  fillMetricsTable();
  drawCurves();
}

void CompareView::buildSeries() {
  series_.clear();
  std::map<std::string, std::size_t> byGroup;  // seed group → series index
  for (qint64 id : std::as_const(ids_)) {
    const auto rec = store_->run(id);
    const std::string group = rec && groupSeeds_->isChecked() ? rec->seedGroup : std::string();
    if (!group.empty()) {
      if (auto it = byGroup.find(group); it != byGroup.end()) {
        series_[it->second].ids << id;
        continue;
      }
      byGroup[group] = series_.size();
    }
    series_.push_back({QStringLiteral("#%1 %2").arg(id).arg(rec ? QString::fromStdString(rec->name) : QString()), {id}});
  }
  for (auto& s : series_)
    if (s.ids.size() > 1) s.label += tr(" (%1 seeds)").arg(s.ids.size());
}

void CompareView::setGroupSeeds(bool on) { groupSeeds_->setChecked(on); }

void CompareView::setShowAllKeys(bool all) { showAll_->setChecked(all); }
void CompareView::setMetric(const QString& key) { metric_->setCurrentText(key); }

void CompareView::fillConfigTable() {
  const auto rows = diffConfigs(configs_, showAll_->isChecked());
  configTable_->clear();
  configTable_->setColumnCount(static_cast<int>(series_.size()));
  configTable_->setRowCount(rows.size());
  configTable_->setHorizontalHeaderLabels(labels_);
  QStringList keys;
  for (int r = 0; r < rows.size(); ++r) {
    keys << rows[r].key;
    for (int c = 0; c < rows[r].values.size(); ++c) {
      auto* item = new QTableWidgetItem(rows[r].values[c]);
      if (rows[r].differs) item->setBackground(QColor(255, 244, 214));
      configTable_->setItem(r, c, item);
    }
  }
  configTable_->setVerticalHeaderLabels(keys);
  configTable_->resizeColumnsToContents();
}

void CompareView::fillMetricsTable() {
  QStringList columns;
  for (const char* m : kFinalMetrics) columns << QString::fromLatin1(m);
  const int n = static_cast<int>(series_.size());
  metricsTable_->clear();
  metricsTable_->setRowCount(n);
  metricsTable_->setColumnCount(columns.size() + 2);
  metricsTable_->setHorizontalHeaderLabels(QStringList(columns) << tr("best test/acc") << tr("test/acc vs first"));
  metricsTable_->setVerticalHeaderLabels(labels_);
  std::vector<report::SeedGroupStats> stats;
  for (int r = 0; r < n; ++r) {
    std::vector<std::map<std::string, store::MetricSummary>> members;
    std::vector<report::SeedRunValues> values;
    for (qint64 id : series_[r].ids) {
      std::map<std::string, store::MetricSummary> byKey;
      for (auto& s : store_->summaries(id)) byKey[s.key] = s;
      members.push_back(std::move(byKey));
      if (const auto rec = store_->run(id)) values.push_back(report::seedRunValues(*store_, *rec));
    }
    stats.push_back(report::summarizeRuns(std::move(values)));
    for (int c = 0; c <= columns.size(); ++c) {
      const std::string key = c < columns.size() ? kFinalMetrics[c] : store::metric::kTestAcc;
      std::vector<double> v;
      for (const auto& m : members)
        if (auto it = m.find(key); it != m.end()) v.push_back(c < columns.size() ? it->second.last : it->second.max);
      QString text;
      if (v.size() == 1) text = QString::number(v.front(), 'f', 4);
      else if (v.size() > 1) text = QString::fromStdString(report::meanWithInterval(report::summarize(v), decimalsFor(key)));
      metricsTable_->setItem(r, c, new QTableWidgetItem(text));
    }
  }
  // Final test accuracy of every later series against the first: paired or Welch t, Holm over m = n − 1.
  std::vector<report::Comparison> tests;
  std::vector<double> p;
  for (int r = 1; r < n; ++r) {
    tests.push_back(report::compareGroups(stats[r], stats[0], report::SeedMetric::FinalAcc));
    p.push_back(tests.back().p);
  }
  const auto adjusted = report::holmAdjust(p);
  if (n > 0) metricsTable_->setItem(0, columns.size() + 1, new QTableWidgetItem(QStringLiteral("–")));
  for (int r = 1; r < n; ++r) {
    const auto& t = tests[r - 1];
    QString text = QStringLiteral("%1%2").arg(t.meanDiff >= 0 ? QStringLiteral("+") : QString()).arg(t.meanDiff, 0, 'f', 2);
    if (t.valid()) {
      text += QStringLiteral(", p = %1").arg(adjusted[r - 1], 0, 'g', 2);
      if (adjusted[r - 1] <= 0.05) text += QStringLiteral(" *");
    }
    auto* item = new QTableWidgetItem(text);
    item->setToolTip(t.valid() ? tr("%1 test, Holm-corrected over %2 comparisons; * significant at α = 0.05")
                                     .arg(QString::fromLatin1(report::testKindName(t.kind)))
                                     .arg(n - 1)
                               : tr("too few seeds for a test"));
    metricsTable_->setItem(r, columns.size() + 1, item);
  }
  metricsTable_->resizeColumnsToContents();
}

void CompareView::drawCurves() {
  plot_->clearGraphs();
  const std::string key = metric_->currentText().toStdString();
  plot_->yAxis->setLabel(metric_->currentText());
  for (int i = 0; i < static_cast<int>(series_.size()) && !key.empty(); ++i) {
    // Per step: the values of every member that logged it; a group's curve keeps the steps all members share.
    std::map<std::int64_t, std::vector<double>> bySteps;
    for (qint64 id : series_[i].ids)
      for (const auto& p : store_->metrics(id, key)) bySteps[p.step].push_back(p.value);
    QVector<double> x, mean, lo, hi;
    for (const auto& [step, v] : bySteps) {
      if (v.size() != static_cast<std::size_t>(series_[i].ids.size())) continue;
      x << static_cast<double>(step);
      const auto s = report::summarize(v);
      mean << s.mean;
      lo << s.min;
      hi << s.max;
    }
    const QColor color = seriesColor(i);
    if (series_[i].ids.size() > 1) {  // the min–max band: the lower edge filled up to the upper edge
      auto* upper = plot_->addGraph();
      auto* lower = plot_->addGraph();
      for (auto* g : {upper, lower}) {
        g->setPen(QPen(Qt::NoPen));
        g->removeFromLegend();
      }
      QColor fill = color;
      fill.setAlpha(60);
      lower->setBrush(fill);
      lower->setChannelFillGraph(upper);
      upper->setData(x, hi, true);
      lower->setData(x, lo, true);
    }
    auto* g = plot_->addGraph();
    g->setName(labels_.value(i));
    QPen pen(color);
    pen.setWidthF(1.6);
    g->setPen(pen);
    if (x.size() < 30) g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    g->setData(x, mean, true);
  }
  plot_->rescaleAxes();
  plot_->replot();
}

bool CompareView::exportCsv(const QString& path, QString* error) const {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
    if (error) *error = file.errorString();
    return false;
  }
  QTextStream out(&file);
  QStringList header{QStringLiteral("key")};
  for (const auto& l : labels_) header << csvField(l);
  out << header.join(QLatin1Char(',')) << '\n';
  for (const auto& row : diffConfigs(configs_, showAll_->isChecked())) {
    QStringList fields{csvField(row.key)};
    for (const auto& v : row.values) fields << csvField(v);
    out << fields.join(QLatin1Char(',')) << '\n';
  }
  out << '\n' << QStringLiteral("run");
  for (int c = 0; c < metricsTable_->columnCount(); ++c)
    out << ',' << csvField(metricsTable_->horizontalHeaderItem(c)->text());
  out << '\n';
  for (int r = 0; r < metricsTable_->rowCount(); ++r) {
    out << csvField(labels_.value(r));
    for (int c = 0; c < metricsTable_->columnCount(); ++c) {
      const auto* item = metricsTable_->item(r, c);
      out << ',' << (item ? item->text() : QString());
    }
    out << '\n';
  }
  return true;
}

bool CompareView::exportPlot(const QString& path, QString* error) const {
  const QString suffix = QFileInfo(path).suffix().toLower();
  const bool ok = suffix == QLatin1String("pdf") ? plot_->savePdf(path) : plot_->savePng(path);
  if (!ok && error) *error = tr("could not write %1").arg(path);
  return ok;
}

}  // namespace ternlab::views
