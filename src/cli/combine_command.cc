// `logan combine kafka://BROKERS/TOPIC`: reads the statistics topic that scaled-out `logan
// stream --stats-topic` instances publish to, keeps each instance's newest total and window
// partials, and reports their combination: the all-time total as `logan batch` reports a run
// (text, JSON, or a partial file), or with --windows one JSON line per window.
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/warn.h"
#include "cli/stats_output.h"
#include "kafka/ship_options.h"
#include "kafka/stats_topic.h"
#include "parse/timestamp.h"
#include "report/json_writer.h"
#include "stats/stats_combiner.h"
#include "stream/duration.h"

namespace logan {
namespace {

struct CombineArgs {
  std::string topic;
  std::string job;
  bool windows = false;
  std::string timeout = "30s";
  std::vector<std::string> kafka_properties;
  StatsOutputArgs out;
};

std::string window_lines(const std::vector<CombinedWindow>& windows, const ReportOptions& options) {
  std::string out;
  for (const auto& w : windows) {
    JsonWriter j(out);
    j.begin_object();
    j.key("window_start").value(format_utc_iso8601_ms(w.start_ms));
    j.key("window_end").value(format_utc_iso8601_ms(w.end_ms));
    j.key("instances").begin_array();
    for (const auto& i : w.instances) j.value(i);
    j.end_array();
    j.end_object();
    out.pop_back();
    out += ",\"window\":";
    append_stats_json(out, w.stats, options);
    out += "}\n";
  }
  return out;
}

int run(const CombineArgs& args) {
  auto timeout = parse_duration_ms(args.timeout);
  if (!timeout || *timeout <= 0) {
    warn("bad --timeout '" + args.timeout + "': expected a duration such as 30s");
    return kExitInput;
  }
  KafkaProperties properties;
  for (const auto& text : args.kafka_properties) {
    auto property = parse_property(text);
    if (!property) {
      warn("bad -X '" + text + "': " + property.error().message);
      return kExitInput;
    }
    properties.push_back(std::move(property.value()));
  }
  StatsCombiner combiner;
  std::set<std::string> seen_jobs;
  uint64_t messages = 0;
  Status read = read_stats_topic(args.topic, properties, *timeout, [&](std::string_view payload) -> Status {
    auto m = decode_stats_message(payload);
    if (!m) return Error{"message " + std::to_string(messages + 1) + " of " + args.topic + ": " + m.error().message};
    ++messages;
    seen_jobs.insert(m->job);
    // Keep only what the report needs: a topic holds days of windows of every job.
    if (!args.job.empty() && m->job != args.job) return Ok{};
    if (!args.windows && m->kind == StatsMessage::Kind::kWindow) return Ok{};
    combiner.add(std::move(m.value()));
    return Ok{};
  });
  if (!read) {
    warn(read.error().message);
    return kExitInput;
  }
  std::vector<std::string> jobs(seen_jobs.begin(), seen_jobs.end());
  std::string job = args.job;
  if (job.empty()) {
    if (jobs.size() > 1) {
      std::string names;
      for (const auto& j : jobs) names += (names.empty() ? "" : ", ") + j;
      warn(args.topic + " holds the statistics of several jobs (" + names + "): choose one with --job");
      return kExitInput;
    }
    if (!jobs.empty()) job = jobs.front();
  }
  auto instances = combiner.instances(job);
  std::string names;
  for (const auto& i : instances) names += (names.empty() ? "" : ", ") + i;
  warn("combined " + std::to_string(instances.size()) + " instance" + (instances.size() == 1 ? "" : "s") +
       (job.empty() ? "" : " of job " + job) + (names.empty() ? "" : ": " + names));
  if (args.windows) {
    return write_output(args.out.output, window_lines(combiner.windows(job), args.out.report)) ? kExitOk
                                                                                               : kExitFailure;
  }
  return write_stats(combiner.total(job), 0, {}, args.out);
}

}  // namespace

void register_combine(CLI::App& app, CommandAction& action) {
  auto args = std::make_shared<CombineArgs>();
  CLI::App* cmd = app.add_subcommand(
      "combine",
      "Combine the statistics that `logan stream --stats-topic` instances publish to a Kafka topic "
      "into one report (the all-time total, or every window)");
  cmd->add_option("topic", args->topic, "The statistics topic: kafka://BROKERS/TOPIC")->required();
  cmd->add_option("--job", args->job, "The job to combine, when the topic holds several");
  cmd->add_flag("--windows", args->windows,
                "One JSON line per window (every instance's partial of it, merged) instead of the "
                "all-time total");
  cmd->add_option("--timeout", args->timeout,
                  "Give up when the brokers answer nothing, or reading makes no progress, for this long")
      ->capture_default_str();
  cmd->add_option("-X", args->kafka_properties,
                  "A librdkafka property NAME=VALUE (repeatable), applied last");
  add_stats_output_options(*cmd, args->out);
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace logan
