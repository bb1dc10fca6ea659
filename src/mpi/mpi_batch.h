// The batch job across the ranks of an MPI job (`mpirun -np N logan batch INPUTS...`).
//
// Rank 0 expands the inputs (globs, directories) and cuts them into work units: whole files,
// and byte ranges of big uncompressed files (LineRangeSource). A dispatcher thread on rank 0
// hands units out on demand, so ranks that finish early take more and skewed inputs balance.
// Each rank runs run_batch() with its own threads on each unit it gets. The per-rank states
// are combined by a binomial tree of merges (log2 N rounds) to rank 0, which turns samples'
// unit-relative line numbers into file line numbers, so the result equals a one-process run.
// A unit that cannot be read stops the hand-out and fails the job naming it (with keep_going
// it is listed instead). This is the only code that includes mpi.h.
// Thread-safety: call from the main thread, between MpiSession's start and its destruction.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/batch_job.h"

namespace logan {

// True when an MPI launcher (mpirun, srun, hydra) started this process.
bool launched_by_mpi();

// MPI_Init_thread on creation (full thread support: rank 0's dispatcher runs beside its
// workers), MPI_Finalize on destruction.
class MpiSession {
 public:
  static Result<std::unique_ptr<MpiSession>> start(int* argc, char*** argv);
  ~MpiSession();
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  MpiSession(int rank, int size) : rank_(rank), size_(size) {}
  int rank_;
  int size_;
};

struct MpiBatchOptions {
  BatchOptions batch;
  uint64_t unit_bytes = 256ull << 20;  // uncompressed files larger than this are split
};

struct MpiBatchReport {
  bool root = false;             // only rank 0's report holds the statistics
  AccessStats stats;
  uint32_t inputs = 0;           // files expanded by rank 0
  std::vector<Error> skipped;    // with keep_going: inputs and units not read
  size_t units = 0;              // work units handed out
  std::vector<QueryState> queries;  // rank 0: one per MpiBatchOptions::batch.queries, merged
};

// Every rank calls this with the same arguments. An error (a missing input, an unreadable
// unit) is returned on every rank; only rank 0's message is meant to be shown.
Result<MpiBatchReport> run_mpi_batch(const MpiSession& session, const std::vector<std::string>& args,
                                     const MpiBatchOptions& options);

}  // namespace logan
