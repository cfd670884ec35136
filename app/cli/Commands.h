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

// Each function adds one subcommand to app; the callbacks set exitCode.
void addRunCommand(CLI::App& app, int& exitCode);
void addRunsCommand(CLI::App& app, int& exitCode);
void addShowCommand(CLI::App& app, int& exitCode);
void addResumeCommand(CLI::App& app, int& exitCode);
void addSweepCommand(CLI::App& app, int& exitCode);
void addResultsCommand(CLI::App& app, int& exitCode);
void addReportCommand(CLI::App& app, int& exitCode);
void addExportCommand(CLI::App& app, int& exitCode);
void addInferCommand(CLI::App& app, int& exitCode);
void addPredictCommand(CLI::App& app, int& exitCode);
void addBenchCommand(CLI::App& app, int& exitCode);
void addImportCommand(CLI::App& app, int& exitCode);
// export --format tnn (TnnExportCommand.cpp); returns the exit code.
int exportTnnCommand(const std::string& dbPath, std::int64_t id, const std::string& out);

}  // namespace ternlab::cli
