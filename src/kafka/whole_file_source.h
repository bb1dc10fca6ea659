// WholeFileSource: a StreamSource that reads one file once, from its start to its end, and
// then returns, as `cat` would: `logan ship FILE` without --follow. gzip, zstd and bzip2 files
// are decoded (recognised by their first bytes). It stops early when the context stops.
// Thread-safety: see StreamSource.
#pragma once

#include <memory>
#include <string>

#include "stream/stream_source.h"

namespace logan {

std::unique_ptr<StreamSource> make_whole_file_source(std::string path);

}  // namespace logan
