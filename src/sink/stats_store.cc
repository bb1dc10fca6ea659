// open_stats_store() and URL handling: see stats_store.h.
#include "sink/stats_store.h"

#include <regex>

namespace logan {

std::string redact_store_url(const std::string& url) {
  // postgresql://user:secret@host/db -> postgresql://user:***@host/db; password=secret -> ***
  static const std::regex uri_password(R"(^(postgres(ql)?://[^:/@]*:)[^@]*@)");
  static const std::regex keyword_password(R"((password\s*=\s*)('([^'\\]|\\.)*'|\S+))");
  std::string out = std::regex_replace(url, uri_password, "$1***@");
  return std::regex_replace(out, keyword_password, "$1***");
}

Result<std::unique_ptr<StatsStore>> open_stats_store(const std::string& url, int schema_version) {
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.rfind("//", 0) == 0) path = path.substr(2);  // sqlite://PATH as well
    if (path.empty()) return Error{"--sink sqlite:PATH needs a file path"};
    return sink_internal::open_sqlite_store(path, schema_version);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return sink_internal::open_postgres_store(url, redact_store_url(url), schema_version);
  }
  if (url.rfind("postgresql:", 0) == 0) {  // postgresql:host=... dbname=... (libpq keywords)
    return sink_internal::open_postgres_store(url.substr(11), redact_store_url(url), schema_version);
  }
  return Error{"unknown sink '" + redact_store_url(url) +
               "': use sqlite:PATH or postgresql://USER@HOST:PORT/DB"};
}

}  // namespace logan
