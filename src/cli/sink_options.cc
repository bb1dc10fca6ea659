// The database sink options: see sink_options.h.
#include "cli/sink_options.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "cli/warn.h"
#include "report/json_writer.h"
#include "stream/duration.h"

namespace logan {

void add_sink_options(CLI::App& cmd, SinkArgs& args) {
  cmd.add_option("--sink", args.urls,
                 "Also store the statistics in a database: sqlite:PATH or "
                 "postgresql://USER[:PASSWORD]@HOST[:PORT]/DB (repeatable; docs/database-schema.md)");
  cmd.add_option("--job", args.job, "The job name the database rows carry")->capture_default_str();
  cmd.add_option("--instance", args.instance,
                 "The instance id the database rows carry (default: the host name)");
  cmd.add_option("--sink-timeout", args.timeout,
                 "At the end, how long to keep retrying a database that is away before giving up")
      ->capture_default_str();
}

Result<std::unique_ptr<Sinks>> Sinks::open(const SinkArgs& args, bool keep_checkpoint) {
  auto sinks = std::make_unique<Sinks>();
  auto timeout = parse_duration_ms(args.timeout);
  if (!timeout || *timeout < 0) {
    return Error{"bad --sink-timeout '" + args.timeout + "': expected a duration such as 30s"};
  }
  sinks->timeout_ms_ = *timeout;
  // Both go into every row (and PostgreSQL refuses text that is not UTF-8, for ever).
  for (const auto& [flag, value] : {std::pair{"--job", &args.job}, std::pair{"--instance", &args.instance}}) {
    std::string valid;
    append_valid_utf8(valid, *value);
    if (valid != *value) return Error{std::string("bad ") + flag + ": it must be valid UTF-8"};
  }
  sinks->job_ = args.job;
  sinks->instance_ = args.instance;
  if (sinks->instance_.empty()) {
    char host[256] = {};
    sinks->instance_ = ::gethostname(host, sizeof host - 1) == 0 && host[0] ? host : "localhost";
  }
  // Tests create databases of an older schema version with this, to check migrations.
  int version = kStatsSchemaVersion;
  if (const char* v = std::getenv("LOGAN_TEST_SCHEMA_VERSION")) version = std::atoi(v);
  for (const auto& url : args.urls) {
    auto store = open_stats_store(url, version);
    if (!store) return store.error();
    SinkWriterOptions options;
    options.warn = [](const std::string& m) { warn(m); };
    if (keep_checkpoint && sinks->writers_.empty()) {
      auto loaded = store.value()->load_checkpoint(sinks->job_, sinks->instance_);
      if (!loaded) return loaded.error();
      sinks->restored_checkpoint_ = std::move(loaded.value());
      options.whole_checkpoints = true;
    }
    sinks->writers_.push_back(std::make_unique<SinkWriter>(std::move(store.value()), options));
  }
  return sinks;
}

void Sinks::publish(StatsRows rows) {
  rows.job = job_;
  rows.instance = instance_;
  for (size_t i = 0; i < writers_.size(); ++i) {
    if (i + 1 == writers_.size()) {
      writers_[i]->publish(std::move(rows));
    } else {
      writers_[i]->publish(rows);
    }
  }
}

void Sinks::keep_checkpoint(std::string bytes, std::vector<StatsRows::Offset> offsets,
                            std::function<void(bool)> done) {
  StatsRows rows;
  rows.job = job_;
  rows.instance = instance_;
  rows.kind = PublicationKind::kCheckpoint;
  rows.published_ms = wall_ms();
  rows.checkpoint = std::make_shared<const std::string>(std::move(bytes));
  rows.offsets = std::move(offsets);
  rows.done = std::move(done);
  writers_.front()->publish(std::move(rows));
}

namespace {
class SinkCheckpointKeeper final : public CheckpointKeeper {
 public:
  explicit SinkCheckpointKeeper(Sinks& sinks) : sinks_(sinks) {}
  std::string name() const override { return "sink " + sinks_.checkpoint_sink(); }
  std::optional<std::string> restored() const override { return sinks_.restored_checkpoint(); }
  void keep(std::string checkpoint, std::vector<KeptOffset> offsets,
            std::function<void(bool)> done) override {
    std::vector<StatsRows::Offset> rows;
    rows.reserve(offsets.size());
    for (auto& o : offsets) rows.push_back({std::move(o.source), o.part, o.offset});
    sinks_.keep_checkpoint(std::move(checkpoint), std::move(rows), std::move(done));
  }

 private:
  Sinks& sinks_;
};
}  // namespace

std::shared_ptr<CheckpointKeeper> make_checkpoint_keeper(Sinks& sinks) {
  return std::make_shared<SinkCheckpointKeeper>(sinks);
}

Status Sinks::flush() {
  std::string failures;
  for (auto& w : writers_) {
    Status s = w->flush(timeout_ms_);
    if (!s) failures += (failures.empty() ? "" : "; ") + s.error().message;
    if (w->dropped() > 0) {
      failures += (failures.empty() ? "" : "; ") + std::to_string(w->dropped()) +
                  " windows dropped while " + w->name() + " was away";
    }
  }
  if (!failures.empty()) return Error{failures};
  return Ok{};
}

}  // namespace logan
