// LogGenerator: pools of clients, endpoints and referers built once from the seed, then one
// line per call of State::append_line. Everything random goes through Rng and WeightedChoice
// below, which use integer arithmetic only: std::*_distribution and libm functions may give
// different numbers on different platforms, and the output must be byte-identical everywhere.
// Not thread-safe (see log_generator.h).
#include "gen/log_generator.h"

#include <array>
#include <cassert>
#include <charconv>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace logan {
namespace {

// High 64 bits of the 128-bit product a * b, written portably so that no platform needs
// __int128.
uint64_t mul_high(uint64_t a, uint64_t b) {
  const uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
  const uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
  const uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo;
  const uint64_t lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
  const uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffu) + lo_hi;
  return hi_hi + (hi_lo >> 32) + (cross >> 32);
}

// xoshiro256** (Blackman and Vigna), seeded through splitmix64 as its authors recommend.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) word = splitmix64(seed);
  }

  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n) for n > 0, by Lemire's multiply-high. The rejection step is left out:
  // its bias (below n / 2^64) is invisible in any statistic of a log.
  uint64_t below(uint64_t n) { return mul_high(next(), n); }

  // True with probability parts_per_million / 1,000,000.
  bool chance_ppm(uint32_t parts_per_million) { return below(1000000) < parts_per_million; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t& s) {
    uint64_t z = (s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }

  uint64_t state_[4];
};

// Picks an index with probability proportional to its integer weight. A guide table maps the
// top bits of the random number to where the search for it starts, so a pick costs O(1) on
// average even over the half-million Zipf weights of the largest client pool.
class WeightedChoice {
 public:
  // REQUIRES: weights is not empty, their sum is positive and below 2^63.
  explicit WeightedChoice(const std::vector<uint64_t>& weights) {
    cumulative_.reserve(weights.size());
    uint64_t sum = 0;
    for (uint64_t w : weights) cumulative_.push_back(sum += w);
    total_ = sum;
    int bits = 1;
    while (bits < 24 && (uint64_t{1} << bits) < weights.size()) ++bits;
    guide_shift_ = 64 - bits;
    guide_.resize(size_t{1} << bits);
    size_t index = 0;
    for (size_t bucket = 0; bucket < guide_.size(); ++bucket) {
      // The smallest point any random number with these top bits maps to.
      const uint64_t lowest = mul_high(uint64_t{bucket} << guide_shift_, total_);
      while (cumulative_[index] <= lowest) ++index;
      guide_[bucket] = static_cast<uint32_t>(index);
    }
  }

  size_t pick(Rng& rng) const {
    const uint64_t r = rng.next();
    const uint64_t point = mul_high(r, total_);
    size_t index = guide_[r >> guide_shift_];
    while (cumulative_[index] <= point) ++index;
    return index;
  }

 private:
  std::vector<uint64_t> cumulative_;
  std::vector<uint32_t> guide_;
  int guide_shift_ = 63;
  uint64_t total_ = 0;
};

// Zipf-Mandelbrot weights 1 / (rank + offset): rank 1 is the hottest; a larger offset flattens
// the head. 2^40 keeps the quotients exact enough and the sum far from overflow.
std::vector<uint64_t> zipf_weights(size_t count, uint64_t offset) {
  std::vector<uint64_t> weights(count);
  for (size_t rank = 1; rank <= count; ++rank) {
    weights[rank - 1] = (uint64_t{1} << 40) / (rank + offset);
  }
  return weights;
}

// A text and its weight, for the small hand-written tables below.
struct WeightedText {
  std::string_view text;
  uint64_t weight;
};

template <size_t N>
std::vector<uint64_t> weights_of(const std::array<WeightedText, N>& table) {
  std::vector<uint64_t> weights;
  for (const WeightedText& entry : table) weights.push_back(entry.weight);
  return weights;
}

// Strings stored back to back, so a pool of 500,000 clients costs two allocations and lookups
// stay cache-friendly.
class StringPool {
 public:
  void add(std::string_view text) {
    bytes_.append(text);
    ends_.push_back(static_cast<uint32_t>(bytes_.size()));
  }
  std::string_view operator[](size_t i) const {
    const uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }
  size_t size() const { return ends_.size(); }

 private:
  std::string bytes_;
  std::vector<uint32_t> ends_;
};

