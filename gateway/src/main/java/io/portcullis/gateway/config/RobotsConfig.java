package io.portcullis.gateway.config;

import java.nio.file.Path;

/** {@code auth.robots}: where robot accounts (users named {@code robot$...}) are stored. */
public record RobotsConfig(Path file) {}
