/*
 * A Kafka-protocol test broker: librdkafka's mock cluster in a process of its own,
 * so tests can point kafkajs at it. It is a test double, never a deployment: it keeps
 * nothing on disk and has no controller (see docs/kafka.md).
 *
 *   mock-broker <broker-count> [topic:partitions ...]
 *
 * Topics are created here because the mock does not serve CreateTopics. Once the
 * cluster listens, the bootstrap list ("127.0.0.1:port,...") is printed on one line;
 * the process then waits for SIGTERM or SIGINT (or its parent's death) and destroys
 * the cluster.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void usage(const char *self) {
  fprintf(stderr, "usage: %s <broker-count> [topic:partitions ...]\n", self);
}

static int parse_positive(const char *text, int *out) {
  char *end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 1 || value > 100000) return -1;
  *out = (int)value;
  return 0;
}

/*
 * Each topic change is a request to the mock cluster's own thread, which sometimes
 * notices one only at its next one-second poll (librdkafka 2.0's mock wakes its thread
 * once per burst of requests). New connections to a broker wake that poll too, so while
 * the topics are set up this thread connects to the first broker every 2 ms: set-up
 * takes milliseconds instead of about a second per few partitions.
 */
struct poker {
  const char *bootstraps;
  atomic_int stop;
};

static void *poke(void *arg) {
  struct poker *poker = arg;
  char host[256];
  int port = 0;
  if (sscanf(poker->bootstraps, "%255[^:]:%d", host, &port) != 2) return NULL;
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &address.sin_addr) != 1) return NULL;
  while (!atomic_load(&poker->stop)) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0) {
      connect(fd, (struct sockaddr *)&address, sizeof(address));
      close(fd);
    }
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 2 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(argv[0]);
    return 2;
  }
  int brokers;
  if (parse_positive(argv[1], &brokers) != 0) {
    fprintf(stderr, "broker count must be a positive integer, got '%s'\n", argv[1]);
    return 2;
  }

  /* Block the stop signals before librdkafka starts its threads: they inherit the
   * mask, so the signals wait for sigwait() below in this thread. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

  /* A test runner killed hard must not leave brokers behind. */
  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) return 1;

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* Only errors reach stderr; the mock is chatty at the default level. */
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new failed: %s\n", errstr);
    return 1;
  }

  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == NULL) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  int replication = brokers < 3 ? brokers : 3;
  int status = 0;
  struct poker poker = {.bootstraps = rd_kafka_mock_cluster_bootstraps(cluster), .stop = 0};
  pthread_t poker_thread;
  int poking = pthread_create(&poker_thread, NULL, poke, &poker) == 0;
  for (int i = 2; i < argc && status == 0; i++) {
    char *spec = argv[i];
    char *colon = strrchr(spec, ':');
    int partitions;
    if (colon == NULL || colon == spec || parse_positive(colon + 1, &partitions) != 0) {
      fprintf(stderr, "topic must be given as name:partitions, got '%s'\n", spec);
      status = 2;
      break;
    }
    *colon = '\0';
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, spec, partitions, replication);
    /* The mock leads every partition of a created topic from one broker; spread the
     * leaders so clients fetch and produce through several brokers, as in production. */
    for (int partition = 0; partition < partitions && err == RD_KAFKA_RESP_ERR_NO_ERROR; partition++) {
      err = rd_kafka_mock_partition_set_leader(cluster, spec, partition, 1 + partition % brokers);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "creating topic '%s' failed: %s\n", spec, rd_kafka_err2str(err));
      status = 1;
    }
  }
  if (poking) {
    atomic_store(&poker.stop, 1);
    pthread_join(poker_thread, NULL);
  }

  if (status == 0) {
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    fflush(stdout);
    int received = 0;
    while (sigwait(&stop_signals, &received) != 0) {
    }
  }

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return status;
}
