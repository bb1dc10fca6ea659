// FileWatchSource: see file_watch_source.h.
#include "stream/file_watch_source.h"

#include "core/stable_hash.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "input/decoding_source.h"
#include "stream/fd_reading.h"

namespace logan {

bool is_temporary_name(const std::string& name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (name.empty() || name[0] == '.' || name[0] == '#' || name[0] == '~') return true;
  for (std::string_view s : {"~", ".tmp", ".temp", ".swp", ".swx", ".part", ".partial",
                             ".crdownload", ".filepart", ".lock"}) {
    if (ends_with(s)) return true;
  }
  return false;
}

uint64_t fingerprint_hash(std::string_view bytes) { return fnv1a64(bytes); }

namespace {

constexpr size_t kFingerprintBytes = 1024;
constexpr int64_t kRescanMs = 1000;          // inotify mode: full scan at least this often,
constexpr int64_t kMaxRescanMs = 60000;      // or, in a directory of many files, this often
constexpr size_t kMaxOpenFiles = 256;        // beyond this many, files read to their end are closed
constexpr int64_t kIdleCloseMs = 60000;      // close files unchanged this long (reopened on growth)
constexpr int64_t kRenamedGraceMs = 30000;   // keep reading a file gone from the directory
constexpr int64_t kDeferMs = 3000;           // wait for a compressed copy's original to go
constexpr size_t kMaxVanished = 1024;        // remembered gone files, for compressed copies
constexpr uint64_t kReadBudget = 64 << 20;   // bytes from one file before looking at others

bool compatible(const FilePosition& known, std::string_view prefix) {
  return known.fingerprint_len > 0 && prefix.size() >= known.fingerprint_len &&
         fingerprint_hash(prefix.substr(0, known.fingerprint_len)) == known.fingerprint;
}

struct Tracked {
  uint64_t id = 0;
  uint64_t seq = 0;          // creation order (the order of files_)
  FilePosition pos;
  LineAssembler assembler;   // plain files: persists between reads
  int fd = -1;
  bool present = false;      // in the latest listing, under some name
  bool was_present = false;  // in the listing before it (scan only)
  bool vanished = false;     // gone: remembered only to recognise a compressed copy
  bool restored = false;     // from a checkpoint, not yet found in the directory
  std::optional<InputId> input;
  int64_t last_change_ms = 0;
  uint64_t checked_size = UINT64_MAX;  // size when the fingerprint was last checked
  uint64_t read_size = UINT64_MAX;     // compressed: size (and mtime) at the last full read
  int64_t read_mtime = 0;
  std::string failure;        // compressed: why the last read stopped short, until said
  bool adopted = false;       // a copy of a file read before: shorter than offset means done
  bool pooled = false;        // the assembler takes its batches from the job's pool

  size_t* open_fds = nullptr;  // the source's count of open descriptors

  ~Tracked() { close_fd(); }
  void close_fd() {
    if (fd < 0) return;
    ::close(fd);
    fd = -1;
    if (open_fds) --*open_fds;
  }
  bool live() const { return !vanished && !restored; }
};

struct Candidate {
  std::string name;
  struct stat st;
};

class FileWatchSource final : public StreamSource {
 public:
  FileWatchSource(std::string name, std::string directory, FileWatchOptions options)
      : name_(std::move(name)), dir_(std::move(directory)), options_(std::move(options)) {}
  ~FileWatchSource() override {
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
  }

  const std::string& name() const override { return name_; }
  std::string checkpoint_key() const override {
    char* real = ::realpath(dir_.c_str(), nullptr);
    std::string dir = real ? real : dir_;
    std::free(real);
    return (options_.follow ? "file:" : "dir:") + dir + "/" + options_.pattern;
  }

