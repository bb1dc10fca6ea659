// LogShipper: produces log lines to a Kafka topic for `logan ship`. It is the SourceContext
// the ship's sources (stdin, followed files) hand their batches of whole lines to: each batch
// is cut into messages of several lines (split_into_messages) and given to librdkafka, which
// batches, compresses and retries them (idempotent producer: a retry never duplicates).
//
// Buffering: librdkafka holds the undelivered messages, bounded by options.buffer_bytes. When
// that is full, kBlock waits for room (the source stops reading, so the web server writing the
// pipe waits too) and kDrop drops the lines, counted in a DropTally. Every line read ends up
// counted once in ShipCounts: delivered, dropped, failed (a delivery report with an error) or
// unsent (still undelivered when finish() gave up).
//
// With --checkpoint, set_positions() hands it a ShipPositions: each file batch becomes an entry
// there, every message carries a `logan.position` header (the file and the position its last
// line ends at) and settles its entry when its delivery report comes; a failed or purged
// message holds its file's position, so that a restart ships it again.
//
// Use: create(), run the sources with source_context(i) as their context, stop() when asked to
// (a signal), then finish() once every source has returned. Messages for the operator go through `warn`
// (from any thread); LogShipper itself never prints.
// Thread-safety: the SourceContext methods, stop() and hurry() may be called from any thread;
// finish() once, after every source has returned.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kafka/drop_tally.h"
#include "kafka/message_splitter.h"
#include "kafka/ship_options.h"
#include "kafka/ship_positions.h"
#include "stream/stream_source.h"

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_topic_s rd_kafka_topic_t;
typedef struct rd_kafka_message_s rd_kafka_message_t;

namespace logan {

struct ShipCounts {
  uint64_t read = 0;       // lines read from the sources
  uint64_t delivered = 0;  // acknowledged by the brokers
  uint64_t dropped = 0;    // dropped because the buffer was full (kDrop)
  uint64_t failed = 0;     // refused by librdkafka or the brokers
  uint64_t unsent = 0;     // not delivered when finish() gave up (flush timeout, hurry, stop)
  uint64_t truncated = 0;  // lines over 1 MiB, shipped cut to their first 512 bytes
  bool all_delivered() const { return delivered == read; }
};

class LogShipper final : public SourceContext {
 public:
  using Warn = std::function<void(const std::string&)>;

  // Makes the producer. An error names what is wrong: an unknown or invalid -X property, a
  // bad option value, a producer librdkafka cannot create.
  static Result<std::unique_ptr<LogShipper>> create(const ShipOptions& options, Warn warn);
  ~LogShipper() override;

  // SourceContext
  bool stopping() const override { return stopping_; }
  int stop_fd() const override { return stop_fd_; }
  std::unique_ptr<LineBatch> new_batch() override;
  void emit(std::unique_ptr<LineBatch> batch) override;
  InputId new_input(std::string name) override;
  void warn(std::string message) override { warn_(message); }

  // Positions to keep (--checkpoint), before any source runs; it must outlive the shipper.
  void set_positions(ShipPositions* positions) { positions_ = positions; }
  // The context source number `source` runs with: its batches are known as that source's.
  SourceContext& source_context(uint32_t source);
  // A file the checkpoint named is gone: says what could not be shipped.
  void file_gone(uint32_t source, uint64_t file_id, const FilePosition& pos, const std::string& path);

  // Asks the sources to stop reading; lines already read are still delivered by finish().
  void stop();
  // Makes a running or later finish() give up waiting for deliveries at once.
  void hurry();

  // Waits up to options.flush_timeout_ms for every message to be delivered, then gives up on
  // the rest (counted as unsent). Returns the final counts.
  // REQUIRES: every source has returned; called once.
  ShipCounts finish();

  // The counts so far (delivery reports arrive asynchronously).
  ShipCounts counts();

 private:
  LogShipper(const ShipOptions& options, Warn warn);
  // What a message's opaque points to (an index into tickets_, plus one).
  struct Ticket {
    uint32_t lines = 0;
    bool tracked = false;  // settles an entry of positions_
    uint32_t source = 0;
    uint64_t file_id = 0;
    uint64_t entry = 0;
  };
  class SourceView;
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  uintptr_t new_ticket(const Ticket& t);
  Ticket take_ticket(uintptr_t handle);
  // A message given up on: settles (hold: keeps its file's position before it) and frees it.
  void give_up(uintptr_t handle, bool hold);
  bool wait_for_room();
  void poll_loop();
  void report_failure(int err, uint64_t lines);

  ShipOptions options_;
  Warn warn_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_topic_t* topic_ = nullptr;
  int stop_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> hurry_{false};
  std::atomic<bool> poller_done_{false};
  std::thread poller_;

  std::atomic<uint64_t> read_{0}, delivered_{0}, failed_{0}, unsent_{0}, truncated_{0};
  std::atomic<bool> broker_trouble_reported_{false};

  std::mutex mu_;  // serialises emit() across sources; guards what follows
  std::condition_variable room_;  // notified when deliveries free buffer space, or on stop
  DropTally drops_;
  std::vector<std::unique_ptr<LineBatch>> spare_batches_;
  uint32_t next_input_ = 0;
  std::mutex failure_mu_;
  std::vector<int> failures_reported_;  // error codes already warned about (under failure_mu_)

  ShipPositions* positions_ = nullptr;
  std::atomic<bool> save_failure_reported_{false};
  std::vector<std::unique_ptr<SourceView>> views_;  // under mu_
  std::mutex tickets_mu_;
  std::vector<Ticket> tickets_;       // under tickets_mu_
  std::vector<uintptr_t> free_tickets_;
};

}  // namespace logan
