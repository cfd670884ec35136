#include "RunTableModel.h"

#include <QBrush>
#include <QColor>

#include "config/ExperimentConfig.h"
#include "report/Statistics.h"
#include "report/SeedGroupReport.h"
#include "store/MetricKeys.h"

namespace ternlab::views {

RunTableModel::RunTableModel(std::shared_ptr<store::RunStore> store, QObject* parent)
    : QAbstractTableModel(parent), store_(std::move(store)) {
  configKeys_ = {QStringLiteral("model.arch"), QStringLiteral("quant.weights.scheme"),
                 QStringLiteral("quant.weights.factor"), QStringLiteral("epochs"), QStringLiteral("optimizer.lr")};
  refresh();
}

void RunTableModel::setFilter(const store::RunFilter& filter) {
  filter_ = filter;
  refresh();
}

void RunTableModel::setConfigColumns(const QStringList& keys) {
  beginResetModel();
  configKeys_ = keys;
  endResetModel();
}

void RunTableModel::setCollapseSeedGroups(bool on) {
  collapse_ = on;
  refresh();
}

void RunTableModel::collapseGroups(std::vector<Row>& rows) const {
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& rec = rows[i].rec;
    if (!rec.parentId && rec.status == store::RunStatus::Finished && !rec.seedGroup.empty()) groups[rec.seedGroup].push_back(i);
  }
  std::vector<bool> drop(rows.size(), false);
  for (const auto& [group, members] : groups) {
    if (members.size() < 2) continue;
    std::size_t newest = members.front();
    for (auto i : members)
      if (rows[i].rec.id > rows[newest].rec.id) newest = i;
    auto& keep = rows[newest];
    keep.members.clear();
    for (auto i : members) {
      keep.members << rows[i].rec.id;
      if (auto it = rows[i].metrics.find(store::metric::kTestAcc); it != rows[i].metrics.end()) {
        keep.lastAcc.push_back(it->second.last);
        keep.bestAcc.push_back(it->second.max);
      }
      if (i != newest) drop[i] = true;
    }
  }
  std::vector<Row> kept;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(rows[i]));
  rows = std::move(kept);
}

void RunTableModel::refresh() {
  std::vector<Row> rows;
  if (store_) {
    auto summaries = store_->allSummaries();
    const auto colors = store_->tagColors();
    const auto worlds = store_->worldSizes();
    for (auto& rec : store_->listRuns(filter_)) {
      Row r;
      if (auto w = worlds.find(rec.id); w != worlds.end()) r.worldSize = w->second;
      try {
        r.config = config::flatten(nlohmann::json::parse(rec.config));
      } catch (const std::exception&) {
        // A run whose config is not JSON still shows; its config columns stay empty.
      }
      if (auto it = summaries.find(rec.id); it != summaries.end()) r.metrics = it->second;
      QStringList tags;
      for (const auto& t : store_->tags(rec.id)) tags << QString::fromStdString(t);
      r.tags = tags.join(QStringLiteral(", "));
      if (!tags.isEmpty())
        if (auto c = colors.find(tags.front().toStdString()); c != colors.end())
          r.tagColor = QColor(QString::fromStdString(c->second));
      r.members << rec.id;
      r.rec = std::move(rec);
      rows.push_back(std::move(r));
    }
    if (collapse_) collapseGroups(rows);
  }
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
}

qint64 RunTableModel::runId(int row) const {
  return row >= 0 && row < static_cast<int>(rows_.size()) ? rows_[row].rec.id : 0;
}

int RunTableModel::rowOf(qint64 id) const {
  for (std::size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].rec.id == id || rows_[i].members.contains(id)) return static_cast<int>(i);
  return -1;
}

const store::RunRecord* RunTableModel::record(int row) const {
  return row >= 0 && row < static_cast<int>(rows_.size()) ? &rows_[row].rec : nullptr;
}

int RunTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int RunTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : FixedColumnCount + configKeys_.size();
}

