// `logan ship [FILE...]`: produces log lines to a Kafka topic, from stdin (an Apache piped log),
// from files read once, or from files followed like `tail -F` (--follow). Several lines go in
// one message; undelivered lines are buffered up to --buffer, then --on-full decides: block
// (stop reading) or drop (count and report). At the end of the input, or on SIGINT/SIGTERM,
// it waits up to --flush-timeout for what it holds to be delivered (a second signal stops
// waiting) and exits 0 only when every line read was delivered.
// With --follow --checkpoint DIR, each followed file's acknowledged position is kept in DIR
// (ShipPositions) and a restart resumes there; --exactly-once also reads the topic back after
// an unclean stop, so that lines already in it are not shipped again (docs/kafka.md).
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include <unistd.h>

#include "cli/commands.h"
#include "cli/warn.h"
#include "cli/signal_watcher.h"
#include "kafka/log_shipper.h"
#include "kafka/ship_positions.h"
#include "kafka/topic_readback.h"
#include "kafka/whole_file_source.h"
#include "stream/duration.h"
#include "stream/socket_sources.h"

namespace logan {
namespace {

struct ShipArgs {
  std::vector<std::string> sources;
  std::string brokers;
  std::string topic;
  std::string key;  // empty: the host name
  std::string compression = "lz4";
  std::string message_bytes = "64KiB";
  size_t lines_per_message = 0;
  std::string linger = "20ms";
  std::string buffer = "64MiB";
  std::string on_full = "block";
  std::string flush_timeout = "30s";
  std::vector<std::string> properties;
  bool follow = false;
  bool from_end = false;
  std::string checkpoint;
  std::string checkpoint_interval = "1s";
  bool exactly_once = false;
};

constexpr int kReadbackTimeoutMs = 30000;

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "logan";
  return name;
}

// The options, or an error naming the flag at fault.
Result<ShipOptions> ship_options(const ShipArgs& args) {
  ShipOptions o;
  o.brokers = args.brokers;
  o.topic = args.topic;
  if (args.key != "none") o.key = args.key.empty() ? host_name() : args.key;
  o.compression = args.compression;
  auto message_bytes = parse_byte_size(args.message_bytes);
  if (!message_bytes || *message_bytes == 0) {
    return Error{"bad --message-bytes '" + args.message_bytes + "': expected a size such as 64KiB"};
  }
  o.limits.max_bytes = *message_bytes;
  o.limits.max_lines = args.lines_per_message;
  auto buffer = parse_byte_size(args.buffer);
  if (!buffer || *buffer < 1024) {
    return Error{"bad --buffer '" + args.buffer + "': expected a size of 1KiB or more, such as 64MiB"};
  }
  o.buffer_bytes = *buffer;
  auto linger = parse_duration_ms(args.linger);
  if (!linger) return Error{"bad --linger '" + args.linger + "': expected a duration such as 100ms"};
  o.linger_ms = *linger;
  auto flush = parse_duration_ms(args.flush_timeout);
  if (!flush) {
    return Error{"bad --flush-timeout '" + args.flush_timeout + "': expected a duration such as 30s"};
  }
  o.flush_timeout_ms = *flush;
  o.on_full = args.on_full == "drop" ? OverflowPolicy::kDrop : OverflowPolicy::kBlock;
  if (!args.checkpoint.empty()) {
    if (!args.follow) return Error{"--checkpoint keeps the positions of followed files: add --follow"};
    for (const auto& spec : args.sources) {
      if (spec == "-") return Error{"--checkpoint: '-' (stdin) has no position to keep; follow files instead"};
    }
    if (args.sources.empty()) {
      return Error{"--checkpoint: stdin (the default input) has no position to keep; name the files to follow"};
    }
  }
  if (args.exactly_once) {
    if (args.checkpoint.empty()) return Error{"--exactly-once needs --checkpoint DIR (and --follow)"};
    if (o.on_full == OverflowPolicy::kDrop) {
      return Error{"--exactly-once cannot be combined with --on-full drop (dropped lines are lost)"};
    }
    if (!o.key) {
      return Error{"--exactly-once keeps each file's lines in order in one partition: use a --key "
                   "(the default is the host name), not --key none"};
    }
  }
  for (const auto& text : args.properties) {
    auto property = parse_property(text);
    if (!property) return property.error();
    o.properties.push_back(std::move(property.value()));
  }
  return o;
}

Result<std::unique_ptr<StreamSource>> ship_source(const std::string& spec, const ShipArgs& args) {
  if (spec == "-") return make_stdin_source();
  if (args.follow) {
    SourceOptions options;
    options.from_end = args.from_end;
    return make_source(spec, options);
  }
  return make_whole_file_source(spec);
}

std::string lines_text(uint64_t n) { return std::to_string(n) + (n == 1 ? " line" : " lines"); }

int run(const ShipArgs& args) {
  auto options = ship_options(args);
  if (!options) {
    warn(options.error().message);
    return kExitInput;
  }
  std::vector<std::unique_ptr<StreamSource>> sources;
  for (const auto& spec : args.sources.empty() ? std::vector<std::string>{"-"} : args.sources) {
    auto source = ship_source(spec, args);
    if (!source) {
      warn(source.error().message);
      return kExitInput;
    }
    if (auto opened = source.value()->open(); !opened) {
      warn(opened.error().message);
      return kExitInput;
    }
    sources.push_back(std::move(source.value()));
  }
  std::unique_ptr<ShipPositions> positions;
  if (!args.checkpoint.empty()) {
    auto interval = parse_duration_ms(args.checkpoint_interval);
    if (!interval || *interval == 0) {
      warn("bad --checkpoint-interval '" + args.checkpoint_interval + "': expected a duration such as 1s");
      return kExitInput;
    }
    auto opened = ShipPositions::open(
        {args.checkpoint, options->topic, options->brokers, args.exactly_once, *interval});
    if (!opened) {
      warn(opened.error().message);
      return kExitInput;
    }
    positions = std::move(opened.value());
  }
  std::signal(SIGPIPE, SIG_IGN);
  // Before librdkafka starts its threads, so that only the watcher sees the signals.
  block_stop_signals();
  if (positions && args.exactly_once) {
    // Where every partition ends now (this run's messages come after), and after an unclean
    // stop what the last run's messages really reached: the topic is the checkpoint.
    auto back = read_back_topic(options->brokers, options->topic, options->properties,
                                positions->ship_id(), positions->readback_offsets(),
                                positions->unclean(), kReadbackTimeoutMs);
    if (!back) {
      warn(back.error().message + " (--exactly-once needs the brokers at start)");
      return kExitFailure;
    }
    if (positions->unclean()) {
      uint64_t skipped = positions->advance_to(back->ends);
      warn("resuming after an unclean stop: read " + std::to_string(back->messages) +
           " messages back from the topic; " + lines_text(skipped) +
           " shipped before the stop but not yet acknowledged are there already and are not "
           "shipped again");
    }
    positions->set_partitions(back->high, /*all=*/true);
  } else if (positions && positions->unclean()) {
    uint64_t in_flight = positions->lines_in_flight_at_last_save();
    warn("resuming after an unclean stop from the last acknowledged positions: at least " +
         lines_text(in_flight) + " in flight then are shipped again, and any sent after the "
         "checkpoint was last written (--exactly-once reads the topic back to skip them)");
  }
  if (positions) {
    for (size_t i = 0; i < sources.size(); ++i) {
      sources[i]->restore(positions->take_source(static_cast<uint32_t>(i), sources[i]->checkpoint_key()));
    }
    // From here on the checkpoint says a run is under way (not clean) until the last save.
    if (Status s = positions->save(false); !s) {
      warn(s.error().message);
      return kExitFailure;
    }
  }
  auto made = LogShipper::create(*options, [](const std::string& m) { warn(m); });
  if (!made) {
    warn(made.error().message);
    return kExitInput;
  }
  LogShipper& shipper = *made.value();
  shipper.set_positions(positions.get());
  SignalWatcher signals([&shipper] { shipper.stop(); }, [&shipper](int) { shipper.hurry(); });

  std::vector<Status> statuses(sources.size(), Ok{});
  std::vector<std::thread> threads;
  for (size_t i = 0; i < sources.size(); ++i) {
    SourceContext& ctx = shipper.source_context(static_cast<uint32_t>(i));
    threads.emplace_back([&, i] { statuses[i] = sources[i]->run(ctx); });
  }
  for (auto& t : threads) t.join();
  ShipCounts counts = shipper.finish();

  int status = kExitOk;
  if (positions) {
    // Clean: every line read was acknowledged, nothing can be in the topic past the positions.
    if (Status s = positions->save(counts.all_delivered() && counts.failed == 0); !s) {
      warn(s.error().message);
      status = kExitFailure;
    }
  }
  for (const auto& s : statuses) {
    if (!s) {
      warn(s.error().message);
      status = kExitInput;
    }
  }
  if (counts.truncated) {
    warn(lines_text(counts.truncated) + " over 1 MiB were shipped cut to their first 512 bytes");
  }
  if (counts.dropped) warn("dropped " + lines_text(counts.dropped) + " (buffer full)");
  if (counts.failed) warn(lines_text(counts.failed) + " could not be delivered (reason above)");
  if (counts.unsent) {
    warn(lines_text(counts.unsent) + " not delivered within the flush timeout (" +
         args.flush_timeout + ") and lost");
  }
  if (!counts.all_delivered() && status == kExitOk) status = kExitFailure;
  return status;
}

}  // namespace

