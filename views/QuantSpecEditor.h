#pragma once
#include <QWidget>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <string>

#include "config/ExperimentConfig.h"

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLineEdit;
class QSpinBox;

namespace ternlab::views {

// Edits one quantizer spec (weights or activations). Its schemes and their option fields come from the
// core's SchemeCatalog, so a scheme added there shows up here without touching the GUI.
class QuantSpecEditor : public QWidget {
  Q_OBJECT
 public:
  // namePrefix names the child widgets ("weights" → "weights.scheme", "weights.betas", …).
  QuantSpecEditor(bool forWeights, const QString& namePrefix, QWidget* parent = nullptr);

  // The spec as the experiment file would say it; may be invalid (the core decides).
  nlohmann::json toJson() const;
  void setSpec(const config::QuantSpec& spec);
  // The field that edits relKey ("scheme", "factor", "branches", "betas", "uniform", "options.<key>").
  QWidget* fieldFor(const QString& relKey) const;
  QString scheme() const;

 Q_SIGNALS:
  void changed();

 private:
  void schemeChanged();
  void updateEnabled();
  void branchesChanged(int branches);
  void rebuildOptions(const std::map<std::string, double>& values);
  bool forWeights_;
  QString prefix_;
  QComboBox* scheme_;
  QDoubleSpinBox* factor_;
  QSpinBox* branches_;
  QLineEdit* betas_;
  QComboBox* uniform_;
  QWidget* optionsBox_;
  QFormLayout* optionsLayout_;
  std::map<std::string, QDoubleSpinBox*> options_;
  std::set<std::string> explicitOptions_;
  int lastBranches_ = 1;
  bool loading_ = false;
};

// "0.05, 0.1" → [0.05, 0.1]; a token that is not a number stays a string so the core names it.
nlohmann::json parseNumberList(const QString& text, bool integers);
QString formatNumberList(const std::vector<double>& values);

}  // namespace ternlab::views
