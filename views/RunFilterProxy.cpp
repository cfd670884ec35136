#include "RunFilterProxy.h"

#include "RunTableModel.h"

namespace ternlab::views {

RunFilterProxy::RunFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(RunTableModel::SortRole);
  setFilterKeyColumn(-1);
  setFilterCaseSensitivity(Qt::CaseInsensitive);
}

void RunFilterProxy::setStatus(const QString& status) {
  status_ = status;
  invalidateRowsFilter();
}

void RunFilterProxy::setTag(const QString& tag) {
  tag_ = tag;
  invalidateRowsFilter();
}

void RunFilterProxy::setCreatedSince(const QDate& day) {
  since_ = day;
  invalidateRowsFilter();
}

bool RunFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
  const auto* model = sourceModel();
  if (!status_.isEmpty()) {
    if (model->index(sourceRow, RunTableModel::StatusColumn, sourceParent).data().toString() != status_) return false;
  }
  if (!tag_.isEmpty()) {
    const auto tags = model->index(sourceRow, RunTableModel::TagsColumn, sourceParent).data().toString();
    if (!tags.split(QStringLiteral(", "), Qt::SkipEmptyParts).contains(tag_)) return false;
  }
  if (since_.isValid()) {
    const auto created = model->index(sourceRow, RunTableModel::CreatedColumn, sourceParent).data().toString();
    if (QDate::fromString(created.left(10), Qt::ISODate) < since_) return false;  // "2026-11-23T…Z"
  }
  return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

}  // namespace ternlab::views
