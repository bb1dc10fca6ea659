// StreamJob: see stream_job.h.
#include "stream/stream_job.h"

#include <chrono>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <sys/eventfd.h>
#include <unistd.h>

#include "core/clock.h"
#include "parse/log_format.h"
#include "stream/batch_parser.h"
#include "stream/batch_queue.h"
#include "stream/checkpoint.h"

namespace logan {

namespace {

}  // namespace

class StreamJob::Impl {
 public:
  Impl(StreamOptions options, std::vector<std::unique_ptr<StreamSource>> sources,
       StreamCounters& counters)
      : options_(std::move(options)),
        sources_(std::move(sources)),
        counters_(counters),
        queue_(options_.queue_batches),
        windower_(options_.windows),
        parser_(options_.format),
        positions_(sources_.size()) {
    stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  }
  ~Impl() {
    {
      std::lock_guard lock(durable_->mu);
      durable_->wake = nullptr;  // the keeper may still answer: nobody listens
    }
    signal_sources();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    if (stop_fd_ >= 0) ::close(stop_fd_);
  }

  Status prepare(std::vector<std::string>& notes) {
    if (stop_fd_ < 0) return Error{std::string("eventfd: ") + std::strerror(errno)};
    if (options_.format != "auto") {
      auto f = LogFormat::compile(options_.format);
      if (!f) return Error{"bad --format: " + f.error().message};
    }
    std::optional<CheckpointData> loaded;
    std::string where;  // "checkpoint 'PATH'", "the checkpoint in sink URL"
    if (options_.keeper) {
      durable_->wake = [this] { queue_.wake(); };
      for (auto& source : sources_) {
        std::shared_ptr<CheckpointKeeper> keeper = options_.keeper;
        source->set_offset_hints([keeper, key = source->checkpoint_key()] {
          return keeper->stored_elsewhere(key);
        });
      }
      where = "the checkpoint in " + options_.keeper->name();
      if (auto bytes = options_.keeper->restored()) {
        auto decoded = decode_checkpoint(*bytes);
        if (!decoded) return Error{"refusing " + where + ": " + decoded.error().message};
        loaded = std::move(decoded.value());
      }
    } else if (!options_.checkpoint_dir.empty()) {
      auto dir = CheckpointDir::open(options_.checkpoint_dir);
      if (!dir) return dir.error();
      checkpoint_ = std::move(dir.value());
      where = "checkpoint '" + checkpoint_->path() + "'";
      auto from_file = checkpoint_->load();
      if (!from_file) return from_file.error();
      loaded = std::move(from_file.value());
    }
    if (loaded) {
      CheckpointData& data = *loaded;
      bool dropped = false;
      Status restored = windower_.restore(data.windows, dropped);
      if (!restored) return Error{"refusing " + where + ": " + restored.error().message};
      next_input_ = data.next_input;
      for (size_t i = 0; i < sources_.size(); ++i) {
        auto it = data.positions.find(sources_[i]->checkpoint_key());
        // Checkpoints of version 1 kept positions under the source's name as given.
        if (it == data.positions.end()) it = data.positions.find(sources_[i]->name());
        if (it == data.positions.end()) continue;
        for (const auto& [id, pos] : it->second) positions_[i][id] = pos;
        sources_[i]->restore(it->second);
        data.positions.erase(it);
      }
      other_positions_ = std::move(data.positions);  // sources not given this time: kept
      const AccessStats& total = windower_.total();
      notes.push_back("resuming from " + where + " (" + std::to_string(total.total_lines()) +
                      " lines so far)");
      if (dropped) {
        notes.push_back("the checkpoint's windows were made with another --window or --slide: "
                        "they were folded into the all-time total");
      }
    }
    for (auto& s : sources_) {
      Status opened = s->open();
      if (!opened) return opened;
    }
    return Ok{};
  }

