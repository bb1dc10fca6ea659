// The query parser: a hand-written lexer and recursive-descent parser; see query_parser.h.
// Precedence, loosest first: OR, AND, NOT, comparisons (= <> < <= > >= IS IN BETWEEN LIKE
// ILIKE), + -, * / %, ||, unary minus.
#include "query/query_parser.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace logan {

ExprPtr Expr::clone() const {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->pos = pos;
  e->end = end;
  e->op = op;
  e->name = name;
  e->literal = literal;
  for (const auto& a : args) e->args.push_back(a->clone());
  e->distinct = distinct;
  e->negated = negated;
  e->has_operand = has_operand;
  e->has_else = has_else;
  e->months = months;
  e->type = type;
  e->column = column;
  e->slot = slot;
  e->function = function;
  e->aux = aux;
  return e;
}

namespace {

enum class Tok { kEnd, kIdent, kQuotedIdent, kString, kInt, kReal, kOp };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier, string body or operator
  size_t pos = 0;
  size_t end = 0;
  int64_t i = 0;
  double r = 0;
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size()) {
      if (std::isspace(static_cast<unsigned char>(s[i]))) {
        ++i;
      } else if (s.substr(i, 2) == "--") {
        while (i < s.size() && s[i] != '\n') ++i;
      } else if (s.substr(i, 2) == "/*") {
        size_t close = s.find("*/", i + 2);
        if (close == std::string_view::npos) throw QueryMistake{i, "unterminated comment"};
        i = close + 2;
      } else {
        break;
      }
    }
    Token t;
    t.pos = i;
    if (i == s.size()) {
      t.end = i;
      out.push_back(t);
      return out;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isalpha(c) || c == '_') {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      t.kind = Tok::kIdent;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (std::isdigit(c) || (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t j = i;
      bool real = false;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      if (j < s.size() && s[j] == '.') {
        real = true;
        ++j;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      }
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
          real = true;
          j = k;
          while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        }
      }
      if (j < s.size() && (std::isalpha(static_cast<unsigned char>(s[j])) || s[j] == '_')) {
        throw QueryMistake{i, "malformed number '" + std::string(s.substr(i, j + 1 - i)) + "'"};
      }
      std::string digits(s.substr(i, j - i));
      if (!real) {
        auto r = std::from_chars(digits.data(), digits.data() + digits.size(), t.i);
        if (r.ec != std::errc()) real = true;  // too big for an integer: a real, as in SQLite
      }
      if (real) t.r = std::strtod(digits.c_str(), nullptr);
      t.kind = real ? Tok::kReal : Tok::kInt;
      t.text = digits;
      i = j;
    } else if (c == '\'' || c == '"') {
      const char quote = static_cast<char>(c);
      size_t j = i + 1;
      std::string body;
      while (true) {
        if (j >= s.size()) {
          throw QueryMistake{i, quote == '\'' ? "unterminated string literal" : "unterminated quoted name"};
        }
        if (s[j] == quote) {
          if (j + 1 < s.size() && s[j + 1] == quote) {
            body += quote;
            j += 2;
            continue;
          }
          ++j;
          break;
        }
        body += s[j++];
      }
      t.kind = quote == '\'' ? Tok::kString : Tok::kQuotedIdent;
      t.text = std::move(body);
      i = j;
    } else {
      static const char* const kOps[] = {"<=", ">=", "<>", "!=", "==", "||", "(", ")", ",", "*",
                                         "+",  "-",  "/",  "%",  "=",  "<",  ">", ".", ";"};
      t.kind = Tok::kOp;
      for (const char* op : kOps) {
        if (s.substr(i, std::strlen(op)) == op) {
          t.text = op;
          break;
        }
      }
      if (t.text.empty()) {
        throw QueryMistake{i, "unexpected character '" + std::string(1, static_cast<char>(c)) + "'"};
      }
      i += t.text.size();
    }
    t.end = i;
    out.push_back(std::move(t));
  }
}

