// The files of an export directory, written aside and renamed into place; see
// export_directory.h.
#include "export/export_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "export/file_io.h"

namespace logan {
namespace fs = std::filesystem;
namespace {

// Appends `data` to the file at `path` (opened with `flags`); 0 or the errno of the failure.
int append_to(const std::string& path, int flags, std::string_view data) {
  int fd = ::open(path.c_str(), flags | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  int error = 0;
  if (!write_all(fd, data)) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  return error;
}

int sync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  int error = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

// An earlier export's file: a part file, the _SUCCESS marker, or a temporary file left by a
// run that was killed.
bool is_export_file(const std::string& name) {
  return name.rfind("part-", 0) == 0 || name == "_SUCCESS" ||
         (name.rfind(".part-", 0) == 0 && name.size() > 4 && name.ends_with(".tmp"));
}

}  // namespace

Result<std::unique_ptr<ExportDirectory>> ExportDirectory::open(std::string dir, bool overwrite) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{"cannot create export directory '" + dir + "': " + ec.message()};
  // A probe file: a read-only directory should fail now, not after an hour of work.
  std::string probe = dir + "/.logan-probe." + std::to_string(::getpid());
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return file_error("cannot write to export directory", dir, errno);
  ::close(fd);
  ::unlink(probe.c_str());

  std::unique_ptr<ExportDirectory> d(new ExportDirectory(dir, overwrite));
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && is_export_file(it->path().filename().string())) {
      d->old_files_.push_back(it->path().string());
    }
  }
  if (ec) return Error{"cannot list export directory '" + dir + "': " + ec.message()};
  std::sort(d->old_files_.begin(), d->old_files_.end());
  if (!overwrite) {
    for (const auto& f : d->old_files_) {
      std::string name = fs::path(f).filename().string();
      if (name[0] != '.') {
        return Error{"export directory '" + dir + "' already holds an export ('" + f +
                     "'); use --overwrite to replace it"};
      }
    }
  }
  return d;
}

ExportDirectory::~ExportDirectory() {
  if (!committed_) abort();
}

ExportDirectory::File& ExportDirectory::file(const std::string& relpath) {
  std::lock_guard lock(mu_);
  auto& f = files_[relpath];
  if (!f) {
    f = std::make_unique<File>();
    fs::path final_path = fs::path(dir_) / relpath;
    f->final = final_path.string();
    f->tmp = (final_path.parent_path() /
              ("." + final_path.filename().string() + "." + std::to_string(::getpid()) + ".tmp"))
                 .string();
  }
  return *f;
}

// REQUIRES: f.mu held.
Status ExportDirectory::create(File& f, const std::string& relpath) {
  fs::path parent = fs::path(f.final).parent_path();
  {
    std::lock_guard lock(mu_);
    // Remember the directories made here, deepest last, so abort() can remove them.
    std::vector<std::string> missing;
    for (fs::path p = parent; p.string().size() > dir_.size() && !fs::exists(p); p = p.parent_path()) {
      missing.push_back(p.string());
    }
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) return Error{"cannot create '" + parent.string() + "': " + ec.message()};
    created_dirs_.insert(created_dirs_.end(), missing.rbegin(), missing.rend());
  }
  int error = append_to(f.tmp, O_CREAT | O_EXCL, preamble_);
  if (error != 0) return file_error("cannot write", dir_ + "/" + relpath, error);
  f.created = true;
  return Ok{};
}

Status ExportDirectory::append(const std::string& relpath, std::string_view bytes) {
  File& f = file(relpath);
  std::lock_guard lock(f.mu);
  if (!f.created) {
    Status made = create(f, relpath);
    if (!made) return made;
  }
  int error = append_to(f.tmp, O_APPEND, bytes);
  if (error != 0) return file_error("cannot write", dir_ + "/" + relpath, error);
  return Ok{};
}

Status ExportDirectory::commit() {
  // Every file complete and on disk before any appears.
  for (auto& [rel, f] : files_) {
    if (!f->created) continue;
    if (int error = sync_path(f->tmp, O_RDONLY); error != 0) {
      return file_error("cannot write", dir_ + "/" + rel, error);
    }
  }
  const std::string success = dir_ + "/_SUCCESS";
  if (overwrite_) ::unlink(success.c_str());
  std::set<std::string> parents;
  for (auto& [rel, f] : files_) {
    if (!f->created) continue;
    if (::rename(f->tmp.c_str(), f->final.c_str()) != 0) {
      return file_error("cannot rename into place", f->final, errno);
    }
    f->created = false;  // nothing for abort() to remove
    parents.insert(fs::path(f->final).parent_path().string());
  }
  committed_ = true;
  if (overwrite_) remove_old_export();
  int fd = ::open(success.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return file_error("cannot write", success, errno);
  ::close(fd);
  parents.insert(dir_);
  for (const auto& p : parents) {
    if (int error = sync_path(p, O_RDONLY | O_DIRECTORY); error != 0) {
      return file_error("cannot sync", p, error);
    }
  }
  return Ok{};
}

void ExportDirectory::remove_old_export() {
  std::set<std::string> written;
  for (const auto& [rel, f] : files_) written.insert(f->final);
  for (const auto& old : old_files_) {
    if (written.count(old) || old == dir_ + "/_SUCCESS") continue;
    ::unlink(old.c_str());
    // Partition directories the old export leaves empty go too (rmdir keeps non-empty ones).
    std::error_code ec;
    for (fs::path p = fs::path(old).parent_path(); p.string().size() > dir_.size();
         p = p.parent_path()) {
      if (!fs::remove(p, ec)) break;
    }
  }
}

void ExportDirectory::abort() {
  std::lock_guard lock(mu_);
  for (auto& [rel, f] : files_) {
    if (f->created) ::unlink(f->tmp.c_str());
    f->created = false;
  }
  for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) ::rmdir(it->c_str());
  created_dirs_.clear();
}

}  // namespace logan
