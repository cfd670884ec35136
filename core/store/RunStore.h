#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "store/RunRecords.h"
#include "store/Sqlite.h"

namespace ternlab::store {

// The SQLite record of every run: one connection per RunStore (use one per thread), WAL mode,
// batched writes in transactions. Thread-safe for the calls of one connection.
class RunStore {
 public:
  explicit RunStore(const std::string& path);
  const std::string& path() const { return path_; }
  // Opened read-only because this process may not write the file or its folder: listing and reading
  // work, every write fails with a StoreError naming the file.
  bool readOnly() const { return readOnly_; }

  // Writing a run's life.
  std::int64_t createRun(const NewRun& run);  // status running, params flattened from the config
  void setStatus(std::int64_t run, RunStatus status, const std::string& error = "");
  // Marks the runs that process `pid` left 'running' as failed with error (a launcher whose child was killed);
  // returns how many.
  int failRunsOfProcess(std::int64_t pid, const std::string& error);
  // A parameter of how the run was made that its config does not hold (a data-parallel run's world size).
  void setParam(std::int64_t run, const std::string& key, double value);
  // setStatus(run, RunStatus::Failed, error), retried once after truncating the write-ahead log when the first
  // write fails, so a run whose store ran out of room can still be marked failed with its cause.
  void markFailed(std::int64_t run, const std::string& error);
  void heartbeat(std::int64_t run);
  // Takes an ended run back to 'running' for this process (resume).
  void reopenRun(std::int64_t run);
  void logMetrics(std::int64_t run, const std::vector<MetricPoint>& points);
  void logLayerStats(std::int64_t run, const std::vector<LayerStatRow>& rows);
  void addArtefact(std::int64_t run, const Artefact& a);
  // Copies another run's metrics, summaries, layer statistics and artefact rows (the files are shared,
  // not copied) onto run `to`: how a reused pipeline stage gets the record of the stage it reuses.
  void copyRecords(std::int64_t from, std::int64_t to);
  // Copies every run of another TernLab store (same schema) that this one lacks, matched by uuid, with its
  // params, notes, tags, metrics, summaries, layer statistics and artefact rows (the files stay where they
  // are); ids are new here and parents, tags, metric keys and teacher ids are remapped. One transaction: a
  // fault leaves this store as it was. StoreImport.cpp.
  ImportReport importRuns(const std::string& sourcePath);
  // Marks 'running' runs whose heartbeat is older than maxAgeSeconds (or whose process on this host
  // is gone) as 'interrupted'; returns how many.
  int markStaleRunsInterrupted(double maxAgeSeconds = 120.0);

  // Organising.
  void setLifecycle(std::int64_t run, const std::string& lifecycle);
  void deleteRunPermanently(std::int64_t run);
  void addTag(std::int64_t run, const std::string& tag, const std::string& color = "");
  void removeTag(std::int64_t run, const std::string& tag);
  std::vector<std::string> tags(std::int64_t run);
  std::map<std::string, std::string> tagColors();
  void setNote(std::int64_t run, const std::string& text);
  std::string note(std::int64_t run);

  // Reading.
  std::vector<RunRecord> listRuns(const RunFilter& filter = {});
  std::optional<RunRecord> run(std::int64_t id);
  std::vector<std::int64_t> children(std::int64_t id);
  std::vector<MetricPoint> metrics(std::int64_t run, const std::string& key = "");
  std::vector<std::string> metricKeys(std::int64_t run);
  std::vector<MetricSummary> summaries(std::int64_t run);
  std::map<std::int64_t, std::map<std::string, MetricSummary>> allSummaries();
  std::vector<LayerStatRow> layerStats(std::int64_t run);
  std::vector<Artefact> artefacts(std::int64_t run, const std::string& kind = "");
  std::map<std::string, std::string> params(std::int64_t run);
  // The world size of every data-parallel run (param distributed.world_size), in one query for the browser.
  std::map<std::int64_t, int> worldSizes();

 private:
  std::int64_t metricKeyId(const std::string& name);
  // One write of sql (binds: ?1 = run, ?2 = *text when given).
  void writeRow(const std::string& sql, std::int64_t run, const std::string* text = nullptr);
  // The rows of sql (binds: ?1 = run, ?2 = *key when given), each read by read(Statement&).
  template <typename Row, typename Read>
  std::vector<Row> rowsOf(const std::string& sql, std::int64_t run, const std::string* key, Read read);
  RunRecord readRun(Statement& s);
  std::string path_;
  bool readOnly_ = false;
  DbHandle db_;
  std::map<std::string, std::int64_t> keyIds_;
  std::recursive_mutex mutex_;
};

// The default database: $XDG_DATA_HOME/ternlab/runs.sqlite (~/.local/share/... when unset),
// the same place QStandardPaths::AppDataLocation gives the GUI.
std::string defaultDatabasePath();

}  // namespace ternlab::store
