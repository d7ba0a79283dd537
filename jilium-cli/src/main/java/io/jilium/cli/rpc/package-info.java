/**
 * A small gRPC client for the CLI: HTTP/2 with prior knowledge over the agent's Unix socket, unary
 * and server-streaming calls. It exists because the CLI must start fast: grpc-java with Netty costs
 * the CLI several hundred milliseconds of start-up for one call. The agent serves standard gRPC;
 * anything speaking gRPC can talk to it.
 */
package io.jilium.cli.rpc;
