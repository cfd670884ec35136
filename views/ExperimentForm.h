#pragma once
#include <cstdint>
#include <vector>
#include <QHash>
#include <QPointer>
#include <QWidget>
#include <nlohmann/json.hpp>
#include <optional>

#include "config/ExperimentConfig.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace ternlab::views {

class QuantSpecEditor;

// The experiment editor: every option of ExperimentConfig as a field. It never second-guesses the
// core: validation builds the JSON document and calls parseExperiment, and a ConfigError is shown at
// the field its keyPath names, with the core's own message.
class ExperimentForm : public QWidget {
  Q_OBJECT
 public:
  explicit ExperimentForm(QWidget* parent = nullptr);

  // What the fields say, as an experiment file (may be invalid).
  nlohmann::json document() const;
  // The validated config, or nothing (the offending field is flagged).
  std::optional<config::ExperimentConfig> config();
  void setConfig(const config::ExperimentConfig& cfg);
  bool loadFile(const QString& path, QString* error);
  bool saveFile(const QString& path, QString* error);

  // "Repeat for seeds": one run per listed seed (a seed group), or empty for the Seed field's one run.
  std::vector<std::uint64_t> seedList() const;
  // "Processes": 1, or a local data-parallel run over that many processes (batch size images each).
  int processes() const;
  void setSeedList(const QString& text);

  // Runs the core's validation now; false when a field is flagged.
  bool validate();
  bool isValid() const { return errorKeyPath_.isNull(); }
  QString errorMessage() const { return errorMessage_; }
  QString errorKeyPath() const { return errorKeyPath_; }
  // The field that edits keyPath ("optimizer.lr", "quant.weights.betas[1]", "stages[0].epochs", …).
  QWidget* fieldFor(const QString& keyPath) const;
  QWidget* flaggedField() const { return flagged_; }

  // Stored runs offered as distillation teacher / init_from: (reference, label) pairs.
  void setRunChoices(const QList<QPair<QString, QString>>& choices);

 Q_SIGNALS:
  void validityChanged(bool valid);
  void edited();

 protected:
  void changeEvent(QEvent* e) override;

 private:
  void applyPaletteColours();
  QWidget* buildGeneral();
  QWidget* buildData();
  QWidget* buildQuant();
  QWidget* buildTraining();
  QWidget* buildDistill();
  QWidget* buildAdvanced();
  void watch(QWidget* w);
  void onEdited();
  void flag(QWidget* field, const QString& message);
  void unflag();

  QLineEdit* name_;
  QSpinBox* epochs_;
  QSpinBox* batchSize_;
  QSpinBox* seed_;
  QLineEdit* seeds_;
  QSpinBox* processes_;
  QSpinBox* threads_;
  QSpinBox* logInterval_;
  QComboBox* dataset_;
  QLineEdit* datasetPath_;
  QSpinBox* trainLimit_;
  QSpinBox* testLimit_;
  QCheckBox* augment_;
  QDoubleSpinBox* testFraction_;  // own data (npy, image-folder)
  QSpinBox* imageSize_;
  QComboBox* channels_;
  QComboBox* arch_;
  QDoubleSpinBox* width_;
  QComboBox* activation_;
  QuantSpecEditor* weights_;
  QuantSpecEditor* activations_;
  QComboBox* firstLayer_;
  QComboBox* lastLayer_;
  QComboBox* optimizer_;
  QDoubleSpinBox* lr_;
  QDoubleSpinBox* momentum_;
  QCheckBox* nesterov_;
  QDoubleSpinBox* weightDecay_;
  QCheckBox* decayQuant_;
  QComboBox* schedule_;
  QLineEdit* milestones_;
  QDoubleSpinBox* gamma_;
  QSpinBox* warmup_;
  QComboBox* teacher_;
  QDoubleSpinBox* lambda_;
  QDoubleSpinBox* temperature_;
  QComboBox* initFrom_;
  QPlainTextEdit* layers_;
  QPlainTextEdit* stages_;
  QLabel* errorLabel_ = nullptr;

  QHash<QString, QWidget*> fields_;
  QPointer<QWidget> flagged_;
  QString errorKeyPath_;  // null when valid
  QString errorMessage_;
  bool loading_ = false;
};

}  // namespace ternlab::views
