#include <cstdio>
#include <memory>

#include "Commands.h"
#include "store/RunStore.h"

namespace ternlab::cli {

namespace {

struct ImportArgs {
  std::string source;
  StoreOptions store;
  bool json = false;
};

}  // namespace

void addImportCommand(CLI::App& app, int& exitCode) {
  auto a = std::make_shared<ImportArgs>();
  auto* cmd = app.add_subcommand(
      "import", "Copy the runs of another TernLab store (another machine's, a shard of a sweep) into this one");
  cmd->add_option("store", a->source, "the run database to copy from (read only)")->required();
  cmd->add_option("--db", a->store.db, "run database to copy into");
  cmd->add_flag("--json", a->json, "one JSON document on stdout: the id map and the counts");
  cmd->callback([a, &exitCode] {
    store::RunStore db(a->store.path());
    const auto r = db.importRuns(a->source);
    if (a->json) {
      nlohmann::json ids = nlohmann::json::object();
      for (const auto& [from, to] : r.ids) ids[std::to_string(from)] = to;
      std::printf("%s\n", nlohmann::json{{"source", a->source},
                                         {"db", db.path()},
                                         {"imported", r.ids.size()},
                                         {"already_present", r.alreadyPresent},
                                         {"not_ended", r.notEnded},
                                         {"unreachable", r.unreachable},
                                         {"ids", ids}}
                              .dump(2)
                              .c_str());
    } else {
      std::printf("imported %zu runs from %s into %s (%lld already there", r.ids.size(), a->source.c_str(),
                  db.path().c_str(), static_cast<long long>(r.alreadyPresent));
      if (r.notEnded) std::printf(", %lld left out: their pipeline has not ended", static_cast<long long>(r.notEnded));
      if (r.unreachable)
        std::printf(", %lld left out: their parent is missing", static_cast<long long>(r.unreachable));
      std::printf(")\n");
    }
    exitCode = 0;
  });
}

}  // namespace ternlab::cli
