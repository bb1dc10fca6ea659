// Tests of ParallelReader over an in-memory ObjectStore that can fail or cut reads on demand
// (the fault, not a replacement for S3: the real stores are tested end to end): bytes come
// back exactly and in order across parts and objects, retries resume, an object given up
// early does not stall the next, and a read that keeps failing is an error naming the object.
#include "remote/parallel_reader.h"

#include "engine/chunk_cursor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace logan {
namespace {

class MemoryStore final : public ObjectStore {
 public:
  explicit MemoryStore(const RemoteContext& context) : ObjectStore(context) {}
  Result<std::vector<RemoteObject>> list(HttpClient&, const RemoteUrl&) override { return Error{"unused"}; }

  std::map<std::string, std::string> objects;
  std::atomic<int> fail_attempts{0};   // the next N attempts fail before sending anything
  std::atomic<int> cut_attempts{0};    // the next N attempts stop half-way
  std::atomic<int> attempts{0};
  std::atomic<bool> hold{false};       // attempts wait while set: bytes not yet arrived

 protected:
  std::optional<AttemptFailure> read_once(HttpClient&, const RemoteObject& object, uint64_t offset,
                                          uint64_t length, const Sink& sink, uint64_t& delivered) override {
    ++attempts;
    while (hold) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (fail_attempts.fetch_sub(1) > 0) return AttemptFailure{"HTTP 503", true};
    std::string_view data = std::string_view(objects.at(object.name)).substr(offset, length);
    if (cut_attempts.fetch_sub(1) > 0 && data.size() > 1) {
      if (!sink(data.substr(0, data.size() / 2))) return AttemptFailure{kStopped, false};
      delivered = data.size() / 2;
      return AttemptFailure{"connection closed", true};
    }
    if (!sink(data)) return AttemptFailure{kStopped, false};
    delivered = data.size();
    return std::nullopt;
  }
};

class ParallelReaderTest : public testing::Test {
 protected:
  ParallelReaderTest() : context_(fast_policy(), nullptr), store_(context_) {}
  static RetryPolicy fast_policy() {
    RetryPolicy p;
    p.max_attempts = 3;
    p.base = std::chrono::milliseconds(1);
    p.cap = std::chrono::milliseconds(2);
    return p;
  }
  std::string add(const std::string& name, size_t size) {
    std::string data;
    for (size_t i = 0; i < size; ++i) data.push_back(static_cast<char>('a' + (i * 7 + name.size()) % 26));
    store_.objects[name] = data;
    return data;
  }
  std::unique_ptr<ParallelReader> reader(const std::vector<std::string>& names, unsigned connections) {
    std::vector<ParallelReader::Input> inputs;
    for (const auto& n : names) inputs.push_back({&store_, RemoteObject{n, n, store_.objects[n].size()}});
    return std::make_unique<ParallelReader>(std::move(inputs), ParallelReadOptions{connections, 64 * 1024, 1 << 20});
  }
  std::string add_lines(const std::string& name, size_t size) {
    std::string data;
    for (size_t i = 0; data.size() < size; ++i) data += "line " + std::to_string(i) + " of " + name + "\n";
    store_.objects[name] = data;
    return data;
  }
  // Everything a batch job's cursor reads of `name` through `r` (chunk size: the smallest, 1 MiB
  // and a line end). A watchdog stops the cursor after 30 s, so that a job that would wait
  // forever fails the test instead of hanging it.
  static std::string read_through_cursor(ParallelReader& r, const std::string& name) {
    std::vector<InputFile> inputs = {{name}};
    InputList queue(inputs);
    BatchOptions options;
    options.opener = &r;
    options.chunk_bytes = 1;
    ChunkCursor cursor(queue, options, nullptr);
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::thread watchdog([&] {
      std::unique_lock lock(mu);
      if (!cv.wait_for(lock, std::chrono::seconds(30), [&] { return done; })) {
        cursor.stop(Error{"the watchdog: the cursor waited 30 s"});
      }
    });
    std::string out;
    LineChunk chunk;
    const LogFormat* format = nullptr;
    while (cursor.take(chunk, format)) out.append(chunk.text());
    {
      std::lock_guard lock(mu);
      done = true;
    }
    cv.notify_all();
    watchdog.join();
    EXPECT_FALSE(cursor.stop_reason().has_value()) << cursor.stop_reason()->message;
    EXPECT_FALSE(cursor.input_failure().has_value());
    return out;
  }
  static Result<std::string> read_all(ByteSource& source, size_t read_size = 10000) {
    std::string out, buf(read_size, '\0');
    for (;;) {
      auto n = source.read(buf.data(), buf.size());
      if (!n) return n.error();
      if (*n == 0) return out;
      out.append(buf.data(), *n);
    }
  }

