#pragma once
// Writing a file so that it is either complete under its name or absent: checkpoints, exports.
#include <string>

namespace ternlab::io {

// Writes bytes to path + ".tmp", flushes it to disk and renames it over path. On any failure (disk full,
// file-size limit, I/O error) the temporary file is removed, path is left as it was, and a FileError
// names the file and the cause ("No space left on device").
void writeFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace ternlab::io