void append_uint(std::string& out, uint64_t value) {
  char digits[20];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

void append_hex(std::string& out, uint32_t value) {
  char digits[8];
  const auto result = std::to_chars(digits, digits + sizeof digits, value, 16);
  out.append(digits, result.ptr);
}

// ---- Tables. Weights are parts per million unless noted. ----

constexpr std::array<WeightedText, 7> kMethods = {{
    {"GET", 850000}, {"POST", 90000}, {"HEAD", 30000}, {"PUT", 10000},
    {"DELETE", 8000}, {"OPTIONS", 7000}, {"PATCH", 5000},
}};

constexpr std::array<WeightedText, 3> kProtocols = {{
    {"HTTP/1.1", 800000}, {"HTTP/2.0", 150000}, {"HTTP/1.0", 50000},
}};

struct WeightedStatus {
  int code;
  uint64_t weight;
};

// The 408 timeouts and the 400s for TLS handshakes are drawn separately (see RequestShape).
constexpr std::array<WeightedStatus, 14> kStatuses = {{
    {200, 823000}, {304, 50000}, {404, 50000}, {301, 15000}, {302, 15000},
    {206, 10000},  {204, 5000},  {201, 5000},  {400, 4000},  {401, 5000},
    {403, 8000},   {500, 5000},  {502, 2000},  {503, 3000},
}};

// Response bodies: a power-of-two size class, then uniform within it. The bell over the classes
// makes sizes roughly log-normal: most between 256 B and 64 KiB, a few megabytes rarely.
constexpr int kSmallestSizeClass = 7;  // 128..255 bytes
constexpr std::array<uint64_t, 16> kSizeClassWeights = {
    30000, 80000, 120000, 150000, 160000, 150000, 120000, 80000,  // 2^7 .. 2^14
    50000, 30000, 15000, 8000,  4000,  2000,  800,   200,          // 2^15 .. 2^22
};

constexpr std::array<WeightedText, 18> kUserAgents = {{
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/122.0.0.0 Safari/537.36", 260000},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
     "like Gecko) Version/17.3.1 Mobile/15E148 Safari/604.1", 140000},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/122.0.0.0 Safari/537.36", 120000},
    {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/122.0.6261.64 Mobile Safari/537.36", 100000},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0", 70000},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.66", 60000},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.3 Safari/605.1.15", 50000},
    {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/122.0.0.0 Safari/537.36", 30000},
    {"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0", 20000},
    {"Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", 20000},
    {"curl/8.4.0", 25000},
    {"python-requests/2.31.0", 20000},
    {"Go-http-client/1.1", 15000},
    {"Wget/1.21.3", 5000},
    {"okhttp/4.12.0", 10000},
    {"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 15000},
    {"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", 10000},
    {"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", 10000},
}};

constexpr std::string_view kGooglebotAgent =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
constexpr std::string_view kBingbotAgent =
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)";

// Apache writes a '"' inside a logged header as \" ; parsers must not end the field there.
constexpr std::array<std::string_view, 2> kAgentsWithEscapedQuote = {
    R"(Mozilla/5.0 (compatible; \"Nmap Scripting Engine\"; https://nmap.org/book/nse.html))",
    R"(Mozilla/5.0 \"><script>alert(1)</script>)",
};

// A TLS ClientHello sent to a plain-HTTP port: Apache logs the first bytes as \xhh text.
constexpr std::array<std::string_view, 2> kTlsHandshakeRequests = {
    R"(\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03)",
    R"(\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03)",
};

constexpr std::array<std::string_view, 8> kUserNames = {
    "alice", "bob", "carol", "dave", "admin", "jdoe", "webmaster", "svc-backup",
};

// %v:%p for vhost_combined.
constexpr std::array<WeightedText, 6> kVirtualHosts = {{
    {"www.example.com:443", 550000}, {"www.example.com:80", 100000},
    {"example.com:443", 100000},     {"api.example.com:443", 150000},
    {"static.example.net:443", 70000}, {"blog.example.org:80", 30000},
}};

constexpr std::array<std::string_view, 12> kMonths = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

// ---- Endpoints ----

constexpr size_t kEndpointPoolSize = 3000;

// The head of the endpoint pool, hottest first; the rest is generated from kEndpointWords.
constexpr std::array<std::string_view, 28> kPopularEndpoints = {
    "/", "/index.html", "/favicon.ico", "/static/js/app.3f2a.js", "/static/css/main.9c1e.css",
    "/images/logo.png", "/robots.txt", "/api/v1/health", "/login", "/api/v1/session",
    "/search?q=term&page=2", "/sitemap.xml", "/about", "/static/js/vendor.8b1d.js",
    "/static/fonts/inter.woff2", "/products", "/cart", "/api/v1/cart", "/contact", "/feed.xml",
    "/blog/", "/docs/", "/pricing", "/checkout", "/apple-touch-icon.png", "/wp-login.php",
    "/.env", "/api/v1/users/123",
};

