// `logan export INPUT...`: the parsed records themselves (not statistics) as JSON Lines or CSV
// files in a directory, or loaded into a PostgreSQL table. docs/export.md describes the
// records, the layout and the guarantees.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/warn.h"
#include "cli/input_options.h"
#include "cli/lookup_options.h"
#include "cli/progress_meter.h"
#include "cli/remote_options.h"
#include "export/export_job.h"
#include "export/file_destination.h"
#include "export/pg_destination.h"
#include "export/rejects_file.h"
#include "input/input_expander.h"
#include "remote/remote_url.h"
#include "sink/stats_store.h"

namespace logan {
namespace {

struct ExportArgs {
  std::vector<std::string> inputs;
  BatchOptions batch;
  RemoteArgs remote;
  LookupArgs lookup;
  std::string output_dir;
  std::string to_url;
  std::string table;
  FileExportOptions files;
  bool overwrite = false;
  std::string rejects;
  bool rejects_source = false;
  bool progress = true;
  // For an s3:// output: the URL shown, and what uploads the finished local export.
  std::string shown_output;
  std::function<Status(const std::string& dir)> publish;
};

// `extra`: the names of the looked-up columns (--with) that follow the record's own.
Result<std::unique_ptr<RecordDestination>> open_destination(const ExportArgs& args,
                                                            const std::vector<std::string>& extra) {
  if (!args.to_url.empty()) {
    if (args.table.empty()) return Error{"--to needs --table NAME"};
    auto pg = PgDestination::open(args.to_url, args.table, extra);
    if (!pg) return pg.error();
    return std::unique_ptr<RecordDestination>(std::move(pg.value()));
  }
  if (args.output_dir.empty()) return Error{"say where to export: -o DIR or --to postgresql://..."};
  FileExportOptions files = args.files;
  files.extra_columns = extra;
  auto files_destination = FileDestination::open(args.output_dir, args.overwrite, files);
  if (!files_destination) return files_destination.error();
  return std::unique_ptr<RecordDestination>(std::move(files_destination.value()));
}

// An s3:// directory is written as a local one first (TMPDIR), then each file is uploaded
// below the prefix, _SUCCESS last, so that a reader waiting for it sees a whole export.
Status upload_export(RemoteInputs& remote, const std::filesystem::path& dir, std::string prefix) {
  namespace fs = std::filesystem;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(fs::relative(it->path(), dir).string());
  }
  if (ec) return Error{"cannot list the staged export '" + dir.string() + "': " + ec.message()};
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    return (a == "_SUCCESS") != (b == "_SUCCESS") ? b == "_SUCCESS" : a < b;
  });
  for (const auto& f : files) {
    Status sent = remote.upload_file(prefix + "/" + f, (dir / f).string());
    if (!sent) return sent;
  }
  return Ok{};
}

int run_into_s3(const ExportArgs& args);

int run(const ExportArgs& args) {
  if (is_remote_url(args.output_dir)) return run_into_s3(args);
  std::vector<Error> skipped;
  auto remote = open_remote(args.remote);
  auto inputs = remote->expand(args.inputs, args.batch.keep_going ? &skipped : nullptr);
  if (!inputs) {
    warn(inputs.error().message);
    return kExitInput;
  }
  std::unique_ptr<RejectsFile> rejects;
  if (!args.rejects.empty()) {
    auto opened = RejectsFile::open(args.rejects, args.rejects_source);
    if (!opened) {
      warn(opened.error().message);
      return kExitInput;
    }
    rejects = std::move(opened.value());
  }
  auto lookups = Lookups::open(args.lookup, warn);
  if (!lookups) {
    warn(lookups.error().message);
    return kExitInput;
  }
  const ExtraColumns* extra = *lookups ? (*lookups)->columns() : nullptr;
  auto destination = open_destination(args, extra ? extra->names() : std::vector<std::string>());
  if (!destination) {
    warn(destination.error().message);
    return kExitInput;
  }
  BatchProgress progress;
  auto meter = start_progress_meter(progress, *inputs, args.progress);
  BatchOptions batch = args.batch;
  batch.opener = remote->opener();
  batch.chunk_bytes = kExportChunkBytes;
  auto report = run_export(*inputs, batch, **destination, rejects.get(), &progress, extra);
  if (meter) meter->stop();
  if (!report) {
    warn(report.error().message + " (nothing was exported)");
    return kExitInput;
  }
  for (auto& e : report->skipped) skipped.push_back(std::move(e));
  warn_about_inputs(skipped, report->inputs);
  if (report->output_error) {
    warn(report->output_error->message + " (nothing was exported)");
    return kExitFailure;
  }
  if (args.publish) {
    Status published = args.publish(args.output_dir);
    if (!published) {
      warn(published.error().message + " (the export is incomplete: no _SUCCESS was written)");
      return kExitFailure;
    }
  }
  const std::string shown = args.shown_output.empty() ? args.output_dir : args.shown_output;
  const std::string where = args.to_url.empty() ? "'" + shown + "'" : "table " + args.table;
  warn("exported " + std::to_string(report->exported) + " records to " + where + "; " +
       std::to_string(report->rejected) + " lines rejected" +
       (args.rejects.empty() ? "" : " (in '" + args.rejects + "')") + " (" +
       std::to_string(report->lines) + " lines read)");
  return kExitOk;
}

