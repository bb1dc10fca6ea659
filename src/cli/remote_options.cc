// Remote-storage options of the CLI; see remote_options.h.
#include "cli/remote_options.h"

#include <cstdio>
#include <cstdlib>

#include <pwd.h>
#include <unistd.h>

#include "cli/warn.h"

namespace logan {
namespace {

RemoteInputs* g_current = nullptr;

// Clears g_current when the RemoteInputs it names goes away.
class TrackedRemoteInputs final : public RemoteInputs {
 public:
  using RemoteInputs::RemoteInputs;
  ~TrackedRemoteInputs() override {
    if (g_current == this) g_current = nullptr;
  }
};

std::string login_user() {
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return {};
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

}  // namespace

void add_remote_options(CLI::App& cmd, RemoteArgs& args) {
  cmd.add_option("--s3-endpoint", args.s3_endpoint,
                 "S3-compatible endpoint, e.g. http://127.0.0.1:9000 (path-style requests; "
                 "default: AWS_ENDPOINT_URL, else AWS)");
  cmd.add_option("--s3-connections", args.connections,
                 "Parallel connections for reading s3:// and hdfs:// inputs")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd.add_option("--s3-part-size", args.part_mib,
                 "MiB per ranged GET (a large object is read as parallel ranges; default: about "
                 "one range per connection, 8 to 32 MiB) and per part of a multipart upload "
                 "(default 8; at least 5, S3's minimum, and enough for 10,000 parts)")
      ->check(CLI::Range(1, 1024));
  cmd.add_option("--hdfs-user", args.hdfs_user,
                 "WebHDFS user.name (default: HADOOP_USER_NAME, else the login user)");
  cmd.add_option("--hdfs-token", args.hdfs_token,
                 "WebHDFS delegation token (default: HADOOP_TOKEN); sent instead of user.name");
  cmd.add_option("--retries", args.attempts,
                 "Attempts per remote request before giving up (5xx, SlowDown, dropped connections)")
      ->capture_default_str()
      ->check(CLI::Range(1, 20));
  cmd.add_flag("--verbose", args.verbose,
               "Log remote requests, retries and where credentials came from on stderr");
}

std::unique_ptr<RemoteInputs> open_remote(const RemoteArgs& args) {
  RemoteOptions options;
  options.s3_endpoint = args.s3_endpoint;
  options.read.connections = args.connections;
  options.read.part_bytes = args.part_mib << 20;
  options.upload_part_bytes = (args.part_mib > 0 ? args.part_mib : 8) << 20;
  options.retry.max_attempts = args.attempts;
  options.hdfs.user = args.hdfs_user.empty() ? env_or("HADOOP_USER_NAME", login_user()) : args.hdfs_user;
  options.hdfs.delegation = args.hdfs_token.empty() ? env_or("HADOOP_TOKEN", "") : args.hdfs_token;
  options.env = [](const char* name) { return std::getenv(name); };
  if (args.verbose) {
    options.log = [](const std::string& line) { warn(line); };
  }
  auto remote = std::make_unique<TrackedRemoteInputs>(std::move(options));
  g_current = remote.get();
  return remote;
}

RemoteInputs* current_remote() { return g_current; }

}  // namespace logan
