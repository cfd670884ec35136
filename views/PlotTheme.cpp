#include "PlotTheme.h"

#include <QEvent>

#include "PlotIncludes.h"

namespace ternlab::views {

namespace {

void applyPalette(QCustomPlot* plot) {
  const QPalette& p = plot->palette();
  const QColor base = p.color(QPalette::Base), text = p.color(QPalette::Text);
  QColor grid = text;
  grid.setAlpha(45);
  plot->setBackground(base);
  for (auto* rect : plot->axisRects()) {
    for (auto* axis : rect->axes()) {
      axis->setBasePen(QPen(text));
      axis->setTickPen(QPen(text));
      axis->setSubTickPen(QPen(text));
      axis->setLabelColor(text);
      axis->setTickLabelColor(text);
      axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    }
    // Every legend lives in some axis rect's inset layout, the default one included (when it still exists).
    for (int i = 0; i < rect->insetLayout()->elementCount(); ++i)
      if (auto* legend = qobject_cast<QCPLegend*>(rect->insetLayout()->elementAt(i))) {
        QColor fill = base;
        fill.setAlpha(210);
        legend->setBrush(fill);
        legend->setTextColor(text);
        legend->setBorderPen(QPen(text));
      }
  }
}

// Replots when the palette changes (a theme switch), so the colours above are taken again.
class PaletteWatcher : public QObject {
 public:
  using QObject::QObject;
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() == QEvent::PaletteChange)
      if (auto* plot = qobject_cast<QCustomPlot*>(watched)) plot->replot(QCustomPlot::rpQueuedReplot);
    return false;
  }
};

}  // namespace

void followPalette(QCustomPlot* plot) {
  QObject::connect(plot, &QCustomPlot::beforeReplot, plot, [plot] { applyPalette(plot); });
  plot->installEventFilter(new PaletteWatcher(plot));
  applyPalette(plot);
}

}  // namespace ternlab::views
