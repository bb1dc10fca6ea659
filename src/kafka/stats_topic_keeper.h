// StatsTopicKeeper: keeps the checkpoint of a `logan stream` that reads Kafka in its
// statistics topic (`--stats-topic`), so that the instances of a consumer group neither lose
// nor count twice a partition that moves between them, whoever goes and however.
//
// Each checkpoint becomes the instance's all-time total on the topic: a statistics message
// (kind total, keyed JOB/INSTANCE) holding every line the checkpoint's state counted and the
// checkpoint itself. `logan combine` keeps each instance's newest total, so what it merges
// always agrees with the positions the instances stored. The engine commits offsets only once
// such a message is delivered, and an instance that is assigned a partition starts it after the
// furthest position any other instance of the job stored for it (stored_elsewhere()), whatever
// the group's committed offsets say (a commit refused during a rebalance, or never made by an
// instance killed). An instance restarted under its name resumes from its newest checkpoint
// on the topic (restored()).
//
// Library code: returns errors, never prints. Thread-safety: keep() from the engine's thread;
// stored_elsewhere() from any thread; `done` callbacks run on the keeper's delivery thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "kafka/stats_topic.h"
#include "stream/checkpoint_keeper.h"

namespace logan {

class StatsTopicKeeper final : public CheckpointKeeper {
 public:
  // Reads the whole topic once: this instance's newest checkpoint, and where the others
  // stopped. Errors: a bad URL or -X, brokers that do not answer within timeout_ms, a message
  // of the topic that is not a statistics message.
  static Result<std::shared_ptr<StatsTopicKeeper>> open(const std::string& url,
                                                        const KafkaProperties& properties,
                                                        std::string job, std::string instance,
                                                        int64_t timeout_ms);
  ~StatsTopicKeeper() override;

  std::string name() const override { return "statistics topic " + url_; }
  std::optional<std::string> restored() const override { return restored_; }
  void keep(std::string checkpoint, std::vector<KeptOffset> offsets,
            std::function<void(bool stored)> done) override;
  std::map<uint64_t, uint64_t> stored_elsewhere(const std::string& source) override;

  // Waits up to timeout_ms for every checkpoint handed to keep() to be delivered.
  Status flush(int64_t timeout_ms);

 private:
  StatsTopicKeeper(std::string url, std::string topic, std::string job, std::string instance)
      : url_(std::move(url)), topic_(std::move(topic)), job_(std::move(job)), instance_(std::move(instance)) {}
  // Takes one message read from the topic (under mu_).
  Status take_locked(std::string_view payload);

  std::string url_;
  std::string topic_;
  std::string job_;
  std::string instance_;
  std::optional<std::string> restored_;
  rd_kafka_t* producer_ = nullptr;
  std::thread poller_;
  std::atomic<bool> stop_{false};
  uint64_t sequence_ = 0;  // engine's thread only

  std::mutex mu_;  // guards what follows
  std::unique_ptr<StatsTopicReader> reader_;
  // Other instances' furthest stored offsets: source key -> part -> offset.
  std::map<std::string, std::map<uint64_t, uint64_t>> elsewhere_;
};

}  // namespace logan
