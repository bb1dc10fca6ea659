// The options of commands that read or write remote data (s3://, hdfs://, webhdfs://):
// --s3-endpoint, --s3-connections, --s3-part-size, --hdfs-user, --hdfs-token, --retries and
// --verbose, and the RemoteInputs of the running command, which write_output() also uses
// for an s3:// report or partial file.
// Thread-safety: main thread only.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "remote/remote_inputs.h"

namespace logan {

struct RemoteArgs {
  std::string s3_endpoint;
  unsigned connections = 8;
  uint64_t part_mib = 0;  // 0: chosen from the inputs' sizes (reads), 8 (uploads)
  std::string hdfs_user;
  std::string hdfs_token;
  int attempts = 6;
  bool verbose = false;
};

void add_remote_options(CLI::App& cmd, RemoteArgs& args);

// The remote inputs and outputs of this run, with the environment's defaults filled in
// (HADOOP_USER_NAME, HADOOP_TOKEN, the login user) and --verbose logging on stderr.
// While it lives, write_output() sends s3:// paths through it.
std::unique_ptr<RemoteInputs> open_remote(const RemoteArgs& args);

// The RemoteInputs open_remote() made last and that is still alive, or null.
RemoteInputs* current_remote();

}  // namespace logan
