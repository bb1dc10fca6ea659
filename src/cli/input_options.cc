// Input options and warnings shared by batch-style commands; see input_options.h.
#include "cli/input_options.h"
#include "cli/warn.h"

#include <cstdio>

namespace logan {

void add_input_options(CLI::App& cmd, std::vector<std::string>& inputs, BatchOptions& batch) {
  cmd.add_option("inputs", inputs,
                 "Files, directories (recursive), globs ('*', '?', '**'; quote them), '-' "
                 "for stdin, s3://bucket/key and hdfs://namenode:9870/path (globs too); gzip, zstd and bzip2 are recognised by their contents")
      ->required();
  cmd.add_option("-f,--format", batch.format,
                 "Log format: auto, a nickname (common, combined, vhost_combined, combined_duration, vhost_combined_duration, referer, "
                 "agent, nginx), an Apache LogFormat or an nginx log_format string. The "
                 "nicknames are upstream Apache's (combined logs %b, the body bytes; Debian's "
                 "and Ubuntu's combined logs %O, the bytes sent with headers)")
      ->capture_default_str();
}

void warn_about_inputs(const std::vector<Error>& skipped, const std::vector<InputOutcome>& inputs) {
  for (const auto& e : skipped) warn("skipped: " + e.message);
  for (const auto& in : inputs) {
    if (!in.recognised) {
      warn("no known log format recognised in '" + in.path +
           "' (every line counts as invalid); name it with --format");
    }
  }
}

}  // namespace logan
