// SPDX-License-Identifier: GPL-2.0
/*
 * lifetime_test: a cmheap buffer lives as long as anything refers to it
 * (an fd, a dup of it, a mapping, a child's inherited copy, an fd passed
 * to another process) and is freed when the last reference goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

#define BUF_SIZE (2 * SZ_1M)

FIXTURE(lifetime) {
	const char *heap;
	__u64 live0, bytes0;	/* the heap's counters before the test */
};

FIXTURE_VARIANT(lifetime) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS(lifetime)

FIXTURE_SETUP(lifetime)
{
	heap_variant_check(&variant->heap);
	self->heap = variant->heap.name;
	self->live0 = stat_get(self->heap, ST_BUFFERS_LIVE);
	self->bytes0 = stat_get(self->heap, ST_BYTES_LIVE);
	ASSERT_NE(UINT64_MAX, self->live0) TH_LOG("no stats for %s", self->heap);
}

/* Every test ends with the heap as it found it: nothing leaked. */
FIXTURE_TEARDOWN(lifetime)
{
	if (!self->heap)
		return;
	EXPECT_EQ(self->live0, stat_get(self->heap, ST_BUFFERS_LIVE));
	EXPECT_EQ(self->bytes0, stat_get(self->heap, ST_BYTES_LIVE));
}

static __u64 live(FIXTURE_DATA(lifetime) *self)
{
	return stat_get(self->heap, ST_BUFFERS_LIVE);
}

/* A child reads, through the mapping it inherited, what the parent wrote */
TEST_F(lifetime, fork_child_reads_mapping)
{
	int fd = alloc_on(self->heap, BUF_SIZE), status;
	char *p;
	pid_t pid;

	ASSERT_LE(0, fd);
	p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	pattern_fill(p, BUF_SIZE, 0, 0xf0);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* 0: pattern intact; 1: bad; then write back a marker */
		int bad = pattern_check(p, BUF_SIZE, 0, 0xf0) != -1;

		p[BUF_SIZE - 1] = 0x42;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("child status %#x", status);
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child saw a bad pattern");
	/* MAP_SHARED: the child's write is the parent's */
	EXPECT_EQ(0x42, p[BUF_SIZE - 1]);
	/* the child's exit dropped its references, not the buffer */
	EXPECT_EQ(self->live0 + 1, live(self));
	munmap(p, BUF_SIZE);
	close(fd);
}

/* Closing the fd before munmap: the mapping stays valid and holds it. */
TEST_F(lifetime, close_fd_before_munmap)
{
	int fd = alloc_on(self->heap, BUF_SIZE);
	char *p;

	ASSERT_LE(0, fd);
	p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	pattern_fill(p, BUF_SIZE, 0, 0xf1);
	close(fd);

	EXPECT_EQ(self->live0 + 1, live(self));
	EXPECT_EQ(-1, pattern_check(p, BUF_SIZE, 0, 0xf1));
	pattern_fill(p, BUF_SIZE, 0, 0xf2);
	EXPECT_EQ(-1, pattern_check(p, BUF_SIZE, 0, 0xf2));
	EXPECT_EQ(self->live0 + 1, live(self));
	munmap(p, BUF_SIZE);
	EXPECT_EQ(self->live0, live(self));
}

/* Every fd of the buffer counts, dup'd ones too. */
TEST_F(lifetime, dup_fds)
{
	int fd = alloc_on(self->heap, BUF_SIZE), fd2, fd3;

	ASSERT_LE(0, fd);
	fd2 = dup(fd);
	fd3 = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	ASSERT_LE(0, fd2);
	ASSERT_LE(100, fd3);
	close(fd);
	EXPECT_EQ(self->live0 + 1, live(self));
	close(fd3);
	EXPECT_EQ(self->live0 + 1, live(self));
	EXPECT_EQ((long long)BUF_SIZE, dmabuf_size(fd2));
	close(fd2);
	EXPECT_EQ(self->live0, live(self));
}

/* A child that exits holding a buffer and a mapping leaks neither. */
TEST_F(lifetime, child_exit_frees)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int i;

		for (i = 0; i < 4; i++) {
			int fd = alloc_on(self->heap, BUF_SIZE);

			if (fd < 0)
				_exit(10 + i);
			if (i & 1)
				mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, fd, 0);
		}
		_exit(0);	/* fds and mappings dropped by exit */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(self->live0, live(self));
}

