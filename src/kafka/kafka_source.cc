// The Kafka source of `logan stream`: see kafka_source.h.
#include "kafka/kafka_source.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "core/clock.h"

namespace logan {

namespace {

// A partition's lines are handed on when this many bytes wait, or after kBatchMs.
constexpr size_t kBatchBytes = 1 << 20;
constexpr int64_t kBatchMs = 50;
// The same librdkafka error is said again only after this long.
constexpr int64_t kRepeatWarningMs = 30000;

struct PartitionsDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
using Partitions = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionsDeleter>;

class KafkaSource final : public StreamSource {
 public:
  KafkaSource(std::string name, KafkaSpec spec, std::vector<std::pair<std::string, std::string>> properties)
      : name_(std::move(name)), spec_(std::move(spec)), properties_(std::move(properties)) {}

  ~KafkaSource() override {
    if (rk_ == nullptr) return;
    {
      std::lock_guard lock(mu_);
      closing_ = true;
      commit_locked(durable_, /*async=*/false);
    }
    rd_kafka_consumer_close(rk_);  // leaves the group
    if (!ever_assigned_) {
      // librdkafka 2.0.2 (Debian 12) aborts in rd_kafka_destroy() when the cooperative-sticky
      // assignor was chosen but no assignment has reached this member yet (an instance
      // stopped while it waits for the group to rebalance: librdkafka issue #4312, fixed in
      // 2.3). Such a consumer holds no partition and has nothing to commit: it has left the
      // group above, and the process is ending, so its handle is kept instead of destroyed.
      static std::vector<rd_kafka_t*>* kept = new std::vector<rd_kafka_t*>();
      kept->push_back(rk_);
      return;
    }
    rd_kafka_destroy(rk_);
  }

  const std::string& name() const override { return name_; }
  std::string checkpoint_key() const override { return "kafka:" + spec_.topic + "?group=" + spec_.group; }

