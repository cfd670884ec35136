#pragma once
#include <QVector>
#include <QColor>
#include <QWidget>
#include <memory>

#include "store/RunStore.h"

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLineEdit;
class QPlainTextEdit;
class QTableView;

namespace ternlab::views {

class RunFilterProxy;
class RunTableModel;

// The stored runs, sortable and filterable, with tags, notes, archive and delete; the place where
// clone, compare and the density view start from.
class RunBrowser : public QWidget {
  Q_OBJECT
 public:
  explicit RunBrowser(std::shared_ptr<store::RunStore> store, QWidget* parent = nullptr);

  RunTableModel* model() const { return model_; }
  QTableView* view() const { return view_; }
  QVector<qint64> selectedRunIds() const;
  qint64 currentRunId() const;
  void selectRuns(const QVector<qint64>& ids);

 public Q_SLOTS:
  void refresh();
  void archiveSelected();
  void deleteSelected();
  // The selected runs out of the Trash, back to the browser (lifecycle "active").
  void restoreSelected();
  void tagSelected();
  // Tags the selected runs with `tag` drawn in `color` (the colour is the tag's, for every run carrying it).
  void tagRuns(const QVector<qint64>& ids, const QString& tag, const QColor& color);
  void chooseColumns();

 Q_SIGNALS:
  void cloneRequested(qint64 runId);
  void compareRequested(const QVector<qint64>& runIds);
  void densityRequested(qint64 runId);
  void kernelsRequested(qint64 runId);
  void selectionChanged();

 private:
  void showDetails();
  void refreshTagFilter();
  void saveNote();
  std::shared_ptr<store::RunStore> store_;
  RunTableModel* model_;
  RunFilterProxy* proxy_;
  QTableView* view_;
  QLineEdit* filter_;
  QComboBox* status_;
  QComboBox* tag_;
  QDateEdit* since_;
  QCheckBox* archived_;
  QCheckBox* trash_;  // shows the deleted runs only, which "Restore" brings back
  QCheckBox* collapseSeeds_;
  QPlainTextEdit* note_;
  QPlainTextEdit* details_;
  qint64 noteRun_ = 0;
};

}  // namespace ternlab::views
