#include "stream/socket_sources.h"

#include <random>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include "stream/fd_reading.h"
#include "stream/stream_testing.h"

namespace logan {
namespace {

using test_support::CollectingContext;
using test_support::SourceRunner;

// The port a listen source reported ("listening on 127.0.0.1:PORT ...").
int reported_port(CollectingContext& ctx) {
  if (!ctx.wait_for_warning("listening on")) return -1;
  for (const auto& w : ctx.warnings()) {
    size_t at = w.find("127.0.0.1:");
    if (at != std::string::npos) return std::stoi(w.substr(at + 10));
  }
  return -1;
}

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(ListenSourceTest, ManySendersWithLinesSplitAcrossWrites) {
  auto src = make_listen_source("listen://127.0.0.1:0", "127.0.0.1:0");
  ASSERT_TRUE(src->open());
  CollectingContext ctx;
  SourceRunner run(*src, ctx);
  int port = reported_port(ctx);
  ASSERT_GT(port, 0);
  constexpr int kSenders = 8, kLines = 500;
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([port, s] {
      int fd = connect_to(port);
      ASSERT_GE(fd, 0);
      std::string text;
      for (int i = 0; i < kLines; ++i) text += "sender " + std::to_string(s) + " line " + std::to_string(i) + "\n";
      std::mt19937 rng(s);
      size_t done = 0;
      while (done < text.size()) {
        size_t n = std::min<size_t>(1 + rng() % 37, text.size() - done);
        ASSERT_EQ(::write(fd, text.data() + done, n), static_cast<ssize_t>(n));
        done += n;
      }
      ::close(fd);
    });
  }
  for (auto& t : senders) t.join();
  ASSERT_TRUE(ctx.wait_for_lines(kSenders * kLines));
  EXPECT_TRUE(run.stop());
  auto by_input = ctx.by_input();
  ASSERT_EQ(by_input.size(), static_cast<size_t>(kSenders));
  for (const auto& [name, lines] : by_input) {
    ASSERT_EQ(lines.size(), static_cast<size_t>(kLines)) << name;
    std::string who = lines[0].substr(0, lines[0].find(" line "));
    for (int i = 0; i < kLines; ++i) EXPECT_EQ(lines[i], who + " line " + std::to_string(i));
  }
}

TEST(ListenSourceTest, UnfinishedLineCountsWhenTheSenderCloses) {
  auto src = make_listen_source("listen://127.0.0.1:0", "127.0.0.1:0");
  ASSERT_TRUE(src->open());
  CollectingContext ctx;
  SourceRunner run(*src, ctx);
  int port = reported_port(ctx);
  int fd = connect_to(port);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "a\nb", 3), 3);
  ::close(fd);
  ASSERT_TRUE(ctx.wait_for_lines(2));
  EXPECT_TRUE(run.stop());
  EXPECT_EQ(ctx.lines(), (std::vector<std::string>{"a", "b"}));
}

TEST(ListenSourceTest, PortInUseIsAnErrorAtOpen) {
  auto first = make_listen_source("listen://127.0.0.1:0", "127.0.0.1:0");
  ASSERT_TRUE(first->open());
  CollectingContext ctx;
  SourceRunner run(*first, ctx);
  int port = reported_port(ctx);
  auto second = make_listen_source("listen://127.0.0.1:x", "127.0.0.1:" + std::to_string(port));
  auto s = second->open();
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("cannot listen"), std::string::npos);
  EXPECT_FALSE(make_listen_source("listen://nonsense", "nonsense")->open());
}

TEST(ConnectSourceTest, ReadsFromAServerAndReconnects) {
  int server = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(server, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  auto src = make_connect_source("tcp://127.0.0.1", "127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(src->open());
  CollectingContext ctx;
  SourceRunner run(*src, ctx);
  for (const char* text : {"one\ntw", "three\n"}) {
    int c = ::accept(server, nullptr, nullptr);
    ASSERT_GE(c, 0);
    ASSERT_GT(::write(c, text, std::strlen(text)), 0);
    ::close(c);
  }
  ASSERT_TRUE(ctx.wait_for_lines(3));
  EXPECT_TRUE(run.stop());
  ::close(server);
  EXPECT_EQ(ctx.lines(), (std::vector<std::string>{"one", "tw", "three"}));
  EXPECT_TRUE(ctx.wait_for_warning("reconnecting"));
}

TEST(ConnectSourceTest, RefusedConnectionIsRetriedNotFatal) {
  auto src = make_connect_source("tcp://127.0.0.1:1", "127.0.0.1:1");
  ASSERT_TRUE(src->open());
  CollectingContext ctx;
  SourceRunner run(*src, ctx);
  EXPECT_TRUE(ctx.wait_for_warning("retrying"));
  EXPECT_TRUE(run.stop());
}

TEST(HostPortTest, Splits) {
  std::string h, p;
  EXPECT_TRUE(split_host_port("127.0.0.1:80", h, p));
  EXPECT_EQ(h, "127.0.0.1");
  EXPECT_EQ(p, "80");
  EXPECT_TRUE(split_host_port("[::1]:5140", h, p));
  EXPECT_EQ(h, "::1");
  EXPECT_TRUE(split_host_port(":5140", h, p));
  EXPECT_EQ(h, "");
  EXPECT_FALSE(split_host_port("::1:80", h, p));
  EXPECT_FALSE(split_host_port("host", h, p));
  EXPECT_FALSE(split_host_port("host:99999", h, p));
  EXPECT_FALSE(split_host_port("host:8x", h, p));
}

}  // namespace
}  // namespace logan
