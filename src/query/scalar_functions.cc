// The scalar functions; see scalar_functions.h. Text functions count characters as SQLite does
// (UTF-8 code points); lower and upper change ASCII letters only, as SQLite's do.
#include "query/scalar_functions.h"

#include <cmath>
#include <cstring>
#include <memory>

#include <re2/re2.h>

#include "lookup/ip_address.h"
#include "parse/timestamp.h"

namespace logan {
namespace {

enum Fn {
  kLower, kUpper, kLength, kSubstr, kCoalesce, kIfnull, kNullif, kAbs, kRound, kRegexpMatches,
  kRegexpExtract, kCidrContains, kDateTrunc, kTimeBucket, kYear, kMonth, kDay, kHour, kMinute,
  kSecond, kDayOfWeek, kEpoch, kStrftime, kToTimestamp,
};
struct FnInfo {
  const char* name;
  Fn fn;
};
const FnInfo kFunctions[] = {
    {"lower", kLower}, {"upper", kUpper}, {"length", kLength}, {"substr", kSubstr},
    {"substring", kSubstr}, {"coalesce", kCoalesce}, {"ifnull", kIfnull}, {"nullif", kNullif},
    {"abs", kAbs}, {"round", kRound}, {"regexp_matches", kRegexpMatches},
    {"regexp_extract", kRegexpExtract}, {"cidr_contains", kCidrContains},
    {"date_trunc", kDateTrunc}, {"time_bucket", kTimeBucket}, {"year", kYear},
    {"month", kMonth}, {"day", kDay}, {"hour", kHour}, {"minute", kMinute},
    {"second", kSecond}, {"dayofweek", kDayOfWeek}, {"epoch", kEpoch},
    {"strftime", kStrftime}, {"to_timestamp", kToTimestamp},
};

const FnInfo* find(std::string_view name) {
  for (const auto& f : kFunctions) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

[[noreturn]] void mistake(const Expr& at, const std::string& m) { throw QueryMistake{at.pos, m}; }

void arity(const Expr& e, size_t lo, size_t hi) {
  if (e.args.size() < lo || e.args.size() > hi) {
    std::string n = lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi);
    mistake(e, e.op + " takes " + n + " argument" + (hi == 1 ? "" : "s"));
  }
}
void want(const Expr& e, size_t i, SqlType t, const char* fn_name) {
  const Expr& a = *e.args[i];
  if (a.type == SqlType::kNull || a.type == t || (t == SqlType::kReal && is_numeric(a.type))) return;
  mistake(a, std::string(fn_name) + "'s argument " + std::to_string(i + 1) + " must be " +
                 (t == SqlType::kReal ? "a number" : std::string(sql_type_name(t))) + ", not " +
                 sql_type_name(a.type));
}
const std::string& text_constant(const Expr& e, size_t i, const char* what) {
  const Expr& a = *e.args[i];
  if (a.kind != ExprKind::kLiteral || a.literal.type != SqlType::kText) {
    mistake(a, e.op + "'s " + what + " must be a text constant");
  }
  return a.literal.text;
}

struct TruncUnit {
  const char* name;
  int64_t seconds;  // 0: month
};
const TruncUnit kTruncUnits[] = {{"second", 1},   {"minute", 60}, {"hour", 3600},
                                 {"day", 86400},  {"week", 604800}, {"month", 0},
                                 {"year", -1}};

// Days to a civil date (Howard Hinnant's algorithm).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t trunc_time(int64_t t, int64_t unit) {
  if (unit > 0 && unit != 604800) return floor_div(t, unit) * unit;
  int64_t days = floor_div(t, 86400);
  if (unit == 604800) {  // ISO weeks start on Monday; 1970-01-01 was a Thursday
    int64_t dow = ((days % 7) + 7 + 3) % 7;  // 0 = Monday
    return (days - dow) * 86400;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  return days_from_civil(y, unit == 0 ? m : 1, 1) * 86400;
}

struct TimeParts {
  int64_t year;
  unsigned month, day, hour, minute, second, weekday /* 0 = Sunday */, yday /* 0-based */;
};
TimeParts parts(int64_t t) {
  TimeParts p;
  int64_t days = floor_div(t, 86400);
  int64_t secs = t - days * 86400;
  civil_from_days(days, p.year, p.month, p.day);
  p.hour = static_cast<unsigned>(secs / 3600);
  p.minute = static_cast<unsigned>(secs / 60 % 60);
  p.second = static_cast<unsigned>(secs % 60);
  p.weekday = static_cast<unsigned>(((days % 7) + 7 + 4) % 7);
  p.yday = static_cast<unsigned>(days - days_from_civil(p.year, 1, 1));
  return p;
}

// SQLite's strftime for the specifiers it shares with C (and %s, %J excluded).
std::string format_strftime(std::string_view fmt, int64_t t) {
  TimeParts p = parts(t);
  std::string out;
  char buf[32];
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%' || i + 1 == fmt.size()) {
      out += fmt[i];
      continue;
    }
    switch (fmt[++i]) {
      case 'Y': std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(p.year)); break;
      case 'm': std::snprintf(buf, sizeof buf, "%02u", p.month); break;
      case 'd': std::snprintf(buf, sizeof buf, "%02u", p.day); break;
      case 'H': std::snprintf(buf, sizeof buf, "%02u", p.hour); break;
      case 'M': std::snprintf(buf, sizeof buf, "%02u", p.minute); break;
      case 'S': std::snprintf(buf, sizeof buf, "%02u", p.second); break;
      case 'f': std::snprintf(buf, sizeof buf, "%02u.000", p.second); break;
      case 'j': std::snprintf(buf, sizeof buf, "%03u", p.yday + 1); break;
      case 'W': std::snprintf(buf, sizeof buf, "%02u", (p.yday + 7 - (p.weekday + 6) % 7) / 7); break;
      case 'J': std::snprintf(buf, sizeof buf, "%.16g", 2440587.5 + static_cast<double>(t) / 86400.0); break;
      case 'w': std::snprintf(buf, sizeof buf, "%u", p.weekday); break;
      case 's': std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(t)); break;
      case '%': std::snprintf(buf, sizeof buf, "%%"); break;
      default: buf[0] = 0; break;
    }
    out += buf;
  }
  return out;
}

