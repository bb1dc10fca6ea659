// libcurl requests; see http_client.h.
#include "remote/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace logan {
namespace {

constexpr size_t kMaxKeptErrorBody = 64 * 1024;

struct Transfer {
  CURL* curl;
  const HttpRequest* request;
  HttpResponse* response;
};

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  const long wanted = t->request->stream_status;
  if (t->request->on_body && status >= 200 && status < 300 && (wanted == 0 || status == wanted)) {
    if (!t->request->on_body(std::string_view(data, n))) {
      t->response->stopped = true;
      return 0;  // curl stops with CURLE_WRITE_ERROR
    }
    t->response->streamed += n;
    return n;
  }
  std::string& body = t->response->body;
  if (t->request->on_body) {
    body.append(data, std::min(n, kMaxKeptErrorBody - std::min(kMaxKeptErrorBody, body.size())));
  } else {
    body.append(data, n);
  }
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();  // a new answer (after a redirect or 100 Continue)
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  t->response->headers[name] = std::string(value);
  return n;
}

}  // namespace

void HttpClient::global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpClient::HttpClient() : curl_(curl_easy_init()) {}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<HttpResponse> HttpClient::perform(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Error{"cannot start libcurl"};
  curl_easy_reset(curl);  // keeps the connection cache
  HttpResponse response;
  Transfer transfer{curl, &request, &response};
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  // Object keys and HDFS paths may hold "." and ".." segments: they name the object, and
  // must not be resolved away (which would read, and validly sign for, another one).
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  // A connection that delivers nothing for 30 s is as good as dropped.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 30L);
  // Larger reads than curl's 16 KiB default: fewer system calls and callbacks per object.
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 256L * 1024);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "logan");
  if (request.follow_redirects) {
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  }
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method == "PUT") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  // No "Expect: 100-continue" round trip before a body; no default content type for POST.
  headers = curl_slist_append(headers, "Expect:");
  if (request.method == "PUT" || request.method == "POST") {
    headers = curl_slist_append(headers, "Content-Type:");
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!request.sigv4_provider.empty()) {
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, request.sigv4_provider.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, request.sigv4_user.c_str());
  }

  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  // Forget the credentials: the handle outlives the request.
  curl_easy_setopt(curl, CURLOPT_USERPWD, nullptr);
  if (rc == CURLE_WRITE_ERROR && response.stopped) rc = CURLE_OK;
  if (rc != CURLE_OK) {
    return Error{errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(rc))};
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace logan