// Words that end an expression or a select item, so they are never read as an alias.
bool is_reserved(const std::string& up) {
  static const char* const kWords[] = {
      "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "AS",
      "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "ILIKE", "BETWEEN", "CASE", "WHEN",
      "THEN", "ELSE", "END", "ASC", "DESC", "NULLS", "DISTINCT", "ALL", "INTERVAL", "TRUE",
      "FALSE", "UNION", "JOIN", "ON", "TIMESTAMP"};
  for (const char* w : kWords) {
    if (up == w) return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(std::string_view sql) : sql_(sql), toks_(lex(sql)) {}

  SelectStatement statement() {
    SelectStatement st;
    expect_word("SELECT");
    if (accept_word("DISTINCT")) {
      st.distinct = true;
    } else {
      accept_word("ALL");
    }
    do {
      if (peek_op("*")) {
        if (!st.items.empty() || st.star) throw QueryMistake{cur().pos, "* must be the only item of the select list"};
        next();
        st.star = true;
        continue;
      }
      if (st.star) throw QueryMistake{cur().pos, "* must be the only item of the select list"};
      SelectItem item;
      item.expr = expr();
      item.text = std::string(sql_.substr(item.expr->pos, item.expr->end - item.expr->pos));
      if (accept_word("AS")) {
        item.alias = name("an alias after AS");
      } else if ((cur().kind == Tok::kIdent && !is_reserved(upper(cur().text))) ||
                 cur().kind == Tok::kQuotedIdent) {
        item.alias = name("an alias");
      }
      st.items.push_back(std::move(item));
    } while (accept_op(","));
    if (accept_word("FROM")) {
      const Token& t = cur();
      std::string table = name("a table name after FROM");
      if (lower(table) != "logs") {
        throw QueryMistake{t.pos, "unknown table '" + table + "': the only table is logs (the log lines)"};
      }
    }
    if (accept_word("WHERE")) st.where = expr();
    if (accept_word("GROUP")) {
      expect_word("BY");
      do st.group_by.push_back(expr()); while (accept_op(","));
    }
    if (accept_word("HAVING")) st.having = expr();
    if (accept_word("ORDER")) {
      expect_word("BY");
      do {
        OrderItem o;
        o.expr = expr();
        if (accept_word("DESC")) {
          o.descending = true;
        } else {
          accept_word("ASC");
        }
        if (accept_word("NULLS")) {
          if (accept_word("FIRST")) {
            o.nulls_first = true;
          } else if (accept_word("LAST")) {
            o.nulls_first = false;
          } else {
            throw QueryMistake{cur().pos, "expected FIRST or LAST after NULLS"};
          }
        }
        st.order_by.push_back(std::move(o));
      } while (accept_op(","));
    }
    if (accept_word("LIMIT")) {
      int64_t first = count("LIMIT");
      if (accept_word("OFFSET")) {
        st.limit = first;
        st.offset = count("OFFSET");
      } else if (accept_op(",")) {  // LIMIT offset, count (SQLite, MySQL)
        st.offset = first;
        st.limit = count("LIMIT");
      } else {
        st.limit = first;
      }
    } else if (accept_word("OFFSET")) {
      st.offset = count("OFFSET");
    }
    accept_op(";");
    if (cur().kind != Tok::kEnd) throw unexpected("the end of the query");
    return st;
  }

 private:
  const Token& cur() const { return toks_[at_]; }
  const Token& peek(size_t ahead) const { return toks_[std::min(at_ + ahead, toks_.size() - 1)]; }
  void next() {
    if (at_ + 1 < toks_.size()) ++at_;
  }
  bool is_word(const Token& t, const char* w) const { return t.kind == Tok::kIdent && upper(t.text) == w; }
  bool peek_word(const char* w) const { return is_word(cur(), w); }
  bool peek_op(const char* op) const { return cur().kind == Tok::kOp && cur().text == op; }
  bool accept_word(const char* w) {
    if (!peek_word(w)) return false;
    next();
    return true;
  }
  bool accept_op(const char* op) {
    if (!peek_op(op)) return false;
    next();
    return true;
  }
  QueryMistake unexpected(const std::string& wanted) const {
    const Token& t = cur();
    if (t.kind == Tok::kEnd) return {t.pos, "expected " + wanted + ", found the end of the query"};
    std::string shown(sql_.substr(t.pos, t.end - t.pos));
    return {t.pos, "expected " + wanted + ", found '" + shown + "'"};
  }
  void expect_word(const char* w) {
    if (!accept_word(w)) throw unexpected(w);
  }
  void expect_op(const char* op) {
    if (!accept_op(op)) throw unexpected(std::string("'") + op + "'");
  }
  std::string name(const char* what) {
    const Token& t = cur();
    if (t.kind == Tok::kQuotedIdent || (t.kind == Tok::kIdent && !is_reserved(upper(t.text)))) {
      std::string n = t.text;
      next();
      return n;
    }
    throw unexpected(what);
  }
  int64_t count(const char* clause) {
    const Token& t = cur();
    bool negative = false;
    size_t pos = t.pos;
    if (peek_op("-")) {
      negative = true;
      next();
    }
    if (cur().kind != Tok::kInt) throw QueryMistake{pos, std::string(clause) + " takes a whole number"};
    int64_t n = cur().i;
    next();
    if (negative) {
      if (std::string(clause) == "LIMIT") return INT64_MAX;  // a negative LIMIT means none, as in SQLite
      throw QueryMistake{pos, "OFFSET must not be negative"};
    }
    return n;
  }

  ExprPtr make(ExprKind kind, size_t pos) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->pos = pos;
    return e;
  }
  size_t last_end() const { return at_ > 0 ? toks_[at_ - 1].end : 0; }
  ExprPtr binary(std::string op, ExprPtr l, ExprPtr r) {
    auto e = make(ExprKind::kBinary, l->pos);
    e->op = std::move(op);
    e->end = r->end;
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return e;
  }

  ExprPtr expr() {
    if (++depth_ > 200) throw QueryMistake{cur().pos, "the query nests too deeply"};
    ExprPtr e = or_expr();
    --depth_;
    return e;
  }
  ExprPtr or_expr() {
    ExprPtr e = and_expr();
    while (accept_word("OR")) e = binary("OR", std::move(e), and_expr());
    return e;
  }
  ExprPtr and_expr() {
    ExprPtr e = not_expr();
    while (accept_word("AND")) e = binary("AND", std::move(e), not_expr());
    return e;
  }
  ExprPtr not_expr() {
    if (peek_word("NOT")) {
      size_t pos = cur().pos;
      next();
      if (++depth_ > 200) throw QueryMistake{pos, "the query nests too deeply"};
      auto e = make(ExprKind::kUnary, pos);
      e->op = "NOT";
      e->args.push_back(not_expr());
      --depth_;
      e->end = e->args[0]->end;
      return e;
    }
    return comparison();
  }
  ExprPtr comparison() {
    ExprPtr e = additive();
    while (true) {
      const Token& t = cur();
      if (t.kind == Tok::kOp && (t.text == "=" || t.text == "==" || t.text == "!=" || t.text == "<>" ||
                                 t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">=")) {
        std::string op = t.text == "==" ? "=" : (t.text == "<>" ? "!=" : t.text);
        next();
        e = binary(op, std::move(e), additive());
        continue;
      }
      if (peek_word("IS")) {
        next();
        auto n = make(ExprKind::kIsNull, e->pos);
        n->negated = accept_word("NOT");
        expect_word("NULL");
        n->end = last_end();
        n->args.push_back(std::move(e));
        e = std::move(n);
        continue;
      }
      bool negated = false;
      if (peek_word("NOT") && (is_word(peek(1), "IN") || is_word(peek(1), "BETWEEN") ||
                               is_word(peek(1), "LIKE") || is_word(peek(1), "ILIKE"))) {
        negated = true;
        next();
      }
      if (accept_word("IN")) {
        auto n = make(ExprKind::kIn, e->pos);
        n->negated = negated;
        n->args.push_back(std::move(e));
        expect_op("(");
        do n->args.push_back(expr()); while (accept_op(","));
        expect_op(")");
        n->end = last_end();
        e = std::move(n);
      } else if (accept_word("BETWEEN")) {
        auto n = make(ExprKind::kBetween, e->pos);
        n->negated = negated;
        n->args.push_back(std::move(e));
        n->args.push_back(additive());
        expect_word("AND");
        n->args.push_back(additive());
        n->end = n->args[2]->end;
        e = std::move(n);
      } else if (peek_word("LIKE") || peek_word("ILIKE")) {
        auto n = make(ExprKind::kLike, e->pos);
        n->op = upper(cur().text);
        next();
        n->negated = negated;
        n->args.push_back(std::move(e));
        n->args.push_back(additive());
        n->end = n->args[1]->end;
        e = std::move(n);
      } else {
        if (negated) throw unexpected("IN, BETWEEN or LIKE after NOT");
        return e;
      }
    }
  }
  ExprPtr additive() {
    ExprPtr e = multiplicative();
    while (peek_op("+") || peek_op("-")) {
      std::string op = cur().text;
      next();
      e = binary(op, std::move(e), multiplicative());
    }
    return e;
  }
  ExprPtr multiplicative() {
    ExprPtr e = concatenation();
    while (peek_op("*") || peek_op("/") || peek_op("%")) {
      std::string op = cur().text;
      next();
      e = binary(op, std::move(e), concatenation());
    }
    return e;
  }
  ExprPtr concatenation() {
    ExprPtr e = unary();
    while (accept_op("||")) e = binary("||", std::move(e), unary());
    return e;
  }
  ExprPtr unary() {
    if (peek_op("-") || peek_op("+")) {
      size_t pos = cur().pos;
      bool minus = cur().text == "-";
      next();
      if (++depth_ > 200) throw QueryMistake{pos, "the query nests too deeply"};
      ExprPtr operand = unary();
      --depth_;
      if (!minus) {
        operand->pos = pos;
        return operand;
      }
      auto e = make(ExprKind::kUnary, pos);
      e->op = "-";
      e->end = operand->end;
      e->args.push_back(std::move(operand));
      return e;
    }
    return primary();
  }
  ExprPtr literal(SqlValue v, size_t pos) {
    auto e = make(ExprKind::kLiteral, pos);
    e->literal = std::move(v);
    e->end = last_end();
    return e;
  }
  ExprPtr primary() {
    const Token t = cur();
    switch (t.kind) {
      case Tok::kInt: next(); return literal(SqlValue::integer(t.i), t.pos);
      case Tok::kReal: next(); return literal(SqlValue::real(t.r), t.pos);
      case Tok::kString: next(); return literal(SqlValue::string(t.text), t.pos);
      case Tok::kQuotedIdent: {
        next();
        auto e = make(ExprKind::kName, t.pos);
        e->name = t.text;
        e->end = t.end;
        return e;
      }
      case Tok::kOp:
        if (t.text == "(") {
          next();
          ExprPtr inner = expr();
          expect_op(")");
          inner->pos = t.pos;
          inner->end = last_end();
          return inner;
        }
        throw unexpected("an expression");
      case Tok::kEnd: throw unexpected("an expression");
      case Tok::kIdent: break;
    }
    const std::string up = upper(t.text);
    if (up == "NULL") {
      next();
      return literal(SqlValue::null(), t.pos);
    }
    if (up == "TRUE" || up == "FALSE") {
      next();
      return literal(SqlValue::integer(up == "TRUE"), t.pos);
    }
    if (up == "CASE") return case_expr();
    if (up == "INTERVAL" && peek(1).kind == Tok::kString) {
      next();
      const Token s = cur();
      next();
      return interval(s);
    }
    if (up == "TIMESTAMP" && peek(1).kind == Tok::kString) {
      next();
      const Token s = cur();
      next();
      auto e = literal(SqlValue::string(s.text), t.pos);
      e->op = "TIMESTAMP";  // the planner reads it as a time
      return e;
    }
    if (is_reserved(up)) throw unexpected("an expression");
    next();
    if (accept_op("(")) return call(t);
    auto e = make(ExprKind::kName, t.pos);
    e->name = t.text;
    if (accept_op(".")) {  // NAME.COLUMN: a looked-up column
      e->name += "." + name("a column name after '.'");
    }
    e->end = last_end();
    return e;
  }
  ExprPtr call(const Token& fn) {
    auto e = make(ExprKind::kFunction, fn.pos);
    e->op = lower(fn.text);
    if (accept_op(")")) {
      e->end = last_end();
      return e;
    }
    if (accept_word("DISTINCT")) e->distinct = true;
    if (peek_op("*") && peek(1).kind == Tok::kOp && peek(1).text == ")") {
      auto star = make(ExprKind::kStar, cur().pos);
      star->end = cur().end;
      next();
      e->args.push_back(std::move(star));
    } else {
      do e->args.push_back(expr()); while (accept_op(","));
    }
    expect_op(")");
    e->end = last_end();
    return e;
  }
  ExprPtr case_expr() {
    auto e = make(ExprKind::kCase, cur().pos);
    next();
    if (!peek_word("WHEN")) {
      e->has_operand = true;
      e->args.push_back(expr());
    }
    if (!peek_word("WHEN")) throw unexpected("WHEN");
    while (accept_word("WHEN")) {
      e->args.push_back(expr());
      expect_word("THEN");
      e->args.push_back(expr());
    }
    if (accept_word("ELSE")) {
      e->has_else = true;
      e->args.push_back(expr());
    }
    expect_word("END");
    e->end = last_end();
    return e;
  }
  // INTERVAL '5 minutes', '1 hour', '30 s', '2 days', '1 week', '3 months'.
  ExprPtr interval(const Token& s) {
    std::string_view text = s.text;
    size_t i = 0;
    while (i < text.size() && text[i] == ' ') ++i;
    size_t digits = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    int64_t n = 0;
    bool number = i > digits && std::from_chars(text.data() + digits, text.data() + i, n).ec == std::errc();
    while (i < text.size() && text[i] == ' ') ++i;
    std::string unit = lower(text.substr(i));
    while (!unit.empty() && unit.back() == ' ') unit.pop_back();
    if (!number && !unit.empty()) n = 1;  // INTERVAL 'minute'
    struct Unit { const char* name; int64_t seconds; bool months; };
    static const Unit kUnits[] = {
        {"s", 1, false}, {"sec", 1, false}, {"secs", 1, false}, {"second", 1, false},
        {"seconds", 1, false}, {"m", 60, false}, {"min", 60, false}, {"mins", 60, false},
        {"minute", 60, false}, {"minutes", 60, false}, {"h", 3600, false}, {"hour", 3600, false},
        {"hours", 3600, false}, {"d", 86400, false}, {"day", 86400, false}, {"days", 86400, false},
        {"w", 604800, false}, {"week", 604800, false}, {"weeks", 604800, false},
        {"month", 1, true}, {"months", 1, true}, {"mon", 1, true}, {"mons", 1, true},
        {"year", 12, true}, {"years", 12, true}};
    for (const Unit& u : kUnits) {
      if (unit == u.name && n > 0 && n <= 1000000000) {
        auto e = make(ExprKind::kInterval, s.pos);
        e->literal = SqlValue::integer(n * u.seconds);
        e->months = u.months;
        e->end = s.end;
        return e;
      }
    }
    throw QueryMistake{s.pos, "malformed interval '" + s.text +
                                  "': write a positive count and a unit, e.g. '5 minutes' (units: "
                                  "second, minute, hour, day, week, month, year)"};
  }

  std::string_view sql_;
  std::vector<Token> toks_;
  size_t at_ = 0;
  int depth_ = 0;
};

}  // namespace

SelectStatement parse_query(std::string_view sql) {
  Parser p(sql);
  return p.statement();
}

}  // namespace logan