  Status run(const std::function<bool(const SlideReport&)>& publish,
             const std::function<void(const std::string&)>& warn) {
    warn_ = &warn;
    live_sources_ = static_cast<int>(sources_.size());
    contexts_.reserve(sources_.size());
    for (size_t i = 0; i < sources_.size(); ++i) {
      contexts_.push_back(std::make_unique<Context>(*this, static_cast<uint32_t>(i)));
    }
    for (size_t i = 0; i < sources_.size(); ++i) {
      threads_.emplace_back([this, i] {
        Status s = sources_[i]->run(*contexts_[i]);
        if (!s) {
          contexts_[i]->warn("source '" + sources_[i]->name() + "' stopped: " + s.error().message);
          failed_sources_.fetch_add(1);
        }
        live_sources_.fetch_sub(1);
        queue_.wake();
      });
    }
    windower_.start(wall_ms());
    int64_t last_checkpoint = wall_ms();
    int64_t last_advance = last_checkpoint;
    bool stopping = false;
    Status failure = Ok{};
    for (;;) {
      int64_t now = wall_ms();
      int64_t wait_ms = options_.windows.event_time ? last_advance + 100 - now
                                                    : windower_.next_tick_ms() - now;
      if (checkpoint_ || options_.keeper) {
        wait_ms = std::min(wait_ms, last_checkpoint + options_.checkpoint_interval_ms - now);
      }
      wait_ms = std::clamp<int64_t>(wait_ms, 0, 1000);
      auto batch = queue_.pop(std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms));
      if (batch) {
        consume(*batch);
        queue_.recycle(std::move(batch));
      }
      flush_warnings();
      apply_durable();
      now = wall_ms();
      // Event time: the watermark moves with the lines; look at it every 100 ms, so that a
      // source catching up publishes its windows in bursts rather than one batch at a time.
      bool due = options_.windows.event_time ? now - last_advance >= 100
                                             : now >= windower_.next_tick_ms();
      if (due) {
        last_advance = now;
        const uint64_t before = sequence_;
        if (!publish_due(now, false, publish)) {
          failure = Error{"cannot write the output; stopping"};
          stop_requested_ = true;
        }
        // A keeper stores the checkpoint with the windows just published, in one transaction.
        if (options_.keeper && sequence_ != before) {
          (void)save_checkpoint();
          last_checkpoint = now;
        }
      }
      if (now - last_checkpoint >= options_.checkpoint_interval_ms) {
        Status saved = save_checkpoint();
        if (!saved) warn(saved.error().message);
        last_checkpoint = now;
      }
      if (stop_requested_ && !stopping) {
        stopping = true;
        signal_sources();
      }
      if (live_sources_.load() == 0 && queue_.size() == 0) break;
    }
    for (auto& t : threads_) t.join();
    threads_.clear();
    while (auto batch = queue_.pop(std::chrono::steady_clock::now())) {
      consume(*batch);
      queue_.recycle(std::move(batch));
    }
    flush_warnings();
    if (failure) {
      if (!publish_due(wall_ms(), true, publish)) {
        failure = Error{"cannot write the output"};
      }
    }
    Status saved = save_checkpoint();
    if (!saved && failure) failure = saved;
    if (failure && failed_sources_.load() == static_cast<int>(sources_.size())) {
      failure = Error{"every source stopped with an error"};
    }
    return failure;
  }

  void stop() {
    stop_requested_ = true;
    queue_.wake();
  }

  // Tells the sources the positions the keeper has stored, and lets settled sources go on.
  void apply_durable() {
    std::vector<Durable> items;
    {
      std::lock_guard lock(durable_->mu);
      items.swap(durable_->items);
    }
    for (auto& d : items) {
      if (d.stored) {
        counters_.checkpoints.fetch_add(1, std::memory_order_relaxed);
        notify_checkpointed(d.positions);
      }
      if (d.barrier) d.barrier->set_value();
    }
  }

