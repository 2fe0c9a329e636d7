package io.llmsentinel.sinks.delivery;

import java.util.List;

/**
 * One output's backlog in a checkpoint: the records not yet delivered, each encoded by the output's
 * {@link ItemCodec}, oldest first.
 */
public record OutboxState(String name, List<byte[]> items) {}
