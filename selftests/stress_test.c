// SPDX-License-Identifier: GPL-2.0
/*
 * stress_test [-t THREADS] [-s SECONDS] [-S SEED]: a bounded stress run of
 * every heap (and the peers: the upstream system heap, udmabuf) through
 * every user interface at once.
 *
 * Each thread keeps a few live buffers and, chosen at random, allocates,
 * mmaps and writes or checks its pattern inside DMA_BUF_IOCTL_SYNC,
 * attaches, maps, syncs and unmaps through /dev/cmheap (each direction,
 * both test devices, through the exporter or raw), forks a child that
 * checks the pattern through a mapping it inherited, passes the fd to
 * itself over a unix socket, and closes buffers in random order.  The
 * pattern of a buffer a thread owns must survive all of it.  At the end,
 * with every fd closed, each heap's debugfs counters of live buffers and
 * bytes must be back to zero.
 *
 * Prints KTAP: the operation counts and rate as diagnostics, then the
 * results.  The defaults (2 threads, 30 s) finish in well under a minute.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>
#include <linux/udmabuf.h>

#include "cmheap_util.h"

#define LIVE		8	/* buffers a thread keeps at most */
#define MAX_SIZE	(512 * 1024)

enum op {
	OP_ALLOC, OP_TOUCH, OP_IMPORT, OP_FORK, OP_PASS, OP_CLOSE, OP_COUNT,
};

static const char *const op_names[OP_COUNT] = {
	"alloc", "mmap_pattern", "import_map_sync", "fork", "pass_fd", "close",
};

/* Where buffers come from: cmheap heaps and the peers present. */
struct source {
	char name[64];
	char path[96];
	bool udmabuf;
};

static struct source sources[16];
static int nsources;
static bool have_noncoherent;
static bool coherent_snoops;	/* CMHEAP_DEVF_SNOOPS_ALIAS */
static double deadline;
static atomic_ulong op_counts[OP_COUNT];
static atomic_int failures;

struct buffer {
	int fd;
	size_t size;
	uint64_t seed;		/* its pattern; 0: not written yet */
	bool writable;
};

struct worker {
	pthread_t thread;
	unsigned int seed;
	int ctl;
	int sock[2];
	struct buffer live[LIVE];
	int nlive;
};


static void fail(const char *what, int err)
{
	atomic_fetch_add(&failures, 1);
	printf("# FAIL %s: %s\n", what, strerror(err));
	fflush(stdout);
}

static void add_source(const char *name, const char *path, bool udmabuf)
{
	struct source *s;

	if (nsources >= (int)(sizeof(sources) / sizeof(sources[0])) ||
	    access(path, R_OK | W_OK))
		return;
	s = &sources[nsources++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->udmabuf = udmabuf;
}

/* A udmabuf of @size over a fresh memfd: its fd, or -errno. */
static int udmabuf_alloc(const char *dev, size_t size)
{
	struct udmabuf_create create = { .size = size };
	int memfd, fd, ret;

	memfd = memfd_create("stress", MFD_ALLOW_SEALING);
	if (memfd < 0)
		return -errno;
	if (ftruncate(memfd, size) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = -errno;
		close(memfd);
		return ret;
	}
	create.memfd = memfd;
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		close(memfd);
		return ret;
	}
	ret = ioctl(fd, UDMABUF_CREATE, &create);
	if (ret < 0)
		ret = -errno;
	close(fd);
	close(memfd);
	return ret;
}

static void do_alloc(struct worker *w)
{
	const struct source *s = &sources[rand_r(&w->seed) % nsources];
	size_t size = ((size_t)(rand_r(&w->seed) % (MAX_SIZE / 4096)) + 1) * 4096;
	struct buffer *b;
	int fd;

	if (w->nlive == LIVE)
		return;
	if (s->udmabuf) {
		fd = udmabuf_alloc(s->path, size);
	} else {
		int heap = open(s->path, O_RDWR | O_CLOEXEC);

		if (heap < 0) {
			fail(s->path, errno);
			return;
		}
		fd = heap_alloc(heap, size);
		close(heap);
	}
	if (fd < 0) {
		fail(s->name, -fd);
		return;
	}
	b = &w->live[w->nlive++];
	b->fd = fd;
	b->size = size;
	b->seed = 0;
	b->writable = true;
}

