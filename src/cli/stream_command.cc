// `logan stream SOURCE...`: windowed and all-time statistics from watched directories,
// followed files, sockets and stdin, published every slide as text, JSON lines or an HTML page,
// with checkpoints that survive restarts. SIGINT/SIGTERM publish a final window and checkpoint
// and exit 0 (a second one exits at once).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <malloc.h>

#include "cli/commands.h"
#include "cli/warn.h"
#include "cli/lookup_options.h"
#include "cli/signal_watcher.h"
#include "cli/sink_options.h"
#include "kafka/kafka_source.h"
#include "kafka/ship_options.h"
#include "kafka/stats_topic.h"
#include "kafka/stats_topic_keeper.h"
#include "parse/timestamp.h"
#include "report/json_writer.h"
#include "report/stats_report.h"
#include "stats/stats_message.h"
#include "stream/duration.h"
#include "stream/stream_job.h"

namespace logan {
namespace {

struct StreamArgs {
  std::vector<std::string> sources;
  std::string format = "auto";
  std::string window = "30s";
  std::string slide = "5s";
  bool event_time = false;
  std::string lateness = "0s";
  std::string checkpoint;
  std::string checkpoint_interval = "10s";
  std::string poll;
  bool from_end = false;
  bool all_names = false;
  bool follow_symlinks = false;
  bool json = false;
  std::string html;
  ReportOptions report;
  SinkArgs sink;
  LookupArgs lookup;
  std::vector<std::string> kafka_properties;  // -X name=value
  std::string stats_topic;                    // kafka://BROKERS/TOPIC
};

// `total` is rendered once per burst of windows (see SlideReport) into `total_json`.
std::string json_line(const SlideReport& r, const ReportOptions& options, std::string& total_json) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("sequence").value(r.sequence);
  w.key("window_start").value(format_utc_iso8601_ms(r.window->start_ms));
  w.key("window_end").value(format_utc_iso8601_ms(r.window->end_ms));
  w.key("final").value(r.window->final);
  w.key("late_lines").value(r.late_lines);
  w.key("pending_lines").value(r.pending_lines);
  w.end_object();
  out.pop_back();  // the statistics documents go in as they are
  out += ",\"window\":";
  append_stats_json(out, *r.window->stats, options);
  if (r.total_changed || total_json.empty()) {
    total_json.clear();
    append_stats_json(total_json, *r.total, options);
  }
  out += ",\"total\":";
  out += total_json;
  out += "}\n";
  return out;
}

std::string text_block(const SlideReport& r, const ReportOptions& options) {
  std::string out = "=== window " + format_utc_iso8601_ms(r.window->start_ms) + " .. " + format_utc_iso8601_ms(r.window->end_ms) +
                    (r.window->final ? " (final)" : "") + " ===\n";
  append_stats_text(out, *r.window->stats, options);
  const AccessStats& t = *r.total;
  if (r.window->final) {
    out += "=== all time ===\n";
    append_stats_text(out, t, options);
  } else {
    out += "--- all time: " + std::to_string(t.total_lines()) + " lines (" +
           std::to_string(t.parsed_lines()) + " parsed, " + std::to_string(t.invalid_lines()) +
           " invalid)";
    if (r.late_lines) out += ", " + std::to_string(r.late_lines) + " late";
    if (r.pending_lines) out += ", " + std::to_string(r.pending_lines) + " awaiting their window";
    out += " ---\n";
  }
  out += '\n';
  return out;
}

std::string html_page(const SlideReport& r, const StreamArgs& args, int64_t slide_ms) {
  std::string sources;
  for (const auto& s : args.sources) sources += (sources.empty() ? "" : ", ") + s;
  std::string sub = std::string(args.event_time ? "Event-time" : "Processing-time") + " window " +
                    format_utc_iso8601_ms(r.window->start_ms) + " to " + format_utc_iso8601_ms(r.window->end_ms) + " · updated " +
                    format_utc_iso8601_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count()) +
                    (r.window->final ? " · final (logan has stopped)" : "");
  if (r.late_lines) sub += " · " + std::to_string(r.late_lines) + " late lines";
  std::string out;
  int refresh = r.window->final ? 0 : static_cast<int>(std::max<int64_t>(1, slide_ms / 1000));
  append_stats_html(out, "logan stream: " + sources, sub,
                    {{"Window (" + args.window + ")", r.window->stats}, {"All time", r.total}},
                    args.report, refresh);
  return out;
}

