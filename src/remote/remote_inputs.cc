// Remote inputs and outputs of a command; see remote_inputs.h.
#include "remote/remote_inputs.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace logan {

RemoteInputs::RemoteInputs(RemoteOptions options)
    : options_(std::move(options)), context_(options_.retry, options_.log) {}

// Made on first use: a run over local files only never starts libcurl.
HttpClient& RemoteInputs::http() {
  if (!http_) {
    HttpClient::global_init();
    http_ = std::make_unique<HttpClient>();
  }
  return *http_;
}

RemoteInputs::~RemoteInputs() = default;

Result<S3Store*> RemoteInputs::s3() {
  if (!s3_) {
    auto config = resolve_aws_config(options_.env, options_.s3_endpoint);
    if (!config) return config.error();
    s3_ = std::make_unique<S3Store>(context_, std::move(config.value()));
  }
  return s3_.get();
}

Result<ObjectStore*> RemoteInputs::store_for(const RemoteUrl& url) {
  if (url.scheme == RemoteScheme::kS3) {
    auto store = s3();
    if (!store) return store.error();
    return static_cast<ObjectStore*>(*store);
  }
  if (!webhdfs_) webhdfs_ = std::make_unique<WebHdfsStore>(context_, options_.hdfs);
  return static_cast<ObjectStore*>(webhdfs_.get());
}

Result<std::vector<InputFile>> RemoteInputs::expand(const std::vector<std::string>& args,
                                                    std::vector<Error>* skipped) {
  std::vector<InputFile> inputs;
  listed_.clear();
  reader_.reset();
  for (const std::string& arg : args) {
    if (!is_remote_url(arg)) {
      auto local = expand_inputs({arg}, skipped);
      if (!local) return local.error();
      inputs.insert(inputs.end(), local->begin(), local->end());
      continue;
    }
    auto url = parse_remote_url(arg);
    if (!url) return url.error();
    auto store = store_for(*url);
    if (!store) return store.error();
    auto objects = (*store)->list(http(), *url);
    if (!objects) {
      if (skipped == nullptr) return objects.error();
      skipped->push_back(objects.error());
      continue;
    }
    for (auto& o : *objects) {
      inputs.push_back(InputFile{.path = o.name, .size = o.size});
      listed_.push_back(ParallelReader::Input{*store, std::move(o)});
    }
  }
  return inputs;
}

InputOpener* RemoteInputs::opener() {
  if (listed_.empty()) return nullptr;
  if (!reader_) reader_ = std::make_unique<ParallelReader>(std::move(listed_), options_.read);
  return reader_.get();
}

Status RemoteInputs::upload(const std::string& url, std::string_view data) {
  auto parsed = parse_remote_url(url);
  if (!parsed) return parsed.error();
  if (parsed->scheme != RemoteScheme::kS3) return Error{"cannot write '" + url + "': only s3:// outputs are supported"};
  if (parsed->path.empty() || parsed->path.back() == '/') return Error{"cannot write '" + url + "': it names no object key"};
  auto store = s3();
  if (!store) return store.error();
  return (*store)->upload(http(), *parsed, data, options_.upload_part_bytes);
}

Status RemoteInputs::upload_file(const std::string& url, const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open '" + path + "': " + std::strerror(errno)};
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Error e{"cannot read '" + path + "': " + std::strerror(errno)};
    ::close(fd);
    return e;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* map = size > 0 ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : nullptr;
  ::close(fd);
  if (map == MAP_FAILED) return Error{"cannot read '" + path + "': " + std::strerror(errno)};
  Status sent = upload(url, std::string_view(static_cast<const char*>(map), size));
  if (map != nullptr) ::munmap(map, size);
  return sent;
}

}  // namespace logan
