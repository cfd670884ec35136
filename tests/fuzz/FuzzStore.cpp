// Fuzz target: an arbitrary file opened as a run store, then listed and read as `runs`/`show` do.
#include <filesystem>

#include "FuzzSupport.h"
#include "store/RunStore.h"
#include "store/Sqlite.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ternlab;
  const auto path = fuzz::writeInput("runs.sqlite", data, size);
  for (const char* side : {"-wal", "-shm", "-journal"}) std::filesystem::remove(path + side);
  try {
    store::RunStore db(path);
    for (const auto& r : db.listRuns()) {
      (void)db.metrics(r.id);
      (void)db.summaries(r.id);
      (void)db.tags(r.id);
      (void)db.layerStats(r.id);
    }
    (void)db.allSummaries();
  } catch (const store::StoreError& e) {
    fuzz::expectNamesFile(e, path);
  } catch (const std::exception& e) {
    fuzz::unexpected("exception", &e);
  }
  return 0;
}
