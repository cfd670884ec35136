#include "ExperimentForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFile>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>
#include <climits>

#include "QuantSpecEditor.h"
#include "config/ConfigError.h"

namespace ternlab::views {

namespace {

template <class W>
W* named(W* w, const char* name) {
  w->setObjectName(QLatin1String(name));
  return w;
}

QSpinBox* intSpin(const char* name, int min, int max, int value) {
  auto* s = named(new QSpinBox, name);
  s->setRange(min, max);
  s->setValue(value);
  return s;
}

QDoubleSpinBox* doubleSpin(const char* name, double min, double max, double value, int decimals, double step) {
  auto* s = named(new QDoubleSpinBox, name);
  s->setDecimals(decimals);
  s->setRange(min, max);
  s->setSingleStep(step);
  s->setValue(value);
  return s;
}

QComboBox* choice(const char* name, const QStringList& items) {
  auto* c = named(new QComboBox, name);
  c->addItems(items);
  return c;
}

// An editable combo offering stored runs: the chosen item's reference (run id), or the typed text.
std::string runReference(const QComboBox* c) {
  const QString text = c->currentText().trimmed();
  const int i = c->findText(text);
  if (i >= 0) return c->itemData(i).toString().toStdString();
  return text.toStdString();
}

void setRunReference(QComboBox* c, const std::string& ref) {
  const int i = c->findData(QString::fromStdString(ref));
  if (i >= 0)
    c->setCurrentIndex(i);
  else
    c->setEditText(QString::fromStdString(ref));
}

QString withoutIndexes(QString keyPath) {
  static const QRegularExpression index(QStringLiteral("\\[\\d+\\]"));
  return keyPath.remove(index);
}

}  // namespace

// Error colours from the palette, so they read on a dark theme as on a light one: a red of the opposite
// lightness to the window, and invalid fields tinted 20 % towards it from the palette's base colour.
void ExperimentForm::applyPaletteColours() {
  if (!errorLabel_) return;  // a palette change before the constructor built the form
  const QPalette p = palette();
  const bool dark = p.color(QPalette::Window).lightness() < 128;
  const QColor error = dark ? QColor(255, 128, 128) : QColor(176, 32, 32);
  const QColor base = p.color(QPalette::Base);
  const QColor tint((base.red() * 4 + error.red()) / 5, (base.green() * 4 + error.green()) / 5,
                    (base.blue() * 4 + error.blue()) / 5);
  const QString sheet = QStringLiteral("*[invalid=\"true\"] { border: 2px solid %1; background: %2; }")
                            .arg(error.name(), tint.name());
  if (sheet == styleSheet()) return;  // a style sheet change can report a palette change: no loop
  errorLabel_->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;").arg(error.name()));
  setStyleSheet(sheet);
}

void ExperimentForm::changeEvent(QEvent* e) {
  if (e->type() == QEvent::PaletteChange) applyPaletteColours();
  QWidget::changeEvent(e);
}

ExperimentForm::ExperimentForm(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  errorLabel_ = named(new QLabel, "configError");
  errorLabel_->setWordWrap(true);
  errorLabel_->hide();
  layout->addWidget(errorLabel_);
  layout->addWidget(buildGeneral());
  layout->addWidget(buildData());
  layout->addWidget(buildQuant());
  layout->addWidget(buildTraining());
  layout->addWidget(buildDistill());
  layout->addWidget(buildAdvanced());
  layout->addStretch(1);
  applyPaletteColours();

  fields_ = {{"name", name_}, {"epochs", epochs_}, {"batch_size", batchSize_}, {"seed", seed_},
             {"threads", threads_}, {"log_interval", logInterval_}, {"dataset", dataset_},
             {"dataset.name", dataset_}, {"dataset.path", datasetPath_}, {"dataset.train_limit", trainLimit_},
             {"dataset.test_limit", testLimit_}, {"dataset.augment", augment_},
             {"dataset.test_fraction", testFraction_}, {"dataset.image_size", imageSize_},
             {"dataset.channels", channels_}, {"model", arch_},
             {"model.arch", arch_}, {"model.width", width_}, {"model.activation", activation_}, {"quant.first_layer", firstLayer_},
             {"quant.last_layer", lastLayer_}, {"quant.layers", layers_}, {"optimizer", optimizer_},
             {"optimizer.type", optimizer_}, {"optimizer.lr", lr_}, {"optimizer.momentum", momentum_},
             {"optimizer.nesterov", nesterov_}, {"optimizer.weight_decay", weightDecay_},
             {"optimizer.decay_quant_params", decayQuant_}, {"schedule", schedule_}, {"schedule.type", schedule_},
             {"schedule.milestones", milestones_}, {"schedule.gamma", gamma_},
             {"schedule.warmup_epochs", warmup_}, {"distill", teacher_}, {"distill.teacher", teacher_},
             {"distill.lambda", lambda_}, {"distill.temperature", temperature_}, {"init_from", initFrom_},
             {"stages", stages_}};
  for (QWidget* w : std::as_const(fields_)) w->setProperty("helpTip", w->toolTip());
  connect(weights_, &QuantSpecEditor::changed, this, &ExperimentForm::onEdited);
  connect(activations_, &QuantSpecEditor::changed, this, &ExperimentForm::onEdited);
  validate();
}

QWidget* ExperimentForm::buildGeneral() {
  auto* box = new QGroupBox(tr("Experiment"));
  auto* f = new QFormLayout(box);
  name_ = named(new QLineEdit(QStringLiteral("experiment")), "name");
  arch_ = choice("arch", {"lenet5", "vgg-s", "resnet20", "resnet18"});
  width_ = doubleSpin("width", 0.125, 8.0, 1.0, 3, 0.125);
  width_->setToolTip(tr("Channel multiplier"));
  activation_ = choice("activation", {"relu", "rprelu"});
  activation_->setToolTip(tr("Nonlinearity after each BatchNorm: ReLU, or RPReLU (ReActNet), the asymmetric "
                             "paper's activation layer; RPReLU keeps a sign, so pair it with signed activation "
                             "codes (uniform: gaussian)"));
  epochs_ = intSpin("epochs", 0, 10000, 1);
  batchSize_ = intSpin("batchSize", 1, 65536, 128);
  seed_ = intSpin("seed", 0, INT_MAX, 1);
  seeds_ = new QLineEdit;
  seeds_->setObjectName(QStringLiteral("seeds"));
  seeds_->setPlaceholderText(tr("e.g. 1,2,3 (empty: the seed above)"));
  seeds_->setToolTip(tr("One run per seed; the runs form a seed group, shown as mean ± 95 % CI in Compare and the browser"));
  processes_ = intSpin("processes", 1, 16, 1);
  processes_->setToolTip(tr("Data-parallel training in this many local processes (LibTorch c10d, Gloo): each trains "
                            "batch size images a step, gradients averaged; the run shows its ranks in the browser"));
  f->addRow(tr("Name"), name_);
  f->addRow(tr("Model"), arch_);
  f->addRow(tr("Width"), width_);
  f->addRow(tr("Activation"), activation_);
  f->addRow(tr("Epochs"), epochs_);
  f->addRow(tr("Batch size"), batchSize_);
  f->addRow(tr("Seed"), seed_);
  f->addRow(tr("Repeat for seeds"), seeds_);
  f->addRow(tr("Processes"), processes_);
  for (QWidget* w : {static_cast<QWidget*>(name_), static_cast<QWidget*>(arch_), static_cast<QWidget*>(width_),
                     static_cast<QWidget*>(activation_), static_cast<QWidget*>(epochs_), static_cast<QWidget*>(batchSize_),
                     static_cast<QWidget*>(seed_), static_cast<QWidget*>(seeds_)})
    watch(w);
  return box;
}

QWidget* ExperimentForm::buildData() {
  auto* box = new QGroupBox(tr("Dataset"));
  auto* f = new QFormLayout(box);
  dataset_ = choice("dataset", {"fashion-mnist", "mnist", "cifar10", "npy", "image-folder"});
  datasetPath_ = named(new QLineEdit, "datasetPath");
  datasetPath_->setPlaceholderText(tr("default location"));
  trainLimit_ = intSpin("trainLimit", 0, 100000000, 0);
  trainLimit_->setSpecialValueText(tr("all"));
  testLimit_ = intSpin("testLimit", 0, 100000000, 0);
  testLimit_->setSpecialValueText(tr("all"));
  augment_ = named(new QCheckBox(tr("Augment")), "augment");
  testFraction_ = doubleSpin("testFraction", 0.0, 0.9, 0.0, 2, 0.05);
  testFraction_->setSpecialValueText(tr("test files"));
  testFraction_->setToolTip(tr("npy / image-folder without test files: this share of the images is the test split"));
  imageSize_ = intSpin("imageSize", 0, 512, 0);
  imageSize_->setSpecialValueText(tr("as stored"));
  imageSize_->setToolTip(tr("image-folder: resize every image to this square size"));
  channels_ = choice("channels", {"auto", "1", "3"});
  channels_->setToolTip(tr("image-folder: grey (1) or RGB (3); auto: those of the first image"));
  f->addRow(tr("Dataset"), dataset_);
  f->addRow(tr("Path"), datasetPath_);
  f->addRow(tr("Train images"), trainLimit_);
  f->addRow(tr("Test images"), testLimit_);
  f->addRow(QString(), augment_);
  f->addRow(tr("Test fraction"), testFraction_);
  f->addRow(tr("Image size"), imageSize_);
  f->addRow(tr("Channels"), channels_);
  for (QWidget* w : {static_cast<QWidget*>(dataset_), static_cast<QWidget*>(datasetPath_),
                     static_cast<QWidget*>(trainLimit_), static_cast<QWidget*>(testLimit_),
                     static_cast<QWidget*>(augment_), static_cast<QWidget*>(testFraction_),
                     static_cast<QWidget*>(imageSize_), static_cast<QWidget*>(channels_)})
    watch(w);
  return box;
}

QWidget* ExperimentForm::buildQuant() {
  auto* box = new QGroupBox(tr("Quantization"));
  auto* v = new QVBoxLayout(box);
  auto* layersForm = new QFormLayout;
  firstLayer_ = choice("firstLayer", {"fp", "ternary"});
  lastLayer_ = choice("lastLayer", {"fp", "ternary"});
  layersForm->addRow(tr("First layer"), firstLayer_);
  layersForm->addRow(tr("Last layer"), lastLayer_);
  watch(firstLayer_);
  watch(lastLayer_);
  v->addLayout(layersForm);
  auto* wBox = new QGroupBox(tr("Weights"));
  (new QVBoxLayout(wBox))->addWidget(weights_ = new QuantSpecEditor(true, QStringLiteral("weights")));
  auto* aBox = new QGroupBox(tr("Activations"));
  (new QVBoxLayout(aBox))->addWidget(activations_ = new QuantSpecEditor(false, QStringLiteral("activations")));
  v->addWidget(wBox);
  v->addWidget(aBox);
  return box;
}

QWidget* ExperimentForm::buildTraining() {
  auto* box = new QGroupBox(tr("Optimiser and schedule"));
  auto* f = new QFormLayout(box);
  optimizer_ = choice("optimizer", {"sgd", "adam"});
  lr_ = doubleSpin("lr", 0.000001, 10.0, 0.05, 6, 0.001);
  momentum_ = doubleSpin("momentum", 0.0, 0.999, 0.9, 3, 0.05);
  nesterov_ = named(new QCheckBox(tr("Nesterov")), "nesterov");
  weightDecay_ = doubleSpin("weightDecay", 0.0, 0.1, 5e-4, 6, 1e-4);
  decayQuant_ = named(new QCheckBox(tr("Decay quantizer parameters")), "decayQuantParams");
  decayQuant_->setToolTip(tr("Apply weight decay to scales, thresholds and γ too"));
  schedule_ = choice("schedule", {"constant", "step", "cosine"});
  schedule_->setCurrentText(QStringLiteral("cosine"));
  milestones_ = named(new QLineEdit, "milestones");
  milestones_->setPlaceholderText(tr("epochs, e.g. 30, 60 (step schedule)"));
  gamma_ = doubleSpin("gamma", 0.0001, 1.0, 0.1, 4, 0.05);
  warmup_ = intSpin("warmupEpochs", 0, 1000, 0);
  f->addRow(tr("Optimiser"), optimizer_);
  f->addRow(tr("Learning rate"), lr_);
  f->addRow(tr("Momentum"), momentum_);
  f->addRow(QString(), nesterov_);
  f->addRow(tr("Weight decay"), weightDecay_);
  f->addRow(QString(), decayQuant_);
  f->addRow(tr("Schedule"), schedule_);
  f->addRow(tr("Milestones"), milestones_);
  f->addRow(tr("Step γ"), gamma_);
  f->addRow(tr("Warm-up epochs"), warmup_);
  for (QWidget* w : {static_cast<QWidget*>(optimizer_), static_cast<QWidget*>(lr_), static_cast<QWidget*>(momentum_),
                     static_cast<QWidget*>(nesterov_), static_cast<QWidget*>(weightDecay_),
                     static_cast<QWidget*>(decayQuant_), static_cast<QWidget*>(schedule_),
                     static_cast<QWidget*>(milestones_), static_cast<QWidget*>(gamma_), static_cast<QWidget*>(warmup_)})
    watch(w);
  return box;
}

QWidget* ExperimentForm::buildDistill() {
  auto* box = new QGroupBox(tr("Distillation and initialisation"));
  auto* f = new QFormLayout(box);
  teacher_ = named(new QComboBox, "teacher");
  teacher_->setEditable(true);
  teacher_->setToolTip(tr("A stored run (its final checkpoint) or a checkpoint path; empty: no distillation"));
  lambda_ = doubleSpin("distillLambda", 0.0, 1.0, 0.9, 3, 0.05);
  lambda_->setToolTip(tr("loss = λ·KD + (1−λ)·CE"));
  temperature_ = doubleSpin("distillTemperature", 0.05, 100.0, 4.0, 2, 0.5);
  initFrom_ = named(new QComboBox, "initFrom");
  initFrom_->setEditable(true);
  initFrom_->setToolTip(tr("Start from a stored run's final checkpoint or a checkpoint path"));
  setRunChoices({});
  f->addRow(tr("Teacher"), teacher_);
  f->addRow(tr("λ"), lambda_);
  f->addRow(tr("Temperature"), temperature_);
  f->addRow(tr("Initialise from"), initFrom_);
  for (QWidget* w : {static_cast<QWidget*>(teacher_), static_cast<QWidget*>(lambda_),
                     static_cast<QWidget*>(temperature_), static_cast<QWidget*>(initFrom_)})
    watch(w);
  return box;
}

QWidget* ExperimentForm::buildAdvanced() {
  auto* box = new QGroupBox(tr("Advanced"));
  auto* f = new QFormLayout(box);
  threads_ = intSpin("threads", 0, 1024, 0);
  threads_->setSpecialValueText(tr("all cores"));
  logInterval_ = intSpin("logInterval", 1, 1000000, 50);
  logInterval_->setToolTip(tr("Steps between loss points and layer statistics"));
  layers_ = named(new QPlainTextEdit, "layers");
  layers_->setPlaceholderText(tr("{ \"conv2\": { \"scheme\": \"ttq\" } }"));
  layers_->setToolTip(tr("Per-layer weight quantizer overrides (JSON object, layer name → spec)"));
  layers_->setMaximumHeight(80);
  stages_ = named(new QPlainTextEdit, "stages");
  stages_->setPlaceholderText(tr("[ { \"name\": \"fp\", \"epochs\": 8, … }, … ]"));
  stages_->setToolTip(tr("Stages: partial overrides, one child run each (JSON array)"));
  stages_->setMaximumHeight(120);
  f->addRow(tr("Threads"), threads_);
  f->addRow(tr("Log interval"), logInterval_);
  f->addRow(tr("Per-layer"), layers_);
  f->addRow(tr("Stages"), stages_);
  for (QWidget* w : {static_cast<QWidget*>(threads_), static_cast<QWidget*>(logInterval_),
                     static_cast<QWidget*>(layers_), static_cast<QWidget*>(stages_)})
    watch(w);
  return box;
}

void ExperimentForm::watch(QWidget* w) {
  if (auto* s = qobject_cast<QSpinBox*>(w)) connect(s, &QSpinBox::valueChanged, this, &ExperimentForm::onEdited);
  else if (auto* d = qobject_cast<QDoubleSpinBox*>(w)) connect(d, &QDoubleSpinBox::valueChanged, this, &ExperimentForm::onEdited);
  else if (auto* c = qobject_cast<QComboBox*>(w)) connect(c, &QComboBox::currentTextChanged, this, &ExperimentForm::onEdited);
  else if (auto* l = qobject_cast<QLineEdit*>(w)) connect(l, &QLineEdit::textChanged, this, &ExperimentForm::onEdited);
  else if (auto* b = qobject_cast<QCheckBox*>(w)) connect(b, &QCheckBox::toggled, this, &ExperimentForm::onEdited);
  else if (auto* p = qobject_cast<QPlainTextEdit*>(w)) connect(p, &QPlainTextEdit::textChanged, this, &ExperimentForm::onEdited);
}

void ExperimentForm::onEdited() {
  if (loading_) return;
  validate();
  Q_EMIT edited();
}

void ExperimentForm::setRunChoices(const QList<QPair<QString, QString>>& choices) {
  for (QComboBox* c : {teacher_, initFrom_}) {
    const std::string current = runReference(c);
    const QSignalBlocker block(c);
    c->clear();
    c->addItem(QString(), QString());
    for (const auto& [ref, label] : choices) c->addItem(label, ref);
    setRunReference(c, current);
  }
}

nlohmann::json ExperimentForm::document() const {
  using nlohmann::json;
  json quant{{"weights", weights_->toJson()},
             {"activations", activations_->toJson()},
             {"first_layer", firstLayer_->currentText().toStdString()},
             {"last_layer", lastLayer_->currentText().toStdString()}};
  // Text fields that hold JSON go in as JSON when they parse, else as text so the core names the key.
  auto jsonField = [](const QPlainTextEdit* e) -> std::optional<json> {
    const std::string text = e->toPlainText().trimmed().toStdString();
    if (text.empty()) return std::nullopt;
    json parsed = json::parse(text, nullptr, false);
    return parsed.is_discarded() ? json(text) : parsed;
  };
  if (auto layers = jsonField(layers_)) quant["layers"] = *layers;
  json schedule{{"type", schedule_->currentText().toStdString()},
                {"gamma", gamma_->value()},
                {"warmup_epochs", warmup_->value()}};
  if (!milestones_->text().trimmed().isEmpty()) schedule["milestones"] = parseNumberList(milestones_->text(), true);
  json doc{
      {"name", name_->text().toStdString()},
      {"dataset",
       {{"name", dataset_->currentText().toStdString()},
        {"path", datasetPath_->text().trimmed().toStdString()},
        {"train_limit", trainLimit_->value()},
        {"test_limit", testLimit_->value()},
        {"augment", augment_->isChecked()}}},
      {"model",
       {{"arch", arch_->currentText().toStdString()},
        {"width", width_->value()},
        {"activation", activation_->currentText().toStdString()}}},
      {"quant", quant},
      {"optimizer",
       {{"type", optimizer_->currentText().toStdString()},
        {"lr", lr_->value()},
        {"momentum", momentum_->value()},
        {"nesterov", nesterov_->isChecked()},
        {"weight_decay", weightDecay_->value()},
        {"decay_quant_params", decayQuant_->isChecked()}}},
      {"schedule", schedule},
      {"distill",
       {{"teacher", runReference(teacher_)}, {"lambda", lambda_->value()}, {"temperature", temperature_->value()}}},
      {"init_from", runReference(initFrom_)},
      {"epochs", epochs_->value()},
      {"batch_size", batchSize_->value()},
      {"seed", seed_->value()},
      {"threads", threads_->value()},
      {"log_interval", logInterval_->value()},
  };
  if (auto stages = jsonField(stages_)) doc["stages"] = *stages;
  if (testFraction_->value() > 0) doc["dataset"]["test_fraction"] = testFraction_->value();
  if (imageSize_->value() > 0) doc["dataset"]["image_size"] = imageSize_->value();
  if (channels_->currentIndex() > 0) doc["dataset"]["channels"] = channels_->currentText().toInt();
  return doc;
}

bool ExperimentForm::validate() {
  const bool wasValid = isValid();
  bool ok = true;
  // JSON syntax in the free-text fields is ours to report; everything else is the core's.
  for (QPlainTextEdit* e : {layers_, stages_}) {
    const std::string text = e->toPlainText().trimmed().toStdString();
    if (text.empty()) continue;
    try {
      (void)nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& err) {
      errorKeyPath_ = e == layers_ ? QStringLiteral("quant.layers") : QStringLiteral("stages");
      errorMessage_ = tr("not valid JSON: %1").arg(QString::fromUtf8(err.what()));
      flag(e, errorMessage_);
      ok = false;
      break;
    }
  }
  if (ok && !seeds_->text().trimmed().isEmpty() && seedList().empty()) {
    errorKeyPath_ = QStringLiteral("seeds");
    errorMessage_ = tr("expected seeds as non-negative integers separated by commas, e.g. 1,2,3");
    flag(seeds_, errorMessage_);
    ok = false;
  }
  if (ok) {
    try {
      (void)config::parseExperiment(document());
      unflag();
    } catch (const config::ConfigError& e) {
      errorKeyPath_ = QString::fromStdString(e.keyPath());
      if (errorKeyPath_.isNull()) errorKeyPath_ = QStringLiteral("");
      errorMessage_ = QString::fromStdString(e.detail());
      flag(fieldFor(errorKeyPath_), errorMessage_);
      ok = false;
    } catch (const std::exception& e) {
      errorKeyPath_ = QStringLiteral("");
      errorMessage_ = QString::fromUtf8(e.what());
      flag(nullptr, errorMessage_);
      ok = false;
    }
  }
  if (ok != wasValid) Q_EMIT validityChanged(ok);
  return ok;
}

void ExperimentForm::flag(QWidget* field, const QString& message) {
  if (flagged_ && flagged_ != field) unflag();
  errorLabel_->setText(errorKeyPath_.isEmpty() ? message : QStringLiteral("%1: %2").arg(errorKeyPath_, message));
  errorLabel_->show();
  if (!field) return;
  if (!field->property("helpTip").isValid()) field->setProperty("helpTip", field->toolTip());
  field->setProperty("invalid", true);
  field->setToolTip(message);
  field->style()->unpolish(field);
  field->style()->polish(field);
  flagged_ = field;
}

void ExperimentForm::unflag() {
  errorKeyPath_ = QString();
  errorMessage_.clear();
  errorLabel_->hide();
  if (!flagged_) return;
  flagged_->setProperty("invalid", false);
  flagged_->setToolTip(flagged_->property("helpTip").toString());
  flagged_->style()->unpolish(flagged_);
  flagged_->style()->polish(flagged_);
  flagged_ = nullptr;
}

int ExperimentForm::processes() const { return processes_->value(); }

std::vector<std::uint64_t> ExperimentForm::seedList() const {
  std::vector<std::uint64_t> seeds;
  for (const QString& part : seeds_->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    bool ok = false;
    const qulonglong v = part.trimmed().toULongLong(&ok);
    if (!ok) return {};  // one bad entry makes the whole list invalid
    seeds.push_back(v);
  }
  return seeds;
}

void ExperimentForm::setSeedList(const QString& text) { seeds_->setText(text); }

QWidget* ExperimentForm::fieldFor(const QString& keyPath) const {
  if (keyPath == QLatin1String("seeds")) return seeds_;
  QString key = withoutIndexes(keyPath);
  if (keyPath.startsWith(QLatin1String("stages"))) return stages_;
  if (key.startsWith(QLatin1String("quant.layers"))) return layers_;
  if (key.startsWith(QLatin1String("quant.weights"))) return weights_->fieldFor(key.mid(14));
  if (key.startsWith(QLatin1String("quant.activations"))) return activations_->fieldFor(key.mid(18));
  while (!key.isEmpty()) {
    if (auto it = fields_.find(key); it != fields_.end()) return *it;
    const int dot = key.lastIndexOf(QLatin1Char('.'));
    key = dot < 0 ? QString() : key.left(dot);
  }
  return nullptr;
}

std::optional<config::ExperimentConfig> ExperimentForm::config() {
  if (!validate()) return std::nullopt;
  return config::parseExperiment(document());
}

void ExperimentForm::setConfig(const config::ExperimentConfig& cfg) {
  loading_ = true;
  name_->setText(QString::fromStdString(cfg.name));
  arch_->setCurrentText(QString::fromStdString(cfg.model.arch));
  width_->setValue(cfg.model.width);
  activation_->setCurrentText(QString::fromStdString(cfg.model.activation));
  epochs_->setValue(cfg.epochs);
  batchSize_->setValue(static_cast<int>(cfg.batchSize));
  seed_->setValue(static_cast<int>(std::min<std::uint64_t>(cfg.seed, INT_MAX)));
  dataset_->setCurrentText(QString::fromStdString(cfg.data.name));
  datasetPath_->setText(QString::fromStdString(cfg.data.path));
  trainLimit_->setValue(static_cast<int>(cfg.data.trainLimit));
  testLimit_->setValue(static_cast<int>(cfg.data.testLimit));
  augment_->setChecked(cfg.data.augment);
  testFraction_->setValue(cfg.data.testFraction);
  imageSize_->setValue(cfg.data.imageSize);
  channels_->setCurrentText(cfg.data.channels == 0 ? QStringLiteral("auto") : QString::number(cfg.data.channels));
  weights_->setSpec(cfg.quant.weights);
  activations_->setSpec(cfg.quant.activations);
  firstLayer_->setCurrentText(cfg.quant.firstTernary ? QStringLiteral("ternary") : QStringLiteral("fp"));
  lastLayer_->setCurrentText(cfg.quant.lastTernary ? QStringLiteral("ternary") : QStringLiteral("fp"));
  const auto& layers = cfg.json.contains("quant") ? cfg.json["quant"].value("layers", nlohmann::json::object())
                                                  : nlohmann::json::object();
  layers_->setPlainText(layers.empty() ? QString() : QString::fromStdString(layers.dump(2)));
  optimizer_->setCurrentText(QString::fromStdString(cfg.optimizer.type));
  lr_->setValue(cfg.optimizer.lr);
  momentum_->setValue(cfg.optimizer.momentum);
  nesterov_->setChecked(cfg.optimizer.nesterov);
  weightDecay_->setValue(cfg.optimizer.weightDecay);
  decayQuant_->setChecked(cfg.optimizer.decayQuantParams);
  schedule_->setCurrentText(QString::fromStdString(cfg.schedule.type));
  QStringList ms;
  for (int m : cfg.schedule.milestones) ms << QString::number(m);
  milestones_->setText(ms.join(QStringLiteral(", ")));
  gamma_->setValue(cfg.schedule.gamma);
  warmup_->setValue(cfg.schedule.warmupEpochs);
  setRunReference(teacher_, cfg.distill.teacher);
  lambda_->setValue(cfg.distill.lambda);
  temperature_->setValue(cfg.distill.temperature);
  setRunReference(initFrom_, cfg.initFrom);
  threads_->setValue(cfg.threads);
  logInterval_->setValue(cfg.logInterval);
  stages_->setPlainText(cfg.stages.empty() ? QString() : QString::fromStdString(nlohmann::json(cfg.stages).dump(2)));
  loading_ = false;
  validate();
  Q_EMIT edited();
}

bool ExperimentForm::loadFile(const QString& path, QString* error) {
  try {
    setConfig(config::loadExperimentFile(path.toStdString()));
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
}

bool ExperimentForm::saveFile(const QString& path, QString* error) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
    if (error) *error = file.errorString();
    return false;
  }
  file.write(QByteArray::fromStdString(document().dump(2) + "\n"));
  return true;
}

}  // namespace ternlab::views
