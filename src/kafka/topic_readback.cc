// read_back_topic(): see topic_readback.h.
#include "kafka/topic_readback.h"

#include <chrono>
#include <memory>
#include <set>

#include <librdkafka/rdkafka.h>

#include "core/clock.h"
#include "kafka/ship_checkpoint.h"

namespace logan {

namespace {

struct Consumer {
  rd_kafka_t* rk = nullptr;
  ~Consumer() {
    if (rk) {
      rd_kafka_consumer_close(rk);
      rd_kafka_destroy(rk);
    }
  }
};

}  // namespace

Result<TopicReadback> read_back_topic(
    const std::string& brokers, const std::string& topic,
    const std::vector<std::pair<std::string, std::string>>& properties, uint64_t ship_id,
    const std::map<int32_t, int64_t>& from, bool read, int timeout_ms) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::vector<std::pair<std::string, std::string>> settings = {
      {"bootstrap.servers", brokers},
      {"client.id", "logan-ship-readback"},
      // assign() wants a group; no member joins it and nothing is committed to it.
      {"group.id", "logan-ship-readback"},
      {"enable.partition.eof", "true"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"log.connection.close", "false"},
  };
  // The user's properties (security settings above all). A producer-only one is accepted and
  // ignored by librdkafka, which says so in a log line that goes nowhere here.
  for (const auto& p : properties) settings.push_back(p);
  for (const auto& [name, value] : settings) {
    if (name == "transactional.id" || name == "enable.idempotence") continue;
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Error{"cannot read topic '" + topic + "' back: " + errstr};
    }
  }
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
  Consumer c;
  c.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!c.rk) {
    rd_kafka_conf_destroy(conf);
    return Error{std::string("cannot make a Kafka consumer to read the topic back: ") + errstr};
  }
  auto fail = [&](const std::string& what, rd_kafka_resp_err_t err) {
    return Error{"cannot read topic '" + topic + "' back (" + what + "): " + rd_kafka_err2str(err)};
  };

  // The partitions, and where each ends now.
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(c.rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(c.rk, 0, rkt, &md, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (err) return fail("metadata", err);
  std::vector<int32_t> partitions;
  if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < md->topics[0].partition_cnt; ++i) {
      partitions.push_back(md->topics[0].partitions[i].id);
    }
  }
  rd_kafka_metadata_destroy(md);
  TopicReadback out;
  std::map<int32_t, int64_t> low;
  for (int32_t p : partitions) {
    int64_t lo = 0, hi = 0;
    err = rd_kafka_query_watermark_offsets(c.rk, topic.c_str(), p, &lo, &hi, timeout_ms);
    if (err) return fail("watermarks of partition " + std::to_string(p), err);
    out.high[p] = hi;
    low[p] = lo;
  }
  if (!read) return out;

  // Read each partition from its start to the high watermark just taken.
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(0);
  std::set<int32_t> open;
  for (int32_t p : partitions) {
    auto it = from.find(p);
    int64_t start = it == from.end() ? low[p] : std::max(it->second, low[p]);
    if (start >= out.high[p]) continue;
    rd_kafka_topic_partition_list_add(assignment, topic.c_str(), p)->offset = start;
    open.insert(p);
  }
  if (!open.empty()) {
    err = rd_kafka_assign(c.rk, assignment);
    if (err) {
      rd_kafka_topic_partition_list_destroy(assignment);
      return fail("assign", err);
    }
  }
  rd_kafka_topic_partition_list_destroy(assignment);
  int64_t idle_since = steady_ms();
  while (!open.empty()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(c.rk, 100);
    if (m == nullptr) {
      if (steady_ms() - idle_since > timeout_ms) {
        return Error{"cannot read topic '" + topic + "' back: no answer within " +
                     std::to_string(timeout_ms / 1000) + " s"};
      }
      continue;
    }
    idle_since = steady_ms();
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(m, rd_kafka_message_destroy);
    int32_t p = m->partition;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      open.erase(p);
      continue;
    }
    if (m->err) return fail("partition " + std::to_string(p), m->err);
    ++out.messages;
    rd_kafka_headers_t* headers = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        rd_kafka_header_get_last(headers, std::string(kPositionHeader).c_str(), &value, &size) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        value != nullptr) {
      auto pos = parse_message_position(std::string_view(static_cast<const char*>(value), size));
      if (pos && pos->ship_id == ship_id) {
        ++out.ours;
        auto& end = out.ends[{pos->source_hash, pos->file_id}];
        if (pos->end_offset > end.first) end = {pos->end_offset, pos->end_lines};
      }
    }
    if (m->offset + 1 >= out.high[p]) open.erase(p);
  }
  return out;
}

}  // namespace logan
