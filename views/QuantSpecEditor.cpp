#include "QuantSpecEditor.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>

#include "config/SchemeCatalog.h"

namespace ternlab::views {

nlohmann::json parseNumberList(const QString& text, bool integers) {
  nlohmann::json list = nlohmann::json::array();
  const auto tokens = text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
  for (const auto& t : tokens) {
    bool ok = false;
    if (integers) {
      const qlonglong v = t.toLongLong(&ok);
      if (ok) list.push_back(v);
    } else {
      const double v = t.toDouble(&ok);
      if (ok) list.push_back(v);
    }
    if (!ok) list.push_back(t.toStdString());
  }
  return list;
}

QString formatNumberList(const std::vector<double>& values) {
  QStringList parts;
  for (double v : values) parts << QString::number(v, 'g', 10);
  return parts.join(QStringLiteral(", "));
}

QuantSpecEditor::QuantSpecEditor(bool forWeights, const QString& namePrefix, QWidget* parent)
    : QWidget(parent), forWeights_(forWeights), prefix_(namePrefix) {
  auto* form = new QFormLayout(this);
  form->setContentsMargins(0, 0, 0, 0);
  auto named = [&](QWidget* w, const char* key) {
    w->setObjectName(prefix_ + QLatin1Char('.') + QLatin1String(key));
    return w;
  };

  scheme_ = new QComboBox;
  for (const auto& s : config::schemeCatalog()) {
    if (forWeights ? !s.forWeights : !s.forActivations) continue;
    scheme_->addItem(QString::fromStdString(s.name), QString::fromStdString(s.name));
    scheme_->setItemData(scheme_->count() - 1, QString::fromStdString(s.title), Qt::ToolTipRole);
  }
  form->addRow(tr("Scheme"), named(scheme_, "scheme"));

  factor_ = new QDoubleSpinBox;
  factor_->setDecimals(4);
  factor_->setRange(0.0, 10.0);  // 0 shows "—" for schemes without a factor; the core rejects it for the others
  factor_->setSpecialValueText(QStringLiteral("—"));
  factor_->setSingleStep(0.01);
  factor_->setToolTip(tr("Threshold factor: TWN multiplier of E|W|, TTQ t, He et al. β"));
  form->addRow(tr("Threshold factor"), named(factor_, "factor"));

  branches_ = new QSpinBox;
  branches_->setRange(1, 8);
  branches_->setToolTip(tr("REL residual expansion: number of ternary branches T_ex (1 = plain)"));
  form->addRow(tr("REL branches"), named(branches_, "branches"));

  betas_ = new QLineEdit;
  betas_->setPlaceholderText(tr("default for the branch count"));
  betas_->setToolTip(tr("REL thresholds β_1 < … < β_T, comma separated; one per branch"));
  form->addRow(tr("REL β list"), named(betas_, "betas"));

  uniform_ = new QComboBox;
  uniform_->addItems({QStringLiteral("off"), QStringLiteral("gaussian"), QStringLiteral("half-gaussian")});
  uniform_->setToolTip(tr("Uniform-distribution normalisation (thirds of a Gaussian / half-Gaussian)"));
  form->addRow(tr("Normalisation"), named(uniform_, "uniform"));

  optionsBox_ = new QWidget;
  optionsLayout_ = new QFormLayout(optionsBox_);
  optionsLayout_->setContentsMargins(0, 0, 0, 0);
  form->addRow(optionsBox_);

  connect(scheme_, &QComboBox::currentIndexChanged, this, [this] { schemeChanged(); });
  connect(factor_, &QDoubleSpinBox::valueChanged, this, &QuantSpecEditor::changed);
  connect(branches_, &QSpinBox::valueChanged, this, &QuantSpecEditor::branchesChanged);
  connect(betas_, &QLineEdit::textChanged, this, &QuantSpecEditor::changed);
  connect(uniform_, &QComboBox::currentIndexChanged, this, &QuantSpecEditor::changed);
  schemeChanged();
}

QString QuantSpecEditor::scheme() const { return scheme_->currentData().toString(); }

void QuantSpecEditor::updateEnabled() {
  const auto* info = config::findScheme(scheme().toStdString());
  const bool thresholds = info && info->hasThresholdFactor;
  factor_->setEnabled(thresholds);
  branches_->setEnabled(thresholds);
  betas_->setEnabled(thresholds);
  uniform_->setEnabled(info && info->name != "none");
  scheme_->setToolTip(info ? QString::fromStdString(info->title) : QString());
}

void QuantSpecEditor::schemeChanged() {
  updateEnabled();
  const auto* info = config::findScheme(scheme().toStdString());
  const bool thresholds = info && info->hasThresholdFactor;
  if (!loading_) {
    if (info) factor_->setValue(thresholds ? info->defaultFactor : 0.0);
    if (!thresholds) {
      branches_->setValue(1);
      betas_->clear();
    }
    rebuildOptions({});
  }
  Q_EMIT changed();
}

void QuantSpecEditor::branchesChanged(int branches) {
  // Keep the β list in step with the branch count while the user has not chosen one of their own.
  if (!loading_) {
    const QString previousDefault = lastBranches_ > 1 ? formatNumberList(config::defaultRelBetas(lastBranches_)) : QString();
    if (betas_->text().trimmed().isEmpty() || betas_->text() == previousDefault)
      betas_->setText(branches > 1 ? formatNumberList(config::defaultRelBetas(branches)) : QString());
  }
  lastBranches_ = branches;
  Q_EMIT changed();
}

void QuantSpecEditor::rebuildOptions(const std::map<std::string, double>& values) {
  while (optionsLayout_->rowCount() > 0) optionsLayout_->removeRow(0);
  options_.clear();
  explicitOptions_.clear();
  const auto* info = config::findScheme(scheme().toStdString());
  if (!info) return;
  for (const auto& o : info->options) {
    auto* spin = new QDoubleSpinBox;
    spin->setObjectName(prefix_ + QStringLiteral(".options.") + QString::fromStdString(o.key));
    spin->setDecimals(4);
    spin->setRange(o.min, o.max);
    auto it = values.find(o.key);
    spin->setValue(it != values.end() ? it->second : o.defaultValue);
    spin->setToolTip(QString::fromStdString(o.help));
    if (it != values.end()) explicitOptions_.insert(o.key);
    connect(spin, &QDoubleSpinBox::valueChanged, this, [this, key = o.key] {
      explicitOptions_.insert(key);
      Q_EMIT changed();
    });
    optionsLayout_->addRow(QString::fromStdString(o.key), spin);
    options_[o.key] = spin;
  }
  optionsBox_->setVisible(!options_.empty());
}

nlohmann::json QuantSpecEditor::toJson() const {
  nlohmann::json j{{"scheme", scheme().toStdString()}};
  const auto* info = config::findScheme(scheme().toStdString());
  if (info && info->hasThresholdFactor) {
    j["factor"] = factor_->value();
    j["branches"] = branches_->value();
    if (!betas_->text().trimmed().isEmpty()) j["betas"] = parseNumberList(betas_->text(), false);
  }
  j["uniform"] = uniform_->currentText().toStdString();
  nlohmann::json opts = nlohmann::json::object();
  if (info)
    for (const auto& o : info->options) {
      auto it = options_.find(o.key);
      // Options the file or the user set are kept even at their default, so a file round-trips as written.
      if (it != options_.end() && (explicitOptions_.count(o.key) || it->second->value() != o.defaultValue))
        opts[o.key] = it->second->value();
    }
  if (!opts.empty()) j["options"] = opts;
  return j;
}

void QuantSpecEditor::setSpec(const config::QuantSpec& spec) {
  loading_ = true;
  const int index = scheme_->findData(QString::fromStdString(spec.scheme));
  scheme_->setCurrentIndex(index >= 0 ? index : 0);
  const auto* info = config::findScheme(spec.scheme);
  factor_->setValue(info && info->hasThresholdFactor ? spec.factor : 0.0);
  branches_->setValue(spec.branches);
  lastBranches_ = spec.branches;
  betas_->setText(formatNumberList(spec.betas));
  uniform_->setCurrentText(QString::fromStdString(spec.uniform));
  rebuildOptions(spec.options);
  loading_ = false;
  updateEnabled();
  Q_EMIT changed();
}

QWidget* QuantSpecEditor::fieldFor(const QString& relKey) const {
  if (relKey == QLatin1String("scheme")) return scheme_;
  if (relKey == QLatin1String("factor")) return factor_;
  if (relKey == QLatin1String("branches")) return branches_;
  if (relKey.startsWith(QLatin1String("betas"))) return betas_;
  if (relKey == QLatin1String("uniform")) return uniform_;
  if (relKey.startsWith(QLatin1String("options."))) {
    auto it = options_.find(relKey.mid(8).toStdString());
    return it != options_.end() ? it->second : optionsBox_;
  }
  return scheme_;
}

}  // namespace ternlab::views
