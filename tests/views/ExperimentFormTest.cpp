// The experiment editor: the core's validation shown at the field, presets round-trip, catalog-driven.
#include <QCheckBox>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include "ExperimentForm.h"
#include "Presets.h"
#include "ViewTestSupport.h"
#include "config/ConfigError.h"
#include "config/SchemeCatalog.h"

using namespace ternlab;
using namespace ternlab::views;

class ExperimentFormTest : public QObject {
  Q_OBJECT
 private:
  // What the core itself says about the form's document.
  static QString coreMessage(const ExperimentForm& form, QString* keyPath = nullptr) {
    try {
      config::parseExperiment(form.document());
    } catch (const config::ConfigError& e) {
      if (keyPath) *keyPath = QString::fromStdString(e.keyPath());
      return QString::fromStdString(e.detail());
    }
    return {};
  }
  template <class W>
  static W* field(ExperimentForm& f, const char* name) {
    auto* w = f.findChild<W*>(QLatin1String(name));
    if (!w) qFatal("no widget %s", name);
    return w;
  }

 private Q_SLOTS:
  void badBetaListRejectedWithCoreMessage() {
    ExperimentForm form;
    QVERIFY(form.isValid());
    auto* scheme = field<QComboBox>(form, "weights.scheme");
    scheme->setCurrentIndex(scheme->findData(QStringLiteral("ics")));
    field<QSpinBox>(form, "weights.branches")->setValue(2);
    QVERIFY(form.isValid());  // the default β list for two branches
    auto* betas = field<QLineEdit>(form, "weights.betas");
    betas->setText(QStringLiteral("0.1, 0.05"));  // not increasing

    QVERIFY(!form.isValid());
    QString keyPath;
    const QString message = coreMessage(form, &keyPath);
    QVERIFY(message.contains(QLatin1String("strictly increasing")));
    QCOMPARE(form.errorKeyPath(), keyPath);
    QCOMPARE(form.errorMessage(), message);
    QCOMPARE(form.flaggedField(), static_cast<QWidget*>(betas));
    QCOMPARE(betas->property("invalid").toBool(), true);
    QCOMPARE(betas->toolTip(), message);

    // Wrong count: the core's other message, same field.
    betas->setText(QStringLiteral("0.05, 0.1, 0.2"));
    QVERIFY(!form.isValid());
    QVERIFY(form.errorMessage().contains(QLatin1String("branches is 2")));
    QCOMPARE(form.flaggedField(), static_cast<QWidget*>(betas));

    // Not a number: still the core's message.
    betas->setText(QStringLiteral("0.05, abc"));
    QVERIFY(!form.isValid());
    QCOMPARE(form.errorMessage(), coreMessage(form));

    betas->setText(QStringLiteral("0.03, 0.09"));
    QVERIFY(form.isValid());
    QCOMPARE(betas->property("invalid").toBool(), false);
    const auto cfg = form.config();
    QVERIFY(cfg.has_value());
    QCOMPARE(cfg->quant.weights.betas, (std::vector<double>{0.03, 0.09}));
  }

  void otherErrorsLandOnTheirField() {
    ExperimentForm form;
    field<QDoubleSpinBox>(form, "momentum")->setValue(0.0);
    field<QCheckBox>(form, "nesterov")->setChecked(true);
    QVERIFY(!form.isValid());
    QCOMPARE(form.errorKeyPath(), QStringLiteral("optimizer.nesterov"));
    QCOMPARE(form.flaggedField(), form.findChild<QWidget*>(QStringLiteral("nesterov")));
    field<QCheckBox>(form, "nesterov")->setChecked(false);
    field<QLineEdit>(form, "milestones")->setText(QStringLiteral("60, 30"));
    QVERIFY(!form.isValid());
    QCOMPARE(form.flaggedField(), form.findChild<QWidget*>(QStringLiteral("milestones")));
    QCOMPARE(form.errorMessage(), coreMessage(form));
  }

