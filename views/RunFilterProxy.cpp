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

bool RunFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
  if (!status_.isEmpty()) {
    const auto* model = sourceModel();
    if (model->index(sourceRow, RunTableModel::StatusColumn, sourceParent).data().toString() != status_) return false;
  }
  return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

}  // namespace ternlab::views
