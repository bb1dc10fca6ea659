// WebHdfsStore: HDFS through the namenode's WebHDFS REST API (hdfs://namenode:9870/path or
// webhdfs://...). Globs are expanded with LISTSTATUS and GETFILESTATUS one directory level at
// a time; reads are OPEN requests with offset and length, which the namenode answers with a
// 307 redirect to a datanode that curl follows. Requests carry user.name (simple
// authentication) or, when one is given, a delegation token instead.
// Kerberos (SPNEGO) is not implemented: a namenode that asks for it (401 with
// "WWW-Authenticate: Negotiate") is a clear error. RemoteException answers become messages
// naming the path and the exception (FileNotFoundException, AccessControlException, ...).
// Thread-safety: as ObjectStore.
#pragma once

#include <string>

#include "remote/json_value.h"
#include "remote/object_store.h"

namespace logan {

struct WebHdfsAuth {
  std::string user;        // user.name (simple authentication)
  std::string delegation;  // a delegation token; when set, sent instead of user.name
};

class WebHdfsStore final : public ObjectStore {
 public:
  WebHdfsStore(const RemoteContext& context, WebHdfsAuth auth);

  Result<std::vector<RemoteObject>> list(HttpClient& http, const RemoteUrl& url) override;

 protected:
  std::optional<AttemptFailure> read_once(HttpClient& http, const RemoteObject& object,
                                          uint64_t offset, uint64_t length, const Sink& sink,
                                          uint64_t& delivered) override;

 private:
  struct Entry {
    std::string path;
    bool directory = false;
    uint64_t length = 0;
  };
  std::string op_url(const std::string& authority, const std::string& path, const std::string& op) const;
  std::optional<AttemptFailure> failure_of(const HttpResponse& r) const;
  // The JSON answer of a metadata operation; nullopt (not an error) for a path that does not exist.
  Result<std::optional<JsonValue>> metadata(HttpClient& http, const std::string& authority,
                                            const std::string& path, const std::string& op);
  Result<std::vector<Entry>> list_dir(HttpClient& http, const std::string& authority, const std::string& dir);
  Status all_files(HttpClient& http, const std::string& authority, const std::string& dir,
                   std::vector<Entry>& out);
  Status walk(HttpClient& http, const std::string& authority, const std::string& dir,
              const std::vector<std::string>& parts, size_t i, std::vector<Entry>& out);

  WebHdfsAuth auth_;
};

}  // namespace logan
