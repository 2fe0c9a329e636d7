package io.llmsentinel.sinks.delivery;

import java.io.IOException;
import java.io.Serializable;

/**
 * How an output's records are kept in its checkpointed backlog. Each encoding starts with its own
 * format version, so a later format can still read what an earlier one wrote.
 */
public interface ItemCodec<E> extends Serializable {
    byte[] encode(E item) throws IOException;

    E decode(byte[] bytes) throws IOException;
}