static struct buffer *pick(struct worker *w)
{
	return w->nlive ? &w->live[rand_r(&w->seed) % w->nlive] : NULL;
}

/* Checks the buffer's pattern, then writes a new one, inside CPU access. */
static void do_touch(struct worker *w)
{
	struct buffer *b = pick(w);
	uint64_t seed;
	void *p;
	long bad;

	if (!b)
		return;
	p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	if (p == MAP_FAILED) {
		fail("mmap", errno);
		return;
	}
	if (dmabuf_sync(b->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
		fail("DMA_BUF_IOCTL_SYNC start", errno);
	if (b->seed) {
		bad = pattern_check(p, b->size, 0, b->seed);
		if (bad >= 0) {
			printf("# FAIL pattern of a %zu-byte buffer wrong at %ld\n",
			       b->size, bad);
			atomic_fetch_add(&failures, 1);
		}
	}
	seed = ((uint64_t)rand_r(&w->seed) << 16) | 1;
	pattern_fill(p, b->size, 0, seed);
	if (dmabuf_sync(b->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
		fail("DMA_BUF_IOCTL_SYNC end", errno);
	b->seed = seed;
	munmap(p, b->size);
}

static void do_import(struct worker *w)
{
	struct buffer *b = pick(w);
	__u32 dev = have_noncoherent && (rand_r(&w->seed) & 1) ?
		    CMHEAP_DEV_NONCOHERENT : CMHEAP_DEV_COHERENT;
	__u32 dir = cmheap_dirs[rand_r(&w->seed) % 3];
	struct cmheap_attach at;
	__u32 flags;
	int ret, want = 0;

	if (!b)
		return;
	ret = cmheap_ctl_attach(w->ctl, b->fd, dev, &at);
	if (ret) {
		fail("CMHEAP_IOC_ATTACH", -ret);
		return;
	}
	/* RAW only where it works on this kernel and buffer */
	flags = (rand_r(&w->seed) & 1) && !(at.flags & CMHEAP_ATTF_PAGELESS) &&
		((at.flags & CMHEAP_ATTF_OURS) || raw_peers_supported()) ?
		CMHEAP_MAP_RAW : 0;
	/* uncached pages are refused for a device that snoops their alias */
	if (dev == CMHEAP_DEV_COHERENT && coherent_snoops &&
	    (at.flags & CMHEAP_ATTF_UNCACHED) &&
	    !(at.flags & CMHEAP_ATTF_PAGELESS))
		want = -EOPNOTSUPP;
	ret = cmheap_ctl_map(w->ctl, at.handle, dir, 0, flags, NULL);
	if (ret != want) {
		fail(ret ? "CMHEAP_IOC_MAP" : "CMHEAP_IOC_MAP succeeded, expected",
		     ret ? -ret : -want);
	} else if (!ret) {
		/* page-less memory has no DMA API sync (EOPNOTSUPP) */
		if (!(at.flags & CMHEAP_ATTF_PAGELESS) &&
		    (cmheap_ctl_sync(w->ctl, at.handle, CMHEAP_SYNC_FOR_CPU, dir) ||
		     cmheap_ctl_sync(w->ctl, at.handle, CMHEAP_SYNC_FOR_DEVICE, dir)))
			fail("CMHEAP_IOC_SYNC", errno);
		/*
		 * Sometimes leave an exporter mapping for the device to read
		 * behind: detach and close must cope, and begin/end_cpu_access
		 * keep it in sync.  Not one the device may write: the DMA API
		 * does not support overlapping writable mappings (DMA-API
		 * debugging reports them).  Nor a raw mapping, the importer's
		 * own, which nothing syncs around CPU access.  Nor a peer's:
		 * the upstream system heap syncs every mapping in the CPU's
		 * direction, not the mapped one (DMA-API debugging reports
		 * it; cmheap had the same bug).
		 */
		if ((flags || dir != CMHEAP_DIR_TO_DEVICE ||
		     !(at.flags & CMHEAP_ATTF_OURS) || rand_r(&w->seed) % 4) &&
		    cmheap_ctl_unmap(w->ctl, at.handle))
			fail("CMHEAP_IOC_UNMAP", errno);
	}
	if (rand_r(&w->seed) % 4 && cmheap_ctl_detach(w->ctl, at.handle))
		fail("CMHEAP_IOC_DETACH", errno);
}

/* A child inherits a mapping and the fd and checks the pattern. */
static void do_fork(struct worker *w)
{
	struct buffer *b = pick(w);
	int status;
	void *p;
	pid_t pid;

	if (!b || !b->seed)
		return;
	p = mmap(NULL, b->size, PROT_READ, MAP_SHARED, b->fd, 0);
	if (p == MAP_FAILED) {
		fail("mmap", errno);
		return;
	}
	pid = fork();
	if (pid == 0) {
		int ok = pattern_check(p, b->size, 0, b->seed) < 0;

		close(b->fd);
		_exit(ok ? 0 : 1);
	}
	munmap(p, b->size);
	if (pid < 0) {
		fail("fork", errno);
		return;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("# FAIL the child saw the wrong pattern\n");
		atomic_fetch_add(&failures, 1);
	}
}

/* The fd makes a round trip over a unix socket; one of the two stays. */
static void do_pass(struct worker *w)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'x';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct buffer *b = pick(w);
	struct stat a, c;
	struct cmsghdr *cm;
	int fd;

	if (!b)
		return;
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &b->fd, sizeof(int));
	if (sendmsg(w->sock[0], &msg, 0) != 1) {
		fail("sendmsg", errno);
		return;
	}
	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_controllen = sizeof(cbuf);
	if (recvmsg(w->sock[1], &msg, MSG_CMSG_CLOEXEC) != 1) {
		fail("recvmsg", errno);
		return;
	}
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		fail("SCM_RIGHTS", EPROTO);
		return;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (fstat(b->fd, &a) || fstat(fd, &c) || a.st_ino != c.st_ino) {
		printf("# FAIL the fd that came back is another file\n");
		atomic_fetch_add(&failures, 1);
	}
	if (rand_r(&w->seed) & 1) {
		close(b->fd);
		b->fd = fd;
	} else {
		close(fd);
	}
}

static void do_close(struct worker *w)
{
	int i;

	if (!w->nlive)
		return;
	i = rand_r(&w->seed) % w->nlive;
	close(w->live[i].fd);
	w->live[i] = w->live[--w->nlive];
}

static void *work(void *arg)
{
	struct worker *w = arg;

	while (now_s() < deadline && !atomic_load(&failures)) {
		enum op op = rand_r(&w->seed) % OP_COUNT;

		switch (op) {
		case OP_ALLOC:
			do_alloc(w);
			break;
		case OP_TOUCH:
			do_touch(w);
			break;
		case OP_IMPORT:
			do_import(w);
			break;
		case OP_FORK:
			do_fork(w);
			break;
		case OP_PASS:
			do_pass(w);
			break;
		default:
			do_close(w);
			break;
		}
		atomic_fetch_add(&op_counts[op], 1);
		/* now and then, tear everything down at once */
		if (rand_r(&w->seed) % 512 == 0) {
			close(w->ctl);
			w->ctl = cmheap_ctl_open();
			if (w->ctl < 0) {
				fail("open " CMHEAP_CTL_PATH, -w->ctl);
				break;
			}
		}
	}
	while (w->nlive)
		do_close(w);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 2, seconds = 30, opt, i, ctl, ok, bad_counters = 0;
	unsigned int seed = (unsigned int)time(NULL);
	const struct cmheap_heap *heaps;
	struct worker *workers;
	unsigned long total = 0;
	double t0, took;
	int n;

	while ((opt = getopt(argc, argv, "t:s:S:")) != -1) {
		switch (opt) {
		case 't':
			threads = atoi(optarg);
			break;
		case 's':
			seconds = atoi(optarg);
			break;
		case 'S':
			seed = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-t THREADS] [-s SECONDS] [-S SEED]\n", argv[0]);
			return 2;
		}
	}
	if (threads < 1 || threads > 64 || seconds < 1) {
		fprintf(stderr, "%s: 1-64 threads, at least 1 second\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..2\n");
	ctl = cmheap_ctl_open();
	if (ctl == -ENOENT) {
		printf("ok 1 stress # SKIP cmheap_test.ko not loaded: no " CMHEAP_CTL_PATH "\n");
		printf("ok 2 counters_back_to_zero # SKIP cmheap_test.ko not loaded: no "
		       CMHEAP_CTL_PATH "\n");
		return 4;
	}
	have_noncoherent = cmheap_ctl_device_flags(ctl, CMHEAP_DEV_NONCOHERENT) &
			   CMHEAP_DEVF_PRESENT;
	coherent_snoops = cmheap_ctl_device_flags(ctl, CMHEAP_DEV_COHERENT) &
			  CMHEAP_DEVF_SNOOPS_ALIAS;
	close(ctl);
	n = cmheap_heaps(&heaps);
	for (i = 0; i < n; i++)
		add_source(heaps[i].name, heaps[i].path, false);
	add_source("system", DMA_HEAP_DIR "/system", false);
	add_source("udmabuf", "/dev/udmabuf", true);
	printf("# %d threads, %d s, seed %u, sources:", threads, seconds, seed);
	for (i = 0; i < nsources; i++)
		printf(" %s", sources[i].name);
	printf("\n");

	workers = calloc(threads, sizeof(*workers));
	if (!workers)
		return 1;
	t0 = now_s();
	deadline = t0 + seconds;
	for (i = 0; i < threads; i++) {
		struct worker *w = &workers[i];

		w->seed = seed + i;
		w->ctl = cmheap_ctl_open();
		if (w->ctl < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, w->sock)) {
			fail("worker setup", errno);
			return 1;
		}
		pthread_create(&w->thread, NULL, work, w);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(workers[i].thread, NULL);
		close(workers[i].ctl);
		close(workers[i].sock[0]);
		close(workers[i].sock[1]);
	}
	took = now_s() - t0;
	for (i = 0; i < OP_COUNT; i++) {
		unsigned long c = atomic_load(&op_counts[i]);

		printf("# %-16s %8lu\n", op_names[i], c);
		total += c;
	}
	printf("# %lu operations in %.1f s: %.0f ops/s\n", total, took, total / took);
	ok = !atomic_load(&failures) && total > 0;
	printf("%s 1 stress\n", ok ? "ok" : "not ok");

	for (i = 0; i < n; i++) {
		__u64 live = stat_get(heaps[i].name, ST_BUFFERS_LIVE);
		__u64 bytes = stat_get(heaps[i].name, ST_BYTES_LIVE);

		if (live || bytes) {
			printf("# %s: buffers_live %llu bytes_live %llu after the run\n",
			       heaps[i].name, (unsigned long long)live,
			       (unsigned long long)bytes);
			bad_counters = 1;
		}
	}
	printf("%s 2 counters_back_to_zero\n", bad_counters ? "not ok" : "ok");
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       ok + !bad_counters, !ok + bad_counters);
	return ok && !bad_counters ? 0 : 1;
}
