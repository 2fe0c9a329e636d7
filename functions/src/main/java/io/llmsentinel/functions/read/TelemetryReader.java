package io.llmsentinel.functions.read;

import java.io.Serializable;

/** Reads the bytes of one Kafka message into LLM requests. Never throws on bad input. */
public interface TelemetryReader extends Serializable {
    ReadResult read(byte[] message);
}
