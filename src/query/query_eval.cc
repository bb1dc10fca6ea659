// The batch evaluator; see query_eval.h.
#include "query/query_eval.h"

#include <cmath>
#include <cstring>

#include "query/query_plan.h"
#include "query/scalar_functions.h"

namespace logan {
namespace {

void constant(ValueColumn& out, const SqlValue& v, size_t n, std::string_view text_storage) {
  out.type = v.type;
  out.constant = true;
  out.size = n;
  out.null.assign(1, v.is_null());
  switch (v.type) {
    case SqlType::kInt:
    case SqlType::kTime: out.ints.assign(1, v.i); break;
    case SqlType::kReal: out.reals.assign(1, v.r); break;
    case SqlType::kText: out.texts.assign(1, text_storage); break;
    case SqlType::kNull: break;
  }
}

// Three-way comparison of row k of a and b, neither NULL. REQUIRES: comparable types.
int compare_at(const ValueColumn& a, const ValueColumn& b, size_t k) {
  const size_t i = a.at(k), j = b.at(k);
  if (a.type == SqlType::kText) {
    int c = a.texts[i].compare(b.texts[j]);
    return (c > 0) - (c < 0);
  }
  if (a.type == SqlType::kReal || b.type == SqlType::kReal) {
    double x = a.number(k), y = b.number(k);
    return (x > y) - (x < y);
  }
  int64_t x = a.ints[i], y = b.ints[j];
  return (x > y) - (x < y);
}

bool truth(const ValueColumn& c, size_t k) {
  size_t i = c.at(k);
  return c.type == SqlType::kReal ? c.reals[i] != 0 : c.ints[i] != 0;
}

std::string as_text(const ValueColumn& c, size_t k) {
  size_t i = c.at(k);
  switch (c.type) {
    case SqlType::kInt: return std::to_string(c.ints[i]);
    case SqlType::kReal: return format_sql_real(c.reals[i]);
    case SqlType::kTime: return format_time_value(c.ints[i]);
    case SqlType::kText: return std::string(c.texts[i]);
    case SqlType::kNull: break;
  }
  return {};
}

// Advances over one UTF-8 character.
size_t char_len(std::string_view s, size_t i) {
  size_t j = i + 1;
  while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
  return j - i;
}

char fold_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

}  // namespace

bool like_match(std::string_view t, std::string_view p, bool fold) {
  size_t ti = 0, pi = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_t = ti;
      continue;
    }
    if (pi < p.size() && p[pi] == '_') {
      ti += char_len(t, ti);
      ++pi;
      continue;
    }
    if (pi < p.size() && (fold ? fold_ascii(p[pi]) == fold_ascii(t[ti]) : p[pi] == t[ti])) {
      ++ti;
      ++pi;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    star_t += char_len(t, star_t);
    ti = star_t;
    pi = star_p;
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

void Evaluator::column(int c, const EvalRows& rows, ValueColumn& out) {
  const size_t n = rows.n;
  if (c >= kHeaderColumnBase) {  // a header: "" and "-" are NULL, as for referer
    const int slot = rows.header_slots ? rows.header_slots[c - kHeaderColumnBase] : -1;
    out.reset(SqlType::kText, n);
    for (size_t k = 0; k < n; ++k) {
      std::string_view v = slot >= 0 ? rows.records[rows.sel[k]].headers[slot] : std::string_view();
      out.null[k] = is_absent_text(v);
      out.texts[k] = v;
    }
    return;
  }
  if (c >= kColumnCount) {  // a looked-up column: data as given ("-" stays "-"), NULL when none
    const size_t j = static_cast<size_t>(c - kColumnCount);
    out.reset(SqlType::kText, n);
    for (size_t k = 0; k < n; ++k) {
      const std::string* v = rows.extras && j < rows.extra_count ? rows.extras[rows.sel[k] * rows.extra_count + j] : nullptr;
      out.null[k] = v == nullptr;
      out.texts[k] = v ? std::string_view(*v) : std::string_view();
    }
    return;
  }
  if (c == kColSource) {
    constant(out, SqlValue::string(""), n, rows.source);
    out.texts[0] = rows.source;
    return;
  }
  out.reset(kQueryColumns[c].type, n);
  auto text = [&](auto get) {
    for (size_t k = 0; k < n; ++k) {
      std::string_view v = get(rows.records[rows.sel[k]]);
      out.null[k] = is_absent_text(v);
      out.texts[k] = v;
    }
  };
  auto integer = [&](auto get) {
    for (size_t k = 0; k < n; ++k) {
      int64_t v = get(rows.records[rows.sel[k]]);
      out.null[k] = v < 0;
      out.ints[k] = v;
    }
  };
  switch (c) {
    case kColTime:
      for (size_t k = 0; k < n; ++k) {
        const LogRecord& r = rows.records[rows.sel[k]];
        out.null[k] = !r.has_time();
        out.ints[k] = r.time;
      }
      break;
    case kColClient: text([](const LogRecord& r) { return r.client; }); break;
    case kColUser: text([](const LogRecord& r) { return r.user; }); break;
    case kColMethod: text([](const LogRecord& r) { return r.method; }); break;
    case kColPath: text([](const LogRecord& r) { return path_of(r); }); break;
    case kColQuery: text([](const LogRecord& r) { return query_of(r); }); break;
    case kColProtocol: text([](const LogRecord& r) { return r.protocol; }); break;
    case kColStatus: integer([](const LogRecord& r) { return static_cast<int64_t>(r.status); }); break;
    case kColSize: integer([](const LogRecord& r) { return r.size; }); break;
    case kColDurationUs: integer([](const LogRecord& r) { return r.duration_us; }); break;
    case kColReferer: text([](const LogRecord& r) { return r.referer; }); break;
    case kColUserAgent: text([](const LogRecord& r) { return r.user_agent; }); break;
    case kColVhost: text([](const LogRecord& r) { return r.vhost; }); break;
    case kColRequest: text([](const LogRecord& r) { return r.request; }); break;
    case kColDuration:
      for (size_t k = 0; k < n; ++k) {
        int64_t us = rows.records[rows.sel[k]].duration_us;
        out.null[k] = us < 0;
        out.reals[k] = static_cast<double>(us) / 1e6;
      }
      break;
  }
}

void Evaluator::compare(const std::string& op, const ValueColumn& a, const ValueColumn& b, size_t n,
                        ValueColumn& out) {
  out.reset(SqlType::kInt, n);
  if (a.type == SqlType::kNull || b.type == SqlType::kNull) {
    out.null.assign(n, 1);
    return;
  }
  const char o0 = op[0], o1 = op.size() > 1 ? op[1] : 0;
  for (size_t k = 0; k < n; ++k) {
    if (a.is_null(k) || b.is_null(k)) {
      out.null[k] = 1;
      continue;
    }
    out.null[k] = 0;
    int c = compare_at(a, b, k);
    bool r;
    switch (o0) {
      case '=': r = c == 0; break;
      case '!': r = c != 0; break;
      case '<': r = o1 == '=' ? c <= 0 : c < 0; break;
      default: r = o1 == '=' ? c >= 0 : c > 0; break;
    }
    out.ints[k] = r;
  }
}

void Evaluator::binary(const Expr& e, const EvalRows& rows, ValueColumn& out) {
  const size_t n = rows.n;
  ValueColumn a, b;
  eval(*e.args[0], rows, a);
  eval(*e.args[1], rows, b);
  const std::string& op = e.op;
  if (op == "AND" || op == "OR") {
    const bool is_and = op == "AND";
    out.reset(SqlType::kInt, n);
    for (size_t k = 0; k < n; ++k) {
      const bool an = a.type == SqlType::kNull || a.is_null(k);
      const bool bn = b.type == SqlType::kNull || b.is_null(k);
      const bool av = !an && truth(a, k), bv = !bn && truth(b, k);
      if (is_and) {
        if ((!an && !av) || (!bn && !bv)) {
          out.null[k] = 0, out.ints[k] = 0;
        } else if (an || bn) {
          out.null[k] = 1;
        } else {
          out.null[k] = 0, out.ints[k] = 1;
        }
      } else {
        if (av || bv) {
          out.null[k] = 0, out.ints[k] = 1;
        } else if (an || bn) {
          out.null[k] = 1;
        } else {
          out.null[k] = 0, out.ints[k] = 0;
        }
      }
    }
    return;
  }
  if (op == "||") {
    out.reset(SqlType::kText, n);
    for (size_t k = 0; k < n; ++k) {
      if (a.type == SqlType::kNull || b.type == SqlType::kNull || a.is_null(k) || b.is_null(k)) {
        out.null[k] = 1;
        continue;
      }
      out.null[k] = 0;
      out.texts[k] = arena_.keep(as_text(a, k) + as_text(b, k));
    }
    return;
  }
  if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
    out.reset(e.type, n);
    const char o = op[0];
    for (size_t k = 0; k < n; ++k) {
      if (a.type == SqlType::kNull || b.type == SqlType::kNull || a.is_null(k) || b.is_null(k)) {
        out.null[k] = 1;
        continue;
      }
      out.null[k] = 0;
      if (e.type == SqlType::kInt) {
        int64_t x = a.ints[a.at(k)], y = b.ints[b.at(k)], r = 0;
        bool bad = false;
        switch (o) {
          case '+': bad = __builtin_add_overflow(x, y, &r); break;
          case '-': bad = __builtin_sub_overflow(x, y, &r); break;
          case '*': bad = __builtin_mul_overflow(x, y, &r); break;
          case '/': bad = y == 0 || (x == INT64_MIN && y == -1); if (!bad) r = x / y; break;
          default: bad = y == 0 || (x == INT64_MIN && y == -1); if (!bad) r = x % y; break;
        }
        out.null[k] = bad;
        out.ints[k] = r;
      } else {
        double x = a.number(k), y = b.number(k), r = 0;
        switch (o) {
          case '+': r = x + y; break;
          case '-': r = x - y; break;
          case '*': r = x * y; break;
          case '/':
            if (y == 0) out.null[k] = 1;
            else r = x / y;
            break;
          default: {  // SQLite: the remainder of the operands as integers, as a real
            double ix = std::trunc(x), iy = std::trunc(y);
            if (iy == 0 || std::fabs(ix) > 9e18 || std::fabs(iy) > 9e18) {
              out.null[k] = 1;
            } else {
              r = static_cast<double>(static_cast<int64_t>(ix) % static_cast<int64_t>(iy));
            }
          }
        }
        out.reals[k] = r;
      }
    }
    return;
  }
  compare(op, a, b, n, out);
}

void Evaluator::eval(const Expr& e, const EvalRows& rows, ValueColumn& out) {
  const size_t n = rows.n;
  switch (e.kind) {
    case ExprKind::kLiteral:
      constant(out, e.literal, n, e.literal.text);
      return;
    case ExprKind::kColumn:
      column(e.column, rows, out);
      return;
    case ExprKind::kSlot: {
      const ValueColumn& s = (*rows.slots)[static_cast<size_t>(e.slot)];
      out.reset(s.type, n);
      for (size_t k = 0; k < n; ++k) {
        const size_t i = s.at(rows.sel[k]);
        out.null[k] = s.null[i];
        switch (s.type) {
          case SqlType::kInt:
          case SqlType::kTime: out.ints[k] = s.ints[i]; break;
          case SqlType::kReal: out.reals[k] = s.reals[i]; break;
          case SqlType::kText: out.texts[k] = s.texts[i]; break;
          case SqlType::kNull: break;
        }
      }
      return;
    }
    case ExprKind::kUnary: {
      ValueColumn a;
      eval(*e.args[0], rows, a);
      out.reset(e.type == SqlType::kNull ? SqlType::kNull : e.type, n);
      if (e.type == SqlType::kNull) return;
      for (size_t k = 0; k < n; ++k) {
        if (a.type == SqlType::kNull || a.is_null(k)) {
          out.null[k] = 1;
          continue;
        }
        out.null[k] = 0;
        if (e.op == "NOT") {
          out.ints[k] = !truth(a, k);
        } else if (e.type == SqlType::kReal) {
          out.reals[k] = -a.reals[a.at(k)];
        } else {
          int64_t v = a.ints[a.at(k)];
          out.null[k] = v == INT64_MIN;
          out.ints[k] = v == INT64_MIN ? 0 : -v;
        }
      }
      return;
    }
    case ExprKind::kBinary:
      binary(e, rows, out);
      return;
    case ExprKind::kIsNull: {
      ValueColumn a;
      eval(*e.args[0], rows, a);
      out.reset(SqlType::kInt, n);
      for (size_t k = 0; k < n; ++k) {
        out.null[k] = 0;
        out.ints[k] = (a.type == SqlType::kNull || a.is_null(k)) != e.negated;
      }
      return;
    }
    case ExprKind::kLike: {
      ValueColumn a, p;
      eval(*e.args[0], rows, a);
      eval(*e.args[1], rows, p);
      out.reset(SqlType::kInt, n);
      const bool fold = e.op == "ILIKE";
      for (size_t k = 0; k < n; ++k) {
        if (a.type == SqlType::kNull || p.type == SqlType::kNull || a.is_null(k) || p.is_null(k)) {
          out.null[k] = 1;
          continue;
        }
        out.null[k] = 0;
        out.ints[k] = like_match(a.texts[a.at(k)], p.texts[p.at(k)], fold) != e.negated;
      }
      return;
    }
    case ExprKind::kIn: {
      ValueColumn x, item, eq;
      eval(*e.args[0], rows, x);
      out.reset(SqlType::kInt, n);
      // 0: no match yet, no NULL; 1: match; 2: a NULL seen, no match.
      std::vector<uint8_t> state(n, 0);
      for (size_t i = 1; i < e.args.size(); ++i) {
        eval(*e.args[i], rows, item);
        compare("=", x, item, n, eq);
        for (size_t k = 0; k < n; ++k) {
          if (state[k] == 1) continue;
          if (eq.null[k]) state[k] = 2;
          else if (eq.ints[k]) state[k] = 1;
        }
      }
      for (size_t k = 0; k < n; ++k) {
        out.null[k] = state[k] == 2;
        out.ints[k] = (state[k] == 1) != e.negated;
      }
      return;
    }
    case ExprKind::kBetween: {
      ValueColumn x, lo, hi, ge, le;
      eval(*e.args[0], rows, x);
      eval(*e.args[1], rows, lo);
      eval(*e.args[2], rows, hi);
      compare(">=", x, lo, n, ge);
      compare("<=", x, hi, n, le);
      out.reset(SqlType::kInt, n);
      for (size_t k = 0; k < n; ++k) {
        const bool f1 = !ge.null[k] && !ge.ints[k], f2 = !le.null[k] && !le.ints[k];
        if (f1 || f2) {
          out.null[k] = 0, out.ints[k] = e.negated;
        } else if (ge.null[k] || le.null[k]) {
          out.null[k] = 1;
        } else {
          out.null[k] = 0, out.ints[k] = !e.negated;
        }
      }
      return;
    }
    case ExprKind::kCase: {
      out.reset(e.type, n);
      std::vector<uint8_t> done(n, 0);
      ValueColumn operand, when, then, eq;
      if (e.has_operand) eval(*e.args[0], rows, operand);
      const size_t first = e.has_operand ? 1 : 0;
      const size_t whens_end = e.args.size() - (e.has_else ? 1 : 0);
      auto take = [&](const ValueColumn& v, size_t k) {
        done[k] = 1;
        if (v.type == SqlType::kNull || v.is_null(k) || e.type == SqlType::kNull) {
          out.null[k] = 1;
          return;
        }
        out.null[k] = 0;
        const size_t i = v.at(k);
        switch (e.type) {
          case SqlType::kReal: out.reals[k] = v.number(k); break;
          case SqlType::kText: out.texts[k] = v.texts[i]; break;
          default: out.ints[k] = v.ints[i]; break;
        }
      };
      for (size_t w = first; w < whens_end; w += 2) {
        eval(*e.args[w], rows, when);
        const ValueColumn* cond = &when;
        if (e.has_operand) {
          compare("=", operand, when, n, eq);
          cond = &eq;
        }
        eval(*e.args[w + 1], rows, then);
        for (size_t k = 0; k < n; ++k) {
          if (done[k] || cond->type == SqlType::kNull || cond->is_null(k) || !truth(*cond, k)) continue;
          take(then, k);
        }
      }
      ValueColumn otherwise;
      if (e.has_else) eval(*e.args.back(), rows, otherwise);
      for (size_t k = 0; k < n; ++k) {
        if (done[k]) continue;
        if (e.has_else) take(otherwise, k);
        else out.null[k] = 1;
      }
      return;
    }
    case ExprKind::kFunction: {
      std::vector<ValueColumn> args(e.args.size());
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (e.args[i]->kind == ExprKind::kInterval) continue;
        eval(*e.args[i], rows, args[i]);
      }
      if (e.op == "time_bucket") {
        constant(args[0], SqlValue::integer(e.args[0]->literal.i), n, {});
      }
      eval_scalar_function(e, args, n, out, arena_);
      return;
    }
    default:
      out.reset(SqlType::kNull, n);
      return;
  }
}

size_t Evaluator::filter(const Expr& condition, const EvalRows& rows, uint32_t* kept) {
  eval(condition, rows, condition_);
  size_t m = 0;
  if (condition_.type == SqlType::kNull) return 0;
  for (size_t k = 0; k < rows.n; ++k) {
    if (!condition_.is_null(k) && truth(condition_, k)) kept[m++] = rows.sel[k];
  }
  return m;
}

}  // namespace logan