// Queues a slide's window, and the all-time total (once per burst), for the --sink databases.
void store_slide(const SlideReport& r, const ReportOptions& options, Sinks& sinks) {
  const int64_t now = wall_ms();
  StatsRows window = make_stats_rows(*r.window->stats, options);
  window.kind = PublicationKind::kWindow;
  window.window_start_ms = r.window->start_ms;
  window.window_end_ms = r.window->end_ms;
  window.final = r.window->final;
  window.published_ms = now;
  sinks.publish(std::move(window));
  if (!r.last_of_burst) return;
  StatsRows total = make_stats_rows(*r.total, options);
  total.kind = PublicationKind::kTotal;
  total.window_start_ms = 0;  // all time
  total.window_end_ms = r.window->end_ms;
  total.final = r.window->final;
  total.published_ms = now;
  sinks.publish(std::move(total));
}

// Produces a slide's window, and the all-time total (once per burst), to the statistics topic.
// When the topic keeps the checkpoint, the totals are the checkpoints' (StatsTopicKeeper).
void publish_stats(const SlideReport& r, const Sinks& names, StatsPublisher& publisher,
                   bool totals) {
  StatsMessage m;
  m.job = names.job();
  m.instance = names.instance();
  m.kind = StatsMessage::Kind::kWindow;
  m.window_start_ms = r.window->start_ms;
  m.window_end_ms = r.window->end_ms;
  m.final = r.window->final;
  m.sequence = r.sequence;
  m.published_ms = wall_ms();
  const std::string key = m.job + "/" + m.instance;  // one instance's messages: one partition
  publisher.publish(key, encode_stats_message(m, *r.window->stats));
  if (!r.last_of_burst || !totals) return;
  m.kind = StatsMessage::Kind::kTotal;
  m.window_start_ms = 0;
  publisher.publish(key, encode_stats_message(m, *r.total));
}

Result<int64_t> duration_option(const std::string& flag, const std::string& text, bool positive) {
  auto ms = parse_duration_ms(text);
  if (!ms || (positive && *ms <= 0)) {
    return Error{"bad " + flag + " '" + text + "': expected a duration such as 500ms, 30s, 5m, 1h"};
  }
  return *ms;
}

constexpr int64_t kStatsTopicTimeoutMs = 30000;  // reading the statistics topic at start