constexpr std::array<std::string_view, 48> kEndpointWords = {
    "account", "admin", "alpine", "archive", "autumn", "banner", "billing", "blue", "cache",
    "camera", "coffee", "config", "dashboard", "delta", "design", "events", "garden", "guide",
    "hiking", "install", "kernel", "laptop", "lighthouse", "market", "metrics", "mountain",
    "network", "notes", "orders", "packages", "profile", "python", "release", "report", "river",
    "rust", "security", "settings", "shoes", "spring", "summer", "team", "travel", "upgrade",
    "vintage", "weather", "winter", "yellow",
};

constexpr std::array<std::string_view, 12> kStaticSuffixes = {
    ".js", ".css", ".png", ".jpg", ".webp", ".svg", ".ico", ".woff2", ".gz", ".pdf", ".txt", ".xml",
};

// Static files have one size for all their requests; other endpoints vary per request.
bool is_static_file(std::string_view endpoint) {
  const std::string_view path = endpoint.substr(0, endpoint.find('?'));
  for (std::string_view suffix : kStaticSuffixes) {
    if (path.ends_with(suffix)) return true;
  }
  return false;
}

uint64_t draw_body_size(Rng& rng, const WeightedChoice& size_classes) {
  const uint64_t base = uint64_t{1} << (kSmallestSizeClass + size_classes.pick(rng));
  return base + rng.below(base);
}

void append_word(std::string& out, Rng& rng) {
  out += kEndpointWords[rng.below(kEndpointWords.size())];
}

// One random endpoint of a random family of a typical site.
void append_generated_endpoint(std::string& out, Rng& rng) {
  switch (rng.below(12)) {
    case 0:
      out += "/api/v1/users/";
      append_uint(out, rng.below(100000));
      break;
    case 1:
      out += "/api/v1/orders/";
      append_uint(out, 100000 + rng.below(900000));
      if (rng.below(2) == 0) out += "?include=items";
      break;
    case 2:
      out += "/api/v2/products?category=";
      append_word(out, rng);
      out += rng.below(2) == 0 ? "&sort=price&page=" : "&sort=rating&page=";
      append_uint(out, 1 + rng.below(20));
      break;
    case 3:
      out += "/static/js/";
      append_word(out, rng);
      out += '.';
      append_hex(out, static_cast<uint32_t>(0x1000 + rng.below(0xf000)));
      out += rng.below(3) == 0 ? ".css" : ".js";
      break;
    case 4: {
      constexpr std::array<std::string_view, 4> kImageTypes = {".png", ".jpg", ".webp", ".svg"};
      out += "/images/";
      append_word(out, rng);
      out += '-';
      append_word(out, rng);
      out += kImageTypes[rng.below(kImageTypes.size())];
      if (rng.below(8) == 0) {
        out += "?v=";
        append_uint(out, 1 + rng.below(9));
      }
      break;
    }
    case 5:
      out += "/blog/";
      append_uint(out, 2015 + rng.below(10));
      {
        const uint64_t month = 1 + rng.below(12);
        out += month < 10 ? "/0" : "/";
        append_uint(out, month);
      }
      out += '/';
      append_word(out, rng);
      out += '-';
      append_word(out, rng);
      out += '-';
      append_word(out, rng);
      if (rng.below(6) == 0) out += "?utm_source=newsletter&utm_medium=email";
      break;
    case 6:
      out += "/search?q=";
      append_word(out, rng);
      if (rng.below(3) == 0) {
        out += "%20";
        append_word(out, rng);
      }
      out += "&page=";
      append_uint(out, 1 + rng.below(10));
      break;
    case 7:
      out += "/products/";
      append_word(out, rng);
      out += '/';
      append_word(out, rng);
      out += '-';
      append_uint(out, rng.below(10000));
      break;
    case 8:
      out += "/docs/";
      append_word(out, rng);
      out += '/';
      append_word(out, rng);
      out += ".html";
      break;
    case 9:
      out += "/downloads/";
      append_word(out, rng);
      out += '-';
      append_uint(out, rng.below(5));
      out += '.';
      append_uint(out, rng.below(20));
      out += '.';
      append_uint(out, rng.below(10));
      out += rng.below(2) == 0 ? ".tar.gz" : ".pdf";
      break;
    case 10:
      out += "/user/";
      append_word(out, rng);
      append_uint(out, rng.below(1000));
      out += "/profile";
      break;
    default:
      out += "/api/v1/events?since=";
      append_uint(out, 1700000000 + rng.below(10000000));
      break;
  }
}

