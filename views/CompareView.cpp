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
#include "PlotIncludes.h"
#include "PlotTheme.h"
#include "PlotPalette.h"

namespace ternlab::views {

namespace {
// The final metrics the table shows, in order.
const char* const kFinalMetrics[] = {"test/acc", "test/top5", "test/loss", "train/acc", "train/loss", "epoch/seconds"};

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
  metric_ = new QComboBox;
  metric_->setObjectName(QStringLiteral("compareMetric"));
  metric_->setMinimumContentsLength(16);
  auto* top = new QHBoxLayout;
  top->addWidget(header_, 1);
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
  connect(metric_, &QComboBox::currentTextChanged, this, [this] { drawCurves(); });
}

void CompareView::setRuns(const QVector<qint64>& ids) {
  ids_ = ids.mid(0, kMaxRuns);
  labels_.clear();
  configs_.clear();
  std::set<std::string> keys;
  for (qint64 id : std::as_const(ids_)) {
    const auto rec = store_->run(id);
    labels_ << QStringLiteral("#%1 %2").arg(id).arg(rec ? QString::fromStdString(rec->name) : QString());
    configs_.push_back(store_->params(id));
    for (const auto& k : store_->metricKeys(id)) keys.insert(k);
  }
  header_->setText(ids.size() < 2 ? tr("Select at least two runs to compare.")
                   : ids.size() > kMaxRuns ? tr("Comparing the first %1 of %2 runs.").arg(kMaxRuns).arg(ids.size())
                                           : tr("Comparing %1 runs.").arg(ids_.size()));
  const QString previous = metric_->currentText();
  {
    const QSignalBlocker block(metric_);
    metric_->clear();
    for (const auto& k : keys) metric_->addItem(QString::fromStdString(k));
    const int i = metric_->findText(previous.isEmpty() ? QStringLiteral("test/acc") : previous);
    metric_->setCurrentIndex(i >= 0 ? i : metric_->findText(QStringLiteral("train/loss")));
  }
  fillConfigTable();
  fillMetricsTable();
  drawCurves();
}

void CompareView::setShowAllKeys(bool all) { showAll_->setChecked(all); }
void CompareView::setMetric(const QString& key) { metric_->setCurrentText(key); }

void CompareView::fillConfigTable() {
  const auto rows = diffConfigs(configs_, showAll_->isChecked());
  configTable_->clear();
  configTable_->setColumnCount(ids_.size());
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
  metricsTable_->clear();
  metricsTable_->setRowCount(ids_.size());
  metricsTable_->setColumnCount(columns.size() + 1);
  metricsTable_->setHorizontalHeaderLabels(QStringList(columns) << tr("best test/acc"));
  metricsTable_->setVerticalHeaderLabels(labels_);
  for (int r = 0; r < ids_.size(); ++r) {
    std::map<std::string, store::MetricSummary> byKey;
    for (auto& s : store_->summaries(ids_[r])) byKey[s.key] = s;
    for (int c = 0; c <= columns.size(); ++c) {
      const std::string key = c < columns.size() ? kFinalMetrics[c] : "test/acc";
      auto it = byKey.find(key);
      QString text;
      if (it != byKey.end()) text = QString::number(c < columns.size() ? it->second.last : it->second.max, 'f', 4);
      metricsTable_->setItem(r, c, new QTableWidgetItem(text));
    }
  }
  metricsTable_->resizeColumnsToContents();
}

void CompareView::drawCurves() {
  plot_->clearGraphs();
  const std::string key = metric_->currentText().toStdString();
  plot_->yAxis->setLabel(metric_->currentText());
  for (int i = 0; i < ids_.size() && !key.empty(); ++i) {
    QVector<double> x, y;
    for (const auto& p : store_->metrics(ids_[i], key)) {
      x << static_cast<double>(p.step);
      y << p.value;
    }
    auto* g = plot_->addGraph();
    g->setName(labels_.value(i));
    QPen pen(seriesColor(i));
    pen.setWidthF(1.6);
    g->setPen(pen);
    if (x.size() < 30) g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    g->setData(x, y, true);
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
