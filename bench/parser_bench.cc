// Google Benchmark programs for the hot path: parsing generated lines per format, folding
// parsed records into AccessStats, merging per-thread states, and serializing a state.
// Run: build/bench/logan_bench (see bench/README.md and docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "gen/log_generator.h"
#include "parse/log_format.h"
#include "parse/log_parser.h"
#include "stats/access_stats.h"

namespace {

struct Sample {
  std::string text;
  std::vector<std::string_view> lines;
};

const Sample& sample(const std::string& format, uint64_t lines = 200000) {
  static std::map<std::string, Sample> cache;
  auto [it, inserted] = cache.try_emplace(format);
  if (inserted) {
    logan::GenOptions options;
    options.lines = lines;
    options.seed = 1;
    options.format = format;
    logan::LogGenerator gen(options);
    gen.append_lines(it->second.text, lines);
    std::string_view all = it->second.text;
    while (!all.empty()) {
      size_t nl = all.find('\n');
      it->second.lines.push_back(all.substr(0, nl));
      all.remove_prefix(nl + 1);
    }
  }
  return it->second;
}

void BM_Parse(benchmark::State& state, const std::string& format) {
  const Sample& s = sample(format);
  auto compiled = logan::LogFormat::compile(format).value();
  logan::LogParser parser(compiled);
  logan::LogRecord record;
  size_t bytes = 0, i = 0;
  for (auto _ : state) {
    std::string_view line = s.lines[i];
    benchmark::DoNotOptimize(parser.parse(line, record));
    bytes += line.size() + 1;
    if (++i == s.lines.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK_CAPTURE(BM_Parse, common, std::string("common"));
BENCHMARK_CAPTURE(BM_Parse, combined, std::string("combined"));
BENCHMARK_CAPTURE(BM_Parse, vhost_combined, std::string("vhost_combined"));

// Parse and fold, as a batch worker does.
void BM_ParseAndCount(benchmark::State& state) {
  const Sample& s = sample("combined");
  auto compiled = logan::LogFormat::compile("combined").value();
  logan::LogParser parser(compiled);
  logan::LogRecord batch[32];
  for (auto _ : state) {
    logan::AccessStats stats;
    size_t n = 0;
    for (std::string_view line : s.lines) {
      if (parser.parse(line, batch[n]) && ++n == 32) {
        stats.add_parsed_batch(batch, n);
        n = 0;
      }
    }
    stats.add_parsed_batch(batch, n);
    benchmark::DoNotOptimize(stats.total_lines());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(s.lines.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(s.text.size()));
}
BENCHMARK(BM_ParseAndCount)->Unit(benchmark::kMillisecond);

logan::AccessStats folded(const Sample& s) {
  auto compiled = logan::LogFormat::compile("combined").value();
  logan::LogParser parser(compiled);
  logan::LogRecord record;
  logan::AccessStats stats;
  for (std::string_view line : s.lines) {
    if (parser.parse(line, record)) stats.add_parsed(record);
  }
  return stats;
}

void BM_Merge(benchmark::State& state) {
  const logan::AccessStats part = folded(sample("combined"));
  for (auto _ : state) {
    logan::AccessStats total = part;
    total.merge(part);
    benchmark::DoNotOptimize(total.total_lines());
  }
}
BENCHMARK(BM_Merge)->Unit(benchmark::kMillisecond);

void BM_Serialize(benchmark::State& state) {
  const logan::AccessStats part = folded(sample("combined"));
  for (auto _ : state) {
    std::string out;
    part.serialize(out);
    benchmark::DoNotOptimize(out.size());
  }
}
BENCHMARK(BM_Serialize)->Unit(benchmark::kMillisecond);

}  // namespace

namespace {

// One step of the MPI tree reduce for states with `keys` distinct clients and endpoints:
// serialize the sender's state (unsorted) and merge the bytes into the receiver's state.
logan::AccessStats state_with_keys(int64_t keys, int64_t salt) {
  logan::AccessStats s;
  logan::LogRecord r;
  r.status = 200;
  r.size = 1000;
  r.has_endpoint = true;
  std::string client, endpoint;
  for (int64_t i = 0; i < keys; ++i) {
    client = "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
             std::to_string(i & 255) + "/" + std::to_string(salt);
    endpoint = "/api/v1/items/" + std::to_string(i) + "?s=" + std::to_string(salt);
    r.client = client;
    r.endpoint = endpoint;
    s.add_parsed(r);
  }
  return s;
}

void BM_ReduceStep(benchmark::State& state) {
  const logan::AccessStats sender = state_with_keys(state.range(0), 1);
  const logan::AccessStats receiver = state_with_keys(state.range(0), 2);
  size_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    logan::AccessStats total = receiver;
    state.ResumeTiming();
    std::string wire;
    sender.serialize(wire, /*canonical=*/false);  // as the MPI reduce sends it
    bytes = wire.size();
    benchmark::DoNotOptimize(total.merge_serialized(wire).ok());
    benchmark::DoNotOptimize(total.total_lines());
  }
  state.counters["state_MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_ReduceStep)->Arg(10000)->Arg(1000000)->Arg(10000000)->Unit(benchmark::kMillisecond)
    ->Iterations(2);

}  // namespace