int run(const StreamArgs& args) {
  StreamOptions options;
  options.format = args.format;
  auto window = duration_option("--window", args.window, true);
  auto slide = duration_option("--slide", args.slide, true);
  auto lateness = duration_option("--allowed-lateness", args.lateness, false);
  auto interval = duration_option("--checkpoint-interval", args.checkpoint_interval, true);
  for (const auto* r : {&window, &slide, &lateness, &interval}) {
    if (!*r) {
      warn(r->error().message);
      return kExitInput;
    }
  }
  if (*window % *slide != 0) {
    warn("--window (" + args.window + ") must be a whole number of --slide (" + args.slide + ")");
    return kExitInput;
  }
  options.windows = {*window, *slide, args.event_time, *lateness};
  options.checkpoint_dir = args.checkpoint == "sink" ? "" : args.checkpoint;
  options.checkpoint_interval_ms = *interval;
  bool from_kafka = false;
  for (const auto& spec : args.sources) from_kafka |= spec.rfind("kafka://", 0) == 0;
  // Exactly-once with a database: the checkpoint is kept in the first --sink, in the
  // transaction of the statistics it covers (implied for a Kafka source).
  const bool keep_in_sink = !args.sink.urls.empty() &&
                            (args.checkpoint == "sink" || (from_kafka && args.checkpoint.empty()));
  if (args.checkpoint == "sink" && args.sink.urls.empty()) {
    warn("--checkpoint sink needs a --sink database to keep the checkpoint in");
    return kExitInput;
  }
  if (from_kafka && !args.sink.urls.empty() && !keep_in_sink) {
    warn("with a kafka:// source and a --sink database, the checkpoint is kept in the database, "
         "in the transaction of the statistics (exactly-once): drop --checkpoint " + args.checkpoint);
    return kExitInput;
  }
  // Scale-out over Kafka without a database: the statistics topic keeps the checkpoint, so that
  // partitions move between instances without being lost or counted twice.
  const bool keep_in_topic = from_kafka && !keep_in_sink && !args.stats_topic.empty();
  if (keep_in_topic && !args.checkpoint.empty()) {
    warn("with a kafka:// source and --stats-topic, the checkpoint is kept in the statistics topic, "
         "with the totals it agrees with: drop --checkpoint " + args.checkpoint);
    return kExitInput;
  }
  SourceOptions source_options;
  source_options.from_end = args.from_end;
  source_options.all_names = args.all_names;
  source_options.follow_symlinks = args.follow_symlinks;
  if (!args.poll.empty()) {
    auto poll = duration_option("--poll", args.poll, true);
    if (!poll) {
      warn(poll.error().message);
      return kExitInput;
    }
    source_options.poll_ms = *poll;
  }
  std::vector<std::pair<std::string, std::string>> kafka_properties;
  for (const auto& text : args.kafka_properties) {
    auto property = parse_property(text);
    if (!property) {
      warn("bad -X '" + text + "': " + property.error().message);
      return kExitInput;
    }
    kafka_properties.push_back(std::move(property.value()));
  }
  std::vector<std::unique_ptr<StreamSource>> sources;
  for (const auto& spec : args.sources) {
    auto source = spec.rfind("kafka://", 0) == 0 ? make_kafka_source(spec, kafka_properties)
                                                 : make_source(spec, source_options);
    if (!source) {
      warn(source.error().message);
      return kExitInput;
    }
    sources.push_back(std::move(source.value()));
  }
  // The sink writers' threads start here: they must not take SIGINT/SIGTERM, which the
  // SignalWatcher below waits for.
  block_stop_signals();
  auto sinks = Sinks::open(args.sink, keep_in_sink);
  if (!sinks) {
    warn(sinks.error().message);
    return kExitInput;
  }
  // The refresh thread starts here too, after the stop signals are blocked.
  auto lookups = Lookups::open(args.lookup, warn);
  if (!lookups) {
    warn(lookups.error().message);
    return kExitInput;
  }
  if (*lookups) options.grouper = (*lookups)->grouper();
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout is an error from write(), not a kill
  // Panes come and go every slide; keep the freed heap for the next ones instead of handing
  // it back to the kernel and faulting it in again.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  std::unique_ptr<StatsPublisher> stats_topic;
  if (!args.stats_topic.empty()) {
    auto opened = StatsPublisher::open(args.stats_topic, kafka_properties, warn);
    if (!opened) {
      warn(opened.error().message);
      return kExitInput;
    }
    stats_topic = std::move(opened.value());
  }
  if (keep_in_sink) options.keeper = make_checkpoint_keeper(**sinks);
  std::shared_ptr<StatsTopicKeeper> topic_keeper;
  if (keep_in_topic) {
    auto opened = StatsTopicKeeper::open(args.stats_topic, kafka_properties, (*sinks)->job(),
                                         (*sinks)->instance(), kStatsTopicTimeoutMs);
    if (!opened) {
      warn(opened.error().message);
      return kExitInput;
    }
    topic_keeper = std::move(opened.value());
    options.keeper = topic_keeper;
  }
  StreamJob job(options, std::move(sources));
  // A second signal exits at once (the last checkpoint written stays valid).
  SignalWatcher signals([&job] { job.stop(); }, [](int sig) { std::_Exit(128 + sig); });
  std::vector<std::string> notes;
  Status ready = job.prepare(notes);
  for (const auto& n : notes) warn(n);
  if (!ready) {
    warn(ready.error().message);
    return kExitInput;
  }
  std::string total_json;
  auto publish = [&](const SlideReport& r) {
    bool ok = true;
    if (!args.html.empty() && r.last_of_burst) ok &= write_output(args.html, html_page(r, args, *slide));
    std::string out = args.json ? json_line(r, args.report, total_json) : text_block(r, args.report);
    if (!(*sinks)->empty()) store_slide(r, args.report, **sinks);
    if (stats_topic) publish_stats(r, **sinks, *stats_topic, /*totals=*/!topic_keeper);
    return write_output("-", out) && ok;
  };
  Status done = job.run(publish, [](const std::string& m) { warn(m); });
  Status stored = (*sinks)->flush();
  if (!stored) warn(stored.error().message);
  if (topic_keeper) {
    auto timeout = duration_option("--sink-timeout", args.sink.timeout, false);
    if (Status kept = topic_keeper->flush(timeout ? *timeout : 30000); !kept) {
      warn(kept.error().message);
      stored = kept;
    }
  }
  job.apply_durable();  // a Kafka source commits the offsets of the last checkpoint stored
  if (stats_topic) {
    auto timeout = duration_option("--sink-timeout", args.sink.timeout, false);
    Status delivered = stats_topic->flush(timeout ? *timeout : 30000);
    if (!delivered) {
      warn(delivered.error().message);
      stored = delivered;
    }
  }
  if (!done) {
    warn(done.error().message);
    return kExitFailure;
  }
  return stored ? kExitOk : kExitFailure;
}

}  // namespace

