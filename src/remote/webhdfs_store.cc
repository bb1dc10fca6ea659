// WebHDFS listing and reads; see webhdfs_store.h.
#include "remote/webhdfs_store.h"

#include <algorithm>

#include "input/input_expander.h"

namespace logan {
namespace {

std::string join(const std::string& dir, const std::string& name) {
  return dir.ends_with("/") ? dir + name : dir + "/" + name;
}

bool hidden(const std::string& path) {
  size_t slash = path.rfind('/');
  return path.compare(slash == std::string::npos ? 0 : slash + 1, 1, ".") == 0;
}

}  // namespace

WebHdfsStore::WebHdfsStore(const RemoteContext& context, WebHdfsAuth auth)
    : ObjectStore(context), auth_(std::move(auth)) {
  context_.log(auth_.delegation.empty() ? "webhdfs: as user.name=" + auth_.user
                                        : std::string("webhdfs: with a delegation token"));
}

std::string WebHdfsStore::op_url(const std::string& authority, const std::string& path,
                                 const std::string& op) const {
  std::string url = "http://" + authority + "/webhdfs/v1" + uri_encode(path, true) + "?op=" + op;
  if (!auth_.delegation.empty()) {
    url += "&delegation=" + uri_encode(auth_.delegation, false);
  } else if (!auth_.user.empty()) {
    url += "&user.name=" + uri_encode(auth_.user, false);
  }
  return url;
}

std::optional<AttemptFailure> WebHdfsStore::failure_of(const HttpResponse& r) const {
  if (r.status >= 200 && r.status < 300) return std::nullopt;
  auto auth = r.headers.find("www-authenticate");
  if (r.status == 401 && auth != r.headers.end() && auth->second.starts_with("Negotiate")) {
    return AttemptFailure{"the namenode asks for Kerberos (SPNEGO) authentication, which logan "
                          "does not support; pass a delegation token (--hdfs-token or HADOOP_TOKEN)",
                          false};
  }
  auto json = JsonValue::parse(r.body);
  if (json) {
    const JsonValue& e = (*json)["RemoteException"];
    if (e.is_object()) {
      const std::string& exception = e["exception"].text();
      bool retry = exception == "RetriableException" || exception == "StandbyException" ||
                   (r.status >= 500 && exception.empty());
      return AttemptFailure{exception + ": " + e["message"].text(), retry};
    }
  }
  return AttemptFailure{"HTTP " + std::to_string(r.status), is_retryable_answer(r.status, "")};
}

Result<std::optional<JsonValue>> WebHdfsStore::metadata(HttpClient& http, const std::string& authority,
                                                        const std::string& path, const std::string& op) {
  HttpRequest req;
  req.url = op_url(authority, path, op);
  const std::string name = "hdfs://" + authority + path;
  context_.log("webhdfs: " + op + " " + name);
  bool missing = false;
  auto r = perform_with_retries(http, req, "cannot list '" + name + "'", [&](const HttpResponse& resp) {
    auto f = failure_of(resp);
    if (f && resp.status == 404 && f->message.starts_with("FileNotFoundException")) {
      missing = true;
      return std::optional<AttemptFailure>();
    }
    return f;
  });
  if (!r) return r.error();
  if (missing) return std::optional<JsonValue>();
  auto json = JsonValue::parse(r->body);
  if (!json) return Error{"cannot list '" + name + "': " + json.error().message};
  return std::optional<JsonValue>(std::move(json.value()));
}

Result<std::vector<WebHdfsStore::Entry>> WebHdfsStore::list_dir(HttpClient& http, const std::string& authority,
                                                                const std::string& dir) {
  auto json = metadata(http, authority, dir, "LISTSTATUS");
  if (!json) return json.error();
  std::vector<Entry> entries;
  if (!*json) return entries;
  for (const JsonValue& s : (**json)["FileStatuses"]["FileStatus"].items()) {
    const std::string& suffix = s["pathSuffix"].text();
    entries.push_back(Entry{suffix.empty() ? dir : join(dir, suffix), s["type"].text() == "DIRECTORY",
                            s["length"].as_u64()});
  }
  return entries;
}

// Every file below `dir`, dot-files and dot-directories skipped (as for local directories).
Status WebHdfsStore::all_files(HttpClient& http, const std::string& authority, const std::string& dir,
                               std::vector<Entry>& out) {
  auto entries = list_dir(http, authority, dir);
  if (!entries) return entries.error();
  for (auto& e : *entries) {
    if (hidden(e.path)) continue;
    if (!e.directory) {
      out.push_back(std::move(e));
    } else {
      Status s = all_files(http, authority, e.path, out);
      if (!s) return s;
    }
  }
  return Ok{};
}

Status WebHdfsStore::walk(HttpClient& http, const std::string& authority, const std::string& dir,
                          const std::vector<std::string>& parts, size_t i, std::vector<Entry>& out) {
  const bool last = i + 1 == parts.size();
  const std::string& part = parts[i];
  if (part == "**") {
    if (last) return all_files(http, authority, dir, out);
    Status here = walk(http, authority, dir, parts, i + 1, out);
    if (!here) return here;
    auto entries = list_dir(http, authority, dir);
    if (!entries) return entries.error();
    for (const auto& e : *entries) {
      if (!e.directory || hidden(e.path)) continue;
      Status below = walk(http, authority, e.path, parts, i, out);
      if (!below) return below;
    }
    return Ok{};
  }
  if (!has_glob_chars(part)) {
    if (!last) return walk(http, authority, join(dir, part), parts, i + 1, out);
    auto json = metadata(http, authority, join(dir, part), "GETFILESTATUS");
    if (!json) return json.error();
    if (!*json) return Ok{};
    const JsonValue& s = (**json)["FileStatus"];
    if (s["type"].text() == "FILE") out.push_back(Entry{join(dir, part), false, s["length"].as_u64()});
    return Ok{};
  }
  auto entries = list_dir(http, authority, dir);
  if (!entries) return entries.error();
  for (auto& e : *entries) {
    size_t slash = e.path.rfind('/');
    if (!glob_match_segment(part, e.path.substr(slash + 1))) continue;
    if (last && !e.directory) {
      out.push_back(std::move(e));
    } else if (!last && e.directory) {
      Status below = walk(http, authority, e.path, parts, i + 1, out);
      if (!below) return below;
    }
  }
  return Ok{};
}

Result<std::vector<RemoteObject>> WebHdfsStore::list(HttpClient& http, const RemoteUrl& url) {
  std::vector<Entry> found;
  if (has_glob_chars(url.path)) {
    auto parts = split_path(url.path);
    Status s = walk(http, url.authority, "/", parts, 0, found);
    if (!s) return s.error();
    if (found.empty()) return Error{"no file matches '" + url.to_string() + "'"};
  } else {
    auto json = metadata(http, url.authority, url.path, "GETFILESTATUS");
    if (!json) return json.error();
    if (!*json) return Error{"cannot open '" + url.to_string() + "': FileNotFoundException (no such file)"};
    const JsonValue& s = (**json)["FileStatus"];
    if (s["type"].text() == "DIRECTORY") {
      Status all = all_files(http, url.authority, url.path, found);
      if (!all) return all.error();
    } else {
      found.push_back(Entry{url.path, false, s["length"].as_u64()});
    }
  }
  std::sort(found.begin(), found.end(), [](const Entry& a, const Entry& b) { return a.path < b.path; });
  found.erase(std::unique(found.begin(), found.end(),
                          [](const Entry& a, const Entry& b) { return a.path == b.path; }),
              found.end());
  std::vector<RemoteObject> out;
  for (auto& e : found) out.push_back(RemoteObject{"hdfs://" + url.authority + e.path, e.path, e.length});
  return out;
}

std::optional<AttemptFailure> WebHdfsStore::read_once(HttpClient& http, const RemoteObject& object,
                                                      uint64_t offset, uint64_t length, const Sink& sink,
                                                      uint64_t& delivered) {
  RemoteUrl url = *parse_remote_url(object.name);
  HttpRequest req;
  req.url = op_url(url.authority, object.path, "OPEN") + "&offset=" + std::to_string(offset) +
            "&length=" + std::to_string(length);
  req.follow_redirects = true;  // namenode -> datanode (307)
  context_.log("webhdfs: OPEN " + object.name + " offset " + std::to_string(offset) + " length " +
               std::to_string(length));
  return stream_range(http, req, length, sink, delivered,
                      [this](const HttpResponse& r) { return failure_of(r); });
}

}  // namespace logan
