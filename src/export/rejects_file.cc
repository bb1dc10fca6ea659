// Rejected lines, spilled and written in input order; see rejects_file.h.
#include "export/rejects_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "export/file_io.h"

namespace logan {
namespace {

void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
uint64_t get_u64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

void append_reject(std::string& block, uint64_t line_in_chunk, std::string_view line) {
  put_u64(block, line_in_chunk);
  put_u64(block, line.size());
  block += line;
}

Result<std::unique_ptr<RejectsFile>> RejectsFile::open(const std::string& path, bool with_source) {
  std::string spill = path + "." + std::to_string(::getpid()) + ".spill";
  int fd = ::open(spill.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return file_error("cannot write rejects file", path, errno);
  ::unlink(spill.c_str());
  return std::unique_ptr<RejectsFile>(new RejectsFile(path, with_source, fd));
}

RejectsFile::~RejectsFile() { ::close(spill_); }

Status RejectsFile::add(uint32_t input, uint64_t sequence, std::string_view block) {
  std::lock_guard lock(mu_);
  if (!write_all(spill_, block)) return file_error("cannot write rejects file", path_, errno);
  entries_.push_back({input, sequence, spilled_, block.size()});
  spilled_ += block.size();
  return Ok{};
}

Status RejectsFile::finish(const std::vector<std::vector<uint64_t>>& first_lines,
                           const std::function<std::string(uint32_t)>& source) {
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.input != b.input ? a.input < b.input : a.sequence < b.sequence;
  });
  std::string tmp = path_ + "." + std::to_string(::getpid()) + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return file_error("cannot write rejects file", path_, errno);
  std::string block, out;
  int error = 0;
  for (const Entry& e : entries_) {
    block.resize(e.size);
    if (!read_at(spill_, block.data(), e.size, e.offset)) {
      error = errno ? errno : EIO;
      break;
    }
    const std::string name = with_source_ ? source(e.input) : std::string();
    for (size_t at = 0; at + 16 <= block.size();) {
      uint64_t line = get_u64(block.data() + at), size = get_u64(block.data() + at + 8);
      at += 16;
      if (with_source_) {
        out += name;
        out += ':';
        out += std::to_string(first_lines[e.input][e.sequence] + line);
        out += ':';
      }
      out.append(block, at, size);
      out += '\n';
      at += size;
    }
    if (out.size() >= (1 << 20)) {
      if (!write_all(fd, out)) {
        error = errno;
        break;
      }
      out.clear();
    }
  }
  if (error == 0 && (!write_all(fd, out) || ::fsync(fd) != 0)) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(tmp.c_str(), path_.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(tmp.c_str());
    return file_error("cannot write rejects file", path_, error);
  }
  return Ok{};
}

}  // namespace logan
