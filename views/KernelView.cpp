#include "KernelView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "PlotIncludes.h"
#include "PlotTheme.h"
#include "PlotPalette.h"

namespace ternlab::views {

namespace {

// Diverging blue – white – red: negative, zero and positive read the same in every map.
QCPColorGradient polarGradient() {
  QCPColorGradient g;
  g.clearColorStops();
  g.setColorStopAt(0.0, QColor(33, 102, 172));
  g.setColorStopAt(0.5, QColor(247, 247, 247));
  g.setColorStopAt(1.0, QColor(178, 24, 43));
  g.setNanHandling(QCPColorGradient::nhTransparent);
  return g;
}

}  // namespace

KernelView::KernelView(QString dbPath, QWidget* parent) : QWidget(parent), dbPath_(std::move(dbPath)) {
  title_ = new QLabel(tr("Choose a run in the browser and use “Kernels” (context menu)."));
  title_->setWordWrap(true);
  layer_ = new QComboBox;
  layer_->setObjectName(QStringLiteral("kernelLayer"));
  checkpoint_ = new QComboBox;
  checkpoint_->setObjectName(QStringLiteral("kernelCheckpoint"));
  channel_ = new QSpinBox;
  channel_->setObjectName(QStringLiteral("kernelChannel"));
  channel_->setRange(0, 0);
  hover_ = new QLabel(QStringLiteral(" "));
  hover_->setObjectName(QStringLiteral("kernelHover"));
  hover_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  maps_ = new QCustomPlot;
  maps_->setObjectName(QStringLiteral("kernelMaps"));
  maps_->setMouseTracking(true);
  histogram_ = new QCustomPlot;
  histogram_->setObjectName(QStringLiteral("kernelHistogram"));
  followPalette(maps_);
  followPalette(histogram_);
  histogram_->xAxis->setLabel(tr("latent weight"));
  histogram_->yAxis->setLabel(tr("count"));
  histogram_->setMaximumHeight(220);

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Layer")));
  controls->addWidget(layer_);
  controls->addWidget(new QLabel(tr("Checkpoint")));
  controls->addWidget(checkpoint_, 1);
  controls->addWidget(new QLabel(tr("Input channel")));
  controls->addWidget(channel_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(title_);
  layout->addLayout(controls);
  layout->addWidget(maps_, 3);
  layout->addWidget(hover_);
  layout->addWidget(histogram_, 1);

  connect(layer_, &QComboBox::currentIndexChanged, this, [this] { draw(); });
  connect(channel_, &QSpinBox::valueChanged, this, [this](int c) {
    wantedChannel_ = c;
    draw();
  });
  connect(checkpoint_, &QComboBox::currentIndexChanged, this, [this](int i) {
    if (i >= 0) loadCheckpoint(i);
  });
  connect(maps_, &QCustomPlot::mouseMove, this, &KernelView::showHover);
}

KernelView::~KernelView() = default;

void KernelView::setRun(qint64 runId) {
  runId_ = runId;
  error_.clear();
  try {
    checkpoints_ = report::listCheckpoints(dbPath_.toStdString(), runId);
  } catch (const std::exception& e) {
    checkpoints_.clear();
    error_ = QString::fromStdString(e.what());
  }
  {
    const QSignalBlocker block(checkpoint_);
    checkpoint_->clear();
    for (const auto& c : checkpoints_) checkpoint_->addItem(QString::fromStdString(c.label));
    checkpoint_->setCurrentIndex(static_cast<int>(checkpoints_.size()) - 1);
  }
  if (checkpoints_.empty()) {
    snapshots_.clear();
    title_->setText(error_.isEmpty() ? tr("Run %1 has no checkpoint (it ran with --no-checkpoints, or never finished "
                                          "an epoch).").arg(runId)
                                     : error_);
    draw();
    Q_EMIT loaded();
    return;
  }
  loadCheckpoint(checkpoint_->currentIndex());
}

void KernelView::loadCheckpoint(int index) {
  if (index < 0 || index >= static_cast<int>(checkpoints_.size())) return;
  loading_ = true;
  title_->setText(tr("Run %1: loading %2…").arg(runId_).arg(QString::fromStdString(checkpoints_[index].label)));
  const auto db = dbPath_.toStdString();
  const auto path = checkpoints_[index].path;
  const auto run = runId_;
  // One load at a time: a later choice waits for this one, then replaces it.
  loader_.start([db, path, run] { return report::kernelSnapshots(db, run, path); },
                [this](std::vector<report::KernelSnapshot>&& snapshots, const QString& error) {
                  onSnapshots(std::move(snapshots), error);
                });
}

void KernelView::onSnapshots(std::vector<report::KernelSnapshot>&& snapshots, const QString& error) {
  loading_ = false;
  error_ = error;
  snapshots_ = std::move(snapshots);
  const QString keep = layer_->currentText();
  {
    const QSignalBlocker block(layer_);
    layer_->clear();
    for (const auto& s : snapshots_)
      if (s.ternary) layer_->addItem(QString::fromStdString(s.layer));
    const int i = layer_->findText(keep);
    layer_->setCurrentIndex(i >= 0 ? i : 0);
  }
  const int ci = checkpoint_->currentIndex();
  title_->setText(error_.isEmpty()
                      ? tr("Run %1 — %2: latent FP kernels (left) and their ternary codes per threshold / branch")
                            .arg(runId_)
                            .arg(ci >= 0 ? checkpoint_->itemText(ci) : QString())
                      : tr("Run %1: %2").arg(runId_).arg(error_));
  draw();
  Q_EMIT loaded();
}

QStringList KernelView::layerNames() const {
  QStringList out;
  for (int i = 0; i < layer_->count(); ++i) out << layer_->itemText(i);
  return out;
}

QStringList KernelView::checkpointLabels() const {
  QStringList out;
  for (int i = 0; i < checkpoint_->count(); ++i) out << checkpoint_->itemText(i);
  return out;
}

void KernelView::selectLayer(const QString& layer) { layer_->setCurrentIndex(layer_->findText(layer)); }
void KernelView::selectCheckpoint(int index) { checkpoint_->setCurrentIndex(index); }
void KernelView::selectInputChannel(int channel) { channel_->setValue(channel); }

const report::KernelSnapshot* KernelView::currentSnapshot() const {
  const auto name = layer_->currentText().toStdString();
  for (const auto& s : snapshots_)
    if (s.layer == name) return &s;
  return nullptr;
}

bool KernelView::elementAt(int col, int row, std::int64_t* index) const {
  const auto* s = currentSnapshot();
  if (!s || col < 0 || row < 0) return false;
  if (s->shape.size() == 2) {  // linear: the [out, in] matrix itself
    if (row >= s->shape[0] || col >= s->shape[1]) return false;
    *index = row * s->shape[1] + col;
    return true;
  }
  // conv: one kh×kw tile per output channel, tiles in a grid with a one-cell gap, for the chosen input channel.
  const int tileCol = col / (tileW_ + 1), tileRow = row / (tileH_ + 1);
  const int kx = col % (tileW_ + 1), ky = row % (tileH_ + 1);
  if (kx == tileW_ || ky == tileH_) return false;
  const std::int64_t out = static_cast<std::int64_t>(tileRow) * tileColumns_ + tileCol;
  if (tileCol >= tileColumns_ || out >= s->shape[0]) return false;
  const std::int64_t in = std::min<std::int64_t>(channel_->value(), s->shape[1] - 1);
  *index = ((out * s->shape[1] + in) * s->shape[2] + ky) * s->shape[3] + kx;
  return true;
}

void KernelView::draw() {
  maps_->clearPlottables();
  maps_->plotLayout()->clear();
  latentMap_ = nullptr;
  codeMaps_.clear();
  const auto* s = currentSnapshot();
  if (!s) {
    maps_->replot();
    histogram_->clearPlottables();
    histogram_->clearItems();
    histogram_->replot();
    return;
  }
  const bool conv = s->shape.size() == 4;
  {
    const QSignalBlocker block(channel_);
    channel_->setEnabled(conv);
    channel_->setRange(0, conv ? static_cast<int>(s->shape[1]) - 1 : 0);
    channel_->setValue(std::min(wantedChannel_, channel_->maximum()));
  }
  int cols = 0, rows = 0;
  if (conv) {
    tileW_ = static_cast<int>(s->shape[3]);
    tileH_ = static_cast<int>(s->shape[2]);
    tileColumns_ = std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(s->shape[0])))));
    const int tileRows = static_cast<int>((s->shape[0] + tileColumns_ - 1) / tileColumns_);
    cols = tileColumns_ * (tileW_ + 1) - 1;
    rows = tileRows * (tileH_ + 1) - 1;
  } else {
    cols = static_cast<int>(s->shape[1]);
    rows = static_cast<int>(s->shape[0]);
  }
  // Colour range: the 99th percentile of |W|, so one outlier does not wash every kernel out (beyond it saturates).
  std::vector<float> mags(s->latent.size());
  std::transform(s->latent.begin(), s->latent.end(), mags.begin(), [](float v) { return std::abs(v); });
  auto nth = mags.begin() + static_cast<std::ptrdiff_t>(0.99 * static_cast<double>(mags.size() - 1));
  std::nth_element(mags.begin(), nth, mags.end());
  float maxAbs = mags.empty() ? 1.0f : *nth;
  if (maxAbs == 0) maxAbs = 1;

  const auto gradient = polarGradient();
  auto addMap = [&](int column, const QString& title, double range) {
    auto* rect = new QCPAxisRect(maps_);
    maps_->plotLayout()->addElement(1, column, rect);
    auto* label = new QCPTextElement(maps_, title, QFont(font().family(), 9, QFont::Bold));
    maps_->plotLayout()->addElement(0, column, label);
    rect->axis(QCPAxis::atLeft)->setRangeReversed(true);
    for (auto type : {QCPAxis::atBottom, QCPAxis::atLeft}) {
      rect->axis(type)->setTicks(false);
      rect->axis(type)->grid()->setVisible(false);
    }
    auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    map->data()->setSize(cols, rows);
    map->data()->setRange(QCPRange(0, cols - 1), QCPRange(0, rows - 1));
    map->setGradient(gradient);
    map->setDataRange(QCPRange(-range, range));
    map->setInterpolate(false);
    rect->axis(QCPAxis::atBottom)->setRange(-0.5, cols - 0.5);
    rect->axis(QCPAxis::atLeft)->setRange(-0.5, rows - 0.5);
    return map;
  };
  latentMap_ = addMap(0, tr("latent FP (±%1 = p99 of |W|)").arg(maxAbs, 0, 'g', 3), maxAbs);
  for (std::size_t b = 0; b < s->codes.size(); ++b) {
    QString thr;
    for (double t : s->thresholds[b]) thr += (thr.isEmpty() ? QString() : QStringLiteral(", ")) + QString::number(t, 'g', 3);
    const QString title = s->codes.size() > 1 ? tr("branch %1: Δ = %2 (density %3)").arg(b).arg(thr).arg(s->density(b), 0, 'f', 3)
                                              : tr("ternary codes: Δ = %1 (density %2)").arg(thr).arg(s->density(b), 0, 'f', 3);
    codeMaps_.push_back(addMap(static_cast<int>(b) + 1, title, 1.0));
  }
  for (int row = 0; row < rows; ++row)
    for (int col = 0; col < cols; ++col) {
      std::int64_t i = 0;
      const bool cell = elementAt(col, row, &i);
      latentMap_->data()->setCell(col, row, cell ? s->latent[i] : std::nan(""));
      for (std::size_t b = 0; b < codeMaps_.size(); ++b)
        codeMaps_[b]->data()->setCell(col, row, cell ? static_cast<double>(s->codes[b][i]) : std::nan(""));
    }
  auto* scale = new QCPColorScale(maps_);
  maps_->plotLayout()->addElement(1, static_cast<int>(codeMaps_.size()) + 1, scale);
  scale->setGradient(gradient);
  scale->setDataRange(QCPRange(-maxAbs, maxAbs));
  scale->axis()->setLabel(tr("latent"));
  maps_->replot();
  drawHistogram(*s);
}

