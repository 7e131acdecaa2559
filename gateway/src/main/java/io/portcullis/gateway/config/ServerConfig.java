package io.portcullis.gateway.config;

import java.net.URI;
import java.util.Optional;

/**
 * The client-facing listener. {@code publicUrl} is the base URL clients reach the gateway at, used
 * in {@code Location} headers; when absent it is taken from each request's {@code Host} header, as
 * CNCF distribution does.
 */
public record ServerConfig(String host, int port, Optional<URI> publicUrl) {}