// ---- Clients ----

enum class ClientKind : uint8_t { kIPv4, kIPv6, kGooglebot, kBingbot, kIspHost };

constexpr size_t kMinClients = 50;
constexpr size_t kMaxClients = 500000;
constexpr size_t kLinesPerClient = 20;

// A bijection of 32-bit values (every step is invertible), so distinct counters give distinct
// addresses and the pool needs no duplicate check.
uint32_t scramble(uint32_t x, uint32_t key) {
  x ^= key;
  x *= 0x9e3779b1u;
  x ^= x >> 16;
  x *= 0x85ebca6bu;
  x ^= x >> 13;
  x *= 0xc2b2ae35u;
  x ^= x >> 16;
  return x;
}

// Leaves out private, loopback, link-local, carrier-grade NAT and multicast/reserved ranges,
// which a public web server would not see.
bool is_public_ipv4(uint32_t address) {
  const uint32_t a = address >> 24, b = (address >> 16) & 0xff;
  if (a == 0 || a == 10 || a == 127 || a >= 224) return false;
  if (a == 169 && b == 254) return false;
  if (a == 172 && b >= 16 && b < 32) return false;
  if (a == 192 && b == 168) return false;
  if (a == 100 && b >= 64 && b < 128) return false;
  return true;
}

void append_octets(std::string& out, uint32_t address, char separator) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    append_uint(out, (address >> shift) & 0xff);
    if (shift > 0) out += separator;
  }
}

void append_client(std::string& out, ClientKind kind, uint32_t address, Rng& rng) {
  switch (kind) {
    case ClientKind::kIPv4:
      append_octets(out, address, '.');
      break;
    case ClientKind::kIPv6: {
      constexpr std::array<std::string_view, 4> kPrefixes = {"2001:db8::", "2a01:4f8::",
                                                              "2600:1f18::", "2406:da00::"};
      out += kPrefixes[rng.below(kPrefixes.size())];
      // Shortest form: no leading zeros in a group, and "::" covers a zero high group.
      if (address >> 16 != 0) {
        append_hex(out, address >> 16);
        out += ':';
      }
      append_hex(out, address & 0xffff);
      break;
    }
    case ClientKind::kGooglebot:
      out += "crawl-";
      append_octets(out, address, '-');
      out += ".googlebot.com";
      break;
    case ClientKind::kBingbot:
      out += "msnbot-";
      append_octets(out, address, '-');
      out += ".search.msn.com";
      break;
    case ClientKind::kIspHost:
      out += "host-";
      append_octets(out, address, '-');
      out += ".dsl.example.net";
      break;
  }
}

ClientKind draw_client_kind(Rng& rng) {
  const uint64_t draw = rng.below(1000000);
  if (draw < 30000) return ClientKind::kIPv6;
  if (draw < 38000) return ClientKind::kGooglebot;
  if (draw < 43000) return ClientKind::kBingbot;
  if (draw < 50000) return ClientKind::kIspHost;
  return ClientKind::kIPv4;
}

size_t client_pool_size(uint64_t lines) {
  const uint64_t wanted = lines / kLinesPerClient;
  if (wanted < kMinClients) return kMinClients;
  if (wanted > kMaxClients) return kMaxClients;
  return static_cast<size_t>(wanted);
}

// ---- Timestamps ----

// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm; exact for any int64 day).
struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

