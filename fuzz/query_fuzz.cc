// libFuzzer target for the query language: every input is compiled as a query (the lexer, the
// parser and the planner must answer any text with a plan or a mistake inside the text, never
// crash or hang), and a query that compiles is run over a few fixed log lines, its result
// written as text, CSV and JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parse/log_format.h"
#include "parse/log_parser.h"
#include "query/query_plan.h"
#include "query/query_state.h"
#include "report/query_output.h"

namespace {

const char* const kLines[] = {
    R"(10.0.0.1 - alice [07/Mar/2024:13:55:36 -0700] "GET /a/b?x=1 HTTP/1.1" 200 2326 "-" "curl/8.0" 1234)",
    R"(2001:db8::1 - - [07/Mar/2024:13:55:37 +0000] "POST /login HTTP/2.0" 401 - "https://e.com/" "Mozilla/5.0" 99)",
    R"(host.example - - [07/Mar/2024:14:00:00 +0000] "-" 408 0 "-" "-" 0)",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  logan::CompiledQuery compiled = logan::compile_query(sql);
  if (!compiled.plan) {
    if (compiled.error.offset > sql.size() || compiled.error.message.empty()) std::abort();
    return 0;
  }
  static const logan::LogFormat format = logan::LogFormat::compile("combined_duration").value();
  logan::LogParser parser(format);
  logan::LogRecord records[3];
  size_t n = 0;
  for (const char* line : kLines) n += parser.parse(line, records[n]);
  logan::QueryState state(*compiled.plan);
  state.add(records, n, "fuzz.log", 0);
  logan::QueryState other(*compiled.plan);
  other.add(records, n, "fuzz.log", 1);
  state.merge(other);
  logan::QueryResult result = state.finish();
  logan::query_result_text(result);
  logan::query_result_csv(result);
  logan::query_result_json(result);
  return 0;
}
