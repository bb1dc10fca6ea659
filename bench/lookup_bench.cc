// Google Benchmark: parse and fold 1,000,000 generated combined lines as a batch worker does,
// without a lookup and with `--lookup org=csv:...?key=network --group-by org.org` over 100,000
// networks (nested /16 > /20 > /24 > /28 around the sample's clients, then random ones; 5,000
// organisations). The bound: the lookup makes this at most 20% slower.
// Run: build/bench/logan_bench --benchmark_filter=Lookup (see docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gen/log_generator.h"
#include "lookup/lookup_grouper.h"
#include "parse/log_format.h"
#include "parse/log_parser.h"
#include "stats/access_stats.h"

namespace {

struct Sample {
  std::string text;
  std::vector<std::string_view> lines;
  std::unique_ptr<logan::LookupGrouper> grouper;
};

std::string dotted(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

// The CSV of `count` distinct networks: around the sample's IPv4 clients first, then random.
std::string networks_csv(const std::vector<std::string_view>& lines, size_t count) {
  std::mt19937_64 rng(1);
  std::set<std::string> nets;
  std::set<std::string_view> seen;
  for (std::string_view line : lines) {
    std::string_view client = line.substr(0, line.find(' '));
    if (!seen.insert(client).second) continue;
    auto a = logan::parse_ip_address(client);
    if (!a || !a->v4) continue;
    for (int length : {16, 20, 24, 28}) {
      if (rng() % 2) continue;
      uint32_t mask = ~0u << (32 - length);
      nets.insert(dotted(static_cast<uint32_t>(a->bits) & mask) + "/" + std::to_string(length));
    }
    if (nets.size() >= count * 7 / 10) break;
  }
  while (nets.size() < count) {
    int length = std::vector<int>{12, 16, 20, 24, 28, 32}[rng() % 6];
    uint32_t mask = ~0u << (32 - length);
    nets.insert(dotted(static_cast<uint32_t>(rng()) & mask) + "/" + std::to_string(length));
  }
  std::string csv = "network,org\n";
  size_t i = 0;
  for (const auto& n : nets) csv += n + ",org" + std::to_string(i++ % 5000) + "\n";
  return csv;
}

const Sample& sample() {
  static Sample s = [] {
    Sample out;
    logan::GenOptions options;
    options.lines = 1000000;
    options.seed = 1;
    options.format = "combined";
    logan::LogGenerator gen(options);
    gen.append_lines(out.text, options.lines);
    std::string_view all = out.text;
    while (!all.empty()) {
      size_t nl = all.find('\n');
      out.lines.push_back(all.substr(0, nl));
      all.remove_prefix(nl + 1);
    }
    const std::string path = "/tmp/logan-lookup-bench-" + std::to_string(::getpid()) + ".csv";
    std::ofstream(path) << networks_csv(out.lines, 100000);
    auto spec = logan::parse_lookup_spec("org=csv:" + path + "?key=network");
    auto grouper = logan::LookupGrouper::open({*spec}, {*logan::parse_group_by("org.org")});
    std::remove(path.c_str());
    if (grouper) out.grouper = std::move(grouper.value());
    return out;
  }();
  return s;
}

void BM_ParseAndCountLookup(benchmark::State& state, bool with_lookup) {
  const Sample& s = sample();
  if (!s.grouper) {
    state.SkipWithError("the lookup did not load");
    return;
  }
  const logan::RecordGrouper* grouper = with_lookup ? s.grouper.get() : nullptr;
  auto compiled = logan::LogFormat::compile("combined").value();
  logan::LogParser parser(compiled);
  logan::LogRecord batch[32];
  // As BatchJob's workers fold a batch (with a grouper, its answers per client are kept with
  // the client's count).
  auto fold = [&](logan::AccessStats& stats, size_t n) { stats.add_parsed_grouped(batch, n, grouper); };
  for (auto _ : state) {
    logan::AccessStats stats;
    size_t n = 0;
    for (std::string_view line : s.lines) {
      if (parser.parse(line, batch[n]) && ++n == 32) {
        fold(stats, n);
        n = 0;
      }
    }
    fold(stats, n);
    benchmark::DoNotOptimize(stats.total_lines());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(s.lines.size()));
}
BENCHMARK_CAPTURE(BM_ParseAndCountLookup, none, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ParseAndCountLookup, cidr_100k, true)->Unit(benchmark::kMillisecond);

}  // namespace