  Status open() override {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    std::vector<std::pair<std::string, std::string>> settings = {
        {"bootstrap.servers", spec_.brokers},
        {"group.id", spec_.group},
        {"client.id", "logan-stream"},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", spec_.start == KafkaStart::kLatest ? "latest" : "earliest"},
        {"log.connection.close", "false"},
        // Incremental rebalancing: partitions that move are revoked while the group is stable,
        // so the offsets committed on the way out are accepted, and the others keep flowing.
        {"partition.assignment.strategy", "cooperative-sticky"},
        // A fetch that finds nothing waits this long for new messages at most (librdkafka's
        // default is 500 ms): a bound on the latency from a producer to the slide output.
        {"fetch.wait.max.ms", "100"},
    };
    const size_t ours = settings.size();
    settings.insert(settings.end(), properties_.begin(), properties_.end());
    for (size_t i = 0; i < settings.size(); ++i) {
      const auto& [key, value] = settings[i];
      if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return Error{(i >= ours ? "-X " + key + "=" + value + ": " : "") + std::string(errstr)};
      }
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &KafkaSource::on_rebalance);
    rd_kafka_conf_set_offset_commit_cb(conf, [](rd_kafka_t*, rd_kafka_resp_err_t err,
                                                rd_kafka_topic_partition_list_t*, void* opaque) {
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        static_cast<KafkaSource*>(opaque)->say(err, std::string("kafka: cannot commit offsets: ") +
                                                        rd_kafka_err2str(err));
      }
    });
    rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t* rk, int err, const char* reason, void* opaque) {
      (void)rk;
      static_cast<KafkaSource*>(opaque)->say(err, std::string("kafka: ") + reason);
    });
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
      if (level > 4) return;  // warnings and worse only; errors also reach error_cb
      static_cast<KafkaSource*>(rd_kafka_opaque(rk))->say(-1000 - level, std::string("kafka: ") + fac + ": " + buf);
    });
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (rk_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      return Error{"cannot make a Kafka consumer for '" + name_ + "': " + errstr};
    }
    rd_kafka_poll_set_consumer(rk_);
    Partitions topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), spec_.topic.c_str(), RD_KAFKA_PARTITION_UA);
    if (rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, topics.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Error{"cannot subscribe to '" + spec_.topic + "': " + rd_kafka_err2str(err)};
    }
    return Ok{};
  }

  void set_offset_hints(OffsetHints hints) override {
    std::lock_guard lock(mu_);
    hints_ = std::move(hints);
  }

  void restore(std::vector<FileEntry> entries) override {
    std::lock_guard lock(mu_);
    for (const auto& [partition, pos] : entries) {
      restored_[static_cast<int32_t>(partition)] = static_cast<int64_t>(pos.offset);
      parts_[static_cast<int32_t>(partition)].lines = pos.lines;
    }
  }

  Status run(SourceContext& ctx) override {
    {
      std::lock_guard lock(mu_);
      ctx_ = &ctx;
      for (auto& w : early_warnings_) ctx.warn(std::move(w));
      early_warnings_.clear();
    }
    Status result = Ok{};
    while (!ctx.stopping()) {
      // With lines waiting, only look whether more are there: once the local queue is empty
      // the consumer has caught up, and holding lines back would only add latency.
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, lines_waiting() ? 0 : 100);
      if (m == nullptr) {
        emit_ready(true);
        continue;
      }
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        add(*m);
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        bool fatal = m->err == RD_KAFKA_RESP_ERR__FATAL || m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
                     m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                     m->err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED;
        std::string why = rd_kafka_message_errstr(m);
        if (fatal) {
          rd_kafka_message_destroy(m);
          result = Error{"kafka: " + why};
          break;
        }
        say(m->err, "kafka: " + why);
      }
      rd_kafka_message_destroy(m);
      emit_ready(false);
    }
    emit_ready(true);
    std::lock_guard lock(mu_);
    ctx_ = nullptr;
    return result;
  }

  void checkpointed(const std::vector<FileEntry>& entries) override {
    std::lock_guard lock(mu_);
    std::map<int32_t, int64_t> offsets;
    for (const auto& [partition, pos] : entries) {
      auto p = static_cast<int32_t>(partition);
      durable_[p] = static_cast<int64_t>(pos.offset);
      offsets[p] = static_cast<int64_t>(pos.offset);
    }
    if (!closing_) commit_locked(offsets, /*async=*/true);
  }

 private:
  struct Partition {
    uint64_t lines = 0;        // lines counted from this partition (line numbers)
    std::optional<InputId> input;
    std::unique_ptr<LineBatch> batch;  // lines waiting to be handed on
    int64_t batch_since_ms = 0;
  };

  // Appends a message's lines to its partition's batch.
  void add(const rd_kafka_message_t& m) {
    Partition& p = parts_[m.partition];
    if (!p.batch) {
      p.batch = ctx_->new_batch();
      if (!p.input) p.input = ctx_->new_input(name_ + "[" + std::to_string(m.partition) + "]");
      p.batch->input = *p.input;
      p.batch->first_line = p.lines + 1;
      p.batch->file_id = static_cast<uint64_t>(m.partition);
      p.batch_since_ms = steady_ms();
      if (waiting_++ == 0) oldest_ms_ = p.batch_since_ms;
    }
    // A payload is one line, or several joined by '\n' (as `logan ship` sends them): every
    // piece between newlines is a line, so a payload that ends with '\n' ends with an empty one.
    std::string_view payload(static_cast<const char*>(m.payload), m.len);
    p.batch->data.append(payload);
    p.batch->data.push_back('\n');
    uint64_t lines = static_cast<uint64_t>(std::count(payload.begin(), payload.end(), '\n')) + 1;
    p.lines += lines;
    FilePosition pos;
    pos.path = spec_.topic;
    pos.offset = static_cast<uint64_t>(m.offset + 1);
    pos.lines = p.lines;
    p.batch->position = pos;
    if (p.batch->data.size() >= kBatchBytes) emit(p);
  }

  void emit(Partition& p) {
    if (!p.batch) return;
    ctx_->emit(std::move(p.batch));
    p.batch.reset();
    --waiting_;
  }

  bool lines_waiting() const { return waiting_ > 0; }

  // Hands on the batches that are full or have waited long enough (all of them when `all`).
  // Called after every message: the partitions are only looked through when the oldest
  // batch may be due.
  void emit_ready(bool all) {
    if (waiting_ == 0) return;
    int64_t now = steady_ms();
    if (!all && now - oldest_ms_ < kBatchMs) return;
    int64_t oldest = now;
    for (auto& [id, p] : parts_) {
      if (!p.batch) continue;
      if (all || now - p.batch_since_ms >= kBatchMs) {
        emit(p);
      } else {
        oldest = std::min(oldest, p.batch_since_ms);
      }
    }
    oldest_ms_ = oldest;
  }

  // Commits `offsets` for the partitions this consumer holds now, and only past where each
  // started (never one it gave up, nor a stale checkpointed offset: another owner's progress
  // must not be overwritten by an older offset). A synchronous commit waits at most 5 s (the
  // brokers may be down). Requires mu_.
  void commit_locked(const std::map<int32_t, int64_t>& offsets, bool async) {
    if (rk_ == nullptr) return;
    Partitions list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
    for (const auto& [p, offset] : offsets) {
      auto start = assigned_.find(p);
      if (start == assigned_.end() || offset < start->second) continue;
      rd_kafka_topic_partition_list_add(list.get(), spec_.topic.c_str(), p)->offset = offset;
    }
    if (list->cnt == 0) return;
    if (async) {
      rd_kafka_commit(rk_, list.get(), 1);  // the result comes to the offset commit callback
      return;
    }
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk_);
    rd_kafka_resp_err_t err = rd_kafka_commit_queue(rk_, list.get(), q, nullptr, nullptr);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 5000);
      err = ev == nullptr ? RD_KAFKA_RESP_ERR__TIMED_OUT : rd_kafka_event_error(ev);
      if (ev != nullptr) rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      say_locked(err, std::string("kafka: cannot commit offsets: ") + rd_kafka_err2str(err));
    }
  }

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* list,
                           void* opaque) {
    auto* self = static_cast<KafkaSource*>(opaque);
    const bool cooperative = std::string(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->ever_assigned_ = true;
      self->assign(list);
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, list)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, list);
      }
    } else {
      self->revoke(list);
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, list)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, nullptr);
      }
    }
  }

  // Sets where each newly assigned partition starts: the greater of the checkpointed and the
  // committed offset (the checkpoint is ahead after a crash between a save and its commit;
  // the group is ahead when another instance held the partition since).
  void assign(rd_kafka_topic_partition_list_t* list) {
    Partitions committed(rd_kafka_topic_partition_list_copy(list));
    bool have_committed = rd_kafka_committed(rk_, committed.get(), 10000) == RD_KAFKA_RESP_ERR_NO_ERROR;
    // Where other instances of the job stored these partitions: a partition taken over starts
    // after what its last owner counted, even if that owner's last commit was refused (a
    // coordinator in the middle of a rebalance) or never made (killed).
    std::map<uint64_t, uint64_t> elsewhere;
    OffsetHints hints;
    {
      std::lock_guard lock(mu_);
      hints = hints_;
    }
    if (hints) elsewhere = hints();
    std::lock_guard lock(mu_);
    for (int i = 0; i < list->cnt; ++i) {
      auto& tp = list->elems[i];
      int64_t group = have_committed ? committed->elems[i].offset : RD_KAFKA_OFFSET_INVALID;
      int64_t from_checkpoint = RD_KAFKA_OFFSET_INVALID;
      if (auto ck = restored_.find(tp.partition); ck != restored_.end()) from_checkpoint = ck->second;
      if (auto ck = durable_.find(tp.partition); ck != durable_.end()) {
        from_checkpoint = std::max(from_checkpoint, ck->second);
      }
      if (auto other = elsewhere.find(static_cast<uint64_t>(tp.partition)); other != elsewhere.end()) {
        from_checkpoint = std::max(from_checkpoint, static_cast<int64_t>(other->second));
      }
      bool first_time = seen_.insert(tp.partition).second;
      if (from_checkpoint < 0 && first_time && spec_.start != KafkaStart::kCommitted) {
        tp.offset = spec_.start == KafkaStart::kEarliest ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
      } else {
        tp.offset = std::max(from_checkpoint, group);  // INVALID (-1001): auto.offset.reset
        if (tp.offset < 0) tp.offset = RD_KAFKA_OFFSET_INVALID;
      }
      assigned_[tp.partition] = std::max<int64_t>(tp.offset, 0);
    }
    if (list->cnt > 0) tell_locked("kafka: assigned " + partition_names(list));
  }

  // Before partitions go to another consumer: what was read of them is counted and
  // checkpointed, and their offsets committed, so that the next owner starts right after.
  void revoke(rd_kafka_topic_partition_list_t* list) {
    SourceContext* ctx;
    {
      std::lock_guard lock(mu_);
      ctx = closing_ ? nullptr : ctx_;
    }
    if (ctx != nullptr) {
      for (auto& [id, p] : parts_) emit(p);
      ctx->settle();  // the engine counts, checkpoints and calls checkpointed()
    }
    std::lock_guard lock(mu_);
    std::map<int32_t, int64_t> offsets;
    for (int i = 0; i < list->cnt; ++i) {
      auto it = durable_.find(list->elems[i].partition);
      if (it != durable_.end()) offsets[it->first] = it->second;
    }
    if (!closing_) commit_locked(offsets, /*async=*/false);
    if (!closing_ && list->cnt > 0) tell_locked("kafka: gave up " + partition_names(list));
    for (int i = 0; i < list->cnt; ++i) {
      assigned_.erase(list->elems[i].partition);
      Partition& p = parts_[list->elems[i].partition];
      if (p.batch) {  // lines of a partition given up outside run(): its new owner reads them
        p.batch.reset();
        --waiting_;
      }
    }
  }

  // "logs[0,2]": the partitions of a list, for the messages about rebalances.
  std::string partition_names(const rd_kafka_topic_partition_list_t* list) const {
    std::string out = spec_.topic + "[";
    for (int i = 0; i < list->cnt; ++i) {
      if (i > 0) out += ',';
      out += std::to_string(list->elems[i].partition);
    }
    return out + "] (group " + spec_.group + ")";
  }

  // Passes a message on that is rare by nature (a rebalance), without rate limiting.
  void tell_locked(std::string message) {
    if (ctx_ != nullptr) {
      ctx_->warn(std::move(message));
    } else if (early_warnings_.size() < 100) {
      early_warnings_.push_back(std::move(message));
    }
  }

  // Passes a librdkafka complaint on, the same one at most every 30 s.
  void say(int code, std::string message) {
    std::lock_guard lock(mu_);
    say_locked(code, std::move(message));
  }
  void say_locked(int code, std::string message) {
    int64_t now = steady_ms();
    auto [it, fresh] = last_said_.try_emplace(code, now);
    if (!fresh && now - it->second < kRepeatWarningMs) return;
    it->second = now;
    tell_locked(std::move(message));
  }

  std::string name_;
  KafkaSpec spec_;
  std::vector<std::pair<std::string, std::string>> properties_;
  rd_kafka_t* rk_ = nullptr;

  std::mutex mu_;  // guards what the engine's and librdkafka's threads touch
  SourceContext* ctx_ = nullptr;
  bool closing_ = false;
  std::atomic<bool> ever_assigned_{false};
  OffsetHints hints_;  // under mu_  // the group has given this member an assignment
  std::map<int32_t, int64_t> assigned_;  // partition -> the offset it started at
  std::set<int32_t> seen_;
  std::map<int32_t, int64_t> restored_;  // partition -> next offset, from the checkpoint
  std::map<int32_t, int64_t> durable_;   // partition -> next offset, checkpointed
  std::map<int, int64_t> last_said_;
  std::vector<std::string> early_warnings_;
  std::map<int32_t, Partition> parts_;  // the source thread's only
  size_t waiting_ = 0;     // partitions whose batch holds lines
  int64_t oldest_ms_ = 0;  // no waiting batch is older than this
};

}  // namespace

