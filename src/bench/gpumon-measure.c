/*
 * gpumon-measure: runs commands for `gpumon bench run` and reports what each
 * cost, as hyperfine measures it: wall time from spawn to wait, and the
 * rusage wait4() returns for the command's process tree (user and system CPU
 * in microseconds, peak RSS). Being its own small process, nothing of
 * gpumon's (its nvidia-smi helpers, its event loop, its fork of a large
 * heap) is charged to the command.
 *
 * Protocol, one command at a time. A request on stdin is NUL-terminated
 * fields: the input ("" for /dev/null, else a file), the output ("null",
 * "pipe", "inherit" or "file:PATH", for stdout and stderr both), the argument
 * count, then the arguments; the program is looked up in PATH. Answers go
 * to fd 3 (stdout and stderr stay gpumon's own, for "inherit"), one line each:
 *   started PID
 *   exit STATUS SIGNAL WALL_NS USER_US SYSTEM_US MAXRSS_KB   (-1 for the one that does not apply)
 *   error ERRNO          (it could not be started; no "started" line)
 * The command leads its own process group, so that gpumon can end its tree.
 * EOF on stdin ends the measurer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The answers (fd 3). */
static FILE *answers;

static char *read_field(void) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getdelim(&line, &cap, '\0', stdin);
  if (n <= 0 || line[n - 1] != '\0') {
    free(line);
    return NULL;
  }
  return line;
}

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The pipe of "pipe" output: gpumon-measure drains it while the command runs. */
struct pipe_ends {
  int read_end, write_end;
};

/* Sets up the child's stdin, stdout and stderr; returns 0 or an errno. */
static int redirect(posix_spawn_file_actions_t *fa, const char *input, const char *output, struct pipe_ends *p) {
  posix_spawn_file_actions_addopen(fa, 0, *input ? input : "/dev/null", O_RDONLY, 0);
  if (strcmp(output, "inherit") == 0) return 0;
  if (strcmp(output, "pipe") == 0) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
    p->read_end = fds[0];
    p->write_end = fds[1];
    posix_spawn_file_actions_adddup2(fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(fa, fds[1], 2);
    return 0;
  }
  const char *path = strncmp(output, "file:", 5) == 0 ? output + 5 : "/dev/null";
  posix_spawn_file_actions_addopen(fa, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(fa, 1, 2);
  return 0;
}

static void drain(int fd) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0 || (n < 0 && errno == EINTR)) continue;
    return;
  }
}

static int run_one(void) {
  char *input = read_field();
  if (!input) return 0;
  char *output = read_field();
  char *count = read_field();
  if (!output || !count) return 0;
  int argc = atoi(count);
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  for (int i = 0; i < argc; i++)
    if (!(argv[i] = read_field())) return 0;

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  struct pipe_ends p = {-1, -1};
  int err = redirect(&fa, input, output, &p);
  if (err) {
    fprintf(answers, "error %d\n", err);
  } else {
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    long long start = now_ns();
    int rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
    if (p.write_end >= 0) close(p.write_end);
    if (rc != 0) {
      fprintf(answers, "error %d\n", rc);
    } else {
      fprintf(answers, "started %d\n", (int)pid);
      fflush(answers);
      if (p.read_end >= 0) drain(p.read_end);
      int status = 0;
      struct rusage ru;
      while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
      }
      long long wall = now_ns() - start;
      fprintf(answers, "exit %d %d %lld %lld %lld %ld\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : -1, wall,
             (long long)ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec, (long long)ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec, ru.ru_maxrss);
    }
    posix_spawnattr_destroy(&attr);
  }
  if (p.read_end >= 0) close(p.read_end);
  fflush(answers);
  posix_spawn_file_actions_destroy(&fa);
  for (int i = 0; i < argc; i++) free(argv[i]);
  free(argv);
  free(input);
  free(output);
  free(count);
  return 1;
}

int main(void) {
  /* gpumon ends the command's group itself; a Ctrl-C meant for gpumon must not end the measurer mid-run. */
  signal(SIGINT, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  /* The commands must not inherit the answer pipe. */
  fcntl(3, F_SETFD, FD_CLOEXEC);
  answers = fdopen(3, "w");
  if (!answers) return 1;
  while (run_one()) {
  }
  return 0;
}
