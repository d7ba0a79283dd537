// SPDX-License-Identifier: Apache-2.0
/*
 * Test helper: prints the drop notifications waiting in a pinned jl_events ring buffer, one
 * line each, consumes them and exits. Usage: ringbuf_reader /sys/fs/bpf/.../jl_events
 * Reads the ring with plain mmap (the kernel's BPF ring buffer layout), and the records with
 * the datapath's own maps.h, so it sees exactly the struct the programs write.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "maps.h" /* struct drop_notify; the map definitions in it are inert here */

#define RB_BUSY (1U << 31)
#define RB_DISCARD (1U << 30)
#define RB_HDR 8

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static void print_event(const struct drop_notify *n)
{
	printf("type=%u reason=%u source=%u dir=%u src_label=%u dst_label=%u dst_id=%u file=%u "
	       "line=%u ifindex=%u len_orig=%u len_cap=%u version=%u ethertype=%02x%02x\n",
	       n->type, n->subtype, n->source, n->dir, n->src_label, n->dst_label, n->dst_id,
	       n->file, n->line, n->ifindex, n->len_orig, n->len_cap, n->version, n->data[12],
	       n->data[13]);
}

int main(int argc, char **argv)
{
	union bpf_attr attr;
	struct bpf_map_info info;
	long page = sysconf(_SC_PAGESIZE);
	unsigned long *cons, cons_pos, prod_pos;
	unsigned char *prod;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PINNED_RINGBUF\n", argv[0]);
		return 2;
	}
	memset(&attr, 0, sizeof(attr));
	attr.pathname = (unsigned long)argv[1];
	fd = sys_bpf(BPF_OBJ_GET, &attr);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (unsigned long)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0 || info.type != BPF_MAP_TYPE_RINGBUF) {
		fprintf(stderr, "%s: not a ring buffer\n", argv[1]);
		return 1;
	}
	cons = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	/* producer page, then the data area mapped twice so records never wrap */
	prod = mmap(NULL, page + 2 * (size_t)info.max_entries, PROT_READ, MAP_SHARED, fd, page);
	if (cons == MAP_FAILED || prod == MAP_FAILED) {
		fprintf(stderr, "mmap: %s\n", strerror(errno));
		return 1;
	}
	cons_pos = __atomic_load_n(cons, __ATOMIC_ACQUIRE);
	prod_pos = __atomic_load_n((unsigned long *)prod, __ATOMIC_ACQUIRE);
	while (cons_pos < prod_pos) {
		unsigned char *rec = prod + page + (cons_pos & (info.max_entries - 1));
		unsigned int len = __atomic_load_n((unsigned int *)rec, __ATOMIC_ACQUIRE);

		if (len & RB_BUSY)
			break; /* still being written */
		if (!(len & RB_DISCARD)) {
			len &= ~RB_DISCARD;
			if (len >= sizeof(struct drop_notify))
				print_event((const struct drop_notify *)(rec + RB_HDR));
			else
				fprintf(stderr, "short record: %u bytes\n", len);
		}
		cons_pos += ((len & ~RB_DISCARD) + RB_HDR + 7) & ~7UL;
		__atomic_store_n(cons, cons_pos, __ATOMIC_RELEASE);
	}
	return 0;
}