CivilDate civil_from_days(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const uint64_t day_of_era = static_cast<uint64_t>(days - era * 146097);
  const uint64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const uint64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const uint64_t month_index = (5 * day_of_year + 2) / 153;  // March is 0
  const unsigned day = static_cast<unsigned>(day_of_year - (153 * month_index + 2) / 5 + 1);
  const auto month = static_cast<unsigned>(month_index < 10 ? month_index + 3 : month_index - 9);
  const int64_t year = static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

void put_two_digits(char* at, unsigned value) {
  at[0] = static_cast<char>('0' + value / 10 % 10);
  at[1] = static_cast<char>('0' + value % 10);
}

// ---- Lines ----

enum class RequestShape { kNormal, kHttp09, kTimeout, kTlsHandshake };

// Per line, in parts per million of the valid lines.
constexpr uint64_t kTimeoutPpm = 2000;
constexpr uint64_t kTlsHandshakePpm = 1000;
constexpr uint64_t kHttp09Ppm = 1000;
constexpr uint32_t kEscapedQuoteAgentPpm = 1000;
constexpr uint32_t kUserNamePpm = 15000;
constexpr uint32_t kRefererPpm = 600000;

// Time advances 0..24 ms per line, with an occasional lull of up to a second: about 14 ms per
// line on average, so three million lines span roughly half a day.
constexpr uint64_t kStepMs = 25;
constexpr uint32_t kLullPpm = 5000;
constexpr uint64_t kLullMs = 1000;

// Referers are mostly links from pages of the site (not from images or scripts), interleaved
// with a dozen search engines and social sites.
constexpr size_t kInternalReferers = 200;
constexpr std::array<std::string_view, 12> kExternalReferers = {
    "https://www.google.com/", "https://www.bing.com/search?q=example&form=QBLH",
    "https://duckduckgo.com/", "https://t.co/Xq3b9LmZ2p", "https://www.facebook.com/",
    "https://news.ycombinator.com/item?id=39601234", "https://www.reddit.com/r/programming/",
    "android-app://com.google.android.gm/", "https://www.google.de/",
    "https://search.yahoo.com/", "https://www.linkedin.com/", "https://github.com/",
};

enum class MalformedKind { kEmpty, kGarbage, kTruncated, kBadStatus, kBinary, kCount };

// What append_request chose, for the fields after the request.
struct Request {
  RequestShape shape;
  std::string_view method;  // "GET" unless a normal request drew another
  size_t endpoint;          // index into the endpoint pool; 0 when there is no target
  int status;
};

}  // namespace

struct LogGenerator::State {
  explicit State(const GenOptions& options);

  void append_line(std::string& out);
  void append_malformed(std::string& out);
  // Appends one entry without its '\n'. Returns the offset in `out` of the quote that closes
  // the request field. With bad_status, the status is written as something not three digits.
  size_t append_entry(std::string& out, bool bad_status);
  void append_timestamp(std::string& out);
  Request append_request(std::string& out);
  void append_status(std::string& out, int status, bool bad_status);
  void append_size(std::string& out, const Request& request);
  void append_referer_and_agent(std::string& out, const Request& request, ClientKind client);
  void append_duration(std::string& out, const Request& request);

  uint64_t lines_left;
  bool with_vhost;
  bool with_referer_and_agent;
  bool with_duration;  // %D appended (the *_duration formats)
  int tz_offset_minutes;
  // A line is malformed when the top 53 bits of a random number are below this.
  uint64_t malformed_threshold;
  int64_t now_ms;
  Rng rng;

  StringPool clients;
  std::vector<ClientKind> client_kinds;
  WeightedChoice client_choice;
  StringPool endpoints;
  std::vector<uint32_t> static_sizes;  // per endpoint; 0 when the size varies per request
  WeightedChoice endpoint_choice;
  StringPool referers;
  WeightedChoice referer_choice;

  WeightedChoice method_choice{weights_of(kMethods)};
  WeightedChoice protocol_choice{weights_of(kProtocols)};
  WeightedChoice status_choice;
  WeightedChoice size_class_choice{
      std::vector<uint64_t>(kSizeClassWeights.begin(), kSizeClassWeights.end())};
  WeightedChoice agent_choice{weights_of(kUserAgents)};
  WeightedChoice vhost_choice{weights_of(kVirtualHosts)};

  // "[07/Mar/2024:00:00:01 +0000]" for stamp_second, rebuilt only when the second changes.
  int64_t stamp_second;
  std::array<char, 28> stamp;
};

