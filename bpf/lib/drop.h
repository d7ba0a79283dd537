/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drop reasons. The numbers are Cilium's (bpf/lib/common.h), so tools and users see the codes
 * they know; the Java enum io.jilium.core.flow.DropReason mirrors this list and a test compares
 * the two. Functions return the negative value; notifications and metrics carry the positive one.
 */
#ifndef JILIUM_DROP_H
#define JILIUM_DROP_H

#define DROP_INVALID_SIP	-132
#define DROP_POLICY		-133
#define DROP_INVALID		-134
#define DROP_CT_INVALID_HDR	-135
#define DROP_FRAG_NEEDED	-136
#define DROP_CT_UNKNOWN_PROTO	-137
#define DROP_UNKNOWN_L3		-139
#define DROP_MISSED_TAIL_CALL	-140
#define DROP_WRITE_ERROR	-141
#define DROP_UNKNOWN_L4		-142
#define DROP_UNKNOWN_ICMP_CODE	-143
#define DROP_UNKNOWN_ICMP_TYPE	-144
#define DROP_UNKNOWN_ICMP6_CODE	-145
#define DROP_UNKNOWN_ICMP6_TYPE	-146
#define DROP_UNKNOWN_TARGET	-150
#define DROP_UNROUTABLE		-151
#define DROP_CSUM_L3		-153
#define DROP_CSUM_L4		-154
#define DROP_CT_CREATE_FAILED	-155
#define DROP_INVALID_EXTHDR	-156
#define DROP_FRAG_NOSUPPORT	-157
#define DROP_NO_SERVICE		-158
#define DROP_NO_FIB		-169
#define DROP_INVALID_IDENTITY	-171
#define DROP_UNKNOWN_SENDER	-172
#define DROP_FORBIDDEN_ICMP6	-176
#define DROP_POLICY_DENY	-181
#define DROP_POLICY_AUTH_REQUIRED -189

#endif /* JILIUM_DROP_H */
