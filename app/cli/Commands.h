#pragma once
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace ternlab::cli {

// Options every command that touches the run store shares.
struct StoreOptions {
  std::string db;  // empty: the default database
  std::string path() const;
};

// The arguments of a command about one stored run that prints text or JSON (show, report).
struct StoredRunArgs {
  StoreOptions store;
  std::int64_t id = 0;
  bool json = false;
};

// Each adds one subcommand to app; its callback sets exitCode. main() adds them in this order.
using CommandAdder = void(CLI::App& app, int& exitCode);
CommandAdder addRunCommand, addRunsCommand, addShowCommand, addResumeCommand, addSweepCommand, addResultsCommand,
    addReportCommand, addExportCommand, addInferCommand, addPredictCommand, addBenchCommand, addImportCommand;
// export --format tnn (TnnExportCommand.cpp); returns the exit code.
int exportTnnCommand(const std::string& dbPath, std::int64_t id, const std::string& out);

}  // namespace ternlab::cli
