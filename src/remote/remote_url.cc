// Remote URL parsing; see remote_url.h.
#include "remote/remote_url.h"

namespace logan {
namespace {

constexpr std::string_view kS3 = "s3://";
constexpr std::string_view kHdfs = "hdfs://";
constexpr std::string_view kWebHdfs = "webhdfs://";
constexpr std::string_view kDefaultNamenodePort = "9870";

}  // namespace

std::string RemoteUrl::to_string() const {
  if (scheme == RemoteScheme::kS3) return std::string(kS3) + authority + "/" + path;
  return std::string(kHdfs) + authority + path;
}

bool is_remote_url(std::string_view name) {
  return name.starts_with(kS3) || name.starts_with(kHdfs) || name.starts_with(kWebHdfs);
}

Result<RemoteUrl> parse_remote_url(std::string_view name) {
  RemoteUrl url;
  std::string_view rest;
  if (name.starts_with(kS3)) {
    rest = name.substr(kS3.size());
  } else if (name.starts_with(kHdfs) || name.starts_with(kWebHdfs)) {
    url.scheme = RemoteScheme::kWebHdfs;
    rest = name.substr(name.starts_with(kHdfs) ? kHdfs.size() : kWebHdfs.size());
  } else {
    return Error{"'" + std::string(name) + "' is not an s3://, hdfs:// or webhdfs:// URL"};
  }
  size_t slash = rest.find('/');
  url.authority = std::string(rest.substr(0, slash));
  if (url.authority.empty()) {
    return Error{"'" + std::string(name) + "' names no " +
                 (url.scheme == RemoteScheme::kS3 ? "bucket" : "namenode")};
  }
  if (url.scheme == RemoteScheme::kS3) {
    url.path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  } else {
    url.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (url.authority.find(':') == std::string::npos) {
      url.authority += ":" + std::string(kDefaultNamenodePort);
    }
  }
  return url;
}

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace logan