QVariant RunTableModel::cell(const Row& r, int column, bool forSort) const {
  // Missing metrics sort below every value.
  auto metric = [&](const char* key, bool best) -> QVariant {
    if (r.members.size() > 1 && !r.lastAcc.empty()) {  // a collapsed seed group: mean ± CI over its runs
      const auto s = report::summarize(best ? r.bestAcc : r.lastAcc);
      return forSort ? QVariant(s.mean) : QVariant(QString::fromStdString(report::meanWithInterval(s)));
    }
    auto it = r.metrics.find(key);
    if (it == r.metrics.end()) return forSort ? QVariant(-1e300) : QVariant();
    const double v = best ? it->second.max : it->second.last;
    return forSort ? QVariant(v) : QVariant(QString::number(v, 'f', 2));
  };
  switch (column) {
    case ColId: return QVariant::fromValue<qlonglong>(r.rec.id);
    case ColName:
      if (r.members.size() > 1) return tr("%1 (%2 seeds)").arg(QString::fromStdString(r.rec.name)).arg(r.members.size());
      return QString::fromStdString(r.rec.name);
    case ColStatus: return QString::fromLatin1(store::runStatusName(r.rec.status));
    case ColKind: {
      QString kind = QString::fromStdString(r.rec.stage.empty() ? r.rec.kind : r.rec.kind + " · " + r.rec.stage);
      if (r.worldSize > 1) kind += tr(" · %1 ranks").arg(r.worldSize);
      return kind;
    }
    case ColCreated: return QString::fromStdString(r.rec.created);
    case ColTestAccLast: return metric(store::metric::kTestAcc, false);
    case ColTestAccBest: return metric(store::metric::kTestAcc, true);
    case ColLossLast: {
      auto it = r.metrics.find(store::metric::kTrainLoss);
      if (it == r.metrics.end()) return forSort ? QVariant(1e300) : QVariant();
      return forSort ? QVariant(it->second.last) : QVariant(QString::number(it->second.last, 'f', 4));
    }
    case ColTags: return r.tags;
    default: break;
  }
  const int k = column - FixedColumnCount;
  if (k < 0 || k >= configKeys_.size()) return {};
  auto it = r.config.find(configKeys_[k].toStdString());
  if (it == r.config.end()) return {};
  const QString text = QString::fromStdString(it->second);
  if (forSort) {
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (ok) return v;
  }
  return text;
}

QVariant RunTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size()) || index.column() >= columnCount())
    return {};
  const Row& r = rows_[index.row()];
  switch (role) {
    case Qt::DisplayRole: return cell(r, index.column(), false);
    case SortRole: return cell(r, index.column(), true);
    case RunIdRole: return QVariant::fromValue<qlonglong>(r.rec.id);
    case RunIdsRole: return QVariant::fromValue(r.members);
    case Qt::ToolTipRole:
      if (!r.rec.error.empty()) return QString::fromStdString(r.rec.error);
      return {};
    case Qt::DecorationRole:  // a swatch of the tag's colour
      if (index.column() == ColTags && r.tagColor.isValid()) return r.tagColor;
      return {};
    case Qt::BackgroundRole:  // the run's row tinted by its first tag
      if (r.tagColor.isValid()) {
        QColor tint = r.tagColor;
        tint.setAlpha(index.column() == ColTags ? 90 : 35);
        return QBrush(tint);
      }
      return {};
    case Qt::ForegroundRole:
      if (index.column() != ColStatus) return {};
      if (r.rec.status == store::RunStatus::Failed || r.rec.status == store::RunStatus::Interrupted) return QBrush(QColor(200, 40, 40));
      if (r.rec.status == store::RunStatus::Running) return QBrush(QColor(30, 110, 200));
      if (r.rec.status == store::RunStatus::Cancelled) return QBrush(QColor(150, 110, 20));
      return {};
    case Qt::TextAlignmentRole:
      if (index.column() == ColId || (index.column() >= ColTestAccLast && index.column() <= ColLossLast))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
      return {};
    default: return {};
  }
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
  switch (section) {
    case ColId: return tr("Id");
    case ColName: return tr("Name");
    case ColStatus: return tr("Status");
    case ColKind: return tr("Kind");
    case ColCreated: return tr("Created");
    case ColTestAccLast: return tr("Test acc");
    case ColTestAccBest: return tr("Best test acc");
    case ColLossLast: return tr("Train loss");
    case ColTags: return tr("Tags");
    default: break;
  }
  const int k = section - FixedColumnCount;
  if (k >= 0 && k < configKeys_.size()) return configKeys_[k];
  return {};
}

}  // namespace ternlab::views
