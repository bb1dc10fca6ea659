// LogShipper: see log_shipper.h.
#include "kafka/log_shipper.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include <librdkafka/rdkafka.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/clock.h"

namespace logan {
namespace {

std::string mib(uint64_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

constexpr size_t kSpareBatches = 4;

}  // namespace

LogShipper::LogShipper(const ShipOptions& options, Warn warn)
    : options_(options), warn_(std::move(warn)) {}

Result<std::unique_ptr<LogShipper>> LogShipper::create(const ShipOptions& options, Warn warn) {
  if (options.brokers.empty()) return Error{"no brokers given"};
  if (options.topic.empty()) return Error{"no topic given"};
  if (options.limits.max_bytes == 0) return Error{"the message size must be at least 1 byte"};
  if (options.buffer_bytes < options.limits.max_bytes) {
    return Error{"the buffer (" + std::to_string(options.buffer_bytes) +
                 " bytes) must hold at least one message (" +
                 std::to_string(options.limits.max_bytes) + " bytes)"};
  }
  std::unique_ptr<LogShipper> self(new LogShipper(options, std::move(warn)));
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& name, const std::string& value, bool from_user) -> Status {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) ==
        RD_KAFKA_CONF_OK) {
      return Ok{};
    }
    return Error{(from_user ? "-X " + name + "=" + value + ": " : "") + errstr};
  };
  uint64_t kbytes = std::max<uint64_t>(1, (options.buffer_bytes + 1023) / 1024);
  // librdkafka bounds messages by count too: allow one per 128 bytes of buffer, so that the
  // byte bound is the one that matters unless messages are tiny.
  uint64_t messages = std::clamp<uint64_t>(options.buffer_bytes / 128, 10000, 2147483647);
  std::vector<std::pair<std::string, std::string>> defaults = {
      {"bootstrap.servers", options.brokers},
      {"client.id", "logan-ship"},
      {"enable.idempotence", "true"},
      {"compression.codec", options.compression},
      {"linger.ms", std::to_string(options.linger_ms)},
      {"queue.buffering.max.kbytes", std::to_string(std::min<uint64_t>(kbytes, 2147483647))},
      {"queue.buffering.max.messages", std::to_string(messages)},
      {"log.connection.close", "false"},  // idle connections closed by brokers are no news
  };
  for (const auto& [name, value] : defaults) {
    if (auto s = set(name, value, false); !s) {
      rd_kafka_conf_destroy(conf);
      return s.error();
    }
  }
  for (const auto& [name, value] : options.properties) {
    if (auto s = set(name, value, true); !s) {
      rd_kafka_conf_destroy(conf);
      return s.error();
    }
  }
  char max_bytes[32];
  size_t len = sizeof max_bytes;
  if (rd_kafka_conf_get(conf, "message.max.bytes", max_bytes, &len) == RD_KAFKA_CONF_OK &&
      options.limits.max_bytes > std::stoull(max_bytes)) {
    rd_kafka_conf_destroy(conf);
    return Error{"the message size (" + std::to_string(options.limits.max_bytes) +
                 " bytes) is over librdkafka's message.max.bytes (" + max_bytes + ")"};
  }
  rd_kafka_conf_set_opaque(conf, self.get());
  rd_kafka_conf_set_dr_msg_cb(conf, &LogShipper::on_delivery);
  rd_kafka_conf_set_error_cb(conf, &LogShipper::on_error);
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t* rk, int level, const char* fac,
                                    const char* buf) {
    // Errors (level 3) reach on_error too; the rest (configuration warnings, -X debug=...)
    // goes to the operator.
    if (level == 3) return;
    auto* s = static_cast<LogShipper*>(rd_kafka_opaque(rk));
    s->warn_(std::string("kafka: ") + fac + ": " + buf);
  });
  self->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!self->rk_) {
    rd_kafka_conf_destroy(conf);
    return Error{std::string("cannot make a Kafka producer: ") + errstr};
  }
  self->topic_ = rd_kafka_topic_new(self->rk_, options.topic.c_str(), nullptr);
  if (!self->topic_) {
    return Error{"cannot use topic '" + options.topic +
                 "': " + rd_kafka_err2str(rd_kafka_last_error())};
  }
  self->stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (self->stop_fd_ < 0) return Error{"cannot make an eventfd"};
  self->poller_ = std::thread([s = self.get()] { s->poll_loop(); });
  return self;
}

