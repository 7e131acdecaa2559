/**
 * Test-only helpers shared by the integration tests of every module: real {@code docker-registry}
 * processes on free loopback ports, and drivers for {@code skopeo} and {@code umoci}. Never a
 * runtime dependency.
 */
package io.portcullis.testkit;
