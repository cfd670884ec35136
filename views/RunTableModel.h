#pragma once
#include <QAbstractTableModel>
#include <QColor>
#include <QStringList>
#include <map>
#include <memory>
#include <vector>

#include "store/RunStore.h"

namespace ternlab::views {

// The stored runs as a table (browser, pickers): one row per run with its status, chosen config keys
// and best/last metrics from the summaries; reads the store through the GUI thread's own connection.
class RunTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  // Sort key for every cell (numbers as numbers), used by the browser's proxy.
  static constexpr int SortRole = Qt::UserRole + 1;
  static constexpr int RunIdRole = Qt::UserRole + 2;
  // Every run a row stands for (QList<qlonglong>): the run itself, or the members of a collapsed seed group.
  static constexpr int RunIdsRole = Qt::UserRole + 3;
  static constexpr int StatusColumn = 2;
  static constexpr int CreatedColumn = 4;
  static constexpr int TagsColumn = 8;

  explicit RunTableModel(std::shared_ptr<store::RunStore> store, QObject* parent = nullptr);

  void setFilter(const store::RunFilter& filter);
  const store::RunFilter& filter() const { return filter_; }
  // Flattened config keys shown as extra columns ("quant.weights.scheme", "optimizer.lr", …).
  void setConfigColumns(const QStringList& keys);
  QStringList configColumns() const { return configKeys_; }
  // Shows the finished top-level runs of one seed group as one row: the newest run, "(n seeds)" after its name,
  // and its test accuracies as mean ± 95 % CI.
  void setCollapseSeedGroups(bool on);
  bool collapseSeedGroups() const { return collapse_; }
  // Re-reads the store (after a run ends, a tag changes, …).
  void refresh();

  qint64 runId(int row) const;
  int rowOf(qint64 runId) const;
  const store::RunRecord* record(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct Row {
    store::RunRecord rec;
    std::map<std::string, std::string> config;
    std::map<std::string, store::MetricSummary> metrics;
    QString tags;
    QColor tagColor;  // the first tag's colour (the store keeps one per tag); invalid without tags
    int worldSize = 1;  // processes of a data-parallel run
    QList<qlonglong> members;                  // this run, or a collapsed seed group's runs
    std::vector<double> lastAcc, bestAcc;      // test/acc of each member (collapsed groups only)
  };
  void collapseGroups(std::vector<Row>& rows) const;
  enum FixedColumn { ColId, ColName, ColStatus, ColKind, ColCreated, ColTestAccLast, ColTestAccBest, ColLossLast,
                     ColTags, FixedColumnCount };
  QVariant cell(const Row& r, int column, bool forSort) const;
  static_assert(ColStatus == StatusColumn && ColCreated == CreatedColumn && ColTags == TagsColumn);
  std::shared_ptr<store::RunStore> store_;
  store::RunFilter filter_;
  QStringList configKeys_;
  std::vector<Row> rows_;
  bool collapse_ = false;
};

}  // namespace ternlab::views
