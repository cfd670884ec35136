#include "RunBrowser.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QColorDialog>
#include <QDateEdit>
#include <QIcon>
#include <QPixmap>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "RunFilterProxy.h"
#include "RunTableModel.h"

namespace ternlab::views {

RunBrowser::RunBrowser(std::shared_ptr<store::RunStore> store, QWidget* parent)
    : QWidget(parent), store_(std::move(store)) {
  model_ = new RunTableModel(store_, this);
  proxy_ = new RunFilterProxy(this);
  proxy_->setSourceModel(model_);

  filter_ = new QLineEdit;
  filter_->setObjectName(QStringLiteral("runFilter"));
  filter_->setPlaceholderText(tr("Filter runs (any column)…"));
  filter_->setClearButtonEnabled(true);
  status_ = new QComboBox;
  status_->setObjectName(QStringLiteral("statusFilter"));
  status_->addItem(tr("any status"), QString());
  for (const auto s : store::kRunStatuses)
    if (s != store::RunStatus::Queued) status_->addItem(QString::fromLatin1(store::runStatusName(s)), QString::fromLatin1(store::runStatusName(s)));
  tag_ = new QComboBox;
  tag_->setObjectName(QStringLiteral("tagFilter"));
  tag_->setToolTip(tr("Only runs with this tag"));
  since_ = new QDateEdit;
  since_->setObjectName(QStringLiteral("sinceFilter"));
  since_->setCalendarPopup(true);
  since_->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
  since_->setMinimumDate(QDate(2000, 1, 1));
  since_->setSpecialValueText(tr("any date"));  // shown at the minimum: no date filter
  since_->setDate(since_->minimumDate());
  since_->setToolTip(tr("Only runs created on or after this day"));
  archived_ = new QCheckBox(tr("Show archived"));
  trash_ = new QCheckBox(tr("Trash"));
  trash_->setObjectName(QStringLiteral("trash"));
  trash_->setToolTip(tr("Show only deleted runs; select them and choose Restore to bring them back"));
  collapseSeeds_ = new QCheckBox(tr("Collapse seeds"));
  collapseSeeds_->setObjectName(QStringLiteral("collapseSeeds"));
  collapseSeeds_->setToolTip(tr("One row per seed group (runs that differ only in the seed), accuracies as mean ± 95 % CI"));
  auto* compare = new QPushButton(tr("Compare"));
  auto* clone = new QPushButton(tr("Clone"));
  auto* density = new QPushButton(tr("Density"));
  auto* kernels = new QPushButton(tr("Kernels"));
  kernels->setObjectName(QStringLiteral("kernelsButton"));
  auto* top = new QHBoxLayout;
  top->addWidget(filter_, 1);
  top->addWidget(status_);
  top->addWidget(tag_);
  top->addWidget(since_);
  top->addWidget(archived_);
  top->addWidget(trash_);
  top->addWidget(collapseSeeds_);
  top->addWidget(clone);
  top->addWidget(compare);
  top->addWidget(density);
  top->addWidget(kernels);

  view_ = new QTableView;
  view_->setObjectName(QStringLiteral("runTable"));
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(0, Qt::DescendingOrder);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  view_->setAlternatingRowColors(true);
  view_->verticalHeader()->hide();
  view_->horizontalHeader()->setStretchLastSection(true);
  // Column widths from the first rows only: measuring every row of a 1,000-run store dominated opening it.
  view_->horizontalHeader()->setResizeContentsPrecision(100);
  view_->setContextMenuPolicy(Qt::CustomContextMenu);

  note_ = new QPlainTextEdit;
  note_->setObjectName(QStringLiteral("runNote"));
  note_->setPlaceholderText(tr("Note for the selected run"));
  auto* saveNote = new QPushButton(tr("Save note"));
  details_ = new QPlainTextEdit;
  details_->setReadOnly(true);
  auto* side = new QWidget;
  auto* sideLayout = new QVBoxLayout(side);
  sideLayout->setContentsMargins(0, 0, 0, 0);
  sideLayout->addWidget(new QLabel(tr("Details")));
  sideLayout->addWidget(details_, 2);
  sideLayout->addWidget(new QLabel(tr("Note")));
  sideLayout->addWidget(note_, 1);
  sideLayout->addWidget(saveNote);
  auto* split = new QSplitter;
  split->addWidget(view_);
  split->addWidget(side);
  split->setStretchFactor(0, 4);
  split->setStretchFactor(1, 1);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(split, 1);

  connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
  connect(status_, &QComboBox::currentIndexChanged, this, [this] { proxy_->setStatus(status_->currentData().toString()); });
  connect(tag_, &QComboBox::currentIndexChanged, this, [this] { proxy_->setTag(tag_->currentData().toString()); });
  connect(since_, &QDateEdit::dateChanged, this, [this](const QDate& d) {
    proxy_->setCreatedSince(d == since_->minimumDate() ? QDate() : d);
  });
  connect(archived_, &QCheckBox::toggled, this, [this](bool on) {
    auto f = model_->filter();
    f.includeArchived = on;
    model_->setFilter(f);
  });
  connect(trash_, &QCheckBox::toggled, this, [this](bool on) {
    auto f = model_->filter();
    f.onlyDeleted = on;
    model_->setFilter(f);
  });
  connect(collapseSeeds_, &QCheckBox::toggled, model_, &RunTableModel::setCollapseSeedGroups);
  connect(compare, &QPushButton::clicked, this, [this] { Q_EMIT compareRequested(selectedRunIds()); });
  connect(clone, &QPushButton::clicked, this, [this] {
    if (currentRunId()) Q_EMIT cloneRequested(currentRunId());
  });
  connect(density, &QPushButton::clicked, this, [this] {
    if (currentRunId()) Q_EMIT densityRequested(currentRunId());
  });
  connect(kernels, &QPushButton::clicked, this, [this] {
    if (currentRunId()) Q_EMIT kernelsRequested(currentRunId());
  });
  connect(saveNote, &QPushButton::clicked, this, &RunBrowser::saveNote);
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    showDetails();
    Q_EMIT selectionChanged();
  });
  connect(view_, &QTableView::doubleClicked, this, [this] {
    if (currentRunId()) Q_EMIT densityRequested(currentRunId());
  });
  connect(view_, &QTableView::customContextMenuRequested, this, [this](const QPoint& pos) {
    QMenu menu;
    menu.addAction(tr("Clone into editor"), this, [this] { Q_EMIT cloneRequested(currentRunId()); });
    menu.addAction(tr("Compare selected"), this, [this] { Q_EMIT compareRequested(selectedRunIds()); });
    menu.addAction(tr("Layer density"), this, [this] { Q_EMIT densityRequested(currentRunId()); });
    menu.addAction(tr("Kernels"), this, [this] { Q_EMIT kernelsRequested(currentRunId()); });
    menu.addSeparator();
    menu.addAction(tr("Add tag…"), this, &RunBrowser::tagSelected);
    menu.addAction(tr("Archive / unarchive"), this, &RunBrowser::archiveSelected);
    if (trash_->isChecked())
      menu.addAction(tr("Restore"), this, &RunBrowser::restoreSelected);
    else
      menu.addAction(tr("Delete…"), this, &RunBrowser::deleteSelected);
    menu.addSeparator();
    menu.addAction(tr("Columns…"), this, &RunBrowser::chooseColumns);
    menu.exec(view_->viewport()->mapToGlobal(pos));
  });
  refreshTagFilter();
  view_->resizeColumnsToContents();
}