static int send_fd(int sock, int fd)
{
	char data = 'b', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char data, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * A buffer outlives the process that allocated it: the child allocates,
 * writes a pattern, sends the fd over a unix socket and exits; the parent
 * reads the pattern after the child is reaped.
 */
TEST_F(lifetime, scm_rights_outlives_allocator)
{
	int sv[2], status, fd;
	pid_t pid;
	char *p;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd;
		char *cp;

		close(sv[0]);
		cfd = alloc_on(self->heap, BUF_SIZE);
		if (cfd < 0)
			_exit(2);
		cp = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			  cfd, 0);
		if (cp == MAP_FAILED)
			_exit(3);
		dmabuf_sync(cfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		pattern_fill(cp, BUF_SIZE, 0, 0xf3);
		dmabuf_sync(cfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		if (send_fd(sv[1], cfd))
			_exit(4);
		_exit(0);
	}
	close(sv[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("child failed at step %d",
						 WEXITSTATUS(status));
	/* the fd in flight holds the buffer */
	EXPECT_EQ(self->live0 + 1, live(self));
	fd = recv_fd(sv[0]);
	close(sv[0]);
	ASSERT_LE(0, fd);
	EXPECT_EQ((long long)BUF_SIZE, dmabuf_size(fd));
	p = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	EXPECT_EQ(-1, pattern_check(p, BUF_SIZE, 0, 0xf3));
	dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	munmap(p, BUF_SIZE);
	close(fd);
}

/* A socket closed with the fd still in flight frees the buffer too. */
TEST_F(lifetime, fd_in_flight_dropped)
{
	int sv[2], fd;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	fd = alloc_on(self->heap, BUF_SIZE);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_fd(sv[1], fd));
	close(fd);
	EXPECT_EQ(self->live0 + 1, live(self));
	close(sv[0]);
	close(sv[1]);
	/*
	 * unix socket garbage is released at close (or by the gc, shortly);
	 * 10 s, not 1, as an emulator sharing its cores with others may lag
	 */
	for (fd = 0; fd < 1000 && live(self) != self->live0; fd++)
		usleep(10000);
	EXPECT_EQ(self->live0, live(self));
}

/* A buffer attached to the importer lives until the attachment goes. */
TEST_F(lifetime, importer_holds_then_releases)
{
	struct cmheap_attach at;
	int fd, ctl;

	CTL_OPEN_OR_SKIP(ctl);
	fd = alloc_on(self->heap, BUF_SIZE);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, cmheap_ctl_attach(ctl, fd, heap_device(ctl, &variant->heap), &at));
	close(fd);
	EXPECT_EQ(self->live0 + 1, live(self));
	ASSERT_EQ(0, cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     NULL));
	close(ctl);
	EXPECT_EQ(self->live0, live(self));
}

/*
 * Several processes at once, sharing one /dev/cmheap file: allocations,
 * attachments and maps interleave, and the counters still balance.
 */
TEST_F(lifetime, concurrent_processes)
{
	enum { PROCS = 4, ROUNDS = 100 };
	struct cmheap_stats a, b;
	int ctl, i, status;
	pid_t pids[PROCS];
	__u32 dev;

	CTL_OPEN_OR_SKIP(ctl);
	dev = heap_device(ctl, &variant->heap);
	ASSERT_EQ(0, stats_read(self->heap, &a));
	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int r;

			for (r = 0; r < ROUNDS; r++) {
				struct cmheap_attach at;
				int fd = alloc_on(self->heap, (r % 8 + 1) * page_size());

				if (fd < 0)
					_exit(1);
				if (cmheap_ctl_attach(ctl, fd, dev, &at))
					_exit(2);
				if (cmheap_ctl_map(ctl, at.handle, r % 3, 0,
					    r & 1 ? RAW_MAP_OF(&variant->heap) : 0, NULL))
					_exit(3);
				if (cmheap_ctl_unmap(ctl, at.handle))
					_exit(4);
				/* every other one left for the close to free */
				if (r & 2 && cmheap_ctl_detach(ctl, at.handle))
					_exit(5);
				close(fd);
			}
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("child %d: status %#x", i, status);
	}
	close(ctl);
	ASSERT_EQ(0, stats_read(self->heap, &b));
	EXPECT_EQ(a.v[ST_ALLOCS] + PROCS * ROUNDS, b.v[ST_ALLOCS]);
	EXPECT_EQ(a.v[ST_FREES] + PROCS * ROUNDS, b.v[ST_FREES]);
	EXPECT_EQ(b.v[ST_MAPS] - a.v[ST_MAPS], b.v[ST_UNMAPS] - a.v[ST_UNMAPS]);
	/* raw maps are not the exporter's; page-less buffers had none */
	EXPECT_EQ(a.v[ST_MAPS] + PROCS * ROUNDS / (variant->heap.pageless ? 1 : 2),
		  b.v[ST_MAPS]);
}

TEST_HARNESS_MAIN
