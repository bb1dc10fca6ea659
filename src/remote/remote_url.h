// RemoteUrl: an input or output named by URL rather than a local path — s3://bucket/key,
// hdfs://namenode:port/path or webhdfs://namenode:port/path — split into its parts.
// parse_remote_url() is how the CLI tells remote names from local paths.
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace logan {

enum class RemoteScheme { kS3, kWebHdfs };

struct RemoteUrl {
  RemoteScheme scheme = RemoteScheme::kS3;
  std::string authority;  // the bucket (S3) or "host:port" of the namenode (WebHDFS)
  std::string path;       // the key (S3, no leading '/') or the absolute path (WebHDFS)

  // "s3://bucket/key" or "hdfs://host:port/path", as the user would write it.
  std::string to_string() const;
};

// True for names that start with a remote scheme (s3://, hdfs://, webhdfs://).
bool is_remote_url(std::string_view name);

// Parses `name`. Fails, naming it, when the scheme is unknown or a part is missing (an S3 URL
// without a bucket, a WebHDFS URL without a host). A WebHDFS URL without a port gets 9870,
// the namenode's default HTTP port.
Result<RemoteUrl> parse_remote_url(std::string_view name);

// Percent-encodes every byte outside RFC 3986's unreserved set; '/' too unless `keep_slash`.
std::string uri_encode(std::string_view s, bool keep_slash);

}  // namespace logan
