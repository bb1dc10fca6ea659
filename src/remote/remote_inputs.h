// RemoteInputs: what a command needs to read and write remote data, built from its options:
// the S3 and WebHDFS stores (created on first use, so AWS settings are only looked at when an
// s3:// name appears), the expansion of a command line's inputs (local and remote, in the
// order given), the ParallelReader that the job opens remote inputs through, and uploads of
// a finished output file to s3://.
// Thread-safety: called from one thread (the CLI's); the reader it makes is used by the job.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "input/input_expander.h"
#include "remote/aws_config.h"
#include "remote/parallel_reader.h"
#include "remote/s3_store.h"
#include "remote/webhdfs_store.h"

namespace logan {

struct RemoteOptions {
  std::string s3_endpoint;       // wins over AWS_ENDPOINT_URL
  ParallelReadOptions read;
  size_t upload_part_bytes = 8 << 20;  // multipart uploads above this size, in parts of it
  RetryPolicy retry;
  WebHdfsAuth hdfs;              // user and token (already defaulted from the environment)
  RemoteContext::Log log;        // --verbose; may be empty
  EnvLookup env;                 // the environment (tests pass their own)
};

class RemoteInputs {
 public:
  explicit RemoteInputs(RemoteOptions options);
  virtual ~RemoteInputs();

  // Expands `args` like expand_inputs(), remote URLs included (listed through their store).
  // With `skipped` non-null, an argument that names nothing is recorded there instead.
  Result<std::vector<InputFile>> expand(const std::vector<std::string>& args,
                                        std::vector<Error>* skipped);

  // The opener for the remote inputs of the last expand(), which starts their downloads;
  // null when there are none.
  InputOpener* opener();

  // Writes `data` to the s3:// URL `url`: PutObject, or a multipart upload in parts of
  // upload_part_bytes when larger.
  Status upload(const std::string& url, std::string_view data);
  // The same for the contents of the local file `path`, mapped rather than read into memory.
  Status upload_file(const std::string& url, const std::string& path);

 private:
  Result<ObjectStore*> store_for(const RemoteUrl& url);
  Result<S3Store*> s3();
  HttpClient& http();

  RemoteOptions options_;
  RemoteContext context_;
  std::unique_ptr<S3Store> s3_;
  std::unique_ptr<WebHdfsStore> webhdfs_;
  std::vector<ParallelReader::Input> listed_;
  std::unique_ptr<ParallelReader> reader_;
  std::unique_ptr<HttpClient> http_;
};

}  // namespace logan
