#pragma once
#include <QElapsedTimer>
#include <QString>

namespace ternlab::views {

// Remaining time of a run from the elapsed wall clock and the fraction done (a straight-line guess).
class EtaEstimator {
 public:
  void start() { clock_.start(); }
  double elapsedSeconds() const { return clock_.isValid() ? clock_.elapsed() / 1000.0 : 0.0; }
  // Seconds left, or a negative value while too little is done to say.
  double remainingSeconds(double fraction) const {
    if (fraction < 0.01 || !clock_.isValid()) return -1.0;
    return elapsedSeconds() * (1.0 - fraction) / fraction;
  }
  static QString format(double seconds) {
    if (seconds < 0) return QStringLiteral("–");
    const qint64 s = static_cast<qint64>(seconds + 0.5);
    return s >= 3600 ? QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
  }

 private:
  QElapsedTimer clock_;
};

}  // namespace ternlab::views
