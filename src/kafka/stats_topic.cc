// The statistics topic: see stats_topic.h.
#include "kafka/stats_topic.h"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>

#include "core/clock.h"

namespace logan {

Result<rd_kafka_conf_t*> make_stats_topic_conf(const KafkaProperties& ours, const KafkaProperties& theirs) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  auto apply = [&](const KafkaProperties& props, bool user) -> Status {
    for (const auto& [key, value] : props) {
      if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        return Error{(user ? "-X " + key + "=" + value + ": " : "") + std::string(errstr)};
      }
    }
    return Ok{};
  };
  Status s = apply(ours, false);
  if (s) s = apply(theirs, true);
  if (!s) {
    rd_kafka_conf_destroy(conf);
    return s.error();
  }
  // Connection complaints are the caller's timeouts to report; keep librdkafka quiet.
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
  return conf;
}

Result<TopicUrl> parse_topic_url(const std::string& url) {
  const std::string prefix = "kafka://";
  const std::string rest = url.rfind(prefix, 0) == 0 ? url.substr(prefix.size()) : "";
  size_t slash = rest.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size() ||
      rest.find_first_of("/?", slash + 1) != std::string::npos) {
    return Error{"bad statistics topic '" + url + "': expected kafka://BROKERS/TOPIC"};
  }
  return TopicUrl{rest.substr(0, slash), rest.substr(slash + 1)};
}

Result<std::unique_ptr<StatsPublisher>> StatsPublisher::open(const std::string& url,
                                                             const KafkaProperties& properties,
                                                             std::function<void(const std::string&)> warn) {
  auto where = parse_topic_url(url);
  if (!where) return where.error();
  auto conf = make_stats_topic_conf({{"bootstrap.servers", where->brokers},
                         {"client.id", "logan-stream-stats"},
                         {"compression.codec", "zstd"},
                         {"linger.ms", "20"},
                         {"message.max.bytes", "16777216"},
                         {"enable.idempotence", "true"}},
                        properties);
  if (!conf) return conf.error();
  std::unique_ptr<StatsPublisher> p(new StatsPublisher(url, where->topic));
  p->warn_ = std::move(warn);
  rd_kafka_conf_set_opaque(*conf, p.get());
  rd_kafka_conf_set_dr_msg_cb(*conf, [](rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque) {
    on_delivery(rk, m, opaque);
  });
  char errstr[512];
  p->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, errstr, sizeof errstr);
  if (p->rk_ == nullptr) {
    rd_kafka_conf_destroy(*conf);
    return Error{"cannot make a Kafka producer for '" + url + "': " + errstr};
  }
  return p;
}

StatsPublisher::~StatsPublisher() {
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

void StatsPublisher::on_delivery(rd_kafka_t*, const void* message, void* opaque) {
  const auto* m = static_cast<const rd_kafka_message_t*>(message);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  static_cast<StatsPublisher*>(opaque)->failed(m->err);
}

void StatsPublisher::failed(int code) {
  const auto err = static_cast<rd_kafka_resp_err_t>(code);
  ++failed_;
  last_error_ = rd_kafka_err2str(err);
  if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) last_error_ += " (raise the topic's max.message.bytes)";
  if (!warn_) return;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  if (warned_ms_ >= 0 && now - warned_ms_ < 60000) return;
  warned_ms_ = now;
  warn_(std::to_string(failed_) + " statistics message" + (failed_ == 1 ? "" : "s") + " not delivered to " +
       name_ + " so far (" + last_error_ + "): `logan combine` will miss them");
}

void StatsPublisher::publish(const std::string& key, std::string value) {
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk_, 100);
      continue;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) failed(err);
    break;
  }
  rd_kafka_poll(rk_, 0);
}

Status StatsPublisher::flush(int64_t timeout_ms) {
  rd_kafka_flush(rk_, static_cast<int>(timeout_ms));
  uint64_t left = static_cast<uint64_t>(rd_kafka_outq_len(rk_));
  if (left == 0 && failed_ == 0) return Ok{};
  uint64_t lost = left + failed_;
  std::string why = left > 0 ? "not delivered within the timeout" : last_error_;
  if (left > 0 && failed_ > 0) why += "; " + last_error_;
  return Error{std::to_string(lost) + " statistics message" + (lost == 1 ? "" : "s") +
               " not delivered to " + name_ + ": " + why};
}

