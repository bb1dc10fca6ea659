// The statistics topic of a scaled-out `logan stream` (issue: Kafka scale-out): each instance
// produces its per-window partial statistics and its all-time total there (StatsPublisher,
// `--stats-topic kafka://BROKERS/TOPIC`), keyed by job and instance so that one instance's
// messages stay in order in one partition; `logan combine` reads the whole topic back
// (read_stats_topic) and merges the instances.
// Thread-safety: a StatsPublisher is used from one thread; read_stats_topic is a function of
// its own (its consumer lives only while it runs).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_conf_s rd_kafka_conf_t;

namespace logan {

using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

struct TopicUrl {
  std::string brokers;
  std::string topic;
};

// Parses "kafka://BROKERS/TOPIC".
Result<TopicUrl> parse_topic_url(const std::string& url);

// A librdkafka configuration with `ours`, then the user's `theirs` (-X): the error names a bad
// -X. librdkafka's own log lines are dropped (callers report their own timeouts).
Result<rd_kafka_conf_t*> make_stats_topic_conf(const KafkaProperties& ours, const KafkaProperties& theirs);

class StatsPublisher {
 public:
  // A producer to `url`; `properties` (-X) are applied after logan's own. `warn` hears of
  // messages that could not be delivered while the stream runs (the first at once, then at
  // most once a minute), from the thread that calls publish().
  static Result<std::unique_ptr<StatsPublisher>> open(const std::string& url,
                                                      const KafkaProperties& properties,
                                                      std::function<void(const std::string&)> warn = {});
  ~StatsPublisher();
  StatsPublisher(const StatsPublisher&) = delete;
  StatsPublisher& operator=(const StatsPublisher&) = delete;

  // Queues one message (keyed by `key`) and returns; waits only while librdkafka's queue is full.
  void publish(const std::string& key, std::string value);
  // Waits up to `timeout_ms` for every queued message to be delivered. The error says how many
  // were not, and why the last one failed.
  Status flush(int64_t timeout_ms);
  const std::string& name() const { return name_; }

 private:
  StatsPublisher(std::string name, std::string topic) : name_(std::move(name)), topic_(std::move(topic)) {}
  static void on_delivery(rd_kafka_t* rk, const void* message, void* opaque);
  void failed(int err);  // an rd_kafka_resp_err_t

  std::string name_;
  std::string topic_;
  rd_kafka_t* rk_ = nullptr;
  uint64_t failed_ = 0;
  std::string last_error_;
  std::function<void(const std::string&)> warn_;
  int64_t warned_ms_ = -1;  // when warn_ was last called (steady clock)
};

// Reads a statistics topic as it grows: open() assigns every partition from its beginning;
// each read_to_end() reads from where the last one stopped to the end of every partition as it
// is when the call starts, calling `take` with each payload in partition order.
// Thread-safety: one thread at a time.
class StatsTopicReader {
 public:
  // Brokers that cannot be reached within `timeout_ms` are an error, and so is a topic that
  // does not exist, unless `allow_missing`: it is then read as empty until it appears (each
  // read_to_end() looks again, and for partitions added since).
  static Result<std::unique_ptr<StatsTopicReader>> open(const std::string& url,
                                                        const KafkaProperties& properties,
                                                        int64_t timeout_ms, bool allow_missing = false);
  ~StatsTopicReader();
  StatsTopicReader(const StatsTopicReader&) = delete;
  StatsTopicReader& operator=(const StatsTopicReader&) = delete;

  Status read_to_end(const std::function<Status(std::string_view payload)>& take);

 private:
  StatsTopicReader(std::string url, std::string topic, int64_t timeout_ms)
      : url_(std::move(url)), topic_(std::move(topic)), timeout_ms_(timeout_ms) {}
  // Assigns the partitions not assigned yet, each from its beginning.
  Status refresh_partitions();
  bool allow_missing_ = false;
  std::string url_;
  std::string topic_;
  int64_t timeout_ms_;
  rd_kafka_t* rk_ = nullptr;
  std::vector<int32_t> partitions_;
  std::map<int32_t, int64_t> next_;  // partition -> the next offset to read
};

// Reads every message of the topic at `url`, from the beginning of each partition to its end
// as it is when reading starts, calling `take` with each payload in partition order. Brokers
// that cannot be reached within `timeout_ms`, or a topic that does not exist, are an error.
Status read_stats_topic(const std::string& url, const KafkaProperties& properties, int64_t timeout_ms,
                        const std::function<Status(std::string_view payload)>& take);

}  // namespace logan
