#pragma once
#include <QDate>
#include <QSortFilterProxyModel>

namespace ternlab::views {

// Sorts runs by value (numbers as numbers) and filters them by free text over all columns, status, tag and
// creation date.
class RunFilterProxy : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit RunFilterProxy(QObject* parent = nullptr);
  void setStatus(const QString& status);  // empty: any
  void setTag(const QString& tag);        // empty: any; else runs carrying exactly this tag
  void setCreatedSince(const QDate& day);  // invalid: any; else runs created on or after that (UTC) day

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

 private:
  QString status_;
  QString tag_;
  QDate since_;
};

}  // namespace ternlab::views