struct Network {
  IpPrefix prefix;
};

bool in_network(const IpPrefix& net, std::string_view text) {
  auto ip = parse_ip_address(text);
  if (!ip || ip->v4 != net.address.v4) return false;
  const int width = ip->v4 ? 32 : 128;
  if (net.length == 0) return true;
  const int shift = width - net.length;
  return (ip->bits >> shift) == (net.address.bits >> shift);
}

// SQLite's substr(x, start, length) over code points.
std::string_view substr_chars(std::string_view s, int64_t p1, int64_t p2, bool has_len) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  const int64_t len = static_cast<int64_t>(starts.size());
  if (!has_len) p2 = 1000000000;  // "the rest": SQLite's length limit
  bool neg = false;
  if (p2 < 0) {
    neg = true;
    p2 = -p2;
  }
  if (p1 < 0) {
    p1 += len;
    if (p1 < 0) {
      p2 += p1;
      if (p2 < 0) p2 = 0;
      p1 = 0;
    }
  } else if (p1 > 0) {
    --p1;
  } else if (p2 > 0) {
    --p2;
  }
  if (neg) {
    p1 -= p2;
    if (p1 < 0) {
      p2 += p1;
      p1 = 0;
    }
  }
  if (p1 >= len || p2 <= 0) return {};
  int64_t stop = std::min(len, p1 + p2);
  size_t b = starts[static_cast<size_t>(p1)];
  size_t e = stop >= len ? s.size() : starts[static_cast<size_t>(stop)];
  return s.substr(b, e - b);
}