LogShipper::~LogShipper() {
  poller_done_ = true;
  if (poller_.joinable()) poller_.join();
  if (rk_) rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  if (topic_) rd_kafka_topic_destroy(topic_);
  if (rk_) rd_kafka_destroy(rk_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

std::unique_ptr<LineBatch> LogShipper::new_batch() {
  std::lock_guard lock(mu_);
  if (spare_batches_.empty()) return std::make_unique<LineBatch>();
  auto batch = std::move(spare_batches_.back());
  spare_batches_.pop_back();
  return batch;
}

InputId LogShipper::new_input(std::string name) {
  std::lock_guard lock(mu_);
  return InputId{next_input_++, std::make_shared<const std::string>(std::move(name))};
}

// The context of one source: batches it emits are marked as that source's.
class LogShipper::SourceView final : public SourceContext {
 public:
  SourceView(LogShipper& shipper, uint32_t source) : shipper_(shipper), source_(source) {}
  bool stopping() const override { return shipper_.stopping(); }
  int stop_fd() const override { return shipper_.stop_fd(); }
  std::unique_ptr<LineBatch> new_batch() override { return shipper_.new_batch(); }
  void emit(std::unique_ptr<LineBatch> batch) override {
    batch->source = source_;
    shipper_.emit(std::move(batch));
  }
  InputId new_input(std::string name) override { return shipper_.new_input(std::move(name)); }
  void warn(std::string message) override { shipper_.warn(std::move(message)); }
  void file_gone(uint64_t file_id, const FilePosition& pos, const std::string& path) override {
    shipper_.file_gone(source_, file_id, pos, path);
  }

 private:
  LogShipper& shipper_;
  uint32_t source_;
};

SourceContext& LogShipper::source_context(uint32_t source) {
  std::lock_guard lock(mu_);
  views_.push_back(std::make_unique<SourceView>(*this, source));
  return *views_.back();
}

void LogShipper::file_gone(uint32_t source, uint64_t file_id, const FilePosition& pos,
                           const std::string& path) {
  std::string text = "'" + path + "' (named in the checkpoint, shipped up to byte " +
                     std::to_string(pos.offset) + ", line " + std::to_string(pos.lines) +
                     ") is gone: ";
  std::optional<ShipFileState> state = positions_ ? positions_->file(source, file_id) : std::nullopt;
  if (state && state->sent_offset > pos.offset) {
    text += std::to_string(state->sent_offset - pos.offset) + " bytes (" +
            std::to_string(state->sent_lines - pos.lines) +
            " lines) read before the stop were never acknowledged and cannot be shipped, nor "
            "anything written to it after byte " + std::to_string(state->sent_offset);
  } else {
    text += "anything written to it after that could not be shipped";
  }
  warn_(text);
}

uintptr_t LogShipper::new_ticket(const Ticket& t) {
  std::lock_guard lock(tickets_mu_);
  if (free_tickets_.empty()) {
    tickets_.push_back(t);
    return tickets_.size();
  }
  uintptr_t handle = free_tickets_.back();
  free_tickets_.pop_back();
  tickets_[handle - 1] = t;
  return handle;
}

LogShipper::Ticket LogShipper::take_ticket(uintptr_t handle) {
  std::lock_guard lock(tickets_mu_);
  Ticket t = tickets_[handle - 1];
  free_tickets_.push_back(handle);
  return t;
}

void LogShipper::give_up(uintptr_t handle, bool hold) {
  Ticket t = take_ticket(handle);
  if (t.tracked && positions_) positions_->settle(t.source, t.file_id, t.entry, -1, -1, hold);
}

void LogShipper::emit(std::unique_ptr<LineBatch> batch) {
  truncated_ += batch->overlong_lines.size();
  std::vector<MessageSpan> messages;  // per call: another source may emit while this one waits
  split_into_messages(batch->data.view(), options_.limits, messages);
  // With positions: the batch is an entry of its file, each message ends at a known position.
  bool tracked = positions_ && (batch->position || batch->forget_file);
  uint64_t entry = 0;
  if (tracked) {
    Status saved = Ok{};
    entry = positions_->add(batch->source, *batch, static_cast<uint32_t>(messages.size()), &saved);
    if (!saved && !save_failure_reported_.exchange(true)) warn_(saved.error().message);
    tracked = batch->position.has_value();
  }
  const std::string_view data = batch->data.view();
  uint64_t lines_after = 0;  // lines in the messages after the current one
  for (const MessageSpan& m : messages) lines_after += m.lines;
  std::unique_lock lock(mu_);
  for (size_t i = 0; i < messages.size(); ++i) {
    const MessageSpan& message = messages[i];
    lines_after -= message.lines;
    read_ += message.lines;
    Ticket ticket{message.lines, tracked, batch->source, batch->file_id, entry};
    uintptr_t handle = new_ticket(ticket);
    std::string header;
    if (tracked) {
      // Where this message's last line ends: the batch's end less what follows it.
      size_t end = i + 1 < messages.size()
                       ? static_cast<size_t>(messages[i + 1].payload.data() - data.data())
                       : data.size();
      header = positions_->header(batch->source, batch->file_id,
                                  batch->position->offset - (data.size() - end),
                                  batch->position->lines - lines_after);
    }
    const std::string* key = options_.key ? &*options_.key : nullptr;
    if (message.payload.size() > options_.buffer_bytes) {  // a long line that could never fit
      failed_ += message.lines;
      report_failure(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, message.lines);
      give_up(handle, /*hold=*/false);
      continue;
    }
    for (;;) {
      void* payload = const_cast<char*>(message.payload.data());
      void* opaque = reinterpret_cast<void*>(handle);
      rd_kafka_resp_err_t err =
          header.empty()
              ? rd_kafka_producev(rk_, RD_KAFKA_V_RKT(topic_), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                  RD_KAFKA_V_VALUE(payload, message.payload.size()),
                                  RD_KAFKA_V_KEY(key ? key->data() : nullptr, key ? key->size() : 0),
                                  RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END)
              : rd_kafka_producev(rk_, RD_KAFKA_V_RKT(topic_), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                  RD_KAFKA_V_VALUE(payload, message.payload.size()),
                                  RD_KAFKA_V_KEY(key ? key->data() : nullptr, key ? key->size() : 0),
                                  RD_KAFKA_V_HEADER(kPositionHeader.data(), header.data(),
                                                    static_cast<ssize_t>(header.size())),
                                  RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        drops_.accepted();
        break;
      }
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        failed_ += message.lines;
        report_failure(err, message.lines);
        // Too large ever to send: not held (a restart would fail it again).
        give_up(handle, err != RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
        break;
      }
      if (options_.on_full == OverflowPolicy::kDrop) {
        if (drops_.dropped(message.lines, steady_ms())) {
          warn_("buffer full (" + mib(options_.buffer_bytes) +
                " of lines undelivered): dropping lines until there is room");
        }
        give_up(handle, /*hold=*/false);
        break;
      }
      if (stopping_) {  // blocked and asked to stop: these lines will not be sent
        unsent_ += message.lines;
        give_up(handle, /*hold=*/true);
        break;
      }
      room_.wait_for(lock, std::chrono::milliseconds(50));
    }
  }
  batch->reset();
  if (spare_batches_.size() < kSpareBatches) spare_batches_.push_back(std::move(batch));
}

void LogShipper::stop() {
  stopping_ = true;
  uint64_t one = 1;
  (void)!::write(stop_fd_, &one, sizeof one);
  room_.notify_all();
}

void LogShipper::hurry() {
  hurry_ = true;
  stop();
}

void LogShipper::on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<LogShipper*>(opaque);
  Ticket t = self->take_ticket(reinterpret_cast<uintptr_t>(message->_private));
  uint64_t lines = t.lines;
  bool ok = message->err == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (ok) {
    self->delivered_ += lines;
    if (self->broker_trouble_reported_.exchange(false)) self->warn_("kafka: delivering again");
  } else if (message->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
             message->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
    self->unsent_ += lines;
  } else {
    self->failed_ += lines;
    self->report_failure(message->err, lines);
  }
  if (t.tracked && self->positions_) {
    // Undelivered lines hold their file's position: a restart ships them again.
    self->positions_->settle(t.source, t.file_id, t.entry, ok ? message->partition : -1,
                             ok ? message->offset : -1, !ok);
  }
  self->room_.notify_all();
}

void LogShipper::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<LogShipper*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char why[512];
    rd_kafka_fatal_error(rk, why, sizeof why);
    self->warn_(std::string("kafka: fatal error, stopping: ") + why);
    self->stop();
    return;
  }
  // One message per spell of trouble (brokers unreachable, refusing, ...), not one per retry.
  if (!self->broker_trouble_reported_.exchange(true)) {
    self->warn_(std::string("kafka: ") + reason + " (lines are kept and retried)");
  }
}

