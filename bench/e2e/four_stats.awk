# four_stats.awk: the four reference statistics of logan, the way a typical awk one-liner
# computes them, for the end-to-end benchmark (bench/e2e/run.sh). Written for mawk; any POSIX
# awk works. Run with LC_ALL=C so that string comparison is bytewise, as in logan.
#
#   LC_ALL=C mawk -f bench/e2e/four_stats.awk access.log
#
# Input: Apache/nginx "combined" lines. The fast path is the usual one-liner, fields split on
# blanks (awk's default FS):
#   $1 client   $7 request target (endpoint)   $9 status   $10 size ("-" is 0)
#   1.2.3.4 - - [07/Mar/2024:00:00:00 +0000] "GET /x HTTP/1.1" 200 512 "ref" "agent"
# It applies when $9 is three digits and $10 is digits or "-". The few other lines (a request
# of "-", an HTTP/0.9 "GET /", a target holding spaces, a TLS handshake) take a slow path that
# splits on double quotes and reads the request the way docs/json-output.md defines it, so
# that the answers can be checked against logan's; a line neither path can read is counted as
# "skipped". Unlike logan, the slow path does not handle \" inside the request and neither
# path checks the rest of the line (time, referer, agent).
#
# Output, one record per line, fields separated by a tab:
#   lines          <total lines>
#   skipped        <lines skipped>
#   content_size   <count> <sum> <min> <max> <avg>
#   status         <code> <count>            one per code, ascending
#   ip             <client> <count>          clients with count > ip_threshold (unsorted)
#   ips_over       <number of such clients>
#   endpoint       <target> <count>          the top (default 10), count desc then target asc
#
# Variables (-v): ip_threshold (default 10), top (default 10).

BEGIN {
    OFS = "\t"
    if (ip_threshold == "") ip_threshold = 10
    if (top == "") top = 10
    n_size = 0; sum = 0; min = -1; max = 0
}

# Fast path: blank-separated fields.
$9 ~ /^[0-9][0-9][0-9]$/ && ($10 ~ /^[0-9]+$/ || $10 == "-") {
    size = ($10 == "-") ? 0 : $10 + 0
    n_size++
    sum += size
    if (min < 0 || size < min) min = size
    if (size > max) max = size
    codes[$9]++
    ips[$1]++
    hits[$7]++
    next
}

# Slow path: q[2] is the request, q[3] holds " status size ".
{
    if (split($0, q, "\"") < 3 || split(q[3], f, " ") < 2 ||
        f[1] !~ /^[0-9][0-9][0-9]$/ || (f[2] !~ /^[0-9]+$/ && f[2] != "-")) {
        skipped++
        next
    }
    size = (f[2] == "-") ? 0 : f[2] + 0
    n_size++
    sum += size
    if (min < 0 || size < min) min = size
    if (size > max) max = size
    codes[f[1]]++
    ips[$1]++
    # METHOD SP TARGET [SP PROTOCOL]: no endpoint for one word or a METHOD of other characters.
    req = q[2]
    sp = index(req, " ")
    if (sp > 1 && substr(req, 1, sp - 1) !~ /[^A-Za-z0-9_-]/) {
        target = substr(req, sp + 1)
        if (match(target, / HTTP\/[^ ]*$/)) target = substr(target, 1, RSTART - 1)
        hits[target]++
    }
}

END {
    print "lines", NR
    print "skipped", skipped + 0
    if (n_size == 0) min = 0
    printf "content_size\t%d\t%.0f\t%.0f\t%.0f\t%.17g\n", n_size, sum, min, max, (n_size ? sum / n_size : 0)

    # Response codes, ascending (there are few: an insertion sort is enough).
    n = 0
    for (c in codes) {
        i = ++n
        while (i > 1 && sorted[i - 1] + 0 > c + 0) { sorted[i] = sorted[i - 1]; i-- }
        sorted[i] = c
    }
    for (i = 1; i <= n; i++) print "status", sorted[i], codes[sorted[i]]

    # Clients over the threshold.
    over = 0
    for (ip in ips) if (ips[ip] > ip_threshold) { print "ip", ip, ips[ip]; over++ }
    print "ips_over", over

    # Top endpoints: one pass keeping a sorted list of at most `top` entries.
    k = 0
    for (ep in hits) {
        c = hits[ep]
        if (k == top && !(c > top_c[k] || (c == top_c[k] && ep < top_e[k]))) continue
        if (k < top) k++
        i = k
        while (i > 1 && (c > top_c[i - 1] || (c == top_c[i - 1] && ep < top_e[i - 1]))) {
            top_c[i] = top_c[i - 1]; top_e[i] = top_e[i - 1]; i--
        }
        top_c[i] = c; top_e[i] = ep
    }
    for (i = 1; i <= k; i++) print "endpoint", top_e[i], top_c[i]
}
