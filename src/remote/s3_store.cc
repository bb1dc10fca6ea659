// S3 listing, ranged reads and uploads; see s3_store.h.
#include "remote/s3_store.h"

#include <algorithm>

#include "remote/key_glob.h"
#include "remote/s3_xml.h"

namespace logan {
namespace {

std::string s3_name(const std::string& bucket, const std::string& key) {
  return "s3://" + bucket + "/" + key;
}

bool has_glob(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

}  // namespace

S3Store::S3Store(const RemoteContext& context, AwsConfig config)
    : ObjectStore(context), config_(std::move(config)) {
  if (!config_.credentials.empty()) {
    sigv4_provider_ = "aws:amz:" + config_.region + ":s3";
    sigv4_user_ = config_.credentials.access_key_id + ":" + config_.credentials.secret_access_key;
  }
  context_.log("s3: region " + config_.region + ", endpoint " +
               (config_.endpoint.empty() ? std::string("AWS (virtual-hosted)") : config_.endpoint + " (path-style)") +
               ", credentials " +
               (config_.credentials.empty() ? std::string("none (unsigned requests)")
                                            : "from " + config_.credentials.source +
                                                  (config_.credentials.session_token.empty() ? "" : " with a session token")));
}

std::string S3Store::object_url(const std::string& bucket, const std::string& key,
                                const std::string& query) const {
  std::string url = config_.endpoint.empty()
                        ? "https://" + bucket + ".s3." + config_.region + ".amazonaws.com/" + uri_encode(key, true)
                        : config_.endpoint + "/" + bucket + "/" + uri_encode(key, true);
  if (!query.empty()) url += "?" + query;
  return url;
}

HttpRequest S3Store::request(std::string method, std::string url) const {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.sigv4_provider = sigv4_provider_;
  r.sigv4_user = sigv4_user_;
  // Signed as is: S3 needs the header, and curl signs the value it finds there.
  r.headers.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
  if (!config_.credentials.session_token.empty()) {
    r.headers.push_back("x-amz-security-token: " + config_.credentials.session_token);
  }
  return r;
}

std::optional<AttemptFailure> S3Store::failure_of(const HttpResponse& r) const {
  if (r.status >= 200 && r.status < 300) return std::nullopt;
  S3ErrorDoc doc = parse_s3_error(r.body);
  if (doc.code.empty()) {
    switch (r.status) {
      case 403: doc.code = "AccessDenied"; break;
      case 404: doc.code = "NotFound"; break;
      default: doc.code = "HTTP " + std::to_string(r.status);
    }
  }
  std::string message = doc.code + (doc.message.empty() ? "" : " (" + doc.message + ")");
  if (doc.code == "InvalidAccessKeyId" || doc.code == "SignatureDoesNotMatch" ||
      doc.code == "ExpiredToken" || doc.code == "InvalidToken" || doc.code == "AccessDenied") {
    message += config_.credentials.empty()
                   ? "; no AWS credentials were found, the request was unsigned"
                   : "; check the AWS credentials from " + config_.credentials.source;
  }
  return AttemptFailure{message, is_retryable_answer(r.status, doc.code)};
}

Result<std::vector<RemoteObject>> S3Store::list_prefix(HttpClient& http, const std::string& bucket,
                                                       const std::string& prefix, size_t max_keys) {
  std::vector<RemoteObject> out;
  std::string token;
  for (int page = 1;; ++page) {
    // curl 7.88 signs the query string as written, so it must already be in SigV4's
    // canonical form: parameters sorted by name, values percent-encoded.
    std::string query;
    if (!token.empty()) query += "continuation-token=" + uri_encode(token, false) + "&";
    query += "list-type=2";
    if (max_keys > 0) query += "&max-keys=" + std::to_string(max_keys);
    if (!prefix.empty()) query += "&prefix=" + uri_encode(prefix, false);
    HttpRequest req = request("GET", object_url(bucket, "", query));
    context_.log("s3: list " + s3_name(bucket, prefix) + " (page " + std::to_string(page) + ")");
    auto response = perform_with_retries(http, req, "cannot list '" + s3_name(bucket, prefix) + "'",
                                         [this](const HttpResponse& r) { return failure_of(r); });
    if (!response) return response.error();
    auto parsed = parse_list_page(response->body);
    if (!parsed) return Error{"cannot list '" + s3_name(bucket, prefix) + "': " + parsed.error().message};
    for (auto& o : parsed->objects) {
      out.push_back(RemoteObject{s3_name(bucket, o.key), std::move(o.key), o.size});
    }
    if (!parsed->truncated || max_keys > 0) return out;
    token = parsed->next_token;
  }
}

Result<std::vector<RemoteObject>> S3Store::list(HttpClient& http, const RemoteUrl& url) {
  const std::string& key = url.path;
  std::vector<RemoteObject> found;
  if (has_glob(key)) {
    auto listed = list_prefix(http, url.authority, glob_literal_prefix(key), 0);
    if (!listed) return listed.error();
    for (auto& o : *listed) {
      if (key_glob_match(key, o.path)) found.push_back(std::move(o));
    }
    if (found.empty()) return Error{"no object matches '" + url.to_string() + "'"};
  } else {
    // One object, or, like a local directory, every object below the key as a prefix.
    if (!key.empty() && key.back() != '/') {
      auto first = list_prefix(http, url.authority, key, 1);
      if (!first) return first.error();
      if (!first->empty() && first->front().path == key) return first;
    }
    std::string dir = key.empty() || key.back() == '/' ? key : key + "/";
    auto listed = list_prefix(http, url.authority, dir, 0);
    if (!listed) return listed.error();
    for (auto& o : *listed) {
      if (!o.path.ends_with("/")) found.push_back(std::move(o));  // skip "folder" markers
    }
    if (found.empty()) return Error{"cannot open '" + url.to_string() + "': NoSuchKey (no such object)"};
  }
  std::sort(found.begin(), found.end(),
            [](const RemoteObject& a, const RemoteObject& b) { return a.path < b.path; });
  return found;
}

std::optional<AttemptFailure> S3Store::read_once(HttpClient& http, const RemoteObject& object,
                                                 uint64_t offset, uint64_t length, const Sink& sink,
                                                 uint64_t& delivered) {
  RemoteUrl url = *parse_remote_url(object.name);
  HttpRequest req = request("GET", object_url(url.authority, url.path));
  req.headers.push_back("Range: bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
  req.stream_status = 206;  // Partial Content: anything else is not the bytes asked for
  context_.log("s3: GET " + object.name + " bytes " + std::to_string(offset) + "-" +
               std::to_string(offset + length - 1));
  return stream_range(http, req, length, sink, delivered,
                      [this](const HttpResponse& r) { return failure_of(r); });
}

Status S3Store::upload(HttpClient& http, const RemoteUrl& url, std::string_view data,
                       size_t part_bytes) {
  const std::string name = url.to_string();
  const std::string what = "cannot write '" + name + "'";
  auto judge = [this](const HttpResponse& r) { return failure_of(r); };
  // S3 takes at most 10,000 parts, each of at least 5 MiB but the last: a smaller size would
  // fail at CompleteMultipartUpload, a larger object only after 10,000 parts were sent.
  constexpr size_t kMinPartBytes = 5 << 20, kMaxParts = 10000;
  part_bytes = std::max({part_bytes, kMinPartBytes, (data.size() + kMaxParts - 1) / kMaxParts});
  if (data.size() <= part_bytes) {
    HttpRequest req = request("PUT", object_url(url.authority, url.path));
    req.body = data;
    context_.log("s3: PUT " + name + " (" + std::to_string(data.size()) + " bytes)");
    auto r = perform_with_retries(http, req, what, judge);
    if (!r) return r.error();
    return Ok{};
  }
  HttpRequest create = request("POST", object_url(url.authority, url.path, "uploads="));
  context_.log("s3: CreateMultipartUpload " + name);
  auto created = perform_with_retries(http, create, what, judge);
  if (!created) return created.error();
  const std::string id = xml_text(created->body, "UploadId");
  if (id.empty()) return Error{what + ": CreateMultipartUpload answered no UploadId"};

  std::string complete = "<CompleteMultipartUpload>";
  Status outcome = Ok{};
  int number = 1;
  for (size_t pos = 0; pos < data.size(); pos += part_bytes, ++number) {
    auto etag = upload_part(http, url, id, number, data.substr(pos, part_bytes));
    if (!etag) {
      outcome = etag.error();
      break;
    }
    complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + *etag +
                "</ETag></Part>";
  }
  if (outcome) {
    complete += "</CompleteMultipartUpload>";
    HttpRequest finish = request("POST", object_url(url.authority, url.path, "uploadId=" + uri_encode(id, false)));
    finish.body = complete;
    context_.log("s3: CompleteMultipartUpload " + name + " (" + std::to_string(number - 1) + " parts)");
    // S3 may answer 200 with an <Error> body when completing.
    auto done = perform_with_retries(http, finish, what, [&](const HttpResponse& r) {
      auto f = failure_of(r);
      if (!f && !parse_s3_error(r.body).code.empty()) {
        HttpResponse as_error = r;
        as_error.status = 500;
        f = failure_of(as_error);
      }
      return f;
    });
    if (done) return Ok{};
    outcome = done.error();
  }
  HttpRequest abort = request("DELETE", object_url(url.authority, url.path, "uploadId=" + uri_encode(id, false)));
  context_.log("s3: AbortMultipartUpload " + name);
  (void)http.perform(abort);  // best effort: the upload's failure is what the user must hear
  return outcome;
}

Result<std::string> S3Store::upload_part(HttpClient& http, const RemoteUrl& url,
                                         const std::string& id, int number, std::string_view part) {
  HttpRequest req = request("PUT", object_url(url.authority, url.path,
                                              "partNumber=" + std::to_string(number) +
                                                  "&uploadId=" + uri_encode(id, false)));
  req.body = part;
  context_.log("s3: UploadPart " + url.to_string() + " part " + std::to_string(number) + " (" +
               std::to_string(part.size()) + " bytes)");
  auto r = perform_with_retries(http, req, "cannot write '" + url.to_string() + "'",
                                [this](const HttpResponse& resp) { return failure_of(resp); });
  if (!r) return r.error();
  auto etag = r->headers.find("etag");
  if (etag == r->headers.end()) return Error{"cannot write '" + url.to_string() + "': UploadPart answered no ETag"};
  return etag->second;
}

}  // namespace logan