void LogShipper::report_failure(int err, uint64_t lines) {
  std::lock_guard lock(failure_mu_);
  if (std::find(failures_reported_.begin(), failures_reported_.end(), err) !=
      failures_reported_.end()) {
    return;
  }
  failures_reported_.push_back(err);
  warn_("cannot deliver " + std::to_string(lines) + " lines: " +
        rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err)) +
        " (later failures like it are only counted)");
}

void LogShipper::poll_loop() {
  while (!poller_done_) {
    rd_kafka_poll(rk_, 100);
    if (positions_) {
      if (Status s = positions_->save_if_due(steady_ms()); !s) {
        if (!save_failure_reported_.exchange(true)) warn_(s.error().message);
      } else {
        save_failure_reported_ = false;
      }
    }
    std::lock_guard lock(mu_);
    if (auto total = drops_.summary_due(steady_ms())) {
      warn_("dropped " + std::to_string(*total) + " lines so far (buffer full)");
    }
  }
}

ShipCounts LogShipper::counts() {
  ShipCounts c;
  c.read = read_;
  c.delivered = delivered_;
  c.failed = failed_;
  c.unsent = unsent_;
  c.truncated = truncated_;
  std::lock_guard lock(mu_);
  c.dropped = drops_.total();
  return c;
}

ShipCounts LogShipper::finish() {
  poller_done_ = true;
  if (poller_.joinable()) poller_.join();
  const int64_t deadline = steady_ms() + options_.flush_timeout_ms;
  while (rd_kafka_outq_len(rk_) > 0 && !hurry_) {
    int64_t left = deadline - steady_ms();
    if (left <= 0) break;
    rd_kafka_flush(rk_, static_cast<int>(std::min<int64_t>(left, 100)));
  }
  if (rd_kafka_outq_len(rk_) > 0) {
    // Give up: every message still held comes back through on_delivery as purged.
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  }
  auto accounted = [this] {
    ShipCounts c = counts();
    return c.delivered + c.dropped + c.failed + c.unsent >= c.read;
  };
  // Purged in-flight messages are reported by the broker threads; wait for them a little.
  for (int i = 0; i < 50 && !accounted(); ++i) rd_kafka_poll(rk_, 100);
  ShipCounts c = counts();
  uint64_t settled = c.delivered + c.dropped + c.failed + c.unsent;
  if (settled < c.read) c.unsent += c.read - settled;
  return c;
}

}  // namespace logan
