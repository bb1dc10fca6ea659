// Runs one SQL query with DuckDB (npm @duckdb/node-api) over an access log, the way a DuckDB
// user would without logan: the file read as one text column, a view `logs` whose columns are
// regexp_extract()s of the combined (+ %D) layout, then the query. Prints the rows as JSON and,
// on stderr, the seconds the query took (the view is lazy: the time includes reading and
// parsing the file).  Usage: node duckdb_query.mjs FILE SQL
import { DuckDBInstance } from '@duckdb/node-api';

const [file, sql] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const line = String.raw`^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) ([^" ?]*)(\?[^" ]*)? ([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"(?: (\d+))?$`;
await c.run(`CREATE VIEW raw AS SELECT regexp_extract(line, '${line}',
    ['client', 'user', 'ts', 'method', 'path', 'query', 'protocol', 'status', 'size', 'referer', 'user_agent', 'us']) AS f
  FROM read_csv('${file}', columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '', escape = '',
                header = false, auto_detect = false, ignore_errors = true)`);
await c.run(`CREATE VIEW logs AS SELECT f.client AS client, f.path AS path, f.method AS method,
    TRY_CAST(f.status AS INTEGER) AS status, TRY_CAST(NULLIF(f.size, '-') AS BIGINT) AS size,
    strptime(f.ts, '%d/%b/%Y:%H:%M:%S %z') AS time,
    TRY_CAST(f.us AS BIGINT) / 1e6 AS duration
  FROM raw WHERE f.client <> ''`);
const start = process.hrtime.bigint();
const result = await c.runAndReadAll(sql);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify(result.getRows(), (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
console.error(seconds.toFixed(3));