Result<KafkaSpec> parse_kafka_spec(const std::string& spec) {
  const std::string prefix = "kafka://";
  if (spec.rfind(prefix, 0) != 0) return Error{"not a Kafka source: '" + spec + "'"};
  std::string rest = spec.substr(prefix.size());
  std::string query;
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  size_t slash = rest.find('/');
  KafkaSpec out;
  if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size()) {
    return Error{"bad Kafka source '" + spec + "': expected kafka://BROKERS/TOPIC?group=GROUP"};
  }
  out.brokers = rest.substr(0, slash);
  out.topic = rest.substr(slash + 1);
  if (out.topic.find('/') != std::string::npos) {
    return Error{"bad Kafka source '" + spec + "': one topic per source"};
  }
  size_t at = 0;
  while (at <= query.size() && !query.empty()) {
    size_t amp = query.find('&', at);
    std::string item = query.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "group") {
      out.group = value;
    } else if (key == "offset") {
      if (value == "committed") {
        out.start = KafkaStart::kCommitted;
      } else if (value == "earliest") {
        out.start = KafkaStart::kEarliest;
      } else if (value == "latest") {
        out.start = KafkaStart::kLatest;
      } else {
        return Error{"bad offset '" + value + "' in '" + spec + "': committed, earliest or latest"};
      }
    } else {
      return Error{"unknown parameter '" + key + "' in '" + spec + "' (known: group, offset)"};
    }
    if (amp == std::string::npos) break;
    at = amp + 1;
  }
  if (out.group.empty()) {
    return Error{"Kafka source '" + spec + "' needs a consumer group: add ?group=NAME"};
  }
  return out;
}

Result<std::unique_ptr<StreamSource>> make_kafka_source(
    const std::string& spec, std::vector<std::pair<std::string, std::string>> properties) {
  auto parsed = parse_kafka_spec(spec);
  if (!parsed) return parsed.error();
  return std::unique_ptr<StreamSource>(new KafkaSource(spec, std::move(parsed.value()), std::move(properties)));
}

}  // namespace logan
