// `ternlab-cli export ID --format tnn --out F`: the packed-engine file (called from ExportCommand).
#include <cstdio>

#include "Commands.h"
#include "engine/TnnExport.h"

namespace ternlab::cli {

int exportTnnCommand(const std::string& dbPath, std::int64_t id, const std::string& out) {
  try {
    const auto r = engine::exportTnn(id, dbPath, out);
    std::printf("exported run %lld (stage %lld) to %s: %zu bytes, %d layers (%d ternary), activations %s\n",
                static_cast<long long>(r.runId), static_cast<long long>(r.stageId), r.path.c_str(), r.bytes, r.layers,
                r.ternaryLayers, r.activationMode.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

}  // namespace ternlab::cli
