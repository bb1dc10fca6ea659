// LogShipper: see log_shipper.h.
#include "kafka/log_shipper.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include <librdkafka/rdkafka.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace logan {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

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

void LogShipper::emit(std::unique_ptr<LineBatch> batch) {
  truncated_ += batch->overlong_lines.size();
  std::vector<MessageSpan> messages;  // per call: another source may emit while this one waits
  split_into_messages(batch->data.view(), options_.limits, messages);
  std::unique_lock lock(mu_);
  for (const MessageSpan& message : messages) {
    read_ += message.lines;
    const std::string* key = options_.key ? &*options_.key : nullptr;
    if (message.payload.size() > options_.buffer_bytes) {  // a long line that could never fit
      failed_ += message.lines;
      report_failure(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, message.lines);
      continue;
    }
    for (;;) {
      int rc = rd_kafka_produce(topic_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                const_cast<char*>(message.payload.data()), message.payload.size(),
                                key ? key->data() : nullptr, key ? key->size() : 0,
                                reinterpret_cast<void*>(static_cast<uintptr_t>(message.lines)));
      if (rc == 0) {
        drops_.accepted();
        break;
      }
      rd_kafka_resp_err_t err = rd_kafka_last_error();
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        failed_ += message.lines;
        report_failure(err, message.lines);
        break;
      }
      if (options_.on_full == OverflowPolicy::kDrop) {
        if (drops_.dropped(message.lines, now_ms())) {
          warn_("buffer full (" + mib(options_.buffer_bytes) +
                " of lines undelivered): dropping lines until there is room");
        }
        break;
      }
      if (stopping_) {  // blocked and asked to stop: these lines will not be sent
        unsent_ += message.lines;
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
  auto lines = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(message->_private));
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->delivered_ += lines;
    if (self->broker_trouble_reported_.exchange(false)) self->warn_("kafka: delivering again");
  } else if (message->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
             message->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
    self->unsent_ += lines;
  } else {
    self->failed_ += lines;
    self->report_failure(message->err, lines);
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
    std::lock_guard lock(mu_);
    if (auto total = drops_.summary_due(now_ms())) {
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
  const int64_t deadline = now_ms() + options_.flush_timeout_ms;
  while (rd_kafka_outq_len(rk_) > 0 && !hurry_) {
    int64_t left = deadline - now_ms();
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
