#include "KernelSpeedPanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMetaObject>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QFileInfo>
#include <QThread>
#include <QVBoxLayout>
#include <algorithm>
#include <map>

#include "PlotIncludes.h"
#include "PlotTheme.h"
#include "PlotPalette.h"

namespace ternlab::views {

QString KernelSpeedPanel::kernelIntro() {
  return tr("Measures the ternary GEMM kernels against LibTorch fp32 on this CPU (one thread, median of 30 runs per "
            "shape), the same suite as `ternlab-cli bench`.");
}

KernelSpeedPanel::KernelSpeedPanel(QString dbPath, QWidget* parent) : QWidget(parent), dbPath_(std::move(dbPath)) {
  run_ = new QPushButton(tr("Measure kernels"));
  run_->setObjectName(QStringLiteral("benchButton"));
  runNetworks_ = new QPushButton(tr("Measure networks"));
  runNetworks_->setObjectName(QStringLiteral("benchNetworksButton"));
  runNetworks_->setToolTip(tr("The packed engine on LeNet-5, VGG-S, ResNet-20 and ResNet-18 (random LSQ W+A weights, "
                              "1×28×28) against LibTorch fp32 eager and fake-quant in the same process"));
  progress_ = new QProgressBar;
  progress_->setObjectName(QStringLiteral("benchProgress"));
  progress_->setRange(0, 1);
  progress_->setValue(0);
  summary_ = new QLabel(kernelIntro());
  summary_->setWordWrap(true);
  summary_->setObjectName(QStringLiteral("benchSummary"));
  speedup_ = new QCustomPlot;
  speedup_->setObjectName(QStringLiteral("benchSpeedup"));
  speedup_->yAxis->setLabel(tr("speed-up over LibTorch fp32 (×)"));
  speedup_->legend->setVisible(true);
  bound_ = new QCustomPlot;
  bound_->setObjectName(QStringLiteral("benchBound"));
  followPalette(speedup_);
  followPalette(bound_);
  bound_->yAxis->setLabel(tr("MAC / cycle"));
  bound_->legend->setVisible(true);
  networks_ = new QCustomPlot;
  networks_->setObjectName(QStringLiteral("benchNetworks"));
  followPalette(networks_);
  networks_->yAxis->setLabel(tr("images/s ÷ LibTorch fp32 eager (×)"));
  networks_->legend->setVisible(true);
  networkSummary_ = new QLabel(tr("No network measurement recorded in this store yet."));
  networkSummary_->setWordWrap(true);
  networkSummary_->setObjectName(QStringLiteral("benchNetworkSummary"));
  auto* top = new QHBoxLayout;
  top->addWidget(run_);
  top->addWidget(runNetworks_);
  top->addWidget(progress_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(summary_);
  layout->addWidget(speedup_, 1);
  layout->addWidget(bound_, 1);
  layout->addWidget(networkSummary_);
  layout->addWidget(networks_, 1);
  connect(run_, &QPushButton::clicked, this, [this] { runBenchmark(); });
  connect(runNetworks_, &QPushButton::clicked, this, [this] { runBenchmark(networkOptions()); });
  if (!dbPath_.isEmpty() && QFileInfo(dbPath_).isFile()) {
    try {
      const auto recorded = engine::latestNetworkBench(dbPath_.toStdString());
      if (!recorded.result.rows.empty()) {
        networkRun_ = recorded.run;
        drawNetworks(recorded.result);
      }
    } catch (const std::exception& e) {
      networkSummary_->setText(tr("Could not read the recorded network benchmark: %1").arg(QString::fromUtf8(e.what())));
    }
  }
}

KernelSpeedPanel::~KernelSpeedPanel() = default;

engine::BenchSuiteOptions KernelSpeedPanel::quickOptions() {
  engine::BenchSuiteOptions o;
  o.threads = 1;
  o.runs = 30;
  o.kernelsOnly = true;
  return o;
}

engine::BenchSuiteOptions KernelSpeedPanel::networkOptions() {
  engine::BenchSuiteOptions o;
  o.threads = std::clamp(QThread::idealThreadCount(), 1, 2);
  o.runs = 30;
  o.networksOnly = true;
  return o;
}

void KernelSpeedPanel::setRunning(bool running) {
  run_->setEnabled(!running);
  runNetworks_->setEnabled(!running);
}

void KernelSpeedPanel::runBenchmark(engine::BenchSuiteOptions options) {
  if (worker_.running()) return;
  setRunning(true);
  progress_->setRange(0, 0);  // busy until the first shape is done
  summary_->setText(tr("Measuring… (the window stays usable; the numbers are better with nothing else running)"));
  QPointer<KernelSpeedPanel> self(this);
  options.progress = [self](int done, int total) {
    QMetaObject::invokeMethod(
        self, [self, done, total] { if (self) self->onProgress(done, total); }, Qt::QueuedConnection);
  };
  const auto db = dbPath_.toStdString();
  worker_.start(
      [options, db] {
        Measured m;
        m.result = engine::runBenchSuite(options);
        if (!db.empty()) m.recordedRun = engine::recordBench(m.result, db);
        return m;
      },
      [this](Measured&& measured, const QString& error) { onWorkerDone(measured, error); });
}

void KernelSpeedPanel::onProgress(int done, int total) {
  progress_->setRange(0, total);
  progress_->setValue(done);
}

void KernelSpeedPanel::onWorkerDone(const Measured& measured, const QString& error) {
  recordedRun_ = measured.recordedRun;
  setRunning(false);
  progress_->setRange(0, 1);
  progress_->setValue(1);
  if (!error.isEmpty()) {
    summary_->setText(tr("Benchmark failed: %1").arg(error));
  } else {
    showResult(measured.result);
  }
  Q_EMIT finished();
}

void KernelSpeedPanel::showResult(const engine::BenchSuiteResult& r) {
  result_ = r;
  const auto has = [&r](const char* level) {
    return std::any_of(r.rows.begin(), r.rows.end(), [level](const auto& row) { return row.level == level; });
  };
  if (has("network")) {
    networkRun_ = recordedRun_;
    drawNetworks(r);
  }
  if (has("kernel"))
    drawKernels(r);
  else
    summary_->setText(kernelIntro());
}

void KernelSpeedPanel::drawKernels(const engine::BenchSuiteResult& r) {
  speedup_->clearPlottables();
  bound_->clearPlottables();
  bound_->clearItems();
  // Kernel rows only: shapes on the x axis, one bar group per ternary kernel.
  QVector<QString> shapes;
  std::map<std::string, std::map<std::string, const engine::BenchRow*>> byKernel;  // kernel → shape → row
  for (const auto& row : r.rows) {
    if (row.level != "kernel" || row.kernel.rfind("torch", 0) == 0) continue;
    const QString shape = QString::fromStdString(row.shape);
    if (!shapes.contains(shape)) shapes.push_back(shape);
    byKernel[row.kernel][row.shape] = &row;
  }
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int i = 0; i < shapes.size(); ++i) ticker->addTick(i + 1, shapes[i]);
  for (auto* plot : {speedup_, bound_}) {
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setTickLabelRotation(35);
    plot->xAxis->setRange(0.3, shapes.size() + 0.7);
  }
  auto* group1 = new QCPBarsGroup(speedup_);
  auto* group2 = new QCPBarsGroup(bound_);
  int k = 0;
  double maxSpeed = 1, maxMac = r.boundMacPerCycle * std::max(1, r.threads);
  for (const auto& [kernel, rows] : byKernel) {
    auto* s = new QCPBars(speedup_->xAxis, speedup_->yAxis);
    auto* m = new QCPBars(bound_->xAxis, bound_->yAxis);
    for (auto* bars : {s, m}) {
      bars->setName(QString::fromStdString(kernel));
      bars->setBrush(seriesColor(k));
      bars->setPen(Qt::NoPen);
      bars->setWidth(0.8 / static_cast<double>(byKernel.size()));
    }
    s->setBarsGroup(group1);
    m->setBarsGroup(group2);
    for (int i = 0; i < shapes.size(); ++i) {
      auto it = rows.find(shapes[i].toStdString());
      if (it == rows.end()) continue;
      s->addData(i + 1, it->second->ratioToTorch);
      m->addData(i + 1, it->second->macPerCycle);
      maxSpeed = std::max(maxSpeed, it->second->ratioToTorch);
      maxMac = std::max(maxMac, it->second->macPerCycle);
    }
    ++k;
  }
  // fp32 parity on the speed-up plot, the instruction bound on the MAC/cycle plot.
  auto* parity = new QCPItemStraightLine(speedup_);
  parity->point1->setCoords(0, 1);
  parity->point2->setCoords(1, 1);
  parity->setPen(QPen(Qt::gray, 1, Qt::DashLine));
  auto* boundLine = new QCPItemStraightLine(bound_);
  const double bound = r.boundMacPerCycle * std::max(1, r.threads);
  boundLine->point1->setCoords(0, bound);
  boundLine->point2->setCoords(1, bound);
  boundLine->setPen(QPen(QColor(200, 30, 30), 2, Qt::DashLine));
  auto* boundLabel = new QCPItemText(bound_);
  boundLabel->position->setCoords(shapes.size() * 0.5 + 0.5, bound);
  boundLabel->setPositionAlignment(Qt::AlignBottom | Qt::AlignHCenter);
  boundLabel->setText(tr("bound %1 MAC/cycle").arg(bound, 0, 'f', 0));
  boundLabel->setColor(QColor(200, 30, 30));
  speedup_->yAxis->setRange(0, maxSpeed * 1.15);
  bound_->yAxis->setRange(0, maxMac * 1.15);
  speedup_->replot();
  bound_->replot();
  summary_->setText(tr("%1, %2 thread(s), clock %3 GHz, median of %4 runs. Bound: %5%6")
                        .arg(QString::fromStdString(r.isa))
                        .arg(r.threads)
                        .arg(r.cpuHz * 1e-9, 0, 'f', 2)
                        .arg(r.runs)
                        .arg(QString::fromStdString(r.boundNote))
                        .arg(recordedRun_ ? tr(". Recorded as run %1.").arg(recordedRun_) : QString()));
}

// One bar group per network row (architecture, batch, threads): the packed engine's and LibTorch fake-quant's
// images/s, each divided by LibTorch fp32 eager's in the same row; a dashed line at parity.
void KernelSpeedPanel::drawNetworks(const engine::BenchSuiteResult& r) {
  networks_->clearPlottables();
  networks_->clearItems();
  std::vector<const engine::BenchRow*> rows;
  for (const auto& row : r.rows)
    if (row.level == "network") rows.push_back(&row);
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (std::size_t i = 0; i < rows.size(); ++i) ticker->addTick(static_cast<double>(i + 1), QString::fromStdString(rows[i]->shape));
  networks_->xAxis->setTicker(ticker);
  networks_->xAxis->setTickLabelRotation(35);
  networks_->xAxis->setRange(0.3, static_cast<double>(rows.size()) + 0.7);
  auto* group = new QCPBarsGroup(networks_);
  auto* packed = new QCPBars(networks_->xAxis, networks_->yAxis);
  auto* fake = new QCPBars(networks_->xAxis, networks_->yAxis);
  // ONNX Runtime fp32 (measured by `ternlab-cli bench`, which runs it in node) when the run has it.
  const bool withOrt = std::any_of(rows.begin(), rows.end(), [](const auto* row) { return row->onnxRuntimeFpImagesPerSecond > 0; });
  auto* ort = withOrt ? new QCPBars(networks_->xAxis, networks_->yAxis) : nullptr;
  packed->setName(tr("packed engine"));
  fake->setName(tr("LibTorch fake-quant"));
  if (ort) ort->setName(tr("ONNX Runtime fp32"));
  int k = 0;
  std::vector<QCPBars*> series{packed, fake};
  if (ort) series.push_back(ort);
  for (auto* bars : series) {
    bars->setBrush(seriesColor(k++));
    bars->setPen(Qt::NoPen);
    bars->setWidth(0.8 / static_cast<double>(series.size()));
    bars->setBarsGroup(group);
  }
  double top = 1;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = *rows[i];
    const double fp = row.torchFpImagesPerSecond > 0 ? row.torchFpImagesPerSecond : 1;
    packed->addData(static_cast<double>(i + 1), row.imagesPerSecond / fp);
    fake->addData(static_cast<double>(i + 1), row.torchImagesPerSecond / fp);
    if (ort && row.onnxRuntimeFpImagesPerSecond > 0) ort->addData(static_cast<double>(i + 1), row.onnxRuntimeFpImagesPerSecond / fp);
    top = std::max({top, row.imagesPerSecond / fp, row.torchImagesPerSecond / fp, row.onnxRuntimeFpImagesPerSecond / fp});
  }
  auto* parity = new QCPItemStraightLine(networks_);
  parity->point1->setCoords(0, 1);
  parity->point2->setCoords(1, 1);
  parity->setPen(QPen(Qt::gray, 1, Qt::DashLine));
  networks_->yAxis->setRange(0, top * 1.15);
  networks_->replot();
  networkSummary_->setText(tr("Packed networks, %1, up to %2 thread(s)%3: images/s over LibTorch fp32 eager (oneDNN ISA "
                              "%4) in the same process (1× dashed).")
                               .arg(QString::fromStdString(r.isa.empty() ? std::string("?") : r.isa))
                               .arg(r.threads)
                               .arg(networkRun_ ? tr(", bench run %1").arg(networkRun_) : QString())
                               .arg(QString::fromStdString(r.baselineIsa.empty() ? std::string("native") : r.baselineIsa)));
}

}  // namespace ternlab::views