// SQLite's round(): half away from zero, on the value's decimal form of 15 significant digits
// (the form SQLite shows reals in), so that round(1.005, 2) is 1.01 and round(9.995, 2) is 10.0
// as in SQLite, although both doubles are below those halves.
double sqlite_round(double v, int digits) {
  if (!std::isfinite(v)) return v;
  if (digits == 0 && std::fabs(v) < 9.2e18) {
    return v >= 0 ? static_cast<double>(static_cast<int64_t>(v + 0.5))
                  : -static_cast<double>(static_cast<int64_t>(-v + 0.5));
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.14e", std::fabs(v));  // d.dddddddddddddde[+-]XX
  std::string mantissa;
  mantissa += buf[0];
  mantissa.append(buf + 2, 14);
  const int exponent = std::atoi(std::strchr(buf, 'e') + 1);
  // Digits kept: those before the decimal point (exponent + 1) and `digits` after it.
  const int keep = exponent + 1 + digits;
  if (keep < 0) return v < 0 ? -0.0 : 0.0;
  if (keep >= static_cast<int>(mantissa.size())) return v;
  std::string kept = mantissa.substr(0, static_cast<size_t>(keep));
  bool up = mantissa[static_cast<size_t>(keep)] >= '5';
  int scale = exponent + 1 - keep;  // the value is kept * 10^scale
  if (up) {
    int i = static_cast<int>(kept.size()) - 1;
    while (i >= 0 && kept[static_cast<size_t>(i)] == '9') kept[static_cast<size_t>(i--)] = '0';
    if (i >= 0) {
      ++kept[static_cast<size_t>(i)];
    } else {
      kept.insert(kept.begin(), '1');
    }
  }
  if (kept.empty()) kept = "0";
  std::string text = kept + "e" + std::to_string(scale);
  double r = std::strtod(text.c_str(), nullptr);
  return v < 0 ? -r : r;
}

int64_t utf8_length(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool any_null(const std::vector<ValueColumn>& args, size_t k) {
  for (const auto& a : args) {
    if (a.type == SqlType::kNull || a.is_null(k)) return true;
  }
  return false;
}

}  // namespace

bool is_scalar_function(std::string_view name) { return find(name) != nullptr; }

std::vector<std::string> scalar_function_names() {
  std::vector<std::string> out;
  for (const auto& f : kFunctions) out.emplace_back(f.name);
  return out;
}

std::optional<int64_t> parse_time_literal(std::string_view text) {
  std::string s(text);
  if (s.size() == 10) s += " 00:00:00";
  if (s.size() >= 16 && (s.size() == 16 || s[16] != ':')) s.insert(16, ":00");  // no seconds
  return parse_iso8601(s);
}

std::string format_time_value(int64_t seconds) { return format_utc_iso8601(seconds); }

void bind_scalar_function(Expr& e) {
  const FnInfo* info = find(e.op);
  e.function = info->fn;
  const char* name = info->name;
  switch (info->fn) {
    case kLower:
    case kUpper:
      arity(e, 1, 1);
      want(e, 0, SqlType::kText, name);
      e.type = SqlType::kText;
      break;
    case kLength:
      arity(e, 1, 1);
      want(e, 0, SqlType::kText, name);
      e.type = SqlType::kInt;
      break;
    case kSubstr:
      arity(e, 2, 3);
      want(e, 0, SqlType::kText, name);
      for (size_t i = 1; i < e.args.size(); ++i) want(e, i, SqlType::kInt, name);
      e.type = SqlType::kText;
      break;
    case kCoalesce:
    case kIfnull:
    case kNullif: {
      if (info->fn == kCoalesce) {
        if (e.args.size() < 2) mistake(e, "coalesce takes at least 2 arguments");
      } else {
        arity(e, 2, 2);
      }
      SqlType t = SqlType::kNull;
      for (auto& a : e.args) {
        if (a->type == SqlType::kNull) continue;
        if (t == SqlType::kNull || (is_numeric(t) && is_numeric(a->type))) {
          if (t != SqlType::kReal) t = a->type;
        } else if (t != a->type) {
          mistake(*a, e.op + " mixes " + sql_type_name(t) + " and " + sql_type_name(a->type));
        }
      }
      e.type = info->fn == kNullif ? e.args[0]->type : t;
      if (info->fn == kNullif && e.type == SqlType::kInt && t == SqlType::kReal) e.type = SqlType::kInt;
      break;
    }
    case kAbs:
      arity(e, 1, 1);
      want(e, 0, SqlType::kReal, name);
      e.type = e.args[0]->type == SqlType::kReal ? SqlType::kReal : SqlType::kInt;
      break;
    case kRound:
      arity(e, 1, 2);
      want(e, 0, SqlType::kReal, name);
      if (e.args.size() == 2) want(e, 1, SqlType::kInt, name);
      e.type = SqlType::kReal;
      break;
    case kRegexpMatches:
    case kRegexpExtract: {
      arity(e, 2, info->fn == kRegexpMatches ? 2 : 3);
      want(e, 0, SqlType::kText, name);
      const std::string& pattern = text_constant(e, 1, "pattern");
      RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_shared<RE2>(pattern, options);
      if (!re->ok()) mistake(*e.args[1], "bad regular expression: " + re->error());
      if (e.args.size() == 3) {
        const Expr& g = *e.args[2];
        if (g.kind != ExprKind::kLiteral || g.literal.type != SqlType::kInt || g.literal.i < 0 ||
            g.literal.i > re->NumberOfCapturingGroups()) {
          mistake(g, "regexp_extract's group must be a whole number from 0 to " +
                         std::to_string(re->NumberOfCapturingGroups()) + " (the pattern's groups)");
        }
      }
      e.aux = re;
      e.type = info->fn == kRegexpMatches ? SqlType::kInt : SqlType::kText;
      break;
    }
    case kCidrContains: {
      arity(e, 2, 2);
      const std::string& text = text_constant(e, 0, "network");
      std::string why;
      auto prefix = parse_ip_prefix(text, &why);
      if (!prefix) mistake(*e.args[0], "bad network '" + text + "': " + why);
      want(e, 1, SqlType::kText, name);
      e.aux = std::make_shared<Network>(Network{*prefix});
      e.type = SqlType::kInt;
      break;
    }
    case kDateTrunc: {
      arity(e, 2, 2);
      std::string unit = text_constant(e, 0, "unit");
      for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const TruncUnit* found = nullptr;
      for (const auto& u : kTruncUnits) {
        if (unit == u.name) found = &u;
      }
      if (!found) mistake(*e.args[0], "date_trunc's unit must be second, minute, hour, day, week, month or year");
      want(e, 1, SqlType::kTime, name);
      e.aux = std::make_shared<int64_t>(found->seconds);
      e.type = SqlType::kTime;
      break;
    }
    case kTimeBucket:
      arity(e, 2, 2);
      if (e.args[0]->kind != ExprKind::kInterval) {
        mistake(*e.args[0], "time_bucket's first argument must be an interval, e.g. INTERVAL '5 minutes'");
      }
      want(e, 1, SqlType::kTime, name);
      e.type = SqlType::kTime;
      break;
    case kYear: case kMonth: case kDay: case kHour: case kMinute: case kSecond: case kDayOfWeek:
    case kEpoch:
      arity(e, 1, 1);
      want(e, 0, SqlType::kTime, name);
      e.type = SqlType::kInt;
      break;
    case kStrftime: {
      arity(e, 2, 2);
      const std::string& format = text_constant(e, 0, "format");
      for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') continue;
        if (i + 1 == format.size() || std::strchr("dfHjJmMsSwWY%", format[i + 1]) == nullptr) {
          mistake(*e.args[0], "strftime's format has an unknown specifier '" + format.substr(i, 2) +
                                  "' (known: %d %f %H %j %J %m %M %s %S %w %W %Y %%)");
        }
        ++i;
      }
      want(e, 1, SqlType::kTime, name);
      e.type = SqlType::kText;
      break;
    }
    case kToTimestamp:
      arity(e, 1, 1);
      want(e, 0, SqlType::kInt, name);
      e.type = SqlType::kTime;
      break;
  }
}