QVector<qint64> RunBrowser::selectedRunIds() const {
  QVector<qint64> ids;
  for (const QModelIndex& i : view_->selectionModel()->selectedRows())
    for (qlonglong id : i.data(RunTableModel::RunIdsRole).value<QList<qlonglong>>()) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

qint64 RunBrowser::currentRunId() const {
  const QModelIndex i = view_->currentIndex();
  if (i.isValid()) return i.data(RunTableModel::RunIdRole).toLongLong();
  const auto ids = selectedRunIds();
  return ids.isEmpty() ? 0 : ids.front();
}

void RunBrowser::selectRuns(const QVector<qint64>& ids) {
  auto* sel = view_->selectionModel();
  sel->clearSelection();
  for (qint64 id : ids) {
    const int row = model_->rowOf(id);
    if (row < 0) continue;
    const QModelIndex i = proxy_->mapFromSource(model_->index(row, 0));
    sel->select(i, QItemSelectionModel::Select | QItemSelectionModel::Rows);
    sel->setCurrentIndex(i, QItemSelectionModel::NoUpdate);
    view_->scrollTo(i);
  }
}

void RunBrowser::refresh() {
  const auto ids = selectedRunIds();
  model_->refresh();
  refreshTagFilter();
  selectRuns(ids);
  view_->resizeColumnsToContents();
}

void RunBrowser::refreshTagFilter() {
  {  // the tag filter offers the store's tags, in their colours
    const QString keep = tag_->currentData().toString();
    const QSignalBlocker block(tag_);
    tag_->clear();
    tag_->addItem(tr("any tag"), QString());
    for (const auto& [name, color] : store_->tagColors()) {
      QPixmap swatch(12, 12);
      swatch.fill(QColor(QString::fromStdString(color)));
      tag_->addItem(QIcon(swatch), QString::fromStdString(name), QString::fromStdString(name));
    }
    tag_->setCurrentIndex(std::max(0, tag_->findData(keep)));
  }
}

void RunBrowser::showDetails() {
  const qint64 id = currentRunId();
  noteRun_ = id;
  const int row = model_->rowOf(id);
  const auto* rec = model_->record(row);
  if (!rec) {
    details_->clear();
    note_->clear();
    return;
  }
  QStringList lines;
  lines << tr("Run %1 (%2)").arg(rec->id).arg(QString::fromStdString(rec->uuid));
  lines << tr("Status: %1, %2").arg(QString::fromLatin1(store::runStatusName(rec->status)), QString::fromStdString(rec->lifecycle));
  lines << tr("Started %1, ended %2").arg(QString::fromStdString(rec->started), QString::fromStdString(rec->ended));
  lines << tr("TernLab %1 (%2)").arg(QString::fromStdString(rec->version), QString::fromStdString(rec->gitCommit));
  if (rec->parentId) lines << tr("Stage '%1' of run %2").arg(QString::fromStdString(rec->stage)).arg(*rec->parentId);
  if (!rec->error.empty()) lines << tr("Error: %1").arg(QString::fromStdString(rec->error));
  details_->setPlainText(lines.join(QLatin1Char('\n')));
  note_->setPlainText(QString::fromStdString(store_->note(id)));
}

void RunBrowser::saveNote() {
  if (!noteRun_) return;
  store_->setNote(noteRun_, note_->toPlainText().toStdString());
}

void RunBrowser::archiveSelected() {
  for (qint64 id : selectedRunIds()) {
    const auto* rec = model_->record(model_->rowOf(id));
    if (!rec) continue;
    store_->setLifecycle(id, rec->lifecycle == "archived" ? "active" : "archived");
  }
  refresh();
}

void RunBrowser::deleteSelected() {
  const auto ids = selectedRunIds();
  if (ids.isEmpty()) return;
  QStringList names;
  for (qint64 id : ids) names << QString::number(id);
  const auto answer = QMessageBox::question(
      this, tr("Delete runs"),
      tr("Delete run(s) %1? They disappear from the browser and compare views.").arg(names.join(QStringLiteral(", "))),
      QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
  if (answer != QMessageBox::Yes) return;
  for (qint64 id : ids) store_->setLifecycle(id, "deleted");
  refresh();
}

void RunBrowser::restoreSelected() {
  for (qint64 id : selectedRunIds()) store_->setLifecycle(id, "active");
  refresh();
}

void RunBrowser::tagSelected() {
  const auto ids = selectedRunIds();
  if (ids.isEmpty()) return;
  bool ok = false;
  const QString tag = QInputDialog::getText(this, tr("Add tag"), tr("Tag for %n run(s):", nullptr, ids.size()),
                                            QLineEdit::Normal, QString(), &ok).trimmed();
  if (!ok || tag.isEmpty()) return;
  const auto existing = store_->tagColors();
  const auto it = existing.find(tag.toStdString());
  const QColor initial = it != existing.end() ? QColor(QString::fromStdString(it->second)) : QColor(58, 123, 213);
  const QColor color = QColorDialog::getColor(initial, this, tr("Colour of tag “%1”").arg(tag));
  tagRuns(ids, tag, color.isValid() ? color : initial);
}

void RunBrowser::tagRuns(const QVector<qint64>& ids, const QString& tag, const QColor& color) {
  for (qint64 id : ids) store_->addTag(id, tag.toStdString(), color.name().toStdString());
  refresh();
}

void RunBrowser::chooseColumns() {
  bool ok = false;
  const QString keys = QInputDialog::getText(this, tr("Config columns"),
                                             tr("Flattened config keys, comma separated (e.g. quant.weights.scheme):"),
                                             QLineEdit::Normal, model_->configColumns().join(QStringLiteral(", ")), &ok);
  if (!ok) return;
  QStringList list;
  for (const auto& k : keys.split(QLatin1Char(','), Qt::SkipEmptyParts)) list << k.trimmed();
  model_->setConfigColumns(list);
  view_->resizeColumnsToContents();
}

}  // namespace ternlab::views
