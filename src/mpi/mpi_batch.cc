// The batch job across MPI ranks; see mpi_batch.h.
#include "mpi/mpi_batch.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "input/decoding_source.h"
#include "input/input_expander.h"
#include "input/line_chunk_reader.h"
#include "parse/format_detect.h"
#include "stats/serial.h"

namespace logan {
namespace {

constexpr int kTagRequest = 1;   // worker -> rank 0: int, 1 when the worker's last unit failed
constexpr int kTagUnit = 2;      // rank 0 -> worker: long long unit index, or -1 for "no more"
constexpr int kTagPayload = 3;   // tree reduce: size, then the bytes in pieces
constexpr uint64_t kPieceBytes = 1 << 30;  // MPI counts are ints: send big states in pieces

struct WorkUnit {
  uint32_t file = 0;
  std::string path;
  uint64_t offset = 0;
  uint64_t length = InputFile::kWhole;
  std::string format;  // the format to parse it with ("auto" lets the unit decide)
};

// Everything rank 0 decides before the work starts, broadcast to all ranks.
struct JobPlan {
  std::string error;              // non-empty: the job fails before it starts
  uint32_t files = 0;
  std::vector<WorkUnit> units;
  std::vector<std::string> skipped;
};

// What a rank (or a subtree of ranks) sends up the reduction tree.
struct RankResult {
  AccessStats stats;
  std::vector<QueryState> queries;  // one per --query (none when the rank's job failed)
  std::vector<std::pair<uint64_t, uint64_t>> unit_lines;  // (unit, lines read)
  std::vector<std::string> skipped;
  std::string failure;  // the first error that fails the job
};

std::string encode_plan(const JobPlan& plan) {
  std::string out;
  BinaryWriter w(out);
  w.bytes(plan.error);
  w.u64(plan.files);
  w.u64(plan.units.size());
  for (const auto& u : plan.units) {
    w.u64(u.file);
    w.bytes(u.path);
    w.u64(u.offset);
    w.u64(u.length);
    w.bytes(u.format);
  }
  w.u64(plan.skipped.size());
  for (const auto& s : plan.skipped) w.bytes(s);
  return out;
}

JobPlan decode_plan(std::string_view data) {
  BinaryReader r(data);
  JobPlan plan;
  plan.error = std::string(r.bytes());
  plan.files = static_cast<uint32_t>(r.u64());
  uint64_t n = r.count();
  for (uint64_t i = 0; i < n && !r.failed(); ++i) {
    WorkUnit u;
    u.file = static_cast<uint32_t>(r.u64());
    u.path = std::string(r.bytes());
    u.offset = r.u64();
    u.length = r.u64();
    u.format = std::string(r.bytes());
    plan.units.push_back(std::move(u));
  }
  uint64_t skipped = r.count();
  for (uint64_t i = 0; i < skipped && !r.failed(); ++i) plan.skipped.emplace_back(r.bytes());
  if (r.failed()) plan.error = "internal error: corrupt job plan";
  return plan;
}

std::string encode_result(const RankResult& result) {
  std::string out;
  BinaryWriter w(out);
  std::string stats;
  result.stats.serialize(stats, /*canonical=*/false);  // merged at once: no need to sort keys
  w.bytes(stats);
  w.u64(result.unit_lines.size());
  for (const auto& [unit, lines] : result.unit_lines) {
    w.u64(unit);
    w.u64(lines);
  }
  w.u64(result.skipped.size());
  for (const auto& s : result.skipped) w.bytes(s);
  w.bytes(result.failure);
  w.u64(result.queries.size());
  for (const auto& q : result.queries) w.bytes(q.serialize());
  return out;
}

// Merges a result sent up the tree into `into`, the receiving rank's own.
Status merge_result(std::string_view data, RankResult& into) {
  BinaryReader r(data);
  Status merged = into.stats.merge_serialized(r.bytes());
  if (!merged) return Error{"internal error: a rank sent a corrupt state: " + merged.error().message};
  RankResult result;
  uint64_t n = r.count();
  for (uint64_t i = 0; i < n && !r.failed(); ++i) {
    uint64_t unit = r.u64();
    uint64_t lines = r.u64();
    result.unit_lines.emplace_back(unit, lines);
  }
  uint64_t skipped = r.count();
  for (uint64_t i = 0; i < skipped && !r.failed(); ++i) result.skipped.emplace_back(r.bytes());
  result.failure = std::string(r.bytes());
  const uint64_t queries = r.count();
  for (uint64_t q = 0; q < queries && !r.failed(); ++q) {
    std::string_view state = r.bytes();
    if (q >= into.queries.size()) continue;  // this rank's job failed: the job fails anyway
    Status merged_query = into.queries[q].merge_serialized(state);
    if (!merged_query) return Error{"internal error: a rank sent a corrupt query state: " + merged_query.error().message};
  }
  if (r.failed()) return Error{"internal error: a rank sent a corrupt result"};
  into.unit_lines.insert(into.unit_lines.end(), result.unit_lines.begin(), result.unit_lines.end());
  into.skipped.insert(into.skipped.end(), result.skipped.begin(), result.skipped.end());
  if (into.failure.empty()) into.failure = std::move(result.failure);
  return Ok{};
}

void broadcast(std::string& data, int root, int rank) {
  uint64_t size = data.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, root, MPI_COMM_WORLD);
  if (rank != root) data.resize(size);
  for (uint64_t at = 0; at < size; at += kPieceBytes) {
    int piece = static_cast<int>(std::min(kPieceBytes, size - at));
    MPI_Bcast(data.data() + at, piece, MPI_CHAR, root, MPI_COMM_WORLD);
  }
}

void send_bytes(const std::string& data, int to) {
  uint64_t size = data.size();
  MPI_Send(&size, 1, MPI_UINT64_T, to, kTagPayload, MPI_COMM_WORLD);
  for (uint64_t at = 0; at < size; at += kPieceBytes) {
    int piece = static_cast<int>(std::min(kPieceBytes, size - at));
    MPI_Send(data.data() + at, piece, MPI_CHAR, to, kTagPayload, MPI_COMM_WORLD);
  }
}

std::string receive_bytes(int from) {
  uint64_t size = 0;
  MPI_Recv(&size, 1, MPI_UINT64_T, from, kTagPayload, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  std::string data(size, '\0');
  for (uint64_t at = 0; at < size; at += kPieceBytes) {
    int piece = static_cast<int>(std::min(kPieceBytes, size - at));
    MPI_Recv(data.data() + at, piece, MPI_CHAR, from, kTagPayload, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  return data;
}

// Rank 0: expands the inputs and cuts the work units.
JobPlan make_plan(const std::vector<std::string>& args, const MpiBatchOptions& options) {
  JobPlan plan;
  std::vector<Error> skipped;
  auto files = expand_inputs(args, options.batch.keep_going ? &skipped : nullptr);
  if (!files) {
    plan.error = files.error().message;
    return plan;
  }
  for (auto& e : skipped) plan.skipped.push_back(std::move(e.message));
  plan.files = static_cast<uint32_t>(files->size());
  for (uint32_t f = 0; f < files->size(); ++f) {
    const InputFile& in = (*files)[f];
    if (in.path == "-") {
      plan.error = "stdin ('-') cannot be shared between MPI ranks; name files instead";
      return plan;
    }
    WorkUnit whole{f, in.path, 0, InputFile::kWhole, options.batch.format};
    if (in.size <= options.unit_bytes) {
      plan.units.push_back(std::move(whole));
      continue;
    }
    // A big file is split only when its bytes are its lines (not compressed).
    auto raw = FileSource::open(in.path);
    if (!raw) {
      if (!options.batch.keep_going) {
        plan.error = raw.error().message;
        return plan;
      }
      plan.skipped.push_back(raw.error().message);
      continue;
    }
    std::string head(LineChunkReader::kMaxLineBytes, '\0');
    size_t got = 0;
    while (got < head.size()) {
      auto n = (*raw)->read(head.data() + got, head.size() - got);
      if (!n || *n == 0) break;
      got += *n;
    }
    head.resize(got);
    if (detect_compression(head) != Compression::kNone) {
      plan.units.push_back(std::move(whole));
      continue;
    }
    // Ranges of one file must share the format the whole file would get.
    std::string format = options.batch.format;
    if (format == "auto") format = detect_format(head).nickname;
    for (uint64_t at = 0; at < in.size; at += options.unit_bytes) {
      plan.units.push_back({f, in.path, at, options.unit_bytes, format});
    }
  }
  return plan;
}

// Hands units out on demand: worker ranks ask over MPI, rank 0's own loop asks directly.
class Dispatcher {
 public:
  Dispatcher(size_t units, int workers) : units_(units), workers_(workers) {}

  // Rank 0's own request. Returns -1 when there is no more work.
  long long next(bool failed) {
    std::lock_guard lock(mu_);
    if (failed) stopped_ = true;
    if (stopped_ || next_ >= units_) return -1;
    return static_cast<long long>(next_++);
  }

  // Serves the other ranks until each has been told there is no more work.
  void serve() {
    int active = workers_;
    while (active > 0) {
      int failed = 0;
      MPI_Status status;
      // MPI_Recv would spin a core while it waits, one that rank 0's own workers need: poll,
      // and sleep between polls. A request waits at most a millisecond; a unit takes seconds.
      MPI_Request request;
      MPI_Irecv(&failed, 1, MPI_INT, MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &request);
      for (int done = 0;;) {
        MPI_Test(&request, &done, &status);
        if (done) break;
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      }
      long long unit = next(failed != 0);
      MPI_Send(&unit, 1, MPI_LONG_LONG, status.MPI_SOURCE, kTagUnit, MPI_COMM_WORLD);
      if (unit < 0) --active;
    }
  }

 private:
  std::mutex mu_;
  size_t units_;
  int workers_;
  size_t next_ = 0;
  bool stopped_ = false;
};

// A work unit as an input of the rank's batch job.
InputFile unit_input(const WorkUnit& unit) {
  InputFile in{.path = unit.path, .offset = unit.offset, .length = unit.length};
  if (unit.format != "auto") in.format = unit.format;
  return in;
}

// The units a rank's one batch job reads, taken from the dispatcher as the job asks. One job
// (and one set of per-thread tables) spans all the rank's units: no state per unit to merge.
class UnitQueue : public InputQueue {
 public:
  explicit UnitQueue(const JobPlan& plan) : plan_(plan) {
    // Fault injection for the tests: LOGAN_FAULT_DIE_RANK=R makes rank R die abruptly when its
    // first request for work is answered, as a crashed or killed process would.
    if (const char* r = std::getenv("LOGAN_FAULT_DIE_RANK")) {
      int me = 0;
      MPI_Comm_rank(MPI_COMM_WORLD, &me);
      die_ = std::atoi(r) == me;
    }
  }
  size_t size() const override { return plan_.units.size(); }
  const std::vector<uint64_t>& taken() const { return taken_; }

 protected:
  std::optional<std::pair<uint32_t, InputFile>> unit(long long index) {
    if (die_) std::_Exit(70);
    if (index < 0) return std::nullopt;
    taken_.push_back(static_cast<uint64_t>(index));
    return std::make_pair(static_cast<uint32_t>(index), unit_input(plan_.units[index]));
  }

 private:
  const JobPlan& plan_;
  std::vector<uint64_t> taken_;
  bool die_ = false;
};

// Rank 0 asks its dispatcher directly.
class LocalUnitQueue final : public UnitQueue {
 public:
  LocalUnitQueue(const JobPlan& plan, Dispatcher& dispatcher) : UnitQueue(plan), dispatcher_(dispatcher) {}
  std::optional<std::pair<uint32_t, InputFile>> next() override { return unit(dispatcher_.next(false)); }
  void stop() override { dispatcher_.next(true); }

 private:
  Dispatcher& dispatcher_;
};

// The other ranks ask rank 0. Every rank's last exchange is answered with -1 (no more work,
// or the job has failed), which is how the dispatcher counts it done.
class RemoteUnitQueue final : public UnitQueue {
 public:
  using UnitQueue::UnitQueue;
  ~RemoteUnitQueue() override {
    if (!finished_) ask(false);  // the job ended without asking again: sign off
  }
  std::optional<std::pair<uint32_t, InputFile>> next() override {
    return finished_ ? std::nullopt : unit(ask(false));
  }
  void stop() override {
    if (!finished_) ask(true);
  }

 private:
  long long ask(bool failed) {
    int flag = failed ? 1 : 0;
    MPI_Send(&flag, 1, MPI_INT, 0, kTagRequest, MPI_COMM_WORLD);
    long long index = -1;
    MPI_Recv(&index, 1, MPI_LONG_LONG, 0, kTagUnit, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (index < 0) finished_ = true;
    return index;
  }
  bool finished_ = false;
};

// Runs the rank's batch job over the units `queue` hands out.
RankResult run_rank(UnitQueue& queue, const MpiBatchOptions& options) {
  RankResult result;
  auto report = run_batch(queue, options.batch, nullptr);
  if (!report) {
    result.failure = report.error().message;
    return result;
  }
  result.stats = std::move(report->stats);
  result.queries = std::move(report->queries);
  for (auto& e : report->skipped) result.skipped.push_back(std::move(e.message));
  for (uint64_t unit : queue.taken()) result.unit_lines.emplace_back(unit, report->input_lines[unit]);
  return result;
}

}  // namespace

bool launched_by_mpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"}) {
    if (std::getenv(var) != nullptr) return true;
  }
  return false;
}

Result<std::unique_ptr<MpiSession>> MpiSession::start(int* argc, char*** argv) {
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
    return Error{"MPI_Init_thread failed"};
  }
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (provided < MPI_THREAD_MULTIPLE && size > 1) {
    MPI_Finalize();
    return Error{"this MPI library does not support MPI_THREAD_MULTIPLE, which logan needs"};
  }
  return std::unique_ptr<MpiSession>(new MpiSession(rank, size));
}

MpiSession::~MpiSession() { MPI_Finalize(); }

Result<MpiBatchReport> run_mpi_batch(const MpiSession& session, const std::vector<std::string>& args,
                                     const MpiBatchOptions& options) {
  const int rank = session.rank();
  const int size = session.size();

  std::string plan_bytes;
  if (rank == 0) plan_bytes = encode_plan(make_plan(args, options));
  broadcast(plan_bytes, 0, rank);
  const JobPlan plan = decode_plan(plan_bytes);
  if (!plan.error.empty()) return Error{plan.error};

  // Hand out and run the units: each rank runs one batch job fed by the dispatcher.
  RankResult mine;
  if (rank == 0) {
    Dispatcher dispatcher(plan.units.size(), size - 1);
    std::thread server;
    if (size > 1) server = std::thread([&] { dispatcher.serve(); });
    LocalUnitQueue queue(plan, dispatcher);
    mine = run_rank(queue, options);
    if (server.joinable()) server.join();
  } else {
    RemoteUnitQueue queue(plan);
    mine = run_rank(queue, options);
  }

  // Binomial tree: in round k, ranks with bit k set send to the rank 2^k below and stop.
  for (int step = 1; step < size; step <<= 1) {
    if (rank & step) {
      send_bytes(encode_result(mine), rank - step);
      break;
    }
    if (rank + step < size) {
      Status merged = merge_result(receive_bytes(rank + step), mine);
      if (!merged && mine.failure.empty()) mine.failure = merged.error().message;
    }
  }

  // Every rank learns whether the job failed, so all exit alike.
  std::string failure = rank == 0 ? mine.failure : std::string();
  broadcast(failure, 0, rank);
  if (!failure.empty()) return Error{failure};

  MpiBatchReport report;
  report.root = rank == 0;
  report.units = plan.units.size();
  if (rank != 0) return report;

  // Samples carry (unit, line in unit): make them (file, line in file). Units of a file are
  // consecutive in the plan, so a unit's first line follows the lines of those before it.
  std::vector<uint64_t> lines(plan.units.size(), 0);
  for (const auto& [unit, n] : mine.unit_lines) lines[unit] = n;
  std::vector<uint64_t> first_line(plan.units.size(), 1);
  for (size_t u = 1; u < plan.units.size(); ++u) {
    if (plan.units[u].file == plan.units[u - 1].file) first_line[u] = first_line[u - 1] + lines[u - 1];
  }
  mine.stats.remap_samples([&](InvalidSample& s) {
    const WorkUnit& unit = plan.units[s.input];
    s.line = first_line[s.input] + s.line - 1;
    s.input = unit.file;
  });
  report.stats = std::move(mine.stats);
  report.queries = std::move(mine.queries);
  report.inputs = plan.files;
  for (auto& s : plan.skipped) report.skipped.push_back({s});
  for (auto& s : mine.skipped) report.skipped.push_back({std::move(s)});
  return report;
}

}  // namespace logan
