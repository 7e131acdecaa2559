/**
 * Fakes that put faults between the gateway and a real upstream registry: corrupted and truncated
 * blobs, for tests of what the gateway does when the upstream misbehaves.
 */
package io.portcullis.gateway.testing;
