// InputOpener: opens the inputs that are not local files (s3://, hdfs:// ...) for a batch-style
// job, which knows nothing of where they live. The job still decodes what an opener returns
// (gzip, zstd, bzip2 by their first bytes) and cuts it into lines.
// An opener that downloads ahead also says which inputs have data at hand (ready()) and lets
// the job wait for more (wait_for_data()), so that the job reads inputs as they arrive rather
// than strictly one after another.
// Thread-safety: open(), ready() and wait_for_data() are called under the job's input lock, one
// call at a time; the sources it returns are read by one thread at a time.
#pragma once

#include <chrono>
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
  // Whether the source open(in) would return has `bytes` bytes (or all of it, when shorter) at
  // hand, so that opening and reading it would not wait. REQUIRES: handles(in.path).
  virtual bool ready(const InputFile& in, size_t bytes) { (void)in; (void)bytes; return true; }
  // Waits until more bytes of any input have arrived, or `timeout` has passed.
  virtual void wait_for_data(std::chrono::milliseconds timeout) { (void)timeout; }
};

}  // namespace logan