namespace {

std::vector<uint64_t> status_weights() {
  std::vector<uint64_t> weights;
  for (const WeightedStatus& status : kStatuses) weights.push_back(status.weight);
  return weights;
}

uint64_t malformed_threshold_for(double ratio) {
  if (!(ratio > 0.0)) return 0;  // also NaN
  if (ratio >= 1.0) return uint64_t{1} << 53;
  // Exact: scaling by a power of two loses nothing, so every platform gets the same threshold.
  return static_cast<uint64_t>(ratio * 9007199254740992.0);
}

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

LogGenerator::State::State(const GenOptions& options)
    : lines_left(options.lines),
      with_vhost(options.format.rfind("vhost_combined", 0) == 0),
      with_referer_and_agent(options.format != "common"),
      with_duration(options.format.size() > 9 && options.format.ends_with("_duration")),
      tz_offset_minutes(options.tz_offset_minutes),
      malformed_threshold(malformed_threshold_for(options.malformed_ratio)),
      now_ms(options.start_time * 1000),
      rng(options.seed),
      client_choice(zipf_weights(client_pool_size(options.lines), 3)),
      endpoint_choice(zipf_weights(kEndpointPoolSize, 1)),
      referer_choice(zipf_weights(kInternalReferers + kExternalReferers.size(), 2)),
      status_choice(status_weights()),
      stamp_second(0),
      stamp{} {
  // Pools come from their own PRNG stream, so that the draws per line stay independent of
  // how many draws building a pool took.
  Rng pool_rng(options.seed ^ 0x6c6f67616e2d6765u);
  std::string text;

  const size_t client_count = client_pool_size(options.lines);
  client_kinds.reserve(client_count);
  const uint32_t key = static_cast<uint32_t>(pool_rng.next());
  uint32_t counter = 0;
  for (size_t i = 0; i < client_count; ++i) {
    uint32_t address;
    do {
      address = scramble(counter++, key);
    } while (!is_public_ipv4(address));
    const ClientKind kind = draw_client_kind(pool_rng);
    text.clear();
    append_client(text, kind, address, pool_rng);
    clients.add(text);
    client_kinds.push_back(kind);
  }

  std::unordered_set<std::string> seen;
  auto add_endpoint = [&](const std::string& endpoint) {
    if (!seen.insert(endpoint).second) return;
    endpoints.add(endpoint);
    static_sizes.push_back(is_static_file(endpoint)
                               ? static_cast<uint32_t>(draw_body_size(pool_rng, size_class_choice))
                               : 0);
  };
  for (std::string_view endpoint : kPopularEndpoints) add_endpoint(std::string(endpoint));
  while (endpoints.size() < kEndpointPoolSize) {
    text.clear();
    append_generated_endpoint(text, pool_rng);
    add_endpoint(text);
  }

  size_t next_external = 0;
  size_t next_internal = 0;
  size_t next_endpoint = 0;
  for (size_t i = 0; i < kInternalReferers + kExternalReferers.size(); ++i) {
    const bool external = (i % 3 == 1 && next_external < kExternalReferers.size()) ||
                          next_internal == kInternalReferers;
    if (external) {
      referers.add(kExternalReferers[next_external++]);
    } else {
      while (static_sizes[next_endpoint] != 0) ++next_endpoint;
      text = "https://www.example.com";
      text += endpoints[next_endpoint++];
      referers.add(text);
      ++next_internal;
    }
  }
}

void LogGenerator::State::append_timestamp(std::string& out) {
  const int64_t second = floor_div(now_ms, 1000);
  if (second != stamp_second || stamp[0] != '[') {
    stamp_second = second;
    const int64_t local = second + int64_t{tz_offset_minutes} * 60;
    const int64_t days = floor_div(local, 86400);
    const auto of_day = static_cast<unsigned>(local - days * 86400);
    const CivilDate date = civil_from_days(days);
    const auto year = static_cast<unsigned>(date.year);
    char* p = stamp.data();
    p[0] = '[';
    put_two_digits(p + 1, date.day);
    p[3] = '/';
    const std::string_view month = kMonths[date.month - 1];
    p[4] = month[0];
    p[5] = month[1];
    p[6] = month[2];
    p[7] = '/';
    put_two_digits(p + 8, year / 100);
    put_two_digits(p + 10, year % 100);
    p[12] = ':';
    put_two_digits(p + 13, of_day / 3600);
    p[15] = ':';
    put_two_digits(p + 16, of_day / 60 % 60);
    p[18] = ':';
    put_two_digits(p + 19, of_day % 60);
    p[21] = ' ';
    p[22] = tz_offset_minutes < 0 ? '-' : '+';
    const auto zone = static_cast<unsigned>(tz_offset_minutes < 0 ? -tz_offset_minutes
                                                                   : tz_offset_minutes);
    put_two_digits(p + 23, zone / 60);
    put_two_digits(p + 25, zone % 60);
    p[27] = ']';
  }
  out.append(stamp.data(), stamp.size());
}

size_t LogGenerator::State::append_entry(std::string& out, bool bad_status) {
  const size_t client = client_choice.pick(rng);
  if (with_vhost) {
    out += kVirtualHosts[vhost_choice.pick(rng)].text;
    out += ' ';
  }
  out += clients[client];
  out += " - ";  // %l: nobody runs identd any more
  if (rng.chance_ppm(kUserNamePpm)) {
    out += kUserNames[rng.below(kUserNames.size())];
  } else {
    out += '-';
  }
  out += ' ';
  append_timestamp(out);
  out += " \"";
  const Request request = append_request(out);
  const size_t request_end = out.size();
  out += "\" ";
  append_status(out, request.status, bad_status);
  out += ' ';
  append_size(out, request);
  if (with_referer_and_agent) append_referer_and_agent(out, request, client_kinds[client]);
  if (with_duration) append_duration(out, request);
  return request_end;
}

Request LogGenerator::State::append_request(std::string& out) {
  Request request{RequestShape::kNormal, "GET", 0, 0};
  const uint64_t shape_draw = rng.below(1000000);
  if (shape_draw < kTimeoutPpm) {
    request.shape = RequestShape::kTimeout;
  } else if (shape_draw < kTimeoutPpm + kTlsHandshakePpm) {
    request.shape = RequestShape::kTlsHandshake;
  } else if (shape_draw < kTimeoutPpm + kTlsHandshakePpm + kHttp09Ppm) {
    request.shape = RequestShape::kHttp09;
  }
  switch (request.shape) {
    case RequestShape::kTimeout:  // the client connected but sent nothing
      out += '-';
      request.status = 408;
      break;
    case RequestShape::kTlsHandshake:
      out += kTlsHandshakeRequests[rng.below(kTlsHandshakeRequests.size())];
      request.status = 400;
      break;
    case RequestShape::kHttp09:  // just "GET target": HTTP/0.9 has no version and no headers
      request.endpoint = endpoint_choice.pick(rng);
      out += "GET ";
      out += endpoints[request.endpoint];
      request.status = kStatuses[status_choice.pick(rng)].code;
      break;
    case RequestShape::kNormal:
      request.method = kMethods[method_choice.pick(rng)].text;
      request.endpoint = endpoint_choice.pick(rng);
      out += request.method;
      out += ' ';
      out += endpoints[request.endpoint];
      out += ' ';
      out += kProtocols[protocol_choice.pick(rng)].text;
      request.status = kStatuses[status_choice.pick(rng)].code;
      break;
  }
  return request;
}

// %D, microseconds: most requests take a few milliseconds, a tenth up to 100 ms, one in a
// hundred up to 2 s and a few up to 30 s; errors from upstream (5xx) are slower.
void LogGenerator::State::append_duration(std::string& out, const Request& request) {
  const uint64_t draw = rng.below(1000);
  uint64_t us;
  if (draw < 600) {
    us = 80 + rng.below(5000);
  } else if (draw < 900) {
    us = 5000 + rng.below(95000);
  } else if (draw < 990) {
    us = 100000 + rng.below(1900000);
  } else {
    us = 2000000 + rng.below(28000000);
  }
  if (request.status >= 500) us = us * 4 + 1000;
  out += ' ';
  out += std::to_string(us);
}

void LogGenerator::State::append_status(std::string& out, int status, bool bad_status) {
  char code[3] = {static_cast<char>('0' + status / 100), static_cast<char>('0' + status / 10 % 10),
                  static_cast<char>('0' + status % 10)};
  if (!bad_status) {
    out.append(code, 3);
    return;
  }
  switch (rng.below(4)) {
    case 0:  // a letter inside: "2x0"
      code[1] = 'x';
      out.append(code, 3);
      break;
    case 1:  // two digits
      out.append(code, 2);
      break;
    case 2:  // four digits
      out.append(code, 3);
      out += '0';
      break;
    default:
      out += "OK";
      break;
  }
}

void LogGenerator::State::append_size(std::string& out, const Request& request) {
  if (request.shape == RequestShape::kTimeout) {
    out += '-';
    return;
  }
  if (request.shape == RequestShape::kTlsHandshake) {
    out += "226";  // Apache's "Bad Request" page
    return;
  }
  const uint32_t static_size = static_sizes[request.endpoint];
  uint64_t size;
  switch (request.status) {
    case 200:
    case 201:
      if (request.method == "HEAD") {
        out += '-';
        return;
      }
      size = static_size != 0 ? static_size : draw_body_size(rng, size_class_choice);
      break;
    case 206:
      size = 1 + rng.below(static_size != 0 ? static_size : draw_body_size(rng, size_class_choice));
      break;
    case 204:
    case 304:
      out += '-';  // no body; Apache's %b writes "-" for zero bytes
      return;
    case 301:
    case 302:
      size = 200 + rng.below(120);  // the short "moved" page
      break;
    default:
      if (request.status < 500) {
        size = 150 + rng.below(1000);  // an error page
        break;
      }
      switch (rng.below(6)) {
        case 0:
          out += '-';
          return;
        case 1:
        case 2:
          out += '0';  // the backend died before sending a body
          return;
        default:
          size = 200 + rng.below(600);
          break;
      }
      break;
  }
  append_uint(out, size);
}

void LogGenerator::State::append_referer_and_agent(std::string& out, const Request& request,
                                                   ClientKind client) {
  if (request.shape == RequestShape::kTimeout || request.shape == RequestShape::kTlsHandshake) {
    out += " \"-\" \"-\"";  // no headers were read
    return;
  }
  out += " \"";
  if (rng.chance_ppm(kRefererPpm)) {
    out += referers[referer_choice.pick(rng)];
  } else {
    out += '-';
  }
  out += "\" \"";
  switch (client) {
    case ClientKind::kGooglebot:
      out += kGooglebotAgent;
      break;
    case ClientKind::kBingbot:
      out += kBingbotAgent;
      break;
    default:
      if (rng.chance_ppm(kEscapedQuoteAgentPpm)) {
        out += kAgentsWithEscapedQuote[rng.below(kAgentsWithEscapedQuote.size())];
      } else {
        out += kUserAgents[agent_choice.pick(rng)].text;
      }
      break;
  }
  out += '"';
}

void LogGenerator::State::append_malformed(std::string& out) {
  switch (static_cast<MalformedKind>(rng.below(static_cast<uint64_t>(MalformedKind::kCount)))) {
    case MalformedKind::kEmpty:
      break;
    case MalformedKind::kGarbage: {
      // Printable, but without a '"' there is no request field, so no format can match.
      const uint64_t length = 1 + rng.below(120);
      for (uint64_t i = 0; i < length; ++i) {
        char c = static_cast<char>(' ' + rng.below(95));
        if (c == '"' || c == '\\') c = '#';
        out += c;
      }
      break;
    }
    case MalformedKind::kTruncated: {
      // Cut strictly before the quote that closes the request, so the request never closes;
      // at least one byte stays so that this differs from an empty line.
      const size_t start = out.size();
      const size_t request_end = append_entry(out, false);
      out.resize(start + 1 + rng.below(request_end - start - 1));
      break;
    }
    case MalformedKind::kBadStatus:
      append_entry(out, true);
      break;
    case MalformedKind::kBinary:
    default: {
      // A client, then one space-free blob holding invalid UTF-8 (0xff 0xfe, a lone lead byte
      // 0xc3 at the end) and a NUL: two fields where every format needs many.
      out += clients[client_choice.pick(rng)];
      out += ' ';
      const uint64_t length = 4 + rng.below(40);
      const uint64_t invalid_at = rng.below(length);
      const uint64_t nul_at = rng.below(length);
      for (uint64_t i = 0; i < length; ++i) {
        if (i == invalid_at) out += "\xff\xfe";
        if (i == nul_at) out += '\0';
        const uint64_t draw = rng.below(2);
        if (draw == 0) {
          out += static_cast<char>('!' + rng.below(94));  // printable, no space
        } else {
          out += static_cast<char>(0x80 + rng.below(0x80));
        }
      }
      out += '\xc3';
      break;
    }
  }
}

void LogGenerator::State::append_line(std::string& out) {
  if ((rng.next() >> 11) < malformed_threshold) {
    append_malformed(out);
  } else {
    append_entry(out, false);
  }
  out += '\n';
  uint64_t step = rng.below(kStepMs);
  if (rng.chance_ppm(kLullPpm)) step += rng.below(kLullMs);
  now_ms += static_cast<int64_t>(step);
}

bool LogGenerator::is_supported_format(std::string_view format) {
  return format == "common" || format == "combined" || format == "vhost_combined" ||
         format == "combined_duration" || format == "vhost_combined_duration";
}

LogGenerator::LogGenerator(const GenOptions& options) : state_(std::make_unique<State>(options)) {
  // Without assertions, an unknown format is written as "combined".
  assert(is_supported_format(options.format));
}

LogGenerator::~LogGenerator() = default;
LogGenerator::LogGenerator(LogGenerator&&) noexcept = default;
LogGenerator& LogGenerator::operator=(LogGenerator&&) noexcept = default;

uint64_t LogGenerator::append_lines(std::string& out, uint64_t count) {
  const uint64_t lines = count < state_->lines_left ? count : state_->lines_left;
  for (uint64_t i = 0; i < lines; ++i) state_->append_line(out);
  state_->lines_left -= lines;
  return lines;
}

}  // namespace logan
