#include "AppIcon.h"

#include <QPainter>
#include <QPixmap>

namespace ternlab::views {

QIcon appIcon() {
  QIcon svg(QStringLiteral(":/icons/ternlab.svg"));
  if (!svg.isNull() && !svg.pixmap(64, 64).isNull()) return svg;
  QPixmap pix(64, 64);
  pix.fill(Qt::transparent);
  QPainter p(&pix);
  p.setRenderHint(QPainter::Antialiasing);
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(0x1f, 0x2a, 0x44));
  p.drawRoundedRect(2, 2, 60, 60, 10, 10);
  p.setBrush(QColor(0xe0, 0x60, 0x5e));
  p.drawRoundedRect(12, 32, 10, 18, 2, 2);
  p.setBrush(QColor(0xc9, 0xce, 0xd8));
  p.drawRoundedRect(27, 29, 10, 6, 2, 2);
  p.setBrush(QColor(0x4f, 0xb2, 0x86));
  p.drawRoundedRect(42, 14, 10, 18, 2, 2);
  p.setPen(QPen(QColor(0xf4, 0xc9, 0x5d), 2.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
  p.setBrush(Qt::NoBrush);
  const QPointF curve[] = {{8, 20}, {20, 24}, {32, 40}, {44, 44}, {56, 46}};
  p.drawPolyline(curve, 5);
  return QIcon(pix);
}

}  // namespace ternlab::views