 private:
  class Context final : public SourceContext {
   public:
    Context(Impl& job, uint32_t index) : job_(job), index_(index), parser_(job.options_.format) {}
    bool stopping() const override { return job_.sources_stopping_.load(); }
    int stop_fd() const override { return job_.stop_fd_; }
    std::unique_ptr<LineBatch> new_batch() override { return job_.queue_.take_free(); }
    void emit(std::unique_ptr<LineBatch> batch) override {
      batch->source = index_;
      parser_.parse(*batch);  // here, on the source's thread
      job_.queue_.push(std::move(batch));
    }
    InputId new_input(std::string name) override {
      return InputId{job_.next_input_.fetch_add(1), std::make_shared<const std::string>(std::move(name))};
    }
    void warn(std::string message) override {
      std::lock_guard lock(job_.warn_mu_);
      job_.warnings_.push_back(std::move(message));
    }
    void settle() override {
      auto batch = job_.queue_.take_free();
      auto done = std::make_shared<std::promise<void>>();
      std::future<void> settled = done->get_future();
      batch->barrier = std::move(done);
      batch->source = index_;
      job_.queue_.push(std::move(batch));
      settled.wait();
    }

   private:
    Impl& job_;
    uint32_t index_;
    BatchParser parser_;
  };

  void signal_sources() {
    sources_stopping_ = true;
    uint64_t one = 1;
    if (stop_fd_ >= 0) (void)!::write(stop_fd_, &one, sizeof one);
  }

  void flush_warnings() {
    std::vector<std::string> w;
    {
      std::lock_guard lock(warn_mu_);
      w.swap(warnings_);
    }
    for (auto& m : w) (*warn_)(m);
  }

  bool publish_due(int64_t now, bool final, const std::function<bool(const SlideReport&)>& publish) {
    return windower_.advance(now, final, [&](const WindowResult& w) {
      SlideReport r;
      r.sequence = ++sequence_;
      r.window = &w;
      r.total = &windower_.total();
      r.late_lines = windower_.late_lines();
      r.pending_lines = windower_.pending_lines();
      r.total_changed = w.first_of_burst;
      r.last_of_burst = w.last_of_burst;
      return publish(r);
    });
  }

  // Saves the checkpoint (when there is a checkpoint directory), then tells each source which
  // of its positions are durable. A keeper is handed the checkpoint instead, and the sources
  // are told (and `barrier` released) when it says it is stored: apply_durable().
  Status save_checkpoint(std::shared_ptr<std::promise<void>> barrier = nullptr) {
    if (options_.keeper) {
      keep_checkpoint(std::move(barrier));
      return Ok{};
    }
    Status s = checkpoint_ ? checkpoint_->save(checkpoint_data()) : Status(Ok{});
    if (s) {
      if (checkpoint_) counters_.checkpoints.fetch_add(1, std::memory_order_relaxed);
      notify_checkpointed(position_snapshot());
    }
    if (barrier) barrier->set_value();
    return s;
  }

