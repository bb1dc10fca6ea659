// S3Store: Amazon S3 and S3-compatible stores over their REST API, through libcurl with its
// built-in AWS SigV4 signing (no AWS SDK). Lists with ListObjectsV2 (following continuation
// tokens) from a glob's literal prefix, reads with ranged GETs, and uploads with PutObject, or
// a multipart upload (aborted on failure) for large bodies.
// With an endpoint (an S3-compatible store) requests use path-style URLs
// (ENDPOINT/bucket/key); without, virtual-hosted AWS URLs (https://bucket.s3.REGION.amazonaws.com/key).
// Errors name the object and S3's error code; 403 and credential errors say where the
// credentials came from, never what they are.
// Thread-safety: as ObjectStore; upload() may run alongside reads.
#pragma once

#include <string>
#include <string_view>

#include "remote/aws_config.h"
#include "remote/object_store.h"

namespace logan {

class S3Store final : public ObjectStore {
 public:
  S3Store(const RemoteContext& context, AwsConfig config);

  Result<std::vector<RemoteObject>> list(HttpClient& http, const RemoteUrl& url) override;

  // Stores `data` as `url`'s object: one PutObject up to `part_bytes`, else a multipart upload
  // of parts of `part_bytes` (S3 needs at least 5 MiB per part but the last).
  Status upload(HttpClient& http, const RemoteUrl& url, std::string_view data,
                size_t part_bytes = 8 << 20);

  // The URL of an object (or of a bucket, for an empty key), with `query` appended.
  std::string object_url(const std::string& bucket, const std::string& key,
                         const std::string& query = {}) const;

 protected:
  std::optional<AttemptFailure> read_once(HttpClient& http, const RemoteObject& object,
                                          uint64_t offset, uint64_t length, const Sink& sink,
                                          uint64_t& delivered) override;

 private:
  HttpRequest request(std::string method, std::string url) const;
  std::optional<AttemptFailure> failure_of(const HttpResponse& r) const;
  Result<std::vector<RemoteObject>> list_prefix(HttpClient& http, const std::string& bucket,
                                                const std::string& prefix, size_t max_keys);
  Result<std::string> upload_part(HttpClient& http, const RemoteUrl& url, const std::string& id,
                                  int number, std::string_view part);

  AwsConfig config_;
  std::string sigv4_provider_;
  std::string sigv4_user_;
};

}  // namespace logan
