// Tests of remote URL parsing (schemes, default namenode port, missing parts), percent-encoding,
// the retry policy's delays and retryable answers, and the JSON reader used for WebHDFS.
#include "remote/remote_url.h"

#include <gtest/gtest.h>

#include "remote/json_value.h"
#include "remote/retry_policy.h"

namespace logan {
namespace {

TEST(RemoteUrlTest, ParsesSchemes) {
  auto s3 = parse_remote_url("s3://bucket/logs/2024-*/a b.log");
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(s3->scheme, RemoteScheme::kS3);
  EXPECT_EQ(s3->authority, "bucket");
  EXPECT_EQ(s3->path, "logs/2024-*/a b.log");
  EXPECT_EQ(s3->to_string(), "s3://bucket/logs/2024-*/a b.log");
  EXPECT_EQ(parse_remote_url("s3://bucket")->path, "");

  auto hdfs = parse_remote_url("hdfs://nn:9871/logs/x.log");
  ASSERT_TRUE(hdfs.ok());
  EXPECT_EQ(hdfs->scheme, RemoteScheme::kWebHdfs);
  EXPECT_EQ(hdfs->authority, "nn:9871");
  EXPECT_EQ(hdfs->path, "/logs/x.log");
  auto web = parse_remote_url("webhdfs://nn/logs");
  EXPECT_EQ(web->authority, "nn:9870");
  EXPECT_EQ(web->to_string(), "hdfs://nn:9870/logs");
}

TEST(RemoteUrlTest, RejectsIncompleteOrForeignNames) {
  EXPECT_FALSE(parse_remote_url("s3:///key").ok());
  EXPECT_FALSE(parse_remote_url("hdfs:///x").ok());
  EXPECT_FALSE(parse_remote_url("/local/path").ok());
  EXPECT_TRUE(is_remote_url("s3://b/k"));
  EXPECT_TRUE(is_remote_url("webhdfs://n/p"));
  EXPECT_FALSE(is_remote_url("s3:/b/k"));
  EXPECT_FALSE(is_remote_url("./s3://x"));
}

TEST(RemoteUrlTest, EncodesLikeSigV4) {
  EXPECT_EQ(uri_encode("a b/c+d=e~f_g.h-i", true), "a%20b/c%2Bd%3De~f_g.h-i");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(uri_encode("\xC3\xA9", false), "%C3%A9");
}

TEST(RetryPolicyTest, DelaysDoubleUpToTheCapWithJitterInTheUpperHalf) {
  RetryPolicy p;
  p.base = std::chrono::milliseconds(100);
  p.cap = std::chrono::milliseconds(1000);
  EXPECT_EQ(p.delay(1, 0).count(), 50);
  EXPECT_EQ(p.delay(1, 50).count(), 100);
  EXPECT_EQ(p.delay(2, 0).count(), 100);
  EXPECT_EQ(p.delay(3, 0).count(), 200);
  EXPECT_EQ(p.delay(10, 0).count(), 500);
  for (uint64_t r = 0; r < 1000; r += 7) {
    auto d = p.delay(4, r * 0x9E3779B97F4A7C15ull).count();
    EXPECT_GE(d, 400);
    EXPECT_LE(d, 800);
  }
}

TEST(RetryPolicyTest, RetryableAnswers) {
  EXPECT_TRUE(is_retryable_answer(503, "SlowDown"));
  EXPECT_TRUE(is_retryable_answer(500, "InternalError"));
  EXPECT_TRUE(is_retryable_answer(502, ""));
  EXPECT_TRUE(is_retryable_answer(429, ""));
  EXPECT_TRUE(is_retryable_answer(400, "RequestTimeout"));
  EXPECT_FALSE(is_retryable_answer(403, "AccessDenied"));
  EXPECT_FALSE(is_retryable_answer(403, "SignatureDoesNotMatch"));
  EXPECT_FALSE(is_retryable_answer(404, "NoSuchKey"));
}

TEST(JsonValueTest, ReadsWebHdfsAnswers) {
  auto v = JsonValue::parse(R"({"FileStatuses":{"FileStatus":[
      {"pathSuffix":"a\u00e9.log","type":"FILE","length":18446744073709551615,"x":[1,true,null]},
      {"pathSuffix":"d","type":"DIRECTORY","length":0}]}})");
  ASSERT_TRUE(v.ok()) << v.error().message;
  const auto& items = (*v)["FileStatuses"]["FileStatus"].items();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["pathSuffix"].text(), "a\xC3\xA9.log");
  EXPECT_EQ(items[0]["length"].as_u64(), 18446744073709551615ull);
  EXPECT_EQ(items[1]["type"].text(), "DIRECTORY");
  EXPECT_EQ((*v)["missing"]["deeper"].kind(), JsonValue::Kind::kNull);
  EXPECT_FALSE(JsonValue::parse("{\"a\":1,}").ok());
  EXPECT_FALSE(JsonValue::parse("[1] x").ok());
  EXPECT_FALSE(JsonValue::parse(std::string(100, '[')).ok());
}

}  // namespace
}  // namespace logan
