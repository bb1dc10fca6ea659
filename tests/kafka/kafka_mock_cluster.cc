// kafka_mock_cluster: a Kafka cluster in one process, for logan's end-to-end tests and
// benchmarks. It is librdkafka's mock cluster (rdkafka_mock.h), listening on 127.0.0.1.
//
//   kafka_mock_cluster [--brokers N] [--topic NAME:PARTITIONS]...
//
// Prints the bootstrap address (host:port,...) as its first line on stdout, then reads one
// command per line on stdin and answers each with one line, "ok" or "error: WHY":
//   down ID|all          the broker drops its connections and refuses new ones
//   up ID|all            it accepts connections again
//   rtt ID|all MS        every response is delayed by MS milliseconds
//   error API ERR [N]    the next N (default 1) requests of Kafka API key API (0: Produce,
//                        3: Metadata) fail with error code ERR (a number, see rdkafka.h)
// It exits when stdin ends or on SIGTERM/SIGINT. The mock keeps only the last few MB of each
// partition, so tests size their data below that.
// Thread-safety: a program; the mock cluster runs on librdkafka's own threads.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace {

struct TopicSpec {
  std::string name;
  int partitions = 1;
};

void usage_error(const std::string& why) {
  std::fprintf(stderr,
               "kafka_mock_cluster: %s\nusage: kafka_mock_cluster [--brokers N] "
               "[--topic NAME:PARTITIONS]...\n",
               why.c_str());
  std::exit(2);
}

int to_int(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < -1 || v > 1000000) {
    usage_error("bad " + what + " '" + text + "'");
  }
  return static_cast<int>(v);
}

// "all" is every broker (-1 to the mock API).
bool broker_id(const std::string& text, int32_t& id) {
  if (text == "all") {
    id = -1;
    return true;
  }
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 0) return false;
  id = static_cast<int32_t>(v);
  return true;
}

std::string run_command(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream in(line);
  std::string verb, a, b, c;
  in >> verb >> a >> b >> c;
  int32_t id = 0;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if ((verb == "down" || verb == "up") && broker_id(a, id)) {
    err = verb == "down" ? rd_kafka_mock_broker_set_down(cluster, id)
                         : rd_kafka_mock_broker_set_up(cluster, id);
  } else if (verb == "rtt" && broker_id(a, id) && !b.empty()) {
    err = rd_kafka_mock_broker_set_rtt(cluster, id, std::atoi(b.c_str()));
  } else if (verb == "error" && !a.empty() && !b.empty()) {
    size_t count = c.empty() ? 1 : std::strtoul(c.c_str(), nullptr, 10);
    std::vector<rd_kafka_resp_err_t> errors(count,
                                            static_cast<rd_kafka_resp_err_t>(std::atoi(b.c_str())));
    rd_kafka_mock_push_request_errors_array(cluster, static_cast<int16_t>(std::atoi(a.c_str())),
                                            errors.size(), errors.data());
  } else {
    return "error: unknown command '" + line + "'";
  }
  if (err) return std::string("error: ") + rd_kafka_err2str(err);
  return "ok";
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 3;
  std::vector<TopicSpec> topics;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) usage_error("missing value after " + arg);
    std::string value = argv[++i];
    if (arg == "--brokers") {
      brokers = to_int(value, "broker count");
      if (brokers < 1) usage_error("--brokers must be at least 1");
    } else if (arg == "--topic") {
      size_t colon = value.rfind(':');
      TopicSpec t;
      t.name = value.substr(0, colon);
      if (colon != std::string::npos) t.partitions = to_int(value.substr(colon + 1), "partition count");
      if (t.name.empty() || t.partitions < 1) usage_error("bad --topic '" + value + "'");
      topics.push_back(t);
    } else {
      usage_error("unknown option " + arg);
    }
  }

  // The cluster needs a client handle for its bookkeeping; a producer that sends nothing.
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    std::fprintf(stderr, "kafka_mock_cluster: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster) {
    std::fprintf(stderr, "kafka_mock_cluster: cannot create the mock cluster\n");
    return 1;
  }
  for (const auto& t : topics) {
    int replication = brokers < 3 ? brokers : 3;
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, t.name.c_str(), t.partitions, replication);
    if (err) {
      std::fprintf(stderr, "kafka_mock_cluster: cannot create topic %s: %s\n", t.name.c_str(),
                   rd_kafka_err2str(err));
      return 1;
    }
  }
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int sigfd = signalfd(-1, &signals, SFD_CLOEXEC);

  std::string pending;
  for (;;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sigfd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) break;
    if (!fds[0].revents) continue;
    char buf[4096];
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (line.empty()) continue;
      std::printf("%s\n", run_command(cluster, line).c_str());
      std::fflush(stdout);
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
