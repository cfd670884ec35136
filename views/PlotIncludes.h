#pragma once
// qcustomplot.h is written with Qt's `signals` and `foreach` keywords, which QT_NO_KEYWORDS (needed
// beside LibTorch) removes; every view includes QCustomPlot through this header instead.
#ifndef signals
#define signals Q_SIGNALS
#define TERNLAB_UNDEF_SIGNALS
#endif
#ifndef foreach
#define foreach Q_FOREACH
#define TERNLAB_UNDEF_FOREACH
#endif
#include <qcustomplot.h>
#ifdef TERNLAB_UNDEF_SIGNALS
#undef signals
#undef TERNLAB_UNDEF_SIGNALS
#endif
#ifdef TERNLAB_UNDEF_FOREACH
#undef foreach
#undef TERNLAB_UNDEF_FOREACH
#endif