  void schemesAndOptionsComeFromTheCatalog() {
    ExperimentForm form;
    auto* scheme = field<QComboBox>(form, "weights.scheme");
    QStringList expected;
    for (const auto& s : config::schemeCatalog())
      if (s.forWeights) expected << QString::fromStdString(s.name);
    QStringList shown;
    for (int i = 0; i < scheme->count(); ++i) shown << scheme->itemData(i).toString();
    QCOMPARE(shown, expected);
    for (const auto& s : config::schemeCatalog()) {
      if (!s.forWeights) continue;
      scheme->setCurrentIndex(scheme->findData(QString::fromStdString(s.name)));
      QVERIFY2(form.isValid(), qPrintable(form.errorMessage()));
      for (const auto& o : s.options) {
        auto* spin = form.findChild<QDoubleSpinBox*>(QStringLiteral("weights.options.") + QString::fromStdString(o.key));
        QVERIFY(spin);
        QCOMPARE(spin->value(), o.defaultValue);
        spin->setValue(o.max);
        QCOMPARE(config::parseExperiment(form.document()).quant.weights.option(o.key), o.max);
      }
      if (s.hasThresholdFactor)
        QCOMPARE(config::parseExperiment(form.document()).quant.weights.factor, s.defaultFactor);
    }
  }

  void presetsRoundTrip() {
    const auto files = presetFiles(QStringLiteral(TERNLAB_SOURCE_DIR "/experiments"));
    QVERIFY(files.size() >= 2);
    for (const auto& path : files) {
      const QString name = QFileInfo(path).fileName();
      ExperimentForm form;
      QString error;
      QVERIFY2(form.loadFile(path, &error), qPrintable(error));
      QVERIFY2(form.isValid(), qPrintable(form.errorMessage()));
      const auto original = config::loadExperimentFile(path.toStdString());
      const auto edited = config::parseExperiment(form.document());
      const auto a = config::flatten(config::toJson(edited));
      const auto b = config::flatten(config::toJson(original));
      QStringList differing;
      for (const auto& [k, v] : b) {
        auto it = a.find(k);
        if (it == a.end() || it->second != v)
          differing << QString::fromStdString(k + ": " + (it == a.end() ? "(missing)" : it->second) + " vs " + v);
      }
      for (const auto& [k, v] : a)
        if (!b.count(k)) differing << QString::fromStdString(k + ": extra");
      QVERIFY2(differing.isEmpty(), qPrintable(name + QStringLiteral(": ") + differing.join(QStringLiteral("; "))));
    }
  }

  void saveThenLoadGivesTheSameExperiment() {
    QTemporaryDir dir;
    ExperimentForm a;
    field<QLineEdit>(a, "name")->setText(QStringLiteral("saved"));
    field<QSpinBox>(a, "epochs")->setValue(3);
    auto* scheme = field<QComboBox>(a, "weights.scheme");
    scheme->setCurrentIndex(scheme->findData(QStringLiteral("ttq")));
    field<QComboBox>(a, "lastLayer")->setCurrentText(QStringLiteral("ternary"));
    field<QComboBox>(a, "activation")->setCurrentText(QStringLiteral("rprelu"));
    const QString path = dir.filePath(QStringLiteral("e.json"));
    QString error;
    QVERIFY2(a.saveFile(path, &error), qPrintable(error));
    ExperimentForm b;
    QVERIFY2(b.loadFile(path, &error), qPrintable(error));
    QCOMPARE(QString::fromStdString(b.document().dump()), QString::fromStdString(a.document().dump()));
    QCOMPARE(config::loadExperimentFile(path.toStdString()).quant.weights.scheme, std::string("ttq"));
    QCOMPARE(config::loadExperimentFile(path.toStdString()).model.activation, std::string("rprelu"));
    QCOMPARE(field<QComboBox>(b, "activation")->currentText(), QStringLiteral("rprelu"));
  }

  void badStagesJsonIsFlagged() {
    ExperimentForm form;
    auto* stages = form.findChild<QPlainTextEdit*>(QStringLiteral("stages"));
    QVERIFY(stages);
    stages->setPlainText(QStringLiteral("[ { \"epochs\": 2 }"));
    QVERIFY(!form.isValid());
    QCOMPARE(form.flaggedField(), static_cast<QWidget*>(stages));
    stages->setPlainText(QStringLiteral("[ { \"epochs\": -2 } ]"));
    QVERIFY(!form.isValid());
    QCOMPARE(form.errorKeyPath(), QStringLiteral("stages[0].epochs"));
    QCOMPARE(form.flaggedField(), static_cast<QWidget*>(stages));
    stages->setPlainText(QStringLiteral("[ { \"name\": \"a\", \"epochs\": 2 } ]"));
    QVERIFY2(form.isValid(), qPrintable(form.errorMessage()));
  }
};

TERNLAB_VIEW_TEST_SUITE(ExperimentFormTest);
#include "ExperimentFormTest.moc"
