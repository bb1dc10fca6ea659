// The query planner: names, types, aggregates and the two stages; see query_plan.h.
#include "query/query_plan.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "query/query_parser.h"
#include "query/scalar_functions.h"

namespace logan {

const QueryColumnInfo kQueryColumns[kColumnCount] = {
    {"time", SqlType::kTime, "when the request was logged (UTC)"},
    {"client", SqlType::kText, "client address (%h, %a, $remote_addr)"},
    {"user", SqlType::kText, "authenticated user (%u, $remote_user)"},
    {"method", SqlType::kText, "request method"},
    {"path", SqlType::kText, "request target before '?'"},
    {"query", SqlType::kText, "request target after '?'"},
    {"protocol", SqlType::kText, "HTTP/1.1 and the like"},
    {"status", SqlType::kInt, "response status"},
    {"size", SqlType::kInt, "response bytes (%b, %B, %O, $body_bytes_sent, $bytes_sent)"},
    {"duration_us", SqlType::kInt, "time taken, microseconds (%D, %T, $request_time)"},
    {"referer", SqlType::kText, "Referer header"},
    {"user_agent", SqlType::kText, "User-Agent header"},
    {"vhost", SqlType::kText, "virtual host (%v, %V, $host, $server_name)"},
    {"request", SqlType::kText, "the request line as logged"},
    {"duration", SqlType::kReal, "time taken, seconds"},
    {"source", SqlType::kText, "the input the line came from"},
};

bool format_has_column(const LogFormat& f, int column) {
  auto any = [&f](std::initializer_list<FieldKind> kinds) {
    for (FieldKind k : kinds) {
      if (f.has(k)) return true;
    }
    return false;
  };
  switch (column) {
    case kColTime: return any({FieldKind::kTimeBracketed, FieldKind::kTimeClf, FieldKind::kTimeIso8601, FieldKind::kTimeEpoch});
    case kColClient: return any({FieldKind::kClient, FieldKind::kRemoteIp});
    case kColUser: return any({FieldKind::kUser});
    case kColMethod: return any({FieldKind::kRequest, FieldKind::kMethod});
    case kColPath:
    case kColQuery: return any({FieldKind::kRequest, FieldKind::kPath, FieldKind::kTarget, FieldKind::kQuery});
    case kColProtocol: return any({FieldKind::kRequest, FieldKind::kProtocol});
    case kColStatus: return any({FieldKind::kStatus});
    case kColSize: return any({FieldKind::kSizeClf, FieldKind::kBytes, FieldKind::kBytesSent});
    case kColDurationUs:
    case kColDuration:
      return any({FieldKind::kDurationMicros, FieldKind::kDurationMillis, FieldKind::kDurationSeconds, FieldKind::kDurationDecimal});
    case kColReferer: return any({FieldKind::kReferer});
    case kColUserAgent: return any({FieldKind::kUserAgent});
    case kColVhost: return any({FieldKind::kVhost});
    case kColRequest: return any({FieldKind::kRequest});
    default: return true;
  }
}

std::vector<SqlType> QueryPlan::output_types() const {
  std::vector<SqlType> types;
  for (const auto& e : outputs) types.push_back(e->type);
  return types;
}

std::pair<size_t, size_t> line_and_column(std::string_view sql, size_t offset) {
  offset = std::min(offset, sql.size());
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (sql[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(sql[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {line, col};
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

// " (did you mean 'x'?)" for the nearest of `names`, or "" when none is near.
std::string nearest(std::string_view wrong, const std::vector<std::string>& names) {
  std::string best;
  size_t best_d = std::max<size_t>(2, wrong.size() / 3) + 1;
  const std::string w = lower(wrong);
  for (const auto& n : names) {
    size_t d = edit_distance(w, n);
    if (n.find(w) != std::string::npos && w.size() >= 3) d = std::min<size_t>(d, 1);
    if (d < best_d) {
      best_d = d;
      best = n;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

bool is_text_literal(const Expr& e) { return e.kind == ExprKind::kLiteral && e.literal.type == SqlType::kText; }

// Two bound expressions that compute the same thing.
bool same_expr(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.op != b.op || a.column != b.column || a.slot != b.slot ||
      a.distinct != b.distinct || a.negated != b.negated || a.has_operand != b.has_operand ||
      a.has_else != b.has_else || a.months != b.months || a.args.size() != b.args.size() ||
      a.type != b.type) {
    return false;
  }
  if ((a.kind == ExprKind::kLiteral || a.kind == ExprKind::kInterval) &&
      (a.literal.type != b.literal.type || !(a.literal == b.literal))) {
    return false;
  }
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (!same_expr(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

class Planner {
 public:
  explicit Planner(std::string_view sql) : sql_(sql) {}

  QueryPlan plan() {
    SelectStatement st = parse_query(sql_);
    QueryPlan p;
    p.sql = std::string(sql_);
    p.distinct = st.distinct;
    p.limit = st.limit;
    p.offset = st.offset;
    if (st.star) {
      for (int c = 0; c < kColumnCount; ++c) {
        SelectItem item;
        item.expr = std::make_unique<Expr>();
        item.expr->kind = ExprKind::kName;
        item.expr->name = kQueryColumns[c].name;
        item.text = kQueryColumns[c].name;
        st.items.push_back(std::move(item));
      }
    }
    for (const auto& item : st.items) {
      if (!item.alias.empty()) aliases_.push_back(lower(item.alias));
    }
    items_ = &st.items;

    if (st.where) {
      p.where = bind(st.where->clone(), Where::kWhere);
      require_condition(*p.where, "WHERE");
    }
    // Aggregated when grouped or when an aggregate appears in the select list, HAVING or ORDER BY.
    bool has_aggregate = false;
    for (const auto& item : st.items) has_aggregate |= mentions_aggregate(*item.expr);
    if (st.having) has_aggregate |= mentions_aggregate(*st.having);
    for (const auto& o : st.order_by) {
      if (!is_ordinal(*o.expr) && !is_alias(*o.expr)) has_aggregate |= mentions_aggregate(*o.expr);
    }
    p.aggregated = has_aggregate || !st.group_by.empty();
    if (st.having && !p.aggregated) {
      throw QueryMistake{st.having->pos, "HAVING needs GROUP BY or an aggregate in the select list"};
    }

    // GROUP BY: ordinals and aliases name select items; anything else is an expression.
    for (const auto& g : st.group_by) {
      ExprPtr key;
      if (auto ordinal = item_ordinal(*g, "GROUP BY")) {
        const Expr& target = *st.items[*ordinal].expr;
        if (mentions_aggregate(target)) {
          throw QueryMistake{g->pos, "GROUP BY " + std::to_string(*ordinal + 1) + " names an aggregate"};
        }
        key = bind(target.clone(), Where::kGroupBy);
      } else if (g->kind == ExprKind::kName && column_of(g->name) < 0 && alias_item(g->name)) {
        const Expr& target = *alias_item(g->name)->expr;
        if (mentions_aggregate(target)) {
          throw QueryMistake{g->pos, "GROUP BY " + g->name + " names an aggregate"};
        }
        key = bind(target.clone(), Where::kGroupBy);
      } else {
        key = bind(g->clone(), Where::kGroupBy);
      }
      p.keys.push_back(std::move(key));
    }
    plan_ = &p;

    for (const auto& item : st.items) {
      ExprPtr e = bind(item.expr->clone(), p.aggregated ? Where::kAggregated : Where::kSelect);
      if (p.aggregated) e = to_slots(std::move(e));
      p.outputs.push_back(std::move(e));
      p.names.push_back(item.alias.empty() ? item.text : item.alias);
    }
    if (st.having) {
      p.having = to_slots(bind(st.having->clone(), Where::kAggregated));
      require_condition(*p.having, "HAVING");
    }
    for (const auto& o : st.order_by) {
      PlannedOrder po;
      po.descending = o.descending;
      po.nulls_first = o.nulls_first.value_or(!o.descending);
      if (auto ordinal = item_ordinal(*o.expr, "ORDER BY")) {
        po.key = p.outputs[*ordinal]->clone();
      } else if (o.expr->kind == ExprKind::kName && alias_item(o.expr->name)) {
        size_t index = static_cast<size_t>(alias_item(o.expr->name) - st.items.data());
        po.key = p.outputs[index]->clone();
      } else {
        po.key = bind(o.expr->clone(), p.aggregated ? Where::kAggregated : Where::kSelect);
        if (p.aggregated) po.key = to_slots(std::move(po.key));
      }
      if (p.distinct) {
        bool listed = false;
        for (const auto& out : p.outputs) listed |= same_expr(*out, *po.key);
        if (!listed) {
          throw QueryMistake{o.expr->pos, "with SELECT DISTINCT, ORDER BY expressions must appear in the select list"};
        }
      }
      p.order.push_back(std::move(po));
    }
    p.columns_used.assign(columns_.begin(), columns_.end());
    p.extra_columns = plan_extra_columns_;
    p.header_columns = plan_header_columns_;
    return p;
  }

 private:
  enum class Where { kWhere, kGroupBy, kSelect, kAggregated, kAggregateArg };

  static bool is_ordinal(const Expr& e) { return e.kind == ExprKind::kLiteral && e.literal.type == SqlType::kInt; }
  bool is_alias(const Expr& e) const { return e.kind == ExprKind::kName && alias_item(e.name) != nullptr; }

  std::optional<size_t> item_ordinal(const Expr& e, const char* clause) const {
    if (!is_ordinal(e)) return std::nullopt;
    if (e.literal.i < 1 || e.literal.i > static_cast<int64_t>(items_->size())) {
      throw QueryMistake{e.pos, std::string(clause) + " " + std::to_string(e.literal.i) +
                                    " is not in the select list (1 to " + std::to_string(items_->size()) + ")"};
    }
    return static_cast<size_t>(e.literal.i - 1);
  }
  const SelectItem* alias_item(const std::string& name) const {
    const std::string n = lower(name);
    for (const auto& item : *items_) {
      if (!item.alias.empty() && lower(item.alias) == n) return &item;
    }
    return nullptr;
  }
  static int column_of(const std::string& name) {
    const std::string n = lower(name);
    for (int c = 0; c < kColumnCount; ++c) {
      if (n == kQueryColumns[c].name) return c;
    }
    return -1;
  }
  static bool mentions_aggregate(const Expr& e) {
    if (e.kind == ExprKind::kFunction && find_aggregate(e.op)) return true;
    for (const auto& a : e.args) {
      if (mentions_aggregate(*a)) return true;
    }
    return false;
  }
  static void require_condition(const Expr& e, const char* clause) {
    if (e.type == SqlType::kText || e.type == SqlType::kTime) {
      throw QueryMistake{e.pos, std::string(clause) + " needs a condition, not a " + sql_type_name(e.type) + " value"};
    }
  }

  [[noreturn]] void type_mistake(const Expr& at, const std::string& what) const { throw QueryMistake{at.pos, what}; }

  // A text literal compared with a time is read as a time; anything else that is not a time
  // is a mistake, never a text comparison.
  void coerce_time(Expr& e) {
    if (e.type != SqlType::kText) return;
    if (!is_text_literal(e)) return;
    auto t = parse_time_literal(e.literal.text);
    if (!t) {
      type_mistake(e, "'" + e.literal.text + "' is not a time: write '2024-03-07T18:00:00Z', "
                      "'2024-03-07 18:00:00' (UTC) or '2024-03-07T18:00:00+01:00'");
    }
    e.literal = SqlValue::time(*t);
    e.type = SqlType::kTime;
  }

  // Makes a and b comparable (a time literal read as a time), or says why they are not.
  void comparable(Expr& a, Expr& b, const Expr& at) {
    if (a.type == SqlType::kTime) coerce_time(b);
    if (b.type == SqlType::kTime) coerce_time(a);
    SqlType x = a.type, y = b.type;
    if (x == SqlType::kNull || y == SqlType::kNull) return;
    if (is_numeric(x) && is_numeric(y)) return;
    if (x == y) return;
    type_mistake(at, std::string("cannot compare ") + sql_type_name(x) + " with " + sql_type_name(y) +
                         (x == SqlType::kText || y == SqlType::kText
                              ? " (text compares only with text; quote the number, or compare a number column)"
                              : ""));
  }

  void need_number(const Expr& e, const std::string& what) const {
    if (e.type != SqlType::kNull && !is_numeric(e.type)) {
      type_mistake(e, what + " needs a number, not " + sql_type_name(e.type));
    }
  }

  // The common type of CASE branches or COALESCE arguments.
  SqlType common_type(const std::vector<Expr*>& values, const char* what) const {
    SqlType t = SqlType::kNull;
    for (Expr* v : values) {
      if (v->type == SqlType::kNull) continue;
      if (t == SqlType::kNull) {
        t = v->type;
      } else if (is_numeric(t) && is_numeric(v->type)) {
        if (v->type == SqlType::kReal) t = SqlType::kReal;
      } else if (t != v->type) {
        type_mistake(*v, std::string(what) + " mixes " + sql_type_name(t) + " and " + sql_type_name(v->type));
      }
    }
    return t;
  }

  ExprPtr bind(ExprPtr e, Where where) {
    switch (e->kind) {
      case ExprKind::kLiteral:
        e->type = e->literal.type;
        if (e->op == "TIMESTAMP") {
          e->op.clear();
          coerce_time(*e);
        }
        return e;
      case ExprKind::kName: {
        int c = column_of(e->name);
        if (c < 0) {
          // An output alias stands for its expression outside WHERE (an aggregate's alias only
          // where aggregates may be: HAVING, the select list, ORDER BY).
          if (where != Where::kWhere && where != Where::kAggregateArg && alias_item(e->name) &&
              (where == Where::kAggregated || !mentions_aggregate(*alias_item(e->name)->expr))) {
            const std::string alias = lower(e->name);
            if (std::find(expanding_.begin(), expanding_.end(), alias) != expanding_.end()) {
              throw QueryMistake{e->pos, "alias '" + e->name + "' refers to itself"};
            }
            expanding_.push_back(alias);
            size_t pos = e->pos;
            ExprPtr target = bind(alias_item(e->name)->expr->clone(), where);
            expanding_.pop_back();
            target->pos = pos;
            return target;
          }
          const std::string lowered = lower(e->name);
          if (lowered == "http_referer" || lowered == "http_user_agent") {  // nginx's names
            e->name = lowered == "http_referer" ? "referer" : "user_agent";
            return bind(std::move(e), where);
          }
          if (lowered.starts_with("http_") || lowered.starts_with("sent_http_")) {  // a header
            auto& headers = plan_header_columns_;
            auto it = std::find(headers.begin(), headers.end(), lowered);
            if (it == headers.end()) it = headers.insert(headers.end(), lowered);
            e->kind = ExprKind::kColumn;
            e->column = kHeaderColumnBase + static_cast<int>(it - headers.begin());
            e->type = SqlType::kText;
            return e;
          }
          if (e->name.find('.') != std::string::npos) {  // NAME.COLUMN: a looked-up column
            auto& extras = plan_extra_columns_;
            auto it = std::find(extras.begin(), extras.end(), e->name);
            if (it == extras.end()) it = extras.insert(extras.end(), e->name);
            e->kind = ExprKind::kColumn;
            e->column = kColumnCount + static_cast<int>(it - extras.begin());
            e->type = SqlType::kText;
            return e;
          }
          std::vector<std::string> names;
          for (const auto& col : kQueryColumns) names.emplace_back(col.name);
          throw QueryMistake{e->pos, "unknown column '" + e->name + "'" + nearest(e->name, names)};
        }
        e->kind = ExprKind::kColumn;
        e->column = c;
        e->type = kQueryColumns[c].type;
        columns_.insert(c);
        return e;
      }
      case ExprKind::kStar:
        throw QueryMistake{e->pos, "* is only allowed in count(*) and alone in the select list"};
      case ExprKind::kInterval:
        throw QueryMistake{e->pos, "an INTERVAL is only allowed as time_bucket's first argument"};
      case ExprKind::kColumn:
      case ExprKind::kSlot:
        return e;
      default: break;
    }
    if (e->kind == ExprKind::kFunction) {
      if (const AggregateFunction* agg = find_aggregate(e->op)) return bind_aggregate(std::move(e), *agg, where);
      if (!is_scalar_function(e->op)) {
        std::vector<std::string> names = scalar_function_names();
        for (const auto& a : all_aggregates()) names.emplace_back(a.name);
        throw QueryMistake{e->pos, "unknown function '" + e->op + "'" + nearest(e->op, names)};
      }
      if (e->distinct) throw QueryMistake{e->pos, "DISTINCT is only allowed in count(DISTINCT x)"};
      for (auto& a : e->args) {
        if (a->kind == ExprKind::kInterval && e->op == "time_bucket" && &a == &e->args[0]) {
          a->type = SqlType::kInt;
          continue;
        }
        a = bind(std::move(a), where);
      }
      bind_scalar_function(*e);
      return e;
    }
    for (auto& a : e->args) a = bind(std::move(a), where);
    switch (e->kind) {
      case ExprKind::kUnary:
        need_number(*e->args[0], e->op == "-" ? "unary minus" : "NOT");
        e->type = e->op == "NOT" ? SqlType::kInt : e->args[0]->type;
        if (e->type == SqlType::kNull && e->op == "-") e->type = SqlType::kNull;
        break;
      case ExprKind::kBinary: {
        Expr& l = *e->args[0];
        Expr& r = *e->args[1];
        const std::string& op = e->op;
        if (op == "AND" || op == "OR") {
          need_number(l, op);
          need_number(r, op);
          e->type = SqlType::kInt;
        } else if (op == "||") {
          e->type = SqlType::kText;
        } else if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
          if (l.type == SqlType::kTime || r.type == SqlType::kTime) {
            type_mistake(*e, "operator " + op + " does not apply to timestamps: use date_trunc, time_bucket or epoch(time)");
          }
          need_number(l, "operator " + op);
          need_number(r, "operator " + op);
          if (l.type == SqlType::kNull || r.type == SqlType::kNull) {
            e->type = (l.type == SqlType::kReal || r.type == SqlType::kReal) ? SqlType::kReal : SqlType::kInt;
          } else {
            e->type = (l.type == SqlType::kReal || r.type == SqlType::kReal) ? SqlType::kReal : SqlType::kInt;
          }
        } else {  // comparison
          comparable(l, r, *e);
          e->type = SqlType::kInt;
        }
        break;
      }
      case ExprKind::kIn:
        for (size_t i = 1; i < e->args.size(); ++i) comparable(*e->args[0], *e->args[i], *e->args[i]);
        e->type = SqlType::kInt;
        break;
      case ExprKind::kBetween:
        comparable(*e->args[0], *e->args[1], *e->args[1]);
        comparable(*e->args[0], *e->args[2], *e->args[2]);
        e->type = SqlType::kInt;
        break;
      case ExprKind::kLike:
        for (int i = 0; i < 2; ++i) {
          const Expr& a = *e->args[i];
          if (a.type != SqlType::kText && a.type != SqlType::kNull) {
            type_mistake(a, e->op + " needs text, not " + sql_type_name(a.type));
          }
        }
        e->type = SqlType::kInt;
        break;
      case ExprKind::kIsNull:
        e->type = SqlType::kInt;
        break;
      case ExprKind::kCase: {
        size_t first = e->has_operand ? 1 : 0;
        size_t whens_end = e->args.size() - (e->has_else ? 1 : 0);
        std::vector<Expr*> results;
        for (size_t i = first; i < whens_end; i += 2) {
          if (e->has_operand) {
            comparable(*e->args[0], *e->args[i], *e->args[i]);
          } else {
            need_number(*e->args[i], "WHEN");
          }
          results.push_back(e->args[i + 1].get());
        }
        if (e->has_else) results.push_back(e->args.back().get());
        e->type = common_type(results, "CASE");
        break;
      }
      default: break;
    }
    return e;
  }

  ExprPtr bind_aggregate(ExprPtr e, const AggregateFunction& agg, Where where) {
    if (where == Where::kWhere) throw QueryMistake{e->pos, "aggregate functions are not allowed in WHERE (use HAVING)"};
    if (where == Where::kGroupBy) throw QueryMistake{e->pos, "aggregate functions are not allowed in GROUP BY"};
    if (where == Where::kAggregateArg) throw QueryMistake{e->pos, "aggregate functions cannot be nested"};
    if (where == Where::kSelect) throw QueryMistake{e->pos, "internal: aggregate outside an aggregated query"};
    if (e->args.empty()) throw QueryMistake{e->pos, std::string(agg.name) + " needs an argument"};
    AggregateCall call;
    call.function = agg.name;
    call.distinct = e->distinct;
    if (e->distinct && call.function != "count") {
      throw QueryMistake{e->pos, "DISTINCT is only supported in count(DISTINCT x)"};
    }
    if (e->args[0]->kind == ExprKind::kStar) {
      if (call.function != "count" || e->args.size() != 1 || e->distinct) {
        throw QueryMistake{e->args[0]->pos, "* is only allowed in count(*)"};
      }
    } else {
      e->args[0] = bind(std::move(e->args[0]), Where::kAggregateArg);
      call.has_arg = true;
      call.arg_type = e->args[0]->type;
    }
    for (size_t i = 1; i < e->args.size(); ++i) {
      e->args[i] = bind(std::move(e->args[i]), Where::kAggregateArg);
      const Expr& p = *e->args[i];
      if (p.kind != ExprKind::kLiteral) {
        throw QueryMistake{p.pos, std::string(agg.name) + "'s argument " + std::to_string(i + 1) + " must be a constant"};
      }
      call.params.push_back(p.literal);
    }
    SqlType result = SqlType::kNull;
    std::string wrong = agg.check(call, &result);
    if (!wrong.empty()) throw QueryMistake{e->pos, wrong};
    e->type = result;
    return e;
  }

  // Rewrites an aggregated query's output expression over the slots: GROUP BY keys and
  // aggregates become slots; a column anywhere else is a mistake.
  ExprPtr to_slots(ExprPtr e) {
    QueryPlan& p = *plan_;
    for (size_t k = 0; k < p.keys.size(); ++k) {
      if (same_expr(*e, *p.keys[k])) return slot(static_cast<int>(k), *e);
    }
    if (e->kind == ExprKind::kFunction && find_aggregate(e->op)) {
      PlannedAggregate pa;
      pa.function = find_aggregate(e->op);
      pa.call.function = pa.function->name;
      pa.call.distinct = e->distinct;
      pa.call.has_arg = e->args[0]->kind != ExprKind::kStar;
      if (pa.call.has_arg) {
        pa.call.arg_type = e->args[0]->type;
        pa.arg = e->args[0]->clone();
      }
      for (size_t i = 1; i < e->args.size(); ++i) pa.call.params.push_back(e->args[i]->literal);
      pa.type = e->type;
      for (size_t a = 0; a < p.aggregates.size(); ++a) {
        const PlannedAggregate& q = p.aggregates[a];
        bool same = q.call.function == pa.call.function && q.call.distinct == pa.call.distinct &&
                    q.call.has_arg == pa.call.has_arg && q.call.params.size() == pa.call.params.size() &&
                    (!q.call.has_arg || same_expr(*q.arg, *pa.arg));
        for (size_t i = 0; same && i < q.call.params.size(); ++i) same = q.call.params[i] == pa.call.params[i];
        if (same) return slot(static_cast<int>(p.keys.size() + a), *e);
      }
      pa.state = p.states.size();
      for (size_t a = 0; a < p.aggregates.size(); ++a) {
        const PlannedAggregate& q = p.aggregates[a];
        if (pa.function->shared_state && q.function->shared_state &&
            std::string_view(pa.function->shared_state) == q.function->shared_state && q.arg && pa.arg &&
            same_expr(*q.arg, *pa.arg)) {
          pa.state = q.state;
          break;
        }
      }
      if (pa.state == p.states.size()) p.states.push_back(p.aggregates.size());
      p.aggregates.push_back(std::move(pa));
      return slot(static_cast<int>(p.keys.size() + p.aggregates.size() - 1), *e);
    }
    if (e->kind == ExprKind::kColumn) {
      const std::string name =
          e->column < kColumnCount        ? kQueryColumns[e->column].name
          : e->column >= kHeaderColumnBase ? plan_header_columns_[static_cast<size_t>(e->column - kHeaderColumnBase)]
                                           : plan_extra_columns_[static_cast<size_t>(e->column - kColumnCount)];
      throw QueryMistake{e->pos, "column '" + name + "' must appear in GROUP BY or be used in an aggregate function"};
    }
    for (auto& a : e->args) {
      if (a->kind == ExprKind::kInterval) continue;
      a = to_slots(std::move(a));
    }
    return e;
  }
  static ExprPtr slot(int index, const Expr& of) {
    auto s = std::make_unique<Expr>();
    s->kind = ExprKind::kSlot;
    s->slot = index;
    s->type = of.type;
    s->pos = of.pos;
    s->end = of.end;
    return s;
  }

  std::string_view sql_;
  std::vector<std::string> aliases_;
  std::vector<std::string> expanding_;  // aliases being replaced by their expressions
  const std::vector<SelectItem>* items_ = nullptr;
  QueryPlan* plan_ = nullptr;
  std::set<int> columns_;
  std::vector<std::string> plan_extra_columns_;
  std::vector<std::string> plan_header_columns_;
};

}  // namespace

CompiledQuery compile_query(std::string_view sql) {
  CompiledQuery out;
  try {
    Planner planner(sql);
    out.plan = planner.plan();
  } catch (const QueryMistake& m) {
    out.error = {m.pos, m.message};
  }
  return out;
}

}  // namespace logan
