/**
 * The on-disk pull-through cache: a content-addressed blob store filled from the same upstream read
 * that serves the first client, shared by concurrent clients while it is written, and a manifest
 * cache by digest with tag resolution kept for a per-upstream TTL.
 */
package io.portcullis.gateway.cache;