void register_stream(CLI::App& app, CommandAction& action) {
  auto args = std::make_shared<StreamArgs>();
  CLI::App* cmd = app.add_subcommand(
      "stream",
      "Follow logs as they are written (directories, files, sockets, stdin) and publish windowed "
      "and all-time statistics every slide");
  cmd->add_option("sources", args->sources,
                  "A directory to watch ('DIR/access*.log*' to watch for matching names), a file "
                  "to follow, '-' for stdin, tcp://HOST:PORT to connect to, "
                  "listen://[HOST]:PORT to accept senders, or "
                  "kafka://BROKERS/TOPIC?group=GROUP[&offset=committed|earliest|latest]")
      ->required();
  cmd->add_option("-f,--format", args->format,
                  "Log format: auto, a nickname, an Apache LogFormat or an nginx log_format string")
      ->capture_default_str();
  cmd->add_option("--window", args->window, "Window length")->capture_default_str();
  cmd->add_option("--slide", args->slide, "How often a window is published")->capture_default_str();
  cmd->add_flag("--event-time", args->event_time,
                "Windows by the logged time of each line instead of the time it was read");
  cmd->add_option("--allowed-lateness", args->lateness,
                  "With --event-time: how far behind the latest logged time a line may be and "
                  "still count in its window (later lines are counted as late)")
      ->capture_default_str();
  cmd->add_option("--checkpoint", args->checkpoint,
                  "Keep all-time totals and file positions in DIR, to resume after a restart; "
                  "'sink': in the first --sink database, in the transaction of the statistics "
                  "(exactly-once; implied with a kafka:// source and a --sink)");
  cmd->add_option("--checkpoint-interval", args->checkpoint_interval,
                  "How often to write the checkpoint (also written at shutdown)")
      ->capture_default_str();
  cmd->add_option("--poll", args->poll,
                  "Scan watched directories at this interval instead of using inotify "
                  "(for NFS and other file systems without it)");
  cmd->add_flag("--from-end", args->from_end,
                "Count only lines written after logan starts (files already there are skipped "
                "to their end), unless a checkpoint says where to resume");
  cmd->add_flag("--all-names", args->all_names,
                "Also read dot-files and temporary names (*.tmp, *.swp, *~, *.part, ...)");
  cmd->add_flag("--follow-symlinks", args->follow_symlinks,
                "In watched directories, also read symbolic links that lead out of the directory");
  cmd->add_flag("--json", args->json, "Print one JSON object per slide (docs/json-output.md)");
  cmd->add_option("--output-html", args->html,
                  "Also write a self-refreshing HTML page to FILE every slide (replaced atomically)");
  cmd->add_option("--ip-threshold", args->report.ip_threshold,
                  "List client addresses seen more than this many times")
      ->capture_default_str();
  cmd->add_option("--ip-top", args->report.ip_top,
                  "Text and HTML: list at most this many of those clients (0: all; JSON lists all)")
      ->capture_default_str();
  cmd->add_option("--top", args->report.top, "How many top endpoints to list")->capture_default_str();
  cmd->add_option("--group-top", args->report.group_top, "How many values of each --group-by to list")
      ->capture_default_str();
  add_sink_options(*cmd, args->sink);
  cmd->add_option("--stats-topic", args->stats_topic,
                  "Also produce every window's statistics and the all-time total, with --job and "
                  "--instance, to this Kafka topic (kafka://BROKERS/TOPIC), for `logan combine`");
  add_lookup_options(*cmd, args->lookup);
  cmd->add_option("-X", args->kafka_properties,
                  "A librdkafka property for kafka:// sources, NAME=VALUE (repeatable; SASL, TLS, tuning)");
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace logan