void register_ship(CLI::App& app, CommandAction& action) {
  auto args = std::make_shared<ShipArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ship",
      "Produce log lines to a Kafka topic, from stdin (an Apache piped log) or files, "
      "several lines per message");
  cmd->add_option("sources", args->sources,
                  "Files to read ('-' for stdin, the default); with --follow, files to follow "
                  "like tail -F, or directories and patterns as for 'logan stream'");
  cmd->add_option("--brokers", args->brokers, "Kafka bootstrap brokers: HOST:PORT[,HOST:PORT...]")
      ->required();
  cmd->add_option("-t,--topic", args->topic, "The topic to produce to")->required();
  cmd->add_flag("-F,--follow", args->follow,
                "Follow the files as they grow and are rotated, until stopped");
  cmd->add_flag("--from-end", args->from_end,
                "With --follow: ship only lines written after logan starts");
  cmd->add_option("--checkpoint", args->checkpoint,
                  "With --follow: keep each file's acknowledged position in this directory and "
                  "resume there after a restart, rotated files included (at-least-once)");
  cmd->add_option("--checkpoint-interval", args->checkpoint_interval,
                  "How often to write the checkpoint while lines are acknowledged")
      ->capture_default_str();
  cmd->add_flag("--exactly-once", args->exactly_once,
                "With --checkpoint: after an unclean stop, read the topic back so that no line "
                "is shipped twice");
  cmd->add_option("--key", args->key,
                  "The key of every message ('none': no key, messages spread over partitions)")
      ->default_str("the host name");
  cmd->add_option("--compression", args->compression, "Compression of message batches")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
      ->capture_default_str();
  cmd->add_option("--message-bytes", args->message_bytes,
                  "At most this many bytes of lines per message (a longer line goes alone)")
      ->capture_default_str();
  cmd->add_option("--lines-per-message", args->lines_per_message,
                  "At most this many lines per message (0: as many as fit)")
      ->capture_default_str();
  cmd->add_option("--linger", args->linger,
                  "How long librdkafka waits to fill a batch of messages before sending it")
      ->capture_default_str();
  cmd->add_option("--buffer", args->buffer, "How many bytes of undelivered lines to hold at most")
      ->capture_default_str();
  cmd->add_option("--on-full", args->on_full,
                  "When the buffer is full: block (stop reading input) or drop (count and "
                  "report dropped lines)")
      ->check(CLI::IsMember({"block", "drop"}))
      ->capture_default_str();
  cmd->add_option("--flush-timeout", args->flush_timeout,
                  "At the end or on SIGTERM, how long to wait for undelivered lines")
      ->capture_default_str();
  cmd->add_option("-X", args->properties,
                  "A librdkafka property NAME=VALUE (repeatable), applied last")
      ->allow_extra_args(false);
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace logan