  CheckpointData checkpoint_data() const {
    CheckpointData data;
    windower_.serialize(data.windows);
    data.next_input = next_input_.load();
    data.written_ms = wall_ms();
    data.positions = other_positions_;
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (positions_[i].empty()) continue;
      auto& entries = data.positions[sources_[i]->checkpoint_key()];
      for (const auto& [id, pos] : positions_[i]) entries.emplace_back(id, pos);
    }
    return data;
  }

  // Every source's positions now: [source] -> entries.
  std::vector<std::vector<FileEntry>> position_snapshot() const {
    std::vector<std::vector<FileEntry>> out(sources_.size());
    for (size_t i = 0; i < sources_.size(); ++i) out[i].assign(positions_[i].begin(), positions_[i].end());
    return out;
  }

  void notify_checkpointed(const std::vector<std::vector<FileEntry>>& positions) {
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (!positions[i].empty()) sources_[i]->checkpointed(positions[i]);
    }
  }

  void keep_checkpoint(std::shared_ptr<std::promise<void>> barrier) {
    auto positions = position_snapshot();
    std::vector<KeptOffset> offsets;
    for (size_t i = 0; i < sources_.size(); ++i) {
      for (const auto& [id, pos] : positions[i]) offsets.push_back({sources_[i]->checkpoint_key(), id, pos.offset});
    }
    options_.keeper->keep(
        encode_checkpoint(checkpoint_data()), std::move(offsets),
        [q = durable_, positions = std::move(positions), barrier = std::move(barrier)](bool stored) {
          std::lock_guard lock(q->mu);
          q->items.push_back(Durable{stored, positions, barrier});
          if (q->wake) q->wake();
        });
  }

  void consume(LineBatch& b) {
    counters_.batches.fetch_add(1, std::memory_order_relaxed);
    if (b.barrier) {
      // Everything the source emitted before is in the state: make it durable, then let the
      // source go on (a keeper's answer releases it).
      Status saved = save_checkpoint(std::move(b.barrier));
      if (!saved) {
        std::lock_guard lock(warn_mu_);
        warnings_.push_back(saved.error().message);
      }
      b.barrier.reset();
      return;
    }
    if (b.forget_file) {
      positions_[b.source].erase(b.file_id);
      return;
    }
    if (!b.data.empty()) fold(b);
    if (b.position) positions_[b.source][b.file_id] = *b.position;
  }

  // Folds a parsed batch into the open pane (processing time) or the panes of its lines'
  // times (event time).
  void fold(LineBatch& b) {
    if (!b.parsed) parser_.parse(b);  // not from a source context (tests)
    const bool event_time = options_.windows.event_time;
    AccessStats& pane = event_time ? windower_.total() : windower_.open_pane();
    const size_t n = b.records.size();
    const RecordGrouper* grouper = options_.grouper;
    if (!event_time) {
      for (size_t i = 0; i < n; i += 32) pane.add_parsed_grouped(&b.records[i], std::min<size_t>(32, n - i), grouper);
    } else {
      for (const LogRecord& record : b.records) {
        AccessStats* target = record.has_time() ? windower_.pane_for(record.time * 1000) : nullptr;
        AccessStats& into = target ? *target : windower_.total();
        into.add_parsed(record);
        if (grouper != nullptr) grouper->add(&record, 1, into.groups());
      }
    }
    for (const auto& bad : b.invalid) {
      pane.add_invalid(b.input.number, b.first_line + bad.index, b.input.name ? *b.input.name : "?",
                       bad.text.substr(0, AccessStats::kSampleTextLimit));
    }
    counters_.lines.fetch_add(b.line_count, std::memory_order_relaxed);
  }

  StreamOptions options_;
  std::vector<std::unique_ptr<StreamSource>> sources_;
  StreamCounters& counters_;
  BatchQueue queue_;
  Windower windower_;
  BatchParser parser_;  // for batches that come without records
  std::unique_ptr<CheckpointDir> checkpoint_;
  std::vector<std::map<uint64_t, FilePosition>> positions_;  // [source][file id]
  std::map<std::string, std::vector<FileEntry>> other_positions_;
  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<std::thread> threads_;
  std::atomic<uint32_t> next_input_{0};
  std::atomic<int> live_sources_{0};
  std::atomic<int> failed_sources_{0};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> sources_stopping_{false};
  int stop_fd_ = -1;
  uint64_t sequence_ = 0;
  // What a keeper has answered, for the engine's thread (apply_durable()).
  struct Durable {
    bool stored = false;
    std::vector<std::vector<FileEntry>> positions;
    std::shared_ptr<std::promise<void>> barrier;
  };
  struct DurableQueue {
    std::mutex mu;
    std::vector<Durable> items;
    std::function<void()> wake;  // cleared when the job goes
  };
  std::shared_ptr<DurableQueue> durable_ = std::make_shared<DurableQueue>();
  std::mutex warn_mu_;
  std::vector<std::string> warnings_;
  const std::function<void(const std::string&)>* warn_ = nullptr;
};

StreamJob::StreamJob(StreamOptions options, std::vector<std::unique_ptr<StreamSource>> sources)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(sources), counters_)) {}
StreamJob::~StreamJob() = default;
Status StreamJob::prepare(std::vector<std::string>& notes) { return impl_->prepare(notes); }
Status StreamJob::run(const std::function<bool(const SlideReport&)>& publish,
                      const std::function<void(const std::string&)>& warn) {
  return impl_->run(publish, warn);
}
void StreamJob::stop() { impl_->stop(); }
void StreamJob::apply_durable() { impl_->apply_durable(); }

}  // namespace logan