  Status open() override {
    struct stat st;
    if (::stat(dir_.c_str(), &st) != 0) {
      return Error{"cannot watch '" + name_ + "': " + std::strerror(errno)};
    }
    if (!S_ISDIR(st.st_mode)) return Error{"cannot watch '" + name_ + "': '" + dir_ + "' is not a directory"};
    if (options_.follow) {
      std::string path = dir_ + "/" + options_.pattern;
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return Error{"cannot follow '" + name_ + "': " + std::strerror(errno)};
      ::close(fd);
    }
    return Ok{};
  }

  void restore(std::vector<FileEntry> entries) override {
    restored_any_ = !entries.empty();
    for (auto& [id, pos] : entries) {
      auto t = std::make_unique<Tracked>();
      t->seq = next_seq_++;
      t->id = id;
      t->pos = std::move(pos);
      // A file already gone when the checkpoint was written is only remembered.
      t->restored = !t->pos.gone;
      t->vanished = t->pos.gone;
      t->assembler.reset(t->pos.offset, t->pos.lines);
      next_id_ = std::max(next_id_, id + 1);
      files_.push_back(std::move(t));
    }
  }

  Status run(SourceContext& ctx) override {
    ctx_ = &ctx;
    int64_t interval = options_.poll_ms;
    if (interval <= 0) {
      inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
      if (inotify_fd_ < 0 || !add_watch()) {
        ctx.warn("cannot use inotify on '" + dir_ + "' (" + std::strerror(errno) +
                 "); scanning it every second instead");
        if (inotify_fd_ >= 0) ::close(inotify_fd_);
        inotify_fd_ = -1;
        interval = 1000;
      } else {
        interval = kRescanMs;
      }
    }
    scan(/*initial=*/true);
    bool behind = read_files({}, /*all=*/true);
    int64_t last_full = steady_ms();
    std::vector<char> events(64 * 1024);
    while (!ctx.stopping()) {
      pollfd fds[2] = {{ctx.stop_fd(), POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
      // A file with more to read than one turn's budget is read on at once.
      // With inotify, the full scan is only a safety net: a large directory is scanned less
      // often (1 ms per known file, at most a minute apart), so that an idle one costs little.
      if (inotify_fd_ >= 0) {
        interval = std::clamp<int64_t>(static_cast<int64_t>(files_.size()), kRescanMs, kMaxRescanMs);
      }
      int64_t wait = behind ? 0 : std::max<int64_t>(0, last_full + interval - steady_ms());
      int n = ::poll(fds, inotify_fd_ >= 0 ? 2 : 1, static_cast<int>(wait));
      if (n < 0 && errno != EINTR) return Error{std::string("poll: ") + std::strerror(errno)};
      if (ctx.stopping()) break;
      bool full = steady_ms() - last_full >= interval;
      std::set<std::string> named;
      if (inotify_fd_ >= 0 && n > 0 && (fds[1].revents & POLLIN)) {
        full |= drain_events(events, named);
      }
      if (full) {
        if (inotify_fd_ >= 0 && watch_ < 0) add_watch();
        scan(/*initial=*/false);
        last_full = steady_ms();
      }
      behind = read_files(named, full || behind);
      housekeeping();
    }
    return Ok{};
  }

 private:
  bool add_watch() {
    watch_ = ::inotify_add_watch(inotify_fd_, dir_.c_str(),
                                 IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO |
                                     IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF |
                                     IN_MOVE_SELF);
    return watch_ >= 0;
  }

  // Reads the pending inotify events; true when one calls for a full scan. Files that were
  // written to are added to `named`.
  bool drain_events(std::vector<char>& buf, std::set<std::string>& named) {
    bool full = false;
    for (;;) {
      ssize_t n = ::read(inotify_fd_, buf.data(), buf.size());
      if (n <= 0) break;
      for (ssize_t i = 0; i < n;) {
        const auto* e = reinterpret_cast<const inotify_event*>(buf.data() + i);
        if ((e->mask & IN_MODIFY) && e->len > 0) {
          named.insert(e->name);
        } else {
          full = true;
        }
        if (e->mask & IN_IGNORED) watch_ = -1;  // the directory went away: re-add on a scan
        i += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
      }
    }
    return full;
  }

  bool wanted(const std::string& name) const {
    if (options_.follow) return name == options_.pattern;
    if (!options_.all_names && is_temporary_name(name)) return false;
    return options_.pattern.empty() || ::fnmatch(options_.pattern.c_str(), name.c_str(), 0) == 0;
  }

  std::string path_of(const std::string& name) const { return dir_ + "/" + name; }

  // False for a symbolic link that leads out of the watched directory (said once per name).
  bool link_allowed(int dir_fd, const std::string& name) {
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISLNK(st.st_mode)) {
      return true;
    }
    if (real_dir_.empty()) {
      char* real = ::realpath(dir_.c_str(), nullptr);
      real_dir_ = real ? real : dir_;
      std::free(real);
    }
    char* target = ::realpath(path_of(name).c_str(), nullptr);
    std::string to = target ? target : "";
    std::free(target);
    const std::string inside = real_dir_ == "/" ? "/" : real_dir_ + "/";
    if (!to.empty() && to.compare(0, inside.size(), inside) == 0) return true;
    if (outside_links_.insert(name).second) {
      ctx_->warn("not reading '" + path_of(name) + "': a link to " +
                 (to.empty() ? std::string("nothing") : "'" + to + "'") +
                 ", outside the watched directory (--follow-symlinks reads such links)");
    }
    return false;
  }

  // The known file of an identity (the first in files_), from the index a scan builds.
  Tracked* find_by_identity(uint64_t dev, uint64_t ino) {
    auto it = by_identity_.find({dev, ino});
    return it == by_identity_.end() ? nullptr : it->second;
  }

  // Known files by the hash of their first fingerprint_len bytes, so that a new file finds
  // the ones it may continue (or copy) with one pass over its first KiB, not one hash per
  // known file: a directory of 100,000 files is scanned in linear time.
  struct FingerprintIndex {
    std::unordered_multimap<uint64_t, Tracked*> by_hash;
    std::map<uint32_t, size_t> lengths;  // fingerprint lengths in use
    void clear() {
      by_hash.clear();
      lengths.clear();
    }
    void add(Tracked* t) {
      if (t->pos.fingerprint_len == 0) return;
      by_hash.emplace(t->pos.fingerprint, t);
      ++lengths[t->pos.fingerprint_len];
    }
    // Every indexed file that `prefix` is compatible() with.
    template <typename F>
    void for_each_match(std::string_view prefix, F&& f) const {
      uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, as fingerprint_hash(), one byte at a time
      size_t done = 0;
      for (const auto& [len, count] : lengths) {
        if (len > prefix.size()) break;
        for (; done < len; ++done) {
          h ^= static_cast<unsigned char>(prefix[done]);
          h *= 0x100000001b3ULL;
        }
        auto [lo, hi] = by_hash.equal_range(h);
        for (auto it = lo; it != hi; ++it) {
          if (it->second->pos.fingerprint_len == len) f(it->second);
        }
      }
    }
  };

  // Up to kFingerprintBytes of the file's decoded content, and whether it is compressed.
  // Up to kFingerprintBytes of the file's decoded content, and whether it is compressed.
  // False (errno set) when the file cannot be opened.
  bool read_prefix(const std::string& path, std::string& prefix, bool& compressed) {
    prefix.clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char head[4] = {};
    ssize_t got = ::pread(fd, head, sizeof head, 0);
    ::close(fd);
    compressed = got > 0 && detect_compression(std::string_view(head, static_cast<size_t>(got))) != Compression::kNone;
    auto raw = FileSource::open(path);
    auto decoded = raw ? open_decoded(std::move(raw.value()), path) : Result<std::unique_ptr<ByteSource>>(raw.error());
    if (!decoded) {
      errno = ENOENT;  // gone in between: the next scan sees
      return false;
    }
    prefix.resize(kFingerprintBytes);
    size_t have = 0;
    while (have < kFingerprintBytes) {
      auto n = (*decoded)->read(prefix.data() + have, kFingerprintBytes - have);
      if (!n || *n == 0) break;
      have += *n;
    }
    prefix.resize(have);
    return true;
  }

  void set_fingerprint(FilePosition& pos, std::string_view prefix) {
    pos.fingerprint_len = static_cast<uint32_t>(prefix.size());
    pos.fingerprint = fingerprint_hash(prefix);
  }

  void forget(Tracked& t) {
    auto batch = ctx_->new_batch();
    batch->file_id = t.id;
    batch->forget_file = true;
    ctx_->emit(std::move(batch));
  }

  void scan(bool initial) {
    DIR* d = ::opendir(dir_.c_str());
    if (d == nullptr) {
      if (!dir_missing_) ctx_->warn("cannot read directory '" + dir_ + "': " + std::strerror(errno));
      dir_missing_ = true;
      return;
    }
    dir_missing_ = false;
    by_identity_.clear();
    for (auto& t : files_) {
      t->was_present = t->present;
      t->present = false;
      if (t->pos.device != 0 || t->pos.inode != 0) by_identity_.try_emplace({t->pos.device, t->pos.inode}, t.get());
    }
    std::vector<Candidate> candidates;
    while (dirent* e = ::readdir(d)) {
      if (ctx_->stopping()) break;  // a huge directory must not hold up a stop
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      Candidate c{name, {}};
      if (!options_.follow && !options_.follow_symlinks && !link_allowed(::dirfd(d), name)) continue;
      if (::fstatat(::dirfd(d), e->d_name, &c.st, 0) != 0 || !S_ISREG(c.st.st_mode)) continue;
      Tracked* t = find_by_identity(c.st.st_dev, c.st.st_ino);
      // A remembered file found again (after a restart too), a file that was missing from the
      // last listing, or one that shrank: the same file only if it still starts the same.
      // Otherwise its inode was reused: what was read is kept for a copy, the inode is new.
      // (A compressed file's offset counts decoded bytes; an adopted copy may be shorter.)
      bool shrank = t != nullptr && !t->pos.compressed && !t->adopted &&
                    static_cast<uint64_t>(c.st.st_size) < t->pos.offset;
      bool check = t != nullptr && (!t->live() || !t->was_present || shrank);
      if (check) {
        std::string prefix;
        bool compressed = false;
        if (read_prefix(path_of(name), prefix, compressed) &&
            (compatible(t->pos, prefix) || t->pos.fingerprint_len == 0) && !shrank) {
          if (!t->live()) t->last_change_ms = steady_ms();
          t->restored = t->vanished = false;
          if (t->pos.gone) {
            t->pos.gone = false;
            send_position(*t);
          }
        } else if (t->live() && !t->pos.compressed) {
          // The file being followed was truncated or rewritten in place: read it again.
          t->pos.path = name;
          restart_file(*t, shrank ? "was truncated" : "was rewritten");
        } else {
          // A file the checkpoint named whose inode now holds another file: it is gone.
          if (t->restored) ctx_->file_gone(t->id, t->pos, path_of(t->pos.path));
          remember_content(*t);
          drop(t);
          t = nullptr;
        }
      }
      if (t != nullptr) {
        t->present = true;
        t->pos.path = name;
        continue;
      }
      if (wanted(name)) candidates.push_back(std::move(c));
    }
    ::closedir(d);
    std::vector<Tracked*> lost;  // named by the checkpoint, not found
    for (auto& t : files_) {
      if (t->live() && !t->present && t->fd < 0) mark_gone(*t);
      if (t->restored) {  // not in the directory: remembered, like any file that has gone
        t->restored = false;
        mark_gone(*t);
        lost.push_back(t.get());
      }
    }
    for (auto it = deferred_.begin(); it != deferred_.end();) {
      bool listed = false;
      for (const auto& c : candidates) listed |= c.name == it->first;
      it = listed ? std::next(it) : deferred_.erase(it);
    }
    fingerprints_.clear();
    for (auto& t : files_) fingerprints_.add(t.get());
    for (auto& c : candidates) {
      if (ctx_->stopping()) break;
      add_candidate(c, initial);
    }
    // Still gone once the new names were looked at (not adopted as a compressed copy): what
    // was written to them after the checkpoint is out of reach, and the operator is told.
    for (Tracked* t : lost) {
      if (t->vanished) ctx_->file_gone(t->id, t->pos, path_of(t->pos.path));
    }
    trim_vanished();
  }

  // The file is no longer in the directory: remembered (for a compressed copy of it), and the
  // checkpoint learns it is gone, so that a restart does not look for it.
  void mark_gone(Tracked& t) {
    t.vanished = true;
    if (!t.pos.gone) {
      t.pos.gone = true;
      send_position(t);
    }
  }

  void drop(Tracked* t) {
    forget(*t);
    auto id = by_identity_.find({t->pos.device, t->pos.inode});
    if (id != by_identity_.end() && id->second == t) by_identity_.erase(id);
    for (auto it = files_.begin(); it != files_.end(); ++it) {
      if (it->get() == t) {
        files_.erase(it);
        return;
      }
    }
  }

  void trim_vanished() {
    size_t vanished = 0;
    for (auto& t : files_) vanished += t->vanished;
    for (auto it = files_.begin(); vanished > kMaxVanished && it != files_.end();) {
      if ((*it)->vanished) {
        forget(**it);
        it = files_.erase(it);
        --vanished;
      } else {
        ++it;
      }
    }
  }

  void add_candidate(const Candidate& c, bool initial) {
    // An empty file is not known yet: gzip and cp create their file before they write it, and
    // a compressed file taken for a plain one would be read as text. A later scan finds it.
    if (c.st.st_size == 0) return;
    std::string prefix;
    bool compressed = false;
    if (!read_prefix(path_of(c.name), prefix, compressed)) {
      // Gone again, or unreadable: say so once per name.
      if (errno != ENOENT && unreadable_.insert(c.name).second) {
        ctx_->warn("cannot read '" + path_of(c.name) + "': " + std::strerror(errno) + " (skipped until it can be)");
      }
      return;
    }
    unreadable_.erase(c.name);
    // The rest of a file read before (rotated and compressed, or moved in from elsewhere).
    Tracked* earlier = nullptr;  // the latest known file gone from the directory that it continues
    bool original_present = false;
    fingerprints_.for_each_match(prefix, [&](Tracked* t) {
      // Gone from the directory: remembered, restored, or still being drained after a rename.
      if (!t->present && (earlier == nullptr || t->seq > earlier->seq)) earlier = t;
      if (t->live() && t->present && !t->pos.compressed) original_present = true;
    });
    if (earlier == nullptr && original_present) {
      // gzip writes its copy before it removes the original, and copytruncate copies before it
      // truncates: wait a little for the original to go or shrink.
      // A copy still being written (a large file takes gzip a while) is waited for too.
      Deferred& d = deferred_[c.name];
      uint64_t size = static_cast<uint64_t>(c.st.st_size);
      if (d.since == 0 || d.size != size) d.since = steady_ms();
      d.size = size;
      if (steady_ms() - d.since < kDeferMs) return;
    }
    deferred_.erase(c.name);
    if (earlier != nullptr) {
      earlier->restored = earlier->vanished = false;
      earlier->pos.gone = false;
      earlier->close_fd();
      earlier->pos.device = c.st.st_dev;
      earlier->pos.inode = c.st.st_ino;
      earlier->pos.path = c.name;
      earlier->pos.compressed = compressed;
      earlier->pos.complete = false;
      earlier->present = true;
      earlier->read_size = UINT64_MAX;
      earlier->input.reset();
      earlier->assembler.reset(earlier->pos.offset, earlier->pos.lines);
      earlier->last_change_ms = steady_ms();
      earlier->adopted = true;
      send_position(*earlier);
      return;
    }
    auto t = std::make_unique<Tracked>();
    t->seq = next_seq_++;
    t->id = next_id_++;
    t->pos.path = c.name;
    t->pos.device = c.st.st_dev;
    t->pos.inode = c.st.st_ino;
    t->pos.compressed = compressed;
    set_fingerprint(t->pos, prefix);
    t->present = true;
    t->last_change_ms = steady_ms();
    if (initial && options_.from_end && !restored_any_) {
      if (compressed) {
        t->pos.complete = true;  // not read unless it changes
      } else {
        t->pos.offset = end_of_last_line(c.name, static_cast<uint64_t>(c.st.st_size));
      }
    }
    t->assembler.reset(t->pos.offset, 0);
    fingerprints_.add(t.get());
    files_.push_back(std::move(t));
  }

  // The offset just past the last '\n' before `size`.
  uint64_t end_of_last_line(const std::string& name, uint64_t size) {
    int fd = ::open(path_of(name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[64 * 1024];
    uint64_t end = size;
    uint64_t result = 0;
    while (end > 0) {
      uint64_t start = end > sizeof buf ? end - sizeof buf : 0;
      ssize_t n = ::pread(fd, buf, end - start, static_cast<off_t>(start));
      if (n <= 0) break;
      const void* nl = memrchr(buf, '\n', static_cast<size_t>(n));
      if (nl != nullptr) {
        result = start + static_cast<uint64_t>(static_cast<const char*>(nl) - buf) + 1;
        break;
      }
      end = start;
    }
    ::close(fd);
    return result;
  }

  const InputId& input_of(Tracked& t) {
    if (!t.input) t.input = ctx_->new_input(path_of(t.pos.path));
    return *t.input;
  }

  // Tells the engine where a file stands without any lines (a file adopted or remembered), so
  // that the checkpoint knows it.
  void send_position(Tracked& t) {
    auto batch = ctx_->new_batch();
    batch->file_id = t.id;
    batch->position = t.pos;
    ctx_->emit(std::move(batch));
  }

  // Keeps what was read of `t` under no identity (its inode now holds something else, or it
  // was truncated), so that a copy of the old content is read on from there.
  void remember_content(const Tracked& t) {
    if (t.pos.offset == 0 || t.pos.fingerprint_len == 0) return;
    auto old = std::make_unique<Tracked>();
    old->seq = next_seq_++;
    old->id = next_id_++;
    old->pos = t.pos;
    old->pos.device = old->pos.inode = 0;
    old->pos.gone = true;
    old->vanished = true;
    send_position(*old);
    files_.push_back(std::move(old));
  }

  void send(Tracked& t, std::unique_ptr<LineBatch> batch, const LineAssembler& a) {
    t.pos.offset = a.offset();
    t.pos.lines = a.lines();
    if (!batch) batch = ctx_->new_batch();
    batch->input = input_of(t);
    batch->file_id = t.id;
    batch->position = t.pos;
    ctx_->emit(std::move(batch));
  }

  // Reads what the files have; true when one stopped at its budget with more to read.
  bool read_files(const std::set<std::string>& named, bool all) {
    bool behind = false;
    for (size_t i = 0; i < files_.size() && !ctx_->stopping(); ++i) {
      Tracked& t = *files_[i];
      if (!t.live()) continue;
      if (!all && t.fd < 0 && named.count(t.pos.path) == 0) continue;
      if (t.pos.compressed) {
        // Decoding starts from the top each time: not on every write, only on scans.
        if (all) read_compressed(t);
      } else {
        behind |= read_plain(t);
      }
    }
    return behind;
  }

  void restart_file(Tracked& t, const char* why) {
    ctx_->warn("'" + path_of(t.pos.path) + "' " + why + "; reading it from the start");
    // A copy of the old content (logrotate's copytruncate) is read on from where this was.
    remember_content(t);
    t.pos.offset = t.pos.lines = 0;
    t.pos.fingerprint_len = 0;
    t.assembler.reset(0, 0);
    t.checked_size = UINT64_MAX;
  }

  // Reads a plain file on from where it was; true when it stopped at the budget.
  bool read_plain(Tracked& t) {
    if (!t.pooled) {
      use_context_batches(t.assembler, *ctx_);
      t.pooled = true;
    }
    struct stat st;
    if (t.fd < 0) {
      if (!t.present) return false;
      if (::stat(path_of(t.pos.path).c_str(), &st) != 0 || st.st_ino != t.pos.inode ||
          st.st_dev != t.pos.device) {
        return false;  // renamed or replaced since the scan: the next scan sorts it out
      }
      if (static_cast<uint64_t>(st.st_size) == t.assembler.consumed()) return false;
      t.fd = ::open(path_of(t.pos.path).c_str(), O_RDONLY | O_CLOEXEC);
      if (t.fd < 0) return false;
      t.open_fds = &open_fds_;
      ++open_fds_;
    }
    if (::fstat(t.fd, &st) != 0) return false;
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (size < t.assembler.consumed()) {
      // An adopted copy holds no more than what was counted from the original: nothing new.
      if (t.adopted) return false;
      restart_file(t, "was truncated");
    }
    if (size != t.checked_size && size > 0) {
      // The first KiB identifies the file: if it changed, the file was rewritten in place.
      char head[kFingerprintBytes];
      ssize_t n = ::pread(t.fd, head, sizeof head, 0);
      if (n > 0) {
        std::string_view prefix(head, static_cast<size_t>(n));
        if (t.pos.fingerprint_len > 0 && !compatible(t.pos, prefix) && t.assembler.consumed() > 0) {
          restart_file(t, "was rewritten");
        }
        if (t.pos.fingerprint_len < prefix.size()) set_fingerprint(t.pos, prefix);
      }
      t.checked_size = size;
    }
    uint64_t budget = kReadBudget;
    while (budget > 0 && !ctx_->stopping()) {
      auto [buf, cap] = t.assembler.buffer();
      ssize_t n = ::pread(t.fd, buf, cap, static_cast<off_t>(t.assembler.consumed()));
      if (n <= 0) {
        t.assembler.commit(0);
        // Read to its end: in a directory of many files, its descriptor goes back (it is
        // opened again when the file grows), so that thousands of files never exhaust them.
        if (open_fds_ > kMaxOpenFiles && t.present) t.close_fd();
        break;
      }
      budget -= std::min<uint64_t>(budget, static_cast<uint64_t>(n));
      t.last_change_ms = steady_ms();
      auto batch = t.assembler.commit(static_cast<size_t>(n));
      if (batch) send(t, std::move(batch), t.assembler);
    }
    return budget == 0;
  }

  void read_compressed(Tracked& t) {
    if (!t.present) return;
    struct stat st;
    std::string path = path_of(t.pos.path);
    if (::stat(path.c_str(), &st) != 0) return;
    if (static_cast<uint64_t>(st.st_size) == t.read_size && st.st_mtim.tv_sec == t.read_mtime) {
      if (!t.failure.empty() && t.failure != "-") note_incomplete(t, st, t.failure);
      return;
    }
    t.failure.clear();
    if (t.pos.complete && t.read_size == UINT64_MAX && t.pos.raw_size == static_cast<uint64_t>(st.st_size)) {
      // Completed before a restart, and the same size since: nothing new until it changes.
      t.read_size = static_cast<uint64_t>(st.st_size);
      t.read_mtime = st.st_mtim.tv_sec;
      return;
    }
    t.read_size = static_cast<uint64_t>(st.st_size);
    t.read_mtime = st.st_mtim.tv_sec;
    auto raw = FileSource::open(path);
    if (!raw) return;
    auto decoded = open_decoded(std::move(raw.value()), path);
    if (!decoded) return;
    ByteSource& in = **decoded;
    // Skip what was counted already.
    std::vector<char> scratch(1 << 16);
    uint64_t skip = t.pos.offset;
    while (skip > 0) {
      if (ctx_->stopping()) return;
      auto n = in.read(scratch.data(), std::min<uint64_t>(skip, scratch.size()));
      if (!n || *n == 0) {
        note_incomplete(t, st, n ? "'" + path + "' ends before the point already read" : n.error().message);
        return;
      }
      skip -= *n;
    }
    LineAssembler a;
    use_context_batches(a, *ctx_);
    a.reset(t.pos.offset, t.pos.lines);
    while (!ctx_->stopping()) {
      auto [buf, cap] = a.buffer();
      auto n = in.read(buf, cap);
      if (!n) {
        a.commit(0);
        note_incomplete(t, st, n.error().message);
        return;
      }
      if (*n == 0) {
        a.commit(0);
        auto last = a.finish();
        t.pos.complete = true;
        t.pos.raw_size = static_cast<uint64_t>(st.st_size);
        send(t, std::move(last), a);
        t.last_change_ms = steady_ms();
        return;
      }
      auto batch = a.commit(*n);
      if (batch) send(t, std::move(batch), a);
    }
  }

  // A compressed file that does not decode to its end is most likely still being written:
  // say so only once it has been left alone for a while.
  void note_incomplete(Tracked& t, const struct stat& st, const std::string& why) {
    t.failure = why;
    if (::time(nullptr) - st.st_mtim.tv_sec < 5) return;
    ctx_->warn(why + " (counted up to its last whole line; read again when it changes)");
    t.failure = "-";  // said; "-" keeps it from being said again
  }

  void housekeeping() {
    int64_t now = steady_ms();
    for (auto& t : files_) {
      if (!t->live() || t->fd < 0) continue;
      int64_t quiet = now - t->last_change_ms;
      if (t->present && quiet > kIdleCloseMs) {
        t->close_fd();
        t->assembler.release_if_idle();
      }
      if (!t->present && quiet > kRenamedGraceMs) {
        t->close_fd();
        t->assembler.release_if_idle();
        mark_gone(*t);
      }
    }
  }

  std::string name_;
  std::string dir_;
  FileWatchOptions options_;
  SourceContext* ctx_ = nullptr;
  int inotify_fd_ = -1;
  int watch_ = -1;
  bool dir_missing_ = false;
  uint64_t next_id_ = 0;
  size_t open_fds_ = 0;  // descriptors of files_ open now (declared first: files_ goes first)
  std::vector<std::unique_ptr<Tracked>> files_;
  struct Deferred {
    int64_t since = 0;  // when it was first seen at this size
    uint64_t size = 0;
  };
  std::map<std::string, Deferred> deferred_;
  std::set<std::string> unreadable_;
  std::set<std::string> outside_links_;  // names said to be links out of the directory
  uint64_t next_seq_ = 0;
  // Indexes of files_, valid during a scan (built at its start).
  struct IdentityHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& k) const { return k.first * 0x9e3779b97f4a7c15ULL ^ k.second; }
  };
  std::unordered_map<std::pair<uint64_t, uint64_t>, Tracked*, IdentityHash> by_identity_;
  FingerprintIndex fingerprints_;
  std::string real_dir_;                  // the directory's real path, once asked
  bool restored_any_ = false;
};

}  // namespace

std::unique_ptr<StreamSource> make_file_watch_source(std::string name, std::string directory,
                                                     FileWatchOptions options) {
  return std::make_unique<FileWatchSource>(std::move(name), std::move(directory), std::move(options));
}

}  // namespace logan