  // Everything `source` lends, block by block, at most `max` bytes at a time; the lent blocks
  // are kept in `owners` when given.
  static Result<std::string> lend_all(ByteSource& source, size_t max,
                                      std::vector<LentBytes>* kept = nullptr) {
    std::string out;
    for (;;) {
      auto got = source.lend(max);
      if (!got) return got.error();
      if (got->bytes.empty()) return out;
      EXPECT_LE(got->bytes.size(), max);
      EXPECT_TRUE(got->owner != nullptr);
      out.append(got->bytes);
      if (kept) kept->push_back(std::move(got.value()));
    }
  }

  RemoteContext context_;
  MemoryStore store_;
};

TEST_F(ParallelReaderTest, LendsTheBytesItWouldRead) {
  auto a = add("s3://b/a", (3 << 20) + 12345);  // several blocks of 1 MiB in each range
  auto b = add("s3://b/b", 1000);
  store_.cut_attempts = 2;  // resumed ranges lend the same bytes
  std::vector<LentBytes> kept;
  {
    auto r = reader({"s3://b/a", "s3://b/b"}, 2);
    auto source = r->open(InputFile{.path = "s3://b/a"});
    ASSERT_TRUE(source.ok());
    EXPECT_TRUE((*source)->lends());
    char head[10];
    ASSERT_EQ((*source)->read(head, sizeof head).value(), sizeof head);  // reads and lends mix
    auto got = lend_all(**source, 1 << 20, &kept);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(std::string(head, sizeof head) + *got, a);
    auto other = r->open(InputFile{.path = "s3://b/b"});
    got = lend_all(**other, 7);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, b);
  }
  // Lent blocks outlive the reader and its sources, unchanged.
  std::string again = a.substr(0, 10);
  for (const LentBytes& lent : kept) again.append(lent.bytes);
  EXPECT_EQ(again, a);
}

TEST_F(ParallelReaderTest, AJobParsesLentBlocksWhereTheyArrived) {
  auto want = add_lines("s3://b/big", 5 << 20);
  ParallelReader r({{&store_, RemoteObject{"s3://b/big", "s3://b/big", want.size()}}},
                   ParallelReadOptions{2, 2 << 20, 4 << 20});
  std::vector<InputFile> inputs = {{"s3://b/big"}};
  InputList queue(inputs);
  BatchOptions options;
  options.opener = &r;
  ChunkCursor cursor(queue, options, nullptr);
  std::string out;
  size_t lent = 0;
  LineChunk chunk;
  const LogFormat* format = nullptr;
  while (cursor.take(chunk, format)) {
    if (chunk.lender != nullptr) {
      ++lent;
      EXPECT_TRUE(chunk.data.empty());
    }
    out.append(chunk.text());
  }
  EXPECT_FALSE(cursor.input_failure().has_value());
  EXPECT_EQ(out, want);
  EXPECT_GE(lent, 3u) << "most blocks' lines are not copied";
}

TEST_F(ParallelReaderTest, ReadsEveryObjectExactlyInOrder) {
  auto a = add("s3://b/a", 300 * 1024 + 17);
  auto b = add("s3://b/b", 0);
  auto c = add("s3://b/c", 5);
  auto r = reader({"s3://b/a", "s3://b/b", "s3://b/c"}, 3);
  EXPECT_TRUE(r->handles("s3://b/a"));
  EXPECT_FALSE(r->handles("/local/a"));
  for (const auto& [name, want] : {std::pair{"s3://b/a", a}, std::pair{"s3://b/b", b}, std::pair{"s3://b/c", c}}) {
    auto source = r->open(InputFile{.path = name});
    ASSERT_TRUE(source.ok());
    auto got = read_all(**source);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(*got, want) << name;
  }
}

TEST_F(ParallelReaderTest, RetriesAndResumesBrokenReads) {
  auto a = add("s3://b/a", 200 * 1024);
  store_.fail_attempts = 2;
  store_.cut_attempts = 2;
  auto r = reader({"s3://b/a"}, 1);
  auto source = r->open(InputFile{.path = "s3://b/a"});
  auto got = read_all(**source);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, a);
}

TEST_F(ParallelReaderTest, AnObjectGivenUpEarlyDoesNotStallTheNext) {
  add("s3://b/big", 2 << 20);  // 32 parts: more than the window
  auto next = add("s3://b/next", 100 * 1024);
  auto r = reader({"s3://b/big", "s3://b/next"}, 2);
  {
    auto big = r->open(InputFile{.path = "s3://b/big"});
    char buf[100];
    ASSERT_TRUE((*big)->read(buf, sizeof buf).ok());
  }
  auto source = r->open(InputFile{.path = "s3://b/next"});
  auto got = read_all(**source);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, next);
}