Result<std::unique_ptr<StatsTopicReader>> StatsTopicReader::open(const std::string& url,
                                                                 const KafkaProperties& properties,
                                                                 int64_t timeout_ms, bool allow_missing) {
  auto where = parse_topic_url(url);
  if (!where) return where.error();
  auto conf = make_stats_topic_conf({{"bootstrap.servers", where->brokers},
                         {"client.id", "logan-combine"},
                         {"group.id", "logan-combine"},
                         {"enable.auto.commit", "false"},
                         {"enable.partition.eof", "false"}},
                        properties);
  if (!conf) return conf.error();
  std::unique_ptr<StatsTopicReader> reader(new StatsTopicReader(url, where->topic, timeout_ms));
  char errstr[512];
  reader->rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, errstr, sizeof errstr);
  if (reader->rk_ == nullptr) {
    rd_kafka_conf_destroy(*conf);
    return Error{"cannot make a Kafka consumer for '" + url + "': " + errstr};
  }
  rd_kafka_poll_set_consumer(reader->rk_);
  reader->allow_missing_ = allow_missing;
  if (Status s = reader->refresh_partitions(); !s) return s.error();
  return reader;
}

Status StatsTopicReader::refresh_partitions() {
  auto fail = [&](rd_kafka_resp_err_t err) {
    return Error{"cannot read the statistics topic '" + url_ + "': " + rd_kafka_err2str(err)};
  };
  // Which partitions there are; new ones are read from where each begins.
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk_, topic_.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 0, topic, &md, static_cast<int>(timeout_ms_));
  rd_kafka_topic_destroy(topic);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return fail(err);
  rd_kafka_resp_err_t topic_err = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
  std::vector<int32_t> found;
  if (topic_err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < md->topics[0].partition_cnt; ++i) found.push_back(md->topics[0].partitions[i].id);
  }
  rd_kafka_metadata_destroy(md);
  if (topic_err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && allow_missing_) return Ok{};  // not made yet
  if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR) return fail(topic_err);
  bool added = false;
  for (int32_t p : found) {
    if (next_.count(p)) continue;
    int64_t lo = 0, hi = 0;
    err = rd_kafka_query_watermark_offsets(rk_, topic_.c_str(), p, &lo, &hi, static_cast<int>(timeout_ms_));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return fail(err);
    next_[p] = lo;
    partitions_.push_back(p);
    added = true;
  }
  if (!added) return Ok{};
  rd_kafka_topic_partition_list_t* assign = rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size()));
  for (int32_t p : partitions_) rd_kafka_topic_partition_list_add(assign, topic_.c_str(), p)->offset = next_[p];
  err = rd_kafka_assign(rk_, assign);
  rd_kafka_topic_partition_list_destroy(assign);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return fail(err);
  return Ok{};
}

StatsTopicReader::~StatsTopicReader() {
  if (rk_ == nullptr) return;
  rd_kafka_consumer_close(rk_);
  rd_kafka_destroy(rk_);
}

Status StatsTopicReader::read_to_end(const std::function<Status(std::string_view payload)>& take) {
  if (allow_missing_) {
    // The topic may have been made, or grown, since: look for partitions not read yet.
    if (Status s = refresh_partitions(); !s) return s;
  }
  std::map<int32_t, int64_t> ends;  // partition -> the offset past its last message, now
  for (int32_t p : partitions_) {
    int64_t lo = 0, hi = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk_, topic_.c_str(), p, &lo, &hi, static_cast<int>(timeout_ms_));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Error{"cannot read the statistics topic '" + url_ + "': " + rd_kafka_err2str(err)};
    }
    if (hi > next_[p]) ends[p] = hi;
  }
  int64_t last_progress = steady_ms();
  while (!ends.empty()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 200);
    if (m == nullptr) {
      if (steady_ms() - last_progress > timeout_ms_) {
        return Error{"reading the statistics topic '" + url_ + "' made no progress for " +
                     std::to_string(timeout_ms_ / 1000) + " s"};
      }
      continue;
    }
    Status s = Ok{};
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        s = Error{"cannot read the statistics topic '" + url_ + "': " + rd_kafka_message_errstr(m)};
      }
    } else {
      last_progress = steady_ms();
      next_[m->partition] = m->offset + 1;
      // Everything read is taken (also what arrived since the ends were asked: the consumer
      // has moved past it); the ends only say when to stop.
      s = take(std::string_view(static_cast<const char*>(m->payload), m->len));
      auto end = ends.find(m->partition);
      if (end != ends.end() && m->offset + 1 >= end->second) ends.erase(end);
    }
    rd_kafka_message_destroy(m);
    if (!s) return s;
  }
  return Ok{};
}

Status read_stats_topic(const std::string& url, const KafkaProperties& properties, int64_t timeout_ms,
                        const std::function<Status(std::string_view payload)>& take) {
  auto reader = StatsTopicReader::open(url, properties, timeout_ms);
  if (!reader) return reader.error();
  return reader.value()->read_to_end(take);
}

}  // namespace logan
