/**
 * Fakes that put faults between the gateway and a real server: corrupted and truncated blobs from
 * an upstream registry, and a Notary server's metadata spoiled in size, time or content, for tests
 * of what the gateway does when an outsider misbehaves.
 */
package io.portcullis.gateway.testing;
