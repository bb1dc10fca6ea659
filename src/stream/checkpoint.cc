// Checkpoint files: see checkpoint.h.
#include "stream/checkpoint.h"

#include <cerrno>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stats/serial.h"

namespace logan {

namespace {
constexpr std::string_view kMagic = "LOGANCK\x01";
// Version 2 added each compressed file's size on disk; version 1 files are still read.
constexpr uint64_t kVersion = 2;

std::string errno_text() { return std::strerror(errno); }
}  // namespace

void write_file_position(BinaryWriter& w, const FilePosition& p) {
  w.bytes(p.path);
  w.u64(p.device);
  w.u64(p.inode);
  w.u64(p.fingerprint_len);
  w.u64(p.fingerprint);
  w.u64(p.offset);
  w.u64(p.lines);
  w.u64((p.compressed ? 1 : 0) | (p.complete ? 2 : 0) | (p.gone ? 4 : 0));
  w.u64(p.raw_size);
}

FilePosition read_file_position(BinaryReader& r, bool with_raw_size) {
  FilePosition p;
  p.path = std::string(r.bytes());
  p.device = r.u64();
  p.inode = r.u64();
  p.fingerprint_len = static_cast<uint32_t>(r.u64());
  p.fingerprint = r.u64();
  p.offset = r.u64();
  p.lines = r.u64();
  uint64_t flags = r.u64();
  p.compressed = flags & 1;
  p.complete = flags & 2;
  p.gone = flags & 4;
  if (with_raw_size) p.raw_size = r.u64();
  return p;
}

std::string encode_checkpoint(const CheckpointData& data) {
  std::string out(kMagic);
  BinaryWriter w(out);
  w.u64(kVersion);
  w.i64(data.written_ms);
  w.u64(data.next_input);
  w.bytes(data.windows);
  w.u64(data.positions.size());
  for (const auto& [source, entries] : data.positions) {
    w.bytes(source);
    w.u64(entries.size());
    for (const auto& [id, p] : entries) {
      w.u64(id);
      write_file_position(w, p);
    }
  }
  append_checksum(out, 0);
  return out;
}

Result<CheckpointData> decode_checkpoint(std::string_view bytes) {
  auto body = open_frame(bytes, kMagic, "checkpoint");
  if (!body) return body.error();
  BinaryReader r(*body);
  uint64_t version = r.u64();
  if (!r.failed() && version != kVersion && version != 1) {
    return Error{"checkpoint version " + std::to_string(version) + " is not one this logan reads"};
  }
  CheckpointData data;
  data.written_ms = r.i64();
  data.next_input = static_cast<uint32_t>(r.u64());
  data.windows = std::string(r.bytes());
  uint64_t sources = r.count();
  for (uint64_t s = 0; s < sources && !r.failed(); ++s) {
    std::string name(r.bytes());
    auto& entries = data.positions[name];
    uint64_t n = r.count();
    for (uint64_t i = 0; i < n && !r.failed(); ++i) {
      FileEntry e;
      e.first = r.u64();
      e.second = read_file_position(r, version >= 2);
      entries.push_back(std::move(e));
    }
  }
  if (r.failed() || !r.at_end()) return Error{"checkpoint is truncated or corrupt"};
  return data;
}

Result<std::unique_ptr<CheckpointDir>> CheckpointDir::open(const std::string& dir,
                                                           const std::string& file) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Error{"cannot create checkpoint directory '" + dir + "': " + errno_text()};
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Error{"checkpoint directory '" + dir + "' is not a directory"};
  }
  std::string lock = dir + "/lock";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error{"cannot open '" + lock + "': " + errno_text()};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Error{"checkpoint directory '" + dir + "' is in use by another logan process"};
  }
  return std::unique_ptr<CheckpointDir>(new CheckpointDir(dir, file, fd));
}

CheckpointDir::~CheckpointDir() { ::close(lock_fd_); }

Result<std::optional<CheckpointData>> CheckpointDir::load() const {
  auto bytes = load_bytes();
  if (!bytes) return bytes.error();
  if (!*bytes) return std::optional<CheckpointData>();
  auto data = decode_checkpoint(**bytes);
  if (!data) {
    return Error{"refusing checkpoint '" + path_ + "': " + data.error().message +
                 " (move it away to start from nothing)"};
  }
  return std::optional<CheckpointData>(std::move(data.value()));
}

Result<std::optional<std::string>> CheckpointDir::load_bytes() const {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Error{"cannot read checkpoint '" + path_ + "': " + errno_text()};
  }
  std::string bytes;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string e = errno_text();
      ::close(fd);
      return Error{"cannot read checkpoint '" + path_ + "': " + e};
    }
    if (n == 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(bytes));
}

Status CheckpointDir::save(const CheckpointData& data) const {
  return save_bytes(encode_checkpoint(data));
}

Status CheckpointDir::save_bytes(std::string_view bytes) const {
  std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error{"cannot write checkpoint '" + tmp + "': " + errno_text()};
  std::string_view rest = bytes;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string e = errno_text();
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error{"cannot write checkpoint '" + tmp + "': " + e};
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd) != 0) {
    std::string e = errno_text();
    ::close(fd);
    ::unlink(tmp.c_str());
    return Error{"cannot sync checkpoint '" + tmp + "': " + e};
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    std::string e = errno_text();
    ::unlink(tmp.c_str());
    return Error{"cannot replace checkpoint '" + path_ + "': " + e};
  }
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Ok{};
}

}  // namespace logan
