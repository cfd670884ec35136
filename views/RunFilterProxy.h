#pragma once
#include <QSortFilterProxyModel>

namespace ternlab::views {

// Sorts runs by value (numbers as numbers) and filters them by free text over all columns and by status.
class RunFilterProxy : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit RunFilterProxy(QObject* parent = nullptr);
  void setStatus(const QString& status);  // empty: any

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

 private:
  QString status_;
};

}  // namespace ternlab::views
