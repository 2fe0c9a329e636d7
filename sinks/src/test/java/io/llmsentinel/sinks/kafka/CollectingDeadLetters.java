package io.llmsentinel.sinks.kafka;

import io.llmsentinel.functions.model.DeadLetter;
import java.util.Collection;

/** For tests: dead letters go into a collection the test reads, instead of the topic. */
public final class CollectingDeadLetters implements DeadLetterPublisher {
    private final Collection<DeadLetter> into;
    private volatile boolean closed;

    public CollectingDeadLetters(Collection<DeadLetter> into) {
        this.into = into;
    }

    @Override
    public void publish(DeadLetter d) {
        into.add(d);
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Whether the writer closed it (as it must when it closes, or fails to start). */
    public boolean closed() {
        return closed;
    }
}
