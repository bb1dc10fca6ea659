// Tests for splitting request lines, as table rows: (request, method, target, protocol).
#include "parse/request_line.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

struct Row {
  const char* request;
  const char* method;
  const char* target;
  const char* protocol;
  bool well_formed;
};

TEST(RequestLineTest, Table) {
  const Row rows[] = {
      {"GET /a?b=c HTTP/1.1", "GET", "/a?b=c", "HTTP/1.1", true},
      {"GET /", "GET", "/", "", true},
      {"M-SEARCH * HTTP/1.1", "M-SEARCH", "*", "HTTP/1.1", true},
      {"GET /a b HTTP/1.0", "GET", "/a b", "HTTP/1.0", true},
      {"GET /a b", "GET", "/a b", "", true},
      {"-", "", "", "", false},
      {"", "", "", "", false},
      {"GET", "", "", "", false},
      {"GET HTTP/1.1", "GET", "HTTP/1.1", "", true},
      {R"(\x16\x03\x01\x02\x00 x)", "", "", "", false},
      {" /a HTTP/1.1", "", "", "", false},
      // The " HTTP/1.x" shortcut must agree with the scan back for the last space.
      {"GET /a HTTP/2", "GET", "/a", "HTTP/2", true},
      {"GET /a HTTP/1 1", "GET", "/a HTTP/1 1", "", true},
      {"GET  HTTP/1.1", "", "", "", false},
      {"GET /a  HTTP/1.1", "GET", "/a ", "HTTP/1.1", true},
      {"GET /a XHTTP/1.1", "GET", "/a XHTTP/1.1", "", true},
  };
  for (const Row& row : rows) {
    RequestLine r = split_request_line(row.request);
    EXPECT_EQ(r.method, row.method) << row.request;
    EXPECT_EQ(r.target, row.target) << row.request;
    EXPECT_EQ(r.protocol, row.protocol) << row.request;
    EXPECT_EQ(r.well_formed, row.well_formed) << row.request;
  }
}

}  // namespace
}  // namespace logan