void eval_scalar_function(const Expr& e, const std::vector<ValueColumn>& args, size_t n,
                          ValueColumn& out, TextArena& arena) {
  out.reset(e.type, n);
  if (e.type == SqlType::kNull) return;
  const Fn fn = static_cast<Fn>(e.function);
  if (fn == kCoalesce || fn == kIfnull) {
    for (size_t k = 0; k < n; ++k) {
      out.null[k] = 1;
      for (const auto& a : args) {
        if (a.type == SqlType::kNull || a.is_null(k)) continue;
        out.null[k] = 0;
        size_t i = a.at(k);
        if (e.type == SqlType::kReal) out.reals[k] = a.number(k);
        else if (e.type == SqlType::kText) out.texts[k] = a.texts[i];
        else out.ints[k] = a.ints[i];
        break;
      }
    }
    return;
  }
  if (fn == kNullif) {
    for (size_t k = 0; k < n; ++k) {
      const auto& a = args[0];
      const auto& b = args[1];
      out.null[k] = a.type == SqlType::kNull || a.is_null(k);
      if (out.null[k]) continue;
      size_t i = a.at(k);
      bool equal = false;
      if (b.type != SqlType::kNull && !b.is_null(k)) {
        if (a.type == SqlType::kText) equal = b.type == SqlType::kText && a.texts[i] == b.texts[b.at(k)];
        else if (is_numeric(a.type) && is_numeric(b.type)) equal = a.number(k) == b.number(k);
        else equal = a.type == b.type && a.ints[i] == b.ints[b.at(k)];
      }
      out.null[k] = equal;
      if (e.type == SqlType::kText) out.texts[k] = a.texts[i];
      else if (e.type == SqlType::kReal) out.reals[k] = a.reals[i];
      else out.ints[k] = a.ints[i];
    }
    return;
  }
  for (size_t k = 0; k < n; ++k) {
    if (fn != kTimeBucket ? any_null(args, k) : (args[1].type == SqlType::kNull || args[1].is_null(k))) {
      out.null[k] = 1;
      continue;
    }
    out.null[k] = 0;
    const ValueColumn& a = fn == kTimeBucket || fn == kDateTrunc || fn == kStrftime || fn == kCidrContains ? args[1] : args[0];
    const size_t i = a.at(k);
    switch (fn) {
      case kLower:
      case kUpper: {
        std::string s(a.texts[i]);
        for (char& c : s) {
          if (fn == kLower && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
          if (fn == kUpper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        }
        out.texts[k] = arena.keep(std::move(s));
        break;
      }
      case kLength: out.ints[k] = utf8_length(a.texts[i]); break;
      case kSubstr:
        out.texts[k] = substr_chars(a.texts[i], args[1].ints[args[1].at(k)],
                                    args.size() > 2 ? args[2].ints[args[2].at(k)] : 0, args.size() > 2);
        break;
      case kAbs:
        if (e.type == SqlType::kReal) out.reals[k] = std::fabs(a.number(k));
        else out.ints[k] = a.ints[i] < 0 ? -a.ints[i] : a.ints[i];
        break;
      case kRound: {
        int64_t digits = args.size() > 1 ? std::clamp<int64_t>(args[1].ints[args[1].at(k)], 0, 30) : 0;
        out.reals[k] = sqlite_round(a.number(k), static_cast<int>(digits));
        break;
      }
      case kRegexpMatches:
        out.ints[k] = RE2::PartialMatch(a.texts[i], *static_cast<const RE2*>(e.aux.get()));
        break;
      case kRegexpExtract: {
        const RE2& re = *static_cast<const RE2*>(e.aux.get());
        int group = e.args.size() > 2 ? static_cast<int>(e.args[2]->literal.i) : 0;
        re2::StringPiece groups[16];
        int want_groups = std::min(group + 1, 16);
        re2::StringPiece text(a.texts[i].data(), a.texts[i].size());
        if (group < 16 && re.Match(text, 0, text.size(), RE2::UNANCHORED, groups, want_groups)) {
          out.texts[k] = std::string_view(groups[group].data() ? groups[group].data() : "", groups[group].size());
        } else {
          out.texts[k] = std::string_view();  // no match: '' (DuckDB)
        }
        break;
      }
      case kCidrContains:
        out.ints[k] = in_network(static_cast<const Network*>(e.aux.get())->prefix, a.texts[i]);
        break;
      case kDateTrunc: {
        int64_t unit = *static_cast<const int64_t*>(e.aux.get());
        out.ints[k] = trunc_time(a.ints[i], unit);
        break;
      }
      case kTimeBucket: {
        const Expr& iv = *e.args[0];
        // Buckets start at 2000-01-03T00:00:00Z, a Monday, as DuckDB's do.
        constexpr int64_t kOrigin = 946857600;
        if (iv.months) {
          TimeParts p = parts(a.ints[i]);
          int64_t months = (p.year - 2000) * 12 + (p.month - 1);
          months = floor_div(months, iv.literal.i) * iv.literal.i;
          int64_t y = 2000 + floor_div(months, 12);
          out.ints[k] = days_from_civil(y, static_cast<unsigned>(months - (y - 2000) * 12 + 1), 1) * 86400;
        } else {
          out.ints[k] = kOrigin + floor_div(a.ints[i] - kOrigin, iv.literal.i) * iv.literal.i;
        }
        break;
      }
      case kYear: out.ints[k] = parts(a.ints[i]).year; break;
      case kMonth: out.ints[k] = parts(a.ints[i]).month; break;
      case kDay: out.ints[k] = parts(a.ints[i]).day; break;
      case kHour: out.ints[k] = parts(a.ints[i]).hour; break;
      case kMinute: out.ints[k] = parts(a.ints[i]).minute; break;
      case kSecond: out.ints[k] = parts(a.ints[i]).second; break;
      case kDayOfWeek: out.ints[k] = parts(a.ints[i]).weekday; break;
      case kEpoch: out.ints[k] = a.ints[i]; break;
      case kStrftime:
        out.texts[k] = arena.keep(format_strftime(e.args[0]->literal.text, a.ints[i]));
        break;
      case kToTimestamp:
        out.ints[k] = a.ints[i];
        if (!log_time_in_range(a.ints[i])) out.null[k] = 1;
        break;
      default: out.null[k] = 1; break;
    }
  }
}

}  // namespace logan