TEST_F(ParallelReaderTest, SaysWhichInputsHaveTheirBytesAtHand) {
  auto a = add("s3://b/a", 10 * 1024);
  auto b = add("s3://b/b", 100 * 1024);
  store_.hold = true;
  auto r = reader({"s3://b/a", "s3://b/b"}, 2);
  EXPECT_FALSE(r->ready(InputFile{.path = "s3://b/a"}, 1));
  EXPECT_FALSE(r->ready(InputFile{.path = "s3://b/b"}, 1));
  store_.hold = false;
  // Every part of b arrives (the window of 2 + 2 parts holds a's one and b's two): then all of
  // b is at hand, and asking for more than b holds is asking for the rest of it.
  for (int i = 0; i < 5000 && !r->ready(InputFile{.path = "s3://b/b"}, 1 << 30); ++i) {
    r->wait_for_data(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(r->ready(InputFile{.path = "s3://b/b"}, 1 << 30));
  auto source = r->open(InputFile{.path = "s3://b/b"});
  ASSERT_TRUE(source.ok());
  EXPECT_TRUE((*source)->ready(b.size()));
  auto got = read_all(**source, 4096);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, b);
  EXPECT_TRUE((*source)->ready(1));  // at the end: nothing to wait for
  auto first = r->open(InputFile{.path = "s3://b/a"});
  got = read_all(**first);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, a);
}

TEST_F(ParallelReaderTest, AJobReadsThroughAWindowSmallerThanItsChunks) {
  // One connection holds at most 3 ranges of 64 KiB: never the 1 MiB a chunk wants. The input
  // must still count as ready once only reading it can bring more.
  auto want = add_lines("s3://b/big", 3 << 20);
  ParallelReader r({{&store_, RemoteObject{"s3://b/big", "s3://b/big", want.size()}}},
                   ParallelReadOptions{1, 64 * 1024, 1 << 20});
  EXPECT_EQ(read_through_cursor(r, "s3://b/big"), want);
}

TEST_F(ParallelReaderTest, AJobReadsThroughQueuesSmallerThanItsChunks) {
  // A 4 MiB range whose queue holds 1 MiB, under the chunk's 1 MiB and a line end.
  auto want = add_lines("s3://b/big", 6 << 20);
  ParallelReader r({{&store_, RemoteObject{"s3://b/big", "s3://b/big", want.size()}}},
                   ParallelReadOptions{1, 4 << 20, 1 << 20});
  EXPECT_EQ(read_through_cursor(r, "s3://b/big"), want);
}

TEST_F(ParallelReaderTest, PersistentFailureNamesTheObject) {
  add("s3://b/a", 1000);
  store_.fail_attempts = 1000;
  auto r = reader({"s3://b/a"}, 2);
  auto source = r->open(InputFile{.path = "s3://b/a"});
  auto got = read_all(**source);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message, "cannot read 's3://b/a': HTTP 503 (after 3 attempts)");
  EXPECT_EQ(store_.attempts, 3);
}

TEST_F(ParallelReaderTest, RangeSizeFollowsTheOptionOrTheInputs) {
  EXPECT_EQ(ParallelReader::range_bytes({8, 3 << 20, 8 << 20}, 1ull << 30), 3u << 20);
  EXPECT_EQ(ParallelReader::range_bytes({8, 0, 8 << 20}, 100), 8u << 20);
  EXPECT_EQ(ParallelReader::range_bytes({8, 0, 8 << 20}, 8 * (20ull << 20)), 20u << 20);
  EXPECT_EQ(ParallelReader::range_bytes({8, 0, 8 << 20}, 8ull << 30), 32u << 20);
}

TEST_F(ParallelReaderTest, ObjectsUpToTwoRangesAreReadWhole) {
  constexpr uint64_t kMiB = 1 << 20;
  // 8 objects of 46 MiB for 8 connections: ranges of 32 MiB, but each object whole.
  EXPECT_EQ(ParallelReader::part_bytes({8, 0, 8 * kMiB}, 8 * 46 * kMiB, 46 * kMiB), 46 * kMiB);
  EXPECT_EQ(ParallelReader::part_bytes({8, 0, 8 * kMiB}, 8 * 46 * kMiB, 64 * kMiB), 64 * kMiB);
  EXPECT_EQ(ParallelReader::part_bytes({8, 0, 8 * kMiB}, 8 * 46 * kMiB, 65 * kMiB), 32 * kMiB);
  // One large object: ranges for every connection.
  EXPECT_EQ(ParallelReader::part_bytes({8, 0, 8 * kMiB}, 100 * kMiB, 100 * kMiB), 12800 * 1024);
  // A size given is used for every object.
  EXPECT_EQ(ParallelReader::part_bytes({8, 3 * kMiB, 8 * kMiB}, 8 * 46 * kMiB, 4 * kMiB), 3 * kMiB);
  EXPECT_EQ(ParallelReader::part_bytes({8, 0, 8 * kMiB}, 0, 0), 1u);
}

}  // namespace
}  // namespace logan