void KernelView::drawHistogram(const report::KernelSnapshot& s) {
  histogram_->clearPlottables();
  histogram_->clearItems();
  if (s.latent.empty()) return;
  const auto [lo, hi] = std::minmax_element(s.latent.begin(), s.latent.end());
  const int bins = 80;
  const double a = *lo, width = std::max(1e-12, static_cast<double>(*hi - *lo)) / bins;
  QVector<double> keys(bins), counts(bins, 0);
  for (int i = 0; i < bins; ++i) keys[i] = a + (i + 0.5) * width;
  for (float v : s.latent) counts[std::min(bins - 1, static_cast<int>((v - a) / width))] += 1;
  auto* bars = new QCPBars(histogram_->xAxis, histogram_->yAxis);
  bars->setWidth(width);
  bars->setData(keys, counts, true);
  bars->setPen(Qt::NoPen);
  bars->setBrush(QColor(120, 120, 120));
  bars->setName(tr("latent weights"));
  for (std::size_t b = 0; b < s.thresholds.size(); ++b)
    for (double t : s.thresholds[b]) {
      auto* line = new QCPItemStraightLine(histogram_);
      line->point1->setCoords(t, 0);
      line->point2->setCoords(t, 1);
      line->setPen(QPen(seriesColor(static_cast<int>(b) + 3), 1.5, Qt::DashLine));
    }
  histogram_->rescaleAxes();
  histogram_->xAxis->setRange(a - width, *hi + width);
  histogram_->replot();
}

