// ternlab-cli: train, list and inspect TernLab runs without the GUI.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "Commands.h"
#include "Version.h"
#include "kernels/Isa.h"
#include "config/ConfigError.h"
#include "store/RunStore.h"

namespace ternlab::cli {
std::string StoreOptions::path() const { return db.empty() ? store::defaultDatabasePath() : db; }
}  // namespace ternlab::cli

int main(int argc, char** argv) {
  // A kernel path forced lower (TERNLAB_KERNEL_ISA) caps LibTorch's oneDNN to match, before any LibTorch call.
  ternlab::kernels::matchBaselineIsaToKernels();
  CLI::App app{"TernLab: train, ternarize and compare ternary neural networks (headless)."};
  app.set_version_flag("--version", std::string("ternlab-cli ") + ternlab::kVersion + " (" + ternlab::kGitCommit + ")");
  app.require_subcommand(1);
  int exitCode = 0;
  namespace cli = ternlab::cli;
  for (auto* add : {cli::addRunCommand, cli::addRunsCommand, cli::addShowCommand, cli::addResumeCommand,
                    cli::addSweepCommand, cli::addResultsCommand, cli::addReportCommand, cli::addExportCommand,
                    cli::addInferCommand, cli::addPredictCommand, cli::addBenchCommand, cli::addImportCommand})
    add(app, exitCode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const ternlab::config::ConfigError& e) {  // a bad experiment or sweep file: 2, as for bad arguments
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return exitCode;
}
