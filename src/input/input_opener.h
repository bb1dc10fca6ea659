// InputOpener: opens the inputs that are not local files (s3://, hdfs:// ...) for a batch-style
// job, which knows nothing of where they live. The job still decodes what an opener returns
// (gzip, zstd, bzip2 by their first bytes) and cuts it into lines.
// Thread-safety: open() is called under the job's input lock, one call at a time; the sources it
// returns are read by one thread at a time.
#pragma once

#include <memory>

#include "input/byte_source.h"
#include "input/input_expander.h"

namespace logan {

class InputOpener {
 public:
  virtual ~InputOpener() = default;
  // True when `path` is one of this opener's inputs rather than a local file.
  virtual bool handles(const std::string& path) const = 0;
  // The raw bytes of `in` (REQUIRES: handles(in.path)), or an error naming it.
  virtual Result<std::unique_ptr<ByteSource>> open(const InputFile& in) = 0;
};

}  // namespace logan