void KernelView::showHover(QMouseEvent* event) {
  const auto* s = currentSnapshot();
  auto* rect = maps_->axisRectAt(event->position());
  if (!s || !rect) return;
  const int col = static_cast<int>(std::lround(rect->axis(QCPAxis::atBottom)->pixelToCoord(event->position().x())));
  const int row = static_cast<int>(std::lround(rect->axis(QCPAxis::atLeft)->pixelToCoord(event->position().y())));
  std::int64_t i = 0;
  if (!elementAt(col, row, &i)) {
    hover_->setText(QStringLiteral(" "));
    return;
  }
  QString where;
  if (s->shape.size() == 4) {
    const auto kx = i % s->shape[3], ky = (i / s->shape[3]) % s->shape[2];
    const auto in = (i / (s->shape[3] * s->shape[2])) % s->shape[1], out = i / (s->shape[3] * s->shape[2] * s->shape[1]);
    where = QStringLiteral("%1[out %2, in %3, y %4, x %5]").arg(QString::fromStdString(s->layer)).arg(out).arg(in).arg(ky).arg(kx);
  } else {
    where = QStringLiteral("%1[out %2, in %3]").arg(QString::fromStdString(s->layer)).arg(i / s->shape[1]).arg(i % s->shape[1]);
  }
  QString codes;
  for (std::size_t b = 0; b < s->codes.size(); ++b)
    codes += tr("  code%1 %2").arg(s->codes.size() > 1 ? QString::number(b) : QString()).arg(s->codes[b][i]);
  hover_->setText(tr("%1: latent %2%3").arg(where).arg(static_cast<double>(s->latent[i]), 0, 'g', 5).arg(codes));
}

}  // namespace ternlab::views
