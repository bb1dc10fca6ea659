// StatsTopicKeeper: see stats_topic_keeper.h.
#include "kafka/stats_topic_keeper.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

#include "core/clock.h"
#include "stats/stats_message.h"
#include "stream/checkpoint.h"
#include "stream/windower.h"

namespace logan {

namespace {

// What a delivery report calls: the engine's `done`.
using Done = std::function<void(bool stored)>;

}  // namespace

Result<std::shared_ptr<StatsTopicKeeper>> StatsTopicKeeper::open(const std::string& url,
                                                                 const KafkaProperties& properties,
                                                                 std::string job, std::string instance,
                                                                 int64_t timeout_ms) {
  auto where = parse_topic_url(url);
  if (!where) return where.error();
  std::shared_ptr<StatsTopicKeeper> k(
      new StatsTopicKeeper(url, where->topic, std::move(job), std::move(instance)));
  // A topic not made yet (the first run of a job) holds nothing to restore: read it as empty.
  auto reader = StatsTopicReader::open(url, properties, timeout_ms, /*allow_missing=*/true);
  if (!reader) return reader.error();
  {
    std::lock_guard lock(k->mu_);
    k->reader_ = std::move(reader.value());
    Status read = k->reader_->read_to_end([&k](std::string_view payload) { return k->take_locked(payload); });
    if (!read) return read.error();
  }
  auto conf = make_stats_topic_conf({{"bootstrap.servers", where->brokers},
                                     {"client.id", "logan-stream-checkpoint"},
                                     {"compression.codec", "zstd"},
                                     {"linger.ms", "5"},
                                     {"message.max.bytes", "16777216"},
                                     {"enable.idempotence", "true"}},
                                    properties);
  if (!conf) return conf.error();
  rd_kafka_conf_set_dr_msg_cb(*conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    std::unique_ptr<Done> done(static_cast<Done*>(m->_private));
    if (done && *done) (*done)(m->err == RD_KAFKA_RESP_ERR_NO_ERROR);
  });
  char errstr[512];
  k->producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, errstr, sizeof errstr);
  if (k->producer_ == nullptr) {
    rd_kafka_conf_destroy(*conf);
    return Error{"cannot make a Kafka producer for '" + url + "': " + errstr};
  }
  k->poller_ = std::thread([raw = k.get()] {
    while (!raw->stop_) rd_kafka_poll(raw->producer_, 100);
  });
  return k;
}

StatsTopicKeeper::~StatsTopicKeeper() {
  stop_ = true;
  if (poller_.joinable()) poller_.join();
  if (producer_ != nullptr) {
    rd_kafka_flush(producer_, 5000);
    // What is left comes back through the delivery callback as failed: `done(false)`.
    rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(producer_, 0);
    rd_kafka_destroy(producer_);
  }
}

Status StatsTopicKeeper::take_locked(std::string_view payload) {
  auto m = decode_stats_message(payload);
  if (!m) return Error{"a message of " + url_ + ": " + m.error().message};
  if (m->job != job_ || m->checkpoint.empty()) return Ok{};
  if (m->instance == instance_) {
    restored_ = std::move(m->checkpoint);  // an instance's messages are in order: the newest wins
    return Ok{};
  }
  auto data = decode_checkpoint(m->checkpoint);
  if (!data) return Error{"the checkpoint of instance " + m->instance + " in " + url_ + ": " + data.error().message};
  for (const auto& [source, entries] : data->positions) {
    auto& furthest = elsewhere_[source];
    for (const auto& [part, pos] : entries) {
      uint64_t& at = furthest[part];
      at = std::max(at, pos.offset);
    }
  }
  return Ok{};
}

void StatsTopicKeeper::keep(std::string checkpoint, std::vector<KeptOffset> /*offsets*/,
                            std::function<void(bool stored)> done) {
  StatsMessage m;
  m.kind = StatsMessage::Kind::kTotal;
  m.job = job_;
  m.instance = instance_;
  m.sequence = ++sequence_;
  m.published_ms = wall_ms();
  m.window_end_ms = m.published_ms;
  auto data = decode_checkpoint(checkpoint);
  auto counted = data ? Windower::counted_in(data->windows) : Result<AccessStats>(data.error());
  if (!counted) {  // the engine's own bytes: cannot happen short of a bug
    if (done) done(false);
    return;
  }
  m.stats = std::move(counted.value());
  m.checkpoint = std::move(checkpoint);
  std::string value = encode_stats_message(m);
  const std::string key = job_ + "/" + instance_;  // one instance's messages: one partition, in order
  auto* opaque = new Done(std::move(done));
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_, 100);
      continue;
    }
    std::unique_ptr<Done> refused(opaque);
    if (*refused) (*refused)(false);
    return;
  }
}

std::map<uint64_t, uint64_t> StatsTopicKeeper::stored_elsewhere(const std::string& source) {
  std::lock_guard lock(mu_);
  // What the others published since the last look: a partition given up a moment ago was
  // checkpointed there before it was given up.
  Status read = reader_->read_to_end([this](std::string_view payload) { return take_locked(payload); });
  (void)read;  // on failure, what was read so far still holds (and the committed offsets)
  auto it = elsewhere_.find(source);
  return it == elsewhere_.end() ? std::map<uint64_t, uint64_t>() : it->second;
}

Status StatsTopicKeeper::flush(int64_t timeout_ms) {
  rd_kafka_flush(producer_, static_cast<int>(timeout_ms));
  int left = rd_kafka_outq_len(producer_);
  if (left == 0) return Ok{};
  return Error{std::to_string(left) + " checkpoint" + (left == 1 ? "" : "s") + " not delivered to " + url_ +
               " within the timeout"};
}

}  // namespace logan