int run_into_s3(const ExportArgs& args) {
  auto url = parse_remote_url(args.output_dir);
  if (!url || url->scheme != RemoteScheme::kS3) {
    warn("cannot export to '" + args.output_dir + "': only s3:// and local directories are supported");
    return kExitInput;
  }
  const char* tmpdir = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmpdir != nullptr && *tmpdir ? tmpdir : "/tmp") + "/logan-export-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    warn("cannot create a staging directory in '" + tmpl + "': " + std::strerror(errno));
    return kExitFailure;
  }
  ExportArgs local = args;
  local.output_dir = tmpl + "/out";
  local.overwrite = false;
  local.shown_output = args.output_dir;
  local.publish = [&args](const std::string& dir) {
    auto remote = open_remote(args.remote);
    return upload_export(*remote, dir, args.output_dir);
  };
  int status = run(local);
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
  return status;
}

}  // namespace

void register_export(CLI::App& app, CommandAction& action) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write the parsed records (JSON Lines or CSV files, or a PostgreSQL table)");
  add_input_options(*cmd, args->inputs, args->batch);
  add_remote_options(*cmd, args->remote);
  add_export_lookup_options(*cmd, args->lookup);
  auto* out = cmd->add_option("-o,--output", args->output_dir,
                              "Write the records as files in this directory");
  auto* to = cmd->add_option("--to", args->to_url,
                             "Load the records into PostgreSQL: postgresql://USER[:PW]@HOST[:PORT]/DB")
                 ->excludes(out);
  cmd->add_option("--table", args->table,
                  "With --to: the table (NAME or SCHEMA.NAME), created when missing")
      ->needs(to);
  const std::map<std::string, RecordFormat> formats = {{"jsonl", RecordFormat::kJsonLines},
                                                       {"csv", RecordFormat::kCsv}};
  const std::map<std::string, Compression> compressions = {
      {"gzip", Compression::kGzip}, {"zstd", Compression::kZstd}, {"none", Compression::kNone}};
  const std::map<std::string, PartitionBy> partitions = {
      {"none", PartitionBy::kNone}, {"day", PartitionBy::kDay}, {"hour", PartitionBy::kHour}};
  std::vector<CLI::Option*> file_options = {
      cmd->add_option("--to-format", args->files.format, "jsonl or csv (default: jsonl)")
          ->transform(CLI::CheckedTransformer(formats)),
      cmd->add_option("--compress", args->files.compression, "gzip, zstd or none (default: gzip)")
          ->transform(CLI::CheckedTransformer(compressions)),
      cmd->add_option("--partition", args->files.partition,
                      "none, day or hour: date=YYYY-MM-DD[/hour=HH] directories by logged UTC "
                      "time (default: none)")
          ->transform(CLI::CheckedTransformer(partitions)),
      cmd->add_option("--parts", args->files.parts,
                      "Part files per partition; records are spread over them (default: 1)")
          ->check(CLI::Range(1u, 100000u)),
      cmd->add_flag("--overwrite", args->overwrite,
                    "Replace an export already in the directory (refused otherwise)"),
  };
  for (auto* o : file_options) o->excludes(to);
  cmd->add_option("--rejects", args->rejects,
                  "Write the lines that do not parse to this file, as read, in input order");
  cmd->add_flag("--rejects-source", args->rejects_source,
                "With --rejects: prefix each line with SOURCE:LINE: as grep -Hn does");
  cmd->add_option("-j,--threads", args->batch.threads, "Worker threads (default: one per core)");
  cmd->add_flag("--keep-going", args->batch.keep_going,
                "Export the readable inputs when some cannot be read (they are listed)");
  cmd->add_flag("!--no-progress", args->progress, "Never draw the progress line on stderr");
  cmd->callback([args, &action] { action = [args] { return run(*args); }; });
}

}  // namespace logan
